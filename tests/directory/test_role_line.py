"""How lists show a person's job: title and department, never the department twice."""

from directory.models import Department, Employee


def _employee(title, department):
    employee = Employee(name="Pat", job_title=title)
    if department:
        employee.department = Department(pk=1, name=department)
    return employee


def test_a_title_that_names_its_department_is_not_followed_by_it_again():
    assert _employee("Director, Operations", "Operations").role_line == "Director, Operations"
    assert _employee("Head of sales", "Sales").role_line == "Head of sales"


def test_otherwise_title_and_department_are_both_shown():
    assert _employee("Engineer", "Sales").role_line == "Engineer, Sales"
    assert _employee("Salesforce admin", "Sales").role_line == "Salesforce admin, Sales"
    assert _employee("", "Sales").role_line == "Sales"
    assert _employee("Engineer", None).role_line == "Engineer"
