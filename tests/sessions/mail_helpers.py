"""Reading the emails the workspace sends as a mail client reads them: the MIME message
itself, not Django's EmailMessage fields."""

from dataclasses import dataclass
from email.message import Message

from django.core import mail
from icalendar import Calendar


@dataclass
class Invitation:
    subject: str
    method: str  # the calendar's METHOD
    part_method: str  # the method= of the text/calendar part's Content-Type
    event: object  # the VEVENT
    message: Message


def parts(message: Message, content_type: str) -> list[Message]:
    return [part for part in message.walk() if part.get_content_type() == content_type]


def invitations(to: str) -> list[Invitation]:
    """The calendar invitations emailed to one address, in order. Each must carry the
    calendar as an alternative of the text (what makes clients show an invitation), and
    may carry it as a file as well, identical."""
    found = []
    for email in mail.outbox:
        if email.to != [to]:
            continue
        message = email.message()
        calendars = parts(message, "text/calendar")
        if not calendars:
            continue
        (part,) = calendars
        alternative = next(
            p for p in message.walk() if p.get_content_type() == "multipart/alternative"
        )
        assert part in alternative.get_payload(), "the calendar is not an alternative part"
        ics = part.get_payload(decode=True)
        for attachment in parts(message, "application/ics"):
            assert attachment.get_payload(decode=True) == ics
        calendar = Calendar.from_ical(ics)
        (event,) = calendar.walk("VEVENT")
        found.append(
            Invitation(
                subject=email.subject,
                method=str(calendar["METHOD"]),
                part_method=part.get_param("method"),
                event=event,
                message=message,
            )
        )
    return found
