"""The life of one HR file import: upload, check (the preview), apply or discard.

Checking and applying run as Celery tasks (on `make run`'s worker in the embedded default);
their progress goes to the cache, because an apply is one transaction whose own writes
nobody else can see until it ends.
"""

import logging
from dataclasses import dataclass, replace
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from directory import staging
from directory.csv_format import MAX_LENGTHS, FileProblem, HrFile
from directory.importing import (
    CheckSummary,
    ImportPlan,
    RejectedRows,
    apply_plan,
    lock_directory,
    plan_import,
)
from directory.models import Department, DirectoryImport, Employee
from organizations.audit import audit_record
from organizations.models import AuditAction, Organization
from organizations.outgoing import message_add
from organizations.tenancy import tenant_context
from organizations.uploads import HR_FILE

MAX_REPORTED_REJECTIONS = 1000
STUCK_AFTER = timedelta(hours=1)
logger = logging.getLogger(__name__)
_PROGRESS_KEY = "directory-import:{pk}:progress"
_PROGRESS_TIMEOUT = 24 * 3600
_WORKING = (DirectoryImport.Status.CHECKING, DirectoryImport.Status.APPLYING)


@dataclass(frozen=True)
class ImportProgress:
    """Where a task is: ``step`` "read" (rows of the file checked) or "write" (rows
    written), ``done`` of ``total`` (0 when not known)."""

    step: str = "read"
    done: int = 0
    total: int = 0

    @property
    def writing(self) -> bool:
        return self.step == "write"


def directory_import_progress(directory_import: DirectoryImport) -> ImportProgress:
    stored = cache.get(_PROGRESS_KEY.format(pk=directory_import.pk))
    return ImportProgress(*stored) if isinstance(stored, tuple | list) else ImportProgress()


def _progress_reporter(directory_import: DirectoryImport, *, step: str, total: int):
    def report(count: int) -> None:
        cache.set(
            _PROGRESS_KEY.format(pk=directory_import.pk), (step, count, total), _PROGRESS_TIMEOUT
        )

    report(0)
    return report


def _audit(record: DirectoryImport, *, action: AuditAction, actor, ip_address, **details) -> None:
    audit_record(
        organization=record.organization,
        actor=actor,
        action=action,
        target=record,
        details={
            "file": record.original_name,
            "rows": record.total_rows,
            "created": record.to_create,
            "updated": record.to_update,
            "unchanged": record.unchanged,
            "rejected": record.rejected,
            "divisions_changed": record.divisions_changed,
            **details,
        },
        ip_address=ip_address,
    )


@transaction.atomic
def directory_import_start(
    *, organization: Organization, actor, upload, ip_address: str | None = None
) -> DirectoryImport:
    # The upload form checks the same; here too, so no caller can store a file the form
    # would refuse.
    HR_FILE(upload)
    record = DirectoryImport.objects.create(
        organization=organization,
        original_name=upload.name[:255],
        uploaded_by=actor,
        uploaded_from=ip_address,
        phase_started_at=timezone.now(),
        file=upload,
    )
    # Written to the outbox with the import: checked once this commits, and if the broker
    # is away, when the sweep finds it (the page says it is waiting meanwhile).
    message_add(
        organization=organization,
        kind=CHECK_OUTBOX_KIND,
        key=f"directory-import:{record.pk}:check",
        args={"import_id": record.pk},
    )
    return record


def _staged() -> bool:
    """Whether imports go through the staging table (directory.staging): on PostgreSQL.
    SQLite, the embedded default for small directories, checks and applies in memory
    (directory.importing), reading the file again to apply it."""
    return connection.vendor == "postgresql"


def _store_summary(record: DirectoryImport, summary: CheckSummary) -> None:
    record.total_rows = summary.total_rows
    record.to_create = summary.to_create
    record.to_update = summary.to_update
    record.unchanged = summary.unchanged
    record.rejected = summary.rejected_rows
    record.divisions_changed = summary.divisions_changed
    record.rejections = summary.rejections[:MAX_REPORTED_REJECTIONS]
    record.accepted_digest = summary.accepted_digest
    record.directory_fingerprint = summary.directory_fingerprint


def _plan(record: DirectoryImport) -> ImportPlan:
    with record.file.open("rb") as stream:
        return plan_import(
            organization=record.organization,
            rows=HrFile(stream).rows(),
            # While checking, the number of rows is not known yet; before applying, it
            # is the preview's (the file has not changed).
            progress=_progress_reporter(record, step="read", total=record.total_rows),
        )


def _check(record: DirectoryImport) -> CheckSummary:
    if not _staged():
        return _plan(record).summary(limit=MAX_REPORTED_REJECTIONS)
    with record.file.open("rb") as stream:
        return staging.check_file(
            record=record,
            hr_file=HrFile(stream),
            progress=_progress_reporter(record, step="read", total=0),
        )


def directory_import_check(*, directory_import: DirectoryImport) -> DirectoryImport:
    """The preview: what applying would create, update, leave and reject. Changes nothing
    in the directory (on PostgreSQL, the file's rows are kept, checked, for applying)."""
    record = directory_import
    try:
        summary = _check(record)
    except FileProblem as problem:
        return directory_import_fail(
            directory_import=record, message=str(problem), actor=record.uploaded_by
        )
    _store_summary(record, summary)
    record.status = DirectoryImport.Status.CHECKED
    record.save()
    return record


@transaction.atomic
def directory_import_request_apply(
    *,
    organization: Organization,
    actor,
    directory_import: DirectoryImport,
    valid_rows_only: bool,
    ip_address: str | None = None,
) -> DirectoryImport:
    record = DirectoryImport.objects.select_for_update().get(pk=directory_import.pk)
    if record.status != DirectoryImport.Status.CHECKED:
        raise ValidationError(_("This import is not waiting to be applied."))
    if record.rejected and not valid_rows_only:
        raise ValidationError(
            ngettext(
                "%(count)s row is rejected. Fix the file, or apply the valid rows only.",
                "%(count)s rows are rejected. Fix the file, or apply the valid rows only.",
                record.rejected,
            )
            % {"count": record.rejected}
        )
    record.status = DirectoryImport.Status.APPLYING
    record.valid_rows_only = valid_rows_only
    record.phase_started_at = timezone.now()
    record.failure = ""
    record.save()
    message_add(
        organization=organization,
        kind=APPLY_OUTBOX_KIND,
        # Applying can come round again (a preview made stale re-checks the file), and
        # each request is its own occasion.
        key=f"directory-import:{record.pk}:apply:{record.phase_started_at.isoformat()}",
        args={"import_id": record.pk, "actor_id": actor.pk, "ip_address": ip_address},
    )
    return record


CHECK_OUTBOX_KIND = "directory.import_check"
APPLY_OUTBOX_KIND = "directory.import_apply"


def directory_import_check_job(*, organization: Organization, import_id: int) -> None:
    """The outbox's handler for checking (and the task's body). A failure is recorded on
    the import and ends the job: the person sees it and uploads again."""
    try:
        with transaction.atomic():  # a savepoint: a failure undoes the check, not its record
            # Held while checking: a discard meanwhile waits for nothing and is refused.
            record = DirectoryImport.objects.select_for_update().get(pk=import_id)
            if record.status != DirectoryImport.Status.CHECKING:
                return  # delivered twice, or discarded while waiting: nothing to do
            directory_import_check(directory_import=record)
    except Exception:
        logger.exception("Checking directory import %s failed", import_id)
        record = DirectoryImport.objects.get(pk=import_id)
        directory_import_fail(
            directory_import=record,
            message=_("The file could not be checked because of an error on our side."),
            actor=record.uploaded_by,
        )


def directory_import_apply_job(
    *, organization: Organization, import_id: int, actor_id: int, ip_address: str | None = None
) -> None:
    """The outbox's handler for applying (and the task's body). ``ip_address``: where
    the admin asked for it from, for the audit log."""
    actor = User.objects.get(pk=actor_id)
    try:
        with tenant_context(organization=organization, user=actor):
            record = DirectoryImport.objects.select_for_update().get(pk=import_id)
            if record.status != DirectoryImport.Status.APPLYING:
                return  # delivered twice: already done
            directory_import_apply(directory_import=record, actor=actor, ip_address=ip_address)
    except Exception:
        logger.exception("Applying directory import %s failed", import_id)
        directory_import_fail(
            directory_import=DirectoryImport.objects.get(pk=import_id),
            message=_("Applying failed because of an error on our side; nothing was changed."),
            actor=actor,
            ip_address=ip_address,
        )


def directory_import_apply(
    *, directory_import: DirectoryImport, actor, ip_address: str | None = None
) -> DirectoryImport:
    """Apply exactly the rows the preview accepted, or nothing.

    The file is checked again against the directory as it is now (which may have changed
    since the preview). If the rows accepted now are not the ones the preview accepted
    (some are rejected now, or a row rejected then would be accepted now), nothing is
    written: the import goes back to its preview, checked again, for the admin to decide.
    """
    record = directory_import
    lock_directory(record.organization)
    accepted_at_preview = record.accepted_digest
    if _staged():
        # The checked rows are applied as they are, unless the directory changed since
        # the check: then they are checked again against it (in SQL; the file is not
        # read again).
        if staging.current_fingerprint(record) != record.directory_fingerprint:
            _store_summary(record, staging.check_staged(record=record))

        def write(progress):
            return staging.apply_staged(record=record, progress=progress)
    else:
        plan = _plan(record)
        _store_summary(record, plan.summary(limit=MAX_REPORTED_REJECTIONS))

        def write(progress):
            return apply_plan(
                organization=record.organization,
                plan=plan,
                valid_rows_only=record.valid_rows_only,
                progress=progress,
            )

    if record.accepted_digest != accepted_at_preview:
        record.status = DirectoryImport.Status.CHECKED
        record.failure = _(
            "The directory changed since the preview, and the rows accepted now are not the "
            "ones accepted then. Nothing was changed; here is the file checked again. "
            "Apply it if this is what you want."
        )
        record.save()
        return record
    try:
        if record.rejected and not record.valid_rows_only:
            raise RejectedRows
        with transaction.atomic():
            result = write(
                _progress_reporter(record, step="write", total=record.to_create + record.to_update)
            )
    except DatabaseError as error:
        # A rule the checks did not foresee; nothing was written (the block rolled back).
        detail = str(error).splitlines()[0] if str(error) else error.__class__.__name__
        return directory_import_fail(
            directory_import=record,
            message=_("The database refused the file (%(detail)s). Nothing was changed.")
            % {"detail": detail},
            actor=actor,
            ip_address=ip_address,
        )
    except RejectedRows:
        record.status = DirectoryImport.Status.CHECKED
        record.failure = _(
            "The directory changed since the preview and some rows are now rejected. "
            "Nothing was changed; check them again."
        )
        record.save()
        return record
    record.status, record.finished_at = DirectoryImport.Status.APPLIED, timezone.now()
    record.to_create, record.to_update = result.created, result.updated
    record.file.delete(save=False)
    record.save()
    _audit(
        record,
        action=AuditAction.DIRECTORY_IMPORTED,
        actor=actor,
        ip_address=ip_address,
        valid_rows_only=record.valid_rows_only,
        uploaded_from=record.uploaded_from,
    )
    return record


@dataclass(frozen=True)
class UpsertOutcome:
    """What ``directory_rows_upsert`` did: ``applied`` False means nothing changed."""

    applied: bool
    created: int
    updated: int
    unchanged: int
    rejected: int
    divisions_changed: int
    rejections: list[dict]


@transaction.atomic
def directory_rows_upsert(
    *,
    organization: Organization,
    rows,
    valid_rows_only: bool,
    actor=None,
    api_key_name: str = "",
    ip_address: str | None = None,
    via: dict | None = None,
) -> UpsertOutcome:
    """Rows given directly (the API's bulk upsert, SCIM provisioning), checked and written
    by the same rules as a file: all of them, or with ``valid_rows_only`` the valid ones;
    with any row rejected and not ``valid_rows_only``, nothing. ``rows`` are (row number,
    values). ``via`` says in the audit log where the rows came from (the API by default)."""
    lock_directory(organization)
    plan = plan_import(organization=organization, rows=rows)
    outcome = UpsertOutcome(
        applied=False,
        created=len(plan.to_create),
        updated=len(plan.to_update),
        unchanged=plan.unchanged,
        rejected=plan.rejected_rows,
        divisions_changed=len(plan.division_changes),
        rejections=[r.as_dict() for r in plan.rejections],
    )
    if plan.rejections and not valid_rows_only:
        return outcome
    applied = apply_plan(organization=organization, plan=plan, valid_rows_only=valid_rows_only)
    outcome = replace(outcome, applied=True, created=applied.created, updated=applied.updated)
    counts = ("created", "updated", "unchanged", "rejected", "divisions_changed")
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.DIRECTORY_IMPORTED,
        details={
            **(via or ({"api_key": api_key_name} if api_key_name else {"via": "api"})),
            **{name: getattr(outcome, name) for name in counts},
        },
        ip_address=ip_address,
    )
    return outcome


def directory_import_is_stuck(directory_import: DirectoryImport) -> bool:
    """Still checking or applying long after the step began, longer than any file could
    take: its worker is gone."""
    record = directory_import
    started = record.phase_started_at or record.created_at
    return record.status in _WORKING and timezone.now() - started > STUCK_AFTER


@transaction.atomic
def directory_import_fail(
    *, directory_import: DirectoryImport, message: str, actor=None, ip_address=None
) -> DirectoryImport:
    """Record that checking or applying failed, unless the import has already ended
    (discarded meanwhile, or applied by a task delivered twice)."""
    record = DirectoryImport.objects.select_for_update().get(pk=directory_import.pk)
    if record.status not in _WORKING:
        return record
    record.status = DirectoryImport.Status.FAILED
    record.failure = message
    record.finished_at = timezone.now()
    record.save()
    if _staged():
        staging.discard_staged(record)
    # With the preview's counts, if it got that far (a failed apply wrote none of them).
    _audit(
        record,
        action=AuditAction.DIRECTORY_IMPORT_FAILED,
        actor=actor,
        ip_address=ip_address or record.uploaded_from,
        failure=message,
    )
    return record


def directory_import_discard(
    *,
    organization: Organization,
    actor,
    directory_import: DirectoryImport,
    ip_address: str | None = None,
) -> DirectoryImport:
    """Drop a checked or failed import (or one whose worker is gone) without applying it."""
    try:
        with transaction.atomic():
            # NOWAIT: a task that is checking or applying holds this row; it is not stuck
            # then, whatever the clock says, and must not be discarded under it.
            record = DirectoryImport.objects.select_for_update(nowait=True).get(
                pk=directory_import.pk, organization=organization
            )
            discardable = (DirectoryImport.Status.CHECKED, DirectoryImport.Status.FAILED)
            if record.status not in discardable and not directory_import_is_stuck(record):
                raise ValidationError(_("This import can no longer be discarded."))
            was = record.status
            record.status = DirectoryImport.Status.DISCARDED
            record.finished_at = timezone.now()
            record.file.delete(save=False)
            record.save()
            if _staged():
                staging.discard_staged(record)
            audit_record(
                organization=organization,
                actor=actor,
                action=AuditAction.DIRECTORY_IMPORT_DISCARDED,
                target=record,
                details={
                    "file": record.original_name,
                    "status": was,
                    "rows": record.total_rows,
                    "created": 0,
                    "updated": 0,
                    "would_create": record.to_create,
                    "would_update": record.to_update,
                    "unchanged": record.unchanged,
                    "rejected": record.rejected,
                },
                ip_address=ip_address,
            )
    except OperationalError as error:
        raise ValidationError(
            _("This import is being worked on right now; it cannot be discarded.")
        ) from error
    return record


# --- Departments, one at a time (SCIM groups) -------------------------------------------
# A file or the API's rows create departments as they name them (directory.importing);
# these are for a department with no row behind it: one an identity provider's group
# names before anyone is in it, renames or drops.


def _department_name_problem(
    organization: Organization, name: str, *, other_than: Department | None = None
) -> str | None:
    if not name.strip():
        return _("A department needs a name.")
    if len(name) > MAX_LENGTHS["department"]:
        return _("At most %(limit)s characters; this value has %(count)s.") % {
            "limit": MAX_LENGTHS["department"],
            "count": len(name),
        }
    taken = Department.objects.filter(organization=organization, name=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    if taken.exists():
        return _("There is already a department named %(name)s.") % {"name": name}
    return None


@transaction.atomic
def department_create(
    *, organization: Organization, actor, name: str, via: dict | None = None
) -> Department:
    lock_directory(organization)
    if problem := _department_name_problem(organization, name):
        raise ValidationError(problem)
    department = Department.objects.create(organization=organization, name=name)
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.DEPARTMENT_CREATED,
        target=department,
        details=via or {},
    )
    return department


@transaction.atomic
def department_rename(
    *, organization: Organization, actor, department: Department, name: str, via=None
) -> Department:
    lock_directory(organization)
    if department.name == name:
        return department
    if problem := _department_name_problem(organization, name, other_than=department):
        raise ValidationError(problem)
    was = department.name
    department.name = name
    department.save(update_fields=["name"])
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.DEPARTMENT_RENAMED,
        target=department,
        details={"from": was, **(via or {})},
    )
    return department


@transaction.atomic
def department_delete_if_empty(
    *, organization: Organization, actor, department: Department, via=None
) -> bool:
    """Delete the department if nobody is in it and it is no division: the HR roster's
    people and structure are never dropped on another system's say. True if deleted."""
    lock_directory(organization)
    if department.employees.exists() or department.children.exists():
        return False
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.DEPARTMENT_DELETED,
        target=department,
        details=via or {},
    )
    department.delete()
    return True


@transaction.atomic
def employee_renumber(
    *, organization: Organization, employee, number: str, via: dict | None = None
):
    """Give an employee another employee number (their key in HR files): when the system
    that provisions people says their number is another (SCIM's employeeNumber)."""
    lock_directory(organization)
    number = number.strip()
    if not number or len(number) > MAX_LENGTHS["employee_number"]:
        raise ValidationError(_("An employee number is required, at most 64 characters."))
    if (
        Employee.objects.filter(organization=organization, employee_number=number)
        .exclude(pk=employee.pk)
        .exists()
    ):
        raise ValidationError(
            _("Employee number %(number)s belongs to someone else.") % {"number": number}
        )
    was = employee.employee_number
    employee.employee_number = number
    employee.save(update_fields=["employee_number", "updated_at"])
    audit_record(
        organization=organization,
        actor=None,
        action=AuditAction.DIRECTORY_IMPORTED,
        target=employee,
        details={"renumbered_from": was, "to": number, **(via or {})},
    )
    return employee
