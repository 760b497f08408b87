"""Calendars, in the browser: the mentor books a session; the mentee is told in the app,
downloads its .ics (the emailed invitation's event) and makes a calendar feed, whose
address a calendar app fetches without signing in and which lists the session; the
mentor moves it, and the feed shows the new time under the same UID. Both calendars are
read by two independent parsers, icalendar and vobject."""

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.utils import dateformat, timezone

from matching import services as matching
from matching.models import Pair
from organizations.tenancy import tenant_context
from sessions.models import MentoringSession
from tests.accounts.factories import UserFactory
from tests.browser.helpers import open_pair_page, signed_in
from tests.organizations.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANN, DAN = "ann@acme.example", "dan@acme.example"
BERLIN = ZoneInfo("Europe/Berlin")  # Ann's and Dan's time zone in the world fixture


@pytest.fixture
def pair(acme, world) -> Pair:
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        pair = Pair.objects.get(run=run, mentee=world["Dan"])
    for email, name in ((ANN, "Ann Junior"), (DAN, "Dan Senior")):
        MembershipFactory(organization=acme, user=UserFactory(email=email, name=name))
    return pair


def _events(body: bytes) -> list[tuple[str, int, datetime]]:
    """(UID, SEQUENCE, start) of each event, as icalendar reads it; vobject must agree."""
    by_icalendar = [
        (str(e["UID"]), int(e["SEQUENCE"]), e.decoded("DTSTART"))
        for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
    ]
    by_vobject = [
        (e.uid.value, int(e.sequence.value), e.dtstart.value)
        for e in vobject.readOne(body.decode()).vevent_list
    ]
    assert by_icalendar == by_vobject
    return by_icalendar


def test_the_mentee_downloads_the_session_and_follows_it_moving_in_their_feed(
    chromium, live_server, acme, world, pair, screenshot, tmp_path, settings
):
    settings.SITE_URL = live_server.url  # the feed's address is absolute
    program = world["program"].name
    day = timezone.localtime(timezone.now(), BERLIN).date() + timedelta(days=7)
    starts_at = datetime.combine(day, time(10, 0), tzinfo=BERLIN)

    # Ann books a session.
    with signed_in(chromium, live_server, ANN) as ann:
        open_pair_page(ann, program, "Dan Senior")
        ann.get_by_role("link", name="Schedule a session").click()
        ann.get_by_role("heading", name="Schedule a session with Dan Senior").wait_for()
        ann.get_by_label("Date").fill(day.isoformat())
        ann.get_by_label("Time").fill("10:00")
        ann.get_by_label("Minutes").fill("60")
        ann.get_by_role("button", name="Book and send invitations").click()
        ann.get_by_text("Session booked.", exact=False).wait_for()
    with tenant_context(organization=acme):
        session = MentoringSession.objects.get(pair=pair)

    # Dan is told in the app, downloads it from the pair's page, and makes his feed.
    with signed_in(chromium, live_server, DAN) as dan:
        dan.goto("/o/acme/notifications/")
        told = dan.get_by_role("region", name="Your notifications, newest first")
        told.get_by_text(
            f"Ann Junior booked a session with you on {dateformat.format(starts_at, 'l j F Y')}"
        ).wait_for()
        assert (
            told.get_by_text("in the app only", exact=False).count() == 1
        )  # mailed: the invitation
        screenshot(dan, "calendar-partner-told")
        open_pair_page(dan, program, "Ann Junior")
        upcoming = dan.get_by_role("region", name="Upcoming")
        upcoming.get_by_text("Add to calendar:").wait_for()
        assert (
            upcoming.get_by_role("link", name="Google Calendar")
            .get_attribute("href")
            .startswith("https://calendar.google.com/")
        )
        screenshot(dan, "calendar-add-to-calendar")
        with dan.expect_download() as download:
            upcoming.get_by_role("link", name="calendar file (.ics)").click()
        saved = tmp_path / "session.ics"
        download.value.save_as(saved)
        assert _events(Path(saved).read_bytes()) == [(session.uid, 0, starts_at)]

        dan.goto("/o/acme/notifications/settings/")
        dan.get_by_role("link", name="Your calendar feed", exact=False).click()
        dan.get_by_role("heading", name="Calendar feed").wait_for()
        dan.get_by_role("button", name="Make my feed address").click()
        feed_url = dan.locator("#feed-url")
        feed_url.wait_for()
        address = feed_url.inner_text().strip()
        assert (
            dan.get_by_role("link", name="Subscribe in your calendar app").get_attribute("href")
            == "webcal://" + address.split("://", 1)[1]
        )
        screenshot(dan, "calendar-feed-made")

    # A calendar app, not signed in, fetches the feed: the session is there.
    app = chromium.new_context()
    try:
        first = app.request.get(address)
        assert first.status == 200
        assert _events(first.body()) == [(session.uid, 0, starts_at)]
        etag = first.headers["etag"]
        assert app.request.get(address, headers={"If-None-Match": etag}).status == 304

        # Ann moves it to 14:00 the day after.
        moved_to = starts_at + timedelta(days=1, hours=4)
        when = dateformat.format(starts_at, "D j M, H:i")
        with signed_in(chromium, live_server, ANN) as ann:
            open_pair_page(ann, program, "Dan Senior")
            ann.get_by_role("region", name="Upcoming").get_by_role("link", name=when).click()
            ann.get_by_text("Move…").click()
            ann.get_by_label("Date").fill(moved_to.date().isoformat())
            ann.get_by_label("Time").fill("14:00")
            ann.get_by_role("button", name="Move and send the update").click()
            ann.get_by_text("Session moved.", exact=False).wait_for()

        again = app.request.get(address, headers={"If-None-Match": etag})
        assert again.status == 200
        assert _events(again.body()) == [(session.uid, 1, moved_to)]
    finally:
        app.close()
