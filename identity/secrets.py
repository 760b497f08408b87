"""Secrets of identity providers, encrypted at rest with a key from the environment.

A client secret must be sent to the identity provider, so unlike a password it cannot be
hashed: it is encrypted with libsodium's secret box (XSalsa20-Poly1305, a fresh nonce each
time) under ``SSO_SECRET_KEY``. A copy of the database without the key holds nothing
usable. Each sealed value starts with its key's short id, so ``SSO_SECRET_KEY`` may list
several keys during a rotation (the first seals; any opens). With DEBUG on and no key
configured, one is derived from SECRET_KEY for local use; production refuses to seal.
"""

import base64
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.secret import SecretBox

_ID_BYTES = 8


class SecretError(Exception):
    """A sealed secret does not open: its key is not configured, or it was altered."""


def seal(text: str) -> bytes:
    key_id, box = next(iter(_boxes().items()))
    return key_id + box.encrypt(text.encode())


def unseal(sealed: bytes) -> str:
    sealed = bytes(sealed)
    box = _boxes().get(sealed[:_ID_BYTES])
    if box is None:
        raise SecretError("No SSO_SECRET_KEY here opens this secret.")
    try:
        return box.decrypt(sealed[_ID_BYTES:]).decode()
    except CryptoError as error:
        raise SecretError("A sealed secret does not open: it was altered.") from error


def generate_key() -> str:
    from nacl.utils import random

    return base64.b64encode(random(SecretBox.KEY_SIZE)).decode()


@cache
def _boxes() -> dict[bytes, SecretBox]:
    keys = [_key_bytes(text) for text in settings.SSO_SECRET_KEYS]
    if not keys:
        if not settings.DEBUG:
            raise ImproperlyConfigured(
                "SSO_SECRET_KEY is not set: identity provider secrets cannot be kept. "
                "Make one with `manage.py sso_secret_key`."
            )
        keys = [blake2b(settings.SECRET_KEY.encode(), digest_size=32, encoder=RawEncoder)]
    return {blake2b(key, digest_size=_ID_BYTES, encoder=RawEncoder): SecretBox(key) for key in keys}


def _key_bytes(text: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != SecretBox.KEY_SIZE:
        raise ImproperlyConfigured("SSO_SECRET_KEY is not a base64 key of 32 bytes.")
    return raw
