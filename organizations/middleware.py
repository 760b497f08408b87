"""Resolves the organisation of every /o/<slug>/ request, in one place, and runs the whole
response (template rendering included) inside it.

A request under /o/<slug>/ reaches its view only if the signed-in user holds an active
membership of that organisation; anyone else gets 404, never 403, because 403 would
confirm that the organisation exists. Every signed-in request runs in a transaction that
carries the user (for the database policies that show a person their own rows); an
organisation's pages also carry the organisation (``organizations.tenancy``). A view that
fails rolls back everything it wrote.

Inside an organisation, pages speak its language and show times in its time zone.

The organisations' sign-in rules apply here too: a person idle for longer than the
strictest of their organisations allows is signed out, and staff whom an organisation
requires two-factor authentication of are sent to set it up before anything else there.
"""

import time

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.errors import API_PREFIX, api_error
from organizations.api_keys import api_key_find, api_key_organization_slug
from organizations.audit import audit_record_in_every_organization, client_ip
from organizations.languages import language_for
from organizations.models import AuditAction, Organization
from organizations.roles import Role
from organizations.selectors import membership_list_for_user
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
        request.user_memberships = []
        request.api_key = None
        if request.path_info.startswith(API_PREFIX):
            return self._api(request)
        slug = _organization_slug(request.path_info)
        if not request.user.is_authenticated:
            if slug is not None:
                return redirect_to_login(request.get_full_path())
            return self.get_response(request)
        with tenant_context(user=request.user):
            # One query gives the organisation switcher, the idle limit and this page's
            # membership; it runs before any organisation is entered, where the policy
            # lets a person see their own memberships.
            memberships = list(membership_list_for_user(user=request.user))
            request.user_memberships = memberships
            if _idle_too_long(request, memberships):
                return _sign_out_idle(request)
            _touch(request)
            if slug is None:
                return self._respond(request)
            membership = next((m for m in memberships if m.organization.slug == slug), None)
            if membership is None:
                raise Http404("No such organisation.")
            organization = membership.organization
            with tenant_context(organization=organization, user=request.user):
                if _must_set_up_mfa(request.user, membership, organization):
                    return _send_to_mfa_setup(request, organization)
                request.membership = membership
                request.organization = organization
                translation.activate(language_for(user=request.user, organization=organization))
                # Times on its pages (the audit log, sessions) in the organisation's zone;
                # put back afterwards, so the next request on this thread starts clean.
                with timezone.override(organization.zone):
                    return self._respond(request)

    def _api(self, request):
        """The API: the key names its organisation; a valid key enters it. Which key may
        do what is for the view's declared permission (organizations.api.auth)."""
        raw_key = _bearer_token(request)
        if raw_key:
            organization = _organization_named_by(raw_key)
            if organization is not None:
                with tenant_context(organization=organization):
                    key = api_key_find(organization=organization, raw_key=raw_key)
                    if key is not None:
                        request.api_key = key
                        request.organization = organization
                        return self._respond(request)
            request.api_key_rejected = True
            # Guessing keys: each address gets a few wrong ones a minute, then waits.
            if _too_many_rejected_keys(request):
                return api_error(
                    "throttled", _("Too many requests with keys that are not valid."), 429
                )
        return self.get_response(request)

    def _respond(self, request):
        response = self.get_response(request)
        # Django turns a view's exception into an error page before it reaches us, so the
        # transaction would commit what the failed view wrote: undo it.
        if response.status_code >= 500:
            transaction.set_rollback(True)
        return response


REJECTED_KEYS_PER_MINUTE = 20


def _too_many_rejected_keys(request) -> bool:
    """Count this address's rejected keys in the current minute (in the shared cache)."""
    window = int(time.time() // 60)
    key = f"api-key-rejected:{client_ip(request)}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > REJECTED_KEYS_PER_MINUTE


def _bearer_token(request) -> str | None:
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _organization_named_by(raw_key: str) -> Organization | None:
    slug = api_key_organization_slug(raw_key)
    return Organization.objects.filter(slug=slug).first() if slug else None


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


def _idle_too_long(request, memberships) -> bool:
    """Checked on every signed-in page, not just an organisation's, so that opening another
    page first cannot reset the clock."""
    last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
    if last_seen is None or not memberships:
        return False
    limit = min(m.organization.session_idle_minutes for m in memberships) * 60
    return time.time() - last_seen > limit


def _sign_out_idle(request):
    audit_record_in_every_organization(
        actor=request.user, action=AuditAction.SESSION_EXPIRED, ip_address=client_ip(request)
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
