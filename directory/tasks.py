"""Checking and applying HR imports now go through the outbox (their handlers are
``directory.services.directory_import_check_job`` and ``..._apply_job``); these tasks
stay for what was queued before."""

from celery import shared_task

from directory import services as directory
from organizations.models import Organization
from organizations.tenancy import tenant_context


@shared_task
def check_directory_import_task(*, organization_id: int, import_id: int) -> None:
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization=organization):
        directory.directory_import_check_job(organization=organization, import_id=import_id)


@shared_task
def apply_directory_import_task(
    *, organization_id: int, import_id: int, actor_id: int, ip_address: str | None = None
) -> None:
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization=organization):
        directory.directory_import_apply_job(
            organization=organization, import_id=import_id, actor_id=actor_id, ip_address=ip_address
        )
