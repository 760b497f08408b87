"""How the API knows who is calling and what they may do.

The organisation middleware has already read the key (``Authorization: Bearer upturn_...``),
entered its organisation and put it on the request; here DRF is told about it. A view
names its ``permission`` from ``organizations/permissions.py``; a view that names none is
refused, so a forgotten declaration fails closed.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from organizations.models import ApiKey
from organizations.permissions import has_permission


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


class OrganizationPermission(BasePermission):
    message = _("This API key's roles do not allow this.")

    def has_permission(self, request, view) -> bool:
        permission = getattr(view, "permission", None)
        key = request.auth
        if permission is None or not isinstance(key, ApiKey):
            return False
        return has_permission(key, permission)


class ApiKeyThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
