"""The organisation's HR roster: departments and divisions, employees, their job-level
history, the uploads that keep it in step, and the demographics people give of themselves.

The tables kept the names they had in the organizations app, where these models began
(moved with SeparateDatabaseAndState, so no table was rebuilt).
"""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.tenancy import TenantModel


class Department(TenantModel):
    """A department; ``parent`` groups departments into divisions (the HR file's division
    column; the import refuses a department that would end up its own division)."""

    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    class Meta:
        db_table = "organizations_department"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="organizations_department_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Employee(TenantModel):
    """A person on the organisation's HR roster, upserted by employee number.

    ``member`` is the same person's membership, once they have one: linked when the
    membership or the directory entry is made (directory.links), by email at that moment
    only; afterwards the link holds whatever either address becomes.
    ``job_level``: higher is more senior.
    """

    employee_number = models.CharField(_("employee number"), max_length=64)
    email = models.EmailField(_("email"), blank=True)
    name = models.CharField(_("name"), max_length=200)
    # On PostgreSQL, department, manager and member (and JobLevelChange.employee) are held
    # by the composite same-organisation keys alone: migration 0004 dropped their
    # single-column keys. A migration that alters one of these fields would make Django
    # add its single-column key back; drop it again in that migration.
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="employees"
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    job_level = models.PositiveSmallIntegerField(_("job level"), null=True, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    termination_date = models.DateField(_("termination date"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    member = models.OneToOneField(
        "organizations.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "organizations_employee"
        ordering = ["name", "employee_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "employee_number"],
                name="organizations_employee_unique_number",
            ),
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=~models.Q(email=""),
                name="organizations_employee_unique_email",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "name"]),
            models.Index(fields=["organization", "job_level"]),
            models.Index(fields=["organization", "location"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_number})"

    @property
    def role_line(self) -> str:
        """Job title and department, as lists show a person ("Engineer, Sales"), the
        department left out when the title already names it ("Director, Operations"
        in Operations). Reads ``department``: select it with the employee."""
        title = (self.job_title or "").strip()
        department = str(self.department) if self.department_id else ""
        if department and re.search(rf"\b{re.escape(department)}\b", title, re.IGNORECASE):
            return title
        return ", ".join(part for part in (title, department) if part)

    @property
    def is_current(self) -> bool:
        return self.termination_date is None or self.termination_date > timezone.localdate()


class JobLevelChange(TenantModel):
    """A change of an employee's job level, recorded when the directory takes it in.

    The roster holds only today's level; this history is what tells a promotion (a rise in
    level) after a date, for participants and non-participants alike (reports.kpis).
    """

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.PositiveSmallIntegerField(null=True)
    to_level = models.PositiveSmallIntegerField(null=True)
    changed_on = models.DateField()

    class Meta:
        db_table = "organizations_joblevelchange"
        ordering = ["changed_on", "pk"]
        indexes = [models.Index(fields=["employee", "changed_on"])]

    def __str__(self) -> str:
        return f"{self.employee_id}: {self.from_level} → {self.to_level} on {self.changed_on}"


class DirectoryImport(TenantModel):
    """One upload of the HR file: checked first (the preview), then applied or discarded.

    The file is kept until the import is applied or discarded; the counts and rejections
    stay as the record of what happened.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", pgettext_lazy("directory import", "Applied")
        DISCARDED = "discarded", _("Discarded")
        FAILED = "failed", _("Failed")

    file = models.FileField(upload_to="directory-imports/", blank=True)
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CHECKING)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_from = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the current step (checking, then applying) was asked for: an import is taken
    # for stuck only when that step has run far longer than any file could take.
    phase_started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    total_rows = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    divisions_changed = models.PositiveIntegerField(default=0)
    # [{"row": 3, "column": "hire_date", "message": "..."}], the first MAX_REPORTED ones.
    rejections = models.JSONField(default=list, blank=True)
    # Which rows the preview accepted (ImportPlan.accepted_digest): applying writes those
    # rows and no others, or nothing.
    accepted_digest = models.CharField(max_length=64, blank=True)
    # The file's columns, and (PostgreSQL) a digest of the directory as the check saw it:
    # applying writes the checked rows (ImportRow) as they are while it is unchanged.
    columns = models.JSONField(default=list, blank=True)
    directory_fingerprint = models.CharField(max_length=32, blank=True)
    valid_rows_only = models.BooleanField(default=False)
    failure = models.TextField(blank=True)

    class Meta:
        db_table = "organizations_directoryimport"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import of {self.original_name}"

    @property
    def is_checking(self) -> bool:
        return self.status == self.Status.CHECKING

    @property
    def is_checked(self) -> bool:
        return self.status == self.Status.CHECKED

    @property
    def is_applying(self) -> bool:
        return self.status == self.Status.APPLYING

    @property
    def is_applied(self) -> bool:
        return self.status == self.Status.APPLIED

    @property
    def is_discarded(self) -> bool:
        return self.status == self.Status.DISCARDED

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED


class ImportRow(TenantModel):
    """One row of an uploaded HR file, as the check read it (PostgreSQL only,
    directory.staging): the file is read once, into this table, checked there and applied
    from it, so no import holds its rows in memory. Deleted once the import ends.

    Text columns are unbounded: a value the format refuses (too long, say) is kept as the
    file gave it, with its ``problems``, so that the report can name it.
    """

    # No single-column foreign key: the composite same-organisation key
    # (organizations.rls) already holds it, and each key is a check on every row written.
    directory_import = models.ForeignKey(
        DirectoryImport, on_delete=models.CASCADE, db_constraint=False, related_name="+"
    )
    line = models.PositiveIntegerField()
    employee_number = models.TextField()
    email = models.TextField(blank=True)
    name = models.TextField(blank=True)
    department = models.TextField(blank=True)
    division = models.TextField(blank=True)
    job_title = models.TextField(blank=True)
    job_level = models.PositiveSmallIntegerField(null=True)
    manager_employee_number = models.TextField(blank=True)
    hire_date = models.DateField(null=True)
    termination_date = models.DateField(null=True)
    location = models.TextField(blank=True)
    time_zone = models.TextField(blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True)
    # [[column, message], ...]: what the row alone is refused for (csv_format.check_row),
    # and a repeated employee number. Fixed when the file is read.
    problems = models.JSONField(default=list)
    # [column, message]: what checking against the other rows and the directory refused,
    # and in which round of the check (rows rejected early in a round count for later
    # rows of it, as in directory.importing). Worked out again if the directory changes.
    rejection = models.JSONField(null=True)
    rejected_in_round = models.PositiveSmallIntegerField(null=True)

    class Meta:
        db_table = "directory_importrow"

    def __str__(self) -> str:
        return f"Row {self.line} of import {self.directory_import_id}"


class EmployeeDemographics(TenantModel):
    """A person's own, voluntary answers about themselves, kept only with their consent.

    Never shown per person outside their own profile and the admin's view; everywhere
    else only in aggregates that hide small groups. Withdrawing consent deletes the row.
    """

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

    class Gender(models.TextChoices):
        WOMAN = "woman", _("Woman")
        MAN = "man", _("Man")
        NON_BINARY = "non_binary", _("Non-binary")
        SELF_DESCRIBED = "self_described", _("I describe myself another way")
        PREFER_NOT = "prefer_not", _("Prefer not to say")

    employee = models.OneToOneField(Employee, on_delete=models.CASCADE, related_name="demographics")
    consent_given_at = models.DateTimeField()
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    gender_self_described = models.CharField(_("in your own words"), max_length=100, blank=True)
    ethnicity = models.CharField(
        _("ethnic or cultural background, in your own words"), max_length=100, blank=True
    )
    disability = models.CharField(
        _("do you consider yourself to have a disability?"),
        max_length=20,
        choices=Answer.choices,
        blank=True,
    )
    lgbtq = models.CharField(
        _("do you identify as LGBTQ+?"), max_length=20, choices=Answer.choices, blank=True
    )
    first_generation = models.CharField(
        _("are you the first in your family to go to university or work in an office?"),
        max_length=20,
        choices=Answer.choices,
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "organizations_employeedemographics"
        verbose_name = _("self-identified demographics")

    def __str__(self) -> str:
        return f"Demographics of employee {self.employee_id}"
