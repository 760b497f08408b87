"""The reminders, by time travel: every rule fires at its moment and not before or after,
a tick repeated creates and sends nothing twice, nobody is emailed in their night, muted
kinds stay in the app, and the weekly cap folds the rest into one digest a week."""

import re
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection

from matching import services as matching
from matching.models import Pair
from notifications import delivery, services, tasks
from notifications.kinds import DIGEST, Candidate
from notifications.models import Notification
from organizations.tenancy import tenant_context
from programs.models import Participant, ProgramManager, TrainingCompletion, TrainingModule
from sessions import reminders
from sessions.models import MentoringSession
from sessions.notices import SessionNotice as Kind
from tests.accounts.factories import UserFactory
from tests.helpers import is_postgresql, require
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

Status = Notification.Status
PEOPLE = ("ann", "bea", "cy", "dan", "eve")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def members(acme, world):
    """The world's pairs published (Ann with Dan, and Eve with another mentor), paired
    from the cohort's start (1 January 2027, Berlin); everyone can sign in."""
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        Pair.objects.filter(run=run).update(published_at=at(2026, 12, 15, 9))
    people = {
        name: MembershipFactory(organization=acme, user=UserFactory(email=f"{name}@acme.example"))
        for name in PEOPLE
    }
    mail.outbox.clear()
    return people


@pytest.fixture
def ann_dan(acme, world, members):
    with tenant_context(organization=acme):
        return Pair.objects.select_related("program").get(
            mentee=world["Dan"], status=Pair.Status.ACTIVE
        )


@pytest.fixture
def eve_pair(acme, world, members):
    with tenant_context(organization=acme):
        return Pair.objects.get(mentee=world["Eve"], status=Pair.Status.ACTIVE)


@pytest.fixture
def manager(acme, world):
    membership = MembershipFactory(
        organization=acme,
        is_program_manager=True,
        is_participant=False,
        user=UserFactory(email="pm@acme.example"),
    )
    with tenant_context(organization=acme):
        ProgramManager.objects.create(
            organization=acme, program=world["program"], membership=membership
        )
    return membership


def _rule(acme, rule, now):
    with tenant_context(organization=acme):
        return rule(acme, now)


def _who(candidates, pair=None) -> list[str]:
    return sorted(c.recipient.user.email.split("@")[0] for c in candidates)


def _tick(acme, now):
    return delivery.run_reminders(organization=acme, now=now)


def _notifications(acme, **filters) -> list[Notification]:
    with tenant_context(organization=acme):
        return list(
            Notification.objects.filter(**filters).select_related("recipient__user").order_by("pk")
        )


def _emails(to: str) -> list:
    return [message for message in mail.outbox if message.to == [to]]


def _session(acme, pair, starts_at, **fields) -> MentoringSession:
    with tenant_context(organization=acme):
        return MentoringSession.objects.create(
            organization=acme, pair=pair, starts_at=starts_at, **fields
        )


def _set_zone(acme, participant, zone):
    with tenant_context(organization=acme):
        Participant.objects.filter(pk=participant.pk).update(time_zone=zone)


# --- Sessions ---------------------------------------------------------------------------

SESSION_START = at(2027, 2, 10, 9)  # 10:00 in Berlin


def test_a_session_is_reminded_in_the_24_hours_before_it_and_not_outside_them(acme, ann_dan):
    _session(acme, ann_dan, SESSION_START)
    upcoming = reminders.session_upcoming

    assert _rule(acme, upcoming, SESSION_START - timedelta(hours=24, minutes=1)) == []
    candidates = _rule(acme, upcoming, SESSION_START - timedelta(hours=24))
    assert _who(candidates) == ["ann", "dan"]
    to_dan = next(c for c in candidates if c.recipient.user.email == "dan@acme.example")
    assert to_dan.title == "Coming up: your session with Ann Junior"
    assert "Wednesday 10 February 2027, 10:00 (Europe/Berlin)" in to_dan.body
    assert _rule(acme, upcoming, SESSION_START - timedelta(minutes=1)) != []
    assert _rule(acme, upcoming, SESSION_START) == []


def test_a_moved_session_is_reminded_again_at_its_new_time(acme, ann_dan):
    session = _session(acme, ann_dan, SESSION_START)
    _tick(acme, SESSION_START - timedelta(hours=20))
    with tenant_context(organization=acme):
        MentoringSession.objects.filter(pk=session.pk).update(
            starts_at=SESSION_START + timedelta(days=2), sequence=1
        )
    _tick(acme, SESSION_START - timedelta(hours=19))  # the old slot: no longer upcoming
    _tick(acme, SESSION_START + timedelta(days=2, hours=-20))

    keys = [n.key for n in _notifications(acme, recipient__user__email="dan@acme.example")]
    assert keys == [
        f"session_upcoming:session:{session.pk}:0",
        f"session_upcoming:session:{session.pk}:1",
    ]
    assert len(_emails("dan@acme.example")) == 2


def test_a_session_nobody_logged_is_chased_two_hours_after_it_ended_for_a_week(acme, ann_dan):
    session = _session(acme, ann_dan, SESSION_START, duration_minutes=60)
    ended = SESSION_START + timedelta(hours=1)
    unlogged = reminders.session_unlogged

    assert _rule(acme, unlogged, ended + timedelta(hours=1, minutes=59)) == []
    candidates = _rule(acme, unlogged, ended + timedelta(hours=2))
    assert _who(candidates) == ["ann", "dan"]
    assert candidates[0].url.endswith(f"/sessions/{session.pk}/log/")
    assert _rule(acme, unlogged, ended + timedelta(days=7)) == []

    with tenant_context(organization=acme):
        MentoringSession.objects.filter(pk=session.pk).update(
            status=MentoringSession.Status.HELD, logged_at=ended
        )
    assert _rule(acme, unlogged, ended + timedelta(hours=3)) == []


def test_a_cancelled_session_is_neither_announced_nor_chased(acme, ann_dan):
    _session(acme, ann_dan, SESSION_START, status=MentoringSession.Status.CANCELLED)

    assert _rule(acme, reminders.session_upcoming, SESSION_START - timedelta(hours=2)) == []
    assert _rule(acme, reminders.session_unlogged, SESSION_START + timedelta(hours=4)) == []


# --- Cadence ----------------------------------------------------------------------------

# Monthly sessions: quiet after twice 30.44 days without one, from the cohort's start.
QUIET_AT = at(2027, 1, 1) + timedelta(days=2 * 30.44)


def _of(notifications, pair) -> list[Notification]:
    return [n for n in notifications if n.key.split(":")[2] == str(pair.pk)]


def test_a_quiet_pair_is_nudged_once_it_goes_quiet_and_not_before(acme, ann_dan):
    def quiet(now):
        return _of(_rule(acme, reminders.pair_quiet, now), ann_dan)

    assert quiet(QUIET_AT - timedelta(hours=1)) == []
    candidates = quiet(QUIET_AT + timedelta(hours=1))
    assert _who(candidates) == ["ann", "dan"]
    assert "no session since the pair began on 1 January 2027" in candidates[0].body


def test_a_pair_that_meets_on_its_own_gets_no_nudge(acme, ann_dan, eve_pair):
    for month in (1, 2, 3):
        _session(acme, eve_pair, at(2027, month, 18, 9), status=MentoringSession.Status.HELD)

    for now in (QUIET_AT + timedelta(hours=1), at(2027, 4, 3, 12), at(2027, 4, 20, 12)):
        _tick(acme, now)

    nudged_pairs = {n.key.split(":")[2] for n in _notifications(acme, kind=Kind.PAIR_QUIET)}
    assert nudged_pairs == {str(ann_dan.pk)}


def test_the_program_manager_hears_of_a_quiet_pair_an_interval_after_its_nudge(
    acme, ann_dan, members, manager
):
    _tick(acme, QUIET_AT + timedelta(hours=1))  # 2 March, late evening in Berlin
    (nudge,) = _of(_notifications(acme, kind=Kind.PAIR_QUIET, recipient=members["dan"]), ann_dan)
    assert nudge.send_after == at(2027, 3, 3, 6)  # the next morning
    assert _notifications(acme, kind=Kind.PAIR_QUIET_ALERT) == []

    _tick(acme, at(2027, 4, 2, 12))  # 30 days after the nudge
    assert _notifications(acme, kind=Kind.PAIR_QUIET_ALERT) == []

    _tick(acme, at(2027, 4, 3, 12))  # 31 days after
    (alert,) = _of(_notifications(acme, kind=Kind.PAIR_QUIET_ALERT), ann_dan)
    assert alert.recipient == manager
    assert alert.title == "Ann Junior and Dan Senior have gone quiet"
    assert "Both were reminded on" in alert.body
    (email,) = [m for m in _emails("pm@acme.example") if m.subject == alert.title]
    assert "/matching/" in email.body


def test_a_quiet_pair_that_books_a_session_causes_no_alert(acme, ann_dan, manager):
    _tick(acme, QUIET_AT + timedelta(hours=1))
    _session(acme, ann_dan, QUIET_AT + timedelta(days=40))

    _tick(acme, QUIET_AT + timedelta(days=32))

    assert _of(_notifications(acme, kind=Kind.PAIR_QUIET_ALERT), ann_dan) == []


# --- Programs ---------------------------------------------------------------------------


def test_training_is_due_in_the_week_before_the_cohort_starts_for_who_has_not_done_it(
    acme, world, members
):
    with tenant_context(organization=acme):
        module = TrainingModule.objects.create(
            organization=acme,
            program=world["program"],
            title="Giving feedback upward",
            required_before_matching=True,
        )
        TrainingCompletion.objects.create(
            organization=acme, participant=world["Ann"], module=module
        )
    due = reminders.training_due

    assert _rule(acme, due, at(2026, 12, 24, 12)) == []
    candidates = _rule(acme, due, at(2026, 12, 25, 12))
    assert _who(candidates) == ["bea", "cy", "dan", "eve"]
    assert "Still to do: Giving feedback upward." in candidates[0].body
    assert _rule(acme, due, at(2027, 1, 2, 12)) == []


@pytest.mark.parametrize(
    ("occasion", "day"),
    [("kickoff", date(2027, 1, 1)), ("midpoint", date(2027, 4, 1)), ("closing", date(2027, 6, 23))],
)
def test_cohort_milestones_reach_the_cohort_on_their_day(acme, world, members, occasion, day):
    def fired(now):
        return [
            c for c in _rule(acme, reminders.cohort_milestones, now) if c.key.endswith(occasion)
        ]

    # Berlin is an hour ahead of UTC in winter, two in summer.
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=2)
    assert fired(midnight - timedelta(hours=1)) == []
    assert _who(fired(midnight + timedelta(hours=1))) == list(PEOPLE)
    assert fired(midnight + timedelta(days=3, hours=1)) == []


# --- Creating and sending once ------------------------------------------------------------


def test_running_the_tick_twice_creates_and_emails_each_reminder_once(acme, ann_dan):
    _session(acme, ann_dan, SESSION_START)
    now = SESSION_START - timedelta(hours=20)

    _tick(acme, now)
    _tick(acme, now)
    _tick(acme, now + timedelta(minutes=15))

    upcoming = _notifications(acme, kind=Kind.SESSION_UPCOMING)
    assert [(n.recipient.user.email, n.status) for n in upcoming] == [
        ("ann@acme.example", Status.SENT),
        ("dan@acme.example", Status.SENT),
    ]
    assert len(mail.outbox) == 2


def test_the_tick_task_goes_through_every_organisation(acme, globex, ann_dan):
    _session(acme, ann_dan, SESSION_START)

    with mock.patch("django.utils.timezone.now", return_value=SESSION_START - timedelta(hours=3)):
        tasks.reminders_tick()
        tasks.reminders_tick()

    assert sorted(m.to[0] for m in mail.outbox) == ["ann@acme.example", "dan@acme.example"]


def test_a_notification_already_taken_is_not_sent_again(acme, ann_dan, members):
    now = at(2027, 2, 3, 10)
    _create(acme, members["dan"], 1, now)
    (notification,) = _notifications(acme)
    delivery.deliver(acme, now)

    # A second worker that listed it before the first sent it finds it no longer pending.
    with tenant_context(organization=acme):
        assert delivery._deliver_one(acme, notification.pk, now) is None
    assert len(mail.outbox) == 1


def test_reminder_emails_have_a_plain_text_and_an_html_part_in_the_organisations_name(
    acme, ann_dan
):
    _session(acme, ann_dan, SESSION_START, video_link="https://meet.example/ann")

    _tick(acme, SESSION_START - timedelta(hours=20))

    (email,) = _emails("dan@acme.example")
    assert email.subject == "Coming up: your session with Ann Junior"
    assert "https://meet.example/ann" in email.body
    assert f"/o/acme/programs/pairs/{ann_dan.pk}/sessions/" in email.body
    assert "/o/acme/notifications/settings/" in email.body
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    assert "Acme" in html and "Coming up: your session with Ann Junior" in html


# --- Night, mute, cap, digest -------------------------------------------------------------

# 17:00 UTC: 18:00 in Berlin, 02:00 the next day in Tokyo.
EVENING = at(2027, 2, 9, 17)
TOKYO_MORNING = at(2027, 2, 9, 22)  # 07:00 in Tokyo


def test_nobody_is_emailed_in_their_night_but_after_seven_in_the_morning(acme, world, ann_dan):
    _set_zone(acme, world["Dan"], "Asia/Tokyo")
    _session(acme, ann_dan, at(2027, 2, 10, 12))

    _tick(acme, EVENING)
    assert len(_emails("ann@acme.example")) == 1
    assert _emails("dan@acme.example") == []
    (to_dan,) = _notifications(acme, recipient__user__email="dan@acme.example")
    assert to_dan.send_after == TOKYO_MORNING
    assert "Wednesday 10 February 2027, 21:00 (Asia/Tokyo)" in to_dan.body

    _tick(acme, TOKYO_MORNING - timedelta(minutes=15))
    assert _emails("dan@acme.example") == []
    _tick(acme, TOKYO_MORNING)
    assert len(_emails("dan@acme.example")) == 1


def test_a_late_delivery_that_falls_in_the_night_waits_for_the_morning(acme, world, members):
    _set_zone(acme, world["Dan"], "Asia/Tokyo")
    _create(acme, members["dan"], 1, at(2027, 2, 9, 5))  # 14:00 in Tokyo

    outcome = delivery.deliver(acme, EVENING)  # the workers were down until 02:00 in Tokyo

    assert outcome == {"deferred": 1}
    assert _emails("dan@acme.example") == []
    assert delivery.deliver(acme, TOKYO_MORNING) == {"sent": 1}


def test_a_session_reminder_is_withdrawn_if_the_session_is_cancelled_overnight(
    acme, world, ann_dan
):
    _set_zone(acme, world["Dan"], "Asia/Tokyo")
    session = _session(acme, ann_dan, at(2027, 2, 10, 12))
    _tick(acme, EVENING)
    with tenant_context(organization=acme):
        MentoringSession.objects.filter(pk=session.pk).update(
            status=MentoringSession.Status.CANCELLED, sequence=1
        )

    _tick(acme, TOKYO_MORNING)

    assert _emails("dan@acme.example") == []
    assert _notifications(acme, recipient__user__email="dan@acme.example") == []


def test_a_reminder_that_could_only_arrive_after_the_session_is_not_made(acme, world, ann_dan):
    _set_zone(acme, world["Dan"], "Asia/Tokyo")
    _session(acme, ann_dan, at(2027, 2, 9, 20))  # 05:00 in Tokyo

    _tick(acme, EVENING)

    assert _notifications(acme, recipient__user__email="dan@acme.example") == []
    assert len(_emails("ann@acme.example")) == 1


def test_muted_kinds_stay_in_the_app_and_are_not_emailed(acme, ann_dan, members):
    with tenant_context(organization=acme):
        services.settings_save(
            organization=acme,
            membership=members["dan"],
            muted_kinds=[Kind.SESSION_UPCOMING],
            weekly_digest=False,
        )
    _session(acme, ann_dan, SESSION_START)

    _tick(acme, SESSION_START - timedelta(hours=20))

    (to_dan,) = _notifications(acme, recipient__user__email="dan@acme.example")
    assert to_dan.status == Status.MUTED
    assert _emails("dan@acme.example") == []
    assert len(_emails("ann@acme.example")) == 1


def _create(acme, membership, count, now, start=0):
    with tenant_context(organization=acme):
        delivery.create(
            [
                Candidate(
                    recipient=membership,
                    kind=Kind.MILESTONE,
                    key=f"milestone:test:{n}",
                    title=f"Reminder {n}",
                    body=f"Body {n}",
                    url="/o/acme/programs/mine/",
                )
                for n in range(start, start + count)
            ],
            now,
        )


WEDNESDAY = at(2027, 2, 3, 10)
NEXT_MONDAY_MORNING = at(2027, 2, 8, 6, 30)  # 07:30 in Berlin


def test_past_the_weekly_cap_reminders_go_into_one_digest_a_week(acme, world, members):
    _create(acme, members["dan"], 5, WEDNESDAY)

    assert delivery.deliver(acme, WEDNESDAY) == {"sent": 3, "digest": 2}
    assert [m.subject for m in _emails("dan@acme.example")] == [f"Reminder {n}" for n in range(3)]

    assert delivery.weekly_digest(acme, NEXT_MONDAY_MORNING - timedelta(hours=1)) == 0  # night
    assert delivery.weekly_digest(acme, WEDNESDAY + timedelta(days=1)) == 0  # not Monday
    assert delivery.weekly_digest(acme, NEXT_MONDAY_MORNING) == 1
    assert delivery.weekly_digest(acme, NEXT_MONDAY_MORNING + timedelta(hours=1)) == 0
    digest = _emails("dan@acme.example")[-1]
    assert digest.subject == "Your week in Upturn: 2 reminders"
    assert "Reminder 3" in digest.body and "Reminder 4" in digest.body
    assert digest.alternatives[0][1] == "text/html"
    assert all(n.digested_at for n in _notifications(acme, status=Status.DIGEST))

    # A week after the first emails the cap has room again.
    _create(acme, members["dan"], 1, WEDNESDAY + timedelta(days=7), start=5)
    assert delivery.deliver(acme, WEDNESDAY + timedelta(days=7)) == {"sent": 1}


def test_who_chose_the_digest_gets_only_the_digest_once_a_week(acme, world, members):
    with tenant_context(organization=acme):
        services.settings_save(
            organization=acme, membership=members["eve"], muted_kinds=[], weekly_digest=True
        )
    _create(acme, members["eve"], 2, WEDNESDAY)

    assert delivery.deliver(acme, WEDNESDAY) == {"digest": 2}
    assert delivery.weekly_digest(acme, NEXT_MONDAY_MORNING) == 1
    _create(acme, members["eve"], 1, NEXT_MONDAY_MORNING + timedelta(hours=2), start=2)
    delivery.deliver(acme, NEXT_MONDAY_MORNING + timedelta(hours=2))
    assert delivery.weekly_digest(acme, NEXT_MONDAY_MORNING + timedelta(hours=3)) == 0
    assert delivery.weekly_digest(acme, NEXT_MONDAY_MORNING + timedelta(days=7)) == 1

    assert [m.subject for m in _emails("eve@acme.example")] == [
        "Your week in Upturn: 2 reminders",
        "Your week in Upturn: 1 reminder",
    ]
    assert len(_notifications(acme, kind=DIGEST)) == 2


def test_the_digest_leaves_out_sessions_since_cancelled_or_past(acme, world, ann_dan, members):
    with tenant_context(organization=acme):
        services.settings_save(
            organization=acme, membership=members["dan"], muted_kinds=[], weekly_digest=True
        )
    _create(acme, members["dan"], 1, WEDNESDAY)
    cancelled = _session(acme, ann_dan, WEDNESDAY + timedelta(hours=20))
    _session(acme, ann_dan, WEDNESDAY + timedelta(hours=22))  # held, and past by Monday
    _tick(acme, WEDNESDAY)
    folded = _notifications(acme, recipient=members["dan"], status=Status.DIGEST)
    assert [n.kind for n in folded] == [Kind.MILESTONE] + 2 * [Kind.SESSION_UPCOMING]
    with tenant_context(organization=acme):
        MentoringSession.objects.filter(pk=cancelled.pk).update(
            status=MentoringSession.Status.CANCELLED, sequence=1
        )

    assert delivery.weekly_digest(acme, NEXT_MONDAY_MORNING) == 1

    (digest,) = _emails("dan@acme.example")
    assert digest.subject == "Your week in Upturn: 1 reminder"
    assert "Reminder 0" in digest.body and "Coming up" not in digest.body
    # Withdrawn, as delivering withdraws what no longer holds.
    assert [n.kind for n in _notifications(acme, recipient=members["dan"])] == [
        Kind.MILESTONE,
        DIGEST,
    ]


def test_no_digest_goes_out_when_nothing_folded_still_holds(acme, world, ann_dan, members):
    with tenant_context(organization=acme):
        services.settings_save(
            organization=acme, membership=members["dan"], muted_kinds=[], weekly_digest=True
        )
    cancelled = _session(acme, ann_dan, WEDNESDAY + timedelta(hours=20))
    _tick(acme, WEDNESDAY)
    with tenant_context(organization=acme):
        MentoringSession.objects.filter(pk=cancelled.pk).update(
            status=MentoringSession.Status.CANCELLED, sequence=1
        )

    assert delivery.weekly_digest(acme, NEXT_MONDAY_MORNING) == 0
    assert _emails("dan@acme.example") == []


def _message_id(email) -> str:
    return email.message()["Message-ID"]


def test_an_email_handed_over_again_after_a_worker_died_keeps_its_message_id(acme, members):
    _create(acme, members["dan"], 2, WEDNESDAY)
    delivery.deliver(acme, WEDNESDAY)
    # The worker died after the mail server took "Reminder 0", before its commit: pending.
    with tenant_context(organization=acme):
        Notification.objects.filter(key="milestone:test:0").update(
            status=Status.PENDING, sent_at=None
        )

    assert delivery.deliver(acme, WEDNESDAY) == {"sent": 1}

    ids = [(m.subject, _message_id(m)) for m in _emails("dan@acme.example")]
    assert [subject for subject, _id in ids] == ["Reminder 0", "Reminder 1", "Reminder 0"]
    assert ids[0][1] == ids[2][1] != ids[1][1]
    assert re.fullmatch(r"<[0-9a-f]{32}@upturn\.example>", ids[0][1])


def test_the_digest_task_sends_each_digest_once(acme, world, members):
    _create(acme, members["dan"], 4, WEDNESDAY)
    delivery.deliver(acme, WEDNESDAY)
    mail.outbox.clear()

    with mock.patch("django.utils.timezone.now", return_value=NEXT_MONDAY_MORNING):
        tasks.weekly_digest_task()
        tasks.weekly_digest_task()

    assert [m.subject for m in mail.outbox] == ["Your week in Upturn: 1 reminder"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_at_once_send_each_email_once_and_keep_the_cap(acme, world, members):
    require(is_postgresql(), "row locks need PostgreSQL")
    _create(acme, members["dan"], 5, WEDNESDAY)
    _create(acme, members["eve"], 3, WEDNESDAY, start=5)
    start = threading.Barrier(2)
    outcomes: list[Counter] = []
    send = delivery.send_branded_email

    def slow_send(**kwargs):
        time.sleep(0.05)  # keep the row locked a moment, so the other worker meets it
        send(**kwargs)

    def worker():
        try:
            start.wait(timeout=5)
            outcomes.append(delivery.deliver(acme, WEDNESDAY))
        finally:
            connection.close()

    with mock.patch.object(delivery, "send_branded_email", slow_send):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sum(outcomes, Counter()) == {"sent": 6, "digest": 2}
    to_dan = [m.subject for m in _emails("dan@acme.example")]
    assert len(to_dan) == len(set(to_dan)) == 3
    assert len(_emails("eve@acme.example")) == 3
