"""Every KPI against a small dataset whose numbers are worked out by hand below.

The day reported is 30 June 2026, in an organisation on UTC. Cohort "Pilot" of program
"Reverse" (monthly 60-minute sessions, 6 planned) started on 1 January 2026.
"""

from datetime import UTC, date, datetime

import pytest

from matching.models import MatchRun, Pair
from organizations.models import Department, Employee, EmployeeDemographics, JobLevelChange
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
from reports import kpis
from sessions.models import Commitment, Goal, MentoringSession
from surveys.models import Answer, Concern, Question, Response, Schedule, Survey

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 30)
START = date(2026, 1, 1)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


@pytest.fixture
def hand(acme):
    acme.time_zone = "UTC"
    acme.save()
    with tenant_context(organization=acme):
        yield _build(acme)


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

    everyone = TrainingModule.objects.create(
        organization=acme, program=program, title="Ground rules", audience=Audience.EVERYONE
    )
    for_mentors = TrainingModule.objects.create(
        organization=acme, program=program, title="Feedback upward", audience=Audience.MENTORS
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


def _cohort_figures(kpi, acme, hand, day=DAY):
    return kpi(kpis.AsOf(acme, day)).get(hand["cohort"].pk, {})


def test_enrolment_counts_each_stage_by_its_own_date(acme, hand):
    # Entered: all 8; applied: the 6 approved and the rejected one; approved: 6;
    # in an active pair on 30 June: m1, e1 (pair a) and m3, e3 (pair c); b ended in May.
    assert _cohort_figures(kpis.enrolment, acme, hand) == {
        "invited": 8, "applied": 7, "approved": 6, "active": 4,
    }  # fmt: skip
    # On 12 December: nobody approved yet (decided on the 15th), no pair yet.
    assert _cohort_figures(kpis.enrolment, acme, hand, date(2025, 12, 12)) == {
        "invited": 8, "applied": 7, "approved": 0,
    }  # fmt: skip


def test_pairs_active_started_and_across_departments(acme, hand):
    # a: Sales-Engineering, b: Engineering-Sales (ended 1 May), c: Sales-Sales.
    assert _cohort_figures(kpis.pairs, acme, hand) == {
        "pairs_started": 3, "pairs_active": 2, "pairs_cross_department": 2,
        "network": {"Engineering|Sales": 2},
    }  # fmt: skip


def test_sessions_held_against_planned(acme, hand):
    # Held by 30 June: a 5 (the cancelled one and 1 July's do not count), b 2, c 1 = 8;
    # planned: 3 pairs x 6.
    assert _cohort_figures(kpis.sessions, acme, hand) == {
        "sessions_held": 8, "sessions_planned": 18,
    }  # fmt: skip


def test_cadence_kept_among_active_pairs(acme, hand):
    # Judged: the active pairs a and c. Paired 10 January, 172 days to the end of 30
    # June: 5 sessions expected at one a month. a held 5, the last on 1 June (on track);
    # c held 1 (behind).
    assert _cohort_figures(kpis.cadence_kept, acme, hand) == {
        "cadence_judged": 2, "cadence_kept": 1,
    }  # fmt: skip


def test_training_completion_by_role(acme, hand):
    # Mentors need both modules, mentees the one for everyone. Complete by 30 June: m1
    # (both) and e1; m2 did one of two; e3 finished in July.
    assert _cohort_figures(kpis.training, acme, hand) == {
        "training_people": 6, "training_complete": 2,
    }  # fmt: skip


def test_goals_completed(acme, hand):
    # Set by 30 June: 3 for a, 1 for b (the goal set today is later); done: 2.
    assert _cohort_figures(kpis.goals, acme, hand) == {"goals_set": 4, "goals_done": 2}


def test_commitments_per_theme(acme, hand):
    assert _cohort_figures(kpis.commitments, acme, hand) == {
        "commitments": {
            "tool": {"made": 2, "kept": 1, "dropped": 1},
            "habit": {"made": 1, "kept": 0, "dropped": 0},
        }
    }


def test_satisfaction_reads_the_first_agreement_question_of_the_end_survey(acme, hand):
    # 5, 4, 3, 5 by week 26: three of four at 4 or 5 (week 30's 1 comes later).
    assert _cohort_figures(kpis.satisfaction, acme, hand) == {
        "satisfaction_answers": 4, "satisfied": 3,
    }  # fmt: skip


def test_nps_counts_promoters_and_detractors(acme, hand):
    # 10, 9, 6, 8: two promoters, one detractor of four: NPS (2 - 1) / 4 = +25.
    found = _cohort_figures(kpis.nps, acme, hand)
    assert found == {"nps_answers": 4, "promoters": 2, "detractors": 1}
    from reports.measures import BY_KEY

    assert BY_KEY["nps"].value(found) == 25


def test_skill_growth_compares_the_end_with_the_baseline_per_role(acme, hand):
    t = str(hand["topic"].pk)
    found = _cohort_figures(kpis.skills, acme, hand)
    # Mentees: baseline (2 + 3) / 2 = 2.5, end (4 + 4) / 2 = 4.0: growth 1.5.
    assert found["skills"]["mentee"][t] == {
        "baseline_sum": 5, "baseline_n": 2, "end_sum": 8, "end_n": 2,
    }  # fmt: skip
    assert found["skills"]["mentor"][t] == {"baseline_sum": 4, "baseline_n": 1}


def test_retention_and_promotion_against_the_same_department_and_level(acme, hand):
    # Employed on 1 January, by (department, level then):
    #   m1 (Sales, 2: promoted to 3 later)  comparison c1-c4: 3 of 4 stayed, 1 promoted
    #   m2 (Engineering, 2), left in May     comparison c5, c6: both stayed, none promoted
    #   e1 (Engineering, 8)                  comparison c8, who left: 0 of 1
    #   e2 (Sales, 8)                        comparison c7: 1 of 1
    #   m3 (Sales, 1), e3 (Sales, 9): nobody to compare with, left out of both sides.
    # c9 was hired after the start; c5's promotion came before it.
    found = _cohort_figures(kpis.retention, acme, hand)
    assert found["retention_people"] == 4
    assert found["retention_kept"] == 3  # 75%
    assert found["retention_expected"] == pytest.approx(0.75 + 1 + 0 + 1)  # 68.75%
    assert found["retention_comparison"] == 4 + 2 + 1 + 1
    assert found["promotion_people"] == 2
    assert found["promotion_promoted"] == 1  # m1: 50%
    assert found["promotion_expected"] == pytest.approx(0.25 + 0)  # 12.5%


def test_participation_by_group_and_self_identified_inclusion(acme, hand):
    found = _cohort_figures(kpis.people, acme, hand)
    assert found["by_department"] == {
        "Sales": {"mentor": 2, "mentee": 2},
        "Engineering": {"mentor": 1, "mentee": 1},
    }
    assert found["by_generation"] == {"gen_z": {"mentor": 3}, "gen_x": {"mentee": 2},
                                      "millennials": {"mentee": 1}}  # fmt: skip
    assert found["by_level"] == {
        "3": {"mentor": 1}, "2": {"mentor": 1}, "1": {"mentor": 1},
        "8": {"mentee": 2}, "9": {"mentee": 1},
    }  # fmt: skip
    assert found["inclusion"] == {"gender": {"woman": 1, "man": 1}}


def test_concerns_are_counted_per_program(acme, hand):
    found = kpis.concerns(kpis.AsOf(acme, DAY))[hand["program"].pk]
    assert found == {"concerns_raised": 2, "concerns_resolved": 1}


def test_workforce_counts_the_people_employed_on_the_day(acme, hand):
    # 17 on the roster; m2, c1 and c8 had left by 30 June.
    found = kpis.workforce(acme, DAY)
    assert found["workforce"] == 14
    assert found["workforce_inclusion"]["gender"] == {"woman": 1, "man": 1}
