"""allauth's own pages and emails in Upturn's look and voice: its fields in the markup of
the app's forms, its badges in the app's colours, its emails signed by Upturn."""

import re

import pytest
from django.core import mail
from django.forms.utils import ErrorList
from django.template import Context, Origin, Template

from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.helpers import totp

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


def _signed_in(client, **user):
    """Signed in through the form: recent enough that two-factor pages do not ask for the
    password again."""
    person = UserFactory(**user)
    client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    return person


def _tag(html: str, name: str, id_: str) -> str:
    found = re.search(rf'<{name}\b[^>]*\bid="{id_}"[^>]*>', html)
    assert found, f"no <{name} id={id_}>"
    return found.group(0)


def test_authenticator_setup_labels_the_secret_and_ties_its_help_to_it(client):
    _signed_in(client)

    html = client.get(ACTIVATE).content.decode()

    assert "<h1>Activate an authenticator app</h1>" in html
    assert '<label for="authenticator_secret">Authenticator secret</label>' in html
    secret = _tag(html, "input", "authenticator_secret")
    assert 'aria-describedby="authenticator_secret_helptext"' in secret
    assert "readonly" in secret  # selectable and copyable, unlike a disabled input
    assert '<div class="helptext" id="authenticator_secret_helptext">' in html
    # The code to enter is a Django form field: the same label-then-input markup.
    assert '<label for="id_code">' in html
    # The QR code says what it is; the secret is not its text alternative. It is drawn
    # inline, not as a data: image, which the content security policy refuses.
    assert re.search(
        r'role="img" aria-label="QR code to scan with your authenticator app">\s*<svg', html
    )
    assert "data:image" not in html


def test_recovery_codes_are_a_labelled_read_only_text_area(client):
    _signed_in(client)
    secret = client.get(ACTIVATE).context["form"].secret
    client.post(ACTIVATE, {"code": totp(secret)})

    html = client.get("/accounts/2fa/recovery-codes/").content.decode()

    assert "<h1>Recovery codes</h1>" in html
    assert '<label for="recovery_codes">Unused codes</label>' in html
    area = _tag(html, "textarea", "recovery_codes")
    assert "readonly" in area
    assert 'aria-describedby="recovery_codes_helptext"' in area
    assert '<a href="/">← Back to your organisation</a>' in html


def test_email_page_shows_each_address_as_a_labelled_choice_with_badges(client):
    person = UserFactory(email="ann@example.com")
    client.force_login(person)

    html = client.get("/accounts/email/").content.decode()

    assert "<h1>Email addresses</h1>" in html
    assert "<h2>Add an email address</h2>" in html
    assert re.search(r'<div class="check">\s*<input type="radio" name="email"', html)
    assert '<span class="badge">Verified</span>' in html
    assert '<span class="badge badge-muted">Primary</span>' in html


def test_an_unverified_address_has_a_warning_badge(client):
    person = UserFactory(email="ann@example.com")
    person.emailaddress_set.create(email="ann@other.example", verified=False)
    client.force_login(person)

    html = client.get("/accounts/email/").content.decode()

    assert '<span class="badge badge-behind">Unverified</span>' in html


def test_a_field_with_errors_names_them_next_to_the_input_and_marks_it_invalid():
    template = Template(
        '{% load allauth %}{% element field id="id_email" name="email" type="email" '
        "errors=errors %}{% slot label %}Email{% endslot %}"
        "{% slot help_text %}Your work address.{% endslot %}{% endelement %}",
        origin=Origin("test", template_name="test.html"),  # allauth reads the template's name
    )

    html = template.render(Context({"errors": ErrorList(["Enter a valid email address."])}))

    assert '<label for="id_email">Email</label>' in html
    errors = '<ul class="errorlist" id="id_email_error"><li>Enter a valid email address.</li></ul>'
    assert errors in html
    field = _tag(html, "input", "id_email")
    assert 'aria-describedby="id_email_helptext id_email_error"' in field
    assert 'aria-invalid="true"' in field


def test_password_reset_email_comes_from_upturn(client):
    UserFactory(email="forgetful@example.com")

    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})

    message = mail.outbox[0]
    assert message.subject == "[Upturn] Reset your password"
    assert message.body.startswith("Hello from Upturn!")
    assert "Thank you for using Upturn." in message.body
    assert "testserver!" not in message.body


def test_verification_email_comes_from_upturn(client):
    UserFactory(email="new@example.com", verified_email=False)

    client.post("/accounts/login/", {"login": "new@example.com", "password": PASSWORD})

    message = mail.outbox[0]
    assert message.subject == "[Upturn] Confirm your email address"
    assert message.body.startswith("Hello from Upturn!")
    assert "gave this email address for their Upturn account" in message.body
    assert "/accounts/confirm-email/" in message.body


def test_the_password_prompt_before_two_factor_speaks_in_sentence_case(client):
    client.force_login(UserFactory())  # no recent sign-in on record: asked

    asked = client.get(client.get(ACTIVATE).url).content.decode()

    assert "<title>Confirm it's you" in asked
    assert "Confirm Access" not in asked
