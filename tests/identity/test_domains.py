"""Claiming an email domain and proving control of it: a DNS TXT record (only DNS's
answer is made up) or a link emailed to a mailbox at the domain."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from identity import services
from identity.models import EmailDomain
from organizations.models import AuditAction, AuditEntry
from organizations.tenancy import tenant_context
from tests.identity.helpers import dns_txt, verified_domain


def _claim(organization, admin, domain):
    with tenant_context(organization=organization, user=admin):
        return services.domain_claim(organization=organization, actor=admin, domain=domain)


def _verify_dns(organization, admin, email_domain):
    with tenant_context(organization=organization, user=admin):
        return services.domain_verify_dns(
            organization=organization, actor=admin, email_domain=email_domain
        )


def test_the_txt_record_verifies_the_domain_and_the_audit_log_says_so(acme, acme_admin):
    email_domain = _claim(acme, acme_admin, " Acme.Example. ")
    assert email_domain.domain == "acme.example"

    with dns_txt({"acme.example": ["v=spf1 -all", email_domain.txt_record]}):
        _verify_dns(acme, acme_admin, email_domain)

    with tenant_context(organization=acme):
        assert EmailDomain.objects.get().is_verified
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditAction.SSO_DOMAIN_CLAIMED, AuditAction.SSO_DOMAIN_VERIFIED} <= actions


def test_without_the_record_the_domain_stays_unverified_and_the_message_names_it(acme, acme_admin):
    email_domain = _claim(acme, acme_admin, "acme.example")

    wrong = {"acme.example": ["upturn-verification=someone-elses-token"]}
    with dns_txt(wrong), pytest.raises(ValidationError) as refused:
        _verify_dns(acme, acme_admin, email_domain)

    assert email_domain.txt_record in refused.value.messages[0]
    with tenant_context(organization=acme):
        assert not EmailDomain.objects.get().is_verified


def test_a_domain_verified_by_another_organisation_cannot_be_claimed(
    acme, acme_admin, globex, globex_admin
):
    verified_domain(globex, globex_admin, "shared.example")

    with pytest.raises(ValidationError, match="belongs to another organisation"):
        _claim(acme, acme_admin, "shared.example")


def test_of_two_organisations_claiming_one_domain_only_the_first_to_verify_gets_it(
    acme, acme_admin, globex, globex_admin
):
    acme_claim = _claim(acme, acme_admin, "shared.example")
    globex_claim = _claim(globex, globex_admin, "shared.example")
    with dns_txt({"shared.example": [acme_claim.txt_record, globex_claim.txt_record]}):
        _verify_dns(acme, acme_admin, acme_claim)
        with pytest.raises(ValidationError, match="belongs to another organisation"):
            _verify_dns(globex, globex_admin, globex_claim)

    with tenant_context(organization=globex):
        assert not EmailDomain.objects.get().is_verified


@pytest.mark.parametrize("domain", ["gmail.com", "not a domain", "localhost"])
def test_public_email_services_and_non_domains_are_refused(acme, acme_admin, domain):
    with pytest.raises(ValidationError):
        _claim(acme, acme_admin, domain)
    with tenant_context(organization=acme):
        assert not EmailDomain.objects.exists()


def test_the_emailed_link_verifies_the_domain_once_confirmed(
    client, acme, acme_admin, django_capture_on_commit_callbacks
):
    email_domain = _claim(acme, acme_admin, "acme.example")
    with (
        django_capture_on_commit_callbacks(execute=True),
        tenant_context(organization=acme, user=acme_admin),
    ):
        services.domain_verification_email_request(
            organization=acme, actor=acme_admin, email_domain=email_domain, mailbox="postmaster"
        )
    [message] = mail.outbox
    assert message.to == ["postmaster@acme.example"]
    link = next(word for word in message.body.split() if "/sso/domains/acme/" in word)
    path = link.split("://", 1)[1].split("/", 1)[1]

    page = client.get(f"/{path}")
    assert page.status_code == 200
    with tenant_context(organization=acme):
        assert not EmailDomain.objects.get().is_verified  # a GET (a mail scanner) does nothing
    client.post(f"/{path}")

    with tenant_context(organization=acme):
        verified = EmailDomain.objects.get()
    assert verified.is_verified and verified.verified_by == EmailDomain.Method.EMAIL
    assert client.post(f"/{path}").status_code == 404  # the link works once


def test_only_the_listed_mailboxes_can_be_sent_the_link(acme, acme_admin):
    email_domain = _claim(acme, acme_admin, "acme.example")

    with pytest.raises(ValidationError), tenant_context(organization=acme, user=acme_admin):
        services.domain_verification_email_request(
            organization=acme, actor=acme_admin, email_domain=email_domain, mailbox="jane"
        )
    assert mail.outbox == []
