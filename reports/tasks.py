"""Celery tasks of the reports (CELERY_BEAT_SCHEDULE). Thin: they call reports.services.
Idempotent: a snapshot is an upsert per (organisation, scope, day); a digest is a
notification with a unique key per program manager and week."""

from celery import shared_task
from django.utils import timezone

from organizations.models import Organization
from organizations.tasks import each_organization
from organizations.tenancy import tenant_context
from reports import selectors, services


@shared_task
def nightly_snapshots_task() -> int:
    """Nightly: every organisation's snapshots of its last complete day, and of any day
    since its last snapshot that a missed night left out."""

    def work(organization) -> int:
        with tenant_context(organization=organization):
            return services.snapshots_catch_up(organization=organization)

    return sum(each_organization(work, what="Nightly snapshots"))


@shared_task
def snapshot_today_task(*, organization_id: int) -> int:
    """On demand, from the dashboard: today's figures so far."""
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization=organization):
        return services.snapshot_write(organization=organization, day=selectors.today(organization))


@shared_task
def manager_digest_task() -> int:
    """Hourly: the weekly digest of each program manager whose Monday morning it is."""
    now = timezone.now()
    return sum(
        each_organization(
            lambda organization: services.manager_digests_send(organization=organization, now=now),
            what="Program managers' digests",
        )
    )


@shared_task
def forget_inclusion_task(*, organization_id: int) -> int:
    """After a withdrawal of consent: the snapshots forget the inclusion counts."""
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization=organization):
        return services.snapshots_forget_inclusion(organization=organization)
