import pytest

from organizations.models import AuditAction, AuditEntry, Membership
from organizations.tenancy import tenant_context
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _membership(organization, user) -> Membership:
    with tenant_context(organization=organization):
        return Membership.objects.get(user=user)


def _audit_actions(organization) -> list[str]:
    with tenant_context(organization=organization):
        return list(AuditEntry.objects.values_list("action", flat=True))


def test_admin_changes_a_members_roles_and_it_is_audited(client, acme, acme_admin, acme_mentor):
    membership = _membership(acme, acme_mentor)
    client.force_login(acme_admin)

    response = client.post(
        f"/o/acme/members/{membership.pk}/", {"roles": ["participant", "program_manager"]}
    )

    assert response.status_code == 302
    membership = _membership(acme, acme_mentor)
    assert membership.is_program_manager and membership.is_participant
    with tenant_context(organization=acme):
        entry = AuditEntry.objects.get(action=AuditAction.MEMBER_ROLES_CHANGED)
    assert entry.actor == acme_admin
    assert entry.details == {"before": ["participant"], "after": ["participant", "program_manager"]}


def test_a_member_needs_at_least_one_role(client, acme, acme_admin, acme_mentor):
    membership = _membership(acme, acme_mentor)
    client.force_login(acme_admin)

    response = client.post(f"/o/acme/members/{membership.pk}/", {"roles": []})

    assert response.status_code == 200
    assert "Choose at least one role." in response.content.decode()
    assert _membership(acme, acme_mentor).is_participant


def test_the_last_admin_cannot_remove_their_own_admin_role(client, acme, acme_admin):
    membership = _membership(acme, acme_admin)
    client.force_login(acme_admin)

    response = client.post(f"/o/acme/members/{membership.pk}/", {"roles": ["participant"]})

    assert "needs at least one active admin" in response.content.decode()
    assert _membership(acme, acme_admin).is_admin
    assert AuditAction.MEMBER_ROLES_CHANGED not in _audit_actions(acme)


def test_the_last_admin_cannot_deactivate_themselves(client, acme, acme_admin):
    membership = _membership(acme, acme_admin)
    client.force_login(acme_admin)

    response = client.post(f"/o/acme/members/{membership.pk}/deactivate/", follow=True)

    assert "needs at least one active admin" in response.content.decode()
    assert _membership(acme, acme_admin).is_active


def test_an_admin_may_step_down_when_another_admin_remains(client, acme, acme_admin):
    MembershipFactory(organization=acme, is_admin=True)
    membership = _membership(acme, acme_admin)
    client.force_login(acme_admin)

    client.post(f"/o/acme/members/{membership.pk}/", {"roles": ["executive"]})

    assert _membership(acme, acme_admin).roles == {"executive"}


def test_deactivation_asks_for_confirmation_first(client, acme, acme_admin, acme_mentor):
    membership = _membership(acme, acme_mentor)
    client.force_login(acme_admin)

    response = client.get(f"/o/acme/members/{membership.pk}/deactivate/")

    assert "Deactivate" in response.content.decode()
    assert _membership(acme, acme_mentor).is_active


def test_deactivated_member_loses_access_and_keeps_their_history(
    client, acme, acme_admin, acme_mentor
):
    membership = _membership(acme, acme_mentor)
    client.force_login(acme_admin)
    client.post(f"/o/acme/members/{membership.pk}/deactivate/")

    client.force_login(acme_mentor)
    assert client.get("/o/acme/").status_code == 404
    assert not _membership(acme, acme_mentor).is_active
    assert AuditAction.MEMBER_DEACTIVATED in _audit_actions(acme)


def test_reactivated_member_gets_their_roles_back(client, acme, acme_admin, acme_mentor):
    membership = _membership(acme, acme_mentor)
    client.force_login(acme_admin)
    client.post(f"/o/acme/members/{membership.pk}/deactivate/")

    client.post(f"/o/acme/members/{membership.pk}/reactivate/")

    client.force_login(acme_mentor)
    assert client.get("/o/acme/").status_code == 200
    assert _membership(acme, acme_mentor).is_participant


def test_program_manager_cannot_manage_members(client, acme, acme_mentor):
    manager = MembershipFactory(organization=acme, is_program_manager=True).user
    membership = _membership(acme, acme_mentor)
    client.force_login(manager)

    response = client.post(f"/o/acme/members/{membership.pk}/deactivate/")

    assert response.status_code == 403
    assert _membership(acme, acme_mentor).is_active
