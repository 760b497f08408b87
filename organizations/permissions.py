"""Who may do what in an organisation: one table, role by action.

Views and API classes name the permission they need (``permission = "member.view"``);
nothing re-derives it from roles elsewhere. An unknown permission name is a programming
error and raises, so a typo fails closed.
"""

from organizations.roles import Role

_EVERY_ROLE = frozenset(Role)

PERMISSIONS: dict[str, frozenset[Role]] = {
    "organization.view": _EVERY_ROLE,
    "member.view": frozenset({Role.ADMIN}),
}


def has_permission(membership, permission: str) -> bool:
    allowed = PERMISSIONS[permission]
    return membership is not None and membership.is_active and bool(membership.roles & allowed)
