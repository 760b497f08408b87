"""The pair's workspace: scheduling with calendar invitations, logging, notes that stay
private, goals and commitments."""

import re
from datetime import timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import User
from matching import services as matching
from matching.models import Pair
from notifications.outbox import outbox_deliver_due
from organizations.emails import BrandedEmail
from organizations.tenancy import tenant_context
from programs import defaults
from programs.models import Resource, Topic
from programs.training import program_seed_defaults
from sessions import services, tasks
from sessions.models import (
    Commitment,
    Goal,
    MentoringSession,
    Note,
    Reflection,
    SessionChange,
)
from tests.accounts.factories import UserFactory
from tests.helpers import is_postgresql, require
from tests.organizations.factories import MembershipFactory
from tests.sessions.mail_helpers import invitations

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")  # Ann's and Dan's time zone in the world fixture
DAN = "dan@acme.example"


@pytest.fixture
def pair(acme, world):
    """Ann (mentor, Europe/Berlin) and Dan (mentee), published a month ago; both can
    sign in."""
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        Pair.objects.filter(run=run).update(published_at=timezone.now() - timedelta(days=30))
        pair = Pair.objects.get(run=run, mentee=world["Dan"])
    for name in ("ann", "dan", "eve"):
        MembershipFactory(organization=acme, user=UserFactory(email=f"{name}@acme.example"))
    mail.outbox.clear()
    return pair


def _login(client, name):
    client.force_login(User.objects.get(email=f"{name}@acme.example"))


def _invites(to):
    """The calendar events emailed to one address, in order: (METHOD, VEVENT), each
    checked to be sent as an invitation (the calendar part's method is the calendar's)."""
    found = invitations(to)
    for invitation in found:
        assert invitation.part_method == invitation.method
    return [(invitation.method, invitation.event) for invitation in found]


def _addresses(values) -> dict[str, str]:
    """ORGANIZER or ATTENDEE values by address: their common name."""
    values = values if isinstance(values, list) else [values]
    return {str(v).removeprefix("mailto:"): str(v.params["CN"]) for v in values}


def _schedule(client, pair, days=7, hour="10:00"):
    day = (timezone.localdate() + timedelta(days=days)).isoformat()
    return client.post(
        f"/o/acme/programs/pairs/{pair.pk}/sessions/new/",
        {"date": day, "time": hour, "duration_minutes": "60", "video_link": "meet.example/ann"},
        follow=True,
    )


def test_scheduling_emails_both_a_calendar_invitation_in_their_own_time(
    client, acme, pair, django_capture_on_commit_callbacks
):
    _login(client, "ann")
    with django_capture_on_commit_callbacks(execute=True):
        response = _schedule(client, pair)

    assert "Session booked" in response.content.decode()
    ((method, event),) = _invites("dan@acme.example")
    assert method == "REQUEST"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART").astimezone(timezone.get_fixed_timezone(60)).hour == 10
    with tenant_context(organization=acme):
        session = MentoringSession.objects.get()
    assert str(event["UID"]) == session.uid
    assert "https://meet.example/ann" in str(event["LOCATION"])
    # RFC 5546: an invitation names its organiser and its attendees. The organiser is
    # who booked it, so that Dan's "accept" reaches Ann; Upturn sent it on her behalf.
    assert _addresses(event["ORGANIZER"]) == {"ann@acme.example": "Ann Junior"}
    assert str(event["ORGANIZER"].params["SENT-BY"]) == "mailto:no-reply@upturn.example"
    partstat = {str(a): str(a.params["PARTSTAT"]) for a in event["ATTENDEE"]}
    assert partstat == {
        "mailto:ann@acme.example": "ACCEPTED",
        "mailto:dan@acme.example": "NEEDS-ACTION",
    }
    (email,) = [m for m in mail.outbox if m.to == ["dan@acme.example"]]
    assert email.from_email == "Upturn <no-reply@upturn.example>"
    assert email.reply_to == ["ann@acme.example"]
    assert _addresses(event["ATTENDEE"]) == {
        "ann@acme.example": "Ann Junior",
        "dan@acme.example": "Dan Senior",
    }


def test_moving_and_cancelling_update_the_same_event_and_count_against_reliability(
    client, acme, pair, django_capture_on_commit_callbacks
):
    _login(client, "dan")
    _schedule(client, pair, days=1, hour="09:00")
    with tenant_context(organization=acme):
        # Three hours' notice, whatever the time of day the suite runs: a late move.
        MentoringSession.objects.update(starts_at=timezone.now() + timedelta(hours=3))
        session = MentoringSession.objects.get()
    day = (timezone.localdate() + timedelta(days=9)).isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/reschedule/",
            {"date": day, "time": "11:00", "duration_minutes": "45"},
        )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/cancel/")

    events = _invites("ann@acme.example")
    assert [(m, e["SEQUENCE"]) for m, e in events] == [("REQUEST", 1), ("CANCEL", 2)]
    assert {str(e["UID"]) for _m, e in events} == {session.uid}
    assert [str(e["STATUS"]) for _m, e in events] == ["CONFIRMED", "CANCELLED"]
    assert all("ORGANIZER" in e for _m, e in events)
    with tenant_context(organization=acme):
        changes = list(SessionChange.objects.order_by("pk"))
    assert [(c.kind, c.requested_by_role, c.is_late) for c in changes] == [
        ("rescheduled", "mentee", True),
        ("cancelled", "mentee", False),
    ]


def test_a_cancelled_future_session_stays_under_upcoming_marked_cancelled(client, acme, pair):
    _login(client, "dan")
    _schedule(client, pair, days=5)
    with tenant_context(organization=acme):
        session = MentoringSession.objects.get()
    client.post(f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/cancel/")

    page = client.get(f"/o/acme/programs/pairs/{pair.pk}/").content.decode()

    upcoming, past = page.split('id="past-heading"')
    upcoming = upcoming.split('id="upcoming-heading"')[1]
    assert f"/sessions/{session.pk}/" in upcoming and "Cancelled" in upcoming
    assert "Nothing booked." in upcoming
    assert f"/sessions/{session.pk}/" not in past


def _invite_task(session, kind="scheduled"):
    tasks.send_session_invite_task.delay(
        organization_id=session.organization_id,
        session_id=session.pk,
        kind=kind,
        sequence=session.sequence,
    )


def test_a_redelivered_invitation_task_sends_nothing_twice(
    client, acme, pair, django_capture_on_commit_callbacks
):
    _login(client, "ann")
    with django_capture_on_commit_callbacks(execute=True):
        _schedule(client, pair)
    with tenant_context(organization=acme):
        session = MentoringSession.objects.get()

    # The broker hands the task out again (a worker died before acknowledging it).
    _invite_task(session)
    _invite_task(session)

    assert sorted(m.to[0] for m in mail.outbox) == ["ann@acme.example", "dan@acme.example"]


def test_a_mail_error_on_the_second_invitation_is_retried_without_resending_the_first(
    client, acme, pair, django_capture_on_commit_callbacks
):
    send = BrandedEmail.send
    attempts = []

    def flaky(message, *args, **kwargs):
        attempts.append(message.to[0])
        if message.to == ["dan@acme.example"] and attempts.count("dan@acme.example") == 1:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return send(message, *args, **kwargs)

    _login(client, "ann")
    with mock.patch.object(BrandedEmail, "send", flaky):
        with django_capture_on_commit_callbacks(execute=True):
            _schedule(client, pair)
        assert attempts == ["ann@acme.example", "dan@acme.example"]
        # The outbox's sweep tries again once the first retry is due.
        outbox_deliver_due(organization=acme, now=timezone.now() + timedelta(minutes=1))

    # The retry skipped Ann, who had hers.
    assert attempts == ["ann@acme.example", "dan@acme.example", "dan@acme.example"]
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@acme.example", "dan@acme.example"]


def test_a_moved_session_is_sent_again_as_a_new_version(
    client, acme, pair, django_capture_on_commit_callbacks
):
    _login(client, "ann")
    with django_capture_on_commit_callbacks(execute=True):
        _schedule(client, pair)
    with tenant_context(organization=acme):
        session = MentoringSession.objects.get()
    day = (timezone.localdate() + timedelta(days=9)).isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/reschedule/",
            {"date": day, "time": "11:00", "duration_minutes": "45"},
        )

    events = _invites("dan@acme.example")
    assert [(m, e["SEQUENCE"]) for m, e in events] == [("REQUEST", 0), ("REQUEST", 1)]
    assert len({str(e["UID"]) for _m, e in events}) == 1
    message_ids = [m.extra_headers["Message-ID"] for m in mail.outbox if m.to == [DAN]]
    assert len(set(message_ids)) == 2


def _seed_agendas(acme, world):
    """The program's default agendas, listed in another order than they were made in:
    the closing session's first, the first session's last."""
    titles = {str(title): n for n, (_k, title, _b) in enumerate(defaults.RESOURCES)}
    with tenant_context(organization=acme):
        program_seed_defaults(program=world["program"])
        agendas = {a.title: a for a in Resource.objects.filter(kind=Resource.Kind.AGENDA)}
        order = sorted(agendas, key=lambda title: -titles[title])
        for position, title in enumerate(order):
            Resource.objects.filter(pk=agendas[title].pk).update(position=position)
    return {title: agenda.body for title, agenda in agendas.items()}


def _suggested_agenda(client, pair) -> str:
    form = client.get(f"/o/acme/programs/pairs/{pair.pk}/sessions/new/").context["form"]
    return form["agenda"].value()


def test_the_first_session_suggests_the_getting_to_know_you_agenda_wherever_it_is_listed(
    client, acme, world, pair
):
    bodies = _seed_agendas(acme, world)
    first, regular, closing = (str(t) for _k, t, _b in defaults.RESOURCES[:3])
    _login(client, "ann")

    assert _suggested_agenda(client, pair) == bodies[first]
    assert "getting to know each other" in first.lower()

    _past_session(acme, pair)
    assert _suggested_agenda(client, pair) == bodies[regular]
    assert bodies[regular] != bodies[closing]


def _past_session(acme, pair, hours_ago=3):
    with tenant_context(organization=acme):
        return MentoringSession.objects.create(
            organization=acme, pair=pair, starts_at=timezone.now() - timedelta(hours=hours_ago)
        )


def test_both_log_a_session_and_private_notes_stay_private(client, acme, pair):
    session = _past_session(acme, pair)
    with tenant_context(organization=acme):
        topic = Topic.objects.get()
    url = f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/log/"
    _login(client, "ann")
    client.post(
        url,
        {
            "held": "yes",
            "held_minutes": "55",
            "topics": [topic.pk],
            "rating": "5",
            "learned": "How budgets are set",
            "shared_note": "Next: try Copilot on the Q3 deck",
            "private_note": "Dan seemed tired",
        },
    )
    _login(client, "dan")
    client.post(url, {"held": "yes", "held_minutes": "60", "rating": "4", "taught": "Budgets"})

    dan_sees = client.get(f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/")
    page = dan_sees.content.decode()
    assert "Next: try Copilot on the Q3 deck" in page
    assert "Dan seemed tired" not in page
    assert "How budgets are set" in page and "4 / 5" in page
    _login(client, "ann")
    assert (
        "Dan seemed tired"
        in client.get(f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/").content.decode()
    )
    ann = User.objects.get(email="ann@acme.example")
    with tenant_context(organization=acme, user=ann):
        session.refresh_from_db()
        assert Note.objects.count() == 2
    assert (session.status, session.held_minutes, session.topic_ids) == ("held", 55, [topic.pk])


def test_postgresql_itself_hides_a_private_note_from_everyone_but_its_author(acme, pair, world):
    require(is_postgresql(), "row-level security needs PostgreSQL")
    session = _past_session(acme, pair)
    ann = User.objects.get(email="ann@acme.example")
    dan = User.objects.get(email="dan@acme.example")
    # Written on Ann's behalf: even the insert's returned row must pass the policy.
    with tenant_context(organization=acme, user=ann):
        Note.objects.create(
            organization=acme,
            session=session,
            author=world["Ann"],
            author_user=ann,
            visibility="private",
            text="Only Ann",
        )
    seen = {}
    for name, user in (("ann", ann), ("dan", dan), ("nobody", None)):
        with tenant_context(organization=acme, user=user), connection.cursor() as cursor:
            # Raw SQL, past every ORM filter: only the policy stands in the way.
            cursor.execute("SELECT text FROM mentoring_note")
            seen[name] = [row[0] for row in cursor.fetchall()]
    assert seen == {"ann": ["Only Ann"], "dan": [], "nobody": []}


def test_a_log_without_a_rating_is_refused_and_saves_nothing(client, acme, pair):
    session = _past_session(acme, pair)
    _login(client, "ann")

    response = client.post(
        f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/log/",
        {"held": "yes", "held_minutes": "50", "private_note": "Keep this?"},
    )

    assert "Rate the session from 1 to 5." in response.content.decode()
    with tenant_context(organization=acme):
        session.refresh_from_db()
        assert not Note.objects.exists()
    assert session.status == "scheduled"


def test_a_session_never_scheduled_can_be_logged_afterwards(client, acme, pair):
    _login(client, "dan")
    when = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    client.post(
        f"/o/acme/programs/pairs/{pair.pk}/sessions/log/",
        {"held": "yes", "when": when, "held_minutes": "30", "rating": "3"},
    )

    with tenant_context(organization=acme):
        session = MentoringSession.objects.get()
    assert (session.status, session.scheduled_by_id) == ("held", None)


def test_only_the_pair_reaches_its_workspace(client, acme, pair, world):
    outsiders = {"eve": world["Eve"]}
    manager = MembershipFactory(organization=acme, is_program_manager=True).user
    for user in [manager]:
        client.force_login(user)
        assert client.get(f"/o/acme/programs/pairs/{pair.pk}/").status_code == 404
    _login(client, "eve")
    assert client.get(f"/o/acme/programs/pairs/{pair.pk}/").status_code == 404
    _login(client, "ann")
    assert client.get(f"/o/acme/programs/pairs/{pair.pk}/").status_code == 200
    assert outsiders


def test_goals_are_ticked_off_and_commitments_are_the_seniors(client, acme, pair):
    _login(client, "ann")
    client.post(f"/o/acme/programs/pairs/{pair.pk}/goals/", {"title": "Try Copilot weekly"})
    refused = client.post(
        f"/o/acme/programs/pairs/{pair.pk}/commitments/",
        {"text": "Adopt a tool", "theme": "tool"},
        follow=True,
    )
    _login(client, "dan")
    client.post(
        f"/o/acme/programs/pairs/{pair.pk}/commitments/",
        {"text": "Use Copilot for first drafts", "theme": "tool"},
    )
    with tenant_context(organization=acme):
        goal = pair.goals.get()
    client.post(f"/o/acme/programs/pairs/{pair.pk}/goals/{goal.pk}/", {"status": "done"})

    assert "the senior colleague" in refused.content.decode()
    with tenant_context(organization=acme):
        goal.refresh_from_db()
        (commitment,) = Commitment.objects.all()
    assert goal.status == "done" and goal.done_at
    assert (commitment.participant_id, commitment.theme) == (pair.mentee_id, "tool")


def test_a_session_before_the_pair_began_cannot_be_logged(client, acme, pair):
    _login(client, "dan")

    response = client.post(
        f"/o/acme/programs/pairs/{pair.pk}/sessions/log/",
        {"held": "yes", "when": "2001-01-01T10:00", "held_minutes": "30", "rating": "3"},
    )

    began = date_format(timezone.localtime(pair.published_at, BERLIN), "j F Y")
    assert f"The pair began on {began}: choose a date from then on." in response.content.decode()
    with tenant_context(organization=acme):
        assert not MentoringSession.objects.exists()


# What a session's agenda starts with: the program's agendas marked for it.


def test_renamed_agendas_are_still_suggested_for_what_they_are_for(client, acme, world, pair):
    bodies = _seed_agendas(acme, world)
    first, regular, _closing = (str(t) for _k, t, _b in defaults.RESOURCES[:3])
    with tenant_context(organization=acme):
        Resource.objects.filter(title=first).update(title="Kick-off, our way")
        Resource.objects.filter(title=regular).update(title="Our usual hour")
    _login(client, "ann")

    assert _suggested_agenda(client, pair) == bodies[first]
    _past_session(acme, pair)
    assert _suggested_agenda(client, pair) == bodies[regular]


def test_a_program_that_marks_no_agenda_suggests_none(client, acme, world, pair):
    _seed_agendas(acme, world)
    with tenant_context(organization=acme):
        Resource.objects.update(purpose="")
    _login(client, "ann")

    assert _suggested_agenda(client, pair) in ("", None)


# Goals: either of the pair changes one; open goals past their due date are marked.


def _goal(acme, pair, **fields):
    with tenant_context(organization=acme):
        return Goal.objects.create(organization=acme, pair=pair, **fields)


def test_either_person_changes_a_goals_wording_owner_and_due_date(client, acme, pair, world):
    goal = _goal(acme, pair, title="Try Copilot", owner=world["Dan"])
    url = f"/o/acme/programs/pairs/{pair.pk}/goals/{goal.pk}/edit/"
    _login(client, "ann")

    form = client.get(url).context["form"]
    response = client.post(
        url,
        {
            "title": "Try Copilot on one deck a week",
            "owner": world["Ann"].pk,
            "due_date": "2027-05-01",
        },
        follow=True,
    )

    assert (form["title"].value(), form["owner"].value()) == ("Try Copilot", world["Dan"].pk)
    assert "Goal saved." in response.content.decode()
    with tenant_context(organization=acme):
        goal.refresh_from_db()
    assert (goal.title, goal.owner_id, str(goal.due_date)) == (
        "Try Copilot on one deck a week",
        world["Ann"].pk,
        "2027-05-01",
    )
    _login(client, "dan")
    client.post(url, {"title": "Try Copilot on one deck a week", "owner": "", "due_date": ""})
    with tenant_context(organization=acme):
        goal.refresh_from_db()
    assert (goal.owner_id, goal.due_date, goal.status) == (None, None, "open")


def test_a_goal_change_with_bad_input_is_refused_and_changes_nothing(client, acme, pair, world):
    goal = _goal(acme, pair, title="Try Copilot")
    url = f"/o/acme/programs/pairs/{pair.pk}/goals/{goal.pk}/edit/"
    _login(client, "ann")

    blank = client.post(url, {"title": "  ", "owner": ""})
    stranger = client.post(url, {"title": "Mine now", "owner": world["Eve"].pk})
    with tenant_context(organization=acme):
        Pair.objects.filter(pk=pair.pk).update(status=Pair.Status.ENDED)
    ended = client.post(url, {"title": "After the end", "owner": ""})

    assert blank.context["form"].errors["title"]
    assert stranger.context["form"].errors["owner"]
    assert "This pair has ended." in ended.content.decode()
    with tenant_context(organization=acme):
        goal.refresh_from_db()
    assert (goal.title, goal.owner_id) == ("Try Copilot", None)


def test_only_the_pair_changes_its_goals(client, acme, pair, world):
    goal = _goal(acme, pair, title="Try Copilot")
    url = f"/o/acme/programs/pairs/{pair.pk}/goals/{goal.pk}/edit/"
    _login(client, "eve")

    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Eve's now", "owner": ""}).status_code == 404
    with tenant_context(organization=acme):
        goal.refresh_from_db()
    assert goal.title == "Try Copilot"


def _goal_items(html: str) -> dict[str, str]:
    """The goal list's items by goal title: their text, whitespace folded."""
    section = html.split('id="goals-heading"', 1)[1].split("</section>", 1)[0]
    items = {}
    for item in re.findall(r"<li>(.*?)</li>", section, re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip()
        title = re.search(r"(?:<strong>|<s[^>]*>)(.*?)</", item).group(1)
        items[title] = text
    return items


def test_open_goals_past_their_due_date_are_marked_overdue_in_the_readers_day(client, acme, pair):
    today = timezone.localtime(timezone.now(), BERLIN).date()  # Ann's day
    _goal(acme, pair, title="Late", due_date=today - timedelta(days=1))
    _goal(acme, pair, title="Due today", due_date=today)
    _goal(acme, pair, title="Done late", due_date=today - timedelta(days=9), status="done")
    _goal(acme, pair, title="No date")
    _login(client, "ann")

    items = _goal_items(client.get(f"/o/acme/programs/pairs/{pair.pk}/").content.decode())

    yesterday = date_format(today - timedelta(days=1), "j M Y")
    assert f"Late ⚠ Overdue Both · was due {yesterday}" in items["Late"]
    for title in ("Due today", "Done late", "No date"):
        assert "Overdue" not in items[title], title
        assert "was due" not in items[title], title


# Reflections: their author changes them afterwards; nobody else can.


def _logged(client, acme, pair):
    """A session Ann logged (rating 4), Dan not yet."""
    session = _past_session(acme, pair)
    _login(client, "ann")
    client.post(
        f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/log/",
        {"held": "yes", "held_minutes": "50", "rating": "4", "learned": "Budgets"},
    )
    return session


def test_the_author_changes_their_reflection_after_logging(client, acme, pair):
    session = _logged(client, acme, pair)
    page = client.get(f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/").content.decode()
    url = f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/reflection/"

    form = client.get(url).context["form"]
    response = client.post(
        url,
        {"rating": "5", "learned": "Budgets, and who sets them", "taught": "Copilot"},
        follow=True,
    )

    assert f'href="{url}"' in page and "Change my reflection" in page
    assert (form["rating"].value(), form["learned"].value()) == (4, "Budgets")
    assert "Your reflection is saved." in response.content.decode()
    with tenant_context(organization=acme):
        reflection = Reflection.objects.get(session=session)
    assert (reflection.rating, reflection.learned, reflection.taught) == (
        5,
        "Budgets, and who sets them",
        "Copilot",
    )


def test_a_reflection_change_without_a_rating_is_refused_and_changes_nothing(client, acme, pair):
    session = _logged(client, acme, pair)
    url = f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/reflection/"

    response = client.post(url, {"rating": "", "learned": "Overwritten"})

    assert response.context["form"].errors["rating"]
    with tenant_context(organization=acme):
        reflection = Reflection.objects.get(session=session)
    assert (reflection.rating, reflection.learned) == (4, "Budgets")


def test_the_partner_cannot_change_someone_elses_reflection(client, acme, pair):
    session = _logged(client, acme, pair)
    url = f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/reflection/"
    _login(client, "dan")

    page = client.get(f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/").content.decode()
    answers = [client.get(url).status_code, client.post(url, {"rating": "1"}).status_code]
    # Once Dan has his own, the same address changes his, never Ann's.
    client.post(f"/o/acme/programs/pairs/{pair.pk}/sessions/{session.pk}/log/", {"rating": "3"})
    client.post(url, {"rating": "2", "learned": "Dan's"})

    assert "Change my reflection" not in page
    assert answers == [404, 404]
    with tenant_context(organization=acme):
        ratings = dict(
            Reflection.objects.filter(session=session).values_list("participant_id", "rating")
        )
    assert ratings == {pair.mentor_id: 4, pair.mentee_id: 2}


# Commitments: tied to one of the pair's held sessions, the latest by default.


def _held(acme, pair, days_ago, status="held"):
    with tenant_context(organization=acme):
        return MentoringSession.objects.create(
            organization=acme,
            pair=pair,
            starts_at=timezone.now() - timedelta(days=days_ago),
            status=status,
        )


def test_a_commitment_is_recorded_after_the_latest_held_session_unless_another_is_chosen(
    client, acme, pair
):
    older, latest = _held(acme, pair, 20), _held(acme, pair, 6)
    _held(acme, pair, 2, status="cancelled")
    _held(acme, pair, 1, status="scheduled")
    url = f"/o/acme/programs/pairs/{pair.pk}/commitments/"
    _login(client, "dan")

    form = client.get(f"/o/acme/programs/pairs/{pair.pk}/").context["commitment_form"]
    client.post(url, {"text": "Draft with Copilot", "theme": "tool", "session": latest.pk})
    client.post(url, {"text": "Ask for feedback", "theme": "habit", "session": older.pk})
    client.post(url, {"text": "Revisit the policy", "theme": "practice", "session": ""})
    page = client.get(f"/o/acme/programs/pairs/{pair.pk}/").content.decode()

    assert form["session"].value() == latest.pk
    with tenant_context(organization=acme):
        assert [s.pk for s in form.fields["session"].queryset] == [latest.pk, older.pk]
        made = dict(Commitment.objects.values_list("text", "session_id"))
    assert made == {
        "Draft with Copilot": latest.pk,
        "Ask for feedback": older.pk,
        "Revisit the policy": None,
    }
    when = date_format(timezone.localtime(latest.starts_at, BERLIN), "j M Y")
    assert f"After the session of {when}" in page


def test_a_commitment_after_a_session_that_did_not_take_place_is_refused(client, acme, pair, world):
    cancelled = _held(acme, pair, 2, status="cancelled")
    with tenant_context(organization=acme):
        other_pair = Pair.objects.exclude(pk=pair.pk).first()
    elsewhere = _held(acme, other_pair, 3)
    url = f"/o/acme/programs/pairs/{pair.pk}/commitments/"
    _login(client, "dan")

    answers = [
        client.post(url, {"text": "X", "theme": "tool", "session": s.pk}, follow=True)
        for s in (cancelled, elsewhere)
    ]

    for answer in answers:
        assert "Select a valid choice." in answer.content.decode()
    with tenant_context(organization=acme):
        assert not Commitment.objects.exists()
        with pytest.raises(ValidationError, match="one of your sessions that took place"):
            services.commitment_add(
                pair=pair, actor=world["Dan"], text="X", theme="tool", session=elsewhere
            )


# --- Ending the pairing from the workspace (issue 18) ------------------------------------


def _refresh(acme, pair):
    with tenant_context(organization=acme):
        pair.refresh_from_db()


def _end_url(pair):
    return f"/o/acme/programs/pairs/{pair.pk}/end/"


def test_either_person_ends_the_pairing_from_the_workspace_after_a_confirmation(client, acme, pair):
    _login(client, "dan")
    workspace = client.get(f"/o/acme/programs/pairs/{pair.pk}/").content.decode()
    assert f'href="{_end_url(pair)}">End this pairing…</a>' in workspace

    confirmation = client.get(_end_url(pair))

    # A GET only asks: nothing has ended yet.
    assert confirmation.status_code == 200
    assert "End your pairing with Ann Junior?" in confirmation.content.decode()
    _refresh(acme, pair)
    assert pair.status == Pair.Status.ACTIVE

    response = client.post(_end_url(pair), {"reason": "Our diaries never meet."})

    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/programs/mine/{pair.mentee_id}/"
    _refresh(acme, pair)
    assert (pair.status, pair.ended_by_role, pair.end_reason) == (
        Pair.Status.ENDED,
        Pair.EndedBy.MENTEE,
        "Our diaries never meet.",
    )
    # Ended: the workspace stays to read, with nothing more to end.
    after = client.get(f"/o/acme/programs/pairs/{pair.pk}/").content.decode()
    assert "End this pairing" not in after
    assert client.get(_end_url(pair))["Location"] == f"/o/acme/programs/pairs/{pair.pk}/"


def test_ending_without_a_reason_is_refused_and_the_pairing_stays(client, acme, pair):
    _login(client, "ann")

    response = client.post(_end_url(pair), {"reason": "  "})

    assert response.status_code == 200
    assert "Say in a sentence why; only the program manager reads it." in (
        response.content.decode()
    )
    _refresh(acme, pair)
    assert pair.status == Pair.Status.ACTIVE


def test_only_the_pair_can_end_it_from_its_workspace(client, acme, pair):
    _login(client, "eve")

    assert client.get(_end_url(pair)).status_code == 404
    assert client.post(_end_url(pair), {"reason": "Not mine to end."}).status_code == 404
    _refresh(acme, pair)
    assert pair.status == Pair.Status.ACTIVE
