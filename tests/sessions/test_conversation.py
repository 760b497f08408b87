"""The pair's conversation (issue 20): a message thread for its two people only.

Privacy is structural: besides the views, PostgreSQL's restrictive policy on
``mentoring_message`` hides every message from a query not made on behalf of one of the
pair's two people, which these tests try with raw SQL as the application role, as an
attacker holding the database connection would."""

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from matching import services as matching
from matching.models import Pair
from notifications import delivery
from notifications.models import Notification
from organizations.tenancy import tenant_context
from programs.models import Cohort, ProgramManager
from sessions import conversation
from sessions.manager_selectors import pair_activity
from sessions.models import Conversation, Message
from sessions.reminders import quiet_pairs
from sessions.tasks import messages_purge_task
from tests.accounts.factories import UserFactory
from tests.helpers import is_postgresql, require
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(acme, world):
    """Ann (mentor) and Dan (mentee), published a month ago; both can sign in."""
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        Pair.objects.filter(run=run).update(published_at=timezone.now() - timedelta(days=30))
        pair = Pair.objects.select_related(
            "mentor__employee", "mentee__employee", "program", "organization"
        ).get(run=run, mentee=world["Dan"])
    for name in ("ann", "dan"):
        MembershipFactory(organization=acme, user=UserFactory(email=f"{name}@acme.example"))
    return pair


def _user(name: str) -> User:
    return User.objects.get(email=f"{name}@acme.example")


def _send(acme, pair, who: str, text: str) -> Message:
    sender = pair.mentor if who == "ann" else pair.mentee
    with tenant_context(organization=acme, user=_user(who)):
        return conversation.message_send(pair=pair, sender=sender, text=text)


def _raw_messages(acme, user=None) -> list[str]:
    with tenant_context(organization=acme, user=user), connection.cursor() as cursor:
        cursor.execute("SELECT text FROM mentoring_message ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def _pair_url(acme, pair) -> str:
    return reverse("mentoring:pair", kwargs={"org_slug": acme.slug, "pair_id": pair.pk})


def test_the_pairs_csv_has_the_last_contact_date_and_no_message(client, acme, pair, world):
    _send(acme, pair, "dan", "Zq7NotForManagers")
    manager = MembershipFactory(organization=acme, is_program_manager=True, is_participant=False)
    with tenant_context(organization=acme):
        ProgramManager.objects.create(
            organization=acme, program=world["program"], membership=manager
        )
    client.force_login(manager.user)
    url = reverse(
        "mentoring_manager:pairs_export",
        kwargs={"org_slug": acme.slug, "program_id": world["program"].pk},
    )
    body = client.get(url).content.decode("utf-8-sig")
    assert "Zq7NotForManagers" not in body
    (dan,) = [r for r in csv.DictReader(io.StringIO(body)) if r["mentee"] == "Dan Senior"]
    assert dan["last_contact_on"] == timezone.localdate(timezone=acme.zone).isoformat()


def test_the_two_exchange_messages_and_links_are_safe(client, acme, pair):
    client.force_login(_user("ann"))
    send = reverse("mentoring:message_send", kwargs={"org_slug": acme.slug, "pair_id": pair.pk})
    text = "See https://example.com/guide <script>alert(1)</script>"
    response = client.post(send, {"message-text": text})
    assert response.status_code == 302
    assert response["Location"].endswith("#conversation")

    client.force_login(_user("dan"))
    page = client.get(_pair_url(acme, pair)).content.decode()

    assert '<a href="https://example.com/guide" rel="nofollow">' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert ">new</span>" in page
    # Read now: the second visit shows nothing new.
    assert ">new</span>" not in client.get(_pair_url(acme, pair)).content.decode()


def test_a_message_must_be_short_and_not_empty_and_the_pair_active(acme, pair):
    with pytest.raises(ValidationError):
        _send(acme, pair, "ann", "x" * (Message.MAX_LENGTH + 1))
    with pytest.raises(ValidationError):
        _send(acme, pair, "ann", "   ")
    with tenant_context(organization=acme):
        Pair.objects.filter(pk=pair.pk).update(status=Pair.Status.ENDED)
    pair.status = Pair.Status.ENDED
    with pytest.raises(ValidationError):
        _send(acme, pair, "ann", "Still there?")
    assert _raw_messages(acme, _user("ann")) == []


def test_the_thread_shows_the_latest_messages_only(acme, pair):
    for n in range(conversation.THREAD_LENGTH + 3):
        _send(acme, pair, "ann", f"message {n}")
    with tenant_context(organization=acme, user=_user("dan")):
        shown, older = conversation.thread(pair, pair.mentee)
    assert older == 3
    assert shown[0].text == "message 3"
    assert shown[-1].text == f"message {conversation.THREAD_LENGTH + 2}"


def test_the_database_shows_messages_to_the_pair_only(acme, pair, world):
    """Raw SQL as the application role: the organisation alone, another member, a program
    manager of the program, an executive and an admin read no message; Ann and Dan do."""
    require(is_postgresql(), "row-level security needs PostgreSQL (DATABASE_URL)")
    require(bool(settings.DATABASE_APP_ROLE), "DATABASE_APP_ROLE is not set")
    _send(acme, pair, "ann", "Zq7Secret")
    manager = MembershipFactory(organization=acme, is_program_manager=True, is_participant=False)
    with tenant_context(organization=acme):
        ProgramManager.objects.create(
            organization=acme, program=world["program"], membership=manager
        )
    executive = MembershipFactory(organization=acme, is_executive=True, is_participant=False)
    admin = MembershipFactory(organization=acme, is_admin=True, is_participant=False)
    other = MembershipFactory(organization=acme)

    assert _raw_messages(acme, _user("ann")) == ["Zq7Secret"]
    assert _raw_messages(acme, _user("dan")) == ["Zq7Secret"]
    for user in (None, manager.user, executive.user, admin.user, other.user):
        assert _raw_messages(acme, user) == []
    # Another organisation's context shows nothing, even on Ann's behalf.
    assert _raw_messages(None, _user("ann")) == []


def test_a_deactivated_person_no_longer_reads_the_thread_in_the_database(acme, pair):
    require(is_postgresql(), "row-level security needs PostgreSQL (DATABASE_URL)")
    _send(acme, pair, "ann", "Hello")
    with tenant_context(organization=acme):
        dan = _user("dan")
        dan.memberships.filter(organization=acme).update(is_active=False)
    assert _raw_messages(acme, dan) == []


def test_the_partner_is_told_once_per_unread_run_and_by_email_outside_the_night(acme, pair):
    _send(acme, pair, "ann", "First")
    _send(acme, pair, "ann", "Second")
    with tenant_context(organization=acme):
        notices = list(
            Notification.objects.filter(
                kind=conversation.MessageNotice.PAIR_MESSAGE,
                recipient__user__email="dan@acme.example",
            )
        )
    assert len(notices) == 1
    assert "First" not in notices[0].body and "Second" not in notices[0].body

    mail.outbox.clear()
    noon = timezone.now().replace(hour=12, minute=0) + timedelta(days=1)
    with tenant_context(organization=acme):
        delivery.deliver(acme, noon)
    (email,) = [m for m in mail.outbox if "dan@acme.example" in m.to]
    assert "wrote to you" in email.subject
    assert "First" not in email.body and "Second" not in email.body

    # Dan reads, Ann writes again: a new run, a new notice.
    with tenant_context(organization=acme, user=_user("dan")):
        conversation.thread(pair, pair.mentee)
    _send(acme, pair, "ann", "Third")
    with tenant_context(organization=acme):
        assert (
            Notification.objects.filter(
                kind=conversation.MessageNotice.PAIR_MESSAGE,
                recipient__user__email="dan@acme.example",
            ).count()
            == 2
        )


def test_a_notice_read_in_the_app_is_not_emailed(acme, pair):
    _send(acme, pair, "ann", "Hello")
    with tenant_context(organization=acme, user=_user("dan")):
        conversation.thread(pair, pair.mentee)
    mail.outbox.clear()
    noon = timezone.now().replace(hour=12, minute=0) + timedelta(days=1)
    with tenant_context(organization=acme):
        delivery.deliver(acme, noon)
    assert [m for m in mail.outbox if "dan@acme.example" in m.to] == []


def test_the_manager_sees_the_last_contact_and_it_keeps_the_pair_from_going_quiet(acme, pair):
    with tenant_context(organization=acme):
        # Paired three months ago and never in touch: quiet at any program's rhythm.
        Cohort.objects.filter(pk=pair.cohort_id).update(
            start_date=timezone.localdate() - timedelta(days=90)
        )
        Pair.objects.filter(pk=pair.pk).update(published_at=timezone.now() - timedelta(days=90))
        (before,) = [row for row in pair_activity(pair.program) if row.pair_id == pair.pk]
    assert before.last_contact is None
    assert before.cadence.is_quiet  # three months, nothing held, nothing booked
    with tenant_context(organization=acme):
        assert pair.pk in [p.pair.pk for p in quiet_pairs(acme, timezone.now())]
    _send(acme, pair, "dan", "How about Tuesday?")
    with tenant_context(organization=acme):
        (after,) = [row for row in pair_activity(pair.program) if row.pair_id == pair.pk]
    assert after.last_contact is not None
    assert not after.cadence.is_quiet
    with tenant_context(organization=acme):
        assert [p.pair.pk for p in quiet_pairs(acme, timezone.now())] == []


def test_the_retention_sweep_deletes_messages_of_pairs_ended_long_enough_ago(acme, pair, world):
    _send(acme, pair, "ann", "Keep me while active")
    acme.message_retention_days = 30
    acme.save(update_fields=["message_retention_days"])
    messages_purge_task()
    assert _raw_messages(acme, _user("ann")) == ["Keep me while active"]

    with tenant_context(organization=acme):
        Pair.objects.filter(pk=pair.pk).update(
            status=Pair.Status.ENDED, ended_at=timezone.now() - timedelta(days=29)
        )
    messages_purge_task()
    assert _raw_messages(acme, _user("ann")) == ["Keep me while active"]

    with tenant_context(organization=acme):
        Pair.objects.filter(pk=pair.pk).update(ended_at=timezone.now() - timedelta(days=31))
    messages_purge_task()
    assert _raw_messages(acme, _user("ann")) == []
    # Gone from the table, not only hidden: no message is left pointing at nothing.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with tenant_context(organization=acme):
        assert not Conversation.objects.exists()
