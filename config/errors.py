"""Error pages: the app's own look for people, the API's one JSON shape under /api/."""

from django.http import JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def error_body(code: str, message: str, details=None) -> dict:
    """The API's one error shape; DRF's exception handler uses it too."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def api_error(code: str, message: str, status: int) -> JsonResponse:
    """An API error answered outside DRF (unknown addresses, rejected keys)."""
    return JsonResponse(error_body(code, message), status=status)


def not_found(request, exception):
    if request.path.startswith(API_PREFIX):
        return api_error("not_found", "No such address in the API.", 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return api_error("server_error", "Something went wrong on our side.", 500)
    return defaults.server_error(request)
