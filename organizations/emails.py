"""Every email Upturn sends on an organisation's behalf, through one function.

``send_branded_email`` renders ``<template>_subject.txt``, ``.txt`` and ``.html`` in the
organisation's language and sends them as one email: a plain-text part, an HTML part
(its templates include the shared layout, templates/email/message.html, which shows the
organisation's readable accent colour and name) with the organisation's logo embedded
inline, and whatever alternatives and attachments the caller adds (a session's
calendar invitation adds the calendar as an alternative part and as a file).

The logo travels inside the email because its address in the app needs a sign-in,
which an email client does not have.

Given a ``key``, the Message-ID is derived from it rather than drawn at random: an email
handed over twice (a worker died after the mail server accepted it, before its
transaction committed) is the same message twice, and receiving servers that
de-duplicate on Message-ID (Gmail, many others) deliver it once. A key must therefore
name one occasion across all of Upturn (what it is about and for whom), never a kind of
email that recurs."""

import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from organizations.branding import AA_NORMAL_TEXT, WHITE, contrast_ratio
from organizations.languages import language_for_addresses
from organizations.models import Invitation, Organization
from organizations.services import invitation_token_hash

logger = logging.getLogger(__name__)

DEFAULT_ACCENT = "#0b6e69"
LOGO_TYPES = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "gif": "gif"}


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- Branding ---------------------------------------------------------------------------


def accent_colour(organization: Organization | None) -> str:
    """The organisation's accent colour if white text on it (the button) and it as text
    on white (the header) stay readable; otherwise Upturn's own."""
    colour = (getattr(organization, "accent_color", "") or "").strip()
    try:
        readable = len(colour) == 7 and contrast_ratio(colour, WHITE) >= AA_NORMAL_TEXT
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


def inline_logo(organization: Organization) -> InlineImage | None:
    """The organisation's logo, to embed in the email itself. WebP (which Outlook cannot
    show) is converted to PNG. A logo that cannot be read leaves the name alone."""
    if not organization.logo:
        return None
    extension = organization.logo.name.rsplit(".", 1)[-1].lower()
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


def message_id(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{sender_domain()}>"


# --- Sending ----------------------------------------------------------------------------


class BrandedEmail(EmailMultiAlternatives):
    """``multipart/mixed`` [ ``multipart/alternative`` [ text/plain, ``multipart/related``
    [ text/html, inline images ], extra alternatives ], attachments ].

    ``alternatives`` holds the HTML only, as Django has it (``email.alternatives[0]``);
    the images and the extra alternatives (MIME parts, so that they keep parameters
    such as a calendar's ``method=``) are built into the structure above."""

    def __init__(
        self,
        *args,
        inline_images: Sequence[InlineImage] = (),
        extra_alternatives: Sequence[MIMEBase] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.inline_images = list(inline_images)
        self.extra_alternatives = list(extra_alternatives)

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
        for part in self.extra_alternatives:
            alternative.attach(part)
        return alternative


def _image_part(image: InlineImage) -> MIMEImage:
    part = MIMEImage(image.content, _subtype=image.subtype)
    part.add_header("Content-ID", f"<{image.cid}>")
    part.add_header("Content-Disposition", "inline", filename=image.filename)
    return part


def send_branded_email(
    *,
    organization: Organization,
    template: str,
    context: dict,
    to: list[str],
    key: str | None = None,
    alternatives: Sequence[MIMEBase] = (),
    attachments: Sequence[MIMEBase | tuple[str, bytes | str, str]] = (),
    reply_to: Sequence[str] = (),
) -> None:
    """Send ``<template>_subject.txt``, ``.txt`` and ``.html``, rendered in the
    recipient's language (organizations.languages) with ``organization`` and the logo's Content-ID
    (``email_logo_cid``) in their context, as one email with the logo inline.

    ``key``: the same key, the same Message-ID, however often it is sent; without one,
    a fresh Message-ID. ``alternatives`` are MIME parts added beside the text and the
    HTML; ``attachments`` are MIME parts or ``(filename, content, mimetype)``;
    ``reply_to``: where a reply goes, when a person rather than Upturn should have it."""
    logo = inline_logo(organization)
    context = {**context, "organization": organization, "email_logo_cid": logo.cid if logo else ""}
    with translation.override(language_for_addresses(organization=organization, addresses=to)):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = BrandedEmail(
        subject=subject,
        body=body,
        to=to,
        reply_to=list(reply_to) or None,
        headers={"Message-ID": message_id(key)} if key else None,
        inline_images=[logo] if logo else [],
        extra_alternatives=alternatives,
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        if isinstance(attachment, MIMEBase):
            message.attach(attachment)
        else:
            message.attach(*attachment)
    message.send()


# --- The organisation's own emails ------------------------------------------------------


def invitation_accept_url(*, invitation: Invitation, token: str) -> str:
    path = reverse(
        "invitation_accept",
        kwargs={"organization_slug": invitation.organization.slug, "token": token},
    )
    return absolute_url(path)


def send_invitation_email(*, invitation: Invitation, token: str) -> None:
    # Each link issued is its own email (a renewal is a new one); the task that sends
    # one link twice sends the same message. The key names the link by its hash, as
    # the database does, never by the token itself.
    context = {
        "invitation": invitation,
        "inviter": invitation.invited_by,
        "accept_url": invitation_accept_url(invitation=invitation, token=token),
    }
    send_branded_email(
        organization=invitation.organization,
        template="organizations/email/invitation",
        context=context,
        to=[invitation.email],
        key=f"invitation:{invitation.pk}:{invitation_token_hash(token)}",
    )
