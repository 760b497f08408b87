"""Reads of surveys, shared by the results page, its export and the API."""

from django.db.models import QuerySet

from programs.selectors import programs_managed_by
from surveys.models import Survey


def survey_list(*, credential, permission: str = "program.view") -> QuerySet[Survey]:
    """The surveys of the programs within the credential's reach (a program manager's own
    programs; every program for an admin): the ones that can have results. A template of
    the library has no program, is never sent, and so has none."""
    programs = programs_managed_by(credential, permission)
    return Survey.objects.filter(
        organization_id=credential.organization_id, program__in=programs
    ).select_related("program")
