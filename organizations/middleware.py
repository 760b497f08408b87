"""Resolves the organisation of every /o/<slug>/ request, in one place, and runs the whole
response (template rendering included) inside it.

A request under /o/<slug>/ reaches its view only if the signed-in user holds an active
membership of that organisation; anyone else gets 404, never 403, because 403 would
confirm that the organisation exists. Every signed-in request runs in a transaction that
carries the user (for the database policies that show a person their own rows); an
organisation's pages also carry the organisation (``organizations.tenancy``).

The organisation's sign-in rules apply here too: members idle for longer than it allows
are signed out, and staff it requires two-factor authentication of are sent to set it up.
"""

import time

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from organizations.audit import audit_record
from organizations.models import AuditAction
from organizations.roles import Role
from organizations.selectors import membership_get_active
from organizations.tenancy import tenant_context

ORG_URL_KWARG = "org_slug"
LAST_SEEN_SESSION_KEY = "upturn_last_seen"
# Refresh the last-seen time at most this often, so not every request writes the session.
LAST_SEEN_RESOLUTION_SECONDS = 60
MFA_REQUIRED_ROLES = (Role.ADMIN, Role.PROGRAM_MANAGER, Role.EXECUTIVE)


class OrganizationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        request.membership = None
        slug = _organization_slug(request.path_info)
        if not request.user.is_authenticated:
            if slug is not None:
                return redirect_to_login(request.get_full_path())
            return self.get_response(request)
        with tenant_context(user=request.user):
            if slug is None:
                _touch(request)
                return self.get_response(request)
            membership = membership_get_active(user=request.user, organization_slug=slug)
            if membership is None:
                raise Http404("No such organisation.")
            organization = membership.organization
            with tenant_context(organization=organization, user=request.user):
                if _idle_too_long(request, organization):
                    return _sign_out_idle(request, organization)
                _touch(request)
                if _must_set_up_mfa(request.user, membership, organization):
                    return _send_to_mfa_setup(request, organization)
                request.membership = membership
                request.organization = organization
                translation.activate(organization.locale)
                return self.get_response(request)


def _organization_slug(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.kwargs.get(ORG_URL_KWARG)


def _touch(request) -> None:
    now = int(time.time())
    if now - request.session.get(LAST_SEEN_SESSION_KEY, 0) >= LAST_SEEN_RESOLUTION_SECONDS:
        request.session[LAST_SEEN_SESSION_KEY] = now


def _idle_too_long(request, organization) -> bool:
    last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
    return (
        last_seen is not None and time.time() - last_seen > organization.session_idle_minutes * 60
    )


def _sign_out_idle(request, organization):
    audit_record(
        organization=organization,
        actor=request.user,
        action=AuditAction.SESSION_EXPIRED,
        target=request.user,
        request=request,
    )
    logout(request)
    messages.info(
        request, _("You were signed out after a period of inactivity. Sign in again to continue.")
    )
    return redirect_to_login(request.get_full_path())


def _must_set_up_mfa(user, membership, organization) -> bool:
    return (
        organization.require_mfa_for_staff
        and membership.has_role(*MFA_REQUIRED_ROLES)
        and not is_mfa_enabled(user)
    )


def _send_to_mfa_setup(request, organization):
    messages.warning(
        request,
        _("%(organization)s requires two-factor authentication for your role. Set it up now.")
        % {"organization": organization.name},
    )
    return redirect("mfa_activate_totp")
