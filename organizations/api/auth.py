"""How the API knows who is calling and what they may do.

Two credentials, each acting in one organisation:

- An API key (``Authorization: Bearer upturn_...``): the organisation middleware has
  already read it, entered its organisation and put it on the request; here DRF is told
  about it. The key's roles decide.
- The browser session of a signed-in member, for the app's own pages: the organisation is
  named by the ``X-Organization`` header (its address, as in /o/<address>/). The same
  rules as for the organisation's pages hold (organizations.middleware): an active
  membership or 404, the idle sign-out, the two-factor requirement; DRF enforces CSRF on
  unsafe methods. The member's roles decide. The view then enters the organisation
  (organizations.api.views.OrganizationScoped), as the middleware does for a key.

A view names its ``permission`` from ``organizations/permissions.py``; a view that names
none is refused, so a forgotten declaration fails closed.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from organizations.audit import audit_record_in_every_organization, client_ip
from organizations.middleware import _idle_too_long, _must_set_up_mfa, _touch
from organizations.models import ApiKey, AuditAction, Membership
from organizations.permissions import has_permission
from organizations.selectors import membership_list_for_user
from organizations.tenancy import tenant_context

ORGANIZATION_HEADER = "X-Organization"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        raw_request = request._request
        if getattr(raw_request, "api_key_rejected", False):
            raise exceptions.AuthenticationFailed(
                _("The API key is not valid: unknown, revoked or expired.")
            )
        key = getattr(raw_request, "api_key", None)
        return None if key is None else (AnonymousUser(), key)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An organisation's API key, made by an admin under Settings → API keys.",
        }


class MemberSessionAuthentication(SessionAuthentication):
    """A signed-in member, in the organisation the X-Organization header names.

    Fails closed: no header, a slug that is not one of the person's active memberships,
    an idle session or missing two-factor set-up each refuse the request, never fall
    back to another organisation."""

    def authenticate(self, request):
        found = super().authenticate(request)  # None, or the user once CSRF is checked
        if found is None:
            return None
        user, raw = found[0], request._request
        with tenant_context(user=user):
            memberships = list(membership_list_for_user(user=user))
        if _idle_too_long(raw, memberships):
            audit_record_in_every_organization(
                actor=user, action=AuditAction.SESSION_EXPIRED, ip_address=client_ip(raw)
            )
            logout(raw)
            raise exceptions.NotAuthenticated(
                _("You were signed out after a period of inactivity. Sign in again to continue.")
            )
        _touch(raw)
        slug = request.headers.get(ORGANIZATION_HEADER, "").strip()
        if not slug:
            raise exceptions.PermissionDenied(
                _(
                    "Name the organisation in the X-Organization header: its address, as in "
                    "/o/<address>/."
                )
            )
        membership = next((m for m in memberships if m.organization.slug == slug), None)
        if membership is None:
            # As for the organisation's pages: 404, which does not confirm it exists.
            raise exceptions.NotFound(_("No such organisation."))
        if _must_set_up_mfa(raw, membership, membership.organization):
            raise exceptions.PermissionDenied(
                _(
                    "%(organization)s requires two-factor authentication for your role. "
                    "Set it up in the app first."
                )
                % {"organization": membership.organization.name}
            )
        raw.membership = membership
        raw.organization = membership.organization
        return user, membership


class MemberSessionScheme(OpenApiAuthenticationExtension):
    target_class = MemberSessionAuthentication
    name = ["memberSession", "organizationHeader"]  # both at once
    priority = 1  # over drf-spectacular's own scheme for SessionAuthentication

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "apiKey",
                "in": "cookie",
                "name": settings.SESSION_COOKIE_NAME,
                "description": (
                    "The browser session of a signed-in member (the app's own pages). "
                    "Unsafe methods also need the CSRF token in the X-CSRFToken header."
                ),
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": ORGANIZATION_HEADER,
                "description": (
                    "With the browser session: the organisation's address, as in "
                    "/o/<address>/. The member's roles there decide what they may do."
                ),
            },
        ]


class OrganizationPermission(BasePermission):
    message = _("This API key's roles do not allow this.")

    def has_permission(self, request, view) -> bool:
        permission = getattr(view, "permission", None)
        credential = request.auth
        if permission is None or not isinstance(credential, ApiKey | Membership):
            return False
        if isinstance(credential, Membership):
            self.message = _("Your roles in this organisation do not allow this.")
            # Only a view that entered the member's organisation may serve them
            # (organizations.api.views.OrganizationScoped); any other refuses.
            if not getattr(view, "_entered_for_member", False):
                return False
        return has_permission(credential, permission)


class ApiKeyThrottle(SimpleRateThrottle):
    """Per API key, and per member for the browser session."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            ident = request.auth.pk
        elif isinstance(request.auth, Membership):
            ident = f"member-{request.auth.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}
