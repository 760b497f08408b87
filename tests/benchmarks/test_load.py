"""The load benchmark's journeys (benchmarks/load.py) hit only pages that exist and that
each demo login may open, so the benchmark cannot rot silently when a page moves or its
permission changes. Locust itself never runs in the suite."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from accounts.models import User
from benchmarks import load

PLACEHOLDER_IDS = {"org_slug": "acme", "program_id": 1, "cohort_id": 2, "pair_id": 3}
EVERY_PAGE = [
    *{page for pages in load.JOURNEYS.values() for page in pages},
    load.LOG_SESSION_PAGE,
    *load.API_READS,
]


@pytest.mark.parametrize("page", EVERY_PAGE, ids=lambda page: page.label)
def test_each_journey_page_names_a_url_that_resolves_to_it(page):
    path = load.page_path(page, PLACEHOLDER_IDS)

    assert resolve(path).view_name == page.url_name


def test_every_demo_role_has_a_journey():
    assert set(load.JOURNEYS) == {"admin", "manager", "mentor", "mentee", "exec"}


@pytest.fixture
def plan(demo_module):
    return load.build_plan(password="upturn-demo")


@pytest.mark.django_db
def test_each_login_opens_every_page_of_its_planned_journey(plan):
    for login in plan["logins"]:
        client = Client()
        client.force_login(User.objects.get(email=login["email"]))
        for page in login["pages"]:
            response = client.get(page["path"])

            assert response.status_code == 200, (login["email"], page)


@pytest.mark.django_db
def test_the_plan_covers_every_role_of_both_organisations_and_acmes_pair_logs_sessions(plan):
    by_email = {login["email"]: login for login in plan["logins"]}

    assert len(by_email) == 10
    for login in by_email.values():
        labels = {page["label"] for page in login["pages"]}
        assert "overview" in labels and len(labels) >= 3, login["email"]
    for email in ("mentor@acme.example", "mentee@acme.example"):
        assert {"workspace"} <= {page["label"] for page in by_email[email]["pages"]}
        assert by_email[email]["log_session"]


@pytest.mark.django_db
def test_acmes_mentor_logs_a_session_the_way_the_locustfile_posts_it(plan):
    (mentor,) = [login for login in plan["logins"] if login["email"] == "mentor@acme.example"]
    client = Client()
    client.force_login(User.objects.get(email=mentor["email"]))
    when = timezone.now() - timedelta(days=3)
    data = {**plan["log_session_form"], "when": when.strftime("%Y-%m-%dT%H:%M")}

    assert client.get(mentor["log_session"]).status_code == 200
    response = client.post(mentor["log_session"], data)

    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.django_db
def test_the_api_reads_answer_each_demo_key(plan):
    for key in plan["api"]["keys"]:
        client = Client(headers={"Authorization": f"Bearer {key}"})
        for page in plan["api"]["pages"]:
            assert client.get(page["path"]).status_code == 200, (key, page)


@pytest.mark.django_db
def test_the_sign_in_sign_out_and_healthz_paths_exist(plan):
    assert resolve(plan["sign_in"]).url_name == "account_login"
    assert resolve(plan["sign_out"]).url_name == "account_logout"
    assert resolve(plan["healthz"]).url_name == "healthz"


def test_the_benchmark_refuses_to_leave_the_loopback_interface():
    load.require_loopback("127.0.0.1")
    load.require_loopback("::1")
    with pytest.raises(ValueError, match="not a loopback address"):
        load.require_loopback("10.0.0.5")
