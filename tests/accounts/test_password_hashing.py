"""Passwords are stored with Argon2id at OWASP's recommended cost (accounts/hashers.py),
and a password stored before with PBKDF2 still opens and is rehashed at sign-in. The test
settings hash with MD5 for speed, so these tests put production's hashers back."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password
from django.test import override_settings

from accounts.models import User
from config import settings as production
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

with_production_hashers = override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS)


@with_production_hashers
def test_a_new_password_is_stored_with_argon2id_at_owasps_parameters():
    encoded = make_password("correct horse battery staple")

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("correct horse battery staple", encoded)
    assert not check_password("correct horse battery stable", encoded)


@with_production_hashers
def test_a_pbkdf2_password_still_signs_in_and_is_rehashed_with_argon2id(client):
    user = UserFactory(email="ann@example.com")
    # Few iterations, so the test is quick; Django's own count would be upgraded alike.
    old = PBKDF2PasswordHasher().encode(PASSWORD, "somesalt", iterations=1000)
    User.objects.filter(pk=user.pk).update(password=old)

    response = client.post("/accounts/login/", {"login": "ann@example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
