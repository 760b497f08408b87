"""Helpers for signing in, shared by the accounts and browser tests."""

import base64
import hashlib
import hmac
import struct
import time


def totp(secret: str) -> str:
    """The current RFC 6238 code, computed independently of allauth."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
