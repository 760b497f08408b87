"""Settings come from the environment only; production refuses unsafe defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.env import env_bool, env_int, env_list, env_str
from tests.helpers import is_postgresql, require

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789abcdef",
    "ALLOWED_HOSTS": "upturn.example.com",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SURVEY_SEAL_PUBLIC_KEY": "yiX7wSHzRI+wNY5w1wE3v8PTVH9gD6iewdVKlqiVVE4=",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # The test run itself sets DJANGO_ALLOW_ASYNC_UNSAFE (for Playwright); a deployment must not.
    unwanted = {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unwanted}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV}
    del env["SECRET_KEY"]

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_deploy_check_reports_nothing_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_asks_for_the_key_that_seals_anonymous_answers():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SURVEY_SEAL_PUBLIC_KEY"}

    result = _manage("check", "--deploy", env=env)

    assert result.returncode != 0
    assert "surveys.E001" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(PRODUCTION_ENV["SECRET_KEY"] + "\n")
    env = {**PRODUCTION_ENV, "SECRET_KEY_FILE": str(secret_file)}
    del env["SECRET_KEY"]

    result = _manage("check", "--deploy", "--fail-level", "DEBUG", env=env)

    assert result.returncode == 0, result.stderr


def test_boolean_setting_with_a_typo_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "ture")

    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG='ture' is not a boolean"):
        env_bool("SOME_FLAG")


def test_number_setting_that_is_not_a_number_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "ten")

    with pytest.raises(ImproperlyConfigured, match="is not a whole number"):
        env_int("SOME_NUMBER", 3)


def test_missing_secret_file_fails_loudly(monkeypatch):
    monkeypatch.setenv("SOME_SECRET_FILE", "/nonexistent/secret")

    with pytest.raises(ImproperlyConfigured, match="SOME_SECRET_FILE"):
        env_str("SOME_SECRET")


def test_list_setting_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.example, b.example,,")

    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_sessions_app_does_not_take_djangos_sessions_label():
    from django.apps import apps

    assert apps.get_app_config("mentoring").name == "sessions"
    assert apps.get_app_config("sessions").name == "django.contrib.sessions"


def test_a_killed_task_is_handed_out_again_within_the_visibility_timeout_from_the_environment():
    env = {**PRODUCTION_ENV, "CELERY_VISIBILITY_TIMEOUT": "600", "REDIS_URL": "redis://r:6379/0"}
    code = (
        "from config.celery import app; "
        "print(app.conf.broker_transport_options['visibility_timeout'])"
    )

    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.strip() == "600", result.stderr


def test_the_default_visibility_timeout_is_shorter_than_kombus_hour():
    env = {**PRODUCTION_ENV, "REDIS_URL": "redis://r:6379/0"}
    code = (
        "from config.celery import app; "
        "print(app.conf.broker_transport_options['visibility_timeout'])"
    )

    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={k: v for k, v in {**os.environ, **env}.items() if k != "CELERY_VISIBILITY_TIMEOUT"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert 60 < int(result.stdout.strip()) < 3600, result.stderr


def test_the_embedded_default_runs_tasks_on_a_worker_through_the_filesystem_broker(tmp_path):
    """No REDIS_URL: nothing runs eagerly (only the test settings do); a task waits in
    var/broker/ for `make run`'s worker, and the cache is files in var/cache/."""
    unwanted = {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env |= {"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings", "VAR_DIR": str(tmp_path)}
    code = (
        "from django.conf import settings; from config.celery import heartbeat; "
        "print(settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL, "
        "settings.CACHES['default']['LOCATION']); heartbeat.delay()"
    )

    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.split() == ["False", "filesystem://localhost//", str(tmp_path / "cache")]
    assert [p.suffix for p in (tmp_path / "broker" / "queue").iterdir()] == [".msg"]


def test_sessions_do_not_live_in_the_cache():
    from django.conf import settings

    assert "cache" not in settings.SESSION_ENGINE


@pytest.mark.django_db
def test_postgresql_connections_compile_no_query_with_jit():
    """The reports' queries spent most of their time in JIT compilation (issue 19): every
    connection the app opens, as the app role in the tests, has it off."""
    require(is_postgresql(), "needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('jit')")
        user, jit = cursor.fetchone()
    assert jit == "off"
    if settings.DATABASE_APP_ROLE:
        assert user == settings.DATABASE_APP_ROLE
