"""Celery tasks of the surveys: the beat (CELERY_BEAT_SCHEDULE) makes the assignments the
schedules call for and releases held anonymous answers in shuffled batches. Thin: it
calls ``surveys.services``. Idempotent: the unique constraint on (schedule, participant,
occasion) keeps a repeated run from asking anyone twice, and a released answer is no
longer held.

Only the worker opens held answers (it holds SURVEY_SEAL_PRIVATE_KEY, surveys/sealing.py);
the release logs counts per organisation, never an answer, a schedule's people or an id."""

from celery import shared_task
from django.utils import timezone

from organizations.tasks import each_organization
from organizations.tenancy import tenant_context
from surveys import services


@shared_task
def surveys_tick() -> int:
    """Hourly: new assignments for every organisation's schedules, then the release of
    held anonymous answers (apart, so that a worker missing its key still asks people).
    One organisation's failure does not hold up the others."""
    now = timezone.now()

    def ask(organization) -> int:
        with tenant_context(organization=organization):
            return services.surveys_ask(organization=organization, now=now)

    def release(organization) -> int:
        with tenant_context(organization=organization):
            return services.responses_release(organization=organization, now=now)

    created = sum(each_organization(ask, what="Survey assignments"))
    each_organization(release, what="Release of held anonymous answers")
    return created
