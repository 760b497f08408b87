"""On a phone (390 px), the organisation's navigation is a Menu disclosure that opens by
keyboard and reaches every item, and nothing on the page scrolls sideways; on a desktop
the links stay in a row and the Menu is not there."""

import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
ADMIN_ITEMS = ["Overview", "Dashboard", "Programs", "Directory", "Members", "Settings"]


def _page(chromium, live_server, viewport):
    context = chromium.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, "admin@acme.example", "upturn-demo")
    page.wait_for_url("**/o/acme/")
    return page


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_on_a_phone_the_navigation_is_a_keyboard_menu_and_nothing_scrolls_sideways(
    chromium, live_server, demo_data, screenshot
):
    page = _page(chromium, live_server, PHONE)
    navigation = page.get_by_role("navigation", name="Organisation")
    assert not navigation.is_visible()  # closed: its links are not in the way
    assert _overflow(page) <= 0

    menu = page.locator("details.nav-menu > summary")
    menu.focus()
    page.keyboard.press("Enter")
    for label in ADMIN_ITEMS:
        link = navigation.get_by_role("link", name=label, exact=True)
        assert link.is_visible(), label
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], label
    assert (
        navigation.get_by_role("link", name="Overview", exact=True).get_attribute("aria-current")
        == "page"
    )
    screenshot(page, "navigation-phone-open")

    navigation.get_by_role("link", name="Directory", exact=True).click()
    page.wait_for_url("**/o/acme/directory/")
    assert _overflow(page) <= 0


def test_on_a_desktop_the_links_stay_in_a_row_and_there_is_no_menu(
    chromium, live_server, demo_data, screenshot
):
    page = _page(chromium, live_server, DESKTOP)
    navigation = page.get_by_role("navigation", name="Organisation")

    assert navigation.get_by_role("link", name="Directory", exact=True).is_visible()
    assert not page.locator("details.nav-menu > summary").is_visible()
    assert page.get_by_role("navigation", name="Organisation").count() == 1
    screenshot(page, "navigation-desktop")
