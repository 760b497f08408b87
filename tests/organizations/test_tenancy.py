"""Layer one: the ORM refuses tenant-owned queries with no organisation in force."""

from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from django_scopes import ScopeError

from organizations.audit import audit_record
from organizations.models import AuditAction, Membership
from organizations.tenancy import tenant_context, tenant_models
from tests.tenancy_app.models import Folder

pytestmark = pytest.mark.django_db


def test_unscoped_query_on_a_tenant_owned_model_raises(acme_mentor):
    with pytest.raises(ScopeError):
        list(Membership.objects.all())
    with pytest.raises(ScopeError):
        Membership.objects.filter(user=acme_mentor).exists()


def test_every_tenant_owned_model_refuses_to_query_unscoped():
    for model in tenant_models():
        with pytest.raises(ScopeError):
            model.objects.count()


def test_scoped_query_sees_only_its_own_organisation(acme, globex, acme_admin, globex_admin):
    with tenant_context(organization=acme):
        emails = set(Membership.objects.values_list("user__email", flat=True))

    assert emails == {acme_admin.email}


def test_leaving_a_nested_organisation_returns_to_the_outer_one(acme, globex):
    with tenant_context(organization=acme):
        Folder.objects.create(organization=acme, name="acme folder")
        with tenant_context(organization=globex):
            Folder.objects.create(organization=globex, name="globex folder")
        names = list(Folder.objects.values_list("name", flat=True))

    assert names == ["acme folder"]


def test_an_error_inside_an_organisation_undoes_its_writes(acme):
    with pytest.raises(RuntimeError), tenant_context(organization=acme):
        Folder.objects.create(organization=acme, name="half done")
        raise RuntimeError("something failed half way")

    with tenant_context(organization=acme):
        assert not Folder.objects.exists()


def test_an_organisations_pages_show_times_in_its_time_zone(client, acme, acme_admin):
    acme.time_zone = "Asia/Tokyo"
    acme.save()
    with tenant_context(organization=acme):
        entry = audit_record(organization=acme, actor=acme_admin, action=AuditAction.SIGNED_IN)
    client.force_login(acme_admin)

    page = client.get("/o/acme/audit/").content.decode()

    tokyo = timezone.localtime(entry.created_at, ZoneInfo("Asia/Tokyo"))
    utc = timezone.localtime(entry.created_at, UTC)
    assert f"{tokyo:%H:%M:%S}" in page
    assert f"{utc:%H:%M:%S}" not in page
    # The next request handled by this thread starts from the server's zone again.
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE
