"""Celery tasks of the surveys: the beat (CELERY_BEAT_SCHEDULE) makes the assignments the
schedules call for and releases held anonymous answers in shuffled batches. Thin: it
calls ``surveys.services``. Idempotent: the unique constraint on (schedule, participant,
occasion) keeps a repeated run from asking anyone twice."""

import logging

from celery import shared_task
from django.utils import timezone

from organizations.models import Organization
from organizations.tenancy import tenant_context
from sessions import notify
from surveys import notices, services

logger = logging.getLogger(__name__)


@shared_task
def surveys_tick() -> int:
    """Hourly: new assignments for every organisation's schedules. One organisation's
    failure does not hold up the others; the task still fails afterwards, so it shows."""
    now = timezone.now()
    created, failed = 0, []
    # Organization is the tenant itself (not tenant-owned): listing them needs no scope.
    for organization in Organization.objects.order_by("pk"):
        try:
            with tenant_context(organization=organization):
                created += services.assignments_create(organization=organization, now=now)
                services.responses_release(organization=organization, now=now)
                # Emailed by the reminders' next delivery, under their cap and night rules.
                notify.create(notices.survey_due(organization, now), now)
        except Exception:
            logger.exception("Survey assignments for organisation %s failed", organization.slug)
            failed.append(organization.slug)
    if failed:
        raise RuntimeError(f"Survey assignments failed for: {', '.join(failed)}")
    return created
