"""A table wider than the screen. On a computer it scrolls in its box: that box is then a
named region in the tab order, so the keyboard can scroll it (axe:
scrollable-region-focusable); a box that does not scroll stays out of the tab order. On a
phone it reflows into stacked cards, a card per row, each figure beside its column's
heading (issue 18), so nothing scrolls sideways."""

import time

import pytest

from organizations.models import Organization
from organizations.tenancy import tenant_context
from reports.selectors import today
from reports.services import snapshot_write
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _dashboard(chromium, live_server, width):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, "exec@acme.example", "upturn-demo")
    page.wait_for_url("**/o/acme/")
    page.goto("/o/acme/reports/")
    return page


def test_a_table_that_scrolls_is_a_named_region_the_keyboard_reaches(
    chromium, live_server, demo_data, screenshot
):
    acme = Organization.objects.get(slug="acme")
    with tenant_context(organization=acme):
        snapshot_write(organization=acme, day=today(acme))

    laptop = _dashboard(chromium, live_server, 1366)
    wrap = laptop.locator(".table-wrap", has=laptop.locator("table[data-table='cohorts']"))
    wrap.wait_for()
    assert wrap.get_attribute("tabindex") == "0"
    assert wrap.get_attribute("role") == "region"
    assert wrap.get_attribute("aria-label") == "Cohorts compared"
    # The headline outcomes come first, in view without scrolling.
    headings = wrap.locator("thead th").all_inner_texts()
    assert [h.casefold() for h in headings[4:6]] == ["12-month retention", "mentors promoted"]
    wrap.focus()
    laptop.keyboard.press("ArrowRight")
    # Polled from here: wait_for_function evaluates a string in the page, which the
    # content security policy (no unsafe-eval) rightly refuses.
    deadline = time.monotonic() + 5
    while wrap.evaluate("wrap => wrap.scrollLeft") == 0 and time.monotonic() < deadline:
        laptop.wait_for_timeout(50)
    assert wrap.evaluate("wrap => wrap.scrollLeft") > 0
    screenshot(laptop, "dashboard-laptop-table-focused")

    desktop = _dashboard(chromium, live_server, 1600)
    wraps = desktop.evaluate(
        """() => [...document.querySelectorAll('.table-wrap')].map(w => [
            w.scrollWidth > w.clientWidth + 1, w.getAttribute('tabindex')])"""
    )
    assert any(not scrolls for scrolls, _tabindex in wraps)
    assert all((tabindex == "0") == scrolls for scrolls, tabindex in wraps), wraps


def test_on_a_phone_a_wide_table_reflows_into_cards_and_nothing_scrolls(
    chromium, live_server, demo_data, screenshot
):
    acme = Organization.objects.get(slug="acme")
    with tenant_context(organization=acme):
        snapshot_write(organization=acme, day=today(acme))

    phone = _dashboard(chromium, live_server, 390)
    wrap = phone.locator(".table-wrap.stacked", has=phone.locator("table[data-table='cohorts']"))
    wrap.wait_for()

    # Nothing scrolls sideways, so nothing needs to be a scrolling region.
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth + 1")
    assert wrap.get_attribute("tabindex") is None
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    # A card per cohort: its name on top, each figure beside its column's heading.
    pilot = wrap.locator("tbody tr").filter(has=phone.get_by_role("rowheader", name="Pilot"))
    cells = pilot.locator("td")
    labels = [cells.nth(i).get_attribute("data-label") for i in range(cells.count())]
    assert labels[:5] == [
        "Program",
        "Dates",
        "Active pairs",
        "12-month retention",
        "Mentors promoted",
    ]
    retention = cells.nth(3).bounding_box()
    promoted = cells.nth(4).bounding_box()
    assert promoted["y"] >= retention["y"] + retention["height"] - 1  # stacked, not side by side
    assert retention["x"] + retention["width"] <= 390
    screenshot(phone, "dashboard-phone-cohorts-as-cards")

    # Turned to a wide screen, the same page is a table again.
    phone.set_viewport_size({"width": 1600, "height": 900})
    phone.locator(
        ".table-wrap:not(.stacked)", has=phone.locator("table[data-table='cohorts']")
    ).wait_for()
