"""Survey results: figures per question and group, small groups hidden everywhere (the
page, the CSV, under every filter) so that no subtraction brings them back, and the
success stories program managers curate.

Responses and answers are built directly, for constructed groups. The world
(tests/conftest.py): the Reverse program and its Pilot cohort, one topic.
"""

import itertools
import re
from datetime import date

import numpy as np
import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organizations import suppression
from organizations.models import Organization
from organizations.suppression import ROOT, hidden_groups, survey_min_group
from organizations.tenancy import tenant_context
from programs.models import Cohort, ProgramTopic, Topic
from surveys import stories
from surveys.models import Answer, Question, Story, Survey
from surveys.selectors.results import survey_results
from tests.organizations.factories import MembershipFactory
from tests.surveys.helpers import (
    assignment_for,
    csv_rows,
    people_in,
    response_with,
    responses_many,
    results_schedule,
    results_survey,
    results_url,
)

# --- Helpers ---------------------------------------------------------------------------


def _results(organization, survey, cohort_id=None):
    with tenant_context(organization=organization):
        return survey_results(survey, organization=organization, cohort_id=cohort_id)


def _question(results, type_):
    (question,) = [q for q in results.questions if q.type == type_]
    return question


def _cell(question, dimension, label):
    breakdown = next(b for b in question.breakdowns if b.dimension == dimension)
    (cell,) = [c for c in breakdown.cells if c.group.label == label]
    return cell


def _bars(figures):
    return {bar.label: bar.count for bar in figures.bars}


def _set_min_group(monkeypatch, organization, value):
    """The organisation's setting, as its admin would save it (the form refuses below 3;
    the results clamp anyway)."""
    Organization.objects.filter(pk=organization.pk).update(survey_min_group=value)
    organization.survey_min_group = value


def _rows(html):
    return [re.sub(r"\s+", " ", row) for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S)]


def _in_span(rows: list[list[int]], vector: list[int]) -> bool:
    matrix = np.array(rows, dtype=float)
    return np.linalg.matrix_rank(np.vstack([matrix, vector])) == np.linalg.matrix_rank(matrix)


def _recoverable_small_groups(atoms, sizes, shown_keys, threshold):
    """Brute force: every non-empty set of atoms with fewer than ``threshold`` people
    that some linear combination of the shown groups equals."""
    rows = [[1 if suppression.in_group(atom, key) else 0 for atom in atoms] for key in shown_keys]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    found = []
    for picked in itertools.product([0, 1], repeat=len(atoms)):
        small = sum(s for s, p in zip(sizes, picked, strict=True) if p) < threshold
        if any(picked) and small and _in_span(rows, list(picked)):
            found.append([a for a, p in zip(atoms, picked, strict=True) if p])
    return found


def _shown_everywhere(organization, survey, question_type):
    """The keys of every group whose figures show for a question, on the page under any
    filter and so in the CSV."""
    keys = set()
    scopes = [None] + [c for c, _name in _results(organization, survey).cohorts]
    for cohort_id in scopes:
        question = _question(_results(organization, survey, cohort_id), question_type)
        cells = [question.overall] + [c for b in question.breakdowns for c in b.cells]
        keys |= {cell.group.key for cell in cells if cell.status == "shown"}
    return keys


# --- Fixtures --------------------------------------------------------------------------


@pytest.fixture
def topics(acme, world):
    """The world's topic and a second one, both on the program."""
    with tenant_context(organization=acme):
        first = Topic.objects.get(name="Generative AI tools")
        second = Topic.objects.create(organization=acme, name="Spreadsheets")
        ProgramTopic.objects.create(organization=acme, program=world["program"], topic=second)
    return first, second


@pytest.fixture
def anonymous(acme, world):
    with tenant_context(organization=acme):
        survey = results_survey(acme, world["program"])
        return survey, results_schedule(survey, world["cohort"])


@pytest.fixture
def figures_data(acme, world, topics, anonymous):
    """Ten mentors and six mentees answered, of twelve and eight asked."""
    survey, schedule = anonymous
    first, second = (str(t.pk) for t in topics)
    cohort = world["cohort"]
    mentors = [
        {
            "agreement": agreement,
            "nps": nps,
            "single": "Time" if i < 6 else "Topics",
            "multiple": ["Skills", "Contacts"] if i < 5 else ["Skills"],
            "skills": {first: 4, second: 2} if i < 5 else {first: 2},
        }
        for i, (agreement, nps) in enumerate(
            zip([5, 5, 5, 4, 4, 4, 3, 3, 2, 1], [10, 10, 9, 9, 8, 7, 6, 5, 3, 0], strict=True)
        )
    ]
    mentees = [
        {
            "agreement": agreement,
            "nps": nps,
            "single": "Nothing",
            "multiple": ["Confidence"],
            "skills": {first: 5, second: 5},
        }
        for agreement, nps in zip([5, 4, 4, 3, 2, 1], [10, 9, 9, 9, 7, 2], strict=True)
    ]
    with tenant_context(organization=acme):
        for values in mentors:
            response_with(schedule, "mentor", values)
        for values in mentees:
            response_with(schedule, "mentee", values)
        asked_mentors = [world[n] for n in ("Ann", "Bea", "Cy")]
        asked_mentors += people_in(acme, cohort, "mentor", 9, "mentor")
        asked_mentees = [world["Dan"], world["Eve"]] + people_in(
            acme, cohort, "mentee", 6, "mentee"
        )
        for i, person in enumerate(asked_mentors):
            assignment_for(schedule, person, answered=i < 10)
        for i, person in enumerate(asked_mentees):
            assignment_for(schedule, person, answered=i < 6)
    return survey


# --- The threshold ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "expected"), [(None, 5), (5, 5), (7, 7), (3, 3), (2, 3), (0, 5)]
)
def test_the_threshold_is_five_unless_raised_and_never_below_three(setting, expected):
    assert survey_min_group(Organization(survey_min_group=setting)) == expected


# --- Figures ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_agreement_gives_the_distribution_mean_and_satisfaction(acme, figures_data):
    question = _question(_results(acme, figures_data), "agreement")

    overall = question.overall.figures
    assert question.overall.status == "shown"
    assert overall.answered == 16
    assert _bars(overall) == {"1": 2, "2": 2, "3": 3, "4": 5, "5": 4}
    assert overall.mean == pytest.approx(55 / 16)
    assert overall.satisfaction == pytest.approx(9 / 16)
    mentors = _cell(question, "role", "Mentor").figures
    assert _bars(mentors) == {"1": 1, "2": 1, "3": 2, "4": 3, "5": 3}
    assert mentors.satisfaction == pytest.approx(0.6)
    assert _cell(question, "role", "Mentee").figures.mean == pytest.approx(19 / 6)


@pytest.mark.django_db
def test_nps_is_promoters_minus_detractors(acme, figures_data):
    question = _question(_results(acme, figures_data), "nps")

    overall = question.overall.figures
    assert sum(_bars(overall).values()) == 16
    assert _bars(overall)["9"] == 5
    assert (overall.promoters, overall.detractors) == (8 / 16, 5 / 16)
    assert overall.nps == 19  # 18.75
    assert _cell(question, "role", "Mentor").figures.nps == 0
    assert _cell(question, "role", "Mentee").figures.nps == 50


@pytest.mark.django_db
def test_choices_are_counted(acme, figures_data):
    results = _results(acme, figures_data)

    assert _bars(_question(results, "single").overall.figures) == {
        "Time": 6,
        "Topics": 4,
        "Nothing": 6,
    }
    multiple = _question(results, "multiple")
    assert _bars(multiple.overall.figures) == {"Skills": 10, "Contacts": 5, "Confidence": 6}
    assert [v.value for v in _cell(multiple, "role", "Mentee").values] == [0, 0, 6]


@pytest.mark.django_db
def test_skills_give_the_mean_level_per_topic_by_name(acme, figures_data):
    question = _question(_results(acme, figures_data), "skills")

    means = {t.topic: (t.count, t.mean) for t in question.overall.figures.topics}
    assert means["Generative AI tools"] == (16, pytest.approx(60 / 16))
    assert means["Spreadsheets"] == (11, pytest.approx(40 / 11))
    mentors = {t.topic: t.mean for t in _cell(question, "role", "Mentor").figures.topics}
    assert mentors == {"Generative AI tools": 3.0, "Spreadsheets": 2.0}


@pytest.mark.django_db
def test_the_response_rate_is_answers_over_assignments(acme, figures_data):
    results = _results(acme, figures_data)

    assert (results.responses.figures.answered, results.asked) == (16, 20)
    assert results.responses.figures.response_rate == pytest.approx(0.8)
    question = _question(results, "agreement")
    assert question.overall.figures.response_rate == pytest.approx(0.8)
    assert _cell(question, "role", "Mentor").figures.response_rate == pytest.approx(10 / 12)
    assert _cell(question, "role", "Mentee").figures.response_rate == pytest.approx(6 / 8)
    # Text is optional here: nobody wrote any, and a group of none is hidden like any
    # group under five ("no answers" then "fewer than 5" would say someone wrote).
    assert _question(results, "text").overall.status == "hidden"


@pytest.mark.django_db
def test_the_page_shows_charts_with_their_figures_as_text(
    client, acme, world_manager, figures_data
):
    client.force_login(world_manager)

    response = client.get(results_url(figures_data))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Mean 3.4 of 5" in html
    assert "56% satisfied (4 or 5)" in html
    assert "NPS 19" in html
    assert "response rate 80%" in html
    assert '<svg width="100%" height="14" aria-hidden="true"' in html
    assert any('<th scope="row">4</th> <td>5</td> <td>31%</td>' in row for row in _rows(html))
    # Only the free-text question, which nobody answered, is hidden: none is fewer than five.
    text = _question(_results(acme, figures_data), "text").question_id
    sections = re.findall(r'<section class="card question-results".*?</section>', html, re.S)
    suppressed = [one for one in sections if "data-suppressed" in one]
    assert [f'data-question="{text}"' in one for one in suppressed] == [True]


@pytest.mark.django_db
def test_the_export_has_one_row_per_question_and_group(client, acme, world_manager, figures_data):
    client.force_login(world_manager)

    rows = csv_rows(client.get(results_url(figures_data, "results.csv")))

    groups = ["All respondents", "Pilot", "Mentor", "Mentee"]
    assert [(r["question_number"], r["group"]) for r in rows] == [
        (str(n), g) for n in range(1, 7) for g in groups
    ]
    agreement = rows[0]
    assert (agreement["answered"], agreement["mean"], agreement["satisfied_percent"]) == (
        "16",
        "3.4",
        "56",
    )
    assert agreement["counts"] == "1: 2; 2: 2; 3: 3; 4: 5; 5: 4"
    assert rows[4]["nps"] == "19"
    assert rows[16]["topic_means"] == "Generative AI tools: 3.8; Spreadsheets: 3.6"
    assert {r["status"] for r in rows[20:]} == {"hidden"}  # no text: hidden too
    today = timezone.localdate(timezone=acme.zone).isoformat()
    assert {r["published_on"] for r in rows[:20]} == {today}  # published on first sight


# --- Small groups ----------------------------------------------------------------------


@pytest.fixture
def small_mentees(acme, anonymous):
    """Ten mentors who all agree strongly and four mentees who all disagree strongly."""
    survey, schedule = anonymous
    with tenant_context(organization=acme):
        responses_many(schedule, "mentor", 10, {"agreement": 5, "nps": 10, "text": "Great"})
        responses_many(schedule, "mentee", 4, {"agreement": 1, "nps": 0, "text": "Poor"})
    return survey


@pytest.mark.django_db
def test_a_cell_of_four_is_hidden_and_takes_its_complement_with_it(acme, small_mentees):
    question = _question(_results(acme, small_mentees), "agreement")

    assert question.overall.status == "shown"
    mentee, mentor = _cell(question, "role", "Mentee"), _cell(question, "role", "Mentor")
    assert mentee.hidden and mentee.figures is None and mentee.values == []
    # Shown, the mentors' figures taken from everyone's would give the mentees' away.
    assert mentor.hidden and mentor.figures is None
    # The only cohort is everyone: nothing to hide there.
    assert _cell(question, "cohort", "Pilot").status == "shown"


@pytest.mark.django_db
def test_no_subtraction_recovers_the_four_on_any_page(acme, world, small_mentees):
    cohort = world["cohort"].pk
    atoms = [(cohort, "mentor", "", None), (cohort, "mentee", "", None)]
    shown = _shown_everywhere(acme, small_mentees, "agreement")

    assert shown == {ROOT, (("cohort", cohort),)}
    assert _recoverable_small_groups(atoms, [10, 4], shown, 5) == []


@pytest.mark.django_db
def test_the_page_marks_the_hidden_cells_and_shows_none_of_their_figures(
    client, acme, world, world_manager, small_mentees
):
    client.force_login(world_manager)

    for query in ("", f"?cohort={world['cohort'].pk}"):
        html = client.get(results_url(small_mentees) + query).content.decode()
        # Agreement, NPS and text were answered: their breakdown by role is hidden whole,
        # said once. Nobody answered the others: their totals say so, and no breakdown
        # follows. "No answers" shows nowhere.
        hidden_roles = re.findall(r'<p[^>]*data-breakdown-hidden="role"[^>]*>.*?</p>', html, re.S)
        assert len(hidden_roles) == 3 and "No answers" not in html
        assert '<table data-breakdown="role"' not in html
        assert html.count("Fewer than 5 people answered this question") == (0 if query else 3)


@pytest.mark.django_db
def test_a_breakdown_hidden_whole_agrees_with_the_total_above_it(
    client, acme, world_manager, small_mentees
):
    """Issue 18: 14 free-text answers, and the roles listed beneath as "fewer than 5"
    each: the mentors are ten. The page says once why the split is not shown, in words
    true of both roles, beside the total it keeps."""
    client.force_login(world_manager)
    text = _question(_results(acme, small_mentees), "text")

    html = client.get(results_url(small_mentees)).content.decode()

    (section,) = re.findall(
        rf'<section[^>]*data-question="{text.question_id}".*?</section>', html, re.S
    )
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "14 answers" in words
    assert (
        "Not shown: these answers count in the total above only. One of these groups "
        "has fewer than 5 people, or showing the groups would let a smaller one be "
        "worked out by subtraction."
    ) in words
    assert "fewer than 5" not in words.replace("has fewer than 5 people", "")
    # The cohort breakdown is everyone: shown, with its count.
    assert re.search(r'<th scope="row">Pilot</th>\s*<td>14</td>', section)


@pytest.mark.django_db
def test_the_export_hides_the_same_cells(client, acme, world, world_manager, small_mentees):
    client.force_login(world_manager)

    for query in ("", f"?cohort={world['cohort'].pk}"):
        rows = csv_rows(client.get(results_url(small_mentees, "results.csv") + query))
        for row in rows:
            if row["breakdown"] == "role" and row["type"] in ("agreement", "nps", "text"):
                assert row["status"] == "hidden"
                assert not any(row[k] for k in ("answered", "mean", "counts", "nps", "texts"))
        assert len([r for r in rows if r["breakdown"] == "role"]) == 12  # 6 questions x 2


@pytest.mark.django_db
def test_a_small_cohort_hides_its_filtered_page_too(client, acme, world, world_manager, anonymous):
    """Cohort B has four answers: hidden in the cohort breakdown, so is A (whose figures,
    taken from everyone's, would give B's), and so are both cohorts' filtered pages."""
    survey, schedule = anonymous
    with tenant_context(organization=acme):
        second = Cohort.objects.create(
            organization=acme, program=world["program"], name="Wave 2",
            start_date=date(2027, 7, 1), end_date=date(2027, 9, 1),
        )  # fmt: skip
        responses_many(schedule, "mentor", 6)
        responses_many(schedule, "mentee", 6)
        responses_many(results_schedule(survey, second), "mentor", 4, {"agreement": 1})
    client.force_login(world_manager)

    question = _question(_results(acme, survey), "agreement")
    assert question.overall.status == "shown"
    assert _cell(question, "cohort", "Pilot").hidden
    assert _cell(question, "cohort", "Wave 2").hidden
    for cohort in (world["cohort"], second):
        filtered = _question(_results(acme, survey, cohort.pk), "agreement")
        assert filtered.overall.hidden
        assert all(c.status != "shown" for b in filtered.breakdowns for c in b.cells)
        rows = csv_rows(client.get(results_url(survey, "results.csv") + f"?cohort={cohort.pk}"))
        assert "shown" not in {r["status"] for r in rows}
        assert rows[0]["status"] == "hidden"
    pilot, wave = world["cohort"].pk, second.pk
    atoms = [(pilot, "mentor", "", None), (pilot, "mentee", "", None), (wave, "mentor", "", None)]
    shown = _shown_everywhere(acme, survey, "agreement")
    assert _recoverable_small_groups(atoms, [6, 6, 4], shown, 5) == []


@pytest.mark.django_db
def test_a_difference_across_two_breakdowns_is_closed_too(acme, world, anonymous):
    """Pilot: three mentors and six mentees; Wave 2: ten mentors. Every cohort and every
    role has five or more, but Pilot minus all mentees would be Pilot's three mentors."""
    survey, schedule = anonymous
    with tenant_context(organization=acme):
        second = Cohort.objects.create(
            organization=acme, program=world["program"], name="Wave 2",
            start_date=date(2027, 7, 1), end_date=date(2027, 9, 1),
        )  # fmt: skip
        responses_many(schedule, "mentor", 3)
        responses_many(schedule, "mentee", 6)
        responses_many(results_schedule(survey, second), "mentor", 10)

    pilot, wave = world["cohort"].pk, second.pk
    atoms = [(pilot, "mentor", "", None), (pilot, "mentee", "", None), (wave, "mentor", "", None)]
    shown = _shown_everywhere(acme, survey, "agreement")
    assert ROOT in shown
    assert not {(("cohort", pilot),), (("role", "mentee"),)} <= shown
    assert _recoverable_small_groups(atoms, [3, 6, 10], shown, 5) == []


@pytest.mark.django_db
def test_under_a_hidden_group_a_cell_without_answers_is_hidden_not_empty(
    client, acme, world, world_manager, anonymous
):
    """Four mentors answered and no mentee: "no answers" from mentees would say the four
    are mentors, on the whole survey's page and on the cohort's."""
    survey, schedule = anonymous
    with tenant_context(organization=acme):
        responses_many(schedule, "mentor", 4)
    client.force_login(world_manager)

    for cohort_id in (None, world["cohort"].pk):
        question = _question(_results(acme, survey, cohort_id), "agreement")
        assert question.overall.hidden
        assert _cell(question, "role", "Mentee").hidden
        query = f"?cohort={cohort_id}" if cohort_id else ""
        html = client.get(results_url(survey) + query).content.decode()
        # Under the hidden total no breakdown shows at all, let alone a row of none.
        assert f'id="question-{question.question_id}-role"' not in html
        assert "No answers" not in html
        rows = csv_rows(client.get(results_url(survey, "results.csv") + query))
        mentee = [r for r in rows if r["type"] == "agreement" and r["group"] == "Mentee"]
        assert [r["status"] for r in mentee] == ["hidden"]


@pytest.mark.django_db
def test_a_raised_threshold_of_seven_hides_a_group_of_six(monkeypatch, acme, anonymous):
    survey, schedule = anonymous
    with tenant_context(organization=acme):
        responses_many(schedule, "mentor", 10)
        responses_many(schedule, "mentee", 6)
    assert not _cell(_question(_results(acme, survey), "agreement"), "role", "Mentee").hidden

    _set_min_group(monkeypatch, acme, 7)
    acme.refresh_from_db()

    results = _results(acme, survey)
    assert results.min_group == 7
    assert _cell(_question(results, "agreement"), "role", "Mentee").hidden


@pytest.mark.django_db
def test_a_threshold_set_to_two_is_taken_as_three(
    monkeypatch, client, acme, world_manager, world, anonymous
):
    survey, schedule = anonymous
    with tenant_context(organization=acme):
        responses_many(schedule, "mentor", 3)
        responses_many(schedule, "mentee", 2)
    _set_min_group(monkeypatch, acme, 2)
    acme.refresh_from_db()
    client.force_login(world_manager)

    results = _results(acme, survey)
    question = _question(results, "agreement")
    assert results.min_group == 3
    assert _cell(question, "role", "Mentee").hidden  # two: fewer than three
    assert _cell(question, "role", "Mentor").hidden  # its complement
    assert question.overall.status == "shown"
    assert "fewer than 3" in client.get(results_url(survey)).content.decode()


@pytest.mark.django_db
def test_people_who_answer_every_pulse_count_once(acme, world, anonymous):
    """Three mentors answered twice each: six answers, three people (the count comes from
    assignments, never from linking a response to one)."""
    survey, schedule = anonymous
    with tenant_context(organization=acme):
        for person in (world["Ann"], world["Bea"], world["Cy"]):
            for occasion in ("session:1", "session:2"):
                assignment_for(schedule, person, answered=True, occasion=occasion)
        responses_many(schedule, "mentor", 6)
        responses_many(schedule, "mentee", 6)
        for person in (world["Dan"], world["Eve"]):
            assignment_for(schedule, person, answered=True)

    question = _question(_results(acme, survey), "agreement")
    assert _cell(question, "role", "Mentor").hidden
    assert question.overall.status == "shown"  # 3 + 6 people


# --- Free text -------------------------------------------------------------------------


def _texts(acme, schedule, mentors, mentees):
    with tenant_context(organization=acme):
        for i in range(mentors):
            response_with(schedule, "mentor", {"agreement": 4, "text": f"Mentor story {i}"})
        for i in range(mentees):
            response_with(schedule, "mentee", {"agreement": 4, "text": f"Mentee story {i}"})


@pytest.mark.django_db
def test_free_text_is_counted_never_shown_unless_the_survey_allows(
    client, acme, world_manager, anonymous
):
    survey, schedule = anonymous
    _texts(acme, schedule, 6, 6)
    client.force_login(world_manager)

    text = _question(_results(acme, survey), "text")
    assert (text.overall.figures.answered, text.overall.figures.texts) == (12, None)
    assert "counts free-text answers and never shows them" in text.texts_note
    html = client.get(results_url(survey)).content.decode()
    export = client.get(results_url(survey, "results.csv")).content.decode("utf-8-sig")
    assert "story" not in html and "story" not in export


@pytest.mark.django_db
def test_free_text_shows_for_a_large_enough_group_where_allowed(
    client, acme, world_manager, anonymous
):
    survey, schedule = anonymous
    with tenant_context(organization=acme):
        Survey.objects.filter(pk=survey.pk).update(show_free_text=True)
    survey.show_free_text = True
    _texts(acme, schedule, 6, 6)
    client.force_login(world_manager)

    text = _question(_results(acme, survey), "text")
    assert text.overall.figures.texts == [f"Mentee story {i}" for i in range(6)] + [
        f"Mentor story {i}" for i in range(6)
    ]
    # Never by group: the breakdowns count.
    assert all(c.figures.texts is None for b in text.breakdowns for c in b.cells)
    html = client.get(results_url(survey)).content.decode()
    assert html.count("Mentor story") == 6
    rows = csv_rows(client.get(results_url(survey, "results.csv")))
    texts = [r for r in rows if r["type"] == "text" and r["texts"]]
    assert [r["group"] for r in texts] == ["All respondents"]


@pytest.mark.django_db
def test_free_text_of_a_small_group_stays_hidden(client, acme, world_manager, anonymous):
    survey, schedule = anonymous
    with tenant_context(organization=acme):
        Survey.objects.filter(pk=survey.pk).update(show_free_text=True)
    survey.show_free_text = True
    _texts(acme, schedule, 2, 2)
    client.force_login(world_manager)

    text = _question(_results(acme, survey), "text")
    assert text.overall.hidden
    html = client.get(results_url(survey)).content.decode()
    export = client.get(results_url(survey, "results.csv")).content.decode("utf-8-sig")
    assert "story" not in html and "story" not in export


# --- Department and level --------------------------------------------------------------


@pytest.mark.django_db
def test_department_and_level_breakdowns_only_for_attributed_surveys(
    client, acme, world_manager, world, anonymous
):
    survey, schedule = anonymous
    with tenant_context(organization=acme):
        responses_many(schedule, "mentor", 6)
        responses_many(schedule, "mentee", 6)
        attributed = results_survey(acme, world["program"], anonymous=False)
        sent = results_schedule(attributed, world["cohort"])
        cohort = world["cohort"]
        people = people_in(acme, cohort, "mentor", 6, "m") + people_in(
            acme, cohort, "mentee", 10, "e"
        )
        for i, person in enumerate(people):
            department = "Sales" if i < 6 else ("Finance" if i < 12 else "Legal")
            response_with(
                sent, person.role, {"agreement": 3}, participant=person,
                department=department, level=2 if i % 2 else 7,
            )  # fmt: skip
    client.force_login(world_manager)

    dimensions = [b.dimension for b in _question(_results(acme, survey), "agreement").breakdowns]
    assert dimensions == ["cohort", "role"]
    assert "By department" not in client.get(results_url(survey)).content.decode()
    assert {r["breakdown"] for r in csv_rows(client.get(results_url(survey, "results.csv")))} == {
        "all",
        "cohort",
        "role",
    }

    question = _question(_results(acme, attributed), "agreement")
    assert [b.dimension for b in question.breakdowns] == ["cohort", "role", "department", "level"]
    # Legal has four: hidden, and so is one other department of the two of six.
    assert _cell(question, "department", "Legal").hidden
    departments = next(b for b in question.breakdowns if b.dimension == "department")
    assert departments.hidden_count == 2
    assert _cell(question, "level", "Level 2").status == "shown"
    html = client.get(results_url(attributed)).content.decode()
    assert "By department" in html
    # Partly hidden: the table stays, each hidden row saying only "hidden" (Legal's four
    # and a department of six alike), and a note under it says what that covers.
    (table,) = re.findall(
        rf'<table[^>]*aria-labelledby="question-{question.question_id}-department".*?</table>'
        r"\s*</div>\s*<p[^>]*>.*?</p>",
        html,
        re.S,
    )
    hidden_rows = [row for row in _rows(table) if "data-suppressed" in row]
    assert len(hidden_rows) == 2
    assert all(re.search(r"<td[^>]*>\s*<span[^>]*>hidden</span>", row) for row in hidden_rows)
    assert "fewer than 5 people, or a group from which such a small one could be worked out" in (
        table
    )


@pytest.mark.django_db
def test_an_attributed_person_answering_twice_counts_once(acme, world):
    with tenant_context(organization=acme):
        survey = results_survey(acme, world["program"], anonymous=False)
        schedule = results_schedule(survey, world["cohort"])
        for person in (world["Ann"], world["Bea"]):
            responses_many(schedule, "mentor", 3, participant=person, department="Sales")
        for person in (world["Dan"], world["Eve"], world["Cy"]):
            response_with(schedule, person.role, {"agreement": 2}, participant=person)

    question = _question(_results(acme, survey), "agreement")
    assert question.overall.figures.answered == 9
    assert question.overall.status == "shown"  # five people
    assert _cell(question, "department", "Sales").hidden  # six answers, two people


# --- The audit itself ------------------------------------------------------------------

COHORTS, ROLES, DEPARTMENTS, LEVELS = (1, 2), ("mentor", "mentee"), ("", "S"), (None, 3)
ALL_ATOMS = list(itertools.product(COHORTS, ROLES, DEPARTMENTS, LEVELS))


def _family(atoms):
    """The groups and breakdowns the results publish, for these cross cells."""
    key = suppression.group_key
    groups, breakdowns = [ROOT], []
    for scope in [ROOT] + [(("cohort", c),) for c in COHORTS]:
        within = [a for a in atoms if not scope or a[0] == scope[0][1]]
        dimensions = (["cohort"] if not scope else []) + ["role", "department", "level"]
        for dimension in dimensions:
            position = suppression.DIMENSION_POSITION[dimension]
            values = {"cohort": COHORTS, "role": ROLES}.get(dimension) or sorted(
                {a[position] for a in within}, key=repr
            )
            cells = [key(scope + ((dimension, v),)) for v in values]
            groups += cells
            breakdowns.append((scope, cells))
    return groups, breakdowns


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.dictionaries(
        st.sampled_from(ALL_ATOMS), st.integers(min_value=0, max_value=9), min_size=1, max_size=9
    ),
    threshold=st.integers(min_value=3, max_value=7),
)
def test_no_combination_of_shown_groups_isolates_fewer_than_the_threshold(cells, threshold):
    atoms = sorted(cells, key=repr)
    sizes = [cells[a] for a in atoms]
    groups, breakdowns = _family(atoms)

    hidden = hidden_groups(
        atoms=atoms, sizes=sizes, groups=groups, breakdowns=breakdowns, threshold=threshold
    )

    shown = [g for g in dict.fromkeys(groups) if g not in hidden]
    for g in shown:
        members = [s for a, s in zip(atoms, sizes, strict=True) if suppression.in_group(a, g)]
        assert not members or sum(members) >= threshold
    assert _recoverable_small_groups(atoms, sizes, shown, threshold) == []
    if sum(sizes) >= threshold:
        assert ROOT not in hidden


# --- Stories ---------------------------------------------------------------------------


@pytest.fixture
def story_list(acme, anonymous):
    survey, schedule = anonymous
    with tenant_context(organization=acme):
        question = Question.objects.get(survey=survey, type="text")
        made = []
        for words in ("I now run our AI pilots.", "We changed how we hire."):
            response = response_with(schedule, "mentor", {"agreement": 5, "text": words})
            made.append(
                Story.objects.create(
                    organization=acme,
                    program=survey.program,
                    answer=Answer.objects.get(response=response, question=question),
                )
            )
    return made


@pytest.mark.django_db
def test_a_manager_features_a_story_and_stops(client, acme, world_manager, world, story_list):
    client.force_login(world_manager)
    url = f"/o/acme/surveys/programs/{world['program'].pk}/stories/"
    first, second = story_list

    page = client.get(url).content.decode()
    assert "I now run our AI pilots." in page and "We changed how we hire." in page
    feature = f"/o/acme/surveys/stories/{first.pk}/feature/"
    response = client.post(feature, {"featured": "1"})
    assert response.status_code == 302 and response.url == url
    with tenant_context(organization=acme):
        assert list(stories.featured_stories(acme)) == [first]
        assert list(stories.featured_stories(acme, program=world["program"])) == [first]
    featured = client.get(url + "?featured=1").content.decode()
    assert "I now run our AI pilots." in featured and "We changed how we hire." not in featured

    client.post(feature, {"featured": "0"})
    with tenant_context(organization=acme):
        assert not Story.objects.filter(featured=True).exists()
    assert client.get(feature).status_code == 405


# --- Who may see any of it ---------------------------------------------------------------


def _urls(survey, story):
    program = survey.program_id
    return [
        f"/o/acme/surveys/{survey.pk}/results/",
        f"/o/acme/surveys/{survey.pk}/results.csv",
        f"/o/acme/surveys/programs/{program}/stories/",
    ], f"/o/acme/surveys/stories/{story.pk}/feature/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "roles",
    [{"is_executive": True, "is_participant": False}, {"is_participant": True}],
    ids=["executive", "participant"],
)
def test_executives_and_participants_are_refused(client, acme, anonymous, story_list, roles):
    client.force_login(MembershipFactory(organization=acme, **roles).user)
    pages, feature = _urls(anonymous[0], story_list[0])

    for url in pages:
        assert client.get(url).status_code == 403
    assert client.post(feature, {"featured": "1"}).status_code == 403
    with tenant_context(organization=acme):
        assert not Story.objects.filter(featured=True).exists()


@pytest.mark.django_db
def test_another_organisations_manager_gets_404(client, acme, globex, anonymous, story_list):
    client.force_login(
        MembershipFactory(organization=globex, is_program_manager=True, is_admin=True).user
    )
    pages, feature = _urls(anonymous[0], story_list[0])

    for url in pages:
        assert client.get(url).status_code == 404
        assert client.get(url.replace("/o/acme/", "/o/globex/")).status_code == 404
    assert client.post(feature, {"featured": "1"}).status_code == 404
    assert (
        client.post(feature.replace("/o/acme/", "/o/globex/"), {"featured": "1"}).status_code == 404
    )
    with tenant_context(organization=acme):
        assert not Story.objects.filter(featured=True).exists()


@pytest.mark.django_db
def test_a_library_template_has_no_results(client, acme, world_manager):
    with tenant_context(organization=acme):
        template = Survey.objects.create(organization=acme, title="Template")
    client.force_login(world_manager)

    assert client.get(f"/o/acme/surveys/{template.pk}/results/").status_code == 404
