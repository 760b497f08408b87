"""Calendars: a session's .ics download (the emailed invitation's UID and SEQUENCE), the
Google and Outlook links, support circles' calendar files, and each person's calendar
feed, tried as an attacker would (another organisation's address, a revoked token, a
guessed one). Every calendar is read by two independent parsers, icalendar and vobject."""

from datetime import timedelta
from unittest import mock
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from matching import services as matching
from matching.models import Pair
from organizations.models import Membership
from organizations.tenancy import tenant_context
from programs.models import Participant
from sessions import circles, feeds, services
from sessions.calendar import web_links
from sessions.models import CalendarFeed, MentoringSession, Note
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory
from tests.sessions.mail_helpers import invitations

pytestmark = pytest.mark.django_db

AGENDA = "Zq8AgendaOnlyThePairReads"
NOTE = "Zq8NoteTextNeverInAFeed"
OTHER_AGENDA = "Zq8AnotherPairsAgenda"


@pytest.fixture
def pairs(acme, world):
    """Ann–Dan and, for "nothing about other pairs", Bea–Eve; all five can sign in. Dan
    lives in New York, Ann in Berlin."""
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        Pair.objects.filter(run=run).update(published_at=timezone.now() - timedelta(days=30))
        ours = Pair.objects.get(run=run, mentee=world["Dan"])
        theirs = Pair.objects.exclude(pk=ours.pk).get(run=run, mentee=world["Eve"])
        Participant.objects.filter(pk=world["Dan"].pk).update(time_zone="America/New_York")
    for name in ("ann", "bea", "cy", "dan", "eve"):
        MembershipFactory(organization=acme, user=UserFactory(email=f"{name}@acme.example"))
    mail.outbox.clear()
    return ours, theirs


def _user(name):
    return User.objects.get(email=f"{name}@acme.example")


def _membership(acme, name):
    with tenant_context(organization=acme):
        return Membership.objects.select_related("organization", "user").get(user=_user(name))


def _book(acme, pair, person, *, days=7, agenda=AGENDA) -> MentoringSession:
    with tenant_context(organization=acme):
        return services.session_schedule(
            pair=pair,
            actor=person,
            plan=services.Plan(
                starts_at=timezone.now().replace(microsecond=0) + timedelta(days=days),
                duration_minutes=60,
                video_link="https://meet.example/ann",
                agenda=agenda,
            ),
        )


def _move(acme, session, person, *, days):
    with tenant_context(organization=acme):
        return services.session_reschedule(
            session=MentoringSession.objects.get(pk=session.pk),
            actor=person,
            plan=services.Plan(
                starts_at=timezone.now().replace(microsecond=0) + timedelta(days=days),
                duration_minutes=45,
            ),
        )


def _parse(body: bytes) -> tuple[list, list]:
    """The VEVENTs, read by icalendar and by vobject: both must accept the calendar."""
    by_icalendar = icalendar.Calendar.from_ical(body).walk("VEVENT")
    by_vobject = list(vobject.readOne(body.decode()).vevent_list) if b"VEVENT" in body else []
    assert len(by_icalendar) == len(by_vobject)
    return by_icalendar, by_vobject


def _feed_address(client, acme, name) -> str:
    """Makes the person's feed on their settings page; the address shown there, once."""
    client.force_login(_user(name))
    page = client.post(f"/o/{acme.slug}/programs/calendar/", {"action": "new"})
    assert page.status_code == 200
    url = page.context["feed_url"]
    assert url in page.content.decode()
    return urlsplit(url).path


# --- The .ics download and the web links ----------------------------------------------


def test_the_downloaded_ics_is_the_emailed_invitation_so_it_updates_the_same_meeting(
    client, acme, world, pairs, django_capture_on_commit_callbacks
):
    pair, _ = pairs
    with django_capture_on_commit_callbacks(execute=True):
        session = _book(acme, pair, world["Ann"])
    with django_capture_on_commit_callbacks(execute=True):
        session = _move(acme, session, world["Dan"], days=9)
    emailed = invitations("dan@acme.example")[-1].event
    client.force_login(_user("dan"))

    response = client.get(f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/session.ics")

    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    (event,), (vevent,) = _parse(response.content)
    assert str(event["UID"]) == str(emailed["UID"]) == session.uid == vevent.uid.value
    assert event["SEQUENCE"] == emailed["SEQUENCE"] == 1 == int(vevent.sequence.value)
    assert event.decoded("DTSTART") == session.starts_at == vevent.dtstart.value
    # The organiser is who booked (Ann), whom Dan's answer reaches, even after Dan moved it.
    assert str(event["ORGANIZER"]) == "mailto:ann@acme.example"
    assert vevent.organizer.value == "mailto:ann@acme.example"


def test_a_cancelled_session_downloads_as_the_cancellation(client, acme, world, pairs):
    pair, _ = pairs
    session = _book(acme, pair, world["Ann"])
    with tenant_context(organization=acme):
        services.session_cancel(session=session, actor=world["Ann"])
    client.force_login(_user("ann"))

    body = client.get(f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/session.ics").content

    assert icalendar.Calendar.from_ical(body)["METHOD"] == "CANCEL"
    (event,), (vevent,) = _parse(body)
    assert event["STATUS"] == "CANCELLED" == vevent.status.value
    assert event["SEQUENCE"] == 1


def test_only_the_pair_downloads_its_sessions(client, acme, world, pairs):
    pair, _ = pairs
    session = _book(acme, pair, world["Ann"])
    client.force_login(_user("eve"))  # a mentee of the same program, in another pair

    response = client.get(f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/session.ics")

    assert response.status_code == 404


def test_google_and_outlook_links_open_the_meeting_at_its_time_in_utc():
    berlin = ZoneInfo("Europe/Berlin")
    starts = timezone.datetime(2027, 3, 2, 10, 0, tzinfo=berlin)

    links = web_links(
        title="Reverse: Ann & Dan",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=60),
        details="https://upturn.example/s/1",
        location="Room 4",
    )

    google = parse_qs(urlsplit(links["google"]).query)
    assert links["google"].startswith("https://calendar.google.com/calendar/render?")
    assert google["action"] == ["TEMPLATE"]
    assert google["dates"] == ["20270302T090000Z/20270302T100000Z"]
    assert google["text"] == ["Reverse: Ann & Dan"] and google["location"] == ["Room 4"]
    outlook = parse_qs(urlsplit(links["outlook"]).query)
    assert links["outlook"].startswith("https://outlook.office.com/calendar/")
    assert outlook["startdt"] == ["2027-03-02T09:00:00Z"]
    assert outlook["enddt"] == ["2027-03-02T10:00:00Z"]
    assert outlook["subject"] == ["Reverse: Ann & Dan"]


def test_the_workspace_offers_add_to_calendar_for_each_booked_session(client, acme, world, pairs):
    pair, _ = pairs
    session = _book(acme, pair, world["Ann"])
    client.force_login(_user("dan"))

    page = client.get(f"/o/acme/programs/pairs/{pair.pk}/").content.decode()

    assert f"/sessions/{session.pk}/session.ics" in page
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in page
    assert "https://outlook.office.com/calendar/0/deeplink/compose?" in page


def test_the_session_page_offers_add_to_calendar_until_it_is_cancelled(client, acme, world, pairs):
    pair, _ = pairs
    session = _book(acme, pair, world["Ann"])
    client.force_login(_user("dan"))
    url = f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/"

    page = client.get(url).content.decode()

    assert f"/sessions/{session.pk}/session.ics" in page
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in page
    assert "https://outlook.office.com/calendar/0/deeplink/compose?" in page
    with tenant_context(organization=acme):
        services.session_cancel(session=session, actor=world["Ann"])
    assert "https://calendar.google.com/" not in client.get(url).content.decode()


# --- Support circles -------------------------------------------------------------------


@pytest.fixture
def circle(acme, world, pairs):
    with tenant_context(organization=acme):
        return circles.circle_create(
            program=world["program"],
            plan=circles.CirclePlan(
                title="Mentors' circle",
                starts_at=timezone.now().replace(microsecond=0) + timedelta(days=5),
                location="Room 4",
            ),
        )


def test_mentors_get_a_circles_calendar_file_and_a_move_raises_its_sequence(
    client, acme, world, circle
):
    client.force_login(_user("ann"))
    url = f"/o/acme/programs/circles/{circle.pk}/circle.ics"
    (first,), _ = _parse(client.get(url).content)
    with tenant_context(organization=acme):
        circles.circle_update(
            circle=circle,
            plan=circles.CirclePlan(
                title="Mentors' circle", starts_at=circle.starts_at + timedelta(days=1)
            ),
        )

    (moved,), (vevent,) = _parse(client.get(url).content)

    assert str(first["UID"]) == str(moved["UID"]) == vevent.uid.value
    assert (first["SEQUENCE"], moved["SEQUENCE"]) == (0, 1)
    assert moved.decoded("DTSTART") == circle.starts_at + timedelta(days=1)
    # Her program page offers "Add to calendar" once she has joined the circle.
    page = client.get(f"/o/acme/programs/mine/{world['Ann'].pk}/")
    assert url not in page.content.decode()
    with tenant_context(organization=acme):
        circles.circle_rsvp(circle=circle, participant=world["Ann"], going=True)
    page = client.get(f"/o/acme/programs/mine/{world['Ann'].pk}/")
    assert url in page.content.decode()


def test_a_mentee_gets_no_circles_calendar_file(client, acme, circle):
    client.force_login(_user("dan"))

    assert client.get(f"/o/acme/programs/circles/{circle.pk}/circle.ics").status_code == 404


# --- The calendar feed -----------------------------------------------------------------


def test_the_feed_lists_the_persons_meetings_in_their_own_zone_and_nothing_else(
    client, acme, world, pairs, circle
):
    ours, theirs = pairs
    booked = _book(acme, ours, world["Ann"])
    cancelled = _book(acme, ours, world["Dan"], days=8)
    with tenant_context(organization=acme):
        services.session_cancel(session=cancelled, actor=world["Dan"])
        Note.objects.create(
            organization=acme,
            session=booked,
            author=world["Ann"],
            author_user=_user("ann"),
            visibility=Note.Visibility.SHARED,
            text=NOTE,
        )
    other = _book(acme, theirs, world["Eve"], agenda=OTHER_AGENDA)
    with tenant_context(organization=acme):
        circles.circle_rsvp(circle=circle, participant=world["Ann"], going=True)
    dan_path = _feed_address(client, acme, "dan")
    ann_path = _feed_address(client, acme, "ann")
    client.logout()  # calendar apps do not sign in

    dan_feed = client.get(dan_path)
    ann_feed = client.get(ann_path)

    assert dan_feed.status_code == 200
    assert dan_feed["Content-Type"].startswith("text/calendar")
    dan_events, dan_vevents = _parse(dan_feed.content)
    assert {str(e["UID"]): str(e["STATUS"]) for e in dan_events} == {
        booked.uid: "CONFIRMED",
        cancelled.uid: "CANCELLED",
    }
    assert {v.uid.value for v in dan_vevents} == {booked.uid, cancelled.uid}
    # In Dan's own zone, with the zone's definition for calendars that lack it.
    assert {e["DTSTART"].params["TZID"] for e in dan_events} == {"America/New_York"}
    new_york = booked.starts_at.astimezone(ZoneInfo("America/New_York")).utcoffset()
    (vbooked,) = [v for v in dan_vevents if v.uid.value == booked.uid]
    assert vbooked.dtstart.value == booked.starts_at
    assert vbooked.dtstart.value.utcoffset() == new_york
    assert b"BEGIN:VTIMEZONE" in dan_feed.content
    assert dan_events[0].decoded("DTSTART") == booked.starts_at
    # Not the agenda, not a note, nothing of Bea and Eve's pair.
    for secret in (AGENDA, NOTE, OTHER_AGENDA, other.uid, "Bea Junior", "Eve Senior"):
        assert secret.encode() not in dan_feed.content
    # Ann mentors: her feed also has the program's circle she joined, in Berlin time.
    ann_events, _ = _parse(ann_feed.content)
    assert {str(e["UID"]) for e in ann_events} == {booked.uid, cancelled.uid, circle.uid}
    assert {e["DTSTART"].params["TZID"] for e in ann_events} == {"Europe/Berlin"}


def test_the_feed_address_is_shown_once_and_only_its_hash_is_kept(client, acme, pairs):
    path = _feed_address(client, acme, "dan")
    token = path.removesuffix(".ics").rsplit("/", 1)[1]

    again = client.get("/o/acme/programs/calendar/").content.decode()

    assert token not in again and "Make a new address" in again
    assert len(token) >= 40
    with tenant_context(organization=acme):
        (feed,) = CalendarFeed.objects.all()
    assert feed.token_hash == feeds.calendar_feed_token_hash(token) != token


def test_a_revoked_a_replaced_and_a_guessed_token_answer_404(client, acme, pairs):
    first = _feed_address(client, acme, "dan")
    second = _feed_address(client, acme, "dan")  # a new address revokes the first
    client.post("/o/acme/programs/calendar/", {"action": "revoke"})
    third = _feed_address(client, acme, "dan")
    client.logout()

    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 404
    assert client.get(third).status_code == 200
    guessed = third[: -len(".ics") - 4] + "AAAA.ics"
    assert client.get(guessed).status_code == 404
    assert client.get("/calendar/acme/x.ics").status_code == 404
    # Every method: a wrong token never tells a method apart from a missing feed.
    assert client.post(guessed).status_code == 404


def test_a_token_never_shows_another_organisations_events(client, acme, globex, world, pairs):
    pair, _ = pairs
    _book(acme, pair, world["Ann"])
    acme_path = _feed_address(client, acme, "dan")
    globex_member = MembershipFactory(organization=globex)
    client.force_login(globex_member.user)
    globex_page = client.post("/o/globex/programs/calendar/", {"action": "new"})
    globex_path = urlsplit(globex_page.context["feed_url"]).path
    client.logout()
    acme_token = acme_path.removesuffix(".ics").rsplit("/", 1)[1]
    globex_token = globex_path.removesuffix(".ics").rsplit("/", 1)[1]

    # Each token under the other organisation's address: 404; under its own, its events.
    assert client.get(f"/calendar/globex/{acme_token}.ics").status_code == 404
    assert client.get(f"/calendar/acme/{globex_token}.ics").status_code == 404
    assert client.get(f"/calendar/no-such-org/{acme_token}.ics").status_code == 404
    assert len(_parse(client.get(acme_path).content)[0]) == 1
    assert _parse(client.get(globex_path).content)[0] == []


def test_a_deactivated_members_feed_answers_404(client, acme, pairs):
    path = _feed_address(client, acme, "dan")
    with tenant_context(organization=acme):
        Membership.objects.filter(user=_user("dan")).update(is_active=False)
    client.logout()

    assert client.get(path).status_code == 404


def test_the_feed_answers_304_to_a_calendar_that_has_it_and_shows_a_move_with_the_same_uid(
    client, acme, world, pairs
):
    pair, _ = pairs
    session = _book(acme, pair, world["Ann"])
    path = _feed_address(client, acme, "dan")
    client.logout()
    first = client.get(path)
    etag = first["ETag"]
    assert "private" in first["Cache-Control"]

    with mock.patch("sessions.views.calendar.feed_calendar") as build:
        unchanged = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304 and unchanged.content == b""
    build.assert_not_called()  # nothing is built for a calendar that has this version

    moved = _move(acme, session, world["Ann"], days=10)
    after = client.get(path, HTTP_IF_NONE_MATCH=etag)

    assert after.status_code == 200 and after["ETag"] != etag
    (event,), (vevent,) = _parse(after.content)
    assert str(event["UID"]) == session.uid == vevent.uid.value
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == moved.starts_at


def test_the_settings_page_links_to_the_feed(client, acme, pairs):
    client.force_login(_user("dan"))

    page = client.get(reverse("notifications:settings", args=["acme"])).content.decode()

    assert reverse("mentoring:calendar_feed_settings", args=["acme"]) in page
