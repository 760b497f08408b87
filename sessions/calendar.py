"""Calendar events (iCalendar, RFC 5545, with RFC 5546's methods) for mentoring sessions
and support circles. One event per session for its whole life: the same UID, and a higher
SEQUENCE for every change, so that calendars move or cancel the meeting instead of adding
another. The emailed invitation, the .ics a person downloads and their calendar feed all
carry the same UID and SEQUENCE, so whichever reaches a calendar first, the others update it.

RFC 5546 requires an ORGANIZER on a REQUEST and a CANCEL: without one, Outlook and
others treat the event as a plain file rather than an invitation that updates the
meeting. The organiser is the person who booked the session, so that accepting or
declining reaches someone; Upturn, which sends the email, is named as SENT-BY. Both
people are attendees.

The feed (``feed_calendar``) is a published calendar, not an invitation: no METHOD, no
attendees, nothing but the meeting's time, place, state and a link back, in the
reader's own time zone."""

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from sessions.models import MentoringSession, SupportCircle

PRODID = "-//Upturn//Reverse mentoring//EN"
REQUEST, CANCEL = "REQUEST", "CANCEL"


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    return address


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def sender_address() -> str:
    """Upturn's own address, which sends every invitation."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def pair_title(pair) -> str:
    """What the pair's sessions are called in calendars."""
    return f"{pair.program.name}: {pair.mentor.employee.name} & {pair.mentee.employee.name}"


def session_title(session: MentoringSession) -> str:
    return pair_title(session.pair)


def session_organizer(session: MentoringSession):
    """The participant who booked the session (the mentor when nobody is recorded): the
    invitation's organiser, whom accept and decline replies reach."""
    pair = session.pair
    return pair.mentee if session.scheduled_by_id == pair.mentee_id else pair.mentor


def session_invite(session: MentoringSession) -> bytes:
    """The session's invitation, as emailed and as downloaded: METHOD:REQUEST while it
    stands (new or moved), CANCEL once cancelled. ``session.pair`` with its program and
    both people's directory entries should be loaded."""
    pair = session.pair
    method = CANCEL if session.is_cancelled else REQUEST
    calendar = _calendar(method)
    event = _session_event(session, title=session_title(session), description=session.agenda)
    booker = session_organizer(session)
    organizer = _address(booker.employee.email, booker.employee.name)
    organizer.params["sent-by"] = vText(f"mailto:{sender_address()}")
    event.add("organizer", organizer, encode=0)
    for person in (pair.mentor, pair.mentee):
        attendee = _address(person.employee.email, person.employee.name)
        attendee.params["cutype"] = vText("INDIVIDUAL")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        # Whoever booked it has said yes already; the partner is asked.
        attendee.params["partstat"] = vText("ACCEPTED" if person == booker else "NEEDS-ACTION")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def _session_event(
    session: MentoringSession,
    *,
    title: str,
    description: str = "",
    zone: zoneinfo.ZoneInfo | None = None,
) -> Event:
    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", _in(session.starts_at, zone))
    event.add("dtend", _in(session.ends_at, zone))
    event.add("summary", title)
    if session.video_link:
        description = f"{session.video_link}\n\n{description}".strip()
        event.add("url", session.video_link)
    if description:
        event.add("description", description)
    if session.location or session.video_link:
        event.add("location", session.location or session.video_link)
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    return event


def _circle_event(
    circle: SupportCircle,
    *,
    description: str = "",
    zone: zoneinfo.ZoneInfo | None = None,
    sequence: int | None = None,
    cancelled: bool = False,
) -> Event:
    event = Event()
    event.add("uid", circle.uid)
    event.add("sequence", circle.sequence if sequence is None else sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", _in(circle.starts_at, zone))
    event.add("dtend", _in(circle.ends_at, zone))
    event.add("summary", circle.title)
    if circle.location:
        event.add("location", circle.location)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def circle_sequence(circle: SupportCircle, rsvp=None) -> int:
    """The SEQUENCE of one mentor's copy of a circle's event: the circle's own (one more
    per change the manager makes) plus one per change of the mentor's answer
    (``CircleRsvp.changes``). Both only grow, so each invitation or cancellation a
    mentor gets is newer than the last: a calendar acts on joining again after leaving,
    where an equal SEQUENCE could be taken for a repeat of the cancellation."""
    return circle.sequence + (rsvp.changes if rsvp is not None else 0)


@dataclass(frozen=True)
class Organizer:
    """Who a circle's invitation comes from: a person (the program's manager), with
    Upturn as the sender; or, with no manager, Upturn itself."""

    email: str
    name: str


def circle_invite(
    circle: SupportCircle,
    *,
    person,
    going: bool,
    sequence: int,
    organizer: Organizer,
    url: str,
    cancelled: bool = False,
) -> bytes:
    """One mentor's invitation to a circle, as emailed and as downloaded: METHOD:REQUEST
    while they are going, CANCEL once they left or the circle was cancelled (for them
    alone: the other mentors' copies stand). They are the only attendee (the other
    mentors' addresses are not theirs to read), marked as having accepted, with
    RSVP=FALSE: they answer in Upturn, which the program manager reads, so their calendar
    sends no reply of its own. ``person`` is the Participant with its employee loaded."""
    calendar = _calendar(REQUEST if going and not cancelled else CANCEL)
    event = _circle_event(
        circle, description=url, sequence=sequence, cancelled=cancelled or not going
    )
    address = _address(organizer.email, organizer.name)
    address.params["sent-by"] = vText(f"mailto:{sender_address()}")
    event.add("organizer", address, encode=0)
    attendee = _address(person.employee.email, person.employee.name)
    attendee.params["cutype"] = vText("INDIVIDUAL")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED" if going else "DECLINED")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()


def circle_ics(circle: SupportCircle, *, url: str) -> bytes:
    """A support circle's meeting as a calendar file for a mentor who has not answered
    (published: it invites nobody). One who has answered downloads their own invitation
    (``circle_invite``)."""
    calendar = _calendar("PUBLISH")
    calendar.add_component(_circle_event(circle, description=url))
    return calendar.to_ical()


def _in(moment: datetime, zone: zoneinfo.ZoneInfo | None) -> datetime:
    """In ``zone`` (written with its TZID and VTIMEZONE), or in UTC."""
    return moment.astimezone(zone or zoneinfo.ZoneInfo("UTC"))


@dataclass(frozen=True)
class FeedEntry:
    """One meeting of a person's feed: a session (``session``) or a circle (``circle``),
    the title it shows and the page that opens it."""

    title: str
    url: str
    session: MentoringSession | None = None
    circle: SupportCircle | None = None
    sequence: int | None = None  # a circle's: the reader's copy (``circle_sequence``)


def feed_calendar(entries: Iterable[FeedEntry], *, name: str, zone: zoneinfo.ZoneInfo) -> bytes:
    """A person's feed: their meetings in their own time zone, cancelled ones marked
    CANCELLED. Only the title, time, place and a link back: no agenda, no notes."""
    calendar = _calendar()
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone.key)
    # Calendar apps that read it poll hourly rather than daily.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for entry in entries:
        if entry.session is not None:
            event = _session_event(
                entry.session, title=entry.title, description=entry.url, zone=zone
            )
        else:
            event = _circle_event(
                entry.circle, description=entry.url, zone=zone, sequence=entry.sequence
            )
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


GOOGLE_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_URL = "https://outlook.office.com/calendar/0/deeplink/compose"


def web_links(
    *, title: str, starts_at: datetime, ends_at: datetime, details: str = "", location: str = ""
) -> dict[str, str]:
    """ "Add to calendar" links for Google Calendar and Outlook on the web: they open the
    person's calendar with the meeting filled in (times in UTC, which both convert)."""

    def utc(moment: datetime) -> datetime:
        return moment.astimezone(zoneinfo.ZoneInfo("UTC"))

    google = {
        "action": "TEMPLATE",
        "text": title,
        "dates": f"{utc(starts_at):%Y%m%dT%H%M%SZ}/{utc(ends_at):%Y%m%dT%H%M%SZ}",
        "details": details,
        "location": location,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": f"{utc(starts_at):%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{utc(ends_at):%Y-%m-%dT%H:%M:%SZ}",
        "body": details,
        "location": location,
    }
    return {
        "google": f"{GOOGLE_URL}?{urlencode(google)}",
        "outlook": f"{OUTLOOK_URL}?{urlencode(outlook)}",
    }
