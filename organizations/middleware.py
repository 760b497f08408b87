"""Resolves the organisation of every /o/<slug>/ request, in one place.

A request under /o/<slug>/ reaches its view only if the signed-in user holds an active
membership of that organisation; anyone else gets 404, never 403, because 403 would
confirm that the organisation exists.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import Resolver404, resolve

from organizations.selectors import membership_get_active

ORG_URL_KWARG = "org_slug"


class OrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        request.membership = None
        slug = _organization_slug(request.path_info)
        if slug is None:
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = membership_get_active(user=request.user, organization_slug=slug)
        if membership is None:
            raise Http404("No such organisation.")
        request.membership = membership
        request.organization = membership.organization
        return self.get_response(request)


def _organization_slug(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.kwargs.get(ORG_URL_KWARG)
