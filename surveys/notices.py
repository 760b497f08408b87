"""Telling people a survey waits for them, through the reminders' notification machinery
(unique keys, the weekly cap and digest, no email at night)."""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.links import members_by_employee
from notifications.kinds import Candidate, register_kind
from organizations.languages import speaking_to
from organizations.models import Organization
from surveys.models import Assignment

SURVEY_DUE = "survey_due"


def survey_still_due(notification, now: datetime) -> bool:
    """A survey notice is withdrawn once the survey is answered or has closed."""
    assignment_id = (notification.key.split(":") + ["", ""])[2]
    return Assignment.objects.filter(
        pk=assignment_id, answered=False, opens_at__lte=now, closes_at__gt=now
    ).exists()


def register() -> None:
    register_kind(SURVEY_DUE, gettext_lazy("A survey to answer"), still_due=survey_still_due)


def survey_due(organization: Organization, now: datetime) -> list[Candidate]:
    """One notice per open, unanswered assignment, to the person it asks."""
    members = members_by_employee(organization)
    candidates = []
    for assignment in Assignment.objects.filter(
        organization=organization, answered=False, opens_at__lte=now, closes_at__gt=now
    ).select_related("schedule__survey", "participant__employee"):
        member = members.get(assignment.participant.employee_id)
        if member is None:
            continue
        survey = assignment.schedule.survey
        with speaking_to(member, organization):
            candidates.append(
                Candidate(
                    recipient=member,
                    kind=SURVEY_DUE,
                    key=f"{SURVEY_DUE}:assignment:{assignment.pk}:open",
                    title=_("A survey for you: %(title)s") % {"title": survey.title},
                    body=(
                        _(
                            "It is anonymous: your answers keep your cohort and role, "
                            "never your name."
                        )
                        if survey.anonymous
                        else _("It is attributed: your name is kept with your answers.")
                    ),
                    url=reverse(
                        "surveys_respond:answer",
                        kwargs={"org_slug": organization.slug, "assignment_id": assignment.pk},
                    ),
                    deadline=assignment.closes_at,
                )
            )
    return candidates
