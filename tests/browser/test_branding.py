"""An organisation's accent colour, seen in Chromium."""

import pytest

from tests.accounts.factories import PASSWORD
from tests.browser.helpers import sign_in
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _button_colour(page) -> str:
    button = page.get_by_role("button", name="Send invitations")
    return button.evaluate("element => getComputedStyle(element).backgroundColor")


def test_buttons_take_a_dark_accent_and_keep_upturns_for_a_pale_one(browser_page, screenshot):
    purple = OrganizationFactory(slug="purple", name="Purple Co", accent_color="#6b21a8")
    pale = OrganizationFactory(slug="pale", name="Pale Co", accent_color="#ffcc00")
    admin = MembershipFactory(organization=purple, is_admin=True).user
    MembershipFactory(organization=pale, user=admin, is_admin=True)
    page = browser_page
    sign_in(page, admin.email, PASSWORD)
    page.wait_for_url("**/")

    page.goto("/o/purple/invitations/")
    screenshot(page, "branding-dark-accent")
    assert _button_colour(page) == "rgb(107, 33, 168)"

    page.goto("/o/pale/invitations/")
    screenshot(page, "branding-pale-accent")
    assert _button_colour(page) == "rgb(11, 110, 105)"  # Upturn's own
