"""What kind of question it is, asked of a question and of its results alike."""

import pytest

from surveys.models import Concern, Question
from surveys.selectors.results import QuestionResult, Value

PREDICATES = ["is_agreement", "is_nps", "is_single", "is_multiple", "is_text", "is_skills"]


@pytest.mark.parametrize("type_", Question.Type)
def test_a_question_and_its_results_name_the_same_type(type_):
    question = Question(type=type_)
    result = QuestionResult(0, 1, "", "", type_, "", [], None, [])
    assert [name for name in PREDICATES if getattr(question, name)] == [f"is_{type_}"]
    assert [name for name in PREDICATES if getattr(result, name)] == [f"is_{type_}"]


def test_a_breakdown_value_says_how_it_is_shown():
    assert Value("hidden").is_hidden and not Value("decimal", 1.0).is_hidden
    assert Value("decimal", 1.0).is_decimal and not Value("percent", 5).is_decimal
    assert Value("percent", 5).is_percent and not Value("number", 5).is_percent


def test_only_a_resolved_concern_is_resolved():
    assert Concern(status="resolved").is_resolved
    assert not Concern(status="following_up").is_resolved


def test_a_concern_is_dated_by_the_monday_of_its_week_not_an_iso_week():
    from datetime import date

    assert Concern(week="2026-W50").week_start == date(2026, 12, 7)
    assert Concern(week="garbled").week_start is None
