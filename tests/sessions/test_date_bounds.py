"""Dates and times at the edges: what the pair and the program manager enter is kept to
a sane range (by the form, on the field, and by the service called directly), a time the
clocks skip is refused with a message, and a value already stored far out (by older
code, or straight in the database) leaves every page working."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from matching import services as matching
from matching.models import Pair
from organizations.tenancy import tenant_context
from programs.models import Participant
from sessions import circles, services
from sessions.models import Goal, MentoringSession, SessionChange, SupportCircle
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

FAR_FUTURE = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
FAR_PAST = datetime(1, 1, 1, 0, 30, tzinfo=UTC)


@pytest.fixture
def pair(acme, world, world_manager):
    """Ann (mentor, Europe/Berlin) and Dan (mentee), published a month ago, in a program
    from January to September 2027; both can sign in."""
    with tenant_context(organization=acme):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        Pair.objects.filter(run=run).update(published_at=timezone.now() - timedelta(days=30))
        pair = Pair.objects.select_related("program").get(run=run, mentee=world["Dan"])
    for name in ("ann", "dan"):
        MembershipFactory(organization=acme, user=UserFactory(email=f"{name}@acme.example"))
    return pair


def _login(client, name):
    client.force_login(User.objects.get(email=f"{name}@acme.example"))


def _workspace(pair, suffix=""):
    return f"/o/acme/programs/pairs/{pair.pk}/{suffix}"


def _sessions(acme):
    with tenant_context(organization=acme):
        return MentoringSession.objects.count()


# Stored values far out: every page still answers.


@pytest.mark.parametrize("moment", [FAR_FUTURE, FAR_PAST], ids=["year-9999", "year-1"])
@pytest.mark.parametrize("status", ["scheduled", "held"])
def test_a_session_stored_at_the_edge_of_the_calendar_leaves_every_page_of_the_pair_working(
    client, acme, pair, world, world_manager, moment, status
):
    with tenant_context(organization=acme):
        session = MentoringSession.objects.create(
            organization=acme,
            pair=pair,
            starts_at=moment,
            status=status,
            logged_at=timezone.now() if status == "held" else None,
        )
        SessionChange.objects.create(
            organization=acme,
            session=session,
            kind=SessionChange.Kind.RESCHEDULED,
            requested_by=world["Ann"],
            requested_by_role="mentor",
            hours_notice=-1,
            previous_starts_at=moment,
            new_starts_at=moment,
        )
        Goal.objects.create(organization=acme, pair=pair, title="Far", due_date=moment.date())
        SupportCircle.objects.create(
            organization=acme, program=pair.program, title="Far circle", starts_at=moment
        )
    org = {"org_slug": "acme"}
    for name, person in (("ann", world["Ann"]), ("dan", world["Dan"])):
        _login(client, name)
        for page in (
            _workspace(pair),
            _workspace(pair, f"sessions/{session.pk}/"),
            reverse("home:overview", kwargs=org),
            reverse("home:my_programs", kwargs=org),
            reverse("home:participation", kwargs={**org, "participant_id": person.pk}),
        ):
            assert client.get(page).status_code == 200, (name, page)
    client.force_login(world_manager)
    program = {**org, "program_id": pair.program_id}
    for page in ("pairs", "pairs_export", "reliability_export", "circles"):
        url = reverse(f"mentoring_manager:{page}", kwargs=program)
        assert client.get(url).status_code == 200, page
    assert client.get(reverse("home:overview", kwargs=org)).status_code == 200


def test_a_stored_far_value_is_read_back_a_decade_inside_the_calendar(acme, pair):
    with tenant_context(organization=acme):
        MentoringSession.objects.create(organization=acme, pair=pair, starts_at=FAR_FUTURE)
        goal = Goal.objects.create(organization=acme, pair=pair, title="Far", due_date=date.min)
        starts_at = MentoringSession.objects.get().starts_at
        goal.refresh_from_db()

    assert starts_at.year == 9989 and starts_at + timedelta(days=3650) > starts_at
    assert goal.due_date == date(11, 1, 1)


# Booking, moving and logging sessions.


def _book(client, pair, day, hour="10:00"):
    return client.post(
        _workspace(pair, "sessions/new/"),
        {"date": day, "time": hour, "duration_minutes": "60"},
    )


@pytest.mark.parametrize("day", ["9999-12-31", "1999-06-01", "0001-01-01"])
def test_the_booking_form_refuses_a_date_far_out_on_the_date_field(client, acme, pair, day):
    _login(client, "ann")

    response = _book(client, pair, day)

    errors = response.context["form"].errors
    assert "date" in errors
    assert "The session's date must be from" in errors["date"][0]
    assert _sessions(acme) == 0


def test_the_booking_form_accepts_a_date_within_the_next_two_years(client, acme, pair):
    _login(client, "ann")

    response = _book(client, pair, (timezone.localdate() + timedelta(days=700)).isoformat())

    assert response.status_code == 302
    assert _sessions(acme) == 1


def test_booking_or_moving_a_session_far_out_is_refused_by_the_service_too(acme, pair, world):
    plan = services.Plan(starts_at=FAR_FUTURE - timedelta(days=1), duration_minutes=60)
    with tenant_context(organization=acme):
        with pytest.raises(ValidationError, match="The session's date must be from"):
            services.session_schedule(pair=pair, actor=world["Ann"], plan=plan)
        near = services.Plan(starts_at=timezone.now() + timedelta(days=3), duration_minutes=60)
        session = services.session_schedule(pair=pair, actor=world["Ann"], plan=near)
        with pytest.raises(ValidationError, match="The session's date must be from"):
            services.session_reschedule(session=session, actor=world["Ann"], plan=plan)
        session.refresh_from_db()
    assert session.starts_at == near.starts_at


@pytest.mark.parametrize(
    ("zone", "day"),
    [("Europe/Paris", "2027-03-28"), ("America/New_York", "2027-03-14")],
)
def test_a_time_the_clocks_skip_gets_a_message_on_the_booking_form(
    client, acme, pair, world, zone, day
):
    with tenant_context(organization=acme):
        Participant.objects.filter(pk=world["Ann"].pk).update(time_zone=zone)
    _login(client, "ann")

    response = _book(client, pair, day, hour="02:30")

    errors = response.context["form"].errors
    assert errors["time"] == [
        f"02:30 does not exist on {date.fromisoformat(day):%-d %B %Y} in {zone}: the clocks "
        "go forward then. Choose another time."
    ]
    assert _sessions(acme) == 0


def test_a_time_the_clocks_show_twice_is_booked_at_its_first_occurrence(client, acme, pair):
    """Europe/Berlin (Ann's zone) goes back an hour at 03:00 on the last Sunday of
    October: 02:30 happens twice, and the booking takes the first, still on summer time."""
    day = _last_sunday_of_october(timezone.localdate() + timedelta(days=1))
    _login(client, "ann")

    _book(client, pair, day.isoformat(), hour="02:30")

    with tenant_context(organization=acme):
        starts_at = MentoringSession.objects.get().starts_at
    assert starts_at == datetime.combine(day, time(0, 30), tzinfo=UTC)


def _last_sunday_of_october(after: date) -> date:
    year = after.year if after <= date(after.year, 10, 24) else after.year + 1
    day = date(year, 10, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@pytest.mark.parametrize("when", ["9999-12-31T10:00", "1999-12-31T10:00"])
def test_the_log_form_refuses_a_session_far_out_on_the_when_field(client, acme, pair, when):
    _login(client, "dan")

    response = client.post(
        _workspace(pair, "sessions/log/"),
        {"held": "yes", "when": when, "held_minutes": "30", "rating": "3"},
    )

    assert "The session's date must be from" in response.context["form"].errors["when"][0]
    assert _sessions(acme) == 0


def test_the_log_form_refuses_a_time_the_clocks_skip(client, acme, pair):
    _login(client, "dan")  # Europe/Berlin: clocks went forward at 02:00 on 29 March 2026

    response = client.post(
        _workspace(pair, "sessions/log/"),
        {"held": "yes", "when": "2026-03-29T02:30", "held_minutes": "30", "rating": "3"},
    )

    assert "does not exist on 29 March 2026" in response.context["form"].errors["when"][0]
    assert _sessions(acme) == 0


@pytest.mark.parametrize("moment", [FAR_FUTURE, FAR_PAST], ids=["year-9999", "year-1"])
def test_logging_a_session_far_out_is_refused_by_the_service(acme, pair, world, moment):
    with tenant_context(organization=acme), pytest.raises(ValidationError):
        services.session_log(
            pair=pair,
            actor=world["Dan"],
            user=None,
            log=services.Log(held=True, held_minutes=30, rating=3),
            starts_at=moment,
        )
    assert _sessions(acme) == 0


# Goals' due dates.


def test_the_goal_form_refuses_a_due_date_far_out_naming_it(client, acme, pair):
    _login(client, "ann")

    response = client.post(
        _workspace(pair, "goals/"), {"title": "Try Copilot", "due_date": "9999-12-31"}, follow=True
    )

    assert "The due date must be from" in response.content.decode()
    with tenant_context(organization=acme):
        assert not Goal.objects.exists()


def test_a_goal_due_far_out_is_refused_by_the_service_when_added_or_changed(acme, pair, world):
    far = date(9999, 12, 31)
    with tenant_context(organization=acme):
        with pytest.raises(ValidationError, match="The due date must be from"):
            services.goal_add(pair=pair, actor=world["Ann"], title="Try", due_date=far)
        goal = services.goal_add(pair=pair, actor=world["Ann"], title="Try", due_date=None)
        with pytest.raises(ValidationError, match="The due date must be from"):
            services.goal_update(goal=goal, actor=world["Ann"], title="Try", due_date=date(1, 1, 1))
        goal.refresh_from_db()
    assert goal.due_date is None


# Support circles.


def test_the_circle_form_refuses_a_date_far_out_on_the_date_field(
    client, acme, world_manager, pair
):
    client.force_login(world_manager)

    response = client.post(
        f"/o/acme/programs/{pair.program_id}/circles/",
        {"title": "Far", "date": "9999-12-31", "time": "18:00", "duration_minutes": "60"},
    )

    assert "The circle's date must be from" in response.context["form"].errors["date"][0]
    with tenant_context(organization=acme):
        assert not SupportCircle.objects.exists()


def test_a_circle_at_a_time_the_clocks_skip_gets_a_message(client, acme, world_manager, pair):
    acme.time_zone = "Europe/Paris"
    acme.save()
    client.force_login(world_manager)

    response = client.post(
        f"/o/acme/programs/{pair.program_id}/circles/",
        {"title": "Spring", "date": "2027-03-28", "time": "02:15", "duration_minutes": "60"},
    )

    assert "02:15 does not exist on 28 March 2027" in response.context["form"].errors["time"][0]


def test_a_circle_far_out_is_refused_by_the_service_when_added_or_moved(acme, pair):
    far = circles.CirclePlan(title="Far", starts_at=FAR_FUTURE)
    near = circles.CirclePlan(title="Near", starts_at=timezone.now() + timedelta(days=3))
    with tenant_context(organization=acme):
        with pytest.raises(ValidationError, match="The circle's date must be from"):
            circles.circle_create(program=pair.program, plan=far)
        circle = circles.circle_create(program=pair.program, plan=near)
        with pytest.raises(ValidationError, match="The circle's date must be from"):
            circles.circle_update(circle=circle, plan=far)
        circle.refresh_from_db()
    assert circle.starts_at == near.starts_at


def test_a_goal_that_slipped_stays_editable_and_a_past_due_date_is_accepted(client, acme, pair):
    yesterday = timezone.localdate() - timedelta(days=1)
    with tenant_context(organization=acme):
        goal = Goal.objects.create(organization=acme, pair=pair, title="Try Copilot")
    _login(client, "ann")

    response = client.post(
        _workspace(pair, f"goals/{goal.pk}/edit/"),
        {"title": "Try Copilot weekly", "due_date": yesterday.isoformat()},
        follow=True,
    )

    assert "Goal saved." in response.content.decode()
    with tenant_context(organization=acme):
        goal.refresh_from_db()
    assert (goal.title, goal.due_date) == ("Try Copilot weekly", yesterday)
