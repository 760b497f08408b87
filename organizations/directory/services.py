"""The life of one HR file import: upload, check (the preview), apply or discard.

Checking and applying run as Celery tasks (eagerly, in-process, on the embedded default);
their progress goes to the cache, because an apply is one transaction whose own writes
nobody else can see until it ends.
"""

from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.audit import audit_record
from organizations.directory.csv_format import FileProblem, HrFile
from organizations.directory.importing import (
    RejectedRows,
    apply_plan,
    lock_directory,
    plan_import,
)
from organizations.models import AuditAction, DirectoryImport, Organization

MAX_REPORTED_REJECTIONS = 1000
MAX_FILE_BYTES = 100 * 1024 * 1024
STUCK_AFTER = timedelta(hours=1)
_PROGRESS_KEY = "directory-import:{pk}:progress"
_PROGRESS_TIMEOUT = 24 * 3600


def directory_import_progress(directory_import: DirectoryImport) -> int:
    return cache.get(_PROGRESS_KEY.format(pk=directory_import.pk), 0)


def _progress_reporter(directory_import: DirectoryImport):
    def report(count: int) -> None:
        cache.set(_PROGRESS_KEY.format(pk=directory_import.pk), count, _PROGRESS_TIMEOUT)

    report(0)
    return report


@transaction.atomic
def directory_import_start(*, organization: Organization, actor, upload) -> DirectoryImport:
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(_("The file is larger than 100 MB."))
    record = DirectoryImport.objects.create(
        organization=organization,
        original_name=upload.name[:255],
        uploaded_by=actor,
        file=upload,
    )
    from organizations.tasks import check_directory_import_task

    # robust: with tasks running eagerly, a failing task must not turn the upload into an
    # error page; the task records its own failure on the import.
    transaction.on_commit(
        lambda: check_directory_import_task.delay(
            organization_id=organization.pk, import_id=record.pk
        ),
        robust=True,
    )
    return record


def _store_plan(record: DirectoryImport, plan) -> None:
    record.total_rows = plan.total_rows
    record.to_create = len(plan.to_create)
    record.to_update = len(plan.to_update)
    record.unchanged = plan.unchanged
    record.rejected = plan.rejected_rows
    record.rejections = [r.as_dict() for r in plan.rejections[:MAX_REPORTED_REJECTIONS]]


def _plan(record: DirectoryImport):
    with record.file.open("rb") as stream:
        return plan_import(
            organization=record.organization,
            rows=HrFile(stream).rows(),
            progress=_progress_reporter(record),
        )


def directory_import_check(*, directory_import: DirectoryImport) -> DirectoryImport:
    """The preview: what applying would create, update, leave and reject. Changes nothing."""
    record = directory_import
    try:
        plan = _plan(record)
    except FileProblem as problem:
        record.status, record.failure = DirectoryImport.Status.FAILED, str(problem)
        record.finished_at = timezone.now()
    else:
        _store_plan(record, plan)
        record.status = DirectoryImport.Status.CHECKED
    record.save()
    return record


@transaction.atomic
def directory_import_request_apply(
    *, organization: Organization, actor, directory_import: DirectoryImport, valid_rows_only: bool
) -> DirectoryImport:
    record = DirectoryImport.objects.select_for_update().get(pk=directory_import.pk)
    if record.status != DirectoryImport.Status.CHECKED:
        raise ValidationError(_("This import is not waiting to be applied."))
    if record.rejected and not valid_rows_only:
        raise ValidationError(
            _("%(count)s rows are rejected. Fix the file, or apply the valid rows only.")
            % {"count": record.rejected}
        )
    record.status = DirectoryImport.Status.APPLYING
    record.valid_rows_only = valid_rows_only
    record.failure = ""
    record.save()
    from organizations.tasks import apply_directory_import_task

    transaction.on_commit(
        lambda: apply_directory_import_task.delay(
            organization_id=organization.pk, import_id=record.pk, actor_id=actor.pk
        ),
        robust=True,
    )
    return record


def directory_import_apply(*, directory_import: DirectoryImport, actor) -> DirectoryImport:
    """Apply the file as it is checked now (the directory may have changed since the
    preview): every valid row or, if the admin asked for the valid rows only, exactly those."""
    record = directory_import
    lock_directory(record.organization)
    plan = _plan(record)
    _store_plan(record, plan)
    try:
        with transaction.atomic():
            result = apply_plan(
                organization=record.organization,
                plan=plan,
                valid_rows_only=record.valid_rows_only,
                progress=_progress_reporter(record),
            )
    except DatabaseError as error:
        # A rule the checks did not foresee; nothing was written (the block rolled back).
        detail = str(error).splitlines()[0] if str(error) else error.__class__.__name__
        directory_import_fail(
            directory_import=record,
            message=_("The database refused the file (%(detail)s). Nothing was changed.")
            % {"detail": detail},
        )
        return record
    except RejectedRows:
        record.status = DirectoryImport.Status.CHECKED
        record.failure = _(
            "The directory changed since the preview and some rows are now rejected. "
            "Nothing was changed; check them again."
        )
        record.save()
        return record
    record.status, record.finished_at = DirectoryImport.Status.APPLIED, timezone.now()
    record.file.delete(save=False)
    record.save()
    audit_record(
        organization=record.organization,
        actor=actor,
        action=AuditAction.DIRECTORY_IMPORTED,
        target=record,
        details={
            "file": record.original_name,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": result.rejected,
            "valid_rows_only": record.valid_rows_only,
        },
    )
    return record


def directory_import_is_stuck(directory_import: DirectoryImport) -> bool:
    """Still checking or applying long after any file could take: its worker is gone."""
    working = (DirectoryImport.Status.CHECKING, DirectoryImport.Status.APPLYING)
    return directory_import.status in working and (
        timezone.now() - directory_import.created_at > STUCK_AFTER
    )


def directory_import_fail(*, directory_import: DirectoryImport, message: str) -> None:
    directory_import.status = DirectoryImport.Status.FAILED
    directory_import.failure = message
    directory_import.finished_at = timezone.now()
    directory_import.save()


@transaction.atomic
def directory_import_discard(*, directory_import: DirectoryImport) -> DirectoryImport:
    discardable = (DirectoryImport.Status.CHECKED, DirectoryImport.Status.FAILED)
    if directory_import.status not in discardable and not directory_import_is_stuck(
        directory_import
    ):
        raise ValidationError(_("This import can no longer be discarded."))
    directory_import.status = DirectoryImport.Status.DISCARDED
    directory_import.finished_at = timezone.now()
    directory_import.file.delete(save=False)
    directory_import.save()
    return directory_import
