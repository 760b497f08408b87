"""The KPI formulas on plain numbers worked out by hand (reports.formulas): no database."""

import pytest

from reports.formulas import (
    ComparisonCell,
    Participation,
    Taking,
    add,
    generation,
    net_promoter_score,
    nps_figures,
    pair_figures,
    participation,
    people_in_pairs,
    ratio,
    satisfaction_figures,
    skills_figures,
    standardised_retention,
    training_figures,
)

# --- Shares -------------------------------------------------------------------------------


def test_a_ratio_is_a_percentage_and_none_without_a_denominator():
    assert ratio(3, 4) == 75
    assert ratio(None, 4) == 0
    assert ratio(3, 0) is None
    assert ratio(3, None) is None


def test_the_net_promoter_score_is_promoters_less_detractors_in_points():
    assert net_promoter_score(5, 2, 10) == 30
    assert net_promoter_score(0, 4, 4) == -100
    assert net_promoter_score(None, None, 3) == 0
    assert net_promoter_score(1, 0, 0) is None


def test_figures_add_key_by_key_and_nested():
    into = {"a": 1, "n": {"x": 1}}
    assert add(into, {"a": 2, "b": 3, "n": {"x": 1, "y": 5}}) == {
        "a": 3, "b": 3, "n": {"x": 2, "y": 5},
    }  # fmt: skip
    assert add({}, {}) == {}


@pytest.mark.parametrize(
    ("year", "name"),
    [(None, "unknown"), (2000, "gen_z"), (1997, "gen_z"), (1996, "millennials"),
     (1965, "gen_x"), (1946, "boomers"), (1945, "silent")],
)  # fmt: skip
def test_a_generation_by_birth_year(year, name):
    assert generation(year) == name


# --- Pairs, training --------------------------------------------------------------------------


def test_people_in_pairs_count_each_person_once_per_cohort():
    assert people_in_pairs([(1, 10, 20), (1, 10, 21), (2, 10, 20)]) == {1: 3, 2: 2}
    assert people_in_pairs([]) == {}


def test_pairs_across_departments_need_both_departments_known_and_different():
    found = pair_figures(
        [
            (1, True, "Sales", "Engineering"),
            (1, False, "Engineering", "Sales"),
            (1, True, "Sales", "Sales"),
            (1, True, None, "Sales"),
        ]
    )
    assert found == {
        1: {
            "pairs_started": 4, "pairs_active": 3, "pairs_cross_department": 2,
            "network": {"Engineering|Sales": 2},
        }
    }  # fmt: skip
    assert pair_figures([]) == {}


def test_training_counts_only_people_with_modules_to_do():
    # Cohort 1: one done (2 of 2), one behind (1 of 2), one with nothing to do.
    found = training_figures([(1, 2, 2), (1, 2, 1), (1, 0, 0), (2, 1, 3)])
    assert found == {
        1: {"training_people": 2, "training_complete": 1},
        2: {"training_people": 1, "training_complete": 1},
    }
    assert training_figures([(1, 0, 5)]) == {}


# --- Surveys --------------------------------------------------------------------------------


def test_satisfaction_counts_four_and_five_of_five():
    found = satisfaction_figures([(1, 5, 2), (1, 4, 1), (1, 3, 3), (1, "n/a", 7)])
    assert found == {1: {"satisfaction_answers": 6, "satisfied": 3}}
    assert satisfaction_figures([(1, None, 2)]) == {}


def test_nps_counts_promoters_nine_and_ten_detractors_six_and_under():
    found = nps_figures([(1, 10, 2), (1, 9, 1), (1, 8, 4), (1, 7, 1), (1, 6, 2), (1, 0, 1)])
    assert found == {1: {"nps_answers": 11, "promoters": 3, "detractors": 3}}
    assert nps_figures([]) == {}


def test_skills_sum_the_levels_one_to_five_per_role_topic_and_stage():
    found = skills_figures(
        [
            (1, "mentor", "baseline", {"7": 2, "8": 9}),
            (1, "mentor", "baseline", {"7": 3}),
            (1, "mentor", "end", {7: 5, "8": "x"}),
            (1, "mentee", "end", "not a grid"),
        ]
    )
    assert found == {
        1: {"skills": {"mentor": {"7": {
            "baseline_sum": 5, "baseline_n": 2, "end_sum": 5, "end_n": 1,
        }}}}
    }  # fmt: skip


# --- Retention: direct standardisation ---------------------------------------------------------


def test_retention_is_standardised_on_each_participants_own_stratum():
    # Sales 2: 6 colleagues, 5 kept, 1 promoted; Engineering 8: 5 colleagues, 4 kept.
    comparison = {
        ("Sales", 2): ComparisonCell(people=6, kept=5, promoted=1),
        ("Engineering", 8): ComparisonCell(people=5, kept=4, promoted=0),
    }
    participants = [
        Participation(("Sales", 2), kept=True, promoted=True, mentor=True),
        Participation(("Sales", 2), kept=False, promoted=False, mentor=False),
        Participation(("Engineering", 8), kept=True, promoted=False, mentor=True),
    ]
    found = standardised_retention(participants, comparison, least=5)
    assert found["retention_people"] == 3
    assert found["retention_kept"] == 2
    # Expected kept: 5/6 for each Sales participant, 4/5 for the engineer.
    assert found["retention_expected"] == pytest.approx(5 / 6 + 5 / 6 + 4 / 5)
    # Comparison people of the strata matched, each stratum once.
    assert found["retention_comparison"] == 6 + 5
    assert found["promotion_people"] == 2
    assert found["promotion_promoted"] == 1
    assert found["promotion_expected"] == pytest.approx(1 / 6 + 0 / 5)


def test_a_stratum_missing_on_either_side_is_left_out_of_both():
    comparison = {
        ("Sales", 2): ComparisonCell(6, 6, 0),
        ("Legal", 4): ComparisonCell(9, 8, 1),  # no participant: not compared with
    }
    participants = [
        Participation(("Sales", 2), kept=True, promoted=False, mentor=False),
        Participation(("Finance", 1), kept=False, promoted=False, mentor=True),  # no colleagues
    ]
    found = standardised_retention(participants, comparison, least=5)
    assert found == {
        "retention_people": 1, "retention_kept": 1, "retention_expected": 1.0,
        "retention_comparison": 6,
    }  # fmt: skip


def test_a_stratum_under_the_threshold_does_not_count():
    comparison = {("Sales", 2): ComparisonCell(4, 4, 0)}
    participants = [Participation(("Sales", 2), kept=True, promoted=False, mentor=True)]
    assert standardised_retention(participants, comparison, least=5) == {"retention_comparison": 0}


def test_no_participants_or_no_comparison_give_a_zero_comparison_and_nothing_else():
    assert standardised_retention([], {("Sales", 2): ComparisonCell(9, 9, 0)}, least=5) == {
        "retention_comparison": 0
    }
    participants = [Participation(("Sales", 2), kept=True, promoted=False, mentor=False)]
    assert standardised_retention(participants, {}, least=5) == {"retention_comparison": 0}


def test_an_empty_stratum_never_divides_by_zero_even_with_no_threshold():
    comparison = {("Sales", 2): ComparisonCell(0, 0, 0)}
    participants = [Participation(("Sales", 2), kept=True, promoted=False, mentor=True)]
    assert standardised_retention(participants, comparison, least=0) == {"retention_comparison": 0}


# --- Who takes part ------------------------------------------------------------------------------


def test_participation_counts_a_person_once_per_role_and_their_answers_once():
    def taking(cohort, employee, role, answers=()):
        return Taking(cohort, 1, employee, role, "Sales", "3", "gen_z", answers)

    rows = [
        taking(1, 10, "mentor", (("gender", "woman"),)),
        taking(2, 10, "mentor", (("gender", "woman"),)),  # the same person, another cohort
        taking(2, 10, "mentee", (("gender", "woman"),)),  # the same person, another role
        taking(1, 11, "mentee"),
    ]
    assert participation(rows) == {
        "by_department": {"Sales": {"mentor": 1, "mentee": 2}},
        "by_level": {"3": {"mentor": 1, "mentee": 2}},
        "by_generation": {"gen_z": {"mentor": 1, "mentee": 2}},
        "inclusion": {"gender": {"woman": 1}},
    }
    assert participation([]) == {}
