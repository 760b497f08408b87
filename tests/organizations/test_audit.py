import pytest
from django.db import DatabaseError, connection, transaction

from organizations.audit import audit_record
from organizations.models import ApiKey, AuditAction, AuditEntry
from organizations.tenancy import tenant_context
from tests.accounts.factories import PASSWORD, UserFactory
from tests.helpers import is_postgresql, require
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _entries(organization) -> list[AuditEntry]:
    with tenant_context(organization=organization):
        return list(AuditEntry.objects.order_by("created_at", "id"))


def test_sign_in_is_recorded_in_each_organisation_of_the_person(client, acme, globex):
    person = MembershipFactory(organization=acme, user=UserFactory(email="p@example.com")).user
    MembershipFactory(organization=globex, user=person)

    client.post(
        "/accounts/login/",
        {"login": "p@example.com", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )

    for organization in (acme, globex):
        [entry] = _entries(organization)
        assert entry.action == AuditAction.SIGNED_IN
        assert entry.actor == person and entry.actor_email == "p@example.com"
        assert entry.ip_address == "203.0.113.9"


def test_failed_sign_in_is_recorded_for_the_targeted_account(client, acme, acme_mentor):
    client.post("/accounts/login/", {"login": acme_mentor.email, "password": "wrong"})

    assert [e.action for e in _entries(acme)] == [AuditAction.SIGN_IN_FAILED]


def test_admin_reads_and_filters_the_audit_log(client, acme, acme_admin, acme_mentor):
    with tenant_context(organization=acme):
        audit_record(organization=acme, actor=acme_mentor, action=AuditAction.SIGNED_IN)
        audit_record(organization=acme, actor=acme_admin, action=AuditAction.SETTINGS_CHANGED)
    client.force_login(acme_admin)

    everything = client.get("/o/acme/audit/").content.decode()
    filtered = client.get("/o/acme/audit/", {"action": "auth.signed_in"}).content.decode()
    by_person = client.get("/o/acme/audit/", {"actor": acme_admin.email}).content.decode()

    assert "Settings changed" in everything and "Signed in</td>" in everything
    assert acme_mentor.email in filtered and "Settings changed</td>" not in filtered.replace(
        "option", ""
    )
    assert "Settings changed" in by_person and acme_mentor.email not in by_person


def test_audit_log_is_for_admins_only(client, acme_mentor):
    client.force_login(acme_mentor)

    assert client.get("/o/acme/audit/").status_code == 403


def test_the_application_cannot_change_or_delete_an_entry(acme, acme_admin):
    with tenant_context(organization=acme):
        entry = audit_record(organization=acme, actor=acme_admin, action=AuditAction.SIGNED_IN)
        entry.action = AuditAction.SIGNED_OUT
        with pytest.raises(PermissionError):
            entry.save()
        with pytest.raises(PermissionError):
            entry.delete()
        with pytest.raises(PermissionError):
            AuditEntry.objects.filter(pk=entry.pk).update(action="auth.signed_out")
        with pytest.raises(PermissionError):
            AuditEntry.objects.all().delete()
        assert AuditEntry.objects.get().action == AuditAction.SIGNED_IN


def test_the_database_refuses_the_app_role_update_and_delete(acme, acme_admin, settings):
    require(
        is_postgresql() and bool(settings.DATABASE_APP_ROLE), "needs PostgreSQL as the app role"
    )
    with tenant_context(organization=acme):
        audit_record(organization=acme, actor=acme_admin, action=AuditAction.SIGNED_IN)
        for statement in (
            "UPDATE organizations_auditentry SET action = 'x'",
            "DELETE FROM organizations_auditentry",
        ):
            with (
                pytest.raises(DatabaseError, match="permission denied"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement)
        assert AuditEntry.objects.count() == 1


def test_making_and_revoking_an_api_key_records_the_address_it_came_from(client, acme, acme_admin):
    client.force_login(acme_admin)
    address = {"REMOTE_ADDR": "203.0.113.7"}

    client.post("/o/acme/api-keys/", {"name": "HR sync", "roles": ["admin"]}, **address)
    with tenant_context(organization=acme):
        key = ApiKey.objects.get()
    client.post(f"/o/acme/api-keys/{key.pk}/revoke/", **address)

    recorded = {
        entry.action: entry.ip_address for entry in _entries(acme) if entry.target_type == "apikey"
    }
    assert recorded == {
        AuditAction.API_KEY_CREATED: "203.0.113.7",
        AuditAction.API_KEY_REVOKED: "203.0.113.7",
    }
