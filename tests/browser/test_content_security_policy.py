"""The content security policy in Chromium: what it blocks is reported (so every journey
fails on a violation, tests/browser/conftest.py), and the pages that lean hardest on
script and images still work under it: two-factor set-up and sign-in, the API docs, an
HTMX search."""

import pytest

from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.helpers import totp
from tests.browser.helpers import sign_in
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TINY_PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def _is_violation(message) -> bool:
    return "Content Security Policy" in message.text


def test_the_policy_blocks_inline_script_eval_and_data_images_and_says_so(
    browser_page, csp_violations
):
    page = browser_page
    page.goto("/accounts/login/")

    with page.expect_console_message(_is_violation):
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.injected = true";
                document.body.append(script);
            }"""
        )
    with page.expect_console_message(_is_violation):
        # A string given to setTimeout is compiled like eval, later, by the page itself.
        page.evaluate("() => { setTimeout('window.evaluated = true', 0); }")
    with page.expect_console_message(_is_violation):
        page.evaluate(
            f"() => {{ document.body.append(Object.assign(new Image(), {{src: '{TINY_PNG}'}})) }}"
        )
    injected, evaluated = page.evaluate("() => [window.injected, window.evaluated]")
    page.context.close()  # every report delivered before they are counted

    assert (injected, evaluated) == (None, None)
    reported = "\n".join(csp_violations)
    assert "script-src" in reported and "img-src" in reported and "eval" in reported
    csp_violations.clear()  # provoked on purpose: the teardown check would fail on them


def test_a_person_sets_up_two_factor_and_signs_in_with_a_code(browser_page, screenshot):
    person = UserFactory(email="careful@example.com")
    page = browser_page
    sign_in(page, person.email, PASSWORD)
    page.wait_for_url("**/")

    page.goto("/accounts/2fa/totp/activate/")  # just signed in: not asked for the password again
    qr = page.get_by_role("img", name="QR code to scan with your authenticator app")
    qr.wait_for()
    assert qr.locator("svg").bounding_box()["width"] >= 150  # drawn inline, scannable
    screenshot(page, "two-factor-activate")
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(totp(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url("**/accounts/2fa/**")
    page.goto("/accounts/2fa/recovery-codes/")  # allauth's own script runs here
    assert page.get_by_label("Unused codes").input_value().strip()

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, person.email, PASSWORD)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(totp(secret))
    page.get_by_label("Code").press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)


def test_the_api_docs_render_swagger_ui_from_the_apps_own_files(browser_page, screenshot):
    page = browser_page
    page.goto("/api/v1/docs/")

    page.locator(".swagger-ui .opblock").first.wait_for()
    assert page.locator(".swagger-ui .opblock").count() >= 5
    page.locator(".swagger-ui .opblock-summary").first.click()  # expands: icons, styles
    page.locator(".swagger-ui .opblock-body").first.wait_for()
    page.get_by_role("button", name="Try it out").click()
    with page.expect_response("**/api/v1/departments/**") as sent:  # from the page's script
        page.get_by_role("button", name="Execute").click()
    assert sent.value.status == 401  # no key given: the API's own answer, shown on the page
    page.locator(".swagger-ui .live-responses-table").wait_for()
    assert page.locator(".lead").get_by_role("link", name="/api/v1/schema/").is_visible()
    screenshot(page, "api-docs")


def test_the_member_search_swaps_results_with_htmx_under_the_policy(browser_page):
    acme = OrganizationFactory(slug="acme", name="Acme")
    admin = MembershipFactory(organization=acme, is_admin=True).user
    MembershipFactory(organization=acme, user=UserFactory(name="Zelda Quist"))
    page = browser_page
    sign_in(page, admin.email, PASSWORD)
    page.wait_for_url("**/")
    page.goto("/o/acme/members/")

    with page.expect_response(lambda response: "q=Zelda" in response.url):
        page.get_by_label("Search by name or email").fill("Zelda")

    table = page.locator("#member-table")
    assert "Zelda Quist" in table.inner_text()
    assert admin.email not in table.inner_text()
    # htmx was told not to inject its indicator <style> (the policy would block it).
    assert page.locator("head style:not([nonce])").count() == 0
