"""Who may do what in an organisation: one table, role by action.

Views and API classes name the permission they need (``permission_required("member.view")``);
nothing re-derives it from roles elsewhere. An unknown permission name is a programming
error and raises, so a typo fails closed.
"""

from organizations.roles import Role

ADMIN = Role.ADMIN
MANAGER = Role.PROGRAM_MANAGER
EXECUTIVE = Role.EXECUTIVE
PARTICIPANT = Role.PARTICIPANT

# fmt: off
PERMISSIONS: dict[str, frozenset[Role]] = {
    # action                           who may do it
    "organization.view":               frozenset({ADMIN, MANAGER, EXECUTIVE, PARTICIPANT}),
    "organization.manage":             frozenset({ADMIN}),
    "member.view":                     frozenset({ADMIN}),
    "member.manage":                   frozenset({ADMIN}),
    "invitation.view":                 frozenset({ADMIN, MANAGER}),
    "invitation.invite_any_role":      frozenset({ADMIN}),
    "invitation.invite_participant":   frozenset({ADMIN, MANAGER}),
    "audit.view":                      frozenset({ADMIN}),
    "directory.view":                  frozenset({ADMIN, MANAGER}),
    "directory.manage":                frozenset({ADMIN}),
    "api_key.manage":                  frozenset({ADMIN}),
    "program.view":                    frozenset({ADMIN, MANAGER}),
    "program.manage":                  frozenset({ADMIN, MANAGER}),
    "topic.manage":                    frozenset({ADMIN, MANAGER}),
    # Taking part: anyone may be invited from the directory (an executive as a mentee);
    # the views show each person only their own places.
    "program.participate":             frozenset({ADMIN, MANAGER, EXECUTIVE, PARTICIPANT}),
    # The KPI dashboards: aggregates only, small groups hidden (reports/dashboard.py).
    "report.view":                     frozenset({ADMIN, MANAGER, EXECUTIVE}),
    "report.refresh":                  frozenset({ADMIN, MANAGER}),
    # A person's own answers are theirs to see; per person, only admins see anyone's.
    "demographics.view":               frozenset({ADMIN}),
}
# fmt: on


def has_permission(membership, permission: str) -> bool:
    allowed = PERMISSIONS[permission]
    return membership is not None and membership.is_active and bool(membership.roles & allowed)
