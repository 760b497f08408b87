"""The import's PostgreSQL path (directory.staging: the file read once into a staging
table, checked and applied in SQL) gives what the reference (directory.importing, the path
SQLite runs) gives: the same counts, the same rejections by row and column, the same
directory afterwards. And the staged rows stay inside their organisation."""

import io

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction

from directory import services
from directory.csv_format import HrFile
from directory.importing import apply_plan, plan_import
from directory.models import DirectoryImport, Employee, ImportRow, JobLevelChange
from organizations.tenancy import tenant_context
from tests.directory.helpers import _csv, _row

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the staging path runs on PostgreSQL only"
    ),
]

# The directory both organisations start from.
SEED = [
    _row("D1", "Dana Boss", email="dana@x.example", level="9"),
    _row("D2", "Dev Lead", "D1", email="dev@x.example", level="7", department="Sales"),
    _row("D3", "Dot Report", "D2", email="dot@x.example", level="3"),
    _row("D4", "Dan Keeper", "D1", email="keep@x.example", level="4"),
]

CASES = {
    "managers after their reports, updates and a level change": [
        _row("N2", "New Report", "N1", email="n2@x.example", level="2"),
        _row("N1", "New Manager", "D2", email="n1@x.example", level="5"),
        _row("D3", "Dot Report", "N1", email="dot@x.example", level="4"),
        _row("D2", "Dev Lead", "D1", email="dev@x.example", level="7", department="Sales"),
    ],
    "repeated numbers, a bad row repeated": [
        _row("A1", "First", hire="not a date"),
        _row("A1", "Second"),
        _row("A2", "Fine"),
        _row("A2", "Again"),
    ],
    "addresses taken, moved and swapped": [
        _row("S1", "Takes Kept", email="keep@x.example"),
        _row("S2", "Takes Dot", email="dot@x.example"),
        _row("D3", "Dot Report", "D2", email="dev@x.example"),
        _row("D2", "Dev Lead", "D1", email="dot@x.example", department="Sales"),
        _row("S3", "Same As S4", email="same@x.example"),
        _row("S4", "Same As S3", email="same@x.example"),
    ],
    "unknown managers, and managers whose rows are rejected before and after": [
        _row("U1", "Under Bad Later", "U9"),
        _row("U2", "Unknown Boss", "NOBODY"),
        _row("U3", "Under U2", "U2"),
        _row("U4", "Under U3", "U3"),
        _row("U9", "Bad Manager", "GHOST"),
        _row("U5", "Under Bad Row", "U6"),
        _row("U6", "Bad Row", hire="2020-13-45"),
    ],
    "reporting loops, in the file and through the directory": [
        _row("L1", "Loop One", "L2"),
        _row("L2", "Loop Two", "L3"),
        _row("L3", "Loop Three", "L1"),
        _row("L4", "Below The Loop", "L1"),
        _row("D1", "Dana Boss", "D3", email="dana@x.example", level="9"),
    ],
    "divisions: conflicts and loops": [
        _row("V1", "In Sales", department="Sales", division="Commercial"),
        _row("V2", "Also Sales", department="Sales", division="Other"),
        _row("V3", "Commercial", department="Commercial", division="Group"),
        _row("V4", "Group", department="Group", division="Sales"),
        _row("V5", "Plain", department="Legal", division="Finance"),
    ],
}


def _reference(organization, content: bytes):
    with tenant_context(organization=organization):
        plan = plan_import(organization=organization, rows=HrFile(_stream(content)).rows())
        summary = plan.summary(limit=1000)
        if plan.rows:
            apply_plan(organization=organization, plan=plan, valid_rows_only=True)
    return summary


def _staged(organization, content: bytes) -> DirectoryImport:
    with tenant_context(organization=organization):
        record = DirectoryImport.objects.create(
            organization=organization,
            original_name="roster.csv",
            file=ContentFile(content, "roster.csv"),
        )
        record = services.directory_import_check(directory_import=record)
        checked = DirectoryImport.objects.get(pk=record.pk)
        if record.to_create + record.to_update:
            record.valid_rows_only = True
            services.directory_import_apply(directory_import=record, actor=None)
    return checked


def _stream(content: bytes) -> io.BytesIO:
    return io.BytesIO(content)


def _directory(organization) -> list[tuple]:
    with tenant_context(organization=organization):
        people = sorted(
            Employee.objects.values_list(
                "employee_number",
                "name",
                "email",
                "department__name",
                "department__parent__name",
                "job_level",
                "manager__employee_number",
                "hire_date",
            )
        )
        levels = sorted(
            JobLevelChange.objects.values_list(
                "employee__employee_number", "from_level", "to_level"
            )
        )
    return [*people, *levels]


@pytest.mark.parametrize("case", list(CASES))
def test_the_staged_import_checks_and_applies_as_the_reference_does(acme, globex, case):
    seed = _csv(*SEED).getvalue()
    _reference(acme, seed)
    _reference(globex, seed)
    content = _csv(*CASES[case]).getvalue()

    expected = _reference(acme, content)
    record = _staged(globex, content)

    assert (
        record.total_rows,
        record.to_create,
        record.to_update,
        record.unchanged,
        record.rejected,
        record.divisions_changed,
    ) == (
        expected.total_rows,
        expected.to_create,
        expected.to_update,
        expected.unchanged,
        expected.rejected_rows,
        expected.divisions_changed,
    )
    assert record.rejections == expected.rejections
    assert record.accepted_digest == expected.accepted_digest
    assert _directory(globex) == _directory(acme)


def test_a_file_without_some_columns_leaves_them_as_they_are(acme, globex):
    seed = _csv(*SEED).getvalue()
    _reference(acme, seed)
    _reference(globex, seed)
    content = _csv("D3,Dot Promoted,5", "Z1,Zed New,2", header="employee_number,name,job_level")
    content = content.getvalue()

    expected = _reference(acme, content)
    record = _staged(globex, content)

    assert (
        (record.to_create, record.to_update) == (expected.to_create, expected.to_update) == (1, 1)
    )
    assert _directory(globex) == _directory(acme)


def test_the_checked_rows_are_applied_without_reading_the_file_again(acme):
    with tenant_context(organization=acme):
        record = DirectoryImport.objects.create(
            organization=acme,
            original_name="roster.csv",
            file=ContentFile(_csv(_row("E1", "Ada"), _row("E2", "Ben", "E1")).getvalue(), "r.csv"),
        )
        record = services.directory_import_check(directory_import=record)
        record.file.delete(save=False)  # applying must not need it

        record = services.directory_import_apply(directory_import=record, actor=None)

        assert record.status == DirectoryImport.Status.APPLIED
        assert Employee.objects.get(employee_number="E2").manager.employee_number == "E1"
        assert not ImportRow.objects.filter(directory_import=record).exists()


def test_a_directory_change_after_the_preview_is_checked_before_applying(acme):
    with tenant_context(organization=acme):
        content = _csv(_row("E1", "Ada", email="ada@x.example"), _row("E2", "Ben", "E1"))
        record = DirectoryImport.objects.create(
            organization=acme,
            original_name="roster.csv",
            file=ContentFile(content.getvalue(), "r.csv"),
        )
        record = services.directory_import_check(directory_import=record)
        assert record.rejected == 0
        # Meanwhile someone else takes Ada's address: her row is now refused.
        Employee.objects.create(
            organization=acme, employee_number="X9", name="Early", email="ada@x.example"
        )

        record = services.directory_import_apply(directory_import=record, actor=None)

        assert record.status == DirectoryImport.Status.CHECKED
        assert "changed since the preview" in record.failure
        assert record.rejections == [
            {
                "row": 2,
                "column": "email",
                "message": "ada@x.example already belongs to employee X9.",
            },
            {
                "row": 3,
                "column": "manager_employee_number",
                "message": "The manager's row 2 is rejected.",
            },
        ]
        assert not Employee.objects.filter(employee_number__in=["E1", "E2"]).exists()


def test_staged_rows_are_invisible_from_another_organisation(acme, globex):
    with tenant_context(organization=acme):
        record = DirectoryImport.objects.create(
            organization=acme,
            original_name="roster.csv",
            file=ContentFile(_csv(_row("E1", "Ada")).getvalue(), "r.csv"),
        )
        services.directory_import_check(directory_import=record)
        assert ImportRow.objects.filter(directory_import=record).count() == 1
    with tenant_context(organization=globex), connection.cursor() as cursor:
        # Raw SQL, past the ORM's scoping: row-level security still hides acme's rows.
        cursor.execute("SELECT count(*) FROM directory_importrow")
        assert cursor.fetchone()[0] == 0


def test_a_discarded_import_leaves_no_staged_rows(acme, acme_admin):
    with tenant_context(organization=acme):
        record = DirectoryImport.objects.create(
            organization=acme,
            original_name="roster.csv",
            file=ContentFile(_csv(_row("E1", "Ada")).getvalue(), "r.csv"),
        )
        record = services.directory_import_check(directory_import=record)
        services.directory_import_discard(
            organization=acme, actor=acme_admin, directory_import=record
        )
        assert not ImportRow.objects.filter(directory_import=record).exists()
        assert not Employee.objects.exists()


def test_the_same_organisation_keys_still_refuse_a_manager_who_does_not_exist(acme):
    """The single-column keys were dropped (migration 0004) because these hold the line."""
    with tenant_context(organization=acme):
        employee = Employee.objects.create(organization=acme, employee_number="E1", name="Ada")
        with pytest.raises(IntegrityError), transaction.atomic():
            Employee.objects.filter(pk=employee.pk).update(manager_id=employee.pk + 10**6)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
