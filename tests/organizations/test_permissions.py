import pytest

from organizations.models import Membership
from organizations.permissions import PERMISSIONS, has_permission
from organizations.roles import ROLE_FIELDS, Role

# The table, spelled out role by role: a change to who may do what changes this test.
A, M, E, P = Role.ADMIN, Role.PROGRAM_MANAGER, Role.EXECUTIVE, Role.PARTICIPANT
EXPECTED = {
    "organization.view": {A, M, E, P},
    "organization.manage": {A},
    "member.view": {A},
    "member.manage": {A},
    "invitation.view": {A, M},
    "invitation.invite_any_role": {A},
    "invitation.invite_participant": {A, M},
    "audit.view": {A},
    "directory.view": {A, M},
    "directory.manage": {A},
    "api_key.manage": {A},
    "scim_token.manage": {A},
    "program.view": {A, M},
    "program.manage": {A, M},
    "topic.manage": {A, M},
    "program.participate": {A, M, E, P},
    "report.view": {A, M, E},
    "report.refresh": {A, M},
    "demographics.view": {A},
    "background_work.view": {A, M},
}


def _member(*roles: Role, active: bool = True) -> Membership:
    return Membership(is_active=active, **{ROLE_FIELDS[role]: True for role in roles})


def test_every_permission_is_in_the_expected_table():
    assert set(PERMISSIONS) == set(EXPECTED)


@pytest.mark.parametrize("permission", sorted(EXPECTED))
@pytest.mark.parametrize("role", list(Role))
def test_role_is_granted_exactly_the_permissions_of_the_table(permission, role):
    assert has_permission(_member(role), permission) is (role in EXPECTED[permission])


def test_deactivated_member_has_no_permission():
    assert not has_permission(_member(Role.ADMIN, active=False), "member.view")


def test_unknown_permission_fails_loudly():
    with pytest.raises(KeyError):
        has_permission(_member(Role.ADMIN), "member.veiw")
