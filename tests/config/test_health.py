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


PROBE_HOST = "10.0.0.7:8000"  # a container's address, as an orchestrator's probe sends it


@override_settings(ALLOWED_HOSTS=["upturn.example.com"])
def test_healthz_answers_a_probe_that_calls_the_container_by_its_address(client):
    response = client.get("/healthz", HTTP_HOST=PROBE_HOST)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["database"] == "ok"


@override_settings(ALLOWED_HOSTS=["upturn.example.com"])
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz/", "/healthzz", "/api/v1/"])
def test_every_other_address_still_refuses_a_host_it_does_not_serve(client, path):
    assert client.get(path, HTTP_HOST=PROBE_HOST).status_code == 400
    assert client.get(path, HTTP_HOST="upturn.example.com").status_code != 400
