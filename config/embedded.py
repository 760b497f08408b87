"""``make run``: the embedded default in one command, ``python -m config.embedded``.

It prepares the database (a new one from the models, config/new_sqlite.py; an existing
one gets the migrations it lacks) and the demo data (``seed_demo``), naming each step
with the seconds since start, then runs side by side:

- the web server (Django's ``runserver``; on an existing database it starts while
  ``seed_demo`` runs),
- a Celery worker with beat inside it (``-B``), on the filesystem broker in ``var/broker/``
  and with beat's schedule in ``var/``: every periodic task runs as in production.

Ctrl-C or SIGTERM stops both; if the web server stops by itself, the worker is stopped
too, while a worker that stops leaves the web server serving (its banner then tells
admins and program managers that background work is paused). Each
child leads a process group of its own (beat is the worker's child) and is told to stop
when this process dies, even by SIGKILL (Linux), so nothing outlives ``make run``.
"""

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# How long a child has to stop after SIGTERM before its whole process group is killed.
STOP_SECONDS = 15
_PR_SET_PDEATHSIG = 1


class Progress:
    """Prints each step with the seconds since start, so a slow step is easy to spot."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:5.1f}s] {message}", flush=True)


def worker_command(var_dir: Path, *, loglevel: str) -> list[str]:
    """A Celery worker with beat embedded, one task at a time (solo pool: SQLite takes
    one writer at a time, and a thread pool would only queue on its lock)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--beat",
        f"--schedule={var_dir / 'celerybeat-schedule'}",
        "--pool=solo",
        "--concurrency=1",
        f"--loglevel={loglevel}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname=embedded@%h",
    ]


def web_command(host: str, port: int) -> list[str]:
    # No autoreloader (it doubles start-up and leaves a second process per server); the
    # checks already ran with migrate.
    return [
        sys.executable,
        "manage.py",
        "runserver",
        f"{host}:{port}",
        "--noreload",
        "--skip-checks",
    ]


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGTERM when the runner dies (Linux only)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def start(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own commands, no shell
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        # Its own process group: beat (the worker's child) goes with it when it is killed.
        process_group=0,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
    )


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop(children: dict[str, subprocess.Popen], say: Progress) -> None:
    """SIGTERM each child (the worker then stops beat), wait, then kill what is left of
    each process group."""
    for process in children.values():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for name, process in children.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{name} did not stop within {STOP_SECONDS} s: killing it")
    for process in children.values():
        # The group is named after its leader; whatever is left of it (a beat process
        # whose worker was killed) goes now.
        if _group_alive(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def _wait_for_web(url: str, web: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and web.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local URL
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _warm_up(url: str, web: subprocess.Popen) -> None:
    """Once the web server answers, fetch the sign-in page once, so its first visitor
    does not wait for the templates to load. Runs beside seed_demo, in a thread."""
    if _wait_for_web(f"{url}/healthz/live", web, timeout=120):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{url}/accounts/login/", timeout=30).close()  # noqa: S310


def prepare_database(say: Progress) -> bool:
    """Load Django, then build a new database or apply the migrations it lacks, in this
    process. Returns whether the database was already there."""
    import django

    say("Loading Django")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from config.new_sqlite import create_from_models, is_new_sqlite

    if is_new_sqlite(connection):
        say("Database: a new SQLite file, tables from the models")
        count = create_from_models(connection)
        say(f"Database: created, {count} migrations recorded as applied")
        return False
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        say(f"Database: applying {len(plan)} migrations")
        call_command("migrate", interactive=False, verbosity=1)
    else:
        say("Database: up to date")
    return True


def _interrupt(signum, frame):
    """The first Ctrl-C or SIGTERM starts the shutdown; any that follow are ignored, from
    here on. A terminal's Ctrl-C, or `kill` of the process group, reaches this process
    twice (once directly, once through make, which passes it on to its children), and a
    second KeyboardInterrupt would cut the shutdown short and leave the children running."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-seed", action="store_true", help="skip seed_demo")
    args = parser.parse_args(argv)

    os.chdir(ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The console shows web requests and emails, not a line per task (LOG_LEVEL=INFO and
    # TASK_LOG_LEVEL=INFO show them).
    os.environ.setdefault("TASK_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    say = Progress()
    url = f"http://{args.host}:{args.port}"
    # Ctrl-C and SIGTERM raise KeyboardInterrupt, wherever this process is.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    children: dict[str, subprocess.Popen] = {}
    code = 0
    try:
        if prepare_database(say):
            # An existing database: the web server starts while seed_demo runs (which
            # finds the demo there), its start-up on the other core.
            say(f"Web server: starting on {url}/")
            children["web server"] = start(web_command(args.host, args.port))
            threading.Thread(
                target=_warm_up, args=(url, children["web server"]), daemon=True
            ).start()
        if not args.no_seed:
            from django.core.management import call_command

            say("Demo data: seed_demo")
            call_command("seed_demo")
        from django.conf import settings
        from django.db import connections

        connections.close_all()
        say(f"Worker and beat: {settings.CELERY_BROKER_URL} broker, schedule in var/")
        children["worker"] = start(
            worker_command(settings.VAR_DIR, loglevel=os.environ.get("LOG_LEVEL", "WARNING"))
        )
        if "web server" not in children:
            say(f"Web server: starting on {url}/")
            children["web server"] = start(web_command(args.host, args.port))
        if _wait_for_web(f"{url}/healthz/live", children["web server"]):
            # A first heartbeat now, through the broker, rather than one beat from now:
            # /healthz shows the worker as soon as it is up.
            from config.celery import heartbeat

            heartbeat.delay()
            say(
                f"Upturn is ready: sign in at {url}/accounts/login/ with a demo login "
                "above. Ctrl-C stops everything."
            )
        worker_told = False
        while True:
            web = children["web server"]
            if web.poll() is not None:
                say(f"The web server stopped (exit {web.returncode}).")
                code = 1
                break
            worker = children["worker"]
            if worker.poll() is not None and not worker_told:
                # The web server keeps serving, as in production when a worker dies: the
                # pages' banner tells admins and program managers that work is paused.
                say(
                    f"The worker stopped (exit {worker.returncode}): reminders, surveys and "
                    "reports are paused; the web server keeps serving. Restart make run to "
                    "resume them (nothing due is lost)."
                )
                worker_told = True
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C must not cut the shutdown short (the children are gone first).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if children:
            say("Stopping the web server, the worker and beat")
            stop(children, say)
        say("Stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
