"""The executive dashboard (per organisation and per program), its CSV export, and
building today's figures on demand. Thin: reports.selectors does the reading."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from organizations.decorators import permission_required
from organizations.http import post_only
from organizations.permissions import has_permission, has_permission_everywhere
from organizations.spreadsheet import csv_response
from organizations.suppression import report_min_group
from programs.decorators import program_permission_required
from programs.selectors import programs_managed_by
from reports.cache import dashboard_sections, viewer_scope
from reports.forms import DateRangeForm
from reports.measures import MEASURES, shown
from reports.models import ORGANIZATION_SCOPE, program_scope
from reports.selectors import dashboard_head, dashboard_stories, kpi_trend_list, today
from reports.services import snapshot_today_request


def _whole_organization(request) -> bool:
    """The organisation's own figures sum every program (and list each program's cohorts):
    for those who read every program's, not a program manager who reads their own."""
    return has_permission_everywhere(request.membership, "report.view")


def _own_program_dashboard(request):
    """A program manager's dashboard is their programs': the first of them, else the
    overview with a word on why."""
    first = programs_managed_by(request.membership, "report.view").order_by("name").first()
    if first is None:
        messages.info(
            request, _("The dashboard shows the programs you manage, and you manage none yet.")
        )
        return redirect("home:overview", org_slug=request.organization.slug)
    target = reverse(
        "reports:program", kwargs={"org_slug": request.organization.slug, "program_id": first.pk}
    )
    query = request.GET.urlencode()
    return redirect(f"{target}?{query}" if query else target)


def _period(request):
    form = DateRangeForm(request.GET or None, today=today(request.organization))
    start, end = form.period()
    if not form.is_bound:
        form.initial = {"start": start, "end": end}
    return form, start, end


@program_permission_required("report.view")
def dashboard_page(request, org_slug, program_id=None):
    program, whole_organization = request.program, _whole_organization(request)
    if program is None and not whole_organization:
        return _own_program_dashboard(request)
    form, start, end = _period(request)
    organization = request.organization
    programs = list(programs_managed_by(request.membership, "report.view").order_by("name"))
    board, latest = dashboard_head(organization=organization, program=program, start=start, end=end)
    viewer = viewer_scope(
        whole_organization=whole_organization, program_ids=[p.pk for p in programs]
    )
    sections = latest and dashboard_sections(request, board=board, latest=latest, viewer=viewer)
    context = {
        "board": board,
        "sections": sections or "",
        "program": program,
        "form": form,
        "programs": programs,
        "whole_organization": whole_organization,
        "can_refresh": has_permission(request.membership, "report.refresh"),
        "query": request.GET.urlencode(),
    }
    board.stories = dashboard_stories(organization=organization, program=program)
    return render(request, "reports/dashboard.html", context)


@program_permission_required("report.view")
def dashboard_export(request, org_slug, program_id=None):
    """The period's trend, a row a day, as the dashboard shows it: hidden figures blank."""
    program = request.program
    if program is None and not _whole_organization(request):
        raise PermissionDenied
    _form, start, end = _period(request)
    scope = ORGANIZATION_SCOPE if program is None else program_scope(program.pk)
    least = report_min_group(request.organization)
    name = request.organization.slug if program is None else f"program-{program.pk}"
    columns = ["invited", "applied", "approved", "active"]
    label = request.organization.name if program is None else program.name

    def values(row) -> list:
        # Whole numbers: a decimal more tells day-to-day changes of one person apart. A
        # number stays a number, so a negative NPS is not escaped as a formula.
        figures = (shown(measure, row, least) for measure in MEASURES)
        return ["" if f.value is None else f.rounded for f in figures]

    return csv_response(
        filename=f"{name}-kpis-{start.isoformat()}-{end.isoformat()}.csv",
        header=["day", "scope", *columns, *[m.key for m in MEASURES]],
        rows=(
            [row["day"].isoformat(), label, *[row[c] or 0 for c in columns], *values(row)]
            for row in kpi_trend_list(
                organization=request.organization, scope=scope, start=start, end=end
            )
        ),
    )


@permission_required("report.refresh")
def refresh(request, org_slug):
    """Count today's figures now rather than wait for the night (a task: it can take a
    while on a large organisation)."""
    if request.method != "POST":
        return post_only()
    organization = request.organization
    snapshot_today_request(organization=organization)
    messages.success(
        request, _("Today's figures are being counted; they appear here when they are ready.")
    )
    target = request.POST.get("next", "")
    if not target.startswith(f"/o/{organization.slug}/reports/"):
        target = reverse("reports:dashboard", kwargs={"org_slug": organization.slug})
    return redirect(target)
