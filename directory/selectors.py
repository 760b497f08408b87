import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from directory.models import Department, DirectoryImport, Employee
from organizations.models import Organization

MAX_REPORTING_LINE = 50  # far beyond any real hierarchy; stops a corrupted loop


def employee_list(*, organization: Organization) -> QuerySet[Employee]:
    return Employee.objects.filter(organization=organization).select_related("department__parent")


def department_and_below_ids(*, department: Department) -> set[int]:
    """The department and every department below it (a division's departments, theirs…)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Department.objects.filter(
        organization_id=department.organization_id
    ).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, pending = set(), [department.pk]
    while pending:
        pk = pending.pop()
        if pk not in found:  # a loop someone made by hand must not spin
            found.add(pk)
            pending.extend(children.get(pk, []))
    return found


# The one search of the directory: its page, the API and inviting by filters all use it.


def employees_searched(queryset: QuerySet[Employee], text: str) -> QuerySet[Employee]:
    """Name, email or job title containing ``text``, or the employee number itself (case
    aside, as numbers like "e-1042" are typed either way)."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(name__icontains=text)
        | Q(email__icontains=text)
        | Q(employee_number__iexact=text)
        | Q(job_title__icontains=text)
    )


def employees_in_department(
    queryset: QuerySet[Employee], department: Department | None
) -> QuerySet[Employee]:
    """In ``department`` or, for a division, in any department below it."""
    if department is None:
        return queryset
    return queryset.filter(department__in=department_and_below_ids(department=department))


class DepartmentChoiceField(forms.ModelChoiceField):
    """Departments, each labelled with its division."""

    def label_from_instance(self, department):
        if department.parent is None:
            return department.name
        return _("%(department)s (%(division)s)") % {
            "department": department.name,
            "division": department.parent.name,
        }


class DepartmentChoiceFilter(django_filters.ModelChoiceFilter):
    """A department, or a division with every department in it."""

    field_class = DepartmentChoiceField

    def filter(self, queryset, value):
        return employees_in_department(queryset, value or None)


class EmployeeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name, email, employee number or job title"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    department = DepartmentChoiceFilter(
        label=_("Department or division"),
        queryset=Department.objects.none(),
        empty_label=_("All departments"),
    )
    level = django_filters.NumberFilter(
        label=_("Job level"), field_name="job_level", widget=forms.NumberInput(attrs={"min": 0})
    )
    location = django_filters.ChoiceFilter(label=_("Location"), empty_label=_("All locations"))

    class Meta:
        model = Employee
        fields = ["q", "department", "level", "location"]

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["department"].queryset = Department.objects.filter(
            organization=organization
        ).select_related("parent")
        locations = (
            Employee.objects.filter(organization=organization)
            .exclude(location="")
            .order_by("location")
            .values_list("location", flat=True)
            .distinct()
        )
        self.filters["location"].extra["choices"] = [(name, name) for name in locations]

    def search(self, queryset, name, value):
        return employees_searched(queryset, value)


def employee_reporting_line(employee: Employee) -> list[Employee]:
    """The employee's managers, nearest first, up to the top."""
    chain, seen = [], {employee.pk}
    manager_id = employee.manager_id
    while manager_id and manager_id not in seen and len(chain) < MAX_REPORTING_LINE:
        manager = Employee.objects.select_related("department").get(pk=manager_id)
        chain.append(manager)
        seen.add(manager.pk)
        manager_id = manager.manager_id
    return chain


def employee_direct_reports(employee: Employee) -> QuerySet[Employee]:
    return employee.reports.select_related("department").order_by("name")


def directory_import_list(*, organization: Organization) -> QuerySet[DirectoryImport]:
    return DirectoryImport.objects.filter(organization=organization).select_related("uploaded_by")
