"""The organisation overview as the demo admin, program manager, mentor and executive
see it after signing in, on a desktop and on a phone: screenshots for a human to look at
(test-artifacts/overview-<role>[-phone].png), and the page never wider than the screen."""

import io

import pytest
from django.core.management import call_command

from organizations.models import Organization
from organizations.tenancy import tenant_context
from reports.selectors import today
from reports.services import snapshot_write
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"": 1280, "-phone": 375}
# What each role must find on the page, by the section's heading.
SECTIONS = {
    "admin": ["Run the organisation", "Your programs", "Program results"],
    # The organisation's figures sum every program: not a program manager's to read.
    "manager": ["Your programs", "People"],
    "mentor": ["Your mentoring"],
    "exec": ["Program results"],
}


@pytest.fixture
def demo_with_history(monkeypatch, seed_demo_once):
    """The demo as `make run` has it, the pilot's sessions and surveys included (the
    mentor's next session), less the reports' months of history: today's figures are
    counted instead, which is all the overview reads. (The same rows as ``demo_module``'s,
    seeded once per test run: tests/demo_snapshot.py.)"""
    monkeypatch.setattr("demo.reports.seed_reports_demo", lambda organization: None)
    seed_demo_once("without-reports", lambda: call_command("seed_demo", stdout=io.StringIO()))
    acme = Organization.objects.get(slug="acme")
    with tenant_context(organization=acme):
        snapshot_write(organization=acme, day=today(acme))


def test_each_role_sees_its_own_overview_on_a_desktop_and_a_phone(
    chromium, live_server, demo_with_history, screenshot
):
    widths = {}
    for suffix, width in WIDTHS.items():
        for role, headings in SECTIONS.items():
            context = chromium.new_context(
                base_url=live_server.url, viewport={"width": width, "height": 800}
            )
            page = context.new_page()
            page.set_default_timeout(10_000)
            sign_in(page, f"{role}@acme.example", "upturn-demo")
            page.wait_for_url("**/o/acme/")
            for heading in headings:
                assert page.get_by_role("heading", name=heading, exact=True).is_visible(), (
                    role,
                    heading,
                )
            if role == "mentor":
                assert page.get_by_role("heading", name="With Tom Becker").is_visible()
                assert page.get_by_text("your time (Europe/", exact=False).first.is_visible()
            if role == "exec":
                assert page.locator('[data-kpi="pairs_active"] .kpi-value').inner_text() != "—"
            widths[role + suffix] = page.evaluate("document.documentElement.scrollWidth")
            screenshot(page, f"overview-{role}{suffix}")
            context.close()

    assert all(
        widths[role + suffix] <= width for suffix, width in WIDTHS.items() for role in SECTIONS
    ), widths
