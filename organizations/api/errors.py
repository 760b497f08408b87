"""Every API error in one JSON shape: {"error": {"code", "message", "details"}}."""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from config.errors import error_body

logger = logging.getLogger(__name__)


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField(
        help_text=(
            "Always an object: what is wrong, by field (a list of messages, or an object "
            "or list for a nested field); non_field_errors for the request as a whole; "
            "empty when the message says it all."
        )
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # Past DATA_UPLOAD_MAX_MEMORY_SIZE, should an operator set it below the API's own
        # body limit (which answers the same, earlier: organizations.uploads).
        return Response(
            error_body("too_large", _("The request is too large. Nothing was saved.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled API error", exc_info=exc)
        return Response(
            error_body("server_error", _("Something went wrong on our side.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        message, details = str(data["detail"]), {}
    elif isinstance(data, dict):
        message, details = _("The request is not valid."), data
    else:
        # details is always an object, keyed by field: errors of no one field (a
        # ValidationError raised with a message or a list) go under non_field_errors.
        message, details = _("The request is not valid."), {"non_field_errors": data}
    if isinstance(exc, Http404):
        code = "not_found"
    elif isinstance(exc, PermissionDenied):
        code = "permission_denied"
    else:
        code = getattr(exc, "default_code", "error")
    response.data = error_body(code, message, details)
    return response
