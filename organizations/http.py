"""Small helpers every organisation view shares."""

from django.http import HttpResponseNotAllowed


def posted(request):
    """The submitted data of a POST (even an empty one, which must show its errors)."""
    return request.POST if request.method == "POST" else None


def post_only():
    """For actions that only POST: return it after the object lookup, so that another
    organisation's object answers 404 to every method, exactly like a missing one."""
    return HttpResponseNotAllowed(["POST"])
