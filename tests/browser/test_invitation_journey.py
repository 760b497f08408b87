import re

import pytest
from django.core import mail

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accept_path(message) -> str:
    url = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    return "/" + url.split("/", 3)[3]


def test_admin_invites_and_the_invitee_joins_with_the_right_roles(
    chromium, live_server, demo_data, screenshot
):
    admin = chromium.new_context(base_url=live_server.url).new_page()
    sign_in(admin, "admin@acme.example", "upturn-demo")
    admin.get_by_role("navigation", name="Organisation").get_by_role(
        "link", name="Invitations"
    ).click()
    admin.get_by_label("Email addresses").fill("new.colleague@example.com")
    admin.get_by_label("Executive").check()
    admin.get_by_role("button", name="Send invitations").click()
    admin.get_by_text("1 invitation sent.").wait_for()
    assert admin.get_by_role("cell", name="new.colleague@example.com", exact=True).is_visible()
    screenshot(admin, "invitations-sent")

    [message] = mail.outbox
    assert message.to == ["new.colleague@example.com"]
    invitee = chromium.new_context(base_url=live_server.url).new_page()
    invitee.goto(_accept_path(message))
    invitee.get_by_label("Your name").fill("Nia Colleague")
    invitee.get_by_label("Choose a password").fill("Sturdy-pass-93")
    invitee.get_by_label("Password again").fill("Sturdy-pass-93")
    screenshot(invitee, "invitation-accept")
    invitee.get_by_role("button", name="Join Acme").click()
    invitee.wait_for_url("**/o/acme/")

    # Signing out and in again lands in Acme, with the invited roles.
    invitee.get_by_text("Nia Colleague").click()
    invitee.get_by_role("button", name="Sign out").click()
    sign_in(invitee, "new.colleague@example.com", "Sturdy-pass-93")
    invitee.wait_for_url("**/o/acme/")
    lead = invitee.locator(".lead")
    assert "Executive" in lead.inner_text() and "Participant" in lead.inner_text()
    assert invitee.get_by_role("heading", name="Program results").is_visible()
    screenshot(invitee, "invitee-home")


def test_a_globex_member_typing_an_acme_address_gets_not_found(browser_page, demo_data):
    page = browser_page
    sign_in(page, "admin@globex.example", "upturn-demo")
    page.wait_for_url("**/o/globex/")

    response = page.goto("/o/acme/members/")

    assert response.status == 404
    assert page.get_by_role("heading", name="We couldn't find that page").is_visible()
    assert "Amira" not in page.content()
