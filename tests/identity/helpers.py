"""Acme's single sign-on, set up as its admin would: the identity provider saved, the
domain claimed and proven through DNS (only DNS's answer is made up: it is outside the
machine)."""

from contextlib import contextmanager
from unittest import mock

import dns.resolver

from identity import services
from identity.models import SsoConnection
from organizations.roles import Role
from organizations.tenancy import tenant_context


class FakeTxtAnswer(list):
    """What dnspython returns for a TXT query: records whose ``strings`` are bytes."""

    def __init__(self, *texts: str):
        super().__init__(mock.Mock(strings=[text.encode()]) for text in texts)


@contextmanager
def dns_txt(answers: dict[str, list[str]]):
    def resolve(name, rdtype, **kwargs):
        assert rdtype == "TXT"
        if name not in answers:
            raise dns.resolver.NXDOMAIN()
        return FakeTxtAnswer(*answers[name])

    with mock.patch("dns.resolver.resolve", side_effect=resolve):
        yield


def verified_domain(organization, admin, domain: str):
    with tenant_context(organization=organization, user=admin):
        email_domain = services.domain_claim(organization=organization, actor=admin, domain=domain)
        with dns_txt({domain: [email_domain.txt_record]}):
            return services.domain_verify_dns(
                organization=organization, actor=admin, email_domain=email_domain
            )


def turn_on_oidc(
    organization, admin, *, discovery_url: str, client_id: str, client_secret: str,
    required: bool = False, role: Role = Role.PARTICIPANT,
) -> SsoConnection:  # fmt: skip
    with tenant_context(organization=organization, user=admin):
        return services.connection_save(
            organization=organization,
            actor=admin,
            values={
                "protocol": SsoConnection.Protocol.OIDC,
                "is_enabled": True,
                "oidc_discovery_url": discovery_url,
                "oidc_client_id": client_id,
                "saml_metadata_url": "",
                "saml_metadata_xml": "",
                "sso_required": required,
                "default_role": role,
            },
            client_secret=client_secret,
        )
