"""The KPI trend through the API: the rows of the dashboard's CSV export (a row per
snapshot day), read by the same functions (reports.selectors.kpi_trend_list and
reports.measures.shown), so a figure hidden there is hidden here."""

from dataclasses import replace
from datetime import date

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import PermissionDenied

from organizations.api.views import OrganizationScoped, error_responses
from organizations.permissions import has_permission_everywhere
from organizations.suppression import report_min_group
from programs.models import Program
from programs.selectors import programs_managed_by
from reports.measures import MEASURES, Shown, shown
from reports.models import ORGANIZATION_SCOPE, program_scope
from reports.selectors import FUNNEL, kpi_trend_list, today
from reports.serializers import KpiRowSerializer, KpiTrendQuerySerializer


def _rounded(figure: Shown) -> Shown:
    """Whole numbers, as the export writes them: a decimal more tells day-to-day changes
    of one person apart."""
    return replace(figure, value=figure.rounded, comparison=figure.comparison_rounded)


def _kpi_rows(organization, program: Program | None, start: date, end: date) -> list[dict]:
    """The period's trend as the export writes it: the funnel's counts, and each measure
    as it may be shown, in whole numbers. Only these leave here, never the raw figures."""
    scope = ORGANIZATION_SCOPE if program is None else program_scope(program.pk)
    least = report_min_group(organization)
    return [
        {
            "day": row["day"],
            "scope": "organization" if program is None else "program",
            "program": None if program is None else program.pk,
            **{name: row[name] or 0 for name in FUNNEL},
            **{measure.key: _rounded(shown(measure, row, least)) for measure in MEASURES},
        }
        for row in kpi_trend_list(organization=organization, scope=scope, start=start, end=end)
    ]


@extend_schema(
    tags=["reports"],
    parameters=[KpiTrendQuerySerializer],
    responses={200: KpiRowSerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
    description=(
        "The KPI trend, a row per day with a snapshot (the nightly figures), oldest first: "
        "the rows of the dashboard's CSV export. The period defaults to the last 180 days "
        "to today in the organisation's time zone and spans at most three years. Rates are "
        "in whole numbers, as in the export. A measure "
        "whose group is smaller than the organisation's minimum is `hidden: true` with "
        "`value` (and `comparison`) null, exactly as on the dashboard. A program of another "
        "organisation, one the caller does not manage, or none, answers 404. Without "
        "`program`, the organisation's figures: for an admin, an executive or an API key, "
        "not for a program manager, who names one of their programs (403)."
    ),
)
class KpiTrendList(OrganizationScoped, generics.ListAPIView):
    permission = "report.view"
    serializer_class = KpiRowSerializer
    filter_backends = []  # the query serializer reads the parameters

    def list(self, request, *args, **kwargs):
        organization = self.organization()
        query = KpiTrendQuerySerializer(
            data=request.query_params, context={"today": today(organization)}
        )
        query.is_valid(raise_exception=True)
        program_id = query.validated_data.get("program")
        program = None
        if program_id is not None:
            reach = programs_managed_by(request.auth, self.permission)
            program = get_object_or_404(reach, pk=program_id)
        elif not has_permission_everywhere(request.auth, self.permission):
            # As on the dashboard: the organisation's figures sum every program.
            raise PermissionDenied(_("Name one of your programs: ?program=<id>."))
        rows = _kpi_rows(
            organization, program, query.validated_data["start"], query.validated_data["end"]
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
