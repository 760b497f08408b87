"""Reads of surveys, shared by the results page, its export and the API."""

from django.db.models import QuerySet

from organizations.models import Organization
from surveys.models import Survey


def survey_list(*, organization: Organization) -> QuerySet[Survey]:
    """The organisation's program surveys: the ones that can have results. A template of
    the library has no program, is never sent, and so has none."""
    return Survey.objects.filter(organization=organization, program__isnull=False).select_related(
        "program"
    )
