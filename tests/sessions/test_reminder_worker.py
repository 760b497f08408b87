"""Reminders through a real Celery worker, a process of its own, against Redis and the
test database: one tick runs end to end, and a worker killed in the middle of a batch
loses nothing and sends nothing twice once a fresh worker has taken the task over.

The kill is not a race against a timer. The worker's email backend (``OutboxBackend``,
below, chosen for the worker only) writes each email as a file; told to hold after n
emails, it announces that it is holding and waits, inside the transaction that is
delivering notification n+1 (its row locked and marked sent, not committed). The test
waits for that announcement and only then kills the worker with SIGKILL. A second worker
gets the same message back from Redis (tasks are acknowledged late; the broker's
visibility timeout is made short for these workers) and finishes the batch.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from directory.models import Employee
from matching.models import MatchRun, Pair
from notifications.models import Notification
from notifications.tasks import reminders_tick
from organizations.tenancy import tenant_context
from programs.models import Cohort, Participant, Program
from sessions.models import MentoringSession
from sessions.notices import SessionNotice
from tests.accounts.factories import UserFactory
from tests.helpers import is_postgresql, require
from tests.organizations.factories import MembershipFactory, OrganizationFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

Status = Notification.Status
OUTBOX_ENV = "REMINDER_WORKER_OUTBOX"  # where OutboxBackend writes the worker's emails
HOLD_ENV = "REMINDER_WORKER_HOLD_AFTER"  # hold before the email after this many
HOLDING_ENV = "REMINDER_WORKER_HOLDING"  # the file announcing the hold
VISIBILITY_TIMEOUT = 2  # seconds before Redis hands an unacknowledged message out again
TIMEOUT = 45  # seconds any one wait may take

# The worker, as `celery -A config worker` starts it, with changes for these tests only:
# a short broker visibility timeout (Redis's default is an hour), swept every second; the
# email backend below in place of settings_test's in-memory one; no remote control.
WORKER_BOOT = f"""
import sys
from django.conf import settings
from config.celery import app
settings.EMAIL_BACKEND = "{__name__}.OutboxBackend"
app.conf.worker_enable_remote_control = False
app.conf.broker_transport_options = {{
    "visibility_timeout": {VISIBILITY_TIMEOUT},
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}}
app.worker_main(sys.argv[1:])
"""


class OutboxBackend(BaseEmailBackend):
    """The worker's email backend: each email a JSON file in $REMINDER_WORKER_OUTBOX.
    With $REMINDER_WORKER_HOLD_AFTER=n, before writing email n+1 it writes the file
    $REMINDER_WORKER_HOLDING and waits there, to be killed."""

    def send_messages(self, messages):
        outbox = Path(os.environ[OUTBOX_ENV])
        hold_after = os.environ.get(HOLD_ENV)
        for message in messages:
            if hold_after is not None and len(_emails(outbox)) >= int(hold_after):
                Path(os.environ[HOLDING_ENV]).write_text(", ".join(message.to))
                time.sleep(120)
            email = {"to": message.to, "subject": message.subject, "body": message.body}
            name = uuid.uuid4().hex
            (outbox / f"{name}.tmp").write_text(json.dumps(email))
            (outbox / f"{name}.tmp").replace(outbox / f"{name}.json")  # never half-read
        return len(messages)


def _emails(outbox: Path) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(outbox.glob("*.json"))]


def _broker_url() -> str:
    """Redis at REDIS_URL, but a database of its own: every test's cache.clear() empties
    REDIS_URL's database, and a run beside this one must not wipe the message this test
    waits to see delivered again."""
    parts = urlsplit(os.environ["REDIS_URL"])
    database = 14 if parts.path.strip("/") == "15" else 15
    return urlunsplit(parts._replace(path=f"/{database}"))


def _database_url() -> str:
    """The database this test process uses (the test database, as the application role),
    for the worker to use too."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}/{db['NAME']}"


def _other_connections() -> int:
    """Other sessions still holding the notifications table: the killed worker's open
    transaction, until PostgreSQL notices it is gone and rolls it back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE c.relname = 'mentoring_notification' AND l.pid <> pg_backend_pid()"
            # Parallel test runs each have a database of their own: count only ours.
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0]


def wait_for(condition, what: str, log: Path | None = None):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    detail = f"\n--- worker log ---\n{log.read_text()}" if log and log.exists() else ""
    pytest.fail(f"Gave up after {TIMEOUT} s waiting for {what}{detail}")


class Worker:
    def __init__(self, log: Path, env: dict, queue: str):
        self.log, self.output = log, log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER_BOOT,
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--queues",
                queue,
            ],
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
        """Wait for the task to end here; fail if it did not succeed."""
        pattern = (
            rf"Task notifications\.tasks\.reminders_tick\[{task_id}\] (succeeded|raised|failed)"
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
def workers(transactional_db, tmp_path, celery_conf):
    """Start workers (``workers.start(hold_after=n)``) on a queue of this test's own, and
    send them ``reminders_tick`` (``workers.tick()``); all stopped at the end."""
    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set")
    require(is_postgresql(), "the worker shares the test database: PostgreSQL only")
    from config.celery import app

    celery_conf(task_always_eager=False)
    broker, queue = _broker_url(), f"reminder-worker-test-{uuid.uuid4().hex}"
    outbox = tmp_path / "outbox"
    outbox.mkdir()

    class Workers:
        holding = tmp_path / "holding"

        def __init__(self):
            self.started: list[Worker] = []

        def start(self, hold_after: int | None = None) -> Worker:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings_test",
                "DATABASE_URL": _database_url(),
                "CELERY_BROKER_URL": broker,
                "PYTHONUNBUFFERED": "1",
                OUTBOX_ENV: str(outbox),
                HOLDING_ENV: str(self.holding),
            }
            env.pop(HOLD_ENV, None)
            if hold_after is not None:
                env[HOLD_ENV] = str(hold_after)
            worker = Worker(tmp_path / f"worker-{len(self.started) + 1}.log", env, queue)
            self.started.append(worker)
            worker.ready()
            return worker

        def tick(self) -> str:
            with app.connection_for_write(broker) as conn:
                return reminders_tick.apply_async(queue=queue, connection=conn).id

        def emails(self) -> list[dict]:
            return _emails(outbox)

    workers = Workers()
    yield workers
    for worker in workers.started:
        worker.stop()
    with app.connection_for_write(broker) as conn:  # the queue and its bindings
        client = conn.default_channel.client
        client.delete(queue, *client.keys(f"_kombu.binding*.{queue}"))


def _noon_zone() -> str:
    """A time zone where it is about noon now: nobody's night, whenever the test runs."""
    hours_ahead = 12 - timezone.now().hour  # -11 .. 12, all valid Etc zones
    return f"Etc/GMT{-hours_ahead:+d}"  # Etc/GMT-2 is two hours ahead of UTC


@pytest.fixture
def pairs():
    """``pairs(n)``: n active pairs of a running cohort, each with a session booked three
    hours from now, everybody a member with an address of their own. Returns the
    organisation and the reminders due: {(email, session path): notification key}."""

    def make(count: int):
        zone = _noon_zone()
        now, today = timezone.now(), timezone.now().date()
        organization = OrganizationFactory(slug="worker", name="Worker Co", time_zone=zone)
        expected = {}
        people = []
        for n in range(2 * count):
            email = f"person{n}@worker.example"
            people.append(email)
            MembershipFactory(organization=organization, user=UserFactory(email=email))
        with tenant_context(organization=organization):
            # Under way for a month: no kick-off, training or milestone reminder today.
            program = Program.objects.create(
                organization=organization,
                name="Reverse",
                start_date=today - timedelta(60),
                end_date=today + timedelta(300),
                status=Program.Status.ACTIVE,
            )
            cohort = Cohort.objects.create(
                organization=organization,
                program=program,
                name="Pilot",
                start_date=today - timedelta(30),
                end_date=today + timedelta(150),
            )
            run = MatchRun.objects.create(
                organization=organization,
                cohort=cohort,
                status=MatchRun.Status.PUBLISHED,
                published_at=now - timedelta(days=31),
            )
            participants = [
                Participant.objects.create(
                    organization=organization,
                    program=program,
                    cohort=cohort,
                    employee=Employee.objects.create(
                        organization=organization,
                        employee_number=str(n),
                        email=email,
                        name=f"Person {n}",
                    ),
                    role="mentor" if n % 2 == 0 else "mentee",
                    status=Participant.Status.APPROVED,
                    time_zone=zone,
                )
                for n, email in enumerate(people)
            ]
            for mentor, mentee in zip(participants[::2], participants[1::2], strict=True):
                pair = Pair.objects.create(
                    organization=organization,
                    run=run,
                    program=program,
                    cohort=cohort,
                    mentor=mentor,
                    mentee=mentee,
                    status=Pair.Status.ACTIVE,
                    score=1,
                    explanation="",
                    published_at=run.published_at,
                )
                session = MentoringSession.objects.create(
                    organization=organization, pair=pair, starts_at=now + timedelta(hours=3)
                )
                path = reverse(
                    "mentoring:session",
                    kwargs={
                        "org_slug": organization.slug,
                        "pair_id": pair.pk,
                        "session_id": session.pk,
                    },
                )
                key = f"{SessionNotice.SESSION_UPCOMING}:session:{session.pk}:0"
                for person in (mentor, mentee):
                    expected[(person.employee.email, path)] = key
        return organization, expected

    return make


def _notifications(organization) -> dict[tuple[str, str], str]:
    """{(recipient's email, key): status}."""
    with tenant_context(organization=organization):
        return {
            (email, key): status
            for email, key, status in Notification.objects.filter(
                organization=organization
            ).values_list("recipient__user__email", "key", "status")
        }


def _sent(emails: list[dict], expected: dict) -> Counter:
    """How many emails each due reminder got, by (recipient, session path); an email
    that matches none counts under its recipient and subject."""
    counts = Counter()
    for email in emails:
        (to,) = email["to"]
        matches = [(who, path) for who, path in expected if who == to and path in email["body"]]
        counts[matches[0] if len(matches) == 1 else (to, email["subject"])] += 1
    return counts


def test_a_worker_sends_a_session_reminder_through_redis(workers, pairs):
    organization, expected = pairs(1)
    worker = workers.start()
    started = time.monotonic()

    worker.finished(workers.tick())

    emails = workers.emails()
    assert _sent(emails, expected) == Counter(dict.fromkeys(expected, 1))
    assert all(email["subject"].startswith("Coming up: your session with") for email in emails)
    assert _notifications(organization) == {
        (who, key): Status.SENT for (who, _path), key in expected.items()
    }
    assert time.monotonic() - started < 60


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(workers, pairs):
    organization, expected = pairs(20)  # 40 reminders, one per person
    assert len(expected) == 40
    held_at = 15
    first = workers.start(hold_after=held_at)

    task_id = workers.tick()
    wait_for(workers.holding.exists, "the worker to hold mid-batch", first.log)
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    # PostgreSQL notices the dropped connection: the open transaction rolls back and its
    # row locks go (else the next worker's SKIP LOCKED would pass that row by).
    wait_for(lambda: _other_connections() == 0, "the killed worker's connection to end")

    # Mid-batch: fifteen went out and say so; the one being delivered when the worker
    # died rolled back with it, and waits with the rest.
    statuses = _notifications(organization)
    assert len(workers.emails()) == held_at
    assert Counter(statuses.values()) == {Status.SENT: held_at, Status.PENDING: 40 - held_at}
    assert f"reminders_tick[{task_id}]" in first.text()
    assert "succeeded" not in first.text()

    # A fresh worker: nobody sends the task again, Redis hands the unacknowledged one out.
    second = workers.start()
    second.finished(task_id)

    assert _sent(workers.emails(), expected) == Counter(dict.fromkeys(expected, 1))
    assert _notifications(organization) == {
        (who, key): Status.SENT for (who, _path), key in expected.items()
    }
