"""A pair's sessions, in the browser: the mentor schedules a session, both get a calendar
invitation and the mentee sees it booked; once it has taken place, both log it (the
mentee reads the mentor's shared note, never her private one), a goal is agreed and
ticked off, and the program manager's pair list shows the pair on track without a word
of what either wrote."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import dateformat, timezone

from matching import services as matching
from matching.models import Pair
from organizations.tenancy import tenant_context
from programs.models import ProgramManager
from sessions.models import Commitment, Goal, MentoringSession, Note, Reflection
from tests.accounts.factories import UserFactory
from tests.browser.helpers import open_pair_page, signed_in
from tests.organizations.factories import MembershipFactory
from tests.sessions.mail_helpers import invitations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANN, DAN = "ann@acme.example", "dan@acme.example"
MANAGER = "pm@acme.example"
UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")  # Ann's and Dan's time zone in the world fixture
TOPIC = "Generative AI tools"
SHARED_NOTE = "Next time: Dan drafts the Q3 deck with Copilot"
PRIVATE_NOTE = "Ann only: Dan seemed wary of the AI pilot"
ANN_LEARNED = "How the budget round really works"
DAN_TAUGHT = "How the budget round works"
DAN_LEARNED = "Prompting for first drafts"
DAN_LEARNED_LATER = "Prompting for first drafts, and checking what comes back"
GOAL = "Dan tries Copilot on one deck a week"
COMMITMENT = "Draft every board memo with Copilot first"


@pytest.fixture
def pair(acme, world) -> Pair:
    """Ann mentoring Dan, published; Ann, Dan and a program manager can sign in."""
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        pair = Pair.objects.get(run=run, mentee=world["Dan"])
    assert pair.mentor_id == world["Ann"].pk, "the world fixture pairs Ann with Dan"
    for email, name in ((ANN, "Ann Junior"), (DAN, "Dan Senior")):
        MembershipFactory(organization=acme, user=UserFactory(email=email, name=name))
    manager = MembershipFactory(
        organization=acme,
        user=UserFactory(email=MANAGER, name="Priya Manager"),
        is_program_manager=True,
        is_participant=False,
    )
    with tenant_context(organization=acme):
        ProgramManager.objects.create(
            organization=acme, program=world["program"], membership=manager
        )
    mail.outbox.clear()
    return pair


def _invites(to: str) -> list:
    """The calendar invitations emailed to one address, as a mail client reads them:
    (subject, the method of the calendar part, VEVENT)."""
    return [(i.subject, i.part_method, i.event) for i in invitations(to)]


def _row(page, mentor: str, mentee: str):
    return page.get_by_role("row").filter(has_text=mentor).filter(has_text=mentee)


def test_a_pair_schedules_logs_and_ticks_off_a_goal_and_the_manager_sees_only_counts(
    chromium, live_server, acme, world, pair, screenshot
):
    program = world["program"].name

    # Ann books a session a week ahead at 10:00, her time (Berlin).
    day = timezone.localtime(timezone.now(), BERLIN).date() + timedelta(days=7)
    starts_at = datetime.combine(day, time(10, 0), tzinfo=BERLIN)
    when = dateformat.format(starts_at, "D j M, H:i")
    with signed_in(chromium, live_server, ANN) as ann:
        open_pair_page(ann, program, "Dan Senior")
        assert (
            ann.get_by_role("region", name="Upcoming").get_by_text("Nothing booked.").is_visible()
        )
        screenshot(ann, "sessions-pair-empty")
        ann.get_by_role("link", name="Schedule a session").click()
        ann.get_by_role("heading", name="Schedule a session with Dan Senior").wait_for()
        assert ann.get_by_text("Your time: Europe/Berlin.").is_visible()
        ann.get_by_label("Date").fill(day.isoformat())
        ann.get_by_label("Time").fill("10:00")
        ann.get_by_label("Minutes").fill("60")
        ann.get_by_label("Video link").fill("meet.example/ann-dan")
        screenshot(ann, "sessions-schedule-form")
        ann.get_by_role("button", name="Book and send invitations").click()
        ann.get_by_text(
            "Session booked. You and Dan Senior have a calendar invitation by email."
        ).wait_for()
        upcoming = ann.get_by_role("region", name="Upcoming")
        assert upcoming.get_by_role("link", name=when).is_visible()
        assert upcoming.get_by_text("your time (Europe/Berlin)").is_visible()
        assert upcoming.get_by_role("link", name="Video link").get_attribute("href") == (
            "https://meet.example/ann-dan"
        )
        screenshot(ann, "sessions-booked")

    with tenant_context(organization=acme):
        session = MentoringSession.objects.get(pair=pair)
    assert session.starts_at == starts_at
    assert (session.status, session.scheduled_by_id) == ("scheduled", world["Ann"].pk)

    # Both have the invitation: the same event, in the calendar's own format.
    for to, partner in ((ANN, "Dan Senior"), (DAN, "Ann Junior")):
        ((subject, method, event),) = _invites(to)
        # Titled with the time in the reader's own zone (both are in Berlin here).
        assert subject == f"Session with {partner}, {when}"
        assert method == "REQUEST"
        assert str(event["UID"]) == session.uid
        assert event.decoded("DTSTART") == starts_at
        assert "ORGANIZER" in event
        assert "https://meet.example/ann-dan" in str(event["LOCATION"])

    # Dan sees it booked, in his own time.
    with signed_in(chromium, live_server, DAN) as dan:
        open_pair_page(dan, program, "Ann Junior")
        assert (
            dan.get_by_role("region", name="Upcoming").get_by_role("link", name=when).is_visible()
        )
        screenshot(dan, "sessions-mentee-sees-booking")

    # A week passes: the session took place two hours ago.
    with tenant_context(organization=acme):
        MentoringSession.objects.filter(pk=session.pk).update(
            starts_at=timezone.now() - timedelta(hours=2)
        )
        session.refresh_from_db()

    # Ann logs it, with a note for both and one for herself.
    with signed_in(chromium, live_server, ANN) as ann:
        open_pair_page(ann, program, "Dan Senior")
        assert (
            ann.get_by_role("region", name="Upcoming").get_by_text("Nothing booked.").is_visible()
        )
        past = ann.get_by_role("region", name="Past sessions")
        assert past.get_by_text("Not logged yet").is_visible()
        screenshot(ann, "sessions-to-log")
        past.get_by_role("link", name="Log it").click()
        ann.get_by_role("heading", name="Log", exact=True).wait_for()
        ann.get_by_label("Yes").check()
        ann.get_by_label("How long (minutes)").fill("55")
        ann.get_by_label(TOPIC).check()
        ann.get_by_label("How useful was it for you?").select_option("5")
        ann.get_by_label("What I learned").fill(ANN_LEARNED)
        ann.get_by_label("A note for both of us").fill(SHARED_NOTE)
        ann.get_by_label("A private note").fill(PRIVATE_NOTE)
        screenshot(ann, "sessions-mentor-log-form")
        ann.get_by_role("button", name="Save the log").click()
        ann.get_by_text("Logged. Thank you.").wait_for()
        log = ann.get_by_role("region", name="Log", exact=True)
        assert log.get_by_text("Ann Junior · 5 / 5").is_visible()
        notes = ann.get_by_role("region", name="Notes")
        assert notes.get_by_text(SHARED_NOTE).is_visible()
        assert notes.get_by_text(PRIVATE_NOTE).is_visible()
        assert ann.get_by_role("region", name="Plan").get_by_text(TOPIC).is_visible()
        assert ann.get_by_role("button", name="Add my log").count() == 0
        screenshot(ann, "sessions-mentor-logged")

        # A goal for the pair, agreed in the session.
        ann.get_by_role("link", name="← You and Dan Senior").click()
        ann.get_by_text("Add a goal or action…").click()
        ann.get_by_label("Goal or action").fill(GOAL)
        ann.get_by_label("Whose").select_option(label="Dan Senior")
        ann.get_by_role("button", name="Add", exact=True).click()
        ann.get_by_text("Goal added.").wait_for()
        goals = ann.get_by_role("region", name="Goals and actions")
        assert goals.get_by_text(GOAL).is_visible()
        progress = ann.get_by_role("progressbar", name="Sessions held")
        assert (progress.get_attribute("value"), progress.get_attribute("max")) == ("1", "6")
        assert ann.locator(".page-header .lead").inner_text() == "1 of 6 planned sessions held"
        screenshot(ann, "sessions-goal-added")

    # Dan logs his own reflection: he reads Ann's shared note, never her private one.
    with signed_in(chromium, live_server, DAN) as dan:
        open_pair_page(dan, program, "Ann Junior")
        past = dan.get_by_role("region", name="Past sessions")
        assert past.get_by_text("Held").is_visible()
        past.get_by_role("link", name="Open").click()
        dan.get_by_role("heading", name="Notes").wait_for()
        assert dan.get_by_role("region", name="Notes").get_by_text(SHARED_NOTE).is_visible()
        assert PRIVATE_NOTE not in dan.content()
        dan.get_by_text("Add my log").click()
        # Ann already said what happened: Dan adds only his own part.
        assert dan.get_by_text("Ann Junior logged this session as held (55 min).").is_visible()
        assert dan.get_by_label("How long (minutes)").count() == 0
        dan.get_by_label("How useful was it for you?").select_option("4")
        dan.get_by_label("What I learned").fill(DAN_LEARNED)
        dan.get_by_label("What I taught").fill(DAN_TAUGHT)
        screenshot(dan, "sessions-mentee-log-form")
        dan.get_by_role("button", name="Save the log").click()
        dan.get_by_text("Logged. Thank you.").wait_for()
        log = dan.get_by_role("region", name="Log", exact=True)
        assert log.get_by_text("Ann Junior · 5 / 5").is_visible()
        assert log.get_by_text("Dan Senior · 4 / 5").is_visible()
        assert log.get_by_text(DAN_TAUGHT).is_visible()
        assert dan.get_by_role("region", name="Notes").get_by_text(SHARED_NOTE).is_visible()
        assert PRIVATE_NOTE not in dan.content()
        screenshot(dan, "sessions-mentee-logged")

        # On second thoughts he says more about what he learned: his own to change.
        dan.get_by_role("link", name="Change my reflection").click()
        dan.get_by_role("heading", name="Change my reflection").wait_for()
        assert dan.get_by_label("What I learned").input_value() == DAN_LEARNED
        dan.get_by_label("What I learned").fill(DAN_LEARNED_LATER)
        dan.get_by_role("button", name="Save my reflection").click()
        dan.get_by_text("Your reflection is saved.").wait_for()
        log = dan.get_by_role("region", name="Log", exact=True)
        assert log.get_by_text(DAN_LEARNED_LATER).is_visible()
        assert log.get_by_text("Dan Senior · 4 / 5").is_visible()

        # The goal slipped: given yesterday as its date, it shows as overdue, in words.
        dan.get_by_role("link", name="← You and Ann Junior").click()
        goals = dan.get_by_role("region", name="Goals and actions")
        assert goals.get_by_text("Overdue").count() == 0
        goals.get_by_role("link", name=f"Change “{GOAL}”").click()
        dan.get_by_role("heading", name="Change a goal").wait_for()
        yesterday = timezone.localtime(timezone.now(), BERLIN).date() - timedelta(days=1)
        dan.get_by_label("Due").fill(yesterday.isoformat())
        dan.get_by_role("button", name="Save the goal").click()
        dan.get_by_text("Goal saved.").wait_for()
        assert goals.get_by_text("Overdue").is_visible()
        assert goals.get_by_text(f"was due {dateformat.format(yesterday, 'j M Y')}").is_visible()
        screenshot(dan, "sessions-goal-overdue")

        # Dan, the senior colleague, commits to a change after the session they just had.
        dan.get_by_text("Record a commitment…").click()
        dan.get_by_label("I commit to").fill(COMMITMENT)
        dan.get_by_label("Theme").select_option(label="A tool to adopt")
        held_at = timezone.localtime(session.starts_at, BERLIN)
        chosen = dan.get_by_label("After the session of").locator("option:checked")
        assert chosen.inner_text() == dateformat.format(held_at, "D j M Y, H:i")
        dan.get_by_role("button", name="Record", exact=True).click()
        dan.get_by_text("Commitment recorded.").wait_for()
        commitments = dan.get_by_role("region", name="Commitments")
        assert commitments.get_by_text(COMMITMENT).is_visible()
        after = f"After the session of {dateformat.format(held_at, 'j M Y')}"
        assert commitments.get_by_text(after).is_visible()

        # Dan ticks the goal off: no longer overdue.
        dan.get_by_role("button", name=f"Mark “{GOAL}” done").click()
        goals.get_by_role("button", name=f"Reopen “{GOAL}”").wait_for()
        assert goals.get_by_text("done", exact=True).is_visible()
        assert goals.get_by_text("Overdue").count() == 0
        screenshot(dan, "sessions-goal-done")

    with tenant_context(organization=acme):
        session.refresh_from_db()
        goal = Goal.objects.get(pair=pair)
        commitment = Commitment.objects.get(pair=pair)
        ratings = sorted(
            Reflection.objects.filter(session=session).values_list("rating", flat=True)
        )
    # Ann's private note shows only on her behalf (on PostgreSQL, by its row policy).
    from accounts.models import User

    with tenant_context(organization=acme, user=User.objects.get(email=ANN)):
        notes = Note.objects.filter(session=session).count()
    assert (session.status, session.held_minutes, session.logged_by_id) == (
        "held",
        55,
        world["Ann"].pk,
    )
    assert ratings == [4, 5] and notes == 2
    assert (goal.status, goal.owner_id) == ("done", world["Dan"].pk) and goal.done_at
    assert goal.due_date == yesterday
    assert (commitment.participant_id, commitment.session_id) == (world["Dan"].pk, session.pk)

    # The program manager: the pair on track, counted, and nothing of what they wrote.
    with signed_in(chromium, live_server, MANAGER) as manager:
        manager.get_by_role("navigation", name="Organisation").get_by_role(
            "link", name="Programs", exact=True
        ).click()
        manager.get_by_role("link", name=program).click()
        manager.get_by_role("heading", name=program).wait_for()
        manager.get_by_role("link", name="Pairs", exact=True).click()
        manager.get_by_role("heading", name="Pairs", exact=True).wait_for()
        assert manager.url.endswith(f"/o/acme/programs/{world['program'].pk}/pairs/")
        cells = _row(manager, "Ann Junior", "Dan Senior").get_by_role("cell")
        assert [cell.inner_text() for cell in cells.all()] == [
            "Ann Junior",
            "Dan Senior",
            "Pilot",
            "1 of 6",
            # In the organisation's time zone (Acme's is UTC).
            dateformat.format(timezone.localtime(session.starts_at, UTC), "j M Y"),
            "No messages",  # the last message's day, never its text
            "4.5 / 5 (2 ratings)",
            "On track",
            "1 of 1",
            "Mentor: 0 of 1 cancelled or moved late\nMentee: 0 of 1 cancelled or moved late",
        ]
        cadence = manager.get_by_role("region", name="Cadence")
        counts = {}
        for link in cadence.get_by_role("link").all():
            count = link.locator(".count").inner_text()
            counts[link.inner_text().replace(count, "", 1).strip()] = int(count)
        # Every pair of the world was published just now: all of them on track.
        assert counts["On track"] == counts["All pairs"] >= 1, counts
        reliability = manager.get_by_role("region", name="Reliability")
        assert reliability.get_by_text("0% · 0 of 1 session cancelled or moved late").count() == 2
        html = manager.content()
        written = (SHARED_NOTE, PRIVATE_NOTE, ANN_LEARNED, DAN_LEARNED, DAN_TAUGHT, GOAL)
        for text in (*written, COMMITMENT):
            assert text not in html, text
        screenshot(manager, "sessions-manager-pairs")

    # Last, so that everything above is checked either way.
