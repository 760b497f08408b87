"""The demo tells one story: the members page, the program's participants, the directory
and the overview agree; notices are dated with the history; the dashboard has
satisfaction, NPS and featured stories as of yesterday; and a second seed_demo on a
current demo is quick, changes nothing and still prints the logins and API keys."""

import io
import re
import time

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from demo.models import DemoSeed
from directory.models import DirectoryImport, Employee
from matching.models import Pair
from notifications.models import Notification
from organizations.models import Invitation, Membership, Organization
from organizations.tenancy import tenant_context
from programs.models import Participant
from reports.models import ORGANIZATION_SCOPE, Snapshot
from reports.selectors import last_complete_day

pytestmark = [pytest.mark.django_db, pytest.mark.reports_demo]


def _row_counts() -> dict[str, int]:
    counts = {}
    for organization in Organization.objects.all():
        with tenant_context(organization=organization):
            for model in apps.get_models():
                if model._meta.app_label in ("contenttypes", "auth", "admin", "sessions"):
                    continue
                counts[f"{organization.slug}:{model._meta.label}"] = model._default_manager.count()
    return counts


@pytest.fixture(scope="module")
def seeded_twice(django_db_setup, django_db_blocker):
    """The whole demo, reports included (five weeks of them, not six months), then
    seed_demo again: its output, how long it took, and the rows before and after."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr("demo.reports.HISTORY_DAYS", 35)
        first = io.StringIO()
        call_command("seed_demo", stdout=first)
        before = _row_counts()
        second = io.StringIO()
        started = time.monotonic()
        call_command("seed_demo", stdout=second)
        seconds = time.monotonic() - started
        after = _row_counts()
    yield {
        "first": first.getvalue(),
        "second": second.getvalue(),
        "seconds": seconds,
        "before": before,
        "after": after,
    }
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, reset_sequences=False)


def _organization(slug: str) -> Organization:
    return Organization.objects.get(slug=slug)


@pytest.mark.parametrize("slug", ["acme", "globex"])
def test_every_participant_who_applied_is_a_member_and_the_rest_are_invited(seeded_twice, slug):
    organization = _organization(slug)
    with tenant_context(organization=organization):
        applied = Participant.objects.filter(applied_at__isnull=False)
        people = set(applied.values_list("employee_id", flat=True))
        members = Membership.objects.filter(is_active=True)
        assert set(members.filter(employee__in=people).values_list("employee", flat=True)) == people
        # The members page counts the people running the programs and the participants,
        # each of them one person with their directory entry.
        assert members.count() == 3 + len(people)
        assert not members.filter(employee__isnull=True).exists()
        # Those who have not answered their invitation yet are not members: invited.
        waiting = Participant.objects.filter(status=Participant.Status.INVITED)
        for participant in waiting.select_related("employee"):
            assert not members.filter(employee=participant.employee).exists()
            assert Invitation.objects.filter(
                email=participant.employee.email, accepted_at=None
            ).exists()
        # They joined between their invitation and their application.
        for participant in applied:
            member = members.get(employee=participant.employee_id)
            assert member.created_at <= participant.applied_at


def test_the_members_page_lists_the_participants(seeded_twice, client):
    acme = _organization("acme")
    client.force_login(User.objects.get(email="admin@acme.example"))
    page = client.get(reverse("organizations:member_list", kwargs={"org_slug": "acme"}))
    assert page.status_code == 200
    with tenant_context(organization=acme):
        pilot = Participant.objects.filter(cohort__name="Pilot").select_related("employee")
        names = [p.employee.name for p in pilot]
    html = page.content.decode()
    assert len(names) == 40
    assert all(name in html for name in names[:10])


@pytest.mark.parametrize("slug", ["acme", "globex"])
def test_the_roster_came_through_an_hr_file_import(seeded_twice, client, slug):
    organization = _organization(slug)
    with tenant_context(organization=organization):
        (record,) = DirectoryImport.objects.all()
        employees = Employee.objects.count()
    assert record.status == DirectoryImport.Status.APPLIED
    assert record.total_rows == record.to_create == employees
    assert record.uploaded_by.email == f"admin@{slug}.example"

    client.force_login(User.objects.get(email=f"admin@{slug}.example"))
    html = client.get(f"/o/{slug}/").content.decode()
    assert "people on the HR roster" in html
    assert "No HR file imported here yet" not in html
    assert "Last import" in html


def test_the_pair_notices_are_dated_when_the_pairs_were_published(seeded_twice):
    acme = _organization("acme")
    with tenant_context(organization=acme):
        notices = list(Notification.objects.filter(kind="pair_published"))
        published = {p.pk: p.published_at for p in Pair.objects.all()}
    assert notices
    for notice in notices:
        pair_id = int(re.match(r"pair_published:pair:(\d+):", notice.key).group(1))
        assert abs(notice.created_at - published[pair_id]).total_seconds() < 3600
        assert notice.read_at is not None
    # Nothing dated today asks a pair that has met for months to agree a first session.
    assert all(n.created_at < timezone.now() - timezone.timedelta(days=60) for n in notices)


def test_the_dashboard_shows_satisfaction_nps_and_stories_as_of_yesterday(seeded_twice, client):
    acme = _organization("acme")
    with tenant_context(organization=acme):
        assert Snapshot.objects.filter(
            scope=ORGANIZATION_SCOPE, day=last_complete_day(acme)
        ).exists()
    client.force_login(User.objects.get(email="exec@acme.example"))
    page = client.get(reverse("reports:dashboard", kwargs={"org_slug": "acme"}))
    assert page.status_code == 200
    board = page.context["board"]
    shown = {tile.measure.key: tile.shown.value for tile in board.tiles}
    assert shown["satisfaction"] is not None and shown["satisfaction"] > 50
    assert shown["nps"] is not None
    assert len(board.stories) == 2


def test_seeding_a_current_demo_again_is_quick_and_changes_nothing(seeded_twice):
    assert "Demo data is current" in seeded_twice["second"]
    assert "Demo data ready" in seeded_twice["first"]
    assert seeded_twice["after"] == seeded_twice["before"]
    assert seeded_twice["seconds"] < 10
    assert DemoSeed.objects.count() == 1


@pytest.mark.parametrize("run", ["first", "second"])
def test_each_run_prints_the_logins_and_the_api_keys(seeded_twice, run):
    out = seeded_twice[run]
    assert "Password for every demo login: upturn-demo" in out
    for slug in ("acme", "globex"):
        for role in ("admin", "manager", "mentor", "mentee", "exec"):
            assert re.search(rf"^  {role}@{slug}\.example +{role} ", out, re.MULTILINE)
    assert "API key for Acme: upturn_acme_demo-key-for-trying-the-api" in out
    assert "API key for Globex: upturn_globex_demo-key-for-trying-the-api" in out
    assert "SCIM token for Acme: upturnscim_acme_demo-token-for-trying-scim" in out
    assert "SCIM token for Globex: upturnscim_globex_demo-token-for-trying-scim" in out


def test_a_changed_demo_password_seeds_again(seeded_twice, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-pass")
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo data ready" in out.getvalue()
    assert User.objects.get(email="exec@acme.example").check_password("another-demo-pass")
