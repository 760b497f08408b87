"""The nightly snapshots: every KPI's raw figures per organisation, program, cohort and day,
written by an idempotent upsert (writing a day again replaces it with the same numbers),
and with them what may be shown of that day (reports.publication).

Publishing continues from the latest publication of each measure and group, held in the
ledger (organizations.disclosure), whichever day is written: the nightly job, a catch-up
and a backfill go day by day in order, and a day written again (today's figures counted
on demand, then the night's) is compared with what was shown last. So every figure ever
shown for a group differs from the one before by a change of at least the threshold.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from organizations.disclosure import (
    published_read,
    published_withdraw,
    published_write,
    publishing_lock,
)
from organizations.models import Organization
from programs.models import Cohort
from reports import kpis
from reports.measures import TREND_FIGURES
from reports.models import Snapshot
from reports.privacy import threshold
from reports.publication import publish_day

ORGANIZATION_SCOPE = "organization"
CATCH_UP_DAYS = 31


def program_scope(program_id: int) -> str:
    return f"program:{program_id}"


def cohort_scope(cohort_id: int) -> str:
    return f"cohort:{cohort_id}"


def figures_on(organization: Organization, day: date) -> dict[str, tuple]:
    """Every scope's figures as of the end of ``day``: {scope: (program id, cohort id,
    figures)}. A program's figures are the sum of its cohorts' plus its own; the
    organisation's, the sum of its programs' plus the workforce."""
    asof = kpis.AsOf(organization, day)
    cohorts = dict(Cohort.objects.filter(organization=organization).values_list("pk", "program_id"))
    per_cohort = defaultdict(dict)
    for kpi in kpis.COHORT_KPIS:
        for cohort, found in kpi(asof).items():
            kpis.add(per_cohort[cohort], found)
    per_program = defaultdict(dict)
    for cohort, program in cohorts.items():
        kpis.add(per_program[program], per_cohort[cohort])
    for kpi in kpis.PROGRAM_KPIS:
        for program, found in kpi(asof).items():
            kpis.add(per_program[program], found)
    whole = kpis.workforce(organization, day)
    for found in per_program.values():
        kpis.add(whole, found)
    # Who takes part is counted per scope, not summed: one person in two cohorts is
    # still one person.
    taking = kpis.taking_part(asof)
    in_cohort, in_program = defaultdict(list), defaultdict(list)
    for one in taking:
        in_cohort[one.cohort].append(one)
        in_program[one.program].append(one)
    for cohort in cohorts:
        per_cohort[cohort].update(kpis.participation(in_cohort[cohort]))
    for program in set(cohorts.values()):
        per_program[program].update(kpis.participation(in_program[program]))
    whole.update(kpis.participation(taking))
    scopes = {ORGANIZATION_SCOPE: (None, None, whole)}
    for program in set(cohorts.values()):
        scopes[program_scope(program)] = (program, None, per_program[program])
    for cohort, program in cohorts.items():
        scopes[cohort_scope(cohort)] = (program, cohort, per_cohort[cohort])
    return scopes


def headline(figures: dict) -> dict:
    """The figures a trend or a comparison table reads, from a whole snapshot."""
    return {name: figures[name] for name in TREND_FIGURES if name in figures}


@transaction.atomic
def snapshot_write(organization: Organization, day: date) -> int:
    """Upsert ``day``'s snapshots for every scope, with what they publish; returns how
    many rows it wrote."""
    scopes = figures_on(organization, day)
    # One writer at a time per organisation: two would publish from the same reference.
    publishing_lock(f"reports:{organization.pk}")
    least = threshold(organization)
    reference = published_read(organization, scopes)
    now = timezone.now()
    rows, fresh = [], {}
    for scope, (program, cohort, figures) in scopes.items():
        published = publish_day(
            figures,
            reference.get(scope, {}),
            threshold=least,
            day=day,
            breakdowns=cohort is None,
        )
        fresh |= {(scope, key): one for key, one in published.fresh.items()}
        rows.append(
            Snapshot(
                organization=organization,
                scope=scope,
                program_id=program,
                cohort_id=cohort,
                day=day,
                figures=figures,
                headline=headline(figures),
                published=published.measures,
                published_detail=published.detail,
                computed_at=now,
            )
        )
    Snapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["organization", "scope", "day"],
        update_fields=[
            "program",
            "cohort",
            "figures",
            "headline",
            "published",
            "published_detail",
            "computed_at",
        ],
    )
    published_write(organization, fresh)
    return len(rows)


def snapshots_backfill(
    organization: Organization, start: date, end: date, *, every_days: int = 1
) -> int:
    """Rebuild the snapshots of ``start`` to ``end`` (every ``every_days``, and ``end``)."""
    days, day = [], start
    while day < end:
        days.append(day)
        day += timedelta(days=every_days)
    days.append(end)
    return sum(snapshot_write(organization, one) for one in days)


INCLUSION_KEYS = ("inclusion", "workforce_inclusion")


@transaction.atomic
def snapshots_forget_inclusion(organization: Organization) -> int:
    """Drop the self-identification counts from every stored snapshot of the
    organisation, and what they published, then count today's again (the dashboard shows
    the latest day's). The inclusion figures stay hidden until they have changed by the
    threshold since the last ones shown (organizations.disclosure.published_withdraw)."""
    publishing_lock(f"reports:{organization.pk}")
    forgotten, batch = 0, []
    stored = Snapshot.objects.filter(organization=organization).only("figures", "published_detail")
    for snapshot in stored.iterator(chunk_size=200):
        if any(key in snapshot.figures for key in INCLUSION_KEYS) or (
            "inclusion" in snapshot.published_detail
        ):
            for key in INCLUSION_KEYS:
                snapshot.figures.pop(key, None)
            snapshot.published_detail.pop("inclusion", None)
            batch.append(snapshot)
        if len(batch) == 200:
            forgotten += Snapshot.objects.bulk_update(batch, ["figures", "published_detail"])
            batch = []
    forgotten += Snapshot.objects.bulk_update(batch, ["figures", "published_detail"])
    for key in INCLUSION_KEYS:
        published_withdraw(organization, key_prefix=f"{key}|")
    snapshot_write(organization, today(organization))
    return forgotten


def snapshots_catch_up(organization: Organization) -> int:
    """The last complete day, and every day since the latest snapshot before it (up to
    ``CATCH_UP_DAYS``), so that a night the job missed leaves no gap in the trends."""
    day = last_complete_day(organization)
    latest = (
        Snapshot.objects.filter(organization=organization, scope=ORGANIZATION_SCOPE, day__lt=day)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    start = day
    if latest is not None:
        start = max(latest + timedelta(days=1), day - timedelta(days=CATCH_UP_DAYS))
    return snapshots_backfill(organization, start, day)


def today(organization: Organization) -> date:
    return timezone.localdate(timezone=organization.zone)


def last_complete_day(organization: Organization) -> date:
    """Yesterday in the organisation's time zone: the day the nightly job reports."""
    return today(organization) - timedelta(days=1)
