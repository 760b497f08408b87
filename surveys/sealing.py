"""Sealing anonymous answers between the moment they are given and their release.

Why: the web request that takes an anonymous answer must also mark the person's
assignment answered (so nobody answers twice), and every row one transaction writes
carries that transaction's id (``xmin``). Whatever that request stores is therefore tied
to the person by anyone who can read the tables. So the request stores the answer only
sealed: encrypted to a public key (libsodium's sealed box: X25519 and
XSalsa20-Poly1305, with a fresh ephemeral key per answer) and padded to one fixed size
per survey, so the sealed bytes say nothing, not even how long the answer was. The web
process holds only the public key and cannot open what it sealed.

The worker holds the private key. It opens held answers only to release them into
``Response`` in batches (``surveys.services.responses_release``): each batch is one
transaction, of at least the results' smallest group of one survey schedule and role,
written in a random order under one week label. A reader of the database can then tell
only that a batch of at least that many people's answers came out together, which is
what the results pages show anyway.

What this does not protect against: someone who holds both the private key and a copy
of the database taken while answers were still held (a backup, a replica, WAL) can open
those answers and tie them to their authors; a superuser reading dead tuples or WAL
sees the same sealed bytes as everyone else, so the key is what must be kept apart. The
web process sees each answer in memory while it handles the request. Keys are
configured in the environment (``SURVEY_SEAL_PUBLIC_KEY`` for every process,
``SURVEY_SEAL_PRIVATE_KEY`` for the worker only; ``manage.py survey_seal_keys`` makes a
pair); with DEBUG on and none configured, a key pair is kept in ``var/`` for local use.
"""

import base64
import json
import os
import struct
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from nacl.encoding import RawEncoder
from nacl.exceptions import CryptoError
from nacl.hash import blake2b
from nacl.public import PrivateKey, PublicKey, SealedBox

_LENGTH = struct.Struct(">I")  # the payload's length, inside the seal, before the padding
# Free text is cut at 4,000 characters; JSON writes one character in at most 6 bytes.
TEXT_CHARACTERS = 4000
_BYTES_PER_CHARACTER = 6
_ENVELOPE = 512  # the keys, the role and week and consent, and JSON's punctuation


class SealingError(Exception):
    """A held answer cannot be opened: its key is not configured, or it was altered."""


def generate_key_pair() -> tuple[str, str]:
    """A new (public, private) pair, each base64 text for the environment."""
    private = PrivateKey.generate()
    return _text(bytes(private.public_key)), _text(bytes(private))


def key_id(public: PublicKey) -> str:
    """A short name for a public key, stored with each held answer so that a worker
    holding several private keys (during a rotation) knows which one opens it."""
    return blake2b(bytes(public), digest_size=8, encoder=RawEncoder).hex()


def padded_size(bounds: list[int]) -> int:
    """The one size every sealed answer to a survey is padded to: the envelope plus the
    most each question's answer can take (``answer_bound``)."""
    return _ENVELOPE + sum(bound + 32 for bound in bounds)


def answer_bound(question_type: str, choices: list, topic_count: int) -> int:
    """The most bytes one answer of this type can take in the sealed JSON."""
    if question_type == "text":
        return TEXT_CHARACTERS * _BYTES_PER_CHARACTER
    if question_type in ("single", "multiple"):
        return sum(len(str(choice)) * _BYTES_PER_CHARACTER + 4 for choice in choices) + 8
    if question_type == "skills":
        return 32 * topic_count + 8
    return 16  # a number


def seal(payload: dict, *, size: int) -> tuple[bytes, str]:
    """The payload sealed to the configured public key, padded to ``size`` bytes before
    encryption; returns the sealed bytes and the key's id."""
    public = public_key()
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    if len(data) > size:
        # Cannot happen for answers the survey's checks accepted; refusing is safer
        # than sealing an answer whose length would stand out.
        raise SealingError(f"An answer of {len(data)} bytes exceeds its survey's {size}.")
    padded = _LENGTH.pack(len(data)) + data + bytes(size - len(data))
    return SealedBox(public).encrypt(padded), key_id(public)


def unseal(sealed: bytes, sealed_with: str) -> dict:
    """The payload of a held answer; only a process holding the private key can."""
    private = private_keys().get(sealed_with)
    if private is None:
        raise SealingError(
            f"No SURVEY_SEAL_PRIVATE_KEY here opens answers sealed with key {sealed_with}."
        )
    try:
        padded = SealedBox(private).decrypt(bytes(sealed))
    except CryptoError as error:
        raise SealingError("A held answer does not open: it was altered.") from error
    (length,) = _LENGTH.unpack_from(padded)
    return json.loads(padded[_LENGTH.size : _LENGTH.size + length])


@cache
def public_key() -> PublicKey:
    configured = settings.SURVEY_SEAL_PUBLIC_KEY
    if configured:
        return PublicKey(_bytes(configured, "SURVEY_SEAL_PUBLIC_KEY"))
    local = _local_private_key()
    if local is None:
        raise ImproperlyConfigured(
            "SURVEY_SEAL_PUBLIC_KEY is not set: anonymous answers cannot be sealed. "
            "Make a pair with `manage.py survey_seal_keys`."
        )
    return local.public_key


@cache
def private_keys() -> dict[str, PrivateKey]:
    """The private keys this process holds, by key id: none in the web process."""
    keys = [
        PrivateKey(_bytes(text, "SURVEY_SEAL_PRIVATE_KEY"))
        for text in settings.SURVEY_SEAL_PRIVATE_KEYS
    ]
    if not keys and not settings.SURVEY_SEAL_PUBLIC_KEY:
        local = _local_private_key()
        keys = [local] if local else []
    return {key_id(key.public_key): key for key in keys}


def _local_private_key() -> PrivateKey | None:
    """With DEBUG on and no key configured, one pair kept in var/ (created once, readable
    by its owner only), so the embedded default seals and releases like production."""
    if not settings.DEBUG:
        return None
    path = settings.VAR_DIR / "survey-seal.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: a second process starting at the same
        # moment either wins the link or reads the finished file, never half of one.
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(generate_key_pair()[1])
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return PrivateKey(_bytes(path.read_text().strip(), str(path)))


def _text(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _bytes(text: str, name: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{name} is not a base64 key of 32 bytes.")
    return raw
