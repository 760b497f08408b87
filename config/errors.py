"""Error pages: the app's own look for people, the API's one JSON shape under /api/."""

from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"
SCIM_PREFIX = "/scim/"


def error_body(code: str, message: str, details=None) -> dict:
    """The API's one error shape; DRF's exception handler uses it too."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def api_error(code: str, message: str, status: int) -> JsonResponse:
    """An API error answered outside DRF (unknown addresses, rejected keys)."""
    return JsonResponse(error_body(code, message), status=status)


def scim_error(message: str, status: int) -> JsonResponse:
    """SCIM's error shape (RFC 7644 §3.12), for what fails outside its views."""
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": str(status),
        "detail": message,
    }
    return JsonResponse(body, status=status, content_type="application/scim+json")


def not_found(request, exception):
    if request.path.startswith(SCIM_PREFIX):
        return scim_error("No such address in the SCIM API.", 404)
    if request.path.startswith(API_PREFIX):
        return api_error("not_found", "No such address in the API.", 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(SCIM_PREFIX):
        return scim_error("Something went wrong on our side.", 500)
    if request.path.startswith(API_PREFIX):
        return api_error("server_error", "Something went wrong on our side.", 500)
    return defaults.server_error(request)
