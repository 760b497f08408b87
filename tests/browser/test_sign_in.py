import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_admin_signs_in_and_lands_on_their_organisation(browser_page, demo_data, screenshot):
    page = browser_page
    sign_in(page, "admin@acme.example", "upturn-demo")

    page.wait_for_url("**/o/acme/")
    assert page.get_by_role("heading", name="Welcome, Amira").is_visible()
    nav = page.get_by_role("navigation", name="Organisation")
    assert nav.get_by_role("link", name="Members").is_visible()
    screenshot(page, "home-acme-admin")


def test_participant_sees_no_admin_navigation(browser_page, demo_data):
    page = browser_page
    sign_in(page, "mentor@globex.example", "upturn-demo")

    page.wait_for_url("**/o/globex/")
    nav = page.get_by_role("navigation", name="Organisation")
    assert nav.get_by_role("link", name="Overview").is_visible()
    assert nav.get_by_role("link", name="Members").count() == 0


def test_wrong_password_keeps_the_person_on_the_sign_in_page(browser_page, demo_data):
    page = browser_page
    sign_in(page, "admin@acme.example", "not-the-password")

    assert page.get_by_text(
        "The email address and/or password you specified are not correct"
    ).is_visible()
    assert page.url.endswith("/accounts/login/")


def test_first_tab_reaches_the_skip_link(browser_page, demo_data):
    page = browser_page
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")

    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"


def test_signed_in_home_fits_a_phone_screen(chromium, live_server, demo_data, screenshot):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in(page, "manager@acme.example", "upturn-demo")
    page.wait_for_url("**/o/acme/")

    page_width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "home-acme-manager-phone")
    context.close()
    assert page_width <= 375
