import logging

from celery import shared_task
from django.utils.translation import gettext as _

from accounts.models import User
from directory import services as directory
from directory.models import DirectoryImport
from organizations.models import Organization
from organizations.tenancy import tenant_context

logger = logging.getLogger(__name__)


@shared_task
def check_directory_import_task(*, organization_id: int, import_id: int) -> None:
    organization = Organization.objects.get(pk=organization_id)
    try:
        with tenant_context(organization=organization):
            # Held while checking: a discard meanwhile waits for nothing and is refused.
            record = DirectoryImport.objects.select_for_update().get(pk=import_id)
            if record.status != DirectoryImport.Status.CHECKING:
                return  # delivered twice (tasks are acknowledged late): already done
            directory.directory_import_check(directory_import=record)
    except Exception:
        logger.exception("Checking directory import %s failed", import_id)
        with tenant_context(organization=organization):
            record = DirectoryImport.objects.get(pk=import_id)
            directory.directory_import_fail(
                directory_import=record,
                message=_("The file could not be checked because of an error on our side."),
                actor=record.uploaded_by,
            )
        raise


@shared_task
def apply_directory_import_task(
    *, organization_id: int, import_id: int, actor_id: int, ip_address: str | None = None
) -> None:
    """``ip_address``: where the admin asked for it from, for the audit log."""
    organization = Organization.objects.get(pk=organization_id)
    actor = User.objects.get(pk=actor_id)
    try:
        with tenant_context(organization=organization, user=actor):
            record = DirectoryImport.objects.select_for_update().get(pk=import_id)
            if record.status != DirectoryImport.Status.APPLYING:
                return  # delivered twice (tasks are acknowledged late): already done
            directory.directory_import_apply(
                directory_import=record, actor=actor, ip_address=ip_address
            )
    except Exception:
        logger.exception("Applying directory import %s failed", import_id)
        with tenant_context(organization=organization):
            directory.directory_import_fail(
                directory_import=DirectoryImport.objects.get(pk=import_id),
                message=_("Applying failed because of an error on our side; nothing was changed."),
                actor=actor,
                ip_address=ip_address,
            )
        raise
