"""Calendar invitations (iCalendar, RFC 5545) for mentoring sessions. One event per
session for its whole life: the same UID, and a higher SEQUENCE for every change, so
that calendars move or cancel the meeting instead of adding another."""

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from sessions.models import MentoringSession

PRODID = "-//Upturn//Reverse mentoring//EN"


def session_invite(session: MentoringSession, *, method: str, title: str, people) -> bytes:
    """``method`` is REQUEST (new or moved) or CANCEL; ``people`` are (name, email)."""
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
    for name, email in people:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
