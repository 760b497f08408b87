"""Small helpers every organisation view shares."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed


def posted(request):
    """The submitted data of a POST (even an empty one, which must show its errors)."""
    return request.POST if request.method == "POST" else None


def post_only():
    """For actions that only POST: return it after the object lookup, so that another
    organisation's object answers 404 to every method, exactly like a missing one."""
    return HttpResponseNotAllowed(["POST"])


def run_reporting(request, action: Callable[[], object], success: str | None) -> bool:
    """Run a service call; tell the person what it refused (its ValidationError messages)
    or ``success``, if any. True if it ran."""
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    if success:
        messages.success(request, success)
    return True
