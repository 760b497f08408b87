from contextlib import ExitStack
from datetime import UTC

import django_filters
from django import forms
from django.db import transaction
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
from organizations.audit import audit_record, client_ip
from organizations.directory.importing import apply_plan, lock_directory, plan_import
from organizations.directory.selectors import department_and_below_ids
from organizations.models import ApiKey, AuditAction, Department, Employee, Membership
from organizations.roles import ROLE_FIELDS, Role
from organizations.tenancy import tenant_context

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="The request is not valid."),
    401: OpenApiResponse(
        ErrorSerializer, description="No API key or session, or a key that is not valid."
    ),
    403: OpenApiResponse(
        ErrorSerializer,
        description=(
            "The key's (or the member's) roles do not allow this; with the browser session, "
            "also no X-Organization header, a missing CSRF token or two-factor not set up."
        ),
    ),
    404: OpenApiResponse(
        ErrorSerializer,
        description=(
            "No such object in this organisation; with the browser session, also an "
            "X-Organization the member does not belong to."
        ),
    ),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests with this key."),
}


def _errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


class _IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number, not any decimal rounded down."""

    field_class = forms.IntegerField


class EmployeeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", help_text="Name, email or job title contains; or the employee number."
    )
    department = django_filters.CharFilter(
        method="in_department",
        help_text="Department name; a division's name gives every department in it.",
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

    def in_department(self, queryset, name, value):
        department = Department.objects.filter(
            organization=self.request.organization, name=value
        ).first()
        if department is None:
            return queryset.none()
        return queryset.filter(department__in=department_and_below_ids(department=department))


class DepartmentFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="iexact", help_text="The department's name.")
    parent = _IdFilter(field_name="parent__id", help_text="The division's id.")
    division = django_filters.CharFilter(
        field_name="parent__name", lookup_expr="iexact", help_text="The division's name."
    )

    class Meta:
        model = Department
        fields = ["name", "parent", "division"]


class MemberFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(
        choices=Role.choices, method="with_role", help_text="Members holding this role."
    )
    is_active = django_filters.BooleanFilter(help_text="Active (true) or deactivated (false).")
    email = django_filters.CharFilter(
        field_name="user__email", lookup_expr="iexact", help_text="The member's email address."
    )
    q = django_filters.CharFilter(method="search", help_text="Name or email contains.")

    class Meta:
        model = Membership
        fields = ["role", "is_active", "email", "q"]

    def with_role(self, queryset, name, value):
        return queryset.filter(**{ROLE_FIELDS[Role(value)]: True})

    def search(self, queryset, name, value):
        return queryset.filter(Q(user__name__icontains=value) | Q(user__email__icontains=value))


class OrganizationScoped:
    """Every list and lookup starts from the caller's organisation.

    With an API key, the middleware has entered the key's organisation already. With the
    browser session, the organisation (named by a header) is known only once DRF has
    authenticated the member (organizations.api.auth.MemberSessionAuthentication); the
    view enters it then, for the rest of the request, as the middleware does for a key."""

    def organization(self):
        return self.request.organization

    def dispatch(self, request, *args, **kwargs):
        self._entered_for_member = False
        with ExitStack() as self._member_organization:
            response = super().dispatch(request, *args, **kwargs)
            if self._entered_for_member:
                # As the middleware does: undo what a failed view wrote, and render
                # while the organisation is still in force.
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                response.render()
            return response

    def perform_authentication(self, request):
        super().perform_authentication(request)
        if isinstance(request.auth, Membership):
            self._member_organization.enter_context(
                tenant_context(organization=request.auth.organization, user=request.user)
            )
            self._entered_for_member = True


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
            .select_related("department__parent", "manager")
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
            "department__parent", "manager"
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
            "divisions_changed": len(plan.division_changes),
            "rejections": [r.as_dict() for r in plan.rejections],
        }
        if plan.rejections and not valid_rows_only:
            return Response(result, status=status.HTTP_409_CONFLICT)
        applied = apply_plan(organization=organization, plan=plan, valid_rows_only=valid_rows_only)
        result.update(applied=True, created=applied.created, updated=applied.updated)
        counts = ("created", "updated", "unchanged", "rejected", "divisions_changed")
        key = request.auth if isinstance(request.auth, ApiKey) else None
        audit_record(
            organization=organization,
            actor=None if key else request.user,
            action=AuditAction.DIRECTORY_IMPORTED,
            details={
                **({"api_key": key.name} if key else {"via": "api"}),
                **{k: result[k] for k in counts},
            },
            ip_address=client_ip(request),
        )
        return Response(result)


@extend_schema(
    tags=["directory"],
    responses={200: DepartmentSerializer(many=True), **_errors(400, 401, 403, 404, 429)},
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


@extend_schema(
    tags=["members"],
    responses={200: MemberSerializer(many=True), **_errors(400, 401, 403, 404, 429)},
)
class MemberList(OrganizationScoped, generics.ListAPIView):
    permission = "member.view"
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
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
