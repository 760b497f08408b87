"""Mentors and mentees mostly use phones: every page a participant uses fits a 390 px
screen with no sideways scrolling (screenshots: test-artifacts/phone-<page>.png)."""

import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _overflowing(page) -> list[str]:
    """The page's sideways overflow, and the widest elements that cause it."""
    return page.evaluate(
        """() => {
            const width = window.innerWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            return [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 1)
                .slice(0, 5)
                .map(e => `${e.tagName.toLowerCase()}.${e.className} `
                    + `${Math.round(e.getBoundingClientRect().right)}px`);
        }"""
    )


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_every_participant_page_fits_a_phone(chromium, live_server, demo_data, screenshot, who):
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, f"{who}@acme.example", "upturn-demo")
    page.wait_for_url("**/o/acme/")
    pages = {"overview": "/o/acme/"}
    page.goto("/o/acme/programs/mine/")
    pages["my-programs"] = page.url
    page.locator("main a[href*='/programs/mine/']").first.click()
    pages["place"] = page.url
    pair = page.get_by_role("link", name="Open your pair's page")
    if pair.count():
        pair.first.click()
        pages["pair"] = page.url
    pages["notifications"] = "/o/acme/notifications/"
    pages["notification-settings"] = "/o/acme/notifications/settings/"
    pages["surveys"] = "/o/acme/surveys/mine/"
    pages["profile"] = "/o/acme/me/"

    problems = {}
    for name, url in pages.items():
        page.goto(url)
        screenshot(page, f"phone-{who}-{name}")
        if overflow := _overflowing(page):
            problems[name] = overflow
    assert "pair" in pages or who == "mentee"
    assert problems == {}
