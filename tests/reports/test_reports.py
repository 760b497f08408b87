"""Snapshots (idempotent, backfilled, summed up), the dashboard and its export (aggregates
only, small groups hidden, a fixed number of queries), and the managers' weekly digest."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateformat import format as date_format

from organizations.models import Organization
from organizations.suppression import hide_small
from organizations.tenancy import tenant_context
from programs.models import Cohort, Program, ProgramManager
from reports import kpis, selectors, services
from reports.models import Snapshot
from reports.publication import publish_day
from reports.tasks import nightly_snapshots_task
from sessions.models import MentoringSession, Reflection
from surveys.models import Assignment, Schedule
from tests.organizations.factories import MembershipFactory
from tests.reports.helpers import DAY, at

pytestmark = pytest.mark.django_db
PERIOD = "?start=2026-06-01&end=2026-06-30"


def _rows(acme):
    with tenant_context(organization=acme):
        return {
            (row.scope, row.day): row.figures for row in Snapshot.objects.filter(organization=acme)
        }


def test_a_day_written_twice_is_one_row_per_scope_with_the_same_figures(acme, hand):
    with tenant_context(organization=acme):
        # organisation, program, cohort
        assert services.snapshot_write(organization=acme, day=DAY) == 3
        first = _rows(acme)
        services.snapshot_write(organization=acme, day=DAY)
    assert _rows(acme) == first
    program, cohort = hand["program"].pk, hand["cohort"].pk
    whole = first["organization", DAY]
    assert whole["workforce"] == 27
    assert whole["sessions_held"] == first[f"cohort:{cohort}", DAY]["sessions_held"] == 8
    # Concerns name no cohort: they count for the program and the organisation.
    assert first[f"program:{program}", DAY]["concerns_raised"] == 2
    assert "concerns_raised" not in first[f"cohort:{cohort}", DAY]


def test_the_backfill_command_rebuilds_a_range_the_same_way(acme, hand):
    call_command("snapshots_backfill", "acme", "2026-06-01", "2026-06-30", "--every", "7")
    rows = _rows(acme)
    days = sorted({day for _scope, day in rows})
    assert days == [date(2026, 6, d) for d in (1, 8, 15, 22, 29, 30)]
    with tenant_context(organization=acme):
        again = kpis.figures_on(acme, date(2026, 6, 8))
    assert rows["organization", date(2026, 6, 8)] == again["organization"][2]
    # June 1st: pair b (ended in May) no longer active, a and c are.
    assert rows["organization", date(2026, 6, 1)]["pairs_active"] == 2

    with pytest.raises(CommandError, match="No organisation"):
        call_command("snapshots_backfill", "nope", "2026-06-01", "2026-06-30")
    with pytest.raises(CommandError, match="before the first"):
        call_command("snapshots_backfill", "acme", "2026-06-30", "2026-06-01")


def _created_on(organization, day: date) -> None:
    Organization.objects.filter(pk=organization.pk).update(
        created_at=datetime.combine(day, time(9), tzinfo=organization.zone)
    )


def test_the_backfill_command_refuses_days_not_ended_or_before_the_organisation(acme):
    _created_on(acme, date(2026, 3, 10))
    with tenant_context(organization=acme):
        before = set(Snapshot.objects.values_list("scope", "day"))
    today = timezone.localdate(timezone=acme.zone)
    yesterday = today - timedelta(days=1)

    with pytest.raises(CommandError, match=f"the latest day to rebuild is yesterday, {yesterday}"):
        call_command("snapshots_backfill", "acme", "2026-03-10", today.isoformat())
    with pytest.raises(CommandError, match="before acme was created on 2026-03-10"):
        call_command("snapshots_backfill", "acme", "2026-03-09", "2026-03-20")
    with pytest.raises(CommandError, match="'2026-3-1' is not a day as YYYY-MM-DD"):
        call_command("snapshots_backfill", "acme", "2026-3-1", "2026-03-20")
    with tenant_context(organization=acme):
        assert set(Snapshot.objects.values_list("scope", "day")) == before

    call_command("snapshots_backfill", "acme", "2026-03-10", yesterday.isoformat(), "--every", "30")
    with tenant_context(organization=acme):
        assert Snapshot.objects.filter(scope="organization", day=yesterday).exists()


def test_the_nightly_task_writes_the_last_complete_day_and_fills_missed_nights(acme, globex, hand):
    with tenant_context(organization=acme):
        Snapshot.objects.filter(organization=acme).delete()
    # A first night: each organisation's last complete day.
    assert nightly_snapshots_task() == 3 + 1  # Globex has no program: its own row only
    for organization in (acme, globex):
        with tenant_context(organization=organization):
            yesterday = selectors.last_complete_day(organization)
            assert Snapshot.objects.filter(scope="organization", day=yesterday).exists()
    # Two nights missed since a snapshot of four days ago: they are filled in too.
    with tenant_context(organization=acme):
        yesterday = selectors.last_complete_day(acme)
        Snapshot.objects.filter(organization=acme).delete()
        services.snapshot_write(organization=acme, day=yesterday - timedelta(days=3))
    assert nightly_snapshots_task() == 3 * 3 + 1
    with tenant_context(organization=acme):
        days = Snapshot.objects.filter(scope="organization").values_list("day", flat=True)
        assert sorted(days) == [yesterday - timedelta(days=n) for n in (3, 2, 1, 0)]


def test_small_groups_are_hidden_with_the_next_smallest_when_alone():
    assert hide_small({"a": 3, "b": 10, "c": 12}, 5) == {"a": True, "b": True, "c": False}
    assert hide_small({"a": 3, "b": 2, "c": 9}, 5) == {"a": True, "b": True, "c": False}
    assert hide_small({"a": 6, "b": 7}, 5) == {"a": False, "b": False}
    assert hide_small({"a": 0, "b": 7}, 5) == {"a": False, "b": False}  # nobody: nothing
    # An empty group cannot cover a lone hidden one: the next smallest with people does.
    assert hide_small({"man": 10, "woman": 3, "non_binary": 0}, 5) == {
        "man": True, "woman": True, "non_binary": False,
    }  # fmt: skip
    # Hidden groups together must reach the threshold too, else total - shown = 2.
    assert hide_small({"a": 1, "b": 1, "c": 20, "d": 30}, 5) == {
        "a": True, "b": True, "c": True, "d": False,
    }  # fmt: skip


@pytest.fixture
def reported(hand):
    """The organisation with its June snapshots (written once for the module)."""
    return hand


def _as(client, acme, **roles):
    member = MembershipFactory(organization=acme, **{"is_participant": False, **roles})
    client.force_login(member.user)
    return member


def _tile(html: str, key: str) -> str:
    start = html.index(f'data-kpi="{key}"')
    return html[start : html.index("</article>", start)]


def test_an_executive_sees_figures_and_never_a_small_group(client, acme, reported):
    _as(client, acme, is_executive=True)
    html = client.get(f"/o/acme/reports/{PERIOD}").content.decode()
    assert "Figures as of 30 June 2026" in html
    assert "44%" in _tile(html, "sessions")  # 8 of 18, from three pairs' six people
    assert "33%" in _tile(html, "training")  # 2 of 6
    # Four end-of-program answers, four participants with comparison colleagues, two
    # active pairs judged on cadence: under five people each, hidden.
    for key in ("satisfaction", "nps", "retention", "promotion", "cadence"):
        assert "fewer than 5" in _tile(html, key), key
        assert "%" not in _tile(html, key).split("</h3>")[1].split('<p class="kpi-definition')[0]
    # No person's name anywhere: participants are m1..e3, comparison c1..c9.
    for name in ("m1", "e1", "c1", "p5"):
        assert f">{name}<" not in html
    # Breakdowns: Sales has 4 participants (hidden), Engineering 2: all hidden.
    assert html.count("data-suppressed") >= 2


def test_the_dashboard_says_its_figures_are_the_nightly_count_of_a_day(client, acme, reported):
    """Every figure on the dashboard is a snapshot's: the page says which night's, and the
    concerns (once read as "0 concerns" beside a concern raised that day) say their day."""
    _as(client, acme, is_executive=True)

    html = client.get(f"/o/acme/reports/{PERIOD}").content.decode()

    lead = html.split("data-as-of>", 1)[1].split("</p>", 1)[0]
    assert "Figures as of 30 June 2026: the nightly count, to the end of that day." in lead
    concerns = html.split("data-concerns>", 1)[1].split("</p>", 1)[0]
    assert concerns.startswith("As of 30 Jun 2026:")
    cohorts = html.split('id="cohorts-heading"', 1)[1].split("</table>", 1)[0]
    assert "As of 30 Jun 2026, like the figures above" in cohorts


def test_cohorts_compared_leads_with_the_headline_outcomes(client, acme, reported):
    """Retention and promotion come first among the measures, so a wide screen shows
    them without scrolling the comparison sideways."""
    _as(client, acme, is_executive=True)
    html = client.get(f"/o/acme/reports/{PERIOD}").content.decode()
    table = html[html.index('data-table="cohorts"') :]
    head = table[: table.index("</thead>")]
    columns = [cell.split("</th>")[0] for cell in head.split('<th scope="col">')[1:]]
    measures = columns[columns.index("Active pairs") + 1 :]
    assert measures[:2] == ["12-month retention", "Mentors promoted"], columns


def _manager_of(client, acme, program):
    """A program manager of ``program`` (they reach only the programs they manage)."""
    member = _as(client, acme, is_program_manager=True)
    with tenant_context(organization=acme):
        ProgramManager.objects.create(organization=acme, program=program, membership=member)
    return member


def test_the_program_dashboard_and_the_organisation_agree(client, acme, reported):
    program = reported["program"]
    _manager_of(client, acme, program)
    html = client.get(f"/o/acme/reports/programs/{program.pk}/{PERIOD}").content.decode()
    assert program.name in html
    assert "44%" in _tile(html, "sessions")
    assert "fewer than 5" in _tile(html, "cadence")  # its target is not shown either
    assert "target" not in _tile(html, "cadence")


def test_participants_cannot_open_the_dashboard(client, acme, reported):
    _as(client, acme, is_participant=True)
    assert client.get("/o/acme/reports/").status_code == 403
    assert client.get("/o/acme/reports/export.csv").status_code == 403


def test_without_snapshots_the_dashboard_says_so_and_a_manager_can_count_now(
    client, acme, hand, django_capture_on_commit_callbacks
):
    _manager_of(client, acme, hand["program"])
    Snapshot.objects.filter(organization=acme).delete()
    # A program manager's dashboard is their program's.
    html = client.get("/o/acme/reports/", follow=True).content.decode()
    assert "No figures yet" in html
    assert "No snapshot of the figures has been taken yet." in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/o/acme/reports/refresh/", {"next": "/o/acme/reports/"})
    assert response.status_code == 302
    with tenant_context(organization=acme):
        assert Snapshot.objects.filter(day=selectors.today(acme)).count() == 3
    html = client.get("/o/acme/reports/", follow=True).content.decode()
    today = date_format(selectors.today(acme), "j F Y")
    assert re.search(rf"Figures as of {today}, \d\d:\d\d: counted on request", html)


def test_executives_cannot_trigger_a_count(client, acme, hand):
    _as(client, acme, is_executive=True)
    assert client.post("/o/acme/reports/refresh/").status_code == 403


def test_a_bad_period_is_named_and_the_default_shown(client, acme, reported):
    _as(client, acme, is_executive=True)
    html = client.get("/o/acme/reports/?start=2026-06-30&end=2026-06-01").content.decode()
    assert "The start must come before the end." in html
    html = client.get("/o/acme/reports/?end=2099-01-01").content.decode()
    assert "The end cannot be after today." in html


def test_the_csv_has_a_row_a_day_and_leaves_hidden_figures_blank(client, acme, reported):
    _as(client, acme, is_executive=True)
    response = client.get(f"/o/acme/reports/export.csv{PERIOD}")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    header = lines[0].split(",")
    assert header[:2] == ["day", "scope"]
    assert [line.split(",")[0] for line in lines[1:]] == [
        "2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22", "2026-06-29", "2026-06-30",
    ]  # fmt: skip
    last = dict(zip(header, lines[-1].split(","), strict=True))
    assert last["sessions"] == "44"  # whole numbers only
    assert last["satisfaction"] == last["retention"] == ""  # hidden: fewer than five


def _dashboard_queries(client) -> tuple[int, int]:
    """The queries of the first request after the snapshots changed (its sections built
    and cached, reports.cache), then of the next one (served from the cache)."""
    cache.clear()
    with CaptureQueriesContext(connection) as built:
        client.get(f"/o/acme/reports/{PERIOD}")
    with CaptureQueriesContext(connection) as cached:
        client.get(f"/o/acme/reports/{PERIOD}")
    return len(built), len(cached)


def test_the_dashboard_reads_a_fixed_number_of_queries(client, acme, reported):
    _as(client, acme, is_executive=True)
    client.get(f"/o/acme/reports/{PERIOD}")  # warm the session and the site caches
    small = _dashboard_queries(client)
    with tenant_context(organization=acme):
        program = reported["program"]
        for n in range(3):
            Cohort.objects.create(
                organization=acme, program=program, name=f"Wave {n}",
                start_date=date(2026, 3, 1), end_date=date(2026, 9, 1),
            )  # fmt: skip
        Program.objects.create(
            organization=acme, name="Second", start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 1),
        )  # fmt: skip
    call_command("snapshots_backfill", "acme", "2026-05-01", "2026-06-30", "--every", "1")
    large = _dashboard_queries(client)
    assert large == small
    built, cached = small
    assert cached < built  # the sections' reads are skipped while the snapshots stand


def _monday_morning():
    return datetime(2026, 6, 29, 9, 0, tzinfo=at("2026-06-29").tzinfo)


def test_the_managers_digest_names_what_needs_attention_once_a_week(acme, reported):
    program, cohort = reported["program"], reported["cohort"]
    manager = MembershipFactory(organization=acme, is_program_manager=True, is_participant=False)
    now = _monday_morning()
    with tenant_context(organization=acme):
        program.status = Program.Status.ACTIVE
        program.save()
        ProgramManager.objects.create(organization=acme, program=program, membership=manager)
        # A low rating on pair a's June session.
        session = MentoringSession.objects.get(pair__mentor__employee__name="m1",
                                               starts_at=at("2026-06-01"))  # fmt: skip
        Reflection.objects.create(
            organization=acme, session=session, participant=session.pair.mentor, rating=1
        )
        schedule = Schedule.objects.get(survey__kind="end")
        Assignment.objects.create(
            organization=acme, schedule=schedule, participant=session.pair.mentee,
            occasion="end", opens_at=now - timedelta(days=3), closes_at=now + timedelta(days=2),
        )  # fmt: skip
        # The cadence fell: 9 of 10 pairs on track four weeks ago, 6 of 10 now, each day
        # published afresh here (in the nightly chain three pairs, fewer than five, would
        # wait: tests/reports/test_differencing.py plays that).
        for day, kept in [(date(2026, 6, 1), 9), (date(2026, 6, 29), 6)]:
            figures = {"cadence_judged": 10, "cadence_kept": kept}
            published = publish_day(figures, {}, threshold=5, day=day, breakdowns=False)
            Snapshot.objects.filter(scope=f"cohort:{cohort.pk}", day=day).update(
                figures=figures, published=published.measures
            )
    mail.outbox.clear()

    assert services.manager_digests_send(organization=acme, now=now) == 1
    later = now + timedelta(hours=1)
    assert services.manager_digests_send(organization=acme, now=later) == 0  # once a week
    tuesday = now + timedelta(days=1)
    assert services.manager_digests_send(organization=acme, now=tuesday) == 0  # not Monday
    (message,) = mail.outbox
    assert message.to == [manager.user.email]
    assert message.subject == "Reverse: your week"
    body = message.body
    assert "m3 and e3: gone quiet, nothing held since 2026-02-01" in body
    assert "m1 and e1: low ratings, 1.0 of 5 over 1" in body
    # Nobody of one answered: hidden, as any count under five would be.
    assert "End (Pilot): 1 asked, fewer than 5 answered, closes this week" in body
    assert "cadence kept fell from 90% to 60% in four weeks, in the cohort's month 6" in body
    assert "2 concerns from mentors wait for a follow-up." in body
    html = message.alternatives[0][0]
    assert "Open the program&#x27;s dashboard" in html or "Open the program's dashboard" in html


def test_withdrawn_consent_leaves_no_stored_day_to_compare_with(
    acme, hand, django_capture_on_commit_callbacks
):
    from directory.demographics import demographics_withdraw

    with tenant_context(organization=acme):
        services.snapshot_write(organization=acme, day=DAY)
    assert _rows(acme)["organization", DAY]["inclusion"] == {"gender": {"woman": 1, "man": 1}}
    with django_capture_on_commit_callbacks(execute=True), tenant_context(organization=acme):
        demographics_withdraw(organization=acme, employee=hand["employees"]["e1"])

    rows = _rows(acme)
    assert "inclusion" not in rows["organization", DAY]
    assert "workforce_inclusion" not in rows["organization", DAY]
    with tenant_context(organization=acme):
        today = selectors.today(acme)
    assert rows["organization", today]["inclusion"] == {"gender": {"woman": 1}}
