"""Celery entry points of the personal data rights: thin, each calls a service."""

from celery import shared_task
from django.utils import timezone

from organizations.tasks import each_organization
from organizations.tenancy import tenant_context
from privacy.services.export import exports_expire
from privacy.services.retention import retention_sweep


@shared_task
def exports_expire_task() -> None:
    """Hourly: exports past their day lose their file (privacy.services.export)."""
    now = timezone.now()

    def expire(organization):
        with tenant_context(organization=organization):
            return exports_expire(organization=organization, now=now)

    each_organization(expire, what="Export expiry")


@shared_task
def retention_sweep_task() -> None:
    """Nightly: each organisation's programs past its retention (privacy.services.retention)."""

    def sweep(organization):
        with tenant_context(organization=organization):
            return retention_sweep(organization=organization)

    each_organization(sweep, what="Personal data retention")
