"""The tasks beat runs (CELERY_BEAT_SCHEDULE): the reminders tick, the weekly digest and
the outbox sweep; and the outbox's fast path. Idempotent (unique keys, rows locked and
re-checked), so a run repeated after a worker died mid-batch (tasks are acknowledged
late) sends nothing twice."""

from celery import shared_task
from django.utils import timezone

from notifications import delivery, outbox
from organizations.models import Organization
from organizations.tasks import each_organization


@shared_task
def reminders_tick() -> None:
    """Every 15 minutes: the rules, new notifications, and the emails that are due."""
    now = timezone.now()
    each_organization(
        lambda organization: delivery.run_reminders(organization=organization, now=now),
        what="Reminders",
    )


@shared_task
def weekly_digest_task() -> None:
    """Hourly: the weekly digest of whoever's Monday morning it is now."""
    now = timezone.now()
    each_organization(
        lambda organization: delivery.weekly_digest(organization, now), what="Weekly digests"
    )


@shared_task
def outbox_sweep_task() -> None:
    """Every minute: the outbox messages that are due and unsent (after the broker or
    the worker was away, or a failed delivery's next attempt)."""
    now = timezone.now()
    each_organization(
        lambda organization: outbox.outbox_deliver_due(organization=organization, now=now),
        what="Outbox sweep",
    )


# No result: nobody waits for one, and asking for it makes publishing subscribe to the
# result backend, which retries for some twenty seconds when Redis is away.
@shared_task(ignore_result=True)
def outbox_deliver_task(*, organization_id: int, key: str) -> None:
    """One message, at once, just after the transaction that wrote it committed (the
    fast path); the sweep makes good whatever this does not do."""
    # Organization is the tenant itself (not tenant-owned): it loads unscoped.
    organization = Organization.objects.get(pk=organization_id)
    outbox.outbox_deliver_one(organization=organization, key=key)
