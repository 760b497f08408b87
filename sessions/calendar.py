"""Calendar invitations (iCalendar, RFC 5545, with RFC 5546's methods) for mentoring
sessions. One event per session for its whole life: the same UID, and a higher SEQUENCE
for every change, so that calendars move or cancel the meeting instead of adding another.

RFC 5546 requires an ORGANIZER on a REQUEST and a CANCEL: without one, Outlook and
others treat the event as a plain file rather than an invitation that updates the
meeting. Upturn sends on the pair's behalf, so the organiser is its From address under
the organisation's name; both people are attendees."""

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from sessions.models import MentoringSession

PRODID = "-//Upturn//Reverse mentoring//EN"


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    return address


def session_invite(
    session: MentoringSession, *, method: str, title: str, people, organizer: tuple[str, str]
) -> bytes:
    """``method`` is REQUEST (new or moved) or CANCEL; ``people`` and ``organizer`` are
    (name, email)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", title)
    description = session.agenda
    if session.video_link:
        description = f"{session.video_link}\n\n{description}".strip()
        event.add("url", session.video_link)
    if description:
        event.add("description", description)
    if session.location or session.video_link:
        event.add("location", session.location or session.video_link)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("organizer", _address(organizer[1], organizer[0]), encode=0)
    for name, email in people:
        attendee = _address(email, name)
        attendee.params["cutype"] = vText("INDIVIDUAL")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
