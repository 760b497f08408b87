"""The suppression rules on plain numbers (organizations.suppression): no database."""

from types import SimpleNamespace

import pytest

from organizations.suppression import (
    ROOT,
    group_key,
    hidden_groups,
    hide_small,
    in_group,
    report_min_group,
    survey_min_group,
)


@pytest.mark.parametrize(
    ("setting", "survey", "report"),
    [(None, 5, 5), (0, 5, 5), (2, 3, 5), (3, 3, 5), (5, 5, 5), (7, 7, 7)],
)
def test_the_report_threshold_is_never_below_five_nor_the_survey_one_below_three(
    setting, survey, report
):
    organization = SimpleNamespace(survey_min_group=setting)
    assert survey_min_group(organization) == survey
    assert report_min_group(organization) == report


def test_an_organisation_without_the_setting_has_the_default():
    assert survey_min_group(object()) == 5


def test_nothing_to_hide_when_every_group_is_large_enough_or_empty():
    assert hide_small({}, 5) == {}
    assert hide_small({"a": 0, "b": 0}, 5) == {"a": False, "b": False}
    assert hide_small({"a": 5, "b": 9}, 5) == {"a": False, "b": False}


def test_one_small_group_takes_the_next_smallest_with_it():
    # Hiding a (4) alone: the total 4 + 6 + 20 less the shown 26 gives it back.
    assert hide_small({"a": 4, "b": 6, "c": 20}, 5) == {"a": True, "b": True, "c": False}


def test_two_small_groups_that_together_reach_the_threshold_hide_nothing_more():
    assert hide_small({"a": 2, "b": 3, "c": 20}, 5) == {"a": True, "b": True, "c": False}


def test_a_lone_small_group_with_nothing_to_hide_it_behind_is_hidden_alone():
    assert hide_small({"a": 3}, 5) == {"a": True}
    assert hide_small({"a": 3, "b": 0}, 5) == {"a": True, "b": False}


def test_a_group_key_orders_its_constraints_by_dimension():
    assert group_key([("role", "mentor"), ("cohort", 3)]) == (("cohort", 3), ("role", "mentor"))
    assert in_group((3, "mentor", "", None), (("cohort", 3), ("role", "mentor")))
    assert not in_group((4, "mentor", "", None), (("cohort", 3),))
    assert in_group((4, "mentee", "Sales", 2), ROOT)


def _roles(cohort=None):
    scope = () if cohort is None else (("cohort", cohort),)
    return [group_key(scope + (("role", role),)) for role in ("mentor", "mentee")]


def test_a_small_role_hides_the_other_role_too():
    # 10 mentors and 3 mentees in one cohort: showing everyone and the mentors would give
    # the mentees away by subtraction.
    atoms, sizes = [(1, "mentor", "", None), (1, "mentee", "", None)], [10, 3]
    cells = _roles()
    hidden = hidden_groups(
        atoms=atoms, sizes=sizes, groups=[ROOT, *cells], breakdowns=[(ROOT, cells)], threshold=5
    )
    assert hidden == set(cells)


def test_groups_large_enough_on_both_sides_all_show():
    atoms, sizes = [(1, "mentor", "", None), (1, "mentee", "", None)], [6, 5]
    cells = _roles()
    hidden = hidden_groups(
        atoms=atoms, sizes=sizes, groups=[ROOT, *cells], breakdowns=[(ROOT, cells)], threshold=5
    )
    assert hidden == set()


def test_everyone_under_the_threshold_hides_everyone_and_the_empty_cells_under_it():
    atoms, sizes = [(1, "mentor", "", None)], [4]
    cells = _roles()
    hidden = hidden_groups(
        atoms=atoms, sizes=sizes, groups=[ROOT, *cells], breakdowns=[(ROOT, cells)], threshold=5
    )
    assert hidden == {ROOT, *cells}


def test_no_answers_hide_nothing():
    cells = _roles()
    hidden = hidden_groups(
        atoms=[], sizes=[], groups=[ROOT, *cells], breakdowns=[(ROOT, cells)], threshold=5
    )
    assert hidden == set()
