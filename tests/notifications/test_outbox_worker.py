"""The outbox's sweep through a real Celery worker, a process of its own, against a Redis
of this test's own and the test database: a worker killed in the middle of a sweep loses
no message and sends none twice once a fresh worker has swept again (README,
"Operations: when the broker or the worker is down").

The messages are organisation invitations, written while the broker was away (the fast
path does nothing), so only the sweep delivers them. The kill is not a race against a
timer. The worker's email backend (``HoldingBackend``, below, chosen for the worker only)
writes each email as a file; told to hold after n emails, it announces that it is holding
and sleeps before handing over email n+1, inside the transaction that is delivering that
message (its outbox row locked, the invitation's new link stored, nothing committed). The
test waits for that announcement and only then kills the worker with SIGKILL: the email
was never handed over, so the documented repeat (the instant between an email accepted
and its commit) cannot happen, and every message must go out exactly once.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.urls import reverse

from notifications import outbox
from notifications.models import OutboxMessage
from notifications.tasks import outbox_sweep_task
from organizations import services
from organizations.models import Invitation
from organizations.tenancy import tenant_context
from tests.helpers import is_postgresql, require
from tests.organizations.factories import MembershipFactory, OrganizationFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

MAILDIR_ENV = "OUTBOX_WORKER_MAILDIR"  # where HoldingBackend writes the worker's emails
HOLD_ENV = "OUTBOX_WORKER_HOLD_AFTER"  # hold before the email after this many
HOLDING_ENV = "OUTBOX_WORKER_HOLDING"  # the file announcing the hold
QUEUE = "outbox-worker-test"
TIMEOUT = 30  # seconds any one wait may take

# The worker, as `celery -A config worker` starts it, with changes for this test only:
# the email backend below in place of settings_test's in-memory one; no remote control.
# The broker's visibility timeout stays the production one (half an hour): the task the
# killed worker held is not handed out again during the test, the next sweep does it.
WORKER_BOOT = f"""
import sys
from django.conf import settings
from config.celery import app
settings.EMAIL_BACKEND = "{__name__}.HoldingBackend"
app.conf.worker_enable_remote_control = False
app.worker_main(sys.argv[1:])
"""


class HoldingBackend(BaseEmailBackend):
    """The worker's email backend: each email a JSON file in $OUTBOX_WORKER_MAILDIR.
    With $OUTBOX_WORKER_HOLD_AFTER=n, before handing over email n+1 it writes the file
    $OUTBOX_WORKER_HOLDING (naming the recipient) and sleeps there, to be killed."""

    def send_messages(self, messages):
        maildir = Path(os.environ[MAILDIR_ENV])
        hold_after = os.environ.get(HOLD_ENV)
        for message in messages:
            if hold_after is not None and len(_emails(maildir)) >= int(hold_after):
                Path(os.environ[HOLDING_ENV]).write_text(", ".join(message.to))
                time.sleep(120)
            email = {"to": message.to, "subject": message.subject, "body": message.body}
            name = uuid.uuid4().hex
            (maildir / f"{name}.tmp").write_text(json.dumps(email))
            (maildir / f"{name}.tmp").replace(maildir / f"{name}.json")  # never half-read
        return len(messages)


def _emails(maildir: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(maildir.glob("*.json"))]


def wait_for(condition, what: str, log: Path | None = None):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    detail = f"\n--- worker log ---\n{log.read_text()}" if log and log.exists() else ""
    pytest.fail(f"Gave up after {TIMEOUT} s waiting for {what}{detail}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A redis-server of this test's own, on a free port, keeping nothing on disk; the
    shared Redis (and its databases the other worker test uses) is never touched."""
    server = shutil.which("redis-server")
    require(server is not None, "redis-server is not installed")
    log = tmp_path / "redis.log"
    for _attempt in range(5):
        port = _free_port()
        with log.open("w") as output:
            process = subprocess.Popen(
                [server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
                + ["--appendonly", "no", "--dir", str(tmp_path)],
                stdout=output,
                stderr=subprocess.STDOUT,
            )

        def answers(port=port, process=process):
            if process.poll() is not None:
                return "exited"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG") and "up"
            except OSError:
                return None

        if wait_for(answers, "redis-server to answer", log) == "up":
            break  # else the port was taken in the meantime: another one
    else:
        pytest.fail(f"redis-server did not start:\n{log.read_text()}")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def _database_url() -> str:
    """The database this test process uses (the test database, as the application role),
    for the worker to use too."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}/{db['NAME']}"


def _locks_held_elsewhere() -> int:
    """Locks other sessions hold on the outbox or the invitations: the killed worker's
    open transaction, until PostgreSQL notices it is gone and rolls it back (until then
    the next sweep's SKIP LOCKED would pass its row by)."""
    tables = [OutboxMessage._meta.db_table, Invitation._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE c.relname = ANY(%s) AND l.pid <> pg_backend_pid()"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [tables],
        )
        return cursor.fetchone()[0]


class Worker:
    def __init__(self, log: Path, env: dict):
        self.log, self.output = log, log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER_BOOT, "worker", "--pool=solo", "--loglevel=INFO"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"]
            + ["--queues", QUEUE],
            cwd=ROOT,
            env=env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )

    def ready(self) -> None:
        wait_for(
            lambda: " ready." in self.text() or self.process.poll() is not None,
            "the worker to start",
            self.log,
        )
        assert self.process.poll() is None, f"The worker exited:\n{self.text()}"

    def text(self) -> str:
        return self.log.read_text()

    def finished(self, task_id: str) -> None:
        """Wait for the sweep to end here; fail if it did not succeed."""
        pattern = (
            rf"Task notifications\.tasks\.outbox_sweep_task\[{task_id}\] (succeeded|raised|failed)"
        )
        outcome = wait_for(lambda: re.search(pattern, self.text()), f"task {task_id}", self.log)
        assert outcome.group(1) == "succeeded", self.text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output.close()


@pytest.fixture
def workers(transactional_db, tmp_path, celery_conf, redis_url):
    """Start workers (``workers.start(hold_after=n)``) against this test's Redis, and send
    them the outbox sweep (``workers.sweep()``); all stopped at the end."""
    require(is_postgresql(), "the worker shares the test database: PostgreSQL only")
    from config.celery import app

    celery_conf(task_always_eager=False)
    maildir = tmp_path / "maildir"
    maildir.mkdir()

    class Workers:
        holding = tmp_path / "holding"

        def __init__(self):
            self.started: list[Worker] = []

        def start(self, hold_after: int | None = None) -> Worker:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings_test",
                "DATABASE_URL": _database_url(),
                # Broker, results and cache: all this test's own Redis.
                "REDIS_URL": redis_url,
                "CELERY_BROKER_URL": redis_url,
                "CELERY_RESULT_BACKEND": redis_url,
                "PYTHONUNBUFFERED": "1",
                MAILDIR_ENV: str(maildir),
                HOLDING_ENV: str(self.holding),
            }
            # Under xdist, settings_test would move REDIS_URL's database per worker.
            env.pop("PYTEST_XDIST_WORKER", None)
            env.pop(HOLD_ENV, None)
            if hold_after is not None:
                env[HOLD_ENV] = str(hold_after)
            worker = Worker(tmp_path / f"worker-{len(self.started) + 1}.log", env)
            self.started.append(worker)
            worker.ready()
            return worker

        def sweep(self) -> str:
            """What beat sends every minute. No result asked for: nobody waits on one."""
            with app.connection_for_write(redis_url) as conn:
                return outbox_sweep_task.apply_async(
                    queue=QUEUE, connection=conn, ignore_result=True
                ).id

        def emails(self) -> list[dict]:
            return _emails(maildir)

    workers = Workers()
    yield workers
    for worker in workers.started:
        worker.stop()


@pytest.fixture
def invitations(monkeypatch):
    """``invitations(n)``: an organisation that invited n people while the broker was
    away (the fast path did nothing): n invitation messages wait in the outbox, unsent.
    Returns the organisation and the invited addresses."""

    def make(count: int):
        organization = OrganizationFactory(slug="sweep", name="Sweep Co")
        admin = MembershipFactory(organization=organization, is_admin=True).user
        emails = [f"invitee{n}@sweep.example" for n in range(count)]
        with monkeypatch.context() as patch, tenant_context(organization=organization):
            patch.setattr(outbox, "_hand_to_worker", lambda organization_id, key: None)
            services.invitation_create_many(
                organization=organization,
                actor=admin,
                emails=emails,
                roles={"participant"},
                grantable_roles={"admin", "participant"},
            )
        return organization, emails

    return make


def _outbox(organization) -> list[tuple[str, bool, int, str]]:
    """(key, sent, attempts, last error) of each message, by key."""
    with tenant_context(organization=organization):
        return [
            (key, sent_at is not None, attempts, error)
            for key, sent_at, attempts, error in OutboxMessage.objects.filter(
                organization=organization
            )
            .order_by("key")
            .values_list("key", "sent_at", "attempts", "last_error")
        ]


def _links_work(organization, emails: list[dict]) -> dict[str, bool]:
    """{invited address: whether the link in its email is the one the invitation now
    accepts}: a link made in a transaction that rolled back was never emailed."""
    prefix = reverse(
        "invitation_accept", kwargs={"organization_slug": organization.slug, "token": "T"}
    ).removesuffix("T/")
    tokens = {}
    for email in emails:
        (to,) = email["to"]
        tokens[to] = re.search(re.escape(prefix) + r"([A-Za-z0-9_-]+)/", email["body"]).group(1)
    with tenant_context(organization=organization):
        return {
            invitation.email: invitation.token_hash
            == services.invitation_token_hash(tokens.get(invitation.email, ""))
            for invitation in Invitation.objects.filter(organization=organization)
        }


def test_a_worker_killed_mid_sweep_loses_no_message_and_sends_none_twice(workers, invitations):
    started = time.monotonic()
    organization, invited = invitations(6)
    assert [row[1:] for row in _outbox(organization)] == [(False, 0, "")] * 6
    held_at = 3
    first = workers.start(hold_after=held_at)

    task_id = workers.sweep()
    wait_for(workers.holding.exists, "the worker to hold mid-sweep", first.log)
    held_for = workers.holding.read_text()
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    wait_for(lambda: _locks_held_elsewhere() == 0, "the killed worker's transaction to end")

    # Mid-sweep: three went out and say so; the one being delivered when the worker died
    # rolled back with it (not even counted as a failed attempt) and waits with the rest.
    emails = workers.emails()
    assert len(emails) == held_at
    assert held_for not in [to for email in emails for to in email["to"]]
    assert Counter((sent, attempts) for _key, sent, attempts, _error in _outbox(organization)) == {
        (True, 1): held_at,
        (False, 0): 6 - held_at,
    }
    assert f"outbox_sweep_task[{task_id}]" in first.text()
    assert "succeeded" not in first.text()

    # A fresh worker, and the sweep beat sends a minute later.
    second = workers.start()
    second.finished(workers.sweep())

    emails = workers.emails()
    assert Counter(to for email in emails for to in email["to"]) == Counter(invited)
    assert all(email["subject"] for email in emails)
    assert [(sent, attempts, error) for _key, sent, attempts, error in _outbox(organization)] == [
        (True, 1, "")
    ] * 6
    assert _links_work(organization, emails) == dict.fromkeys(invited, True)

    # Once more: nothing is due, nothing goes out again.
    second.finished(workers.sweep())
    assert len(workers.emails()) == 6
    assert time.monotonic() - started < 60
