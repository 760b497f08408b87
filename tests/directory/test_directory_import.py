"""The HR file import: checking (the preview) and applying, all or nothing."""

import io

import pytest

from directory.csv_format import FileProblem, HrFile, template_csv
from directory.importing import RejectedRows, apply_plan, plan_import
from directory.models import Department, Employee
from organizations.tenancy import tenant_context
from tests.directory.helpers import HEADER, _csv, _plan, _row

pytestmark = pytest.mark.django_db


def _apply(organization, stream, valid_rows_only=False):
    with tenant_context(organization=organization):
        plan = plan_import(organization=organization, rows=HrFile(stream).rows())
        return apply_plan(organization=organization, plan=plan, valid_rows_only=valid_rows_only)


def _divisions(organization):
    with tenant_context(organization=organization):
        return {
            d.name: d.parent.name if d.parent else ""
            for d in Department.objects.select_related("parent")
        }


def _employees(organization):
    with tenant_context(organization=organization):
        return {
            e.employee_number: (
                e.name,
                e.manager.employee_number if e.manager else "",
                e.department.name if e.department else "",
            )
            for e in Employee.objects.select_related("manager", "department")
        }


def test_a_new_file_creates_everyone_with_managers_listed_after_their_reports(acme):
    result = _apply(
        acme, _csv(_row("2", "Bo", manager="1"), _row("3", "Cy", manager="2"), _row("1", "Al"))
    )

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert _employees(acme) == {
        "1": ("Al", "", "Engineering"),
        "2": ("Bo", "1", "Engineering"),
        "3": ("Cy", "2", "Engineering"),
    }


def test_the_same_file_twice_changes_nothing_the_second_time(acme):
    lines = (_row("1", "Al"), _row("2", "Bo", manager="1"))
    _apply(acme, _csv(*lines))

    plan = _plan(acme, _csv(*lines))

    assert (len(plan.to_create), len(plan.to_update), plan.unchanged) == (0, 0, 2)


def test_a_changed_row_is_an_update_and_departments_are_created_as_named(acme):
    _apply(acme, _csv(_row("1", "Al"), _row("2", "Bo", manager="1")))

    result = _apply(
        acme, _csv(_row("1", "Al"), _row("2", "Bo Brown", manager="1", department="Sales"))
    )

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert _employees(acme)["2"] == ("Bo Brown", "1", "Sales")
    with tenant_context(organization=acme):
        assert set(Department.objects.values_list("name", flat=True)) == {"Engineering", "Sales"}


def test_every_rejection_names_row_column_and_reason(acme):
    plan = _plan(
        acme,
        _csv(
            _row("1", "Al", email="al@example.com"),
            _row("2", "Bo", hire="2020-13-45"),
            _row("3", "Cy", manager="99"),
            _row("1", "Al again"),
            _row("4", "Di", email="al@example.com"),
            _row("5", "Ed", level="ten"),
            _row("6", "Fa", email="not-an-address"),
        ),
    )

    rejected = {(r.row, r.column): r.message for r in plan.rejections}
    assert rejected == {
        (3, "hire_date"): "“2020-13-45” is not a date as YYYY-MM-DD.",
        (
            4,
            "manager_employee_number",
        ): "No employee has the number 99, in the file or the directory.",
        (5, "employee_number"): "Employee number 1 is also on row 2.",
        (6, "email"): "al@example.com already belongs to row 2.",
        (7, "job_level"): "“ten” is not a whole number written with the digits 0 to 9.",
        (8, "email"): "“not-an-address” is not an email address.",
    }
    assert plan.to_create == ["1"]


def test_a_manager_loop_is_rejected_on_every_row_of_the_loop(acme):
    plan = _plan(
        acme,
        _csv(
            _row("1", "Al", manager="3"),
            _row("2", "Bo", manager="1"),
            _row("3", "Cy", manager="2"),
            _row("4", "Di"),
        ),
    )

    assert sorted(r.row for r in plan.rejections) == [2, 3, 4]
    assert "The reporting line loops: 1 → 3 → 2 → 1." in {r.message for r in plan.rejections}
    assert plan.to_create == ["4"]


def test_a_loop_through_the_existing_directory_is_found(acme):
    _apply(acme, _csv(_row("1", "Al"), _row("2", "Bo", manager="1")))

    plan = _plan(acme, _csv(_row("1", "Al", manager="2")))

    assert [r.column for r in plan.rejections] == ["manager_employee_number"]


def test_an_email_held_by_another_employee_in_the_directory_is_rejected(acme):
    _apply(acme, _csv(_row("1", "Al", email="al@example.com")))

    plan = _plan(acme, _csv(_row("2", "Bo", email="AL@example.com")))

    assert plan.rejections[0].message == "al@example.com already belongs to employee 1."


def test_an_email_can_move_when_its_holder_changes_address_in_the_same_file(acme):
    _apply(acme, _csv(_row("1", "Al", email="shared@example.com")))

    plan = _plan(
        acme,
        _csv(_row("1", "Al", email="al@example.com"), _row("2", "Bo", email="shared@example.com")),
    )

    assert plan.rejections == []


def test_a_file_with_rejections_changes_nothing(acme):
    with pytest.raises(RejectedRows):
        _apply(acme, _csv(_row("1", "Al"), _row("2", "Bo", hire="yesterday")))

    assert _employees(acme) == {}


def test_valid_rows_only_applies_exactly_the_valid_rows(acme):
    result = _apply(
        acme,
        _csv(_row("1", "Al"), _row("2", "Bo", hire="yesterday"), _row("3", "Cy", manager="2")),
        valid_rows_only=True,
    )

    assert set(_employees(acme)) == {"1"}
    assert result.rejected == 2


def test_semicolons_and_a_byte_order_mark_are_understood(acme):
    stream = _csv(
        _row("1", "Zoë").replace(",", ";"),
        header=HEADER.replace(",", ";"),
        encoding="utf-8-sig",
    )

    _apply(acme, stream)

    assert _employees(acme)["1"][0] == "Zoë"


def test_a_file_that_is_not_utf8_is_named_as_such(acme):
    with pytest.raises(FileProblem, match="not UTF-8"):
        list(HrFile(_csv(_row("1", "Zoë"), encoding="utf-16")).rows())


def test_a_file_without_the_required_columns_says_which(acme):
    with pytest.raises(FileProblem, match="no column employee_number"):
        HrFile(io.BytesIO(b"name,email\nAl,al@example.com\n"))


def test_the_template_imports_cleanly_as_it_is(acme):
    result = _apply(acme, io.BytesIO(template_csv().encode()))

    assert (result.created, result.rejected) == (2, 0)
    assert _employees(acme)["E1001"] == ("Ana Silva", "E0042", "Engineering")
    assert _divisions(acme) == {"Engineering": "Technology", "Technology": ""}


# --- Found by review ---------------------------------------------------------------


def test_a_loop_already_in_the_directory_does_not_hang_the_check(acme):
    with tenant_context(organization=acme):
        first = Employee.objects.create(organization=acme, employee_number="A", name="A")
        second = Employee.objects.create(
            organization=acme, employee_number="B", name="B", manager=first
        )
        Employee.objects.filter(pk=first.pk).update(manager=second)  # A → B → A

    plan = _plan(acme, _csv(_row("C", "Cy", manager="A")))

    assert plan.to_create == ["C"]


def test_an_address_can_move_to_a_new_employee_and_two_can_swap(acme):
    _apply(
        acme, _csv(_row("1", "Al", email="a@example.com"), _row("2", "Bo", email="b@example.com"))
    )

    _apply(
        acme,
        _csv(
            _row("1", "Al", email="b@example.com"),
            _row("2", "Bo", email="new-bo@example.com"),
            _row("3", "Cy", email="a@example.com"),
        ),
    )

    with tenant_context(organization=acme):
        emails = dict(Employee.objects.values_list("employee_number", "email"))
    assert emails == {"1": "b@example.com", "2": "new-bo@example.com", "3": "a@example.com"}


def test_an_address_stays_taken_when_the_row_moving_it_away_is_rejected(acme):
    _apply(acme, _csv(_row("1", "Al", email="a@example.com")))

    plan = _plan(
        acme,
        _csv(
            _row("1", "Al", email="new@example.com", manager="404"),
            _row("2", "Bo", email="a@example.com"),
        ),
    )

    assert {(r.row, r.column) for r in plan.rejections} == {
        (2, "manager_employee_number"),
        (3, "email"),
    }


def test_a_column_the_file_leaves_out_keeps_what_the_directory_has(acme):
    _apply(
        acme, _csv(_row("1", "Al", email="al@example.com", level="5"), _row("2", "Bo", manager="1"))
    )

    result = _apply(
        acme, io.BytesIO(b"employee_number,name,job_title\n1,Al,Chief\n2,Bo,Engineer\n")
    )

    assert result.updated == 2
    with tenant_context(organization=acme):
        al = Employee.objects.get(employee_number="1")
        bo = Employee.objects.select_related("manager", "department").get(employee_number="2")
    assert (al.email, al.job_level, al.job_title) == ("al@example.com", 5, "Chief")
    assert bo.manager.employee_number == "1" and bo.department.name == "Engineering"


def test_an_email_longer_than_the_column_is_rejected_not_a_crash(acme):
    plan = _plan(acme, _csv(_row("1", "Al", email="a" * 250 + "@example.com")))

    assert plan.rejections[0].message == "At most 254 characters; this value has 262."


def test_a_unicode_line_separator_inside_a_name_does_not_split_the_row(acme):
    _apply(acme, _csv(_row("1", "Al\u2028Smith", email="al@example.com")))

    assert _employees(acme)["1"][0] == "Al\u2028Smith"


def test_a_report_of_a_rejected_manager_row_names_that_row(acme):
    plan = _plan(acme, _csv(_row("2", "Bo", manager="1"), _row("1", "Al", hire="someday")))

    rejected = {(r.row, r.column): r.message for r in plan.rejections}
    assert rejected == {
        (2, "manager_employee_number"): "The manager's row 3 is rejected.",
        (3, "hire_date"): "“someday” is not a date as YYYY-MM-DD.",
    }


# --- Divisions ------------------------------------------------------------------------


def test_the_division_column_creates_the_division_and_puts_the_department_in_it(acme):
    result = _apply(
        acme,
        _csv(
            _row("1", "Al", department="Platform", division="Technology"),
            _row("2", "Bo", department="Platform", division="Technology"),
            _row("3", "Cy", department="Sales"),
        ),
    )

    assert result.divisions_changed == 1
    assert _divisions(acme) == {"Platform": "Technology", "Technology": "", "Sales": ""}


def test_a_departments_division_changes_when_the_file_says_so_and_only_then(acme):
    _apply(acme, _csv(_row("1", "Al", department="Platform", division="Technology")))

    moved = _plan(acme, _csv(_row("1", "Al", department="Platform", division="Product")))
    _apply(acme, _csv(_row("1", "Al", department="Platform", division="Product")))
    silent = _apply(acme, io.BytesIO(b"employee_number,name,department\n1,Al,Platform\n"))

    assert moved.division_changes == {"Platform": "Product"}
    assert silent.divisions_changed == 0
    assert _divisions(acme)["Platform"] == "Product"


def test_a_department_cannot_be_its_own_division(acme):
    plan = _plan(acme, _csv(_row("1", "Al", department="Platform", division="Platform")))

    assert [(r.row, r.column, r.message) for r in plan.rejections] == [
        (2, "division", "A department cannot be its own division.")
    ]


def test_divisions_that_loop_are_rejected_with_row_and_column(acme):
    plan = _plan(
        acme,
        _csv(
            _row("1", "Al", department="Platform", division="Technology"),
            _row("2", "Bo", department="Technology", division="Platform"),
            _row("3", "Cy", department="Sales"),
        ),
    )

    assert {(r.row, r.column) for r in plan.rejections} == {(2, "division"), (3, "division")}
    assert "The divisions loop: Platform → Technology → Platform." in {
        r.message for r in plan.rejections
    }
    assert plan.to_create == ["3"]


def test_a_division_loop_through_the_directory_is_found(acme):
    _apply(acme, _csv(_row("1", "Al", department="Platform", division="Technology")))

    plan = _plan(acme, _csv(_row("2", "Bo", department="Technology", division="Platform")))

    assert [(r.row, r.column) for r in plan.rejections] == [(2, "division")]
    assert _divisions(acme)["Technology"] == ""


def test_rows_that_give_one_department_two_divisions_are_rejected_after_the_first(acme):
    plan = _plan(
        acme,
        _csv(
            _row("1", "Al", department="Platform", division="Technology"),
            _row("2", "Bo", department="Platform", division="Product"),
        ),
    )

    assert [(r.row, r.column, r.message) for r in plan.rejections] == [
        (
            3,
            "division",
            "Row 2 puts Platform in the division “Technology”. A department has one division.",
        )
    ]


# --- The export's escaping comes back off --------------------------------------------


def test_a_value_the_export_escaped_as_a_formula_imports_as_it_was(acme):
    from organizations.spreadsheet import safe_cell

    line = ",".join(
        safe_cell(value)
        for value in ["1", "", "=Al", "Engineering", "", "+Chief", "", "", "2020-01-01"]
    )
    header = "employee_number,email,name,department,division,job_title,job_level,"
    header += "manager_employee_number,hire_date"

    _apply(acme, _csv(line, header=header, encoding="utf-8-sig"))

    with tenant_context(organization=acme):
        al = Employee.objects.get()
    assert (al.name, al.job_title) == ("=Al", "+Chief")


# --- The full stack -------------------------------------------------------------------


def test_the_worker_reads_the_same_uploaded_files_as_web():
    from pathlib import Path

    import yaml

    compose = yaml.safe_load((Path(__file__).parents[2] / "docker-compose.yml").read_text())
    media = {v for v in compose["services"]["web"]["volumes"] if v.endswith(":/app/var/media")}

    assert media and media <= set(compose["services"]["worker"].get("volumes", []))
