"""Small helpers every organisation view shares."""

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed

T = TypeVar("T")


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


def run_on_form(
    form, action: Callable[[], T], *, field: str | None = None
) -> tuple[bool, T | None]:
    """Run a service call for a valid form; what the service refused (its ValidationError
    messages) goes back on the form, on ``field`` or, by default, the form as a whole, so
    the page shows it where the form shows its own errors.

    Returns ``(True, what the service returned)`` if it ran, ``(False, None)`` if refused::

        done, goal = run_on_form(form, lambda: services.goal_add(pair=pair, actor=me, ...))
        if done:
            return redirect(...)
    """
    try:
        result = action()
    except ValidationError as error:
        for message in error.messages:
            form.add_error(field, message)
        return False, None
    return True, result


def flash_form_errors(request, form) -> None:
    """For a form posted from a page that does not show it again (an action on a list or a
    workspace): each field's errors become one message on the page it goes back to."""
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
