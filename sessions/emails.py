from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from organizations.emails import absolute_url
from sessions.calendar import session_invite
from sessions.models import MentoringSession

METHODS = {"scheduled": "REQUEST", "rescheduled": "REQUEST", "cancelled": "CANCEL"}


def person_zone(participant) -> ZoneInfo:
    name = participant.time_zone or participant.employee.time_zone
    try:
        return ZoneInfo(name or participant.organization.time_zone)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def send_session_invites(*, session: MentoringSession, kind: str) -> None:
    """Each person gets the session in their own time zone, with the calendar event."""
    pair = session.pair
    method = METHODS[kind]
    title = f"{pair.program.name}: {pair.mentor.employee.name} & {pair.mentee.employee.name}"
    people = [(p.employee.name, p.employee.email) for p in (pair.mentor, pair.mentee)]
    ics = session_invite(session, method=method, title=title, people=people)
    path = reverse(
        "mentoring:pair", kwargs={"org_slug": session.organization.slug, "pair_id": pair.pk}
    )
    for person, partner in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
        zone = person_zone(person)
        context = {
            "kind": kind,
            "session": session,
            "person": person,
            "partner": partner,
            "program": pair.program,
            "organization": session.organization,
            "local_start": timezone.localtime(session.starts_at, zone),
            "zone": zone.key,
            "url": absolute_url(path),
            "heading": title,
        }
        template = "sessions/email/invite"
        with timezone.override(zone):  # dates render in the reader's own time zone
            subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
            body = render_to_string(f"{template}.txt", context)
            html = render_to_string(f"{template}.html", context)
        message = EmailMultiAlternatives(subject=subject, body=body, to=[person.employee.email])
        message.attach_alternative(html, "text/html")
        message.attach("invite.ics", ics, f"text/calendar; charset=utf-8; method={method}")
        message.send()
