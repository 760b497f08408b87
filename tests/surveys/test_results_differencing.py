"""Differencing attacks on survey results: answers come in one at a time, and the
attacker reads the results page, its CSV and the API after each, under every filter,
and subtracts any two readings whose groups differ by one person to get that person's
answer. Nothing is recovered: a group's figures change only when at least five more
people (the threshold) stand behind them, and a group under five shows nothing, not even
that it has no answers.

The world (tests/conftest.py): the Reverse program and its Pilot cohort. The survey is
anonymous and shows free text; the k-th answer comes from a mentor when k is odd, else a
mentee, and says ``ANSWERS[k - 1]`` to "Worth my time" (1 to 5) and a sentence.

Each attack is also played against the old behaviour (every change published at once,
``changed_enough`` always true): there it recovers the answers, so these tests can fail.
"""

import itertools
import re
from collections import Counter

import pytest
from django.utils import timezone

from organizations import disclosure
from organizations.disclosure import Candidate, publish
from organizations.roles import Role
from organizations.tenancy import tenant_context
from surveys.selectors.results import survey_results
from tests.helpers import api_key_headers
from tests.organizations.factories import MembershipFactory
from tests.surveys.helpers import (
    RESULTS,
    api_as_csv,
    csv_rows,
    response_with,
    results_schedule,
    results_survey,
    results_url,
)

pytestmark = pytest.mark.django_db

THRESHOLD = 5
ANSWERS = [5, 1, 4, 2, 5, 3, 1, 4, 5, 2, 2, 5, 4, 1, 3, 5, 4, 2, 1, 5, 3, 4]
GROUPS = ("All respondents", "Pilot", "Mentor", "Mentee")


def _role(k: int) -> str:
    return "mentor" if k % 2 else "mentee"


def _truth(group: str, k: int) -> list[int]:
    """The answers of a group once k have answered."""
    answers = ANSWERS[:k]
    if group in ("Mentor", "Mentee"):
        wanted = group.lower()
        return [a for n, a in enumerate(answers, start=1) if _role(n) == wanted]
    return answers


@pytest.fixture
def survey(acme, world):
    with tenant_context(organization=acme):
        made = results_survey(acme, world["program"], show_free_text=True)
        return made, results_schedule(made, world["cohort"])


@pytest.fixture
def admin(client, acme):
    member = MembershipFactory(organization=acme, is_admin=True, is_participant=False)
    client.force_login(member.user)
    return member


@pytest.fixture
def leaky(monkeypatch):
    """The old behaviour: every change published at once."""
    monkeypatch.setattr("organizations.disclosure.changed_enough", lambda *args: True)


def _answer(acme, schedule, k: int) -> None:
    with tenant_context(organization=acme):
        response_with(
            schedule, _role(k), {"agreement": ANSWERS[k - 1], "text": f"Answer number {k}"}
        )


def _api(client, headers, survey, **query) -> dict:
    response = client.get(RESULTS.format(survey_id=survey.pk), query, **headers)
    assert response.status_code == 200, response.content
    return response.json()


def _agreement_cells(results: dict) -> dict[str, dict]:
    """Each group's cell for "Worth my time", by the group's label."""
    (question,) = [q for q in results["questions"] if q["type"] == "agreement"]
    cells = [question["overall"]] + [c for b in question["breakdowns"] for c in b["cells"]]
    return {cell["group"]["label"]: cell for cell in cells}


def _readings(client, acme, survey, schedule, answers: int) -> list[dict[str, dict]]:
    """After each answer, every group's cell as the API shows it."""
    headers = api_key_headers(acme, Role.PROGRAM_MANAGER)
    readings = []
    for k in range(1, answers + 1):
        _answer(acme, schedule, k)
        readings.append(_agreement_cells(_api(client, headers, survey)))
    return readings


def _counts(cell: dict) -> Counter:
    return Counter({int(bar["label"]): bar["count"] for bar in cell["figures"]["bars"]})


def _recovered(readings, group: str) -> dict[int, int]:
    """The attack: two readings of a group whose figures differ and whose counts of
    answers differ by one give that one answer (and, knowing who answered in between,
    whose). {number of answers before: the answer recovered}."""
    seen = {}
    for reading in readings:
        cell = reading[group]
        if not cell["hidden"]:
            seen[cell["figures"]["answered"]] = _counts(cell)
    found = {}
    for before, after in itertools.combinations(sorted(seen), 2):
        if after - before == 1:
            (answer,) = (seen[after] - seen[before]).elements()
            found[before] = answer
    return found


def _assert_nobody_apart(readings, group: str) -> None:
    """Every figure shown is its group's true figure at the moment it was published, and
    two different ones come from groups at least five people apart."""
    published = {}
    for k, reading in enumerate(readings, start=1):
        cell = reading[group]
        if cell["hidden"]:
            assert cell["figures"] is None and cell["published_on"] is None
            continue
        answered = cell["figures"]["answered"]
        assert answered <= len(_truth(group, k))
        assert _counts(cell) == Counter(_truth(group, k)[:answered]), k
        published.setdefault(answered, _counts(cell))
    for one, other in itertools.combinations(sorted(published), 2):
        assert other - one >= THRESHOLD, (group, sorted(published))


# --- One answer after another -------------------------------------------------------------


def test_one_more_answer_never_shows_as_a_difference_in_any_group(client, acme, survey):
    made, schedule = survey
    readings = _readings(client, acme, made, schedule, len(ANSWERS))

    for group in GROUPS:
        _assert_nobody_apart(readings, group)
        assert _recovered(readings, group) == {}
    # Everyone: hidden under five, then as of the 5th, 10th, 15th and 20th answer.
    answered = [r["All respondents"]["figures"] for r in readings]
    assert [f and f["answered"] for f in answered] == (
        [None] * 4 + [5] * 5 + [10] * 5 + [15] * 5 + [20] * 3
    )


def test_the_same_attack_recovers_the_answers_when_every_change_is_published(
    client, acme, survey, leaky
):
    made, schedule = survey
    readings = _readings(client, acme, made, schedule, len(ANSWERS))

    recovered = _recovered(readings, "All respondents")
    assert recovered == {k: ANSWERS[k] for k in range(5, len(ANSWERS))}
    with pytest.raises(AssertionError):
        _assert_nobody_apart(readings, "All respondents")


# --- The page, the CSV and the API, under every filter ---------------------------------------


def test_the_page_the_csv_and_the_api_agree_after_every_answer(client, acme, world, survey, admin):
    made, schedule = survey
    headers = api_key_headers(acme, Role.PROGRAM_MANAGER)
    cohort = world["cohort"].pk

    for k in range(1, 13):
        _answer(acme, schedule, k)
        for query in ({}, {"cohort": cohort}):
            api = _api(client, headers, made, **query)
            exported = [
                {key: value for key, value in row.items() if key != "question"}
                for row in csv_rows(client.get(results_url(made, "results.csv"), query))
            ]
            assert api_as_csv(api) == exported, (k, query)
            html = client.get(results_url(made), query).content.decode()
            overall = _agreement_cells(api)[GROUPS[0] if not query else "Pilot"]
            if overall["hidden"]:
                assert (
                    "Hidden: fewer than 5 people of this cohort answered this question"
                    if query
                    else "Fewer than 5 people answered this question: too few to show any figure."
                ) in html
            else:
                figures = overall["figures"]
                assert f"Mean {figures['mean']:.1f} of 5" in html
                assert f"{figures['answered']} answers" in html
        # The cohort's page shows the figures the whole survey's page shows for it.
        whole = _agreement_cells(_api(client, headers, made))["Pilot"]
        filtered = _agreement_cells(_api(client, headers, made, cohort=cohort))["Pilot"]
        assert whole["figures"] == filtered["figures"]


def test_free_text_waits_with_the_figures(client, acme, survey):
    """Texts are listed in alphabetical order, but a list that grows by one would still
    point at the newest: it grows with the figures, five at a time."""
    made, schedule = survey
    headers = api_key_headers(acme, Role.PROGRAM_MANAGER)
    lists = []
    for k in range(1, 13):
        _answer(acme, schedule, k)
        (text,) = [q for q in _api(client, headers, made)["questions"] if q["type"] == "text"]
        lists.append(text["overall"]["figures"] and text["overall"]["figures"]["texts"])
    lengths = [len(texts) if texts else None for texts in lists]
    assert lengths == [None] * 4 + [5] * 5 + [10] * 3


# --- Hidden is hidden ------------------------------------------------------------------------


def test_none_and_four_answers_read_the_same_on_the_page_in_the_csv_and_the_api(
    client, acme, survey, admin
):
    made, schedule = survey
    headers = api_key_headers(acme, Role.PROGRAM_MANAGER)
    seen = []
    for k in range(5):
        if k:
            _answer(acme, schedule, k)
        html = client.get(results_url(made)).content.decode()
        sections = re.findall(r'<section class="card.*?</section>', html, re.S)
        seen.append(
            (
                str(_api(client, headers, made)),
                client.get(results_url(made, "results.csv")).content,
                sections,
            )
        )
    assert all(one == seen[0] for one in seen)
    api, exported, sections = seen[0]
    assert "No answers" not in "".join(sections) and b"no answers" not in exported
    assert "'status': 'empty'" not in api


# --- Two requests at once ------------------------------------------------------------------


def test_a_publication_decided_on_stale_figures_is_decided_again_under_the_lock(acme, monkeypatch):
    """Two requests read the ledger at once: one publishes ten answers' figures; the other
    saw no publication and would publish eleven's. Under the lock it reads again and shows
    the ten, so no two visitors ever see figures one answer apart."""
    scope, key = "survey:1", "q1|[]"
    on = timezone.localdate()
    real, reads = disclosure.published_read, []

    def read(*args, **kwargs):
        reads.append(args)  # the second request's first read came before the first's write
        return {} if len(reads) == 1 else real(*args, **kwargs)

    with tenant_context(organization=acme):
        first = publish(acme, scope, {key: Candidate(10, {"n": 10})}, threshold=5, on=on)
        monkeypatch.setattr(disclosure, "published_read", read)
        second = publish(acme, scope, {key: Candidate(11, {"n": 11})}, threshold=5, on=on)

    assert len(reads) == 2  # the stale read, then the one under the lock
    assert first[key].figures == second[key].figures == {"n": 10}


def test_the_results_function_is_the_one_every_output_reads(acme, survey):
    """The page, the CSV and the API call surveys.selectors.results.survey_results: the ledger is
    behind it, so a reading through the function is a reading of every output."""
    made, schedule = survey
    answered = []
    for k in range(1, 8):
        _answer(acme, schedule, k)
        with tenant_context(organization=acme):
            results = survey_results(made, organization=acme)
        (agreement,) = [q for q in results.questions if q.type == "agreement"]
        answered.append(agreement.overall.figures and agreement.overall.figures.answered)
    assert answered == [None] * 4 + [5] * 3  # published at five, seven now
    assert agreement.overall.published_on == timezone.localdate(timezone=acme.zone)
