"""The banner that background work stopped, as a program manager sees it in a browser
(on a desktop and on a phone) and as a mentor does not: screenshots for a human to look
at (test-artifacts/background-notice[-phone].png)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from config.celery import HEARTBEAT_CACHE_KEY
from tests.accounts.factories import PASSWORD
from tests.browser.helpers import sign_in
from tests.organizations.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sees_that_reminders_surveys_and_reports_are_paused(
    browser_page, chromium, live_server, screenshot, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker is expected, and has stopped
    acme = OrganizationFactory(slug="acme", name="Acme")
    manager = MembershipFactory(organization=acme, is_program_manager=True).user
    mentor = MembershipFactory(organization=acme, is_participant=True).user
    cache.set(HEARTBEAT_CACHE_KEY, (timezone.now() - timedelta(hours=3)).isoformat())
    page = browser_page

    sign_in(page, manager.email, PASSWORD)
    page.wait_for_url("**/")
    for path in ("/o/acme/", "/o/acme/invitations/"):
        page.goto(path)
        notice = page.get_by_role("status").filter(has_text="Reminders, surveys and reports")
        assert notice.is_visible(), path
        assert "No background worker has run since" in notice.inner_text()
    screenshot(page, "background-notice")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/o/acme/")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, "the banner fits a phone's screen"
    screenshot(page, "background-notice-phone")

    context = chromium.new_context(base_url=live_server.url)
    other = context.new_page()
    sign_in(other, mentor.email, PASSWORD)
    other.wait_for_url("**/")
    other.goto("/o/acme/")
    assert other.locator("[data-background-notice]").count() == 0
    context.close()
