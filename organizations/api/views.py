from datetime import UTC

import django_filters
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.api.errors import ErrorSerializer
from organizations.api.serializers import (
    BulkUpsertResultSerializer,
    BulkUpsertSerializer,
    DepartmentSerializer,
    EmployeeSerializer,
    MemberSerializer,
)
from organizations.audit import audit_record
from organizations.directory.importing import apply_plan, lock_directory, plan_import
from organizations.models import AuditAction, Department, Employee, Membership

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="The request is not valid."),
    401: OpenApiResponse(ErrorSerializer, description="No API key, or one that is not valid."),
    403: OpenApiResponse(ErrorSerializer, description="The key's roles do not allow this."),
    404: OpenApiResponse(ErrorSerializer, description="No such object in this organisation."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests with this key."),
}


def _errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


class EmployeeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", help_text="Name, email or job title contains; or the employee number."
    )
    department = django_filters.CharFilter(
        field_name="department__name", help_text="Department name."
    )
    level = django_filters.NumberFilter(field_name="job_level")
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
        return queryset.filter(
            Q(name__icontains=value)
            | Q(email__icontains=value)
            | Q(job_title__icontains=value)
            | Q(employee_number=value)
        )


class OrganizationScoped:
    """Every list and lookup starts from the caller's organisation."""

    def organization(self):
        return self.request.organization


@extend_schema(
    tags=["directory"],
    responses={200: EmployeeSerializer(many=True), **_errors(400, 401, 403, 404, 429)},
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
            .select_related("department", "manager")
            .order_by("name", "employee_number")
        )


@extend_schema(
    tags=["directory"], responses={200: EmployeeSerializer, **_errors(401, 403, 404, 429)}
)
class EmployeeDetail(OrganizationScoped, generics.RetrieveAPIView):
    permission = "directory.view"
    serializer_class = EmployeeSerializer

    def get_queryset(self):
        return Employee.objects.filter(organization=self.organization()).select_related(
            "department", "manager"
        )


@extend_schema(
    tags=["directory"],
    request=BulkUpsertSerializer,
    responses={
        200: BulkUpsertResultSerializer,
        409: BulkUpsertResultSerializer,
        **_errors(400, 401, 403, 429),
    },
    description=(
        "Create or update employees by employee number, with the same checks as the CSV "
        "import. All or nothing: if any row is rejected nothing changes (409) unless "
        "valid_rows_only is true."
    ),
)
class EmployeeBulkUpsert(OrganizationScoped, APIView):
    permission = "directory.manage"
    parser_classes = [JSONParser]

    def post(self, request):
        payload = BulkUpsertSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rows = enumerate(payload.validated_data["rows"], start=1)
        organization = self.organization()
        lock_directory(organization)
        plan = plan_import(organization=organization, rows=rows)
        valid_rows_only = payload.validated_data["valid_rows_only"]
        result = {
            "applied": False,
            "created": len(plan.to_create),
            "updated": len(plan.to_update),
            "unchanged": plan.unchanged,
            "rejected": plan.rejected_rows,
            "rejections": [r.as_dict() for r in plan.rejections],
        }
        if plan.rejections and not valid_rows_only:
            return Response(result, status=status.HTTP_409_CONFLICT)
        applied = apply_plan(organization=organization, plan=plan, valid_rows_only=valid_rows_only)
        result.update(applied=True, created=applied.created, updated=applied.updated)
        audit_record(
            organization=organization,
            actor=None,
            action=AuditAction.DIRECTORY_IMPORTED,
            details={
                "api_key": request.auth.name,
                **{k: result[k] for k in ("created", "updated", "unchanged", "rejected")},
            },
            request=request,
        )
        return Response(result)


@extend_schema(
    tags=["directory"],
    responses={200: DepartmentSerializer(many=True), **_errors(400, 401, 403, 404, 429)},
)
class DepartmentList(OrganizationScoped, generics.ListAPIView):
    permission = "directory.view"
    serializer_class = DepartmentSerializer
    queryset = Department.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self):
        return Department.objects.filter(organization=self.organization()).order_by("name")


@extend_schema(
    tags=["members"],
    responses={200: MemberSerializer(many=True), **_errors(400, 401, 403, 404, 429)},
)
class MemberList(OrganizationScoped, generics.ListAPIView):
    permission = "member.view"
    serializer_class = MemberSerializer
    queryset = Membership.objects.none()  # for the schema; requests use get_queryset()

    def get_queryset(self):
        return (
            Membership.objects.filter(organization=self.organization())
            .select_related("user")
            .order_by("id")
        )


@extend_schema(tags=["members"], responses={200: MemberSerializer, **_errors(401, 403, 404, 429)})
class MemberDetail(OrganizationScoped, generics.RetrieveAPIView):
    permission = "member.view"
    serializer_class = MemberSerializer

    def get_queryset(self):
        return Membership.objects.filter(organization=self.organization()).select_related("user")
