"""The dashboard's sections, cached until the snapshots change (reports.cache): a new
snapshot shows at once, and an entry is never shared across organisations or across
viewers who may read different programs."""

import json
from datetime import date

import pytest
from django.core.cache import cache

from organizations.tenancy import tenant_context
from programs.models import Cohort, Program, ProgramManager
from reports import cache as sections_cache
from reports import services
from reports.models import Snapshot
from tests.organizations.factories import MembershipFactory, OrganizationFactory

PERIOD = "?start=2026-06-01&end=2026-06-30"


@pytest.fixture
def built(monkeypatch):
    """How many times the sections were built rather than read from the cache."""
    cache.clear()
    calls = []
    fill = sections_cache.dashboard_sections_fill

    def counting(board, latest):
        calls.append((board.organization.slug, board.program))
        fill(board, latest)

    monkeypatch.setattr(sections_cache, "dashboard_sections_fill", counting)
    return calls


def _login(client, organization, **roles):
    member = MembershipFactory(organization=organization, **{"is_participant": False, **roles})
    client.force_login(member.user)
    return member


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _sections(html: str) -> str:
    return html[html.index('aria-labelledby="tiles-heading"') : html.index("stories-heading")]


def test_the_sections_are_built_once_then_read_until_a_new_snapshot(client, acme, hand, built):
    _login(client, acme, is_executive=True)
    first = _page(client, f"/o/acme/reports/{PERIOD}")
    again = _page(client, f"/o/acme/reports/{PERIOD}")
    assert len(built) == 1
    assert _sections(again) == _sections(first)
    assert "44%" in _sections(first)  # the sessions held against planned
    with tenant_context(organization=acme):
        services.snapshot_write(organization=acme, day=date(2026, 6, 30))  # counted again
    _page(client, f"/o/acme/reports/{PERIOD}")
    assert len(built) == 2


def test_a_renamed_cohort_shows_at_once(client, acme, hand, built):
    _login(client, acme, is_executive=True)
    assert "Pilot" in _page(client, f"/o/acme/reports/{PERIOD}")
    with tenant_context(organization=acme):
        cohort = Cohort.objects.get(pk=hand["cohort"].pk)
        cohort.name = "First wave"
        cohort.save()
    html = _page(client, f"/o/acme/reports/{PERIOD}")
    assert "First wave" in html
    assert len(built) == 2


def test_an_organisation_is_never_served_another_ones_sections(client, acme, hand, built):
    globex = OrganizationFactory(slug="globex", name="Globex", time_zone="UTC")
    with tenant_context(organization=acme):
        theirs = list(Snapshot.objects.filter(day=date(2026, 6, 30), scope="organization"))
    with tenant_context(organization=globex):
        for snapshot in theirs:
            # The same day, scope and time of writing: only the organisation differs.
            detail = json.loads(json.dumps(snapshot.published_detail).replace("Sales", "Bazaar"))
            Snapshot.objects.create(
                organization=globex, scope=snapshot.scope, day=snapshot.day,
                figures={}, headline=snapshot.headline, published=snapshot.published,
                published_detail=detail, computed_at=snapshot.computed_at,
            )  # fmt: skip
    _login(client, acme, is_executive=True)
    acme_html = _page(client, f"/o/acme/reports/{PERIOD}")
    _login(client, globex, is_executive=True)
    globex_html = _page(client, f"/o/globex/reports/{PERIOD}")

    assert "Sales" in acme_html and "Bazaar" not in acme_html
    assert "Bazaar" in globex_html and "Sales" not in globex_html
    assert [slug for slug, _program in built] == ["acme", "globex"]


def test_viewers_who_may_read_different_programs_never_share_an_entry(client, acme, hand, built):
    program = hand["program"]
    with tenant_context(organization=acme):
        other = Program.objects.create(
            organization=acme, name="Other", start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 1),
        )  # fmt: skip
    url = f"/o/acme/reports/programs/{program.pk}/{PERIOD}"

    def manager_of(*programs):
        member = _login(client, acme, is_program_manager=True)
        with tenant_context(organization=acme):
            for one in programs:
                ProgramManager.objects.create(organization=acme, program=one, membership=member)

    _login(client, acme, is_executive=True)
    _page(client, url)
    _login(client, acme, is_executive=True)  # another executive: the same reach
    _page(client, url)
    assert len(built) == 1
    manager_of(program)
    _page(client, url)  # the same program's page, but not the executive's entry
    assert len(built) == 2
    manager_of(program, other)
    _page(client, url)
    assert len(built) == 3
    manager_of(program)  # another manager of that program alone: the same reach
    _page(client, url)
    assert len(built) == 3
