"""The load benchmark's journeys (benchmarks/load.py) hit only pages that exist and that
each demo login may open, so the benchmark cannot rot silently when a page moves or its
permission changes. Locust itself never runs in the suite."""

import io
import re
from contextlib import nullcontext
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from accounts.models import User
from benchmarks import load

PLACEHOLDER_IDS = {"org_slug": "acme", "program_id": 1, "cohort_id": 2, "pair_id": 3}
EVERY_PAGE = [
    # In a fixed order (a set's would differ between xdist's processes).
    *dict.fromkeys(page for pages in load.JOURNEYS.values() for page in pages),
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


STATS_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


def _locust_csv(folder, name, rows, failures=()):
    lines = [STATS_HEADER]
    for label, count, failed, rps, p50, p95, p99 in rows:
        lines.append(
            f"GET,{label},{count},{failed},{p50},{p50},1,{p99},5000,{rps},0,"
            f"{p50},{p50},{p50},{p50},{p95},{p95},{p99},{p99},{p99},{p99},{p99}"
        )
    (folder / f"{name}_stats.csv").write_text("\n".join(lines) + "\n")
    failure_lines = ["Method,Name,Error,Occurrences"]
    failure_lines += [f"POST,{label},{error},{count}" for label, error, count in failures]
    (folder / f"{name}_failures.csv").write_text("\n".join(failure_lines) + "\n")
    return load.LoadResult.from_csv(folder / f"{name}_stats.csv", folder / f"{name}_failures.csv")


def test_locusts_figures_are_read_per_page_with_the_aggregate_apart(tmp_path):
    result = _locust_csv(
        tmp_path,
        "journeys",
        [
            ("workspace", 40, 0, 0.7, 95, 420, 610),
            ("sign-in", 50, 2, 0.8, 130, 700, 900),
            ("Aggregated", 90, 2, 1.5, 110, 650, 880),
        ],
        failures=[("sign-in", "302 instead of 200", 2)],
    )

    assert [page.name for page in result.pages] == ["sign-in", "workspace"]
    assert result.pages[0] == load.PageFigures("sign-in", 50, 2, 0.8, 130, 700, 900)
    assert result.total.requests == 90 and result.total.p95 == 650
    assert result.failures == [("sign-in", "302 instead of 200", 2)]


def _run_command(monkeypatch, tmp_path, journeys_rows, failures=()):
    """benchmark_load with the stack and locust replaced by canned figures: what it prints."""
    results = {
        "floor": _locust_csv(
            tmp_path,
            "floor",
            [("/healthz", 900, 0, 60, 700, 900, 950), ("Aggregated", 900, 0, 60, 700, 900, 950)],
        ),
        "journeys": _locust_csv(tmp_path, "journeys", journeys_rows, failures),
    }
    runs = []

    def run_locust(run, **kwargs):
        runs.append(run)
        return results.get(run.name)

    monkeypatch.setattr(load, "demo_present", lambda: True)
    monkeypatch.setattr(load, "plan_json", lambda **kwargs: "{}")
    monkeypatch.setattr(load, "collect_static", lambda env: None)
    monkeypatch.setattr(load, "running_stack", lambda **kwargs: nullcontext())
    monkeypatch.setattr(load, "wait_until_healthy", lambda url: {"status": "ok"})
    monkeypatch.setattr(load, "run_locust", run_locust)
    out = io.StringIO()
    call_command("benchmark_load", users=20, seconds=30, stdout=out)
    return out.getvalue(), runs


def test_the_command_prints_each_page_beside_the_floor_and_meets_the_goal(monkeypatch, tmp_path):
    printed, runs = _run_command(
        monkeypatch,
        tmp_path,
        [("workspace", 40, 0, 0.7, 95, 420, 610), ("Aggregated", 40, 0, 0.7, 95, 420, 610)],
    )

    assert [run.name for run in runs] == ["warmup", "floor", "journeys"]
    assert runs[2].users == 20 and runs[2].seconds == 30
    assert re.search(r"workspace\s+40\s+0\s+0\.7\s+95\s+420\s+610", printed), printed
    assert "Floor, /healthz with 20 users and no pause: 60.0 rps" in printed
    assert "Goal met" in printed


def test_the_command_names_the_slow_pages_and_the_failures(monkeypatch, tmp_path):
    printed, _runs = _run_command(
        monkeypatch,
        tmp_path,
        [
            ("workspace", 40, 0, 0.7, 95, 420, 610),
            ("sign-in", 50, 2, 0.8, 130, 1200, 1500),
            ("Aggregated", 90, 2, 1.5, 110, 1100, 1400),
        ],
        failures=[("sign-in", "302 instead of 200", 2)],
    )

    assert "Goal missed" in printed and "p95 too high on sign-in" in printed
    assert "workspace" not in printed.split("Goal missed")[1]
    assert "failed 2x sign-in: 302 instead of 200" in printed


def test_the_command_refuses_an_unbounded_run():
    with pytest.raises(CommandError, match="Keep it bounded"):
        call_command("benchmark_load", users=5000)
    with pytest.raises(CommandError, match="Keep it bounded"):
        call_command("benchmark_load", seconds=3600)


def test_the_stack_runs_with_production_settings_on_loopback_behind_one_trusted_proxy(
    monkeypatch,
):
    monkeypatch.delenv("SURVEY_SEAL_PUBLIC_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)

    env = load.stack_environment(bind="127.0.0.1:18100", web_workers=4)

    assert env["DEBUG"] == "false" and env["HTTPS"] == "false"
    assert env["BIND"] == "127.0.0.1:18100" and env["ALLOWED_HOSTS"] == "127.0.0.1"
    assert env["WEB_CONCURRENCY"] == "4" and env["TRUSTED_PROXY_COUNT"] == "1"
    assert len(env["SECRET_KEY"]) >= 50
    assert env["SURVEY_SEAL_PUBLIC_KEY"] and env["SURVEY_SEAL_PRIVATE_KEY"]
