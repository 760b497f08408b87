import os

import pytest
from django.test import override_settings

from tests.helpers import require

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_as_json(client):
    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "eager"


def test_healthz_needs_no_sign_in_and_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_degraded_but_ready_when_the_broker_is_unreachable(
    client, settings, celery_conf
):
    """Pages still work without Redis: the web tier stays in the load balancer."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_conf(broker_url="redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"].startswith("error")


def test_healthz_is_unready_when_the_database_is_down(client, monkeypatch):
    from django.db import OperationalError

    from config import health

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "error: OperationalError"


def test_liveness_asks_no_dependency(client, monkeypatch):
    from config import health

    def fail():
        raise AssertionError("liveness must not check dependencies")

    for check in ("_database_status", "_broker_status", "_cache_status"):
        monkeypatch.setattr(health, check, fail)

    response = client.get("/healthz/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_a_worker_that_stopped_beating(client, settings, celery_conf):
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    from config.celery import HEARTBEAT_CACHE_KEY

    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_conf(broker_url="redis://127.0.0.1:1/0")
    cache.set(HEARTBEAT_CACHE_KEY, (timezone.now() - timedelta(hours=1)).isoformat())

    body = client.get("/healthz").json()

    assert body["worker"] == "stale"
    assert body["worker_heartbeat_age_seconds"] >= 3600


def test_healthz_reaches_the_real_broker_when_one_is_configured(client, settings):
    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    settings.CELERY_TASK_ALWAYS_EAGER = False

    assert client.get("/healthz").json()["broker"] == "ok"


PROBE_HOST = "10.0.0.7:8000"  # a container's address, as an orchestrator's probe sends it


@override_settings(ALLOWED_HOSTS=["upturn.example.com"])
def test_healthz_answers_a_probe_that_calls_the_container_by_its_address(client):
    response = client.get("/healthz", HTTP_HOST=PROBE_HOST)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["database"] == "ok"


@override_settings(ALLOWED_HOSTS=["upturn.example.com"])
def test_liveness_answers_a_probe_that_calls_the_container_by_its_address(client):
    assert client.get("/healthz/live", HTTP_HOST=PROBE_HOST).status_code == 200


@override_settings(ALLOWED_HOSTS=["upturn.example.com"])
@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/healthz/", "/healthzz", "/healthz/live/", "/api/v1/"]
)
def test_every_other_address_still_refuses_a_host_it_does_not_serve(client, path):
    assert client.get(path, HTTP_HOST=PROBE_HOST).status_code == 400
    assert client.get(path, HTTP_HOST="upturn.example.com").status_code != 400


def test_healthz_checks_the_filesystem_brokers_folders(client, settings, celery_conf, tmp_path):
    """The embedded default's broker is folders in var/broker/: usable, or not."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queue, blocker = tmp_path / "queue", tmp_path / "a-file"
    queue.mkdir()
    blocker.write_text("")
    folders = {"data_folder_in": str(queue), "data_folder_out": str(queue)}

    celery_conf(
        broker_url="filesystem://localhost//",
        broker_transport_options={**folders, "control_folder": str(tmp_path / "control")},
    )
    assert client.get("/healthz").json()["broker"] == "ok"

    celery_conf(broker_transport_options={**folders, "control_folder": str(blocker / "control")})
    body = client.get("/healthz").json()
    assert body["broker"] == f"error: {blocker / 'control'} is not writable"
    assert body["status"] == "degraded"


def test_healthz_reads_the_heartbeat_from_the_file_cache_every_local_process_shares(
    client, settings, tmp_path
):
    from django.core.cache import cache
    from django.utils import timezone

    from config.celery import HEARTBEAT_CACHE_KEY

    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker, not tasks run in-process
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    cache.set(HEARTBEAT_CACHE_KEY, timezone.now().isoformat())

    body = client.get("/healthz").json()

    assert body["cache"] == "ok"
    assert body["worker_heartbeat_age_seconds"] is not None
    assert list((tmp_path / "cache").iterdir())
