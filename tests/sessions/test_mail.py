"""The sessions' emails in the organisation's branding: its readable accent colour, its
name, its language and its logo embedded in the email (an email client cannot sign in to
fetch it); every email in the shared layout carries them, whoever sends it."""

import io
import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation
from PIL import Image

from organizations.emails import DEFAULT_ACCENT, accent_colour, send_branded_email
from programs.emails import send_participant_email
from tests.sessions.mail_helpers import parts

pytestmark = pytest.mark.django_db


def _send(organization, key="test:1"):
    notification = SimpleNamespace(title="Coming up: your session", body="With Ann, tomorrow.")
    send_branded_email(
        template="notifications/email/reminder",
        context={
            "notification": notification,
            "heading": notification.title,
            "greeting_name": "Dan",
            "url": "https://upturn.example/o/acme/notifications/",
            "settings_url": "https://upturn.example/o/acme/notifications/settings/",
        },
        to=["dan@acme.example"],
        organization=organization,
        key=key,
    )
    return mail.outbox[-1]


def _html(email) -> str:
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    return html


def _logo(acme, fmt: str, extension: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 30)).save(buffer, format=fmt)
    acme.logo.save(f"logo.{extension}", ContentFile(buffer.getvalue()), save=True)


def test_an_email_carries_the_organisations_accent_name_and_language(acme):
    acme.accent_color = "#7A1FA2"  # 8.3:1 against white
    acme.locale = "fr"
    acme.save()

    # Whatever language the sender happens to run in (a request's, a worker's default).
    with translation.override("de"):
        html = _html(_send(acme))

    assert '<html lang="fr">' in html
    assert "Upturn · Acme" in html
    assert html.count("#7a1fa2") == 2  # the name above, the button below
    assert DEFAULT_ACCENT not in html


@pytest.mark.parametrize(
    ("colour", "shown"),
    [
        ("#ffd700", DEFAULT_ACCENT),  # gold: 1.4:1, unreadable under white text
        ("#777777", DEFAULT_ACCENT),  # 4.48:1, just short of 4.5
        ("#767676", "#767676"),  # 4.54:1, just enough
    ],
)
def test_an_accent_too_light_to_read_against_white_gives_way_to_upturns(acme, colour, shown):
    acme.accent_color = colour
    acme.save()

    html = _html(_send(acme))

    assert accent_colour(acme) == shown
    assert f"background:{shown};color:#ffffff" in html
    if shown != colour:
        assert colour not in html


def test_the_logo_is_embedded_in_the_email_beside_the_html(acme):
    _logo(acme, "PNG", "png")

    email = _send(acme)
    message = email.message()

    (related,) = parts(message, "multipart/related")
    html_part, image = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == f"<logo-{acme.pk}@upturn>"
    assert image.get_payload(decode=True) == acme.logo.open("rb").read()
    html = _html(email)
    assert f'src="cid:logo-{acme.pk}@upturn"' in html and 'alt="Acme"' in html
    assert "/media/" not in html  # nothing the client would have to sign in to fetch


def test_a_webp_logo_is_embedded_as_png_which_every_client_shows(acme):
    _logo(acme, "WEBP", "webp")

    (image,) = parts(_send(acme).message(), "image/png")

    assert Image.open(io.BytesIO(image.get_payload(decode=True))).format == "PNG"


def test_without_a_logo_the_email_has_no_image(acme):
    email = _send(acme)

    assert "<img" not in _html(email)
    assert parts(email.message(), "multipart/related") == []


def test_the_message_id_names_the_occasion_not_the_moment(acme):
    first, again, other = _send(acme, "a"), _send(acme, "a"), _send(acme, "b")

    ids = [email.message()["Message-ID"] for email in (first, again, other)]

    assert ids[0] == ids[1] != ids[2]
    assert re.fullmatch(r"<[0-9a-f]{32}@upturn\.example>", ids[0])


def test_the_layout_refuses_an_email_without_its_organisation():
    with pytest.raises(Exception, match="needs `organization`"):
        render_to_string(
            "notifications/email/reminder.html",
            {"notification": SimpleNamespace(title="t", body="b"), "heading": "t"},
        )


def test_emails_other_apps_send_in_the_layout_are_branded_too(acme, world):
    acme.accent_color = "#7a1fa2"
    acme.save()

    send_participant_email(participant=world["Ann"], kind="approved")

    html = _html(mail.outbox[-1])
    assert "Upturn · Acme" in html and "#7a1fa2" in html
