"""Redis down does not stop sign-in, pages or the API: the cache falls back to each
process's memory (config/cache.py), rate limits keep limiting, and it is logged once.

The Redis here is a closed port, or a redis-server of the test's own that it stops and
starts; the shared Redis of the test run is never touched."""

import logging
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.core.cache import cache

from config import cache as fallback_cache
from config import health
from organizations.roles import Role
from tests.accounts.factories import PASSWORD, UserFactory
from tests.helpers import api_key_headers, require
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SWITCHED_TO_MEMORY = "Redis cache unreachable"
SWITCHED_BACK = "Redis cache answers again"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _point_cache_at(settings, url: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCacheWithLocalFallback",
            "LOCATION": url,
            "KEY_PREFIX": "upturn",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }


@pytest.fixture
def fresh_outages(monkeypatch):
    """Each test starts with Redis not yet known to be down, and nothing in memory."""
    monkeypatch.setattr(fallback_cache, "_outages", {})
    yield
    cache._local.clear()


@pytest.fixture
def redis_down(settings, fresh_outages):
    """The cache points at a port where no Redis listens."""
    _point_cache_at(settings, f"redis://127.0.0.1:{_free_port()}/0")
    cache._local.clear()


class _OwnRedis:
    """A redis-server of this test's own, on a free port, that it may stop and start."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process = None

    def start(self) -> None:
        self._process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


@pytest.fixture
def own_redis(settings, fresh_outages):
    require(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = _OwnRedis()
    server.start()
    _point_cache_at(settings, server.url)
    yield server
    server.stop()


def _switches(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "config.cache"]


# --- The cache itself ------------------------------------------------------------------


def test_cache_answers_from_memory_while_redis_is_down_and_says_so_once(redis_down, caplog):
    caplog.set_level(logging.WARNING, logger="config.cache")

    cache.set("greeting", "hello", 60)
    assert cache.get("greeting") == "hello"
    assert cache.add("counter", 0, 60) and cache.incr("counter") == 1

    [line] = _switches(caplog)
    assert line.startswith(SWITCHED_TO_MEMORY)


def test_cache_goes_back_to_redis_when_it_answers_again(own_redis, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="config.cache")
    monkeypatch.setattr(fallback_cache, "RETRY_SECONDS", 0.0)
    cache.set("before", 1, 60)

    own_redis.stop()
    cache.set("during", 2, 60)
    assert cache.get("during") == 2
    own_redis.start()  # empty: nothing was saved
    cache.set("after", 3, 60)

    assert cache.get("after") == 3 and cache.get("during") is None
    assert redis.Redis.from_url(own_redis.url).exists("upturn:1:after")
    went_down, came_back = _switches(caplog)
    assert went_down.startswith(SWITCHED_TO_MEMORY) and came_back.startswith(SWITCHED_BACK)


def test_cache_does_not_knock_on_redis_again_before_the_retry_interval(redis_down, monkeypatch):
    calls = []
    real_call = fallback_cache.RedisCache.get

    def counting_get(self, *args, **kwargs):
        calls.append(1)
        return real_call(self, *args, **kwargs)

    monkeypatch.setattr(fallback_cache.RedisCache, "get", counting_get)

    for _ in range(5):
        cache.get("anything")

    assert len(calls) == 1


# --- What people notice ----------------------------------------------------------------


def test_people_sign_in_and_see_pages_while_redis_is_down(client, acme, redis_down, caplog):
    caplog.set_level(logging.WARNING, logger="config.cache")
    person = MembershipFactory(organization=acme, user=UserFactory(email="p@example.com")).user

    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/o/acme/").status_code == 200
    assert len(_switches(caplog)) == 1


def test_failed_sign_ins_are_still_limited_while_redis_is_down(client, acme, redis_down):
    person = MembershipFactory(organization=acme).user
    for _ in range(5):
        client.post("/accounts/login/", {"login": person.email, "password": "wrong"})

    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_an_api_key_works_while_redis_is_down(client, acme, redis_down):
    headers = api_key_headers(acme, Role.ADMIN)

    assert client.get("/api/v1/departments/", **headers).status_code == 200


def test_guessing_api_keys_is_still_slowed_down_while_redis_is_down(
    client, acme, redis_down, monkeypatch
):
    from organizations import middleware

    monkeypatch.setattr(middleware, "REJECTED_KEYS_PER_MINUTE", 3)
    statuses = [
        client.get(
            "/api/v1/departments/", HTTP_AUTHORIZATION=f"Bearer upturn_acme_guess-{n}"
        ).status_code
        for n in range(4)
    ]

    assert statuses == [401, 401, 401, 429]


# --- The probes ------------------------------------------------------------------------


def test_liveness_is_ok_while_redis_is_down(client, redis_down):
    assert client.get("/healthz/live").status_code == 200


def test_readiness_reports_redis_down_but_keeps_the_web_tier_in(client, redis_down):
    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["cache"].startswith("error")
    assert body["worker_heartbeat_age_seconds"] is None


def test_readiness_sees_redis_back_at_once(client, own_redis, monkeypatch):
    own_redis.stop()
    assert client.get("/healthz").json()["cache"].startswith("error")
    own_redis.start()

    # Asked directly, whatever the fallback's retry interval: the probe is not behind.
    assert client.get("/healthz").json()["cache"] == "ok"
    assert health._cache_status() == "ok"
