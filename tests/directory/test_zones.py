"""Which time zone a person is in (directory.zones): their own choice, then the
organisation's zone, then UTC only when the organisation has none; a stored name that is
no zone is skipped; the bulk form answers as the single one; and the reminders and the
pair's workspace agree."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from directory.models import Employee
from directory.zones import zone_for, zones_for_members
from matching import services as matching
from matching.models import Pair
from notifications import delivery
from notifications.models import Notification
from organizations.models import Organization
from organizations.tenancy import tenant_context
from programs.models import Cohort, Participant, Program
from sessions import reminders
from sessions.models import MentoringSession
from tests.accounts.factories import UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
NOT_A_ZONE = "Mars/Olympus_Mons"


@pytest.fixture
def tokyo(acme):
    """Acme keeps its clock in Tokyo: a zone no person in the world fixture has."""
    Organization.objects.filter(pk=acme.pk).update(time_zone="Asia/Tokyo")
    acme.refresh_from_db()
    return acme


def _place(organization, participant, *, own="", directory=""):
    """``participant`` reloaded with its own and its directory entry's zone set."""
    with tenant_context(organization=organization):
        Participant.objects.filter(pk=participant.pk).update(time_zone=own)
        Employee.objects.filter(pk=participant.employee_id).update(time_zone=directory)
        return Participant.objects.select_related("employee", "organization").get(pk=participant.pk)


def _zone(organization, participant) -> ZoneInfo:
    with tenant_context(organization=organization):
        return zone_for(organization=organization, participant=participant)


def _member(organization, email):
    return MembershipFactory(organization=organization, user=UserFactory(email=email))


# --- Each step of the order -------------------------------------------------------------


def test_a_participants_own_zone_comes_before_the_directory_and_the_organisation(tokyo, world):
    ann = _place(tokyo, world["Ann"], own="Europe/Berlin", directory="America/New_York")

    assert _zone(tokyo, ann) == ZoneInfo("Europe/Berlin")


def test_the_directory_zone_answers_when_the_participant_gave_none(tokyo, world):
    ann = _place(tokyo, world["Ann"], own="", directory="America/New_York")

    assert _zone(tokyo, ann) == ZoneInfo("America/New_York")


def test_a_person_without_a_zone_of_their_own_is_in_the_organisations_zone(tokyo, world):
    ann = _place(tokyo, world["Ann"])

    assert _zone(tokyo, ann) == TOKYO


@pytest.mark.parametrize("stored", ["", NOT_A_ZONE])
def test_utc_answers_only_when_the_organisation_has_no_zone(acme, world, stored):
    Organization.objects.filter(pk=acme.pk).update(time_zone=stored)
    acme.refresh_from_db()
    ann = _place(acme, world["Ann"])

    assert _zone(acme, ann) == ZoneInfo("UTC")
    assert _zone(acme, _place(acme, world["Ann"], directory="Asia/Kolkata")) == ZoneInfo(
        "Asia/Kolkata"
    )


@pytest.mark.parametrize(
    ("own", "directory", "expected"),
    [
        (NOT_A_ZONE, "America/New_York", "America/New_York"),
        (NOT_A_ZONE, "", "Asia/Tokyo"),
        ("", NOT_A_ZONE, "Asia/Tokyo"),
        ("../../etc/passwd", "", "Asia/Tokyo"),
    ],
)
def test_a_stored_name_that_is_no_zone_is_skipped_and_never_crashes(
    tokyo, world, own, directory, expected
):
    ann = _place(tokyo, world["Ann"], own=own, directory=directory)

    assert _zone(tokyo, ann) == ZoneInfo(expected)


def test_a_member_is_in_the_zone_of_their_latest_place_that_gives_one(tokyo, world):
    ann = _place(tokyo, world["Ann"], own="Europe/Berlin", directory="Asia/Kolkata")
    with tenant_context(organization=tokyo):
        later = _second_place(tokyo, ann, own="America/New_York")
        Participant.objects.filter(pk=later.pk).update(invited_at=ann.invited_at + timedelta(1))
    member = _member(tokyo, "ann@acme.example")

    with tenant_context(organization=tokyo):
        assert zone_for(organization=tokyo, membership=member) == ZoneInfo("America/New_York")
        Participant.objects.filter(pk=later.pk).update(time_zone="")
        assert zone_for(organization=tokyo, membership=member) == ZoneInfo("Europe/Berlin")


def test_a_member_without_a_directory_entry_is_in_the_organisations_zone(tokyo):
    member = _member(tokyo, "nobody@acme.example")

    with tenant_context(organization=tokyo):
        assert zone_for(organization=tokyo, membership=member) == TOKYO


# --- The bulk form ----------------------------------------------------------------------


def test_the_zones_of_many_members_at_once_are_each_members_own_zone(tokyo, world):
    """Every case at once: a later place, a bad place name over a directory zone, the
    directory alone, nothing at all, and no directory entry."""
    ann = _place(tokyo, world["Ann"], own="Europe/Berlin")
    reloaded = {
        "bea": _place(tokyo, world["Bea"], own=NOT_A_ZONE, directory="Asia/Kolkata"),
        "cy": _place(tokyo, world["Cy"], directory="Europe/Lisbon"),
        "dan": _place(tokyo, world["Dan"]),
    }
    with tenant_context(organization=tokyo):
        later = _second_place(tokyo, ann, own="America/New_York")
        Participant.objects.filter(pk=later.pk).update(invited_at=ann.invited_at + timedelta(1))
    names = ("ann", "bea", "cy", "dan", "zoe")
    members = {name: _member(tokyo, f"{name.upper()}@acme.example") for name in names}

    with tenant_context(organization=tokyo):
        bulk = zones_for_members(organization=tokyo, memberships=members.values())
        single = {m.pk: zone_for(organization=tokyo, membership=m) for m in members.values()}
        # A person with one place: the member and the participant are in one zone.
        places = {
            name: zone_for(organization=tokyo, participant=place)
            for name, place in reloaded.items()
        }

    assert bulk == single
    assert {name: bulk[m.pk].key for name, m in members.items()} == {
        "ann": "America/New_York",
        "bea": "Asia/Kolkata",
        "cy": "Europe/Lisbon",
        "dan": "Asia/Tokyo",
        "zoe": "Asia/Tokyo",
    }
    assert {name: bulk[members[name].pk] for name in places} == places


# --- Reminders and the workspace agree --------------------------------------------------


@pytest.mark.parametrize("stored", ["", NOT_A_ZONE])
def test_reminders_and_the_workspace_agree_for_a_person_without_a_zone_of_their_own(
    client, tokyo, world, stored
):
    """Dan gave no zone (or one that is none), and the directory has none: his workspace,
    his reminder's text and the hour it is emailed all keep Tokyo's time."""
    _place(tokyo, world["Dan"], own=stored)
    with tenant_context(organization=tokyo):
        run = matching.matching_run(cohort=world["cohort"], actor=None)
        matching.run_publish(run=run)
        pair = Pair.objects.get(run=run, mentee=world["Dan"])
        starts_at = datetime(2027, 2, 10, 9, tzinfo=UTC)  # 18:00 in Tokyo
        MentoringSession.objects.create(organization=tokyo, pair=pair, starts_at=starts_at)
    dan = _member(tokyo, "dan@acme.example")
    _member(tokyo, "ann@acme.example")

    client.force_login(dan.user)
    page = client.get(reverse("mentoring:pair", kwargs={"org_slug": "acme", "pair_id": pair.pk}))
    assert page.status_code == 200
    assert page.context["my_zone"] == "Asia/Tokyo"

    # 22:00 in Tokyo, the night there (and 13:00 in UTC, the day).
    now = datetime(2027, 2, 9, 13, tzinfo=UTC)
    with tenant_context(organization=tokyo):
        candidates = reminders.session_upcoming(tokyo, now)
        to_dan = next(c for c in candidates if c.recipient.pk == dan.pk)
        delivery.create(candidates, now)
        waits_until = Notification.objects.get(recipient=dan).send_after
    assert "Wednesday 10 February 2027, 18:00 (Asia/Tokyo)" in to_dan.body
    assert waits_until == datetime(2027, 2, 10, 7, tzinfo=TOKYO)


def _second_place(organization, participant, *, own) -> Participant:
    """The same person in a second program, with ``own`` as its zone."""
    program = Program.objects.create(
        organization=organization,
        name="Second",
        start_date=date(2027, 3, 1),
        end_date=date(2027, 12, 31),
    )
    cohort = Cohort.objects.create(
        organization=organization,
        program=program,
        name="Second pilot",
        start_date=date(2027, 3, 1),
        end_date=date(2027, 9, 30),
    )
    return Participant.objects.create(
        organization=organization,
        program=program,
        cohort=cohort,
        employee=participant.employee,
        role=participant.role,
        status=Participant.Status.APPROVED,
        time_zone=own,
    )
