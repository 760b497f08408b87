"""The directory's REST API: employees (list, detail, bulk upsert) and departments."""

from dataclasses import asdict
from datetime import UTC

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.csv_format import MAX_LEVEL
from directory.models import Department, Employee
from directory.selectors import employees_in_department, employees_searched
from directory.serializers import (
    MAX_BULK_ROWS,
    BulkUpsertResultSerializer,
    BulkUpsertSerializer,
    DepartmentSerializer,
    EmployeeSerializer,
)
from directory.services import directory_rows_upsert
from organizations.api.filters import FilterSet, IdFilter, WholeNumberFilter
from organizations.api.views import OrganizationScoped, error_responses
from organizations.audit import client_ip
from organizations.models import ApiKey
from organizations.uploads import API_BODY_MAX_BYTES, MB


class EmployeeFilter(FilterSet):
    q = django_filters.CharFilter(
        method="search", help_text="Name, email or job title contains; or the employee number."
    )
    department = django_filters.CharFilter(
        method="in_department",
        help_text="Department name; a division's name gives every department in it.",
    )
    level = WholeNumberFilter(field_name="job_level", min_value=0, max_value=MAX_LEVEL)
    location = django_filters.CharFilter()
    updated_since = django_filters.IsoDateTimeFilter(
        method="changed_since", help_text="Changed at or after this moment (ISO 8601)."
    )

    class Meta:
        model = Employee
        fields = ["q", "department", "level", "location", "updated_since"]

    def changed_since(self, queryset, name, value):
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows.
        try:
            moment = value.astimezone(UTC)
        except OverflowError as exc:
            raise ValidationError({"updated_since": _("This moment is out of range.")}) from exc
        return queryset.filter(updated_at__gte=moment)

    def search(self, queryset, name, value):
        return employees_searched(queryset, value)

    def in_department(self, queryset, name, value):
        department = Department.objects.filter(
            organization=self.request.organization, name=value
        ).first()
        if department is None:
            return queryset.none()
        return employees_in_department(queryset, department)


class DepartmentFilter(FilterSet):
    name = django_filters.CharFilter(lookup_expr="iexact", help_text="The department's name.")
    parent = IdFilter(field_name="parent__id", help_text="The division's id.")
    division = django_filters.CharFilter(
        field_name="parent__name", lookup_expr="iexact", help_text="The division's name."
    )

    class Meta:
        model = Department
        fields = ["name", "parent", "division"]


@extend_schema(
    tags=["directory"],
    responses={200: EmployeeSerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
)
class EmployeeList(OrganizationScoped, generics.ListAPIView):
    """The directory, filtered and paginated."""

    permission = "directory.view"
    serializer_class = EmployeeSerializer
    filterset_class = EmployeeFilter
    queryset = Employee.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self):
        return (
            Employee.objects.filter(organization=self.organization())
            .select_related("department__parent", "manager")
            .order_by("name", "employee_number")
        )


@extend_schema(
    tags=["directory"], responses={200: EmployeeSerializer, **error_responses(401, 403, 404, 429)}
)
class EmployeeDetail(OrganizationScoped, generics.RetrieveAPIView):
    permission = "directory.view"
    serializer_class = EmployeeSerializer

    def get_queryset(self):
        return Employee.objects.filter(organization=self.organization()).select_related(
            "department__parent", "manager"
        )


@extend_schema(
    tags=["directory"],
    request=BulkUpsertSerializer,
    responses={
        200: BulkUpsertResultSerializer,
        409: BulkUpsertResultSerializer,
        **error_responses(400, 401, 403, 413, 429),
    },
    description=(
        "Create or update employees by employee number, with the same checks as the CSV "
        "import. All or nothing: if any row is rejected nothing changes (409) unless "
        "valid_rows_only is true. A value too long for its field, or not written as the "
        "field says, is a rejection naming its row and column, never cut or guessed. At "
        f"most {MAX_BULK_ROWS:,} rows (400 past it) and a body of at most "
        f"{API_BODY_MAX_BYTES // MB} MB (413 past it): the row maximum fits the body limit "
        "with every value at its longest."
    ),
)
class EmployeeBulkUpsert(OrganizationScoped, APIView):
    permission = "directory.manage"
    parser_classes = [JSONParser]

    def post(self, request):
        payload = BulkUpsertSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        key = request.auth if isinstance(request.auth, ApiKey) else None
        outcome = directory_rows_upsert(
            organization=self.organization(),
            rows=enumerate(payload.validated_data["rows"], start=1),
            valid_rows_only=payload.validated_data["valid_rows_only"],
            actor=None if key else request.user,
            api_key_name=key.name if key else "",
            ip_address=client_ip(request),
        )
        return Response(
            asdict(outcome),
            status=status.HTTP_200_OK if outcome.applied else status.HTTP_409_CONFLICT,
        )


@extend_schema(
    tags=["directory"],
    responses={200: DepartmentSerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
)
class DepartmentList(OrganizationScoped, generics.ListAPIView):
    """The departments, each with its division (its parent department)."""

    permission = "directory.view"
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    queryset = Department.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self):
        return (
            Department.objects.filter(organization=self.organization())
            .select_related("parent")
            .order_by("name")
        )
