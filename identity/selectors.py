"""Reads for single sign-on. Sign-in happens before any organisation is entered, so the
two lookups it needs (a domain's organisation, an organisation's identity provider) enter
the scope themselves."""

from dataclasses import dataclass

from identity.models import EmailDomain, SsoConnection
from organizations.models import Organization
from organizations.tenancy import scopes_disabled, tenant_context


def connection_get(*, organization: Organization) -> SsoConnection | None:
    return SsoConnection.objects.filter(organization=organization).first()


def domain_list(*, organization: Organization):
    return EmailDomain.objects.filter(organization=organization).order_by("domain")


def verified_domain_organization_id(*, domain: str) -> int | None:
    """Which organisation has verified ``domain``, if any. Outside every organisation: a
    verified domain's owner is what the row-level policy email_domain_verified_lookup
    shows there, and the ORM's scope is left for this one read (the tenancy machinery of
    sign-in, which has no organisation yet)."""
    with tenant_context(), scopes_disabled():
        return (
            EmailDomain.objects.filter(domain=domain, verified_at__isnull=False)
            .values_list("organization_id", flat=True)
            .first()
        )


@dataclass(frozen=True)
class SignInRoute:
    """Where an email address signs in: its organisation's identity provider, if any."""

    organization: Organization
    connection: SsoConnection

    @property
    def required(self) -> bool:
        return self.connection.sso_required


def sign_in_route_for_email(email: str) -> SignInRoute | None:
    """The identity provider for ``email``'s domain: verified by an organisation whose
    single sign-on is turned on. None: the address signs in with its password."""
    domain = email.strip().lower().rpartition("@")[2]
    if not domain:
        return None
    organization_id = verified_domain_organization_id(domain=domain)
    if organization_id is None:
        return None
    organization = Organization.objects.get(pk=organization_id)
    return sign_in_route_for_organization(organization)


def sign_in_route_for_organization(organization: Organization) -> SignInRoute | None:
    with tenant_context(organization=organization):
        connection = connection_get(organization=organization)
    if connection is None or not connection.is_enabled:
        return None
    return SignInRoute(organization=organization, connection=connection)


def organization_domains_verified(*, organization: Organization) -> set[str]:
    with tenant_context(organization=organization):
        return set(
            EmailDomain.objects.filter(
                organization=organization, verified_at__isnull=False
            ).values_list("domain", flat=True)
        )
