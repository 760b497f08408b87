from contextlib import ExitStack

import django_filters
from django.db import transaction
from django.db.models import Q
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics

from organizations.api.errors import ErrorSerializer
from organizations.api.filters import BooleanFilter, FilterSet
from organizations.api.serializers import MemberSerializer
from organizations.models import Membership
from organizations.roles import ROLE_FIELDS, Role
from organizations.tenancy import tenant_context
from organizations.uploads import API_BODY_MAX_BYTES, MB

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
    413: OpenApiResponse(
        ErrorSerializer,
        description=(
            f"The body is larger than the API takes ({API_BODY_MAX_BYTES // MB} MB, judged by "
            "its Content-Length); nothing was read or changed. Code `too_large`."
        ),
    ),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests with this key."),
}


def error_responses(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


class MemberFilter(FilterSet):
    role = django_filters.ChoiceFilter(
        choices=Role.choices, method="with_role", help_text="Members holding this role."
    )
    is_active = BooleanFilter(help_text="Active (true) or deactivated (false).")
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
    tags=["members"],
    responses={200: MemberSerializer(many=True), **error_responses(400, 401, 403, 404, 429)},
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


@extend_schema(
    tags=["members"], responses={200: MemberSerializer, **error_responses(401, 403, 404, 429)}
)
class MemberDetail(OrganizationScoped, generics.RetrieveAPIView):
    permission = "member.view"
    serializer_class = MemberSerializer

    def get_queryset(self):
        return Membership.objects.filter(organization=self.organization()).select_related("user")
