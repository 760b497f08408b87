"""The demo history of Acme's pilot: months of sessions, pairs in every cadence status,
notes, goals and commitments; seeding twice adds nothing."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from demo.programs import ACME_PROGRAM
from matching.models import Pair
from organizations.models import Organization
from organizations.tenancy import tenant_context
from programs.models import Program, Resource
from sessions.cadence import BEHIND, ON_TRACK, QUIET, cadence
from sessions.models import Commitment, Goal, MentoringSession, Note, Reflection, SessionChange

pytestmark = pytest.mark.django_db

HELD, SCHEDULED = MentoringSession.Status.HELD, MentoringSession.Status.SCHEDULED
CANCELLED = MentoringSession.Status.CANCELLED


@pytest.fixture
def seeded(demo_module):
    return Organization.objects.get(slug="acme")


def _pilot_pairs():
    program = Program.objects.get(name=ACME_PROGRAM)
    pilot = program.cohorts.get(name="Pilot")
    pairs = Pair.objects.filter(cohort=pilot, status=Pair.Status.ACTIVE).select_related(
        "mentor__employee", "mentee__employee"
    )
    return program, pilot, list(pairs)


def _cadence(pair, program, now):
    sessions = MentoringSession.objects.filter(pair=pair)
    upcoming = sessions.filter(status=SCHEDULED, starts_at__gte=now).order_by("starts_at")
    return cadence(
        now=now,
        paired_at=pair.published_at,
        held_starts=list(sessions.filter(status=HELD).values_list("starts_at", flat=True)),
        next_scheduled=upcoming.values_list("starts_at", flat=True).first(),
        sessions_per_month=program.sessions_per_month,
        planned=program.planned_sessions,
    )


def _demo_pair(pairs):
    (pair,) = [
        p
        for p in pairs
        if (p.mentor.employee.email, p.mentee.employee.email)
        == ("mentor@acme.example", "mentee@acme.example")
    ]
    return pair


def test_the_pilot_met_for_months_and_its_pairs_keep_different_rhythms(seeded):
    now = timezone.now()
    with tenant_context(organization=seeded):
        program, pilot, pairs = _pilot_pairs()
        # The pilot was moved into the past coherently: dates still obey the forms' rules.
        for record in (program, *program.cohorts.all()):
            record.full_clean()
        assert pilot.start_date < timezone.localdate() < pilot.end_date
        for pair in pairs:
            assert timedelta(days=90) < now - pair.published_at < timedelta(days=130)
            assert pair.published_at.date() <= pilot.start_date

        held = MentoringSession.objects.filter(pair__cohort=pilot, status=HELD)
        starts = sorted(held.values_list("starts_at", flat=True))
        assert starts[-1] - starts[0] > timedelta(days=75)
        assert len({(s.year, s.month) for s in starts}) >= 3
        assert starts[-1] < now
        assert not MentoringSession.objects.filter(
            pair__cohort=pilot, status=SCHEDULED, starts_at__lt=now
        ).exists()
        # Every session held was logged, with the program's topics and ratings of 3 to 5.
        topics = set(program.programtopic_set.values_list("topic_id", flat=True))
        for session in held:
            assert session.logged_at > session.starts_at and session.held_minutes
            assert session.topic_ids and set(session.topic_ids) <= topics
        ratings = Reflection.objects.filter(session__in=held)
        assert set(ratings.values_list("rating", flat=True)) <= {3, 4, 5}
        assert ratings.count() > held.count()  # mostly logged by both
        assert all(r.learned and r.taught for r in ratings)

        statuses = {pair.pk: _cadence(pair, program, now).status for pair in pairs}
        counts = Counter(statuses.values())
        assert 3 <= counts[QUIET] <= 4
        assert counts[BEHIND] >= 1
        assert counts[ON_TRACK] >= 12
        assert statuses[_demo_pair(pairs).pk] == ON_TRACK
        for pair in pairs:  # a quiet pair has nothing booked
            if statuses[pair.pk] == QUIET:
                assert not MentoringSession.objects.filter(pair=pair, status=SCHEDULED).exists()
        # Most active pairs have their next session booked.
        active = [p for p in pairs if statuses[p.pk] != QUIET]
        booked = MentoringSession.objects.filter(pair__in=active, status=SCHEDULED)
        assert booked.values("pair").distinct().count() >= 0.75 * len(active)


def test_cancellations_and_late_moves_are_recorded_mostly_for_senior_colleagues(seeded):
    with tenant_context(organization=seeded):
        changes = list(SessionChange.objects.select_related("session"))
        assert changes
        roles = Counter(c.requested_by_role for c in changes)
        assert roles["mentee"] > 2 * roles["mentor"]
        assert any(c.is_late for c in changes) and not all(c.is_late for c in changes)
        kinds = {c.kind for c in changes}
        assert kinds == {SessionChange.Kind.CANCELLED, SessionChange.Kind.RESCHEDULED}
        for change in changes:
            # Recorded when it was asked for, with the notice it gave.
            notice = change.previous_starts_at - change.created_at
            assert abs(notice.total_seconds() / 3600 - change.hours_notice) < 0.1
            assert change.requested_by_id in (
                change.session.pair.mentor_id,
                change.session.pair.mentee_id,
            )
            if change.kind == SessionChange.Kind.CANCELLED:
                assert change.session.status == CANCELLED
            else:
                assert change.new_starts_at
        cancelled = MentoringSession.objects.filter(status=CANCELLED)
        assert cancelled.count() == SessionChange.objects.filter(kind="cancelled").count()


def test_priya_and_tom_have_a_healthy_history_with_notes_from_both(seeded):
    now = timezone.now()
    priya = User.objects.get(email="mentor@acme.example")
    tom = User.objects.get(email="mentee@acme.example")
    with tenant_context(organization=seeded):
        _program, _pilot, pairs = _pilot_pairs()
        pair = _demo_pair(pairs)
        sessions = MentoringSession.objects.filter(pair=pair)
        held = sessions.filter(status=HELD)
        assert held.count() >= 4
        assert sessions.filter(status=SCHEDULED, starts_at__gt=now).count() == 1
        assert Reflection.objects.filter(session__in=held).count() == 2 * held.count()
        shared = Note.objects.filter(session__pair=pair, visibility=Note.Visibility.SHARED)
        assert set(shared.values_list("author_user", flat=True)) == {priya.pk, tom.pk}
        assert shared.count() >= 6
        assert all(n.created_at > n.session.starts_at for n in shared)
        goals = Goal.objects.filter(pair=pair)
        assert goals.filter(status=Goal.Status.DONE).exists()
        assert goals.filter(status=Goal.Status.OPEN).exists()
        commitments = Commitment.objects.filter(pair=pair)
        assert commitments.count() >= 2
        assert set(commitments.values_list("participant", flat=True)) == {pair.mentee_id}
        # Each after one of the pair's sessions that took place.
        assert set(commitments.values_list("session__status", flat=True)) == {HELD}
        # The first session started with getting to know each other, the others with the
        # regular agenda: the program's agendas marked for them.
        agendas = dict(
            Resource.objects.filter(program=pair.program_id)
            .exclude(purpose="")
            .values_list("purpose", "body")
        )
        first, *later = sessions.exclude(agenda="").order_by("starts_at")
        assert first.agenda == agendas["first_session"]
        assert later and {s.agenda for s in later} == {agendas["regular"]}
    # Each wrote a private note, readable as its author.
    for user in (priya, tom):
        with tenant_context(organization=seeded, user=user):
            private = Note.objects.filter(
                session__pair=pair, visibility=Note.Visibility.PRIVATE
            ).values_list("author_user", flat=True)
            assert user.pk in set(private)


def test_pairs_have_goals_and_senior_colleagues_commitments(seeded):
    with tenant_context(organization=seeded):
        _program, pilot, pairs = _pilot_pairs()
        per_pair = Counter(Goal.objects.filter(pair__cohort=pilot).values_list("pair", flat=True))
        assert set(per_pair) == {p.pk for p in pairs}
        assert all(2 <= n <= 4 for n in per_pair.values())
        goals = Goal.objects.filter(pair__cohort=pilot)
        done = goals.filter(status=Goal.Status.DONE)
        assert done.exists() and goals.filter(status=Goal.Status.OPEN).exists()
        assert all(g.done_at and g.done_at > g.created_at for g in done)

        commitments = Commitment.objects.filter(pair__cohort=pilot).select_related("pair")
        assert commitments.count() >= 8
        assert all(c.participant_id == c.pair.mentee_id for c in commitments)
        assert {c.theme for c in commitments} == {"tool", "habit", "practice"}
        assert {c.status for c in commitments} >= {"open", "done"}
