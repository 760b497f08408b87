import os

import pytest

from tests.conftest import require

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


def test_healthz_is_unhealthy_when_the_broker_is_unreachable(client, settings, celery_conf):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_conf(broker_url="redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_healthz_reaches_the_real_broker_when_one_is_configured(client, settings):
    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    settings.CELERY_TASK_ALWAYS_EAGER = False

    assert client.get("/healthz").json()["broker"] == "ok"
