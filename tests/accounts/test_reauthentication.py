"""A fresh sign-in counts as confirming who one is (accounts.adapter): setting up two-factor
right after signing in does not ask for the password again; once
ACCOUNT_REAUTHENTICATION_TIMEOUT has passed since the sign-in, it asks."""

import pytest
from django.conf import settings

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ACTIVATE = "/accounts/2fa/totp/activate/"


def _sign_in(client):
    person = UserFactory()
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    return person


def test_two_factor_set_up_right_after_signing_in_does_not_ask_for_the_password(client):
    _sign_in(client)

    response = client.get(ACTIVATE)

    assert response.status_code == 200, response.get("Location")
    assert response.context["form"].secret


def test_it_asks_again_once_the_sign_in_is_no_longer_recent(client):
    _sign_in(client)
    session = client.session
    timeout = getattr(settings, "ACCOUNT_REAUTHENTICATION_TIMEOUT", 300)
    for record in session["account_authentication_methods"]:
        record["at"] -= timeout + 1
    session.save()

    asked = client.get(ACTIVATE)

    assert asked.status_code == 302 and asked.url.startswith("/accounts/reauthenticate/")
    client.post(asked.url, {"password": PASSWORD})
    assert client.get(ACTIVATE).status_code == 200


def test_a_session_signed_in_some_other_way_is_asked(client):
    client.force_login(UserFactory())  # no record of how: not a recent sign-in

    asked = client.get(ACTIVATE)

    assert asked.status_code == 302 and asked.url.startswith("/accounts/reauthenticate/")
