"""The executive dashboard, in the browser: the demo executive opens it, sees the tiles
and the charts, narrows the period and downloads the CSV of what it shows."""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.helpers import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.reports_demo,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo_with_history(monkeypatch):
    """The demo with the pilot's sessions and the reports' snapshots (its survey answers
    are left out: the dashboard shows them hidden as too few either way)."""
    monkeypatch.setattr("demo.surveys.seed_surveys_demo", lambda organization: None)
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_executive_reads_narrows_and_downloads_the_dashboard(
    browser_page, demo_with_history, screenshot
):
    page = browser_page
    sign_in(page, "exec@acme.example", "upturn-demo")
    page.get_by_role("navigation", name="Organisation").get_by_role(
        "link", name="Dashboard", exact=True
    ).click()
    page.get_by_role("heading", name="Acme: reverse mentoring").wait_for()

    assert page.locator("[data-kpi]").count() == 10
    active_pairs = page.locator('[data-kpi="pairs_active"] .kpi-value').inner_text()
    assert int(active_pairs) > 0
    # Both charts drew their lines; their figures are in the legend too.
    assert page.locator("svg.line-chart path").count() >= 5
    assert "In an active pair" in page.locator(".legend").first.inner_text()
    # Aggregates only: the executive sees "fewer than 5" where a group is small.
    assert page.locator("[data-suppressed]").count() > 0
    screenshot(page, "reports-dashboard")

    start = date.today() - timedelta(days=45)
    page.get_by_label("From").fill(start.isoformat())
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(f"**start={start.isoformat()}**")
    assert f"Trends from {start:%-d %b %Y}" in page.locator(".lead").inner_text()

    # The print layout: no navigation or filters, the figures on the page (a clean PDF).
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("form.filters").is_hidden()
    assert page.locator("[data-kpi]").first.is_visible()
    page.pdf(path=str(screenshot(page, "reports-dashboard-print").with_suffix(".pdf")))
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(
        csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig")))
    )
    assert rows, "the CSV has the period's snapshots"
    assert all(date.fromisoformat(row["day"]) >= start for row in rows)
    assert {"day", "pairs_active", "cadence", "satisfaction", "retention"} <= set(rows[0])
    assert not any("@" in value for row in rows for value in row.values())  # no person
