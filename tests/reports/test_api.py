"""The KPI trend through the API: the rows of the dashboard's CSV export, small groups
hidden the same way and no raw figure behind a hidden one, one organisation's snapshots
only, and only for keys whose roles may read the dashboard. Every body is checked against
the OpenAPI schema the API publishes.

The world (tests/reports/conftest.py): Acme, on UTC, with program "Reverse" and its
cohort "Pilot"; snapshots backfilled for June 2026 every seven days (and the 30th).
"""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from organizations.roles import Role
from organizations.suppression import report_min_group
from organizations.tenancy import tenant_context
from programs.models import Program
from reports import selectors, services
from reports.measures import MEASURES, TREND_FIGURES, shown
from reports.models import Snapshot
from surveys.models import Answer, Question, Response, Schedule, Survey
from tests.helpers import api_key_headers, openapi_json_schema
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

KPIS = "/api/v1/reports/kpis/"
JUNE = {"start": "2026-06-01", "end": "2026-06-30"}
JUNE_DAYS = ["2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22", "2026-06-29", "2026-06-30"]
FUNNEL = ["invited", "applied", "approved", "active"]
COMPARED = {m.key for m in MEASURES if m.comparison is not None}


@pytest.fixture
def conforms(client):
    """A check that a response is what the published schema says for the route and status."""
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    definitions = {
        name: openapi_json_schema(s) for name, s in schema["components"]["schemas"].items()
    }
    responses = schema["paths"][KPIS]["get"]["responses"]

    def check(response) -> None:
        declared = responses[str(response.status_code)]
        body_schema = openapi_json_schema(declared["content"]["application/json"]["schema"])
        Draft202012Validator({**body_schema, "$defs": definitions}).validate(response.json())

    return check


@pytest.fixture
def get(client, conforms):
    def fetch(headers, **query):
        response = client.get(KPIS, query, **headers)
        conforms(response)
        return response

    return fetch


@pytest.fixture
def reported(hand):
    """The organisation with its June snapshots (written once for the module)."""
    return hand


def _export(client, acme, path: str, query: dict) -> list[dict]:
    """The dashboard's CSV export, read by an executive of Acme."""
    member = MembershipFactory(organization=acme, is_executive=True, is_participant=False)
    client.force_login(member.user)
    response = client.get(path, query)
    client.logout()
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def api_cell_as_csv(row: dict) -> dict:
    """An API row in the export's columns (less the scope's name), as the export writes it:
    whole numbers, hidden ones blank."""
    cells = {"day": row["day"], **{name: str(row[name]) for name in FUNNEL}}
    for measure in MEASURES:
        value = row[measure.key]["value"]
        assert value is None or float(value).is_integer(), (measure.key, value)
        cells[measure.key] = "" if value is None else str(int(value))
    return cells


def _results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- The rows of the export -------------------------------------------------------------------


def test_the_trend_is_the_rows_of_the_dashboard_export(client, get, acme, reported):
    program = reported["program"]
    headers = api_key_headers(acme, Role.EXECUTIVE)

    for query, path in (
        ({}, "/o/acme/reports/export.csv"),
        ({"program": program.pk}, f"/o/acme/reports/programs/{program.pk}/export.csv"),
    ):
        rows = _results(get(headers, **JUNE, **query))
        exported = _export(client, acme, path, JUNE)

        assert [row["day"] for row in rows] == JUNE_DAYS
        assert [api_cell_as_csv(row) for row in rows] == [
            {k: v for k, v in line.items() if k != "scope"} for line in exported
        ]
        # The export leaves a hidden figure and a missing one alike blank: the flag is
        # what reports.measures.shown decides for the day's snapshot.
        scope = "organization" if not query else f"program:{program.pk}"
        with tenant_context(organization=acme):
            raw = selectors.kpi_trend_list(
                organization=acme, scope=scope, start=date(2026, 6, 1), end=date(2026, 6, 30)
            )
        least = report_min_group(acme)
        assert [[row[m.key]["hidden"] for m in MEASURES] for row in rows] == [
            [shown(m, figures, least).hidden for m in MEASURES] for figures in raw
        ]


def test_each_row_names_its_scope_and_reads_as_the_dashboard(get, acme, reported):
    program = reported["program"]
    headers = api_key_headers(acme, Role.ADMIN)

    whole = _results(get(headers, **JUNE))
    own = _results(get(headers, **JUNE, program=program.pk))

    assert {(row["scope"], row["program"]) for row in whole} == {("organization", None)}
    assert {(row["scope"], row["program"]) for row in own} == {("program", program.pk)}
    last = whole[-1]
    # As the dashboard's tiles read on the 30th: 8 of 18 sessions (three pairs' six
    # people), 2 of 6 trained, both as first published on the 1st (neither group nor count
    # has moved by five since); two pairs active that day; cadence judged on two pairs is
    # hidden.
    assert last["sessions"] == {"value": 44, "hidden": False, "published_on": "2026-06-01"}
    assert last["training"] == {"value": 33, "hidden": False, "published_on": "2026-06-01"}
    assert last["pairs_active"] == {"value": 2, "hidden": False, "published_on": "2026-06-30"}
    assert last["cadence"] == {"value": None, "hidden": True, "published_on": None}
    assert (last["invited"], last["applied"], last["approved"], last["active"]) == (8, 7, 6, 4)
    # The only program: its figures are the organisation's.
    assert [{**row, "scope": None, "program": None} for row in own] == [
        {**row, "scope": None, "program": None} for row in whole
    ]


def test_the_default_period_is_the_last_180_days_to_today(get, acme, hand):
    today = selectors.today(acme)
    with tenant_context(organization=acme):
        Snapshot.objects.filter(organization=acme).delete()  # the module's June rows
        for days_ago in (181, 180, 0):
            services.snapshot_write(organization=acme, day=today - timedelta(days=days_ago))

    rows = _results(get(api_key_headers(acme, Role.PROGRAM_MANAGER)))
    up_to = _results(get(api_key_headers(acme, Role.PROGRAM_MANAGER), end=today.isoformat()))

    expected = [(today - timedelta(days=180)).isoformat(), today.isoformat()]
    assert [row["day"] for row in rows] == [row["day"] for row in up_to] == expected


def test_the_rows_come_in_pages_like_every_list(get, acme, reported):
    headers = api_key_headers(acme, Role.ADMIN)

    first = get(headers, **JUNE, page_size=4).json()
    second = get(headers, **JUNE, page_size=4, page=2).json()
    beyond = get(headers, **JUNE, page_size=4, page=3)

    assert first["count"] == second["count"] == 6
    assert first["next"] and first["previous"] is None and second["next"] is None
    assert [row["day"] for row in first["results"] + second["results"]] == JUNE_DAYS
    assert beyond.status_code == 404
    assert get(headers, **JUNE, page_size=0).status_code == 400


# --- Small groups ---------------------------------------------------------------------------


def test_a_small_groups_measure_is_null_and_hidden(get, acme, reported):
    """Four end-of-program answers, four participants with comparison colleagues, two
    pairs judged on cadence: under five people each."""
    response = get(api_key_headers(acme, Role.EXECUTIVE), **JUNE)
    rows = _results(response)

    # The answers are of week 25, read once the week is over (from the 22nd): before,
    # there are none, hidden all the same ("no answers" and then "fewer than 5" would
    # tell that someone answered).
    hidden = {"value": None, "hidden": True, "published_on": None}
    for row in rows:
        assert row["satisfaction"] == row["nps"] == row["cadence"] == hidden
        assert row["retention"] == row["promotion"] == {**hidden, "comparison": None}
    # No raw figure at all: none of the numerators and denominators behind a measure.
    text = response.content.decode()
    for name in set(TREND_FIGURES) - set(FUNNEL) - {"pairs_active"}:
        assert f'"{name}"' not in text, name


@pytest.fixture
def fifth_answer(acme, reported):
    """A fifth "Overall, I am satisfied" answer (a 2) in week 26: 5, 4, 3, 5 and 2, three of
    five at 4 or 5; still four answers to the NPS question."""
    with tenant_context(organization=acme):
        overall = Question.objects.get(survey__kind=Survey.Kind.END, text="Overall")
        response = Response.objects.create(
            organization=acme, schedule=Schedule.objects.get(survey=overall.survey),
            cohort=reported["cohort"], role="mentor", week="2026-W26",
        )  # fmt: skip
        Answer.objects.create(organization=acme, response=response, question=overall, value=2)
    call_command("snapshots_backfill", "acme", "2026-06-01", "2026-06-30", "--every", "7")
    return reported


def test_a_fifth_answer_shows_satisfaction(get, acme, fifth_answer):
    rows = _results(get(api_key_headers(acme, Role.EXECUTIVE), **JUNE))

    # Week 26 is read once it is over, from the 29th; on the 22nd, week 25's four. The
    # 30th repeats the 29th's publication.
    hidden = {"value": None, "hidden": True, "published_on": None}
    assert rows[3]["satisfaction"] == hidden
    for row in rows[4:]:
        assert row["satisfaction"] == {"value": 60, "hidden": False, "published_on": "2026-06-29"}
    assert rows[-1]["nps"] == hidden


def test_an_organisations_higher_threshold_hides_as_on_the_dashboard(
    client, get, acme, fifth_answer
):
    acme.survey_min_group = 6
    acme.save()

    rows = _results(get(api_key_headers(acme, Role.EXECUTIVE), **JUNE))

    assert rows[-1]["satisfaction"] == {"value": None, "hidden": True, "published_on": None}
    assert [api_cell_as_csv(row) for row in rows] == [
        {k: v for k, v in line.items() if k != "scope"}
        for line in _export(client, acme, "/o/acme/reports/export.csv", JUNE)
    ]


def test_every_measure_has_a_field_and_only_compared_ones_a_comparison(client, get, acme, reported):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    row_schema = schema["components"]["schemas"]["KpiRow"]["properties"]
    row = _results(get(api_key_headers(acme, Role.ADMIN), **JUNE))[0]

    expected = ["day", "scope", "program", *FUNNEL, *[m.key for m in MEASURES]]
    assert list(row) == list(row_schema) == expected
    compared = {
        key for key, value in row.items() if isinstance(value, dict) and "comparison" in value
    }
    assert compared == COMPARED


# --- Whose rows, and who may read them --------------------------------------------------------


def test_another_organisations_key_sees_none_of_acmes_rows(get, acme, globex, reported):
    headers = api_key_headers(globex, *Role)

    assert get(headers, **JUNE).json()["count"] == 0
    assert get(headers).json()["count"] == 0
    foreign = get(headers, program=reported["program"].pk)
    assert foreign.status_code == 404
    assert foreign.json()["error"]["code"] == "not_found"


def test_an_unknown_program_is_not_found(get, acme, globex, reported):
    with tenant_context(organization=globex):
        theirs = Program.objects.create(
            organization=globex, name="Theirs", start_date="2026-01-01", end_date="2026-06-30"
        )
    headers = api_key_headers(acme, Role.ADMIN)

    for program in (theirs.pk, 999_999_999, 2**63):
        response = get(headers, program=program)
        assert response.status_code == 404, program
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROGRAM_MANAGER, Role.EXECUTIVE])
def test_keys_of_roles_that_read_the_dashboard_read_the_trend(get, acme, reported, role):
    assert get(api_key_headers(acme, role), **JUNE).json()["count"] == 6


def test_a_participant_only_key_is_refused(get, acme, reported):
    refused = get(api_key_headers(acme, Role.PARTICIPANT), **JUNE)

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert "sessions" not in refused.content.decode()


def test_without_a_key_the_trend_is_refused(get, acme, reported):
    assert get({}, **JUNE).status_code == 401


# --- Bad periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "2026-06-30", "end": "2026-06-01"}, "start", "before the end"),
        ({"end": "2099-01-01"}, "end", "after today"),
        ({"start": "2020-01-01", "end": "2026-06-30"}, "start", "at most three years"),
        ({"start": "June"}, "start", "YYYY-MM-DD"),
        ({"start": "20260601"}, "start", "YYYY-MM-DD"),
        ({"start": "2026-W23-1"}, "start", "YYYY-MM-DD"),
        ({"start": ""}, "start", "leave the parameter out"),
        ({"end": ""}, "end", "leave the parameter out"),
        ({"end": "2026-02-30"}, "end", "format"),
        ({"end": "0001-01-01"}, "end", "Choose a day from 2000-01-01 on."),
        ({"program": "reverse"}, "program", "whole number"),
        ({"program": "1_0"}, "program", "whole number"),
        ({"program": "\u0661"}, "program", "whole number"),  # an Arabic-Indic 1
        ({"program": "1.0"}, "program", "whole number"),
        ({"program": ""}, "program", "leave the parameter out"),
        ({"program": "0"}, "program", "greater than or equal to 1"),
    ],
)
def test_a_bad_period_or_program_is_refused_naming_the_field(
    get, acme, reported, query, field, message
):
    response = get(api_key_headers(acme, Role.ADMIN), **query)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["details"]) == [field]
    assert message in " ".join(error["details"][field])
