"""Survey results through the API: the figures of the results page and its CSV, small
groups hidden the same way, nothing that leads back to a person, one organisation's
surveys only, and only for keys whose roles may read results on the page. Every body is
checked against the OpenAPI schema the API publishes.

The world (tests/conftest.py): the Reverse program and its Pilot cohort, one topic.
"""

import pytest
from jsonschema import Draft202012Validator

from organizations.roles import Role
from organizations.tenancy import tenant_context
from programs.models import Topic
from surveys.models import Response, Survey
from tests.helpers import api_key_headers, openapi_json_schema
from tests.surveys.helpers import (
    RESULTS,
    api_as_csv,
    assignment_for,
    csv_rows,
    people_in,
    response_with,
    responses_many,
    results_schedule,
    results_survey,
    results_url,
)

pytestmark = pytest.mark.django_db

SURVEYS = "/api/v1/surveys/"


@pytest.fixture
def conforms(client):
    """A check that a response is what the published schema says for its route and status."""
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    definitions = {
        name: openapi_json_schema(s) for name, s in schema["components"]["schemas"].items()
    }

    def check(route: str, response) -> None:
        declared = schema["paths"][route]["get"]["responses"][str(response.status_code)]
        body_schema = openapi_json_schema(declared["content"]["application/json"]["schema"])
        Draft202012Validator({**body_schema, "$defs": definitions}).validate(response.json())

    return check


def _get(client, conforms, survey, headers, **query):
    response = client.get(RESULTS.format(survey_id=survey.pk), query, **headers)
    conforms(RESULTS, response)
    return response


# --- The API's cells as the CSV writes them ------------------------------------------------


def _export(client, survey, **query) -> list[dict]:
    """The export's rows, less the question's text (the API gives it once per question)."""
    rows = csv_rows(client.get(results_url(survey, "results.csv"), query))
    return [{k: v for k, v in row.items() if k != "question"} for row in rows]


def _cell(results: dict, question_type: str, dimension: str, label: str) -> dict:
    (question,) = [q for q in results["questions"] if q["type"] == question_type]
    if dimension == "all":
        return question["overall"]
    breakdown = next(b for b in question["breakdowns"] if b["dimension"] == dimension)
    (cell,) = [c for c in breakdown["cells"] if c["group"]["label"] == label]
    return cell


# --- Fixtures --------------------------------------------------------------------------


@pytest.fixture
def answered(acme, world):
    """An anonymous end-of-pilot survey that shows free text: eight mentors and six mentees
    answered every question, of ten and eight asked."""
    cohort = world["cohort"]
    with tenant_context(organization=acme):
        topic = str(Topic.objects.get(name="Generative AI tools").pk)
        survey = results_survey(acme, world["program"], show_free_text=True)
        schedule = results_schedule(survey, cohort)
        for role, agreements, scores in (
            ("mentor", [5, 5, 4, 4, 3, 3, 2, 1], [10, 9, 9, 8, 7, 6, 3, 0]),
            ("mentee", [5, 4, 4, 3, 2, 1], [10, 10, 9, 7, 2, 5]),
        ):
            for i, (agreement, nps) in enumerate(zip(agreements, scores, strict=True)):
                response_with(
                    schedule,
                    role,
                    {
                        "agreement": agreement,
                        "nps": nps,
                        "single": "Time" if i % 2 else "Topics",
                        "multiple": ["Skills", "Contacts"] if i < 3 else ["Confidence"],
                        "skills": {topic: 1 + i % 5},
                        "text": f"A {role} view number {i}",
                    },
                )
        mentors = [world[n] for n in ("Ann", "Bea", "Cy")] + people_in(
            acme, cohort, "mentor", 7, "mentor"
        )
        mentees = [world["Dan"], world["Eve"]] + people_in(acme, cohort, "mentee", 6, "mentee")
        for i, person in enumerate(mentors):
            assignment_for(schedule, person, answered=i < 8)
        for i, person in enumerate(mentees):
            assignment_for(schedule, person, answered=i < 6)
    return survey


@pytest.fixture
def attributed(acme, world):
    """An attributed survey: six Sales mentors, six Finance mentees and four Legal mentees
    (too few: hidden, and so is another department)."""
    cohort = world["cohort"]
    with tenant_context(organization=acme):
        survey = results_survey(acme, world["program"], anonymous=False)
        schedule = results_schedule(survey, cohort)
        people = people_in(acme, cohort, "mentor", 6, "m") + people_in(
            acme, cohort, "mentee", 10, "e"
        )
        for i, person in enumerate(people):
            department = "Sales" if i < 6 else ("Finance" if i < 12 else "Legal")
            response_with(
                schedule, person.role, {"agreement": 1 + i % 5, "nps": i % 11},
                participant=person, department=department, level=2 if i % 2 else 7,
            )  # fmt: skip
            assignment_for(schedule, person, answered=True)
    return survey


@pytest.fixture
def small_mentees(acme, world):
    """Ten mentors who all agree strongly and four mentees who all disagree strongly."""
    with tenant_context(organization=acme):
        survey = results_survey(acme, world["program"], show_free_text=True)
        schedule = results_schedule(survey, world["cohort"])
        responses_many(schedule, "mentor", 10, {"agreement": 5, "nps": 10, "text": "Great"})
        responses_many(schedule, "mentee", 4, {"agreement": 1, "nps": 0, "text": "Poor"})
    return survey


# --- The same figures as the page and the export -------------------------------------------


@pytest.mark.parametrize("which", ["answered", "attributed"])
def test_results_through_an_api_key_are_the_figures_of_the_page_and_export(
    request, client, conforms, acme, world, world_manager, which
):
    survey = request.getfixturevalue(which)
    headers = api_key_headers(acme, Role.PROGRAM_MANAGER)
    client.force_login(world_manager)

    for query in ({}, {"cohort": world["cohort"].pk}):
        response = _get(client, conforms, survey, headers, **query)

        assert response.status_code == 200
        assert api_as_csv(response.json()) == _export(client, survey, **query)


def test_the_headline_figures_read_as_on_the_page(client, conforms, acme, world_manager, answered):
    results = _get(client, conforms, answered, api_key_headers(acme, Role.ADMIN)).json()
    client.force_login(world_manager)
    html = client.get(results_url(answered)).content.decode()

    agreement = _cell(results, "agreement", "all", "")["figures"]
    nps = _cell(results, "nps", "all", "")["figures"]
    assert (agreement["answered"], agreement["mean"]) == (14, pytest.approx(46 / 14))
    assert f"Mean {agreement['mean']:.1f} of 5" in html
    assert f"{round(agreement['satisfaction'] * 100)}% satisfied (4 or 5)" in html
    assert f"NPS {nps['nps']}" in html
    assert (results["responses"]["figures"]["answered"], results["asked"]) == (14, 18)
    assert f"response rate {round(results['responses']['figures']['response_rate'] * 100)}%" in html
    texts = _cell(results, "text", "all", "")["figures"]["texts"]
    assert texts == sorted(texts, key=str.casefold) and len(texts) == 14
    assert all(text in html for text in texts)
    mentors = _cell(results, "agreement", "role", "Mentor")
    assert mentors["group"] == {
        "dimension": "role",
        "label": "Mentor",
        "cohort": None,
        "role": "mentor",
        "department": None,
        "level": None,
    }
    assert mentors["figures"]["texts"] is None  # free text is never listed by group


def test_a_survey_that_keeps_free_text_to_itself_keeps_it_from_the_api(
    client, conforms, acme, answered
):
    with tenant_context(organization=acme):
        Survey.objects.filter(pk=answered.pk).update(show_free_text=False)

    body = _get(client, conforms, answered, api_key_headers(acme, Role.ADMIN))

    text = _cell(body.json(), "text", "all", "")
    assert text["figures"]["answered"] == 14 and text["figures"]["texts"] is None
    assert "never shows them" in next(
        q["texts_note"] for q in body.json()["questions"] if q["type"] == "text"
    )
    assert "view number" not in body.content.decode()


# --- Small groups ---------------------------------------------------------------------------


def test_a_hidden_breakdown_is_hidden_in_the_api_too(
    client, conforms, acme, world, world_manager, small_mentees
):
    headers = api_key_headers(acme, Role.PROGRAM_MANAGER)
    client.force_login(world_manager)

    for query in ({}, {"cohort": world["cohort"].pk}):
        response = _get(client, conforms, small_mentees, headers, **query)
        results = response.json()

        for question_type in ("agreement", "nps", "text"):
            for label in ("Mentor", "Mentee"):
                cell = _cell(results, question_type, "role", label)
                assert (cell["status"], cell["hidden"], cell["figures"]) == ("hidden", True, None)
        assert _cell(results, "agreement", "all", "")["figures"]["answered"] == 14
        # The four's own words show only among everyone's, never by group.
        text = [q for q in results["questions"] if q["type"] == "text"][0]
        assert text["overall"]["figures"]["texts"] == ["Great"] * 10 + ["Poor"] * 4
        assert api_as_csv(results) == _export(client, small_mentees, **query)


def test_under_a_hidden_group_even_a_cell_with_no_answers_is_hidden(
    client, conforms, acme, world, world_manager
):
    """Four mentors and no mentee: "no answers" from mentees would say the four are
    mentors, so that cell is hidden like the rest."""
    with tenant_context(organization=acme):
        survey = results_survey(acme, world["program"])
        responses_many(results_schedule(survey, world["cohort"]), "mentor", 4)
    client.force_login(world_manager)

    results = _get(client, conforms, survey, api_key_headers(acme, Role.ADMIN)).json()

    assert results["responses"]["hidden"]
    assert _cell(results, "agreement", "all", "")["hidden"]
    for label in ("Mentor", "Mentee"):
        assert _cell(results, "agreement", "role", label)["hidden"]
    assert api_as_csv(results) == _export(client, survey)


# --- Nothing that leads to a person ----------------------------------------------------------

ALLOWED_KEYS = {
    # results
    "survey", "title", "anonymous", "show_free_text", "min_group", "cohorts", "cohort",
    "asked", "responses", "questions", "id", "name", "number", "section", "text", "type",
    "type_label", "overall", "breakdowns", "texts_note", "dimension", "label",
    "hidden_count", "cells", "group", "status", "hidden", "figures", "role", "department",
    "level", "answered", "response_rate", "bars", "mean", "satisfaction", "nps",
    "promoters", "detractors", "topics", "texts", "count", "share", "topic", "published_on",
}  # fmt: skip


def _walk(value, key=None):
    """(key, value) for every value inside a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from _walk(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, key)


def test_an_anonymous_surveys_results_name_nobody(client, conforms, acme, world, answered):
    with tenant_context(organization=acme):
        responses = list(Response.objects.filter(schedule__survey=answered))
        question_ids = set(answered.questions.values_list("pk", flat=True))
    people = [world[n] for n in ("Ann", "Bea", "Cy", "Dan", "Eve")]
    headers = api_key_headers(
        acme, Role.ADMIN, Role.PROGRAM_MANAGER, Role.EXECUTIVE, Role.PARTICIPANT
    )

    for query in ({}, {"cohort": world["cohort"].pk}):
        response = _get(client, conforms, answered, headers, **query)
        body, text = response.json(), response.content.decode()

        assert body["anonymous"] is True
        assert {k for k, _v in _walk(body)} <= ALLOWED_KEYS
        # The only ids are the survey's, its questions' and its cohort's.
        assert body["survey"] == answered.pk
        assert {q["id"] for q in body["questions"]} == question_ids
        assert body["cohorts"] == [{"id": world["cohort"].pk, "name": "Pilot"}]
        assert {v for k, v in _walk(body) if k == "cohort"} <= {None, world["cohort"].pk}
        for person in people:
            employee = person.employee
            for trace in (employee.name, employee.email, employee.employee_number):
                assert f'"{trace}"' not in text
        for row in responses:
            assert str(row.pk) not in text and row.week not in text
        # Breakdowns by department and level are for attributed surveys only.
        assert {v for k, v in _walk(body) if k == "dimension"} <= {"all", "cohort", "role"}
        assert {v for k, v in _walk(body) if k in ("department", "level")} == {None}


# --- Which surveys, and who may read them -----------------------------------------------------


def test_the_list_is_the_organisations_program_surveys_paginated(
    client, acme, globex, world, answered, small_mentees
):
    with tenant_context(organization=acme):
        Survey.objects.create(organization=acme, title="A library template")
    headers = api_key_headers(acme, Role.PROGRAM_MANAGER)

    everything = client.get(SURVEYS, **headers).json()
    paged = client.get(SURVEYS, {"page_size": 1}, **headers).json()
    by_program = client.get(SURVEYS, {"program": world["program"].pk}, **headers).json()
    elsewhere = client.get(SURVEYS, {"program": world["program"].pk + 1000}, **headers).json()

    assert everything["results"] == [
        {
            "id": survey.pk,
            "title": "End of the pilot",
            "kind": "end",
            "program": world["program"].pk,
            "anonymous": True,
        }
        for survey in sorted([answered, small_mentees], key=lambda s: s.pk)
    ]
    assert paged["count"] == 2 and paged["next"] and len(paged["results"]) == 1
    assert by_program["count"] == 2 and elsewhere["count"] == 0
    assert client.get(SURVEYS, {"program": "1.5"}, **headers).status_code == 400
    assert client.get(SURVEYS, **api_key_headers(globex, *Role)).json()["count"] == 0


def test_another_organisations_survey_is_not_found(client, conforms, acme, globex, answered):
    with tenant_context(organization=acme):
        template = Survey.objects.create(organization=acme, title="A library template")

    foreign = _get(client, conforms, answered, api_key_headers(globex, *Role))
    no_program = _get(client, conforms, template, api_key_headers(acme, Role.ADMIN))

    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "not_found"
    assert no_program.status_code == 404


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.PARTICIPANT])
def test_a_key_whose_roles_may_not_read_results_is_refused(client, conforms, acme, answered, role):
    headers = api_key_headers(acme, role)

    refused = _get(client, conforms, answered, headers)
    listed = client.get(SURVEYS, **headers)

    assert refused.status_code == 403 and listed.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert "view number" not in refused.content.decode()


def test_a_cohort_the_survey_was_not_sent_to_is_refused(client, conforms, acme, answered):
    headers = api_key_headers(acme, Role.ADMIN)

    unknown = _get(client, conforms, answered, headers, cohort=999_999)
    not_a_number = _get(client, conforms, answered, headers, cohort="pilot")

    assert unknown.status_code == 400 and "cohort" in unknown.json()["error"]["details"]
    assert not_a_number.status_code == 400
