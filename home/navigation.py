"""The organisation's navigation: each entry names the permission that shows it."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organizations.permissions import has_permission


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Overview"), "home:overview", "organization.view"),
    NavItem(_("Dashboard"), "reports:dashboard", "report.view"),
    NavItem(_("Programs"), "programs:list", "program.view"),
    NavItem(_("My programs"), "home:my_programs", "program.participate"),
    NavItem(_("My surveys"), "surveys_respond:mine", "program.participate"),
    NavItem(_("Notifications"), "notifications:list", "program.participate"),
    NavItem(_("Directory"), "directory:list", "directory.view"),
    NavItem(_("Members"), "organizations:member_list", "member.view"),
    NavItem(_("Invitations"), "organizations:invitation_list", "invitation.view"),
    NavItem(_("Audit log"), "organizations:audit_log", "audit.view"),
    NavItem(_("API keys"), "organizations:api_keys", "api_key.manage"),
    NavItem(_("Single sign-on"), "identity:sso", "organization.manage"),
    NavItem(_("SCIM provisioning"), "scim:tokens", "scim_token.manage"),
    NavItem(_("Settings"), "organizations:settings", "organization.manage"),
]


def nav_for(request) -> list[dict]:
    membership = request.membership
    if membership is None:
        return []
    current = request.resolver_match.view_name if request.resolver_match else None
    slug = membership.organization.slug
    return [
        {
            "label": item.label,
            "url": reverse(item.url_name, kwargs={"org_slug": slug}),
            "current": item.url_name == current,
        }
        for item in NAV_ITEMS
        if has_permission(membership, item.permission)
    ]
