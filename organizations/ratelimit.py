"""Counting requests in fixed windows of time, in the shared cache (Redis when
REDIS_URL is set, so every web process counts together): the cheap limit for things
that are not allauth's own actions, such as wrong API keys from one address or one
calendar feed polled too often."""

import time

from django.core.cache import cache


def window_hit(name: str, *, window_seconds: int) -> tuple[int, int]:
    """Count one hit of ``name`` in the current window. Returns the window's count so far
    and the seconds until it ends (a Retry-After for whoever is over the limit)."""
    now = time.time()
    window = int(now // window_seconds)
    key = f"rate:{name}:{window}"
    cache.add(key, 0, timeout=window_seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds * 2)
        count = 1
    return count, max(1, int((window + 1) * window_seconds - now))
