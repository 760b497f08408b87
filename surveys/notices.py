"""Telling people a survey waits for them, through the reminders' notification machinery
(unique keys, the weekly cap and digest, no email at night)."""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from organizations.models import Organization
from sessions.models import Notification
from sessions.reminders import Candidate, members_by_email
from surveys.models import Assignment


def survey_due(organization: Organization, now: datetime) -> list[Candidate]:
    """One notice per open, unanswered assignment, to the person it asks."""
    members = members_by_email(organization)
    candidates = []
    for assignment in Assignment.objects.filter(
        organization=organization, answered=False, opens_at__lte=now, closes_at__gt=now
    ).select_related("schedule__survey", "participant__employee"):
        email = (assignment.participant.employee.email or "").lower()
        member = members.get(email)
        if member is None:
            continue
        survey = assignment.schedule.survey
        candidates.append(
            Candidate(
                recipient=member,
                kind=Notification.Kind.SURVEY_DUE,
                key=f"survey_due:assignment:{assignment.pk}:open",
                title=_("A survey for you: %(title)s") % {"title": survey.title},
                body=(
                    _("It is anonymous: your answers keep your cohort and role, never your name.")
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
