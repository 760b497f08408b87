"""Program managers' views of the pairs' activity (dates, counts, ratings and statuses,
never what anyone wrote) and the mentor support circles."""

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from organizations.dates import local_moment
from organizations.http import posted, run_on_form, run_reporting
from organizations.permissions import has_permission
from organizations.spreadsheet import csv_response
from programs.decorators import program_permission_required
from programs.models import Program
from sessions import circles
from sessions.cadence import LABELS as CADENCE_LABELS
from sessions.manager_selectors import (
    CADENCE_STATUSES,
    cadence_counts,
    circle_answers,
    circle_attendance,
    circle_mentors,
    commitment_counts,
    pair_activity,
    program_circles,
    reliability_by_role,
)
from sessions.models import SessionChange, SupportCircle

PAIRS_PER_PAGE = 50


def _zone(request) -> ZoneInfo:
    return request.organization.zone


def _filters(request, program) -> tuple[list, int | None, str]:
    """The program's cohorts, and the cohort and cadence status chosen (if valid)."""
    cohorts = list(program.cohorts.only("pk", "name", "program_id"))
    try:
        cohort_id = int(request.GET.get("cohort", ""))
    except ValueError:
        cohort_id = None
    if cohort_id not in {c.pk for c in cohorts}:
        cohort_id = None
    status = request.GET.get("cadence", "")
    if status not in CADENCE_LABELS:
        status = ""
    return cohorts, cohort_id, status


def _activity(request, program):
    cohorts, cohort_id, status = _filters(request, program)
    rows = pair_activity(program, cohort_id=cohort_id)
    shown = [row for row in rows if not status or row.cadence.status == status]
    return cohorts, cohort_id, status, rows, shown


@program_permission_required("program.view")
def pairs(request, org_slug, program_id):
    """The program's pairs, each with its rhythm, ratings, goals and reliability."""
    program = request.program
    cohorts, cohort_id, status, rows, shown = _activity(request, program)
    context = {
        "program": program,
        "cohorts": cohorts,
        "cohort_id": cohort_id,
        "cadence": status,
        "cadence_statuses": CADENCE_STATUSES,
        "cadence_counts": cadence_counts(rows),
        "reliability": reliability_by_role(rows),
        "late_hours": SessionChange.LATE_HOURS,
        "pair_count": len(rows),
        "ended_count": sum(1 for row in rows if row.is_ended),
        "commitments": commitment_counts(program, cohort_id=cohort_id),
        "page": Paginator(shown, PAIRS_PER_PAGE).get_page(request.GET.get("page")),
        "shown_count": len(shown),
        "filtered": bool(cohort_id or status),
    }
    return render(request, "sessions/manager/pairs.html", context)


def _day(value, zone) -> str:
    return timezone.localtime(value, zone).date().isoformat() if value else ""


@program_permission_required("program.view")
def pairs_export(request, org_slug, program_id):
    """The rows the pair list shows (with its filters), as CSV: dates, counts, ratings and
    statuses only."""
    program = request.program
    _cohorts, _cohort_id, _status, _rows, shown = _activity(request, program)
    zone = _zone(request)
    header = [
        "mentor", "mentee", "cohort", "pair_status", "paired_on", "ended_on",
        "sessions_held", "sessions_planned", "last_held_on", "last_contact_on",
        "average_rating", "ratings",
        "cadence", "goals_done", "goals_total", "sessions",
        "mentor_cancelled_or_moved_late", "mentee_cancelled_or_moved_late",
    ]  # fmt: skip
    return csv_response(
        filename=f"program-{program.pk}-pairs.csv",
        header=header,
        rows=(_pair_row(row, zone) for row in shown),
    )


def _pair_row(row, zone) -> list:
    by_role = {r.role: r.count for r in row.reliability}
    return [
        row.mentor_name, row.mentee_name, row.cohort_name,
        row.status, _day(row.paired_at, zone), _day(row.ended_at, zone),
        row.held, row.planned, _day(row.last_held, zone), _day(row.last_contact, zone),
        f"{row.average_rating:.1f}" if row.average_rating is not None else "",
        row.ratings, row.cadence.status, row.goals_done, row.goals_total, row.sessions,
        by_role.get("mentor", 0), by_role.get("mentee", 0),
    ]  # fmt: skip


@program_permission_required("program.view")
def reliability_export(request, org_slug, program_id):
    """Per role, over the program's pairs (or the chosen cohort's): sessions cancelled or
    moved late, as the pair list's summary shows them. Counts only."""
    program = request.program
    _cohorts, cohort_id, _status, rows, _shown = _activity(request, program)
    name = f"program-{program.pk}-reliability" + (f"-cohort-{cohort_id}" if cohort_id else "")
    return csv_response(
        filename=f"{name}.csv",
        header=["role", "sessions", "cancelled_or_moved_late", "share_percent"],
        rows=(
            [r.role, r.sessions, r.count, "" if r.percent is None else r.percent]
            for r in reliability_by_role(rows)
        ),
    )


class CircleForm(forms.Form):
    """When and where, in the organisation's time zone."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    time = forms.TimeField(
        label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), min_value=15, max_value=240, initial=45
    )
    location = forms.CharField(
        label=gettext_lazy("Place or video link"), required=False, max_length=300
    )

    def __init__(self, *args, zone: ZoneInfo, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone, self.program = zone, program
        self.fields["time"].help_text = _("The organisation's time: %(zone)s.") % {"zone": zone.key}

    def clean(self):
        """Within the program's dates or the next two years; a time the clocks skip is
        refused, one they show twice is its first occurrence."""
        data = super().clean()
        if data.get("date") is None or data.get("time") is None:
            return data
        if problem := circles.circle_date_problem(self.program, data["date"]):
            self.add_error("date", problem)
            return data
        try:
            data["starts_at"] = local_moment(data["date"], data["time"], self.zone)
        except ValidationError as error:
            self.add_error("time", error)
        return data

    def plan(self) -> circles.CirclePlan:
        data = self.cleaned_data
        return circles.CirclePlan(
            title=data["title"],
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            location=data.get("location", ""),
        )

    @staticmethod
    def initial_for(circle: SupportCircle, zone: ZoneInfo) -> dict:
        local = timezone.localtime(circle.starts_at, zone)
        return {
            "title": circle.title,
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": circle.duration_minutes,
            "location": circle.location,
        }

    @staticmethod
    def suggestion(zone: ZoneInfo) -> dict:
        day = (timezone.localtime(timezone.now(), zone) + timedelta(days=14)).date()
        return {"date": day, "time": time(12, 0), "duration_minutes": 45}


def _may_manage(request) -> None:
    if not has_permission(request.membership, "program.manage"):
        raise PermissionDenied


@program_permission_required("program.view")
def circle_list(request, org_slug, program_id):
    """The program's support circles, and a form to add one."""
    program = request.program
    zone = _zone(request)
    form = CircleForm(
        posted(request), zone=zone, program=program, initial=CircleForm.suggestion(zone)
    )
    if request.method == "POST":
        _may_manage(request)
        if form.is_valid() and run_reporting(
            request,
            lambda: circles.circle_create(program=program, plan=form.plan()),
            _("Support circle “%(title)s” added.") % {"title": form.cleaned_data["title"]},
        ):
            return redirect("mentoring_manager:circles", org_slug=org_slug, program_id=program.pk)
    now = timezone.now()
    all_circles = list(program_circles(program))
    context = {
        "program": program,
        "form": form,
        "zone": zone.key,
        "upcoming": sorted(
            (c for c in all_circles if c.starts_at >= now), key=lambda c: c.starts_at
        ),
        "past": [c for c in all_circles if c.starts_at < now],
        "mentor_count": circle_mentors(program).count(),
    }
    return render(request, "sessions/manager/circles.html", context)


def _circle(program: Program, circle_id) -> SupportCircle:
    """One of the program's circles (with how many came), else 404."""
    return get_object_or_404(program_circles(program), pk=circle_id)


def _to_circle(circle: SupportCircle):
    return redirect(
        "mentoring_manager:circle",
        org_slug=circle.organization.slug,
        program_id=circle.program_id,
        circle_id=circle.pk,
    )


@program_permission_required("program.view")
def circle_detail(request, org_slug, program_id, circle_id):
    """A circle's details and who came: a tick per mentor."""
    program = request.program
    circle = _circle(program, circle_id)
    if request.method == "POST":
        _may_manage(request)
        came = set(request.POST.getlist("attended"))
        if run_reporting(
            request,
            lambda: circles.circle_attendance_save(circle=circle, attended_ids=came),
            ngettext(
                "Attendance saved: %(count)s mentor came.",
                "Attendance saved: %(count)s mentors came.",
                len(came),
            )
            % {"count": len(came)},
        ):
            return _to_circle(circle)
    people = circle_attendance(circle, circle_mentors(program, circle))
    context = {
        "program": program,
        "circle": circle,
        "zone": _zone(request).key,
        "people": people,
        "answers": circle_answers(circle),
        "attended_count": sum(1 for _m, came, _n in people if came),
        "can_take_attendance": circles.attendance_open(circle),
        "can_manage": has_permission(request.membership, "program.manage"),
        "upcoming": circle.starts_at > timezone.now(),
    }
    return render(request, "sessions/manager/circle.html", context)


@program_permission_required("program.manage")
def circle_edit(request, org_slug, program_id, circle_id):
    """Change a circle's title, time, length or place."""
    program = request.program
    circle = _circle(program, circle_id)
    zone = _zone(request)
    form = CircleForm(
        posted(request), zone=zone, program=program, initial=CircleForm.initial_for(circle, zone)
    )
    if request.method == "POST" and form.is_valid():
        done, saved = run_on_form(
            form, lambda: circles.circle_update(circle=circle, plan=form.plan())
        )
        if done:
            messages.success(request, _("Support circle “%(title)s” saved.") % {"title": saved})
            return _to_circle(saved)
    context = {"program": program, "circle": circle, "form": form, "zone": zone.key}
    return render(request, "sessions/manager/circle_form.html", context)


@program_permission_required("program.manage")
def circle_delete(request, org_slug, program_id, circle_id):
    """Cancel a circle to come, or remove one held with its attendance: a page that says
    what goes, then a POST from it."""
    program = request.program
    circle = _circle(program, circle_id)
    upcoming = circle.starts_at > timezone.now()
    if request.method == "POST":
        done = (
            _("Support circle “%(title)s” cancelled.")
            if upcoming
            else _("Support circle “%(title)s” removed.")
        )
        if run_reporting(
            request, lambda: circles.circle_delete(circle=circle), done % {"title": circle}
        ):
            return redirect("mentoring_manager:circles", org_slug=org_slug, program_id=program.pk)
        return _to_circle(circle)
    context = {
        "program": program,
        "circle": circle,
        "zone": _zone(request).key,
        "upcoming": upcoming,
    }
    return render(request, "sessions/manager/circle_delete.html", context)
