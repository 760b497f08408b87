from collections import Counter

import pytest

from demo.programs import ACME_PROGRAM, GLOBEX_PROGRAM, SLOTS
from matching.models import Pair
from organizations.models import Membership, Organization
from organizations.tenancy import tenant_context
from programs.eligibility import eligibility_problems
from programs.models import (
    Participant,
    ParticipantTopic,
    Program,
    ProgramManager,
    Topic,
)
from programs.services import SUGGESTED_TOPICS
from programs.training import trained_ids

pytestmark = pytest.mark.django_db

MENTOR, MENTEE = Participant.Role.MENTOR, Participant.Role.MENTEE


@pytest.fixture
def seeded(demo_module):
    return {slug: Organization.objects.get(slug=slug) for slug in ("acme", "globex")}


def _people(cohort) -> list[Participant]:
    return list(
        cohort.participants.select_related("employee__department", "program").prefetch_related(
            "topics"
        )
    )


def test_both_catalogues_hold_the_suggested_topics(seeded):
    for organization in seeded.values():
        with tenant_context(organization=organization):
            names = set(Topic.objects.values_list("name", flat=True))
        assert names == {name for name, _ in SUGGESTED_TOPICS}


def test_acme_pilot_is_approved_trained_matched_and_published(seeded):
    acme = seeded["acme"]
    with tenant_context(organization=acme):
        program = Program.objects.get(name=ACME_PROGRAM)
        assert program.status == Program.Status.ACTIVE
        assert program.direction == Program.Direction.REVERSE
        assert (program.sessions_per_month, program.session_minutes) == (1, 60)
        assert program.planned_sessions == 8
        assert 8 <= round(program.months) <= 10
        assert program.programtopic_set.count() == 6
        assert list(
            ProgramManager.objects.filter(program=program).values_list(
                "membership__user__email", flat=True
            )
        ) == ["manager@acme.example"]
        pilot = program.cohorts.get(name="Pilot")
        people = _people(pilot)

        assert Counter((p.role, p.status) for p in people) == {
            (MENTOR, Participant.Status.APPROVED): 20,
            (MENTEE, Participant.Status.APPROVED): 20,
        }
        assert trained_ids(people) == {p.pk for p in people}
        by_email = {p.employee.email: p for p in people}
        assert by_email["mentor@acme.example"].role == MENTOR
        assert by_email["mentee@acme.example"].role == MENTEE
        for role in (MENTOR, MENTEE):
            departments = {p.employee.department.name for p in people if p.role == role}
            assert len(departments) >= 5, role
        for person in people:
            assert not eligibility_problems(
                program=program, employee=person.employee, role=person.role
            )
            assert person.goals and person.languages[0] == "English"
            assert person.availability and set(person.availability) <= set(SLOTS)
            assert person.time_zone and person.ground_rules_accepted_at
            assert person.applied_at <= person.decided_at
            kinds = Counter(t.kind for t in person.topics.all())
            if person.role == MENTOR:
                assert kinds[ParticipantTopic.Kind.TEACH] >= 1
                assert not kinds[ParticipantTopic.Kind.LEARN]
                assert 1 <= person.capacity <= 2
            else:
                assert kinds[ParticipantTopic.Kind.LEARN] >= 1
                assert not kinds[ParticipantTopic.Kind.TEACH]
        assert any("German" in p.languages for p in people)

        # Matched and published: every mentee has a mentor; the demo logins are a pair.
        pairs = Pair.objects.filter(cohort=pilot, status=Pair.Status.ACTIVE)
        assert sorted(pairs.values_list("mentee_id", flat=True)) == sorted(
            p.pk for p in people if p.role == MENTEE
        )
        assert pairs.filter(
            mentor=by_email["mentor@acme.example"], mentee=by_email["mentee@acme.example"]
        ).exists()


def test_acme_wave_2_is_recruiting_with_applications_waiting(seeded):
    with tenant_context(organization=seeded["acme"]):
        program = Program.objects.get(name=ACME_PROGRAM)
        pilot, wave_2 = program.cohorts.get(name="Pilot"), program.cohorts.get(name="Wave 2")
        people = _people(wave_2)

        assert wave_2.self_nomination_open and not pilot.self_nomination_open
        assert pilot.start_date < wave_2.start_date < wave_2.end_date <= program.end_date
        assert Counter(p.status for p in people) == {
            Participant.Status.INVITED: 8,
            Participant.Status.APPLIED: 6,
            Participant.Status.REJECTED: 1,
        }
        assert {p.role for p in people} == {MENTOR, MENTEE}
        assert Counter(p.source for p in people)[Participant.Source.SELF_NOMINATED] == 1
        for person in people:
            if person.status == Participant.Status.APPLIED:
                assert person.applied_at and person.goals and person.topics.exists()
                assert person.decided_at is None
        (declined,) = [p for p in people if p.status == Participant.Status.REJECTED]
        assert declined.decision_message
        # Nobody is in both cohorts.
        assert not {p.employee_id for p in people} & {p.employee_id for p in _people(pilot)}


def test_globex_runs_a_smaller_mutual_program(seeded):
    with tenant_context(organization=seeded["globex"]):
        program = Program.objects.get()
        assert program.name == GLOBEX_PROGRAM
        assert program.direction == Program.Direction.MUTUAL
        assert program.status == Program.Status.RECRUITING
        manager = Membership.objects.get(programmanager__program=program)
        assert manager.user.email == "manager@globex.example"
        (cohort,) = program.cohorts.all()
        people = _people(cohort)

        assert Counter((p.role, p.status) for p in people) == {
            (MENTOR, Participant.Status.APPROVED): 6,
            (MENTEE, Participant.Status.APPROVED): 6,
        }
        assert {"mentor@globex.example", "mentee@globex.example"} <= {
            p.employee.email for p in people
        }
        for person in people:  # both teach, both learn
            assert {t.kind for t in person.topics.all()} == set(ParticipantTopic.Kind.values)
        assert trained_ids(people) == {p.pk for p in people}
