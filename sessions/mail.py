"""Emails in the organisation's branding, each with a Message-ID of its own occasion.

One sender for the workspace's emails (calendar invitations, reminders, digests): a
plain-text part, an HTML part in the shared layout (templates/email/message.html) with
the organisation's logo embedded inline, and, for an invitation, the calendar itself as
an alternative part, which is what makes Outlook, Gmail and Apple Mail show an
invitation that moves or removes the meeting rather than a file to open.

The Message-ID is derived from the occasion (a notification's unique key, an
invitation's event and sequence), not drawn at random: an email handed over twice (a
worker died after the mail server accepted it, before its transaction committed) is the
same message twice, and receiving servers that de-duplicate on Message-ID (Gmail, many
others) deliver it once."""

import hashlib
import io
import logging
from dataclasses import dataclass
from email import encoders
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart, SafeMIMEText
from django.template.loader import render_to_string

from organizations.models import Organization

logger = logging.getLogger(__name__)

DEFAULT_ACCENT = "#0b6e69"
MIN_CONTRAST = 4.5  # WCAG 2.1 AA for text: the accent is the button under white text
LOGO_TYPES = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "gif": "gif"}


# --- Branding ---------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def accent_colour(organization: Organization | None) -> str:
    """The organisation's accent colour if white text on it (the button) and it as text
    on white (the header) stay readable; otherwise Upturn's own."""
    colour = (getattr(organization, "accent_color", "") or "").strip()
    try:
        readable = len(colour) == 7 and contrast_with_white(colour) >= MIN_CONTRAST
    except ValueError:
        readable = False
    return colour.lower() if readable else DEFAULT_ACCENT


def logo_cid(organization: Organization) -> str:
    return f"logo-{organization.pk}@upturn"


@dataclass(frozen=True)
class InlineImage:
    cid: str
    content: bytes
    subtype: str  # image/<subtype>
    filename: str


def inline_logo(organization: Organization | None) -> InlineImage | None:
    """The organisation's logo, to embed in the email itself: its address in the app
    needs a sign-in, which an email client does not have. WebP (which Outlook cannot
    show) is converted to PNG. A logo that cannot be read leaves the name alone."""
    if organization is None or not organization.logo:
        return None
    name = organization.logo.name
    extension = name.rsplit(".", 1)[-1].lower()
    try:
        with organization.logo.open("rb") as file:
            content = file.read()
        if extension not in LOGO_TYPES:
            content, extension = _as_png(content), "png"
    except Exception:  # a missing file or a broken image must not stop the email
        logger.warning("The logo of organisation %s could not be embedded", organization.pk)
        return None
    return InlineImage(logo_cid(organization), content, LOGO_TYPES[extension], f"logo.{extension}")


def _as_png(content: bytes) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        output = io.BytesIO()
        image.save(output, format="PNG")
    return output.getvalue()


# --- Message-ID -------------------------------------------------------------------------


def sender_domain() -> str:
    """The domain of the From address: the same on every worker (the host name is not)."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "upturn.invalid"


def message_id(occasion: str) -> str:
    digest = hashlib.sha256(occasion.encode()).hexdigest()[:32]
    return f"<{digest}@{sender_domain()}>"


# --- Sending ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarPart:
    ics: bytes
    method: str  # REQUEST or CANCEL


class BrandedEmail(EmailMultiAlternatives):
    """``multipart/mixed`` [ ``multipart/alternative`` [ text/plain, ``multipart/related``
    [ text/html, inline images ], text/calendar; method=... ], invite.ics ].

    ``alternatives`` holds the HTML only, as Django has it; the images and the calendar
    are built into the structure above."""

    def __init__(self, *args, inline_images=(), calendar: CalendarPart | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.inline_images = list(inline_images)
        self.calendar = calendar
        if calendar is not None:
            # Kept as a file too, for clients that ignore the calendar part; application/ics
            # so that none of them takes it for a second invitation.
            attachment = MIMEBase("application", "ics", name="invite.ics")
            attachment.set_payload(calendar.ics)
            encoders.encode_base64(attachment)
            attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
            self.attach(attachment)

    def _create_alternatives(self, msg):
        encoding = self.encoding or settings.DEFAULT_CHARSET
        alternative = SafeMIMEMultipart(_subtype="alternative", encoding=encoding)
        alternative.attach(msg)
        for content, mimetype in self.alternatives:
            part = self._create_mime_attachment(content, mimetype)
            if mimetype == "text/html" and self.inline_images:
                related = SafeMIMEMultipart(_subtype="related", encoding=encoding)
                related.attach(part)
                for image in self.inline_images:
                    related.attach(_image_part(image))
                part = related
            alternative.attach(part)
        if self.calendar is not None:
            part = SafeMIMEText(self.calendar.ics.decode(), "calendar", encoding)
            part.set_param("method", self.calendar.method)
            alternative.attach(part)
        return alternative


def _image_part(image: InlineImage) -> MIMEImage:
    part = MIMEImage(image.content, _subtype=image.subtype)
    part.add_header("Content-ID", f"<{image.cid}>")
    part.add_header("Content-Disposition", "inline", filename=image.filename)
    return part


def send_branded_email(
    *,
    template: str,
    context: dict,
    to: list[str],
    organization: Organization,
    occasion: str,
    calendar: CalendarPart | None = None,
) -> None:
    """Render ``<template>_subject.txt``, ``.txt`` and ``.html`` (which includes the
    shared layout) in the active language, and send them as one email whose Message-ID
    names ``occasion``: the same occasion, the same Message-ID, however often it is sent."""
    logo = inline_logo(organization)
    context = {
        **context,
        "organization": organization,
        "email_logo_cid": logo.cid if logo else "",
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = BrandedEmail(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=to,
        headers={"Message-ID": message_id(occasion)},
        inline_images=[logo] if logo else [],
        calendar=calendar,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()
