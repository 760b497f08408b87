"""Regression tests for holes a security review found in the tenancy layer."""

import contextlib
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import include, path

from organizations import services
from organizations.audit import client_ip
from organizations.middleware import LAST_SEEN_SESSION_KEY
from organizations.models import AuditAction, AuditEntry, Membership, Organization
from organizations.tenancy import tenant_context
from tests.accounts.factories import UserFactory
from tests.helpers import is_postgresql, require
from tests.organizations.factories import MembershipFactory


def _crash_after_writing(request, org_slug):
    services.organization_update_settings(
        organization=request.organization,
        actor=request.user,
        changes={"name": "Half done"},
        ip_address=client_ip(request),
    )
    raise RuntimeError("crash after writing")


urlpatterns = [
    path("o/<slug:org_slug>/crash/", _crash_after_writing),
    path("", include("home.urls")),
]


@pytest.mark.django_db
def test_a_view_that_crashes_keeps_none_of_its_writes(client, acme, acme_admin, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    client.force_login(acme_admin)

    assert client.get("/o/acme/crash/").status_code == 500

    assert Organization.objects.get(pk=acme.pk).name == "Acme"
    with tenant_context(organization=acme):
        assert not AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()


@pytest.mark.django_db
def test_idle_clock_cannot_be_reset_from_a_page_outside_the_organisation(client, acme, acme_mentor):
    Organization.objects.filter(pk=acme.pk).update(session_idle_minutes=5)
    client.force_login(acme_mentor)
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - 10 * 3600
    session.save()

    first = client.get("/accounts/email/")

    assert first.url.startswith("/accounts/login/")
    assert client.get("/o/acme/").url == "/accounts/login/?next=/o/acme/"


@pytest.mark.django_db
def test_the_admin_site_signs_in_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.django_db
def test_a_program_manager_cannot_rewrite_an_admin_invitation(acme, acme_admin):
    manager = MembershipFactory(organization=acme, is_program_manager=True).user
    with tenant_context(organization=acme):
        services.invitation_create_many(
            organization=acme,
            actor=acme_admin,
            emails=["boss@example.com"],
            roles={"admin"},
            grantable_roles={"admin", "participant"},
        )
        with pytest.raises(ValidationError, match="only an admin can change"):
            services.invitation_create_many(
                organization=acme,
                actor=manager,
                emails=["boss@example.com"],
                roles={"participant"},
                grantable_roles={"participant"},
            )


@pytest.mark.django_db
def test_accepting_an_invitation_never_changes_an_existing_membership(acme, acme_admin):
    with tenant_context(organization=acme):
        services.invitation_create_many(
            organization=acme,
            actor=acme_admin,
            emails=["other@example.com"],
            roles={"participant"},
            grantable_roles={"participant"},
        )
        invitation = services.Invitation.objects.get()
        acme_admin.email = "other@example.com"  # the admin changed their address
        acme_admin.save()
        with pytest.raises(ValidationError, match="already have a membership"):
            services.invitation_accept(organization=acme, invitation=invitation, user=acme_admin)
        assert Membership.objects.get(user=acme_admin).is_admin


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    require(is_postgresql(), "row locks need PostgreSQL")
    organization = Organization.objects.create(slug="race", name="Race")
    first = MembershipFactory(organization=organization, is_admin=True)
    second = MembershipFactory(organization=organization, is_admin=True)
    both_checked = threading.Barrier(2)
    original_check = services._ensure_an_admin_remains

    def check_then_wait(**kwargs):
        original_check(**kwargs)
        # With the lock working, the other request never gets here: go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=2)

    services._ensure_an_admin_remains = check_then_wait
    errors = []

    def deactivate(actor, target):
        try:
            with tenant_context(organization=organization):
                services.membership_deactivate(
                    organization=organization, actor=actor.user, membership=target
                )
        except ValidationError as error:
            errors.append(error)
        finally:
            connection.close()

    try:
        threads = [
            threading.Thread(target=deactivate, args=(first, second)),
            threading.Thread(target=deactivate, args=(second, first)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        services._ensure_an_admin_remains = original_check

    with tenant_context(organization=organization):
        assert Membership.objects.filter(is_admin=True, is_active=True).count() == 1
    assert len(errors) == 1


@pytest.mark.django_db
def test_the_admin_site_cannot_delete_an_organisation_and_its_audit_log(client, acme, acme_admin):
    with tenant_context(organization=acme):
        services.organization_update_settings(
            organization=acme, actor=acme_admin, changes={"name": "Acme Ltd"}
        )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = "/admin/organizations/organization/"

    delete_page = client.get(f"{changelist}{acme.pk}/delete/")
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [acme.pk], "post": "yes"}
    )

    assert delete_page.status_code == 403
    assert "delete_selected" not in client.get(changelist).content.decode()
    assert Organization.objects.filter(pk=acme.pk).exists()
    with tenant_context(organization=acme):
        assert AuditEntry.objects.filter(action=AuditAction.SETTINGS_CHANGED).exists()
