"""The client's address, as far as the proxies the deployment trusts can vouch for it."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int


def trusted_proxy_count_from_env() -> int:
    """TRUSTED_PROXY_COUNT, for the settings and for gunicorn (config/gunicorn.py).

    It defaults to one behind a TLS proxy (BEHIND_TLS_PROXY), which is what Upturn assumed
    before the count could be set, and to none otherwise.
    """
    count = env_int("TRUSTED_PROXY_COUNT", 1 if env_bool("BEHIND_TLS_PROXY", False) else 0)
    if count < 0:
        raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT={count} is below zero.")
    return count


def client_ip(request) -> str | None:
    """The address a request came from: REMOTE_ADDR, or behind ``TRUSTED_PROXY_COUNT``
    proxies the X-Forwarded-For entry that many from the right.

    Each proxy appends the address it saw, so only the rightmost ``TRUSTED_PROXY_COUNT``
    entries were written by proxies we run; anything left of them came from the client and
    may be forged. A header too short to hold them (a request that bypassed a proxy) or an
    entry that is not an address is not believed: REMOTE_ADDR is used instead.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    if len(entries) < count:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-count]))
    except ValueError:
        return remote
