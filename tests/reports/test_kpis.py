"""Every KPI against a small dataset whose numbers are worked out by hand (the ``hand``
fixture in conftest.py: read it alongside)."""

from datetime import date

import pytest

from directory.models import Employee, EmployeeDemographics
from organizations.tenancy import tenant_context
from reports import formulas, kpis
from tests.reports.helpers import DAY, at

pytestmark = pytest.mark.django_db


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
    # Mentors need both required modules, mentees the one for everyone; nobody did the
    # optional one, which counts for nothing. Complete by 30 June: m1 (both) and e1; m2
    # did one of two; e3 finished in July.
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
    #   m1 (Sales, 2: promoted to 3 later)  comparison c1-c4, c10, c11: 5 of 6 stayed,
    #                                       1 of 6 promoted (c2)
    #   m2 (Engineering, 2), left in May     comparison c5, c6, c12-c14: 5 of 5 stayed
    #   e1 (Engineering, 8)                  comparison c8 (left), c19-c22: 4 of 5
    #   e2 (Sales, 8)                        comparison c7, c15-c18: 5 of 5
    #   m3 (Sales, 1), e3 (Sales, 9): nobody to compare with, left out of both sides.
    # c9 was hired after the start; c5's promotion came before it.
    found = _cohort_figures(kpis.retention, acme, hand)
    assert found["retention_people"] == 4
    assert found["retention_kept"] == 3  # 75%
    assert found["retention_expected"] == pytest.approx(5 / 6 + 1 + 4 / 5 + 1)  # 65.8%
    assert found["retention_comparison"] == 6 + 5 + 5 + 5
    assert found["promotion_people"] == 2
    assert found["promotion_promoted"] == 1  # m1: 50%
    assert found["promotion_expected"] == pytest.approx(1 / 6 + 0)  # 8.3%


def test_a_comparison_cell_smaller_than_five_does_not_count(acme, hand):
    with tenant_context(organization=acme):
        Employee.objects.filter(employee_number__in=["c10", "c11"]).delete()  # Sales 2: 4
        found = _cohort_figures(kpis.retention, acme, hand)
    # m1 has no comparison now: only m2, e1, e2 remain, and m2 is the only mentor.
    assert found["retention_people"] == 3
    assert found["retention_expected"] == pytest.approx(1 + 4 / 5 + 1)
    assert found["promotion_people"] == 1


def test_participation_counts_each_person_once_and_categories_only(acme, hand):
    with tenant_context(organization=acme):
        EmployeeDemographics.objects.filter(employee=hand["employees"]["e1"]).update(
            ethnicity="Sami"
        )
        taking = kpis.taking_part(kpis.AsOf(acme, DAY))
    found = formulas.participation(taking + taking)  # the same people, as if in two cohorts
    assert found["by_department"] == {
        "Sales": {"mentor": 2, "mentee": 2},
        "Engineering": {"mentor": 1, "mentee": 1},
    }
    assert found["by_generation"] == {
        "gen_z": {"mentor": 3},
        "gen_x": {"mentee": 2},
        "millennials": {"mentee": 1},
    }
    assert found["by_level"] == {
        "3": {"mentor": 1}, "2": {"mentor": 1}, "1": {"mentor": 1},
        "8": {"mentee": 2}, "9": {"mentee": 1},
    }  # fmt: skip
    # Gender only: the free-text background is never counted.
    assert found["inclusion"] == {"gender": {"woman": 1, "man": 1}}


def test_concerns_are_counted_per_program(acme, hand):
    found = kpis.concerns(kpis.AsOf(acme, DAY))[hand["program"].pk]
    assert found == {"concerns_raised": 2, "concerns_resolved": 1}


def test_workforce_counts_the_people_employed_on_the_day(acme, hand):
    # 30 on the roster; m2, c1 and c8 had left by 30 June.
    found = kpis.workforce(acme, DAY)
    assert found["workforce"] == 27
    assert found["workforce_inclusion"]["gender"] == {"woman": 1, "man": 1}


def test_workforce_counts_each_dimension_over_those_who_answered_it(acme, hand):
    people = hand["employees"]
    with tenant_context(organization=acme):
        for key, gender, disability, lgbtq in [
            ("c2", "woman", "yes", ""),
            ("c3", "", "no", "no"),
            ("c4", "non_binary", "yes", "prefer_not"),
            ("c1", "woman", "yes", "yes"),  # left in March: not on the roster
        ]:
            EmployeeDemographics.objects.create(
                organization=acme, employee=people[key], consent_given_at=at("2025-12-01"),
                gender=gender, disability=disability, lgbtq=lgbtq,
            )  # fmt: skip
        found = kpis.workforce(acme, DAY)["workforce_inclusion"]

    assert found == {
        "gender": {"woman": 2, "man": 1, "non_binary": 1},  # m1 and e1 answered before
        "disability": {"yes": 2, "no": 1},
        "lgbtq": {"no": 1, "prefer_not": 1},
        "first_generation": {},
    }
