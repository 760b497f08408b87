"""Reads of surveys, shared by the results page, its export and the API; the results
themselves, figures per group with small groups hidden, are surveys.selectors.results."""

from datetime import datetime

from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from organizations.suppression import survey_min_group
from programs.selectors import programs_managed_by
from surveys.models import HeldResponse, Schedule, Survey


def survey_list(*, credential, permission: str = "program.view") -> QuerySet[Survey]:
    """The surveys of the programs within the credential's reach (a program manager's own
    programs; every program for an admin): the ones that can have results. A template of
    the library has no program, is never sent, and so has none."""
    programs = programs_managed_by(credential, permission)
    return Survey.objects.filter(
        organization_id=credential.organization_id, program__in=programs
    ).select_related("program")


def sealed_answer_notes(survey: Survey, *, now: datetime) -> list[str]:
    """What the results page says of anonymous answers still sealed (surveys.sealing):
    when they will be read, per cohort; never how many there are."""
    if not survey.anonymous:
        return []
    notes = []
    schedules = (
        survey.schedules.select_related("cohort")
        .annotate(
            held=Exists(HeldResponse.objects.filter(schedule=OuterRef("pk"))),
            last_closes=Max("assignments__closes_at"),
        )
        .order_by("cohort__name", "pk")
    )
    for schedule in schedules:
        held, cohort = schedule.held, schedule.cohort.name
        if schedule.anchor == Schedule.Anchor.EACH_SESSION:
            if held:
                notes.append(
                    _(
                        "%(cohort)s: the latest answers are read once there are at least "
                        "%(n)s from mentors, or from mentees, to release together."
                    )
                    % {"cohort": cohort, "n": survey_min_group(survey.organization)}
                )
            continue
        if schedule.last_closes and schedule.last_closes > now:
            notes.append(
                _(
                    "%(cohort)s: answers are read all together once the survey closes, on "
                    "%(day)s, so that none can be traced to the moment it was given."
                )
                % {"cohort": cohort, "day": date_format(localtime(schedule.last_closes))}
            )
        elif held:
            notes.append(
                _(
                    "%(cohort)s: too few answers came in to read them without making them "
                    "traceable; they stay sealed."
                )
                % {"cohort": cohort}
            )
    return notes
