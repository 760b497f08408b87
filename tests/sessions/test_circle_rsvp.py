"""Support circles people join: a mentor answers a circle of their program (going or
not), gets its invitation in their calendar on joining and a cancellation on leaving,
is told when it moves or is cancelled, and finds it in their calendar feed; the program
manager sees who is coming. Nobody else answers: a mentee, another program's mentor, a
closed program's, a circle that has begun."""

import html
from datetime import timedelta

import icalendar
import pytest
import vobject
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from organizations.models import Membership
from organizations.tenancy import tenant_context
from programs.models import Participant, Program
from sessions import circles
from sessions.models import CircleRsvp, SupportCircle
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory
from tests.programs.factories import CohortFactory, ParticipantFactory, ProgramFactory
from tests.sessions.mail_helpers import invitations

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(acme, world, world_manager):
    """Ann, Bea (mentors) and Dan (a mentee) can sign in; the program has a manager."""
    for name in ("ann", "bea", "dan"):
        MembershipFactory(organization=acme, user=UserFactory(email=f"{name}@acme.example"))
    mail.outbox.clear()
    return world


@pytest.fixture
def circle(acme, people):
    with tenant_context(organization=acme):
        return circles.circle_create(
            program=people["program"],
            plan=circles.CirclePlan(
                title="Mentors' circle",
                starts_at=timezone.now().replace(microsecond=0) + timedelta(days=5),
                location="Room 4",
            ),
        )


def _user(name) -> User:
    return User.objects.get(email=f"{name}@acme.example")


def _answer(client, name, circle, going: bool, **extra):
    client.force_login(_user(name))
    return client.post(
        reverse("mentoring:circle_rsvp", args=["acme", circle.pk]),
        {"going": "yes" if going else "no"},
        **extra,
    )


def _rsvps(acme) -> dict[str, bool]:
    with tenant_context(organization=acme):
        return {
            r.participant.employee.name.split()[0]: r.going
            for r in CircleRsvp.objects.select_related("participant__employee")
        }


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _parse(body: bytes):
    """The one VEVENT, read by icalendar and by vobject: both must accept the calendar."""
    (event,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
    (vevent,) = vobject.readOne(body.decode()).vevent_list
    return event, vevent


def _ics(client, circle) -> bytes:
    response = client.get(reverse("mentoring:circle_ics", args=["acme", circle.pk]))
    assert response.status_code == 200
    return response.content


# --- Joining and leaving ----------------------------------------------------------------


def test_joining_emails_the_invitation_and_the_download_is_the_same_event(
    client, acme, people, circle, world_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _answer(client, "ann", circle, True, follow=True)

    assert "You're going to “Mentors' circle”" in _text(response)
    assert _rsvps(acme) == {"Ann": True}
    (invite,) = invitations("ann@acme.example")
    assert invite.method == invite.part_method == "REQUEST"
    assert str(invite.event["UID"]) == circle.uid and invite.event["SEQUENCE"] == 0
    # From the program's manager (a person whom a reply reaches); Ann alone attends,
    # accepted, and her calendar is not asked to reply (she answered in Upturn).
    assert str(invite.event["ORGANIZER"]) == f"mailto:{world_manager.email}"
    attendee = invite.event["ATTENDEE"]
    assert str(attendee) == "mailto:ann@acme.example"
    assert (attendee.params["PARTSTAT"], attendee.params["RSVP"]) == ("ACCEPTED", "FALSE")
    # Her "Add to calendar" file is that invitation: the same UID and SEQUENCE.
    event, vevent = _parse(_ics(client, circle))
    assert str(event["UID"]) == vevent.uid.value == circle.uid
    assert event["SEQUENCE"] == int(vevent.sequence.value) == 0
    assert event.decoded("DTSTART") == circle.starts_at == vevent.dtstart.value
    page = _text(client.get(f"/o/acme/programs/mine/{people['Ann'].pk}/"))
    assert "You're going" in page and "Google Calendar" in page and "Leave the circle" in page


def test_joining_twice_sends_one_invitation(
    client, acme, people, circle, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _answer(client, "ann", circle, True)
        _answer(client, "ann", circle, True)

    assert len(invitations("ann@acme.example")) == 1
    with tenant_context(organization=acme):
        (rsvp,) = CircleRsvp.objects.all()
    assert (rsvp.going, rsvp.changes) == (True, 0)


def test_leaving_cancels_for_them_alone_and_joining_again_is_a_newer_invitation(
    client, acme, people, circle, django_capture_on_commit_callbacks
):
    for name, going in (("ann", True), ("bea", True), ("ann", False)):
        with django_capture_on_commit_callbacks(execute=True):
            _answer(client, name, circle, going)

    joined, left = invitations("ann@acme.example")
    assert left.method == left.part_method == "CANCEL"
    assert str(left.event["UID"]) == str(joined.event["UID"]) == circle.uid
    assert left.event["SEQUENCE"] > joined.event["SEQUENCE"]
    assert str(left.event["STATUS"]) == "CANCELLED"
    assert len(invitations("bea@acme.example")) == 1  # Bea's copy stands
    (event, _v) = _parse(_ics(client, circle))
    assert event["SEQUENCE"] == left.event["SEQUENCE"]  # her download is her cancellation

    with django_capture_on_commit_callbacks(execute=True):
        _answer(client, "ann", circle, True)

    again = invitations("ann@acme.example")[-1]
    assert again.method == "REQUEST"
    assert again.event["SEQUENCE"] > left.event["SEQUENCE"]
    assert _rsvps(acme) == {"Ann": True, "Bea": True}


def test_a_first_no_is_recorded_and_sends_nothing(client, acme, people, circle):
    _answer(client, "ann", circle, False)

    assert _rsvps(acme) == {"Ann": False}
    assert invitations("ann@acme.example") == []


# --- Who may answer ---------------------------------------------------------------------


def test_a_mentee_never_sees_or_answers_circles(client, acme, people, circle):
    response = _answer(client, "dan", circle, True)

    assert response.status_code == 404
    assert _rsvps(acme) == {}
    page = _text(client.get(f"/o/acme/programs/mine/{people['Dan'].pk}/"))
    assert "Mentors' circle" not in page
    with tenant_context(organization=acme), pytest.raises(ValidationError, match="mentors only"):
        circles.circle_rsvp(circle=circle, participant=people["Dan"], going=True)


def test_a_mentor_of_another_program_gets_404(client, acme, people, circle):
    other = ProgramFactory(organization=acme, name="Other", status=Program.Status.MATCHING)
    stranger = MembershipFactory(organization=acme, user=UserFactory(email="zoe@acme.example")).user
    with tenant_context(organization=acme):
        membership = Membership.objects.get(user=stranger)
        zoe = ParticipantFactory(
            cohort=CohortFactory(program=other),
            employee__email="zoe@acme.example",
            employee__member=membership,
            role=Participant.Role.MENTOR,
        )

    client.force_login(stranger)
    response = client.post(
        reverse("mentoring:circle_rsvp", args=["acme", circle.pk]), {"going": "yes"}
    )
    download = client.get(reverse("mentoring:circle_ics", args=["acme", circle.pk]))

    assert response.status_code == download.status_code == 404
    assert _rsvps(acme) == {}
    with tenant_context(organization=acme), pytest.raises(ValidationError, match="mentors only"):
        circles.circle_rsvp(circle=circle, participant=zoe, going=True)


def test_a_closed_programs_circle_cannot_be_joined(client, acme, people, circle):
    with tenant_context(organization=acme):
        Program.objects.filter(pk=people["program"].pk).update(status=Program.Status.CLOSED)

    response = _answer(client, "ann", circle, True, follow=True)

    assert "The program is closed." in _text(response)
    assert _rsvps(acme) == {}
    page = _text(client.get(f"/o/acme/programs/mine/{people['Ann'].pk}/"))
    assert "Mentors' circle" in page and 'name="going"' not in page  # no Join offered
    assert mail.outbox == []


def test_a_circle_that_has_begun_takes_no_answers(client, acme, people):
    with tenant_context(organization=acme):
        begun = SupportCircle.objects.create(
            organization=acme,
            program=people["program"],
            title="Started an hour ago",
            starts_at=timezone.now() - timedelta(hours=1),
        )

    response = _answer(client, "ann", begun, True, follow=True)

    assert "answers close when it begins" in _text(response)
    assert _rsvps(acme) == {}
    assert mail.outbox == []


def test_an_answer_to_a_circle_is_post_only(client, acme, people, circle):
    client.force_login(_user("ann"))

    response = client.get(reverse("mentoring:circle_rsvp", args=["acme", circle.pk]))

    assert response.status_code == 405
    assert _rsvps(acme) == {}


# --- The manager's changes ----------------------------------------------------------------


def test_moving_a_circle_tells_those_going_and_moves_it_in_their_calendar(
    client, acme, people, circle, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _answer(client, "ann", circle, True)
        _answer(client, "bea", circle, False)
    later = circle.starts_at + timedelta(days=2)

    with django_capture_on_commit_callbacks(execute=True), tenant_context(organization=acme):
        circles.circle_update(
            circle=circle, plan=circles.CirclePlan(title="Mentors' circle", starts_at=later)
        )

    moved = invitations("ann@acme.example")[-1]
    assert moved.method == "REQUEST" and moved.event["SEQUENCE"] == 1
    assert moved.event.decoded("DTSTART") == later
    assert moved.subject.startswith("Changed: Mentors' circle")
    assert invitations("bea@acme.example") == []  # she said no: nothing of hers to move
    with tenant_context(organization=acme):
        notices = list(
            Notification.objects.filter(kind="circle_changed").select_related("recipient__user")
        )
    assert [n.recipient.user.email for n in notices] == ["ann@acme.example"]
    assert "is now on" in notices[0].body


def test_saving_a_circle_unchanged_tells_nobody(
    client, acme, people, circle, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _answer(client, "ann", circle, True)
    mail.outbox.clear()

    with tenant_context(organization=acme):
        same = circles.circle_update(
            circle=circle,
            plan=circles.CirclePlan(
                title=circle.title, starts_at=circle.starts_at, location=circle.location
            ),
        )

    assert same.sequence == 0 and mail.outbox == []


def test_cancelling_a_circle_sends_those_going_its_cancellation(
    client, acme, people, circle, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _answer(client, "ann", circle, True)

    with django_capture_on_commit_callbacks(execute=True), tenant_context(organization=acme):
        circles.circle_delete(circle=circle)

    joined, cancelled = invitations("ann@acme.example")
    assert cancelled.method == "CANCEL" and str(cancelled.event["UID"]) == circle.uid
    assert cancelled.event["SEQUENCE"] > joined.event["SEQUENCE"]
    assert cancelled.event.decoded("DTSTART") == circle.starts_at
    with tenant_context(organization=acme):
        assert not SupportCircle.objects.exists()
        (notice,) = Notification.objects.filter(kind="circle_changed")
    assert "is cancelled" in notice.body


def test_the_managers_circle_page_shows_who_is_coming_and_who_said_no(
    client, acme, people, circle, world_manager
):
    _answer(client, "ann", circle, True)
    _answer(client, "bea", circle, False)
    client.force_login(world_manager)

    page = client.get(
        reverse("mentoring_manager:circle", args=["acme", people["program"].pk, circle.pk])
    ).content.decode()
    listing = client.get(
        reverse("mentoring_manager:circles", args=["acme", people["program"].pk])
    ).content.decode()

    assert "1 mentor said yes; 1 said no" in page
    going = page.split('class="people-going"')[1].split("</ul>")[0]
    not_going = page.split('class="people-not-going"')[1].split("</ul>")[0]
    assert "Ann Junior" in going and "Bea Junior" not in going
    assert "Bea Junior" in not_going
    assert "1 mentor coming" in listing


# --- The feed ---------------------------------------------------------------------------


def _feed_path(client, name) -> str:
    client.force_login(_user(name))
    page = client.post("/o/acme/programs/calendar/", {"action": "new"})
    url = page.context["feed_url"]
    client.logout()
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _feed_circles(client, path) -> dict[str, int]:
    body = client.get(path).content
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    read = vobject.readOne(body.decode())
    assert len(events) == (len(read.vevent_list) if b"VEVENT" in body else 0)
    return {str(e["UID"]): e["SEQUENCE"] for e in events if str(e["UID"]).startswith("circle-")}


def test_the_feed_lists_the_circles_the_mentor_is_going_to_with_their_sequence(
    client, acme, people, circle
):
    with tenant_context(organization=acme):
        unanswered = circles.circle_create(
            program=people["program"],
            plan=circles.CirclePlan(
                title="Another", starts_at=circle.starts_at + timedelta(days=20)
            ),
        )
    path = _feed_path(client, "ann")
    assert _feed_circles(client, path) == {}  # not answered: not in her calendar

    _answer(client, "ann", circle, True)
    assert _feed_circles(client, path) == {circle.uid: 0}

    _answer(client, "ann", circle, False)
    assert _feed_circles(client, path) == {}  # left: gone, as it is from her calendar

    _answer(client, "ann", circle, True)
    assert _feed_circles(client, path) == {circle.uid: 2}  # her copy's SEQUENCE
    assert unanswered.uid not in _feed_circles(client, path)


def test_the_feed_answers_304_to_if_modified_since_until_something_changes(
    client, acme, people, circle
):
    path = _feed_path(client, "ann")
    first = client.get(path)
    last_modified = first["Last-Modified"]

    unchanged = client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert unchanged.status_code == 304 and unchanged.content == b""

    _answer(client, "ann", circle, True)
    client.logout()
    changed = client.get(path, HTTP_IF_MODIFIED_SINCE=last_modified)

    assert changed.status_code == 200
    assert changed["Last-Modified"] != last_modified
    assert circle.uid.encode() in changed.content
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=changed["Last-Modified"]).status_code == 304
    # An ETag that no longer matches wins over a date that would (RFC 9110).
    stale = client.get(
        path, HTTP_IF_NONE_MATCH=first["ETag"], HTTP_IF_MODIFIED_SINCE=changed["Last-Modified"]
    )
    assert stale.status_code == 200


def test_a_feed_polled_too_often_answers_429_with_retry_after(client, acme, people, monkeypatch):
    from sessions import feeds

    monkeypatch.setattr(feeds, "FEED_REQUESTS_PER_WINDOW", 3)
    path = _feed_path(client, "ann")
    other = _feed_path(client, "bea")

    statuses = [client.get(path).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = client.get(path)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= feeds.FEED_WINDOW_SECONDS
    assert client.get(other).status_code == 200  # per token: Bea's feed is not Ann's
