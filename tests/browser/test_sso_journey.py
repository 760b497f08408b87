"""Single sign-on in Chromium, against a real OpenID Connect provider on a loopback port
(pyop, tests/identity/oidc_idp.py): the Acme admin turns it on for acme.example, a new
person signs in through the provider and lands in Acme as a participant, and with single
sign-on required the password form refuses Acme's people."""

import pytest

from accounts.models import User
from organizations.models import Membership, Organization
from organizations.roles import Role
from organizations.tenancy import tenant_context
from tests.browser.helpers import sign_in
from tests.identity.helpers import dns_txt
from tests.identity.oidc_idp import CLIENT_ID, CLIENT_SECRET, PASSWORD, LocalIdentityProvider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def idp(monkeypatch, live_server):
    provider = LocalIdentityProvider().start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", provider.ca_file)
    provider.redirect_uris.append(f"{live_server.url}/accounts/oidc/acme/login/callback/")
    provider.add_person("nina.okafor@acme.example", "Nina Okafor")
    yield provider
    provider.stop()


def test_acme_turns_on_oidc_and_a_new_person_joins_through_it(
    chromium, live_server, demo_data, idp, screenshot
):
    admin = chromium.new_context(base_url=live_server.url).new_page()
    sign_in(admin, "admin@acme.example", "upturn-demo")
    admin.wait_for_url("**/o/acme/")
    admin.get_by_role("navigation", name="Organisation").get_by_role(
        "link", name="Single sign-on"
    ).click()
    admin.get_by_role("heading", name="Single sign-on", exact=True).wait_for()

    # The domain first, proven through DNS (DNS's answer is the one thing made up here).
    admin.get_by_label("Email domain", exact=True).fill("acme.example")
    admin.get_by_role("button", name="Add the domain").click()
    admin.get_by_text("acme.example added: now prove it is yours.").wait_for()
    record = admin.locator("code", has_text="upturn-verification=").inner_text()
    with dns_txt({"acme.example": [record]}):
        admin.get_by_role("button", name="Check DNS for acme.example").click()
        admin.get_by_text("acme.example is verified").wait_for()

    admin.get_by_label("Issuer discovery URL").fill(idp.issuer)
    admin.get_by_label("Client ID", exact=True).fill(CLIENT_ID)
    admin.get_by_label("Client secret").fill(CLIENT_SECRET)
    admin.get_by_label("Turned on", exact=True).check()
    admin.get_by_role("button", name="Save single sign-on").click()
    admin.get_by_text("Single sign-on saved.").wait_for()
    screenshot(admin, "sso-admin-page")

    # A new person: the email, then the identity provider's own sign-in, then Acme.
    person = chromium.new_context(base_url=live_server.url, ignore_https_errors=True).new_page()
    person.goto("/accounts/login/")
    screenshot(person, "sso-login-email-step")
    person.get_by_label("Email").fill("nina.okafor@acme.example")
    person.get_by_role("button", name="Continue").click()
    person.get_by_role("heading", name="Acme sign-in").wait_for()
    person.get_by_label("Password").fill(PASSWORD)
    person.get_by_role("button", name="Sign in to Acme").click()
    person.wait_for_url("**/o/acme/")

    acme = Organization.objects.get(slug="acme")
    newcomer = User.objects.get(email="nina.okafor@acme.example")
    with tenant_context(organization=acme):
        membership = Membership.objects.get(organization=acme, user=newcomer)
    assert membership.roles == {Role.PARTICIPANT}
    assert (
        person.get_by_role("navigation", name="Organisation")
        .get_by_role("link", name="My programs")
        .is_visible()
    )

    # Required: the password form refuses Acme's people, and says why.
    admin.get_by_label("Require single sign-on", exact=True).check()
    admin.get_by_role("button", name="Save single sign-on").click()
    admin.get_by_text("Single sign-on saved.").wait_for()
    other = chromium.new_context(base_url=live_server.url).new_page()
    other.goto("/accounts/login/")
    other.get_by_label("Email").fill("someone@elsewhere.example")
    other.get_by_role("button", name="Continue").click()
    other.get_by_label("Email").fill("manager@acme.example")
    other.get_by_label("Password").fill("upturn-demo")
    other.get_by_role("button", name="Sign in").click()
    other.get_by_text("Acme requires single sign-on for manager@acme.example").wait_for()
    screenshot(other, "sso-login-password-refused")
    assert other.url.endswith("/accounts/login/")
