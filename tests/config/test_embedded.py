"""`make run`'s runner (config/embedded.py): a web server and a real Celery worker with
beat on the filesystem broker; the heartbeat reaches /healthz; SIGINT stops them all."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.celery_worker


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return json.load(response)
    except OSError:
        return None


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
def test_make_runs_worker_heartbeat_reaches_healthz_and_sigint_leaves_no_process(tmp_path):
    port = _free_port()
    unwanted = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DATABASE_APP_ROLE"}
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "VAR_DIR": str(tmp_path),
        "HEARTBEAT_SECONDS": "2",
    }
    log = (tmp_path / "run.log").open("w")
    runner = subprocess.Popen(
        [sys.executable, "-m", "config.embedded", "--port", str(port), "--no-seed"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        health, started = None, time.monotonic()
        while time.monotonic() - started < 180 and runner.poll() is None:
            health = _health(port)
            if health and health["worker"] == "ok":
                break
            time.sleep(1)
        processes = _descendants(runner.pid)

        assert health is not None, (tmp_path / "run.log").read_text()[-3000:]
        assert health["broker"] == "ok"
        assert health["cache"] == "ok"
        assert health["worker"] == "ok", health
        assert (tmp_path / "upturn.sqlite3").exists()
        assert list(tmp_path.glob("celerybeat-schedule*"))
        # The web server, the worker and beat (the worker's child).
        assert len(processes) >= 3, processes

        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=60) == 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in processes):
            time.sleep(0.2)

        assert not [pid for pid in processes if _alive(pid)]
        assert "Stopped" in (tmp_path / "run.log").read_text()
    finally:
        if runner.poll() is None:
            runner.kill()
        for pid in _descendants(runner.pid):
            os.kill(pid, signal.SIGKILL)
        log.close()
