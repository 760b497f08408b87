"""The scale organisation (benchmarks.scale), made small: the counts asked for, data that
hangs together, and the same data for the same seed."""

import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from benchmarks.scale import ScaleError, Sizes, scale_organization_create
from directory.models import Employee, EmployeeDemographics, JobLevelChange
from matching.models import MatchRun, Pair
from organizations.models import Organization
from organizations.tenancy import tenant_context
from programs.models import Cohort, Participant, ProgramTopic
from reports import formulas, kpis
from sessions.models import MentoringSession, Reflection
from surveys.models import Answer, Assignment, Question, Response, Schedule, Survey

TODAY = date(2026, 11, 27)
SMALL = Sizes(employees=1500, pairs=30, sessions=200, answers=1000)


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def small(django_db_setup, django_db_blocker):
    """Made once for the module (and committed, so the database checks its keys): each
    test runs in its own transaction, rolled back; the module's end empties the database
    again, as the demo's module fixture does."""
    with django_db_blocker.unblock():
        result = scale_organization_create(slug="scale-test", sizes=SMALL, seed=3, today=TODAY)
    yield result
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)


def test_it_makes_exactly_the_sizes_asked_for(small):
    with tenant_context(organization=small.organization):
        assert Employee.objects.count() == SMALL.employees
        assert Pair.objects.count() == 30
        assert MentoringSession.objects.count() == 200
        assert Answer.objects.count() == 1000
        approved = Participant.objects.filter(status=Participant.Status.APPROVED)
        assert approved.filter(role=Participant.Role.MENTOR).count() == 30
        assert approved.filter(role=Participant.Role.MENTEE).count() == 30
    assert small.counts["answers"] == 1000
    assert set(small.timings) >= {"directory", "programs", "matching", "sessions", "surveys"}


def test_the_directory_has_reporting_lines_levels_leavers_and_promotions(small):
    with tenant_context(organization=small.organization):
        people = {e.pk: e for e in Employee.objects.all()}
        chiefs = [e for e in people.values() if e.manager_id is None]
        assert len(chiefs) == 1
        for employee in people.values():
            seen, boss = set(), employee
            while boss.manager_id is not None:  # every line ends at the chief, no cycles
                assert boss.pk not in seen
                seen.add(boss.pk)
                manager = people[boss.manager_id]
                assert manager.job_level >= boss.job_level
                boss = manager
            assert boss == chiefs[0]
            assert 1 <= employee.job_level <= 9
            assert 1960 <= employee.birth_year <= 2004
            assert TODAY - timedelta(days=15 * 366) <= employee.hire_date <= TODAY
            if employee.termination_date:
                assert employee.hire_date < employee.termination_date < TODAY
                assert employee.termination_date >= TODAY - timedelta(days=731)
        left = sum(1 for e in people.values() if e.termination_date)
        assert 0.06 * len(people) <= left <= 0.15 * len(people)
        changes = list(JobLevelChange.objects.all())
        assert changes
        for change in changes:
            assert change.from_level < change.to_level == people[change.employee_id].job_level
        assert EmployeeDemographics.objects.count() == 0.3 * SMALL.employees
        assert not EmployeeDemographics.objects.filter(consent_given_at__isnull=True).exists()


def test_pairs_are_two_approved_people_of_their_cohort_mostly_across_departments(small):
    with tenant_context(organization=small.organization):
        pairs = Pair.objects.select_related(
            "run", "mentor__employee", "mentee__employee", "cohort"
        ).all()
        crossing = 0
        for pair in pairs:
            assert pair.mentor.cohort_id == pair.mentee.cohort_id == pair.cohort_id
            assert pair.run.cohort_id == pair.cohort_id
            assert pair.run.status == MatchRun.Status.PUBLISHED
            assert pair.program_id == pair.cohort.program_id
            assert (pair.mentor.role, pair.mentee.role) == ("mentor", "mentee")
            assert {pair.mentor.status, pair.mentee.status} == {Participant.Status.APPROVED}
            assert pair.mentor.invited_at < pair.mentor.applied_at < pair.mentor.decided_at
            assert pair.mentee.decided_at < pair.published_at
            assert pair.status in (Pair.Status.ACTIVE, Pair.Status.ENDED)
            assert (pair.status == Pair.Status.ENDED) == (pair.ended_at is not None)
            crossing += pair.mentor.employee.department_id != pair.mentee.employee.department_id
        assert crossing >= 0.8 * len(pairs)
        assert MatchRun.objects.count() == Cohort.objects.count()


def test_sessions_fall_in_their_pairs_lives(small):
    now = TODAY
    with tenant_context(organization=small.organization):
        for session in MentoringSession.objects.select_related("pair"):
            pair = session.pair
            assert session.starts_at > pair.published_at
            if session.status == MentoringSession.Status.SCHEDULED:
                assert session.starts_at.date() > now
                continue
            assert session.starts_at.date() < now
            if pair.ended_at:
                assert session.starts_at < pair.ended_at
            if session.status == MentoringSession.Status.HELD:
                assert session.logged_at > session.starts_at
                assert session.logged_by_id in (pair.mentor_id, pair.mentee_id)
        held = MentoringSession.objects.filter(status=MentoringSession.Status.HELD).count()
        assert held >= 0.8 * 200
        for reflection in Reflection.objects.select_related("session__pair"):
            pair = reflection.session.pair
            assert reflection.participant_id in (pair.mentor_id, pair.mentee_id)
            assert 1 <= reflection.rating <= 5


def test_survey_answers_belong_to_their_survey_and_anonymous_ones_name_nobody(small):
    with tenant_context(organization=small.organization):
        assert Schedule.objects.count() == 3 * Cohort.objects.count()
        topics = {}
        for link in ProgramTopic.objects.all():
            topics.setdefault(link.program_id, set()).add(str(link.topic_id))
        for response in Response.objects.select_related("schedule__survey"):
            survey = response.schedule.survey
            assert response.cohort_id == response.schedule.cohort_id
            assert re.fullmatch(r"\d{4}-W\d{2}", response.week)
            if survey.anonymous:
                assert response.participant_id is None and response.department == ""
            else:
                assert response.participant.cohort_id == response.cohort_id
        answers = Answer.objects.select_related("question__survey", "response__schedule")
        for answer in answers:
            assert answer.question.survey_id == answer.response.schedule.survey_id
            if answer.question.type == Question.Type.SKILLS:
                assert set(answer.value) == topics[answer.question.survey.program_id]
                assert all(1 <= level <= 5 for level in answer.value.values())
            elif answer.question.type == Question.Type.AGREEMENT:
                assert 1 <= answer.value <= 5
            elif answer.question.type == Question.Type.NPS:
                assert 0 <= answer.value <= 10
        pulse = Answer.objects.filter(question__survey__kind=Survey.Kind.PULSE).count()
        assert pulse > Answer.objects.count() / 2
        for schedule in Schedule.objects.all():
            answered = Assignment.objects.filter(schedule=schedule, answered=True).count()
            assert answered == Response.objects.filter(schedule=schedule).count()


def test_every_cohort_kpi_finds_something_to_count(small):
    organization = small.organization
    organization.refresh_from_db()
    asof = kpis.AsOf(organization, TODAY)

    def some_number(figures) -> bool:
        return any(some_number(v) if isinstance(v, dict) else v for v in figures.values())

    with tenant_context(organization=organization):
        for kpi in kpis.COHORT_KPIS:
            found = {}
            for figures in kpi(asof).values():
                formulas.add(found, figures)
            assert some_number(found), kpi.__name__


def test_the_same_seed_gives_the_same_organisation(small):
    again = scale_organization_create(slug="scale-again", sizes=SMALL, seed=3, today=TODAY)

    def fingerprint(organization):
        with tenant_context(organization=organization):
            return (
                list(
                    Employee.objects.order_by("employee_number").values_list(
                        "employee_number", "name", "job_level", "hire_date", "termination_date"
                    )
                ),
                list(
                    MentoringSession.objects.order_by(
                        "starts_at", "pair__mentor__employee_id"
                    ).values_list("starts_at", "status", "pair__mentee__employee__employee_number")
                ),
                sorted(Answer.objects.values_list("question__text", "response__week")),
            )

    assert fingerprint(small.organization) == fingerprint(again.organization)


def test_a_taken_slug_is_refused_unless_replaced(small):
    with pytest.raises(ScaleError):
        scale_organization_create(slug="scale-test", sizes=SMALL, seed=3, today=TODAY)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("generate_scale_org", slug="scale-test", employees=300, stdout=out)
    call_command(
        "generate_scale_org",
        slug="scale-test",
        employees=300,
        pairs=30,
        sessions=200,
        answers=1000,
        seed=4,
        today=TODAY,
        replace=True,
        stdout=out,
    )
    assert "total" in out.getvalue()
    replaced = Organization.objects.get(slug="scale-test")
    assert replaced.pk != small.organization.pk
    assert not Organization.objects.filter(pk=small.organization.pk).exists()
    with tenant_context(organization=replaced):
        assert Employee.objects.count() == 300
        assert Answer.objects.count() == 1000
