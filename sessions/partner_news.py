"""Telling one person of a pair what the other did in their workspace: booked, moved or
cancelled a session, logged one, added a goal or made a commitment (issue 20).

A notice in the app at once, written in the same transaction as the change; a log, a
goal or a commitment is emailed by the reminders' delivery like any reminder, so under
the person's cap, digest and quiet hours. The notice says what
happened and links to it; it never carries a note, a reflection or an agenda.

A booking, a move or a cancellation is told in the app only: the calendar invitation
both people get is its email, and a second email of the same news would be noise. Each
notice's key carries the session's SEQUENCE, as the invitation does, so every version is
told once.
"""

from datetime import datetime

from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.zones import zone_for
from matching.models import Pair
from matching.notices import notices_send
from notifications import delivery
from notifications.kinds import Candidate, register_kind
from organizations.languages import speaking_to
from organizations.models import Membership
from programs.models import Participant
from sessions.models import Commitment, Goal, MentoringSession


class PartnerNotice(models.TextChoices):
    # A log, a goal or a commitment: emailed like a reminder.
    PARTNER_NEWS = "partner_news", gettext_lazy("What your mentoring partner did")
    # A booking, a move or a cancellation: in the app only, as its email is the calendar
    # invitation both people get (sessions.emails).
    PARTNER_BOOKING = "partner_booking", gettext_lazy("Your partner booked, moved or cancelled")


def register() -> None:
    register_kind(PartnerNotice.PARTNER_NEWS, PartnerNotice.PARTNER_NEWS.label)
    register_kind(PartnerNotice.PARTNER_BOOKING, PartnerNotice.PARTNER_BOOKING.label, app_only=True)


def _partner(pair: Pair, actor: Participant) -> Participant:
    return pair.mentee if actor.pk == pair.mentor_id else pair.mentor


def _tell(pair: Pair, actor: Participant, *, kind: str, key: str, title, body, path: str) -> None:
    """One notice for the actor's partner, if the partner has an active account. ``title``
    and ``body`` take the partner's time zone and are called in the organisation's
    language."""
    partner = _partner(pair, actor)
    recipient = (
        Membership.objects.filter(employee=partner.employee_id, is_active=True)
        .select_related("user", "organization")
        .first()
    )
    if recipient is None:
        return  # no account to sign in with: nothing to show them
    organization = pair.organization
    zone = zone_for(organization=organization, participant=partner)
    with speaking_to(recipient, organization):
        candidate = Candidate(
            recipient=recipient,
            kind=kind,
            key=f"{kind}:{key}",
            title=title(actor.employee.name),
            body=body(actor.employee.name, zone),
            url=path,
        )
    if kind == PartnerNotice.PARTNER_BOOKING:
        delivery.create([candidate], timezone.now())  # in the app only: nothing to deliver
    else:
        notices_send(organization=organization, candidates=[candidate])


def _when(moment: datetime, zone) -> str:
    """ "Monday 14 December 2026, 10:00", in the reader's time zone and language."""
    return formats.date_format(timezone.localtime(moment, zone), "l j F Y, H:i")


def _session_path(session: MentoringSession) -> str:
    return reverse(
        "mentoring:session",
        kwargs={
            "org_slug": session.organization.slug,
            "pair_id": session.pair_id,
            "session_id": session.pk,
        },
    )


def _pair_path(pair: Pair) -> str:
    return reverse(
        "mentoring:pair", kwargs={"org_slug": pair.organization.slug, "pair_id": pair.pk}
    )


def session_booked(session: MentoringSession, actor: Participant) -> None:
    _tell(
        session.pair,
        actor,
        kind=PartnerNotice.PARTNER_BOOKING,
        key=f"session:{session.pk}:{session.sequence}",
        title=lambda name: _("%(name)s booked a session") % {"name": name},
        body=lambda name, zone: (
            _("%(name)s booked a session with you on %(when)s.")
            % {"name": name, "when": _when(session.starts_at, zone)}
        ),
        path=_session_path(session),
    )


def session_moved(session: MentoringSession, actor: Participant, was: datetime) -> None:
    _tell(
        session.pair,
        actor,
        kind=PartnerNotice.PARTNER_BOOKING,
        key=f"session:{session.pk}:{session.sequence}",
        title=lambda name: _("%(name)s moved your session") % {"name": name},
        body=lambda name, zone: (
            _("%(name)s moved your session of %(was)s to %(when)s.")
            % {"name": name, "was": _when(was, zone), "when": _when(session.starts_at, zone)}
        ),
        path=_session_path(session),
    )


def session_cancelled(session: MentoringSession, actor: Participant) -> None:
    _tell(
        session.pair,
        actor,
        kind=PartnerNotice.PARTNER_BOOKING,
        key=f"session:{session.pk}:{session.sequence}",
        title=lambda name: _("%(name)s cancelled your session") % {"name": name},
        body=lambda name, zone: (
            _("%(name)s cancelled your session of %(when)s.")
            % {"name": name, "when": _when(session.starts_at, zone)}
        ),
        path=_session_path(session),
    )


def session_logged(session: MentoringSession, actor: Participant) -> None:
    """Said once per person who logs: the first says what happened, the second adds
    their own reflection, and each is news to the other."""
    held = session.status == MentoringSession.Status.HELD

    def body(name, zone) -> str:
        if held:
            sentence = _("%(name)s logged your session of %(when)s. Add how it went for you.")
        else:
            sentence = _("%(name)s logged that your session of %(when)s did not take place.")
        return sentence % {"name": name, "when": _when(session.starts_at, zone)}

    _tell(
        session.pair,
        actor,
        kind=PartnerNotice.PARTNER_NEWS,
        key=f"log:{session.pk}:{actor.pk}",
        title=lambda name: _("%(name)s logged a session") % {"name": name},
        body=body,
        path=_session_path(session),
    )


def goal_added(goal: Goal, actor: Participant) -> None:
    _tell(
        goal.pair,
        actor,
        kind=PartnerNotice.PARTNER_NEWS,
        key=f"goal:{goal.pk}:added",
        title=lambda name: _("%(name)s added a goal") % {"name": name},
        body=lambda name, zone: (
            _("%(name)s added a goal for your pair: %(goal)s") % {"name": name, "goal": goal.title}
        ),
        path=_pair_path(goal.pair),
    )


def commitment_made(commitment: Commitment, actor: Participant) -> None:
    _tell(
        commitment.pair,
        actor,
        kind=PartnerNotice.PARTNER_NEWS,
        key=f"commitment:{commitment.pk}:made",
        title=lambda name: _("%(name)s made a commitment") % {"name": name},
        body=lambda name, zone: (
            _("%(name)s committed to change something: %(commitment)s")
            % {"name": name, "commitment": commitment.text}
        ),
        path=_pair_path(commitment.pair),
    )
