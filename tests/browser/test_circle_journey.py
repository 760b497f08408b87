"""Support circles, in the browser: the program manager plans a circle; a mentor sees it
on their program page, joins it, downloads its .ics (their invitation: the circle's UID,
their SEQUENCE) and finds it in their calendar feed; the manager's circle page shows the
mentor coming; the mentor leaves, the manager sees them among those not coming and the
feed drops it. Calendars are read by two independent parsers, icalendar and vobject."""

from pathlib import Path

import icalendar
import pytest
import vobject

from organizations.tenancy import tenant_context
from sessions.models import SupportCircle
from tests.accounts.factories import UserFactory
from tests.browser.helpers import signed_in
from tests.organizations.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANN = "ann@acme.example"
TITLE = "Mentors' lunch circle"


def _events(body: bytes) -> list[tuple[str, int, str]]:
    """(UID, SEQUENCE, STATUS) of each event, as icalendar reads it; vobject must agree."""
    by_icalendar = [
        (str(e["UID"]), int(e["SEQUENCE"]), str(e["STATUS"]))
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
    ]
    read = vobject.readOne(body.decode())
    by_vobject = [
        (e.uid.value, int(e.sequence.value), e.status.value)
        for e in (read.vevent_list if b"VEVENT" in body else [])
    ]
    assert by_icalendar == by_vobject
    return by_icalendar


def test_a_mentor_joins_a_circle_the_manager_planned_and_leaves_it(
    chromium, live_server, acme, world, world_manager, screenshot, tmp_path, settings
):
    settings.SITE_URL = live_server.url  # the feed's address is absolute
    MembershipFactory(organization=acme, user=UserFactory(email=ANN, name="Ann Junior"))
    program = world["program"]
    circles_page = f"/o/acme/programs/{program.pk}/circles/"

    # The manager plans a circle (the form suggests a date two weeks ahead, at noon).
    with signed_in(chromium, live_server, world_manager.email) as manager:
        manager.goto(circles_page)
        manager.get_by_label("Title").fill(TITLE)
        manager.get_by_label("Place or video link").fill("Room 4")
        manager.get_by_role("button", name="Add the circle").click()
        manager.get_by_text(f"Support circle “{TITLE}” added.").wait_for()
    with tenant_context(organization=acme):
        circle = SupportCircle.objects.get(title=TITLE)
    circle_page = f"{circles_page}{circle.pk}/"

    # Ann sees it on her program page, joins it and downloads her invitation.
    with signed_in(chromium, live_server, ANN) as ann:
        ann.get_by_role("navigation", name="Organisation").get_by_role(
            "link", name="My programs"
        ).click()
        ann.get_by_role("link", name=program.name, exact=True).click()
        section = ann.get_by_role("region", name="Mentor support circles")
        section.locator("strong", has_text=TITLE).wait_for()
        assert section.get_by_text("Add to calendar:").count() == 0  # not joined yet
        section.get_by_role("button", name="Join").click()
        ann.get_by_text(f"You're going to “{TITLE}”", exact=False).wait_for()
        section = ann.get_by_role("region", name="Mentor support circles")
        section.get_by_text("You're going").wait_for()
        section.get_by_text("Add to calendar:").wait_for()
        assert (
            section.get_by_role("link", name="Google Calendar")
            .get_attribute("href")
            .startswith("https://calendar.google.com/")
        )
        screenshot(ann, "circle-mentor-joined")
        with ann.expect_download() as download:
            section.get_by_role("link", name="calendar file (.ics)").click()
        saved = tmp_path / "circle.ics"
        download.value.save_as(saved)
        body = Path(saved).read_bytes()
        assert _events(body) == [(circle.uid, 0, "CONFIRMED")]
        assert icalendar.Calendar.from_ical(body)["METHOD"] == "REQUEST"

        ann.goto("/o/acme/programs/calendar/")
        ann.get_by_role("button", name="Make my feed address").click()
        feed_url = ann.locator("#feed-url")
        feed_url.wait_for()
        address = feed_url.inner_text().strip()

    app = chromium.new_context()  # a calendar app: it does not sign in
    try:
        assert _events(app.request.get(address).body()) == [(circle.uid, 0, "CONFIRMED")]

        # The manager's circle page: Ann is coming.
        with signed_in(chromium, live_server, world_manager.email) as manager:
            manager.goto(circle_page)
            answers = manager.get_by_role("region", name="Who is coming")
            answers.get_by_role("heading", name="Coming (1)").wait_for()
            assert answers.locator(".people-going").inner_text().strip() == "Ann Junior"
            screenshot(manager, "circle-manager-coming")

        # Ann leaves.
        with signed_in(chromium, live_server, ANN) as ann:
            ann.goto(f"/o/acme/programs/mine/{world['Ann'].pk}/")
            section = ann.get_by_role("region", name="Mentor support circles")
            section.get_by_role("button", name="Leave the circle").click()
            ann.get_by_text(f"You're not going to “{TITLE}”", exact=False).wait_for()
            section = ann.get_by_role("region", name="Mentor support circles")
            section.get_by_text("You're not going").wait_for()
            assert section.get_by_text("Add to calendar:").count() == 0
            screenshot(ann, "circle-mentor-left")

        with signed_in(chromium, live_server, world_manager.email) as manager:
            manager.goto(circle_page)
            answers = manager.get_by_role("region", name="Who is coming")
            answers.get_by_role("heading", name="Not coming (1)").wait_for()
            assert answers.locator(".people-not-going").inner_text().strip() == "Ann Junior"
            answers.get_by_text("Nobody has said yes yet.").wait_for()
            screenshot(manager, "circle-manager-not-coming")

        assert _events(app.request.get(address).body()) == []
    finally:
        app.close()
