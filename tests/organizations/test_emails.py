"""Every app's emails go out through organizations.emails.send_branded_email: the
organisation's logo inside the email, its readable accent colour, its language, and,
given a key, the same Message-ID however often it is sent."""

import io
import re
from email.mime.base import MIMEBase

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import translation
from PIL import Image

from organizations.emails import DEFAULT_ACCENT, send_branded_email, send_invitation_email
from organizations.models import Invitation
from organizations.tenancy import tenant_context
from programs.emails import send_participant_email
from tests.sessions.mail_helpers import parts

pytestmark = pytest.mark.django_db

PURPLE = "#7a1fa2"  # 8.3:1 against white: readable, so it is shown


@pytest.fixture
def branded(acme):
    """Acme with a logo, a readable accent colour and a language of its own."""
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 30)).save(buffer, format="PNG")
    acme.logo.save("logo.png", ContentFile(buffer.getvalue()), save=False)
    acme.accent_color = PURPLE
    acme.locale = "fr"
    acme.save()
    return acme


def _html(email) -> str:
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    return html


def _inline_logo(email, organization):
    """The logo's part, beside the HTML in one multipart/related."""
    (related,) = parts(email.message(), "multipart/related")
    html_part, image = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert image["Content-ID"] == f"<logo-{organization.pk}@upturn>"
    assert image.get_payload(decode=True) == organization.logo.open("rb").read()
    return image


def _invite(client, admin):
    client.force_login(admin)
    client.post("/o/acme/invitations/", {"emails": "ann@example.com", "roles": ["participant"]})


def _invitation(organization) -> Invitation:
    with tenant_context(organization=organization):
        return Invitation.objects.select_related("organization", "invited_by").get()


def _message_id(email) -> str:
    return email.message()["Message-ID"]


def test_a_programs_email_carries_the_logo_inline_the_accent_and_the_organisations_language(
    branded, world
):
    with translation.override("de"):  # a worker's or a request's language is not the reader's
        send_participant_email(participant=world["Ann"], kind="approved")

    (email,) = mail.outbox
    _inline_logo(email, branded)
    html = _html(email)
    assert f'src="cid:logo-{branded.pk}@upturn"' in html
    assert html.count(PURPLE) == 2 and DEFAULT_ACCENT not in html
    assert '<html lang="fr">' in html
    assert "/media/" not in html


def test_an_invitation_email_carries_the_logo_inline(
    client, branded, acme_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, acme_admin)

    (email,) = mail.outbox
    image = _inline_logo(email, branded)
    assert image.get_content_type() == "image/png"


def test_an_invitation_emails_html_shows_the_inline_logo_the_accent_and_the_language(
    client, branded, acme_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, acme_admin)

    html = _html(mail.outbox[0])
    assert f'src="cid:logo-{branded.pk}@upturn"' in html
    assert html.count(PURPLE) == 2 and DEFAULT_ACCENT not in html
    assert '<html lang="fr">' in html


def test_an_invitation_sent_twice_is_one_message_and_a_new_link_is_another(
    client, acme, acme_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, acme_admin)
    link = re.search(r"/invitations/acme/([^/\s]+)/", mail.outbox[0].body).group(1)
    invitation = _invitation(acme)

    # The task runs again for the same link (a worker died before acknowledging it).
    send_invitation_email(invitation=invitation, token=link)
    send_invitation_email(invitation=invitation, token="a-new-link")

    first, again, renewed = (_message_id(email) for email in mail.outbox)
    assert first == again != renewed
    assert link not in first


def test_a_key_gives_the_same_message_id_every_time_and_no_key_a_fresh_one(acme, world):
    def send(key=None):
        send_branded_email(
            organization=acme,
            template="programs/email/participant",
            context={"kind": "approved", "participant": world["Ann"], "program": world["program"]},
            to=["ann@acme.example"],
            key=key,
        )
        return _message_id(mail.outbox[-1])

    keyed, keyed_again, other_key = send("occasion:1"), send("occasion:1"), send("occasion:2")
    unkeyed, unkeyed_again = send(), send()

    assert keyed == keyed_again != other_key
    assert re.fullmatch(r"<[0-9a-f]{32}@upturn\.example>", keyed)
    assert unkeyed != unkeyed_again


def test_extra_alternatives_sit_beside_the_text_and_html_and_attachments_beside_those(
    branded, world
):
    calendar = MIMEBase("text", "calendar", method="REQUEST")
    calendar.set_payload("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")

    send_branded_email(
        organization=branded,
        template="programs/email/participant",
        context={"kind": "approved", "participant": world["Ann"], "program": world["program"]},
        to=["ann@acme.example"],
        alternatives=[calendar],
        attachments=[("notes.txt", "Bring questions.", "text/plain")],
    )

    message = mail.outbox[0].message()
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert [part.get_content_type() for part in alternative.get_payload()] == [
        "text/plain",
        "multipart/related",  # the HTML with the logo
        "text/calendar",
    ]
    assert alternative.get_payload()[2].get_param("method") == "REQUEST"
    assert attachment.get_filename() == "notes.txt"
    assert attachment.get_payload(decode=True) == b"Bring questions."
