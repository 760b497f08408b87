"""A session's calendar invitation, as the parts organizations.emails.send_branded_email
adds to the email: the calendar as an alternative of the text, which is what makes
Outlook, Gmail and Apple Mail show an invitation that moves or removes the meeting
rather than a file to open, and the same calendar as a file, for clients that ignore
that part."""

from email import encoders
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail.message import SafeMIMEText


def calendar_alternative(ics: bytes, method: str) -> MIMEBase:
    """``text/calendar; method=REQUEST`` (or ``CANCEL``), beside the text and the HTML."""
    part = SafeMIMEText(ics.decode(), "calendar", settings.DEFAULT_CHARSET)
    part.set_param("method", method)
    return part


def calendar_attachment(ics: bytes) -> MIMEBase:
    """The calendar as ``invite.ics``; ``application/ics`` so that no client takes it for
    a second invitation."""
    attachment = MIMEBase("application", "ics", name="invite.ics")
    attachment.set_payload(ics)
    encoders.encode_base64(attachment)
    attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return attachment
