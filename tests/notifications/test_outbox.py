"""The transactional outbox: what must go out is written with the change that causes it,
and delivered exactly once, by the fast path or by the sweep, whether or not the broker
is up."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from config.celery import app
from matching import services as matching
from matching.models import Pair
from notifications import outbox
from notifications.models import OutboxMessage
from notifications.outbox import outbox_add, outbox_deliver_due, register_handler
from notifications.tasks import outbox_sweep_task
from organizations.tenancy import tenant_context
from sessions.models import MentoringSession
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# What the test handler delivered, and the failures it is told to raise first.
DELIVERED: list[tuple[str, dict]] = []
FAILURES: list[Exception] = []


def _deliver(*, organization, **args) -> None:
    if FAILURES:
        raise FAILURES.pop(0)
    DELIVERED.append((organization.slug, args))


register_handler("tests.outbox", _deliver)


@pytest.fixture(autouse=True)
def _clean():
    DELIVERED.clear()
    FAILURES.clear()
    yield
    DELIVERED.clear()
    FAILURES.clear()


@pytest.fixture
def broker_down(celery_conf, monkeypatch):
    """Tasks published for real, to a broker nobody listens on; the fast path's pause
    after a refusal is this test's own."""
    celery_conf(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    monkeypatch.setattr(outbox, "_fast_path_paused_until", 0.0)


def _add(organization, key="greeting:1", **args):
    outbox_add(organization=organization, kind="tests.outbox", key=key, args=args)


def _messages(organization):
    with tenant_context(organization=organization):
        return list(OutboxMessage.objects.order_by("pk"))


def test_a_message_is_written_with_the_change_and_rolled_back_with_it(acme):
    with pytest.raises(RuntimeError), transaction.atomic():
        _add(acme, to="ann")
        raise RuntimeError("the change fails")

    assert _messages(acme) == []
    assert outbox_deliver_due(organization=acme, now=timezone.now()) == {}
    assert DELIVERED == []


def test_a_message_is_delivered_once_its_transaction_commits(
    acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _add(acme, to="ann")
        assert DELIVERED == []  # not before the commit

    assert DELIVERED == [("acme", {"to": "ann"})]
    (message,) = _messages(acme)
    assert message.sent_at is not None and message.attempts == 1
    assert outbox_deliver_due(organization=acme, now=timezone.now() + timedelta(hours=1)) == {}


def test_a_message_added_twice_is_sent_once(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _add(acme, to="ann")
        _add(acme, to="ann")
    with django_capture_on_commit_callbacks(execute=True):
        _add(acme, to="ann")
    outbox_sweep_task()

    assert DELIVERED == [("acme", {"to": "ann"})]
    assert len(_messages(acme)) == 1


def test_a_failed_delivery_is_retried_later_and_its_error_recorded(
    acme, django_capture_on_commit_callbacks
):
    FAILURES.append(ConnectionRefusedError("mail server away"))
    with django_capture_on_commit_callbacks(execute=True):
        _add(acme, to="ann")  # the fast path fails

    (message,) = _messages(acme)
    assert message.sent_at is None and message.attempts == 1
    assert message.last_error == "ConnectionRefusedError: mail server away"
    now = timezone.now()
    assert message.next_attempt_at > now  # backing off: not due yet
    assert outbox_deliver_due(organization=acme, now=now) == {}
    assert DELIVERED == []

    outcomes = outbox_deliver_due(organization=acme, now=now + timedelta(minutes=1))

    assert outcomes == {"sent": 1}
    assert DELIVERED == [("acme", {"to": "ann"})]
    (message,) = _messages(acme)
    assert message.sent_at is not None and message.attempts == 2


def test_the_wait_between_attempts_doubles_up_to_an_hour():
    waits = [outbox.retry_after(attempts) for attempts in (1, 2, 3, 10, 100)]

    assert waits == [
        timedelta(seconds=30),
        timedelta(seconds=60),
        timedelta(seconds=120),
        timedelta(hours=1),
        timedelta(hours=1),
    ]


def test_a_broker_that_is_down_fails_nothing_and_the_sweep_delivers(
    acme, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _add(acme, key="greeting:1", to="ann")
        _add(acme, key="greeting:2", to="dan")

    assert DELIVERED == []
    assert [m.sent_at for m in _messages(acme)] == [None, None]

    assert outbox_deliver_due(organization=acme, now=timezone.now()) == {"sent": 2}
    assert outbox_deliver_due(organization=acme, now=timezone.now()) == {}
    assert DELIVERED == [("acme", {"to": "ann"}), ("acme", {"to": "dan"})]


@pytest.fixture
def pair(acme, world):
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        Pair.objects.filter(run=run).update(published_at=timezone.now() - timedelta(days=30))
        pair = Pair.objects.get(run=run, mentee=world["Dan"])
    MembershipFactory(organization=acme, user=UserFactory(email="ann@acme.example"))
    mail.outbox.clear()
    return pair


def test_booking_a_session_while_the_broker_is_down_succeeds_and_invites_once(
    client, acme, pair, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(User.objects.get(email="ann@acme.example"))
    day = (timezone.localdate() + timedelta(days=7)).isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/o/acme/programs/pairs/{pair.pk}/sessions/new/",
            {"date": day, "time": "10:00", "duration_minutes": "60"},
            follow=True,
        )

    assert response.status_code == 200 and "Session booked" in response.content.decode()
    with tenant_context(organization=acme):
        assert MentoringSession.objects.count() == 1
    assert mail.outbox == []  # the invitations wait in the outbox

    outbox_sweep_task()
    outbox_sweep_task()

    assert sorted(m.to[0] for m in mail.outbox) == ["ann@acme.example", "dan@acme.example"]


def test_the_sweep_of_one_organisation_leaves_anothers_messages_alone(acme, globex):
    # Written, and not yet delivered: their transactions' callbacks never run here.
    _add(acme, to="ann")
    _add(globex, to="gus")

    outbox_deliver_due(organization=acme, now=timezone.now())

    assert DELIVERED == [("acme", {"to": "ann"})]
    assert [m.sent_at is None for m in _messages(globex)] == [True]
    with tenant_context(organization=acme):
        assert OutboxMessage.objects.count() == 1  # globex's row is not even visible
