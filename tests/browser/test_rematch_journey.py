"""Rematch on request, in the browser: the demo mentor's pairing has ended; from their
page they ask to be matched again in one click and are told the program manager sees
it; the program manager opens the pilot's matching page and finds who asked and when."""

import pytest
from django.utils import timezone

from demo.programs import ACME_PROGRAM
from matching.models import Pair, RematchRequest
from matching.services import pair_end
from organizations.models import Organization
from organizations.tenancy import tenant_context
from tests.browser.helpers import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "upturn-demo"  # noqa: S105 - the published demo password
MANAGER_EMAIL = "manager@acme.example"
MENTOR_EMAIL = "mentor@acme.example"


@pytest.fixture(autouse=True)
def _daytime(monkeypatch):
    """Pairing notices wait for the end of a person's night; this journey runs at any hour."""
    monkeypatch.setattr("notifications.delivery.is_night", lambda moment, zone: False)


@pytest.fixture
def ended(demo_data) -> Pair:
    """The demo mentor's active pairs in the pilot (they have room for more than one),
    all ended by the program manager: the first of them."""
    acme = Organization.objects.get(slug="acme")
    with tenant_context(organization=acme):
        pairs = Pair.objects.select_related("mentor__employee", "cohort").filter(
            mentor__employee__email=MENTOR_EMAIL, status=Pair.Status.ACTIVE
        )
        ended = [pair_end(pair=p, reason="Their mentee moved team.", actor=None) for p in pairs]
    assert ended, f"{MENTOR_EMAIL} has no active pair in the demo"
    return ended[0]


def test_a_mentor_asks_to_be_matched_again_and_the_manager_sees_it(
    chromium, live_server, ended, screenshot
):
    name = ended.mentor.employee.name
    with signed_in(chromium, live_server, MENTOR_EMAIL, PASSWORD) as mentor:
        mentor.get_by_role("navigation", name="Organisation").get_by_role(
            "link", name="My programs"
        ).click()
        mentor.get_by_role("link", name=ACME_PROGRAM, exact=True).click()
        mentor.get_by_role("heading", name=ACME_PROGRAM).wait_for()
        assert mentor.get_by_text("Your pairing has ended.").is_visible()

        mentor.get_by_role("button", name="Ask to be matched again").click()

        mentor.get_by_text("You asked to be matched again on").wait_for()
        assert mentor.get_by_text("the program manager sees that you'd like").is_visible()
        assert mentor.get_by_role("button", name="Ask to be matched again").count() == 0
        screenshot(mentor, "rematch-mentor-asked")

    with tenant_context(organization=ended.organization):
        asked = RematchRequest.objects.get(participant=ended.mentor_id, resolved_at=None)

    with signed_in(chromium, live_server, MANAGER_EMAIL, PASSWORD) as manager:
        manager.goto(f"/o/acme/programs/{ended.program_id}/cohorts/{ended.cohort_id}/matching/")
        section = manager.get_by_role("region", name="1 person asks to be matched again")
        section.wait_for()
        row = section.get_by_role("row").filter(has_text=name)
        assert row.is_visible()
        # In the organisation's time zone, as its pages show times.
        asked_on = timezone.localtime(asked.created_at, ended.organization.zone)
        assert asked_on.strftime("%-d %b %Y, %H:%M") in row.inner_text()
        screenshot(manager, "rematch-manager-sees-request")
