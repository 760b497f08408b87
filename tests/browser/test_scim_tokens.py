"""The admin's SCIM page in Chromium: make a token, see it once, use it, revoke it."""

import httpx2
import pytest

from tests.accounts.factories import PASSWORD
from tests.browser.helpers import sign_in
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _users(live_server, token: str) -> int:
    response = httpx2.get(
        f"{live_server.url}/scim/v2/Users", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


def test_an_admin_makes_a_scim_token_sees_it_once_and_revokes_it(
    browser_page, live_server, screenshot
):
    acme = OrganizationFactory(slug="acme", name="Acme")
    admin = MembershipFactory(organization=acme, is_admin=True).user
    # The server's first request imports every app's views: on a loaded machine that
    # alone can outlast the browser's timeout, which is for the pages themselves.
    httpx2.get(f"{live_server.url}/accounts/login/", timeout=120)
    page = browser_page
    sign_in(page, admin.email, PASSWORD)
    page.wait_for_url("**/o/acme/")

    page.get_by_role("navigation", name="Organisation").get_by_role(
        "link", name="SCIM provisioning"
    ).click()
    page.get_by_role("heading", name="SCIM provisioning", level=1).wait_for()
    assert page.locator("#scim-base-url").inner_text() == f"{live_server.url}/scim/v2/"
    page.get_by_label("Name").fill("Okta")
    page.get_by_role("button", name="Make the token").click()

    token = page.locator("#new-token").inner_text()
    screenshot(page, "scim-token-made")
    assert token.startswith("upturnscim_acme_")
    assert _users(live_server, token) == 200

    page.goto(page.url)  # a GET: reloading would post the form again
    assert page.locator("#new-token").count() == 0
    assert token not in page.content()
    page.get_by_text("Revoke…").click()
    page.get_by_role("button", name="Revoke “Okta”").click()
    page.get_by_text("The token “Okta” no longer works.").wait_for()
    screenshot(page, "scim-token-revoked")
    assert page.get_by_role("cell", name="Revoked").count() == 1
    assert _users(live_server, token) == 401
