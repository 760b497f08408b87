"""The calendar invitations of a session: one email per person, in their own time zone,
carrying the event as an invitation their calendar acts on."""

from enum import StrEnum

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from directory.zones import zone_for
from organizations.emails import absolute_url, send_branded_email
from organizations.languages import language_for_addresses
from sessions.calendar import session_invite, session_organizer, session_title
from sessions.mail import calendar_alternative, calendar_attachment
from sessions.models import MentoringSession


class InviteKind(StrEnum):
    """Which version of the event an email carries."""

    SCHEDULED = "scheduled"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"

    @property
    def is_rescheduled(self) -> bool:
        return self is InviteKind.RESCHEDULED

    @property
    def is_cancelled(self) -> bool:
        return self is InviteKind.CANCELLED


METHODS = {
    InviteKind.SCHEDULED: "REQUEST",
    InviteKind.RESCHEDULED: "REQUEST",
    InviteKind.CANCELLED: "CANCEL",
}

# Who has had which version of the event. A redelivered task, or the retry after the
# second email failed, skips whoever has theirs. Kept well past any retry.
SENT_FOR = 60 * 60 * 24 * 30
# One worker at a time sends a given email; another that meets it retries later.
SENDING_FOR = 60 * 5


class InviteBeingSent(Exception):
    """Another worker is sending this very email right now: try again shortly."""


def invite_occasion(session: MentoringSession, email: str) -> str:
    """One person's copy of one version of the event."""
    return f"invite:{session.uid}:{session.sequence}:{email.lower()}"


OUTBOX_KIND = "sessions.invite"


def session_invites_deliver(*, organization, session_id: int, kind: str, sequence: int) -> None:
    """The outbox's handler (and the task's body): both people's invitations for one
    version of the event, unless a later change has superseded it. Runs inside the
    organisation."""
    session = (
        MentoringSession.objects.select_related(
            "pair__program", "pair__mentor__employee", "pair__mentee__employee"
        )
        .filter(pk=session_id)
        .first()
    )
    if session is None or session.sequence != sequence:
        return  # gone, or a later change sends its own update, which supersedes this one
    send_session_invites(session=session, kind=kind)


def send_session_invites(*, session: MentoringSession, kind: str) -> None:
    """Each person gets the session in their own time zone, with the calendar event;
    each once per version of the event (its sequence), however often this runs. An
    email that fails raises, and the caller retries: who already has theirs is skipped."""
    pair = session.pair
    organization = session.organization
    path = reverse("mentoring:pair", kwargs={"org_slug": organization.slug, "pair_id": pair.pk})
    for person, partner in ((pair.mentor, pair.mentee), (pair.mentee, pair.mentor)):
        email = person.employee.email
        occasion = invite_occasion(session, email)
        sent, sending = f"mentoring:{occasion}:sent", f"mentoring:{occasion}:sending"
        if cache.get(sent):
            continue
        if not cache.add(sending, 1, timeout=SENDING_FOR):
            raise InviteBeingSent(occasion)
        try:
            # The invitation's words in the reader's language: each gets their own copy.
            with translation.override(
                language_for_addresses(organization=organization, addresses=[email])
            ):
                title, ics = session_title(session), session_invite(session)
                _send_one(session, kind, person, partner, title, path, ics, occasion)
            cache.set(sent, 1, timeout=SENT_FOR)
        finally:
            cache.delete(sending)


def _send_one(session, kind, person, partner, title, path, ics, occasion) -> None:
    zone = zone_for(organization=session.organization, participant=person)
    context = {
        "kind": InviteKind(kind),
        "session": session,
        "person": person,
        "partner": partner,
        "program": session.pair.program,
        "local_start": timezone.localtime(session.starts_at, zone),
        "zone": zone.key,
        "url": absolute_url(path),
        "heading": title,
    }
    # Dates in the reader's own time zone (and the words in their language, see above).
    with timezone.override(zone):
        send_branded_email(
            organization=session.organization,
            template="sessions/email/invite",
            context=context,
            to=[person.employee.email],
            key=occasion,
            # A reply to the email, like the calendar's answer, reaches who booked it.
            reply_to=[session_organizer(session).employee.email],
            alternatives=[calendar_alternative(ics, METHODS[kind])],
            attachments=[calendar_attachment(ics)],
        )
