"""Bad input to the HR import is refused by name (the row and the column) and changes
nothing: an unclosed quotation mark, a NUL, a value too long, digits of other scripts,
dates not written YYYY-MM-DD or out of plausible years. Then the same, generated."""

import io
import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.csv_format import COLUMNS, FileProblem, HrFile
from directory.importing import RejectedRows, apply_plan, plan_import
from directory.models import Department, DirectoryImport, Employee
from directory.services import directory_import_check
from organizations.tenancy import tenant_context
from organizations.uploads import HR_FILE
from tests.directory.helpers import _csv, _plan, _row

pytestmark = pytest.mark.django_db

NAMED = re.compile(r"^Row \d+(, column (“[^”]+”|\d+))?: ")


def _directory(organization) -> tuple:
    with tenant_context(organization=organization):
        return (
            sorted(Employee.objects.values_list(*["employee_number", "name", "email"])),
            sorted(Department.objects.values_list("name", flat=True)),
        )


def _check_stored(organization, content: bytes) -> DirectoryImport:
    with tenant_context(organization=organization):
        record = DirectoryImport.objects.create(
            organization=organization,
            original_name="roster.csv",
            file=ContentFile(content, "roster.csv"),
        )
        return directory_import_check(directory_import=record)


def test_an_unclosed_quote_mid_file_fails_the_preview_naming_row_and_column(acme):
    rows = [_row(str(n), f"Person {n}") for n in range(1, 40)]
    rows[4] = _row("5", '"Eve Open')  # row 6 of the file; the rows after it would vanish
    before = _directory(acme)

    record = _check_stored(acme, _csv(*rows).getvalue())

    assert record.status == DirectoryImport.Status.FAILED
    assert record.failure.startswith("Row 6, column “name”: a quotation mark opens a value")
    assert "Nothing was imported" in record.failure
    assert _directory(acme) == before


def test_an_unclosed_quote_that_runs_to_the_end_of_the_file_is_named(acme):
    # No line after it reads as a row (one column only), but the quote never closes.
    stream = io.BytesIO(b'employee_number,name\n1,Al\n2,"Bo\nsmith\n')

    with pytest.raises(FileProblem, match="^Row 3, column “name”: a quotation mark"):
        _plan(acme, stream)


def test_a_quoted_value_over_two_lines_is_still_one_value(acme):
    plan = _plan(acme, _csv(_row("1", "Al", location='"Rua A, 1\nLisbon"'), _row("2", "Bo")))

    assert plan.rejections == [] and plan.rows["1"]["location"] == "Rua A, 1\nLisbon"


def test_a_nul_far_into_the_file_is_refused_at_the_preview_by_row_and_column(acme):
    rows = [_row(str(n), f"Person {n}", job_title="Engineer " + "x" * 150) for n in range(1, 600)]
    rows[500] = _row("501", "Nul\x00Person")

    plan = _plan(acme, _csv(*rows))

    [rejection] = plan.rejections
    assert (rejection.row, rejection.column) == (502, "name")
    assert "NUL" in rejection.message
    with tenant_context(organization=acme):
        apply_plan(organization=acme, plan=plan, valid_rows_only=True)  # no database error
    assert "501" not in {number for number, *_ in _directory(acme)[0]}


@pytest.mark.parametrize(
    ("column", "limit"),
    [("name", 200), ("job_title", 200), ("location", 200), ("department", 200),
     ("division", 200), ("employee_number", 64), ("manager_employee_number", 64)],
)  # fmt: skip
def test_a_value_too_long_is_refused_by_row_and_column_never_cut(acme, column, limit):
    long = "é" * (limit + 1)
    values = {"department": "Sales"} if column == "division" else {}
    values.update({} if column == "name" else {column: long})
    plan = _plan(acme, _csv(_row("1", long if column == "name" else "Al", **values)))

    messages = {(r.row, r.column): r.message for r in plan.rejections}
    assert messages[2, column] == f"At most {limit} characters; this value has {limit + 1}."


def test_a_value_exactly_at_its_limit_is_kept_whole(acme):
    plan = _plan(acme, _csv(_row("1", "é" * 200, job_title="t" * 200)))

    assert plan.rejections == []
    assert plan.rows["1"]["name"] == "é" * 200


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("job_level", "\u0663", "“٣” is not a whole number written with the digits 0 to 9."),
        ("job_level", "1_0", "“1_0” is not a whole number written with the digits 0 to 9."),
        ("job_level", "3.0", "“3.0” is not a whole number written with the digits 0 to 9."),
        ("job_level", "+3", "“+3” is not a whole number written with the digits 0 to 9."),
        ("birth_year", "\u0661\u0669\u0669\u0660", "is not a whole number"),
        ("birth_year", "1850", "1850 is outside 1900 to"),
        ("birth_year", str(date.today().year), "is outside 1900 to"),
        ("hire", "20200101", "“20200101” is not a date as YYYY-MM-DD."),
        ("hire", "2020-W01-1", "“2020-W01-1” is not a date as YYYY-MM-DD."),
        ("hire", "\u0662\u0660\u0662\u0660-01-01", "is not a date as YYYY-MM-DD."),
        ("hire", "1899-12-31", "1899-12-31 is not between 1900-01-01 and"),
        ("hire", "2202-01-01", "2202-01-01 is not between 1900-01-01 and"),
        ("termination_date", "9999-12-31", "9999-12-31 is not between 1900-01-01 and"),
    ],
)
def test_numbers_and_dates_are_read_strictly(acme, column, value, message):
    plan = _plan(acme, _csv(_row("1", "Al", **{column: value})))

    [rejection] = plan.rejections
    assert rejection.column == {"hire": "hire_date"}.get(column, column)
    assert message in rejection.message


# --- Generated bad input ----------------------------------------------------------------

_ODD = "\"',;\n\r\x00\u2028\u0663\u06f5\u0967_ -+.\t😀é"
_value = st.one_of(
    st.sampled_from(["", "1", "2", "3", "2020-01-01", "Europe/Lisbon", "a@acme.example"]),
    st.text(alphabet=st.sampled_from(list(_ODD) + list("abc0123456789")), max_size=12),
    st.text(max_size=8),
    st.builds(lambda n, c: c * n, st.integers(60, 260), st.sampled_from(["x", "é", "😀"])),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.integers(-5, 3000).map(str),
)
_line = st.one_of(
    # Written raw: quotes, separators and line breaks land as they are.
    st.lists(_value, min_size=1, max_size=len(COLUMNS) + 1).map(",".join),
    st.binary(max_size=40).map(lambda raw: raw.decode("latin-1")),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lines=st.lists(_line, min_size=1, max_size=8), latin1=st.booleans())
def test_generated_bad_input_is_named_or_imported_cleanly_and_an_error_changes_nothing(
    acme, lines, latin1
):
    header = ",".join(COLUMNS)
    text = header + "\n" + "\n".join(lines) + "\n"
    content = text.encode("latin-1", "replace") if latin1 else text.encode("utf-8", "replace")
    before = _directory(acme)
    with tenant_context(organization=acme), transaction.atomic():
        try:
            plan = plan_import(organization=acme, rows=HrFile(io.BytesIO(content)).rows())
        except FileProblem as problem:
            assert NAMED.match(str(problem)), str(problem)
            assert _directory(acme) == before
            return
        for rejection in plan.rejections:
            assert rejection.row >= 2 and rejection.column in COLUMNS, rejection
        if plan.rejections:
            with pytest.raises(RejectedRows):
                apply_plan(organization=acme, plan=plan, valid_rows_only=False)
            assert _directory(acme) == before
        # The valid rows apply without the database refusing any (a NUL, a value too
        # long, a number out of its column's range would): then rolled back, so that each
        # example starts from the same directory.
        apply_plan(organization=acme, plan=plan, valid_rows_only=True)
        transaction.set_rollback(True)
    assert _directory(acme) == before


def test_a_stray_nul_near_the_start_reaches_the_preview_and_is_named(acme):
    """The upload check refuses binary files by their start; one NUL in a text file is
    not that, and the preview names its row and column."""
    content = _csv(_row("1", "Al"), _row("2", "B\x00o"), _row("3", "Cy")).getvalue()
    upload = SimpleUploadedFile("roster.csv", content, content_type="text/csv")
    HR_FILE(upload)  # no refusal at upload

    plan = _plan(acme, io.BytesIO(content))

    [rejection] = plan.rejections
    assert (rejection.row, rejection.column) == (3, "name")
    assert "NUL" in rejection.message


def test_a_file_full_of_nuls_is_still_refused_at_upload(acme):
    upload = SimpleUploadedFile("roster.csv", b"a\x00b\x00c\x00" * 200, content_type="text/csv")

    with pytest.raises(ValidationError, match="roster.csv"):
        HR_FILE(upload)
