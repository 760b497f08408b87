"""A sign-in hashes the password once, whether it succeeds or not (accounts/backends.py):
each hash is 0.03-0.04 s of a web worker's CPU with production's Argon2id, and a wrong
password used to be hashed by every authentication backend in turn."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import override_settings

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
HASHES: list[str] = []


class CountingHasher(MD5PasswordHasher):
    """The test settings' hasher, counting the passwords it hashes."""

    def encode(self, password, salt):
        HASHES.append(password)
        return super().encode(password, salt)


counting = override_settings(PASSWORD_HASHERS=[f"{__name__}.CountingHasher"])


@pytest.fixture
def ann():
    with counting:
        user = UserFactory(email="ann@example.com")
    HASHES.clear()
    return user


def _sign_in(client, email, password):
    HASHES.clear()
    with counting:
        return client.post(LOGIN, {"login": email, "password": password})


def test_a_wrong_password_is_hashed_once(client, ann):
    response = _sign_in(client, "ann@example.com", "not the password")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert HASHES == ["not the password"]


def test_an_unknown_address_costs_one_hash_like_a_known_one(client, ann):
    response = _sign_in(client, "nobody@example.com", "a guess")

    assert response.status_code == 200
    assert HASHES == ["a guess"]


def test_the_right_password_is_hashed_once_and_signs_in(client, ann):
    response = _sign_in(client, "ANN@example.com", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ann.pk)
    assert HASHES == [PASSWORD]
