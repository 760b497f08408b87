"""The overview as each demo login sees it, against the demo organisations' real data
(seeded once for the module; every figure expected here is counted from the rows
themselves, not read back from the overview's code)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import User
from demo.programs import ACME_PROGRAM, GLOBEX_PROGRAM
from directory.models import Employee
from directory.zones import zone_for
from matching.models import Pair
from organizations.models import Invitation, Membership, Organization
from organizations.tenancy import tenant_context
from programs.models import Participant, Program
from reports.selectors import today
from reports.services import snapshot_write
from sessions.manager_selectors import pair_activity
from sessions.models import MentoringSession
from tests.organizations.helpers import PM_MAX_QUERIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_module):
    return {slug: Organization.objects.get(slug=slug) for slug in ("acme", "globex")}


def _page(client, login: str) -> str:
    client.force_login(User.objects.get(email=login))
    response = client.get(f"/o/{login.split('@')[1].split('.')[0]}/")
    assert response.status_code == 200
    return response.content.decode()


def _block(html: str, marker: str) -> str:
    assert marker in html, f"no {marker} on the page"
    return html.split(marker, 1)[1].split("</article>", 1)[0]


def _count(card: str, name: str) -> int:
    return int(re.search(rf'data-count="{name}"><span class="count">(\d+)</span>', card)[1])


def test_demo_manager_sees_the_pilot_programs_real_counts(
    client, demo, django_assert_max_num_queries
):
    acme = demo["acme"]
    with tenant_context(organization=acme):
        program = Program.objects.get(name=ACME_PROGRAM)
        waiting = Participant.objects.filter(program=program, status="applied").count()
        active = Pair.objects.filter(program=program, status=Pair.Status.ACTIVE).count()
        cadence = [row.cadence.status for row in pair_activity(program) if row.status == "active"]
    client.force_login(User.objects.get(email="manager@acme.example"))

    with django_assert_max_num_queries(PM_MAX_QUERIES):
        html = client.get("/o/acme/").content.decode()

    card = _block(html, f'data-program="{program.pk}"')
    assert (waiting, active) != (0, 0)  # the demo has both: the test would notice a zero
    assert _count(card, "waiting") == waiting
    assert _count(card, "active") == active
    assert _count(card, "behind") == cadence.count("behind")
    assert _count(card, "quiet") == cadence.count("quiet")
    assert "You manage it" in card
    assert GLOBEX_PROGRAM not in html


def test_demo_mentor_sees_each_partner_and_their_next_session(client, demo):
    acme = demo["acme"]
    now = timezone.now()
    with tenant_context(organization=acme):
        me = Participant.objects.select_related("employee", "organization").get(
            employee__email="mentor@acme.example"
        )
        pairs = list(
            Pair.objects.filter(mentor=me, status=Pair.Status.ACTIVE).select_related(
                "mentee__employee"
            )
        )
        upcoming = {
            pair.pk: min(
                (
                    s.starts_at
                    for s in MentoringSession.objects.filter(pair=pair, status="scheduled")
                    if s.ends_at > now
                ),
                default=None,
            )
            for pair in pairs
        }
    zone = zone_for(organization=me.organization, participant=me)

    html = _page(client, "mentor@acme.example")

    assert pairs, "the demo mentor is paired"
    for pair in pairs:
        card = _block(html, f'data-pair="{pair.pk}"')
        assert f"With {pair.mentee.employee.name}" in card
        assert f'href="{reverse("mentoring:pair", args=["acme", pair.pk])}"' in card
        if upcoming[pair.pk] is None:
            assert "None booked yet" in card
        else:
            local = timezone.localtime(upcoming[pair.pk], zone)
            assert date_format(local, "D j M, H:i") in card and zone.key in card


def test_demo_executive_sees_the_figures_counted_for_today(client, demo):
    acme = demo["acme"]
    with tenant_context(organization=acme):
        snapshot_write(organization=acme, day=today(acme))
        active = Pair.objects.filter(status=Pair.Status.ACTIVE).count()

    html = _page(client, "exec@acme.example")

    tile = _block(html, 'data-kpi="pairs_active"')
    assert f'<p class="kpi-value">{active}</p>' in tile
    assert date_format(today(acme), "j F Y") in html
    assert "Your programs" not in html and "Run the organisation" not in html


def test_demo_admin_sees_the_organisations_member_and_invitation_counts(client, demo):
    acme = demo["acme"]
    with tenant_context(organization=acme):
        members = Membership.objects.filter(is_active=True).count()
        pending = Invitation.objects.filter(
            accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
        ).count()

    html = _page(client, "admin@acme.example")

    assert f'<p class="count">{members}</p>' in _block(html, 'data-overview="members"')
    assert f'<p class="count">{pending}</p>' in _block(html, 'data-overview="invitations"')
    assert ACME_PROGRAM in html  # an admin may manage programs: the table says so


def test_demo_globex_people_see_nothing_of_acme(client, demo):
    with tenant_context(organization=demo["acme"]):
        acme_names = set(
            Participant.objects.filter(program__name=ACME_PROGRAM).values_list(
                "employee__name", flat=True
            )
        )
    with tenant_context(organization=demo["globex"]):
        # Both rosters draw on one pool of names: a name Globex has too proves nothing.
        acme_names -= set(Employee.objects.values_list("name", flat=True))
    assert acme_names

    for login in ("manager@globex.example", "mentor@globex.example", "exec@globex.example"):
        html = _page(client, login)

        assert ACME_PROGRAM not in html
        assert not [name for name in acme_names if name in html], login
