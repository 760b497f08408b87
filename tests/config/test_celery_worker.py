"""A real Celery worker, started as its own process against Redis, runs a task."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import cache

from config.celery import HEARTBEAT_CACHE_KEY, heartbeat
from tests.helpers import require

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.celery_worker


@pytest.fixture
def worker():
    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def test_worker_runs_a_task_sent_through_redis(worker, celery_conf):
    celery_conf(task_always_eager=False)
    started = time.monotonic()

    result = heartbeat.apply_async()
    stamp = result.get(timeout=60)

    assert result.successful()
    # The worker wrote to the shared cache from its own process.
    assert cache.get(HEARTBEAT_CACHE_KEY) == stamp
    assert time.monotonic() - started < 60
