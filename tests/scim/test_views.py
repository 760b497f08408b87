"""The admin's SCIM page: make a token (shown once), see the base URL, revoke."""

import pytest
from django.urls import reverse

from organizations.models import AuditAction, AuditEntry
from organizations.tenancy import tenant_context
from scim.models import ScimToken

pytestmark = pytest.mark.django_db


def _page(slug: str) -> str:
    return reverse("scim:tokens", kwargs={"org_slug": slug})


def test_an_admin_makes_a_token_and_sees_it_once(client, acme, acme_admin):
    client.force_login(acme_admin)

    made = client.post(_page("acme"), {"name": "Okta"})
    again = client.get(_page("acme"))

    with tenant_context(organization=acme):
        token = ScimToken.objects.get()
    raw = made.context["new_token"]
    assert raw.startswith("upturnscim_acme_")
    assert raw in made.content.decode()
    assert raw not in again.content.decode()
    assert token.prefix in again.content.decode()
    assert "http://testserver/scim/v2/" in again.content.decode()
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_a_token_needs_a_name(client, acme, acme_admin):
    client.force_login(acme_admin)

    response = client.post(_page("acme"), {"name": ""})

    assert response.context["form"].errors
    with tenant_context(organization=acme):
        assert not ScimToken.objects.exists()


def test_an_admin_revokes_a_token_and_it_stops_working(client, acme, acme_admin):
    client.force_login(acme_admin)
    raw = client.post(_page("acme"), {"name": "Okta"}).context["new_token"]
    with tenant_context(organization=acme):
        token = ScimToken.objects.get()
    revoke = reverse("scim:token_revoke", kwargs={"org_slug": "acme", "scim_token_id": token.pk})

    assert client.get(revoke).status_code == 405
    response = client.post(revoke, follow=True)

    assert "Revoked" in response.content.decode()
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    with tenant_context(organization=acme):
        assert AuditEntry.objects.filter(action=AuditAction.SCIM_TOKEN_REVOKED).count() == 1


def test_only_admins_reach_the_page(client, acme, acme_manager, acme_mentor):
    for person in (acme_manager, acme_mentor):
        client.force_login(person)
        assert client.get(_page("acme")).status_code == 403
