"""Who may do what in an organisation: one table, role by action.

Views and API classes name the permission they need (``permission_required("member.view")``);
nothing re-derives it from roles elsewhere. An unknown permission name is a programming
error and raises, so a typo fails closed.

A program manager holds the program permissions on the programs they manage only: the
ones whose ``programs.ProgramManager`` rows name them (``PER_PROGRAM_ROLES``). Every other
role grants its permissions on every program of the organisation. Which programs a
member reaches is answered in one place, ``programs.selectors.programs_managed_by``, and
checked in one decorator, ``programs.decorators.program_permission_required``.
"""

from organizations.models import ApiKey
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
    "scim_token.manage":               frozenset({ADMIN}),
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
    # Whether the worker runs (the banner when reminders, surveys and reports are paused):
    # for those who run programs and can have it restarted, not for participants.
    "background_work.view":            frozenset({ADMIN, MANAGER}),
}
# fmt: on


# Roles that grant the program permissions program by program, never organisation-wide.
PER_PROGRAM_ROLES = frozenset({MANAGER})


def has_permission(membership, permission: str) -> bool:
    allowed = PERMISSIONS[permission]
    return membership is not None and membership.is_active and bool(membership.roles & allowed)


def has_permission_everywhere(credential, permission: str) -> bool:
    """``permission`` on every program of the organisation, not only on the ones the member
    manages: through a role other than program manager (an admin; an executive reading
    the reports). An API key has no person behind it and so no programs of its own: only
    an admin can make one, and its roles hold organisation-wide."""
    if not has_permission(credential, permission):
        return False
    if isinstance(credential, ApiKey):
        return True
    return bool((credential.roles & PERMISSIONS[permission]) - PER_PROGRAM_ROLES)
