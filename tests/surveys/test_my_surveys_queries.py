"""The "My surveys" page reads what it shows in a fixed number of queries, however many surveys a
person has been asked (issue 19: under load it was the slowest page of the plan)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.tenancy import tenant_context
from surveys.models import Assignment
from tests.surveys.helpers import assign, login, make_schedule, make_survey, sign_in_people

pytestmark = pytest.mark.django_db

# The session, the user, the memberships (every signed-in page reads them) and the
# assignments with their surveys, cohorts and programs, in one query.
MAX_READS = 4


def _ask_ann(acme, world, surveys: int) -> None:
    with tenant_context(organization=acme):
        for n in range(surveys):
            survey = make_survey(acme, world["program"], anonymous=n % 2 == 0)
            schedule = make_schedule(acme, survey, world["cohort"])
            assign(acme, schedule, world["Ann"], opened_days_ago=1 + 20 * (n % 3))


def _reads(queries) -> list[str]:
    """The statements that read rows (not the savepoints and settings of the tenant scope,
    whose number depends on how the request's transaction is nested)."""
    return [q["sql"] for q in queries.captured_queries if " FROM " in q["sql"]]


def _my_surveys(client):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("surveys_respond:mine", kwargs={"org_slug": "acme"}))
    assert page.status_code == 200
    return page, len(_reads(queries))


def test_my_surveys_costs_the_same_queries_for_one_survey_or_nine(client, acme, world):
    sign_in_people(acme)
    _ask_ann(acme, world, 1)
    login(client, "ann")
    _my_surveys(client)  # the first request of a session reads what later ones keep
    _page, one = _my_surveys(client)

    _ask_ann(acme, world, 8)
    page, nine = _my_surveys(client)

    with tenant_context(organization=acme):
        assert Assignment.objects.filter(participant=world["Ann"]).count() == 9
    assert page.content.decode().count("How did it go?") == 9  # open, answered, closed
    assert nine == one
    assert nine <= MAX_READS
