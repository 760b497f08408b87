"""A table wider than the screen scrolls in its box: that box is then a named region in
the tab order, so the keyboard can scroll it (axe: scrollable-region-focusable); a box
that does not scroll stays out of the tab order."""

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

    phone = _dashboard(chromium, live_server, 390)
    wrap = phone.locator(".table-wrap", has=phone.locator("table[data-table='cohorts']"))
    assert wrap.get_attribute("tabindex") == "0"
    assert wrap.get_attribute("role") == "region"
    assert wrap.get_attribute("aria-label")
    wrap.focus()
    phone.keyboard.press("ArrowRight")
    # Polled from here: wait_for_function evaluates a string in the page, which the
    # content security policy (no unsafe-eval) rightly refuses.
    deadline = time.monotonic() + 5
    while wrap.evaluate("wrap => wrap.scrollLeft") == 0 and time.monotonic() < deadline:
        phone.wait_for_timeout(50)
    assert wrap.evaluate("wrap => wrap.scrollLeft") > 0
    screenshot(phone, "dashboard-phone-table-focused")

    desktop = _dashboard(chromium, live_server, 1600)
    wraps = desktop.evaluate(
        """() => [...document.querySelectorAll('.table-wrap')].map(w => [
            w.scrollWidth > w.clientWidth + 1, w.getAttribute('tabindex')])"""
    )
    assert any(not scrolls for scrolls, _tabindex in wraps)
    assert all((tabindex == "0") == scrolls for scrolls, tabindex in wraps), wraps
