"""Support circles in mentors' calendars: the invitation a mentor gets on joining a
circle, the cancellation on leaving it, the update when the program manager moves or
cancels it, and the notice in the app that says so.

Each email is an outbox row written in the transaction of the change that causes it
(``notifications.outbox``) and delivered once it has committed, one per mentor per
version of their copy of the event (``sessions.calendar.circle_sequence``): a later
version supersedes one not yet delivered.

Leaving sends that mentor a CANCEL (RFC 5546's way to take an attendee off a meeting):
without it the meeting their invitation put in their calendar would stay there. The
other mentors' copies are untouched.

A move or a cancellation is told in the app at once and by the calendar update's email,
which says what changed in words; the notice is not emailed a second time (the same rule
as a session's booking, ``sessions.partner_news``)."""

from datetime import datetime

from django.db import models
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.links import members_by_employee
from directory.zones import zone_for
from notifications import delivery
from notifications.kinds import Candidate, register_kind
from notifications.outbox import outbox_add, register_handler
from organizations.emails import absolute_url, send_branded_email
from programs.models import Participant
from programs.selectors import program_manager_links
from sessions.calendar import (
    CANCEL,
    REQUEST,
    Organizer,
    circle_invite,
    circle_sequence,
    sender_address,
)
from sessions.mail import calendar_alternative, calendar_attachment
from sessions.models import CircleRsvp, SupportCircle

OUTBOX_KIND = "sessions.circle_invite"


class Change(models.TextChoices):
    """What a mentor's email about a circle tells."""

    JOINED = "joined"
    LEFT = "left"
    MOVED = "moved"
    CANCELLED = "cancelled"


class CircleNotice(models.TextChoices):
    # In the app only: the calendar update emailed with it is its email.
    CIRCLE_CHANGED = "circle_changed", gettext_lazy("A support circle you joined changed")


def register() -> None:
    register_kind(CircleNotice.CIRCLE_CHANGED, CircleNotice.CIRCLE_CHANGED.label, app_only=True)
    register_handler(OUTBOX_KIND, circle_invite_deliver)


def circle_organizer(circle: SupportCircle) -> Organizer:
    """The program's first manager, whom a reply to the email reaches; Upturn itself for
    a program nobody manages."""
    link = (
        program_manager_links()
        .filter(program=circle.program_id)
        .select_related("membership__user")
        .order_by("pk")
        .first()
    )
    if link is None:
        return Organizer(email=sender_address(), name="Upturn")
    user = link.membership.user
    return Organizer(email=user.email, name=user.display_name)


def participation_path(participant: Participant) -> str:
    """The mentor's page of the program, where its circles are listed and answered."""
    return reverse(
        "home:participation",
        kwargs={"org_slug": participant.organization.slug, "participant_id": participant.pk},
    )


def _snapshot(circle: SupportCircle) -> dict:
    """What a cancellation needs of a circle that is deleted before it is delivered."""
    return {
        "program_id": circle.program_id,
        "title": circle.title,
        "starts_at": circle.starts_at.isoformat(),
        "duration_minutes": circle.duration_minutes,
        "location": circle.location,
    }


def invitation_queue(
    circle: SupportCircle, rsvp: CircleRsvp, change: str, *, sequence: int | None = None
) -> None:
    """The mentor's email for this version of their copy of the event, written to the
    outbox in the caller's transaction. A cancelled circle gives its ``sequence`` (one
    past the last) and is described in the message itself, as it is about to go."""
    cancelled = change == Change.CANCELLED
    sequence = circle_sequence(circle, rsvp) if sequence is None else sequence
    args = {
        "circle_id": circle.pk,
        "participant_id": rsvp.participant_id,
        "sequence": sequence,
        "change": str(change),
    }
    if cancelled:
        args["circle"] = _snapshot(circle)
    outbox_add(
        organization=circle.organization,
        kind=OUTBOX_KIND,
        key=f"circle-invite:{circle.pk}:{rsvp.participant_id}:{sequence}",
        args=args,
    )


def circle_invite_deliver(
    *,
    organization,
    circle_id: int,
    participant_id: int,
    sequence: int,
    change: str,
    circle: dict | None = None,
) -> None:
    """The outbox's handler: one mentor's invitation, cancellation or update, unless a
    later answer or change has superseded it. Runs inside the organisation."""
    person = Participant.objects.select_related("employee").filter(pk=participant_id).first()
    if person is None or not person.employee.email:
        return
    if circle is not None:  # cancelled, and deleted since
        meeting = SupportCircle(
            pk=circle_id,
            organization=organization,
            program_id=circle["program_id"],
            title=circle["title"],
            starts_at=datetime.fromisoformat(circle["starts_at"]),
            duration_minutes=circle["duration_minutes"],
            location=circle["location"],
        )
        going = False
    else:
        meeting = SupportCircle.objects.filter(pk=circle_id).first()
        rsvp = CircleRsvp.objects.filter(circle=circle_id, participant=participant_id).first()
        if meeting is None or rsvp is None or circle_sequence(meeting, rsvp) != sequence:
            return  # gone, or superseded by a later version that sends its own email
        going = rsvp.going
    _send(organization, meeting, person, going=going, sequence=sequence, change=Change(change))


def _send(organization, circle, person, *, going, sequence, change) -> None:
    organizer = circle_organizer(circle)
    url = absolute_url(participation_path(person))
    cancelled = change == Change.CANCELLED
    ics = circle_invite(
        circle,
        person=person,
        going=going,
        sequence=sequence,
        organizer=organizer,
        url=url,
        cancelled=cancelled,
    )
    zone = zone_for(organization=organization, participant=person)
    context = {
        "change": change,
        "circle": circle,
        "person": person,
        "local_start": timezone.localtime(circle.starts_at, zone),
        "zone": zone.key,
        "url": url,
        "heading": circle.title,
    }
    with timezone.override(zone):
        send_branded_email(
            organization=organization,
            template="sessions/email/circle_invite",
            context=context,
            to=[person.employee.email],
            key=f"circle-invite:{circle.pk}:{person.pk}:{sequence}",
            reply_to=[organizer.email] if organizer.email != sender_address() else [],
            alternatives=[calendar_alternative(ics, REQUEST if going else CANCEL)],
            attachments=[calendar_attachment(ics)],
        )


def _when(moment: datetime, zone) -> str:
    return formats.date_format(timezone.localtime(moment, zone), "l j F Y, H:i")


def circle_change_notices(circle: SupportCircle, rsvps: list[CircleRsvp], change: str) -> None:
    """In the app, for each mentor going to ``circle``: it moved (or changed place) or
    was cancelled. Called in the change's transaction, before a cancelled circle goes."""
    organization = circle.organization
    members = members_by_employee(organization)
    people = Participant.objects.select_related("employee", "organization").in_bulk(
        [rsvp.participant_id for rsvp in rsvps]
    )
    candidates = []
    with translation.override(organization.locale):
        for rsvp in rsvps:
            person = people.get(rsvp.participant_id)
            recipient = members.get(person.employee_id) if person else None
            if recipient is None:
                continue  # no account to sign in with: the email is all they get
            zone = zone_for(organization=organization, participant=person)
            if change == Change.CANCELLED:
                title = _("Support circle cancelled: %(title)s") % {"title": circle.title}
                body = _(
                    "The support circle “%(title)s” of %(when)s is cancelled. "
                    "Your calendar removes it with the update we emailed you."
                ) % {"title": circle.title, "when": _when(circle.starts_at, zone)}
            else:
                title = _("Support circle changed: %(title)s") % {"title": circle.title}
                body = _(
                    "The support circle “%(title)s” is now on %(when)s%(place)s. "
                    "Your calendar moves it with the update we emailed you."
                ) % {
                    "title": circle.title,
                    "when": _when(circle.starts_at, zone),
                    "place": f" ({circle.location})" if circle.location else "",
                }
            candidates.append(
                Candidate(
                    recipient=recipient,
                    kind=CircleNotice.CIRCLE_CHANGED,
                    key=(
                        f"{CircleNotice.CIRCLE_CHANGED}:circle:{circle.pk}:"
                        f"{change}-{circle.sequence}"
                    ),
                    title=title,
                    body=body,
                    url=participation_path(person),
                )
            )
    delivery.create(candidates, timezone.now())
