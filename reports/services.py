"""Writes of the reports: the nightly snapshots (every KPI's raw figures per organisation,
program, cohort and day, with what may be shown of that day) and the program managers'
weekly digest.

A snapshot is written by an idempotent upsert (writing a day again replaces it with the
same numbers), and with it what may be shown of that day (reports.publication).
Publishing continues from the latest publication of each measure and group, held in the
ledger (organizations.disclosure), whichever day is written: the nightly job, a catch-up
and a backfill go day by day in order, and a day written again (today's figures counted
on demand, then the night's) is compared with what was shown last. So every figure ever
shown for a group differs from the one before by a change of at least the threshold.

The digest is sent on Monday morning in each manager's own time zone, once per manager,
program and ISO week: it is recorded as a notification with a unique key, as the
participants' digest is, so a repeated run sends nothing twice.
"""

import uuid
from datetime import date, datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directory.zones import zones_for_members
from notifications.delivery import DIGEST_WEEKDAY, is_night
from notifications.kinds import DIGEST
from notifications.models import Notification
from notifications.outbox import outbox_add
from organizations.disclosure import (
    published_read,
    published_withdraw,
    published_write,
    publishing_lock,
)
from organizations.emails import absolute_url, send_branded_email
from organizations.languages import language_for
from organizations.models import Membership, Organization
from organizations.suppression import report_min_group
from organizations.tenancy import tenant_context
from programs.models import Program
from programs.selectors import program_manager_links
from reports.formulas import RETENTION_FIGURES
from reports.kpis import figures_on
from reports.measures import headline
from reports.models import ORGANIZATION_SCOPE, FrozenRetention, Snapshot, cohort_scope
from reports.publication import publish_day
from reports.selectors import (
    frozen_retention_get,
    last_complete_day,
    manager_digest_get,
    today,
)
from sessions.reminders import quiet_pairs

CATCH_UP_DAYS = 31
INCLUSION_KEYS = ("inclusion", "workforce_inclusion")
RUNNING = [Program.Status.MATCHING, Program.Status.ACTIVE, Program.Status.CLOSING]


# --- Snapshots ------------------------------------------------------------------------------


@transaction.atomic
def snapshot_write(*, organization: Organization, day: date) -> int:
    """Upsert ``day``'s snapshots for every scope, with what they publish; returns how
    many rows it wrote. Cohorts whose retention window has closed take its kept figures,
    or keep them once counted (``_retention_freeze``)."""
    frozen, inputs = frozen_retention_get(organization=organization, day=day)
    scopes = figures_on(organization, day, frozen=frozen)
    # One writer at a time per organisation: two would publish from the same reference.
    publishing_lock(f"reports:{organization.pk}")
    least = report_min_group(organization)
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
    _retention_freeze(organization, day, scopes, inputs, frozen)
    return len(rows)


def _retention_freeze(organization, day: date, scopes: dict, inputs: dict, frozen: dict) -> None:
    """Keep the retention figures of the closed windows just counted, with what they were
    counted from: a closed window counts alike on every later day while that stands
    (reports.models.FrozenRetention)."""
    now = timezone.now()
    rows = [
        FrozenRetention(
            organization=organization,
            cohort_id=cohort,
            figures={
                k: v for k, v in scopes[cohort_scope(cohort)][2].items() if k in RETENTION_FIGURES
            },
            inputs=inputs[cohort],
            counted_on=day,
            computed_at=now,
        )
        for cohort in inputs
        if cohort not in frozen
    ]
    FrozenRetention.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["organization", "cohort"],
        update_fields=["figures", "inputs", "counted_on", "computed_at"],
    )


@transaction.atomic
def retention_refreeze(*, organization: Organization) -> int:
    """Count every closed retention window again and keep the new figures, whatever
    their inputs say: after a change ``retention_inputs`` does not see
    (reports.models.FrozenRetention).
    Writes the last complete day's snapshots, as the nightly job would; returns how many
    windows it counted."""
    publishing_lock(f"reports:{organization.pk}")
    FrozenRetention.objects.filter(organization=organization).delete()
    snapshot_write(organization=organization, day=last_complete_day(organization))
    return FrozenRetention.objects.filter(organization=organization).count()


def snapshots_backfill(
    *, organization: Organization, start: date, end: date, every_days: int = 1
) -> int:
    """Rebuild the snapshots of ``start`` to ``end`` (every ``every_days``, and ``end``)."""
    days, day = [], start
    while day < end:
        days.append(day)
        day += timedelta(days=every_days)
    days.append(end)
    return sum(snapshot_write(organization=organization, day=one) for one in days)


SNAPSHOT_TODAY_KIND = "reports.snapshot_today"
FORGET_INCLUSION_KIND = "reports.forget_inclusion"


def snapshot_today_request(*, organization: Organization) -> None:
    """Count today's figures as soon as a worker can (they can take a while). Through the
    outbox, so that a broker away delays the count and fails no page."""
    outbox_add(
        organization=organization,
        kind=SNAPSHOT_TODAY_KIND,
        key=f"snapshot-today:{uuid.uuid4().hex}",
        args={},
    )


def snapshot_today_write(*, organization: Organization) -> int:
    return snapshot_write(organization=organization, day=today(organization))


def snapshots_forget_inclusion_request(*, organization: Organization) -> None:
    """After a change to someone's self-identification, in its transaction: the
    snapshots must forget (a privacy promise, so it waits in the outbox if need be)."""
    outbox_add(
        organization=organization,
        kind=FORGET_INCLUSION_KIND,
        key=f"forget-inclusion:{uuid.uuid4().hex}",
        args={},
    )


@transaction.atomic
def snapshots_forget_inclusion(*, organization: Organization) -> int:
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
    snapshot_write(organization=organization, day=today(organization))
    return forgotten


def snapshots_catch_up(*, organization: Organization) -> int:
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
    return snapshots_backfill(organization=organization, start=start, end=day)


# --- The managers' digest -------------------------------------------------------------------


def manager_digests_send(*, organization: Organization, now: datetime) -> int:
    """Each running program's managers whose Monday morning it is get its digest, once a
    week. Returns how many went out."""
    with tenant_context(organization=organization):
        links = list(
            program_manager_links()
            .filter(organization=organization, program__status__in=RUNNING)
            .values_list("program_id", "membership_id")
        )
        if not links:
            return 0
        zones = zones_for_members(
            organization=organization,
            memberships=Membership.objects.filter(pk__in={m for _p, m in links}).select_related(
                "user"
            ),
        )
        quiet = None
        sent = 0
        for program_id, member_id in links:
            zone = zones[member_id]
            local = now.astimezone(zone)
            if local.weekday() != DIGEST_WEEKDAY or is_night(now, zone):
                continue
            year, week, _day = local.isocalendar()
            key = f"manager_digest:program:{program_id}:week:{year}-W{week:02d}"
            if quiet is None:
                quiet = quiet_pairs(organization, now)
            sent += _send(organization, program_id, member_id, key, now, quiet)
    return sent


def _send(organization, program_id, member_id, key, now, quiet) -> bool:
    with tenant_context(organization=organization):
        member = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=member_id)
        )
        if Notification.objects.filter(recipient=member, key=key).exists():
            return False
        program = Program.objects.select_related("organization").get(pk=program_id)
        # The digest's words (its heading, kept as the notification's title too) in the
        # manager's own language, as the email around them is.
        with translation.override(language_for(user=member.user, organization=organization)):
            return _send_digest(organization, program, member, key, now, quiet)


def _send_digest(organization, program, member, key, now, quiet) -> bool:
    digest = manager_digest_get(program=program, now=now, quiet=quiet)
    heading = _("%(program)s: your week") % {"program": program.name}
    Notification.objects.create(
        organization=organization,
        recipient=member,
        kind=DIGEST,
        key=key,
        title=heading,
        body="\n".join(digest.at_risk + digest.closing + digest.observations),
        status=Notification.Status.SENT,
        send_after=now,
        sent_at=now,
    )
    url = reverse(
        "reports:program", kwargs={"org_slug": organization.slug, "program_id": program.pk}
    )
    send_branded_email(
        organization=organization,
        template="reports/email/manager_digest",
        context={
            "digest": digest,
            "heading": heading,
            "greeting_name": member.user.name or member.user.email,
            "url": absolute_url(url),
        },
        to=[member.user.email],
        key=f"notification:{organization.pk}:{member.pk}:{key}",
    )
    return True
