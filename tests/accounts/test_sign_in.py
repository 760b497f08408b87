import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.helpers import totp

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def _sign_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def test_sign_in_page_is_in_upturns_look_with_labelled_fields(client):
    response = client.get(LOGIN)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert '<label for="id_login"' in html
    # The email first: the password comes next, unless single sign-on takes over.
    assert 'name="password"' not in html
    assert "People join Upturn by invitation" in html
    html = client.post(LOGIN, {"login": "ann@example.com"}).content.decode()
    assert '<label for="id_password"' in html


def test_person_signs_in_with_email_in_any_case():
    from django.test import Client

    user = UserFactory(email="ann@example.com")
    client = Client()

    response = _sign_in(client, "ANN@Example.com")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_unverified_address_cannot_sign_in_until_confirmed(client):
    UserFactory(email="new@example.com", verified_email=False)

    response = _sign_in(client, "new@example.com")

    assert "_auth_user_id" not in client.session
    assert response.url == reverse("account_email_verification_sent")
    assert "Confirm" in mail.outbox[0].subject


def test_public_sign_up_is_closed_by_default(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "walk-in@example.com", "password1": "Tr1cky-pass!", "password2": "Tr1cky-pass!"},
    )

    assert "Sign-up is by invitation" in response.content.decode()
    from accounts.models import User

    assert not User.objects.filter(email="walk-in@example.com").exists()


def test_public_sign_up_opens_with_the_setting(client, settings):
    settings.PUBLIC_SIGNUP = True

    client.post(
        "/accounts/signup/",
        {"email": "walk-in@example.com", "password1": "Tr1cky-pass!", "password2": "Tr1cky-pass!"},
    )

    from accounts.models import User

    assert User.objects.filter(email="walk-in@example.com").exists()


def test_repeated_failed_sign_ins_are_rate_limited(client):
    UserFactory(email="target@example.com")
    for _ in range(5):
        _sign_in(client, "target@example.com", "wrong-password")

    response = _sign_in(client, "target@example.com")

    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    UserFactory(email="forgetful@example.com")

    client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(word for word in body.split() if "/accounts/password/reset/key/" in word)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "Brand-new-pass-42", "password2": "Brand-new-pass-42"},
    )
    assert response.status_code == 302
    assert _sign_in(client, "forgetful@example.com", "Brand-new-pass-42").status_code == 302


def test_any_user_can_turn_on_two_factor_and_is_then_asked_for_a_code(client):
    UserFactory(email="careful@example.com")
    _sign_in(client, "careful@example.com")

    # Just signed in: no need to give the password again (tests/accounts/test_reauthentication.py).
    setup = client.get("/accounts/2fa/totp/activate/")
    assert 'class="site-header"' in setup.content.decode()
    secret = setup.context["form"].secret
    activated = client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert activated.status_code == 302
    client.post("/accounts/logout/")

    response = _sign_in(client, "careful@example.com")

    assert response.url == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session


def test_signing_out_needs_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
