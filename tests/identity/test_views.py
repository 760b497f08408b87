"""The admin's Single sign-on page, beside the settings and API keys."""

from django.db import connection

from identity.models import EmailDomain, SsoConnection
from identity.secrets import unseal
from organizations.models import AuditAction, AuditEntry
from organizations.tenancy import tenant_context
from tests.identity.helpers import dns_txt

FORM = {
    "protocol": "oidc",
    "oidc_discovery_url": "https://login.acme.example/",
    "oidc_client_id": "upturn",
    "oidc_client_secret": "the-very-secret-value",
    "saml_metadata_url": "",
    "saml_metadata_xml": "",
    "default_role": "participant",
    "is_enabled": "on",
}


def test_the_admin_turns_on_oidc_and_the_secret_is_stored_encrypted(client, acme, acme_admin):
    client.force_login(acme_admin)

    response = client.post("/o/acme/sso/", FORM)

    assert response.status_code == 302
    with tenant_context(organization=acme):
        saved = SsoConnection.objects.get()
        [entry] = AuditEntry.objects.filter(action=AuditAction.SSO_CHANGED)
        with connection.cursor() as cursor:
            cursor.execute("SELECT oidc_client_secret_sealed FROM identity_ssoconnection")
            [(stored,)] = cursor.fetchall()
    assert saved.is_enabled and saved.oidc_client_id == "upturn"
    assert b"the-very-secret-value" not in bytes(stored)
    assert unseal(bytes(stored)) == "the-very-secret-value"
    assert "oidc_client_secret" in entry.details["changed"]
    assert "the-very-secret-value" not in str(entry.details)
    # The secret is never shown back; a blank one keeps it.
    page = client.get("/o/acme/sso/").content.decode()
    assert "the-very-secret-value" not in page
    client.post("/o/acme/sso/", {**FORM, "oidc_client_secret": "", "oidc_client_id": "u2"})
    with tenant_context(organization=acme):
        assert unseal(SsoConnection.objects.get().oidc_client_secret_sealed) == (
            "the-very-secret-value"
        )


def test_turning_on_without_the_provider_saves_nothing_and_says_what_is_missing(
    client, acme, acme_admin
):
    client.force_login(acme_admin)

    response = client.post("/o/acme/sso/", {**FORM, "oidc_client_id": "", "oidc_client_secret": ""})

    assert response.status_code == 200
    assert "To turn on OpenID Connect, fill in: client ID, client secret." in (
        response.content.decode()
    )
    with tenant_context(organization=acme):
        assert not SsoConnection.objects.exists()


def test_the_page_is_for_admins_only(client, acme, acme_mentor):
    client.force_login(acme_mentor)

    assert client.get("/o/acme/sso/").status_code == 403


def test_the_admin_adds_a_domain_and_verifies_it_by_dns_from_the_page(client, acme, acme_admin):
    client.force_login(acme_admin)
    client.post("/o/acme/sso/domains/", {"domain": "acme.example"})
    with tenant_context(organization=acme):
        email_domain = EmailDomain.objects.get()
    page = client.get("/o/acme/sso/").content.decode()
    assert email_domain.txt_record in page

    with dns_txt({"acme.example": [email_domain.txt_record]}):
        client.post(f"/o/acme/sso/domains/{email_domain.pk}/verify/")

    with tenant_context(organization=acme):
        assert EmailDomain.objects.get().is_verified


def test_a_refused_domain_shows_the_reason_and_adds_nothing(client, acme, acme_admin):
    client.force_login(acme_admin)

    response = client.post("/o/acme/sso/domains/", {"domain": "gmail.com"})

    assert "gmail.com is a public email service" in response.content.decode()
    with tenant_context(organization=acme):
        assert not EmailDomain.objects.exists()


def test_saml_cannot_be_turned_on_before_it_signs_anyone_in(client, acme, acme_admin):
    client.force_login(acme_admin)

    response = client.post(
        "/o/acme/sso/",
        {**FORM, "protocol": "saml", "saml_metadata_xml": "<EntityDescriptor/>"},
    )

    assert "SAML sign-in is not available yet" in response.content.decode()
    with tenant_context(organization=acme):
        assert not SsoConnection.objects.exists()
