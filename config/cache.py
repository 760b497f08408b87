"""The shared cache: Redis, with a per-process stand-in while Redis does not answer.

Everything on the request path that counts (allauth's sign-in limits, the API's key
throttle, the count of rejected API keys) reads and writes Django's cache. With plain
RedisCache, Redis down meant nobody could sign in and every API call answered 500. This
backend keeps every caller unchanged: it passes each call to Django's RedisCache and, when
Redis cannot be reached, answers from an in-memory cache of this process instead. Limits
then hold per process (a few times looser with several gunicorn workers) rather than
shared, but never switch off. The switch is logged once, and so is the way back, which
is tried again every ``RETRY_SECONDS`` (not on every call, so an outage costs one failed
connection per interval rather than one per call).
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# How long calls go to the local cache before Redis is tried again.
RETRY_SECONDS = 10.0
# The failures that mean "Redis is not there" (a read-only replica after a failover
# counts too: writes would fail until it is promoted). Any other error is a bug and raises.
REDIS_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ReadOnlyError)
# Enough rate-limit counters for a busy minute; older ones are culled first.
LOCAL_MAX_ENTRIES = 10_000


class _Outage:
    """Whether Redis is known to be down, for one LOCATION in this process.

    Django makes one cache object per thread; the outage is the process's, so that it is
    logged once and every thread skips Redis until the next retry.
    """

    def __init__(self, location: str):
        self.location = location
        self._lock = threading.Lock()
        self.down = False
        self._retry_at = 0.0

    def skip_redis(self) -> bool:
        return self.down and time.monotonic() < self._retry_at

    def begin(self, exc: Exception) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + RETRY_SECONDS
            if self.down:
                return
            self.down = True
        logger.warning(
            "Redis cache unreachable (%s: %s): rate limits and cached values now use this "
            "process's memory until it answers again",
            exc.__class__.__name__,
            exc,
        )

    def end(self) -> None:
        if not self.down:
            return
        with self._lock:
            if not self.down:
                return
            self.down = False
        logger.warning("Redis cache answers again: back to the shared cache")


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage(location))


def _delegate(name: str) -> Callable:
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


class RedisCacheWithLocalFallback(BaseCache):
    """Django's RedisCache, falling back to a LocMemCache while Redis is unreachable."""

    def __init__(self, server, params):
        super().__init__(params)
        location = server if isinstance(server, str) else ",".join(server)
        self._redis = RedisCache(server, params)
        local_params = {
            **{name: value for name, value in params.items() if name != "OPTIONS"},
            "OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_ENTRIES},
        }
        # LocMemCache keeps its data per name, in the process: every thread shares it.
        self._local = LocMemCache(f"redis-fallback:{location}", local_params)
        self._outage = _outage_for(location)

    @property
    def using_fallback(self) -> bool:
        return self._outage.down

    def redis_answers(self) -> bool:
        """Ask Redis itself now (the readiness probe), whatever the retry interval says."""
        try:
            self._redis._cache.get_client().ping()
        except REDIS_UNAVAILABLE as exc:
            self._outage.begin(exc)
            return False
        self._outage.end()
        return True

    def _call(self, name: str, *args, **kwargs) -> Any:
        if not self._outage.skip_redis():
            try:
                result = getattr(self._redis, name)(*args, **kwargs)
            except REDIS_UNAVAILABLE as exc:
                self._outage.begin(exc)
            else:
                self._outage.end()
                return result
        return getattr(self._local, name)(*args, **kwargs)

    add = _delegate("add")
    get = _delegate("get")
    set = _delegate("set")
    touch = _delegate("touch")
    delete = _delegate("delete")
    get_many = _delegate("get_many")
    has_key = _delegate("has_key")
    incr = _delegate("incr")
    set_many = _delegate("set_many")
    delete_many = _delegate("delete_many")

    def clear(self) -> None:
        # The local stand-in is emptied too, so nothing an outage left behind outlives it.
        self._local.clear()
        self._call("clear")

    def close(self, **kwargs) -> None:
        self._redis.close(**kwargs)
