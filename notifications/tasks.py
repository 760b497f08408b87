"""The tasks beat runs (CELERY_BEAT_SCHEDULE): the reminders tick and the weekly digest.
Idempotent (unique keys, rows locked and re-checked), so a run repeated after a worker
died mid-batch (tasks are acknowledged late) sends nothing twice."""

from celery import shared_task
from django.utils import timezone

from notifications import delivery
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
