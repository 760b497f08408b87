"""The program manager's side of enrolment: a cohort's funnel and people, invitations
from the directory, and the approval queue."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organizations.audit import client_ip
from organizations.http import flash_form_errors, post_only, run_reporting
from organizations.spreadsheet import csv_response
from programs import enrolment
from programs.decorators import program_permission_required
from programs.forms import DecisionForm, InviteByFilterForm, InviteOneForm
from programs.models import Cohort, Participant, ParticipantTopic, ProgramQuestion
from programs.selectors import FUNNEL_STAGES, cohort_people, funnel_counts
from programs.training import TRAINED_MEANS

PEOPLE_PER_PAGE = 50


def _cohort(request, program_id, cohort_id) -> Cohort:
    return get_object_or_404(
        Cohort.objects.select_related("program"),
        pk=cohort_id,
        program_id=program_id,
        organization=request.organization,
    )


def _filtered(request, people):
    """The people of a cohort narrowed by the page's filters (stage, role, status, search)."""
    stage, role, status = (request.GET.get(k, "") for k in ("stage", "role", "status"))
    query = request.GET.get("q", "").strip().lower()
    return [
        p
        for p in people
        if (not stage or stage in p.stages)
        and (not role or p.role == role)
        and (not status or p.status == status)
        and (not query or query in p.employee.name.lower() or query in p.employee.email.lower())
    ]


@program_permission_required("program.view")
def cohort_detail(request, org_slug, program_id, cohort_id):
    cohort = _cohort(request, program_id, cohort_id)
    people = cohort_people(cohort)
    shown = _filtered(request, people)
    context = {
        "program": cohort.program,
        "cohort": cohort,
        "funnel": funnel_counts(people),
        "page": Paginator(shown, PEOPLE_PER_PAGE).get_page(request.GET.get("page")),
        "shown_count": len(shown),
        "queue": [p for p in people if p.status == Participant.Status.APPLIED],
        "stages": FUNNEL_STAGES,
        "trained_means": TRAINED_MEANS,
        "roles": Participant.Role.choices,
        "statuses": Participant.Status.choices,
        "invite_one": InviteOneForm(organization=request.organization),
        "invite_many": InviteByFilterForm(organization=request.organization),
        "nomination_url": request.build_absolute_uri(
            reverse("programs:nominate", kwargs={"org_slug": org_slug, "cohort_id": cohort.pk})
        ),
    }
    return render(request, "programs/cohort_detail.html", context)


@program_permission_required("program.view")
def cohort_export(request, org_slug, program_id, cohort_id):
    """The people the cohort page shows (with its filters), as CSV."""
    cohort = _cohort(request, program_id, cohort_id)
    shown = _filtered(request, cohort_people(cohort))
    header = [
        "employee_number", "name", "email", "department", "job_level", "role", "status",
        "source", "invited_at", "applied_at", "decided_at", *(s for s, _l in FUNNEL_STAGES),
    ]  # fmt: skip
    rows = (
        [
            p.employee.employee_number, p.employee.name, p.employee.email,
            p.employee.department or "", p.employee.job_level or "",
            p.role, p.status, p.source, p.invited_at.isoformat(),
            p.applied_at.isoformat() if p.applied_at else "",
            p.decided_at.isoformat() if p.decided_at else "",
            *("yes" if s in p.stages else "no" for s, _l in FUNNEL_STAGES),
        ]
        for p in shown
    )  # fmt: skip
    return csv_response(filename=f"cohort-{cohort.pk}-people.csv", header=header, rows=rows)


def _beyond_places(outcome: enrolment.InviteOutcome, *, preview: bool = False) -> str:
    """Warn that the invitations go beyond the places: in the future tense on the
    preview, where nothing has been sent yet."""
    people = outcome.waiting + len(outcome.invited)
    if preview:
        waiting = ngettext(
            "Once you confirm, %(people)s person will be invited or waiting for a decision.",
            "Once you confirm, %(people)s people will be invited or waiting for a decision.",
            people,
        )
    else:
        waiting = ngettext(
            "%(people)s person is now invited or waiting for a decision.",
            "%(people)s people are now invited or waiting for a decision.",
            people,
        )
    left = ngettext("%(left)s place is left.", "%(left)s places are left.", outcome.places_left)
    return " ".join(
        [
            waiting % {"people": people},
            left % {"left": outcome.places_left},
            _("Not everyone applies; once the cohort is full, nobody more can be approved."),
        ]
    )


def _report_invites(request, outcome: enrolment.InviteOutcome) -> None:
    if outcome.invited:
        messages.success(
            request,
            ngettext("Invited %(count)s person.", "Invited %(count)s people.", len(outcome.invited))
            % {"count": len(outcome.invited)},
        )
    if outcome.beyond_places:
        messages.warning(request, _beyond_places(outcome))
    for employee, why in outcome.skipped[:20]:
        messages.warning(
            request, _("Not invited: %(name)s, %(why)s") % {"name": employee.name, "why": why}
        )
    if len(outcome.skipped) > 20:
        messages.warning(
            request,
            ngettext(
                "…and %(count)s more not invited.",
                "…and %(count)s more not invited.",
                len(outcome.skipped) - 20,
            )
            % {"count": len(outcome.skipped) - 20},
        )


@program_permission_required("program.manage")
def cohort_invite(request, org_slug, program_id, cohort_id):
    """Invite one person, or everyone matching filters (first a preview, then for real)."""
    cohort = _cohort(request, program_id, cohort_id)
    if request.method != "POST":
        return post_only()
    back = redirect(
        "programs:cohort", org_slug=org_slug, program_id=program_id, cohort_id=cohort.pk
    )
    if request.POST.get("mode") == "one":
        form = InviteOneForm(request.POST, organization=request.organization)
        if not form.is_valid():
            flash_form_errors(request, form)
            return back
        run_reporting(
            request,
            lambda: enrolment.participant_invite_one(
                cohort=cohort,
                employee=form.cleaned_data["person"],
                role=form.cleaned_data["role"],
                actor=request.membership,
                ip_address=client_ip(request),
            ),
            _("Invited %(name)s.") % {"name": form.cleaned_data["person"].name},
        )
        return back

    form = InviteByFilterForm(request.POST, organization=request.organization)
    if not form.is_valid():
        flash_form_errors(request, form)
        return back
    # The preview runs the invitation and rolls it back: the same rules, nothing sent.
    preview = request.POST.get("confirm") != "yes"
    try:
        outcome = enrolment.participant_invite_many(
            cohort=cohort,
            employees=form.employees(request.organization),
            role=form.cleaned_data["role"],
            actor=request.membership,
            ip_address=client_ip(request),
            dry_run=preview,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return back
    if preview:
        context = {
            "program": cohort.program,
            "cohort": cohort,
            "form": form,
            "outcome": outcome,
            "beyond_places": (
                _beyond_places(outcome, preview=True) if outcome.beyond_places else ""
            ),
        }
        return render(request, "programs/invite_preview.html", context)
    _report_invites(request, outcome)
    return back


def _participant(request, program_id, participant_id) -> Participant:
    return get_object_or_404(
        Participant.objects.select_related("employee", "employee__department", "cohort", "program"),
        pk=participant_id,
        program_id=program_id,
        organization=request.organization,
    )


@program_permission_required("program.view")
def participant_review(request, org_slug, program_id, participant_id):
    """An application as the program manager sees it (never the demographic answers)."""
    participant = _participant(request, program_id, participant_id)
    questions = ProgramQuestion.objects.filter(program=participant.program)
    context = {
        "program": participant.program,
        "participant": participant,
        "topics": ParticipantTopic.objects.filter(participant=participant).select_related("topic"),
        "answers": [(q, participant.answers.get(str(q.pk), "")) for q in questions],
        "form": DecisionForm(),
    }
    return render(request, "programs/participant_review.html", context)


@program_permission_required("program.manage")
def participant_decide(request, org_slug, program_id, participant_id):
    participant = _participant(request, program_id, participant_id)
    if request.method != "POST":
        return post_only()
    form = DecisionForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    decision = request.POST.get("decision")
    name = participant.employee.name
    if decision == "withdraw":
        run_reporting(
            request,
            lambda: enrolment.participant_withdraw(
                participant=participant, message=message, by_manager=True
            ),
            _("%(name)s was withdrawn and told why.") % {"name": name},
        )
    else:
        approve = decision == "approve"
        run_reporting(
            request,
            lambda: enrolment.participant_decide(
                participant=participant, approve=approve, message=message, actor=request.membership
            ),
            (_("%(name)s is approved.") if approve else _("%(name)s was declined and told why."))
            % {"name": name},
        )
    if request.POST.get("next") == "cohort":
        return redirect(
            "programs:cohort",
            org_slug=org_slug,
            program_id=program_id,
            cohort_id=participant.cohort_id,
        )
    return redirect(
        "programs:participant",
        org_slug=org_slug,
        program_id=program_id,
        participant_id=participant.pk,
    )
