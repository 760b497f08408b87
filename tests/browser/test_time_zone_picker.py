"""The time zone picker in a browser whose zone is Asia/Kolkata: a person who has not
chosen a zone sees the browser's first in "Likely", selected, beside the organisation's;
the "Search time zones" box narrows the list as they type, and the select follows."""

from datetime import date

import pytest

from directory.models import Employee
from organizations.tenancy import tenant_context
from programs.enrolment import participant_nominate
from programs.models import Cohort, Participant, Program, Topic
from programs.services import program_save
from tests.accounts.factories import PASSWORD
from tests.browser.helpers import sign_in
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "noor.haddad@initech.example"


@pytest.fixture
def apply_url(db):
    """An invited mentor with no time zone anywhere, in an organisation on Berlin time."""
    organization = OrganizationFactory(slug="initech", name="Initech", time_zone="Europe/Berlin")
    manager = MembershipFactory(organization=organization, is_program_manager=True)
    MembershipFactory(organization=organization, user__email=EMAIL, is_participant=True)
    with tenant_context(organization=organization):
        employee = Employee.objects.create(
            organization=organization, employee_number="E-1", email=EMAIL, name="Noor", job_level=2
        )
        program = program_save(
            program=Program(
                organization=organization,
                name="Pilot",
                start_date=date(2027, 1, 1),
                end_date=date(2027, 6, 30),
                mentor_max_level=3,
                mentee_min_level=6,
                status=Program.Status.RECRUITING,
            ),
            topics=[Topic.objects.create(organization=organization, name="AI tools")],
            managers=[manager],
        )
        cohort = Cohort.objects.create(
            organization=organization,
            program=program,
            name="Pilot",
            start_date=date(2027, 1, 1),
            end_date=date(2027, 6, 30),
            self_nomination_open=True,
        )
        participant = participant_nominate(
            cohort=cohort, employee=employee, role=Participant.Role.MENTOR
        )
    return f"/o/initech/programs/mine/{participant.pk}/apply/"


def test_the_browsers_zone_comes_first_and_the_search_box_narrows_the_list(
    chromium, live_server, apply_url, screenshot, csp_violations
):
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 800},
        timezone_id="Asia/Kolkata",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, EMAIL, PASSWORD)
    page.wait_for_url("**/o/initech/**")
    page.goto(apply_url)

    select = page.get_by_label("Your time zone")
    likely = select.locator("optgroup").first
    assert likely.get_attribute("label") == "Likely"
    assert likely.locator("option").evaluate_all("os => os.map(o => o.value)") == [
        "Asia/Kolkata",
        "Europe/Berlin",
    ]
    assert select.input_value() == "Asia/Kolkata"
    assert page.locator("select#id_time_zone option[value='Asia/Kolkata']").count() == 1

    search = page.get_by_role("searchbox", name="Search time zones")
    search.focus()
    page.keyboard.type("new y")
    visible = "os => os.filter(o => !o.hidden && !o.parentElement.hidden).map(o => o.value)"
    assert select.locator("option").evaluate_all(visible) == ["America/New_York"]
    assert select.input_value() == "America/New_York"  # the select follows the search
    assert page.get_by_role("status").filter(has_text="Zones that match: 1").is_visible()
    select.scroll_into_view_if_needed()
    screenshot(page, "time-zone-picker-search")

    # The keyboard moves on from the box to the narrowed list, without sending the form.
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_time_zone"
    assert page.url.endswith(apply_url)

    search.fill("")
    assert len(select.locator("option").evaluate_all(visible)) > 500
    assert csp_violations == []
    context.close()
