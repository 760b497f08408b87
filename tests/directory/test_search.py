"""One search of the directory (directory.selectors): its page, the API and inviting by
filters find the same people for the same question."""

import pytest

from directory.api import EmployeeFilter as ApiEmployeeFilter
from directory.models import Department, Employee
from directory.selectors import EmployeeFilter, employee_list
from organizations.tenancy import tenant_context
from programs.forms import InviteByFilterForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(acme):
    with tenant_context(organization=acme):
        sales = Department.objects.create(organization=acme, name="Sales")
        north = Department.objects.create(organization=acme, name="Sales North", parent=sales)
        finance = Department.objects.create(organization=acme, name="Finance")
        people = {
            number: Employee.objects.create(
                organization=acme,
                employee_number=number,
                name=name,
                department=department,
                job_level=3,
            )
            for number, name, department in (
                ("E-100", "Ada", sales),
                ("E-200", "Ben", north),
                ("E-300", "Cal", finance),
            )
        }
    return {"sales": sales, "people": people}


def _numbers(queryset) -> set[str]:
    return set(queryset.values_list("employee_number", flat=True))


class _Request:
    def __init__(self, organization):
        self.organization = organization


def test_the_page_and_the_api_match_an_employee_number_case_aside(acme, roster):
    with tenant_context(organization=acme):
        page = EmployeeFilter(
            {"q": "e-200"}, queryset=employee_list(organization=acme), organization=acme
        )
        api = ApiEmployeeFilter(
            {"q": "e-200"},
            queryset=Employee.objects.filter(organization=acme),
            request=_Request(acme),
        )

        assert _numbers(page.qs) == _numbers(api.qs) == {"E-200"}


def test_a_division_means_its_departments_everywhere(acme, roster):
    division = roster["sales"]
    with tenant_context(organization=acme):
        page = EmployeeFilter(
            {"department": division.pk},
            queryset=employee_list(organization=acme),
            organization=acme,
        )
        api = ApiEmployeeFilter(
            {"department": "Sales"},
            queryset=Employee.objects.filter(organization=acme),
            request=_Request(acme),
        )
        form = InviteByFilterForm({"role": "mentor", "department": division.pk}, organization=acme)
        assert form.is_valid(), form.errors

        assert _numbers(page.qs) == _numbers(api.qs) == _numbers(form.employees(acme))
        assert _numbers(form.employees(acme)) == {"E-100", "E-200"}
