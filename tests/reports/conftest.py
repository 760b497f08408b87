"""A small organisation whose KPIs are worked out by hand (tests/reports/test_kpis.py).

The day reported is 30 June 2026, in an organisation on UTC. Cohort "Pilot" of program
"Reverse" (monthly sessions, 6 planned) started on 1 January 2026.
"""

import io
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command

from directory.models import Department, Employee, EmployeeDemographics, JobLevelChange
from matching.models import MatchRun, Pair
from organizations.models import Organization
from organizations.tenancy import tenant_context
from programs.models import (
    Audience,
    Cohort,
    Participant,
    Program,
    Topic,
    TrainingCompletion,
    TrainingModule,
)
from sessions.models import Commitment, Goal, MentoringSession
from surveys.models import Answer, Concern, Question, Response, Schedule, Survey
from tests.organizations.factories import OrganizationFactory
from tests.reports.helpers import START, at


@pytest.fixture(scope="module")
def hand_module(django_db_setup, django_db_blocker):
    """The organisation and its June snapshots (a weekly backfill), built once for a
    module's tests (each test still runs in its own transaction, rolled back); the
    module's end empties the database again, as the demo fixture does."""
    with django_db_blocker.unblock():
        acme = OrganizationFactory(slug="acme", name="Acme", time_zone="UTC")
        # Made before the days it reports (the backfill refuses days before that).
        Organization.objects.filter(pk=acme.pk).update(created_at=datetime(2026, 1, 1, tzinfo=UTC))
        with tenant_context(organization=acme):
            built = _build(acme)
        call_command(
            "snapshots_backfill", "acme", "2026-06-01", "2026-06-30", "--every", "7",
            stdout=io.StringIO(),
        )  # fmt: skip
    yield {key: value.pk for key, value in built.items() if key != "employees"}
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)


@pytest.fixture
def hand(hand_module, acme):
    """The hand-worked organisation, read afresh for each test (inside its tenant)."""
    with tenant_context(organization=acme):
        yield {
            "program": Program.objects.get(pk=hand_module["program"]),
            "cohort": Cohort.objects.get(pk=hand_module["cohort"]),
            "topic": Topic.objects.get(pk=hand_module["topic"]),
            "employees": {e.employee_number: e for e in Employee.objects.all()},
        }


def _build(acme):
    sales = Department.objects.create(organization=acme, name="Sales")
    eng = Department.objects.create(organization=acme, name="Engineering")
    program = Program.objects.create(
        organization=acme, name="Reverse", start_date=START, end_date=date(2026, 6, 30),
        sessions_per_month=1, planned_sessions=6,
    )  # fmt: skip
    cohort = Cohort.objects.create(
        organization=acme, program=program, name="Pilot", start_date=START,
        end_date=date(2026, 6, 30),
    )  # fmt: skip
    topic = Topic.objects.create(organization=acme, name="Generative AI tools")

    def employee(key, department, level, born=1990, left=None, hired="2020-01-01"):
        return Employee.objects.create(
            organization=acme, employee_number=key, name=key, department=department,
            job_level=level, birth_year=born, hire_date=date.fromisoformat(hired),
            termination_date=date.fromisoformat(left) if left else None,
        )  # fmt: skip

    e = {
        # participants: mentors m1-m3, mentees e1-e3, and two who never joined a pair
        "m1": employee("m1", sales, 3, born=1999),  # promoted 2 -> 3 on 1 March
        "m2": employee("m2", eng, 2, born=1998, left="2026-05-01"),
        "m3": employee("m3", sales, 1, born=2000),
        "e1": employee("e1", eng, 8, born=1975),
        "e2": employee("e2", sales, 8, born=1970),
        "e3": employee("e3", sales, 9, born=1985),
        "p5": employee("p5", sales, 4),
        "p6": employee("p6", sales, 4),
        # the comparison group: nobody here takes part
        "c1": employee("c1", sales, 2, left="2026-03-01"),
        "c2": employee("c2", sales, 3),  # promoted 2 -> 3 on 1 April
        "c3": employee("c3", sales, 2),
        "c4": employee("c4", sales, 2),
        "c5": employee("c5", eng, 2),  # promoted 1 -> 2 before the cohort began
        "c6": employee("c6", eng, 2),
        "c7": employee("c7", sales, 8),
        "c8": employee("c8", eng, 8, left="2026-02-01"),
        # hired after the start: in no one's comparison group
        "c9": employee("c9", sales, 2, hired="2026-02-01"),
    }
    # More colleagues who stayed, so that each comparison cell has at least five people
    # (a smaller cell does not count): Sales 2 has six, Engineering 2, Sales 8 and
    # Engineering 8 five each.
    for n, (department, level) in enumerate(
        [(sales, 2)] * 2 + [(eng, 2)] * 3 + [(sales, 8)] * 4 + [(eng, 8)] * 4, start=10
    ):
        e[f"c{n}"] = employee(f"c{n}", department, level)
    for key, old, new, on in [
        ("m1", 2, 3, "2026-03-01"),
        ("c2", 2, 3, "2026-04-01"),
        ("c5", 1, 2, "2025-06-01"),
    ]:
        JobLevelChange.objects.create(
            organization=acme, employee=e[key], from_level=old, to_level=new,
            changed_on=date.fromisoformat(on),
        )  # fmt: skip
    for key, gender in [("m1", "woman"), ("e1", "man")]:
        EmployeeDemographics.objects.create(
            organization=acme, employee=e[key], consent_given_at=at("2025-12-01"), gender=gender
        )

    people = {}
    approved = {"status": Participant.Status.APPROVED, "applied_at": at("2025-12-10"),
                "decided_at": at("2025-12-15")}  # fmt: skip
    for key, role, extra in [
        ("m1", "mentor", approved), ("m2", "mentor", approved), ("m3", "mentor", approved),
        ("e1", "mentee", approved), ("e2", "mentee", approved), ("e3", "mentee", approved),
        ("p5", "mentee", {"status": Participant.Status.INVITED}),
        ("p6", "mentee", {"status": Participant.Status.REJECTED,
                          "applied_at": at("2025-12-05"), "decided_at": at("2025-12-06")}),
    ]:  # fmt: skip
        people[key] = Participant.objects.create(
            organization=acme, program=program, cohort=cohort, employee=e[key], role=role,
            **extra,
        )  # fmt: skip
    Participant.objects.update(invited_at=at("2025-12-01"))

    run = MatchRun.objects.create(
        organization=acme, cohort=cohort, status=MatchRun.Status.PUBLISHED
    )

    def pair(mentor, mentee, ended=None):
        return Pair.objects.create(
            organization=acme, run=run, program=program, cohort=cohort,
            mentor=people[mentor], mentee=people[mentee], score=1, explanation="",
            status=Pair.Status.ENDED if ended else Pair.Status.ACTIVE,
            published_at=at("2026-01-10"), ended_at=at(ended) if ended else None,
        )  # fmt: skip

    a, b, c = pair("m1", "e1"), pair("m2", "e2", ended="2026-05-01"), pair("m3", "e3")

    def session(p, day, status=MentoringSession.Status.HELD):
        MentoringSession.objects.create(organization=acme, pair=p, starts_at=at(day), status=status)

    for month in range(2, 7):
        session(a, f"2026-0{month}-01")
    session(a, "2026-06-15", MentoringSession.Status.CANCELLED)
    session(a, "2026-07-01")  # the day after: not counted
    session(b, "2026-02-01")
    session(b, "2026-03-01")
    session(c, "2026-02-01")

    required = {"required_before_matching": True}
    everyone = TrainingModule.objects.create(
        organization=acme,
        program=program,
        title="Ground rules",
        audience=Audience.EVERYONE,
        **required,
    )
    for_mentors = TrainingModule.objects.create(
        organization=acme,
        program=program,
        title="Feedback upward",
        audience=Audience.MENTORS,
        **required,
    )
    # Optional: nobody does it, and it makes nobody less trained (TRAINED_MEANS).
    TrainingModule.objects.create(
        organization=acme, program=program, title="Further reading", audience=Audience.EVERYONE
    )
    for key, module, on in [
        ("m1", everyone, "2025-12-20"), ("m1", for_mentors, "2025-12-21"),
        ("m2", everyone, "2025-12-20"), ("e1", everyone, "2025-12-20"),
        ("e3", everyone, "2026-07-15"),  # after the day
    ]:  # fmt: skip
        done = TrainingCompletion.objects.create(
            organization=acme, participant=people[key], module=module
        )
        TrainingCompletion.objects.filter(pk=done.pk).update(completed_at=at(on))

    for p, done_on in [(a, "2026-03-01"), (a, "2026-05-01"), (a, None), (b, None)]:
        goal = Goal.objects.create(
            organization=acme, pair=p, title="A goal",
            status=Goal.Status.DONE if done_on else Goal.Status.OPEN,
            done_at=at(done_on) if done_on else None,
        )  # fmt: skip
        Goal.objects.filter(pk=goal.pk).update(created_at=at("2026-02-01"))
    Goal.objects.create(organization=acme, pair=a, title="Set after the day")  # created now

    for p, who, theme, status in [
        (a, "e1", "tool", Commitment.Status.DONE),
        (a, "e1", "habit", Commitment.Status.OPEN),
        (c, "e3", "tool", Commitment.Status.DROPPED),
    ]:
        made = Commitment.objects.create(
            organization=acme, pair=p, participant=people[who], text="Try", theme=theme,
            status=status,
        )  # fmt: skip
        Commitment.objects.filter(pk=made.pk).update(created_at=at("2026-03-01"))

    _surveys(acme, program, cohort, topic)
    for week, status in [("2026-W10", "resolved"), ("2026-W12", "new"), ("2026-W40", "new")]:
        Concern.objects.create(
            organization=acme, program=program, text="Worried", week=week, status=status
        )
    return {"program": program, "cohort": cohort, "topic": topic, "employees": e}


def _surveys(acme, program, cohort, topic):
    end = Survey.objects.create(
        organization=acme, program=program, kind=Survey.Kind.END, title="End"
    )
    satisfied = Question.objects.create(
        organization=acme, survey=end, position=0, type="agreement", text="Overall"
    )
    other = Question.objects.create(
        organization=acme, survey=end, position=1, type="agreement", text="Other"
    )
    nps = Question.objects.create(organization=acme, survey=end, position=2, type="nps", text="N")
    end_skills = Question.objects.create(
        organization=acme, survey=end, position=3, type="skills", text="S"
    )
    baseline = Survey.objects.create(
        organization=acme, program=program, kind=Survey.Kind.BASELINE, title="Baseline"
    )
    base_skills = Question.objects.create(
        organization=acme, survey=baseline, position=0, type="skills", text="S"
    )

    def respond(survey, role, week, answers):
        schedule, _ = Schedule.objects.get_or_create(
            organization=acme, survey=survey, cohort=cohort,
            defaults={"anchor": "cohort_end", "offset_days": 0},
        )  # fmt: skip
        response = Response.objects.create(
            organization=acme, schedule=schedule, cohort=cohort, role=role, week=week
        )
        for question, value in answers:
            Answer.objects.create(
                organization=acme, response=response, question=question, value=value
            )

    t = str(topic.pk)
    for score, recommend in [(5, 10), (4, 9), (3, 6), (5, 8)]:
        respond(end, "mentee", "2026-W25", [(satisfied, score), (other, 1), (nps, recommend)])
    respond(end, "mentee", "2026-W30", [(satisfied, 1), (nps, 0)])  # after the day
    respond(end, "mentee", "2026-W26", [(end_skills, {t: 4})])
    respond(end, "mentee", "2026-W26", [(end_skills, {t: 4})])
    respond(baseline, "mentee", "2026-W01", [(base_skills, {t: 2})])
    respond(baseline, "mentee", "2026-W01", [(base_skills, {t: 3})])
    respond(baseline, "mentor", "2026-W01", [(base_skills, {t: 4})])
