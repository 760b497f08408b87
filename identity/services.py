"""Writes for single sign-on: the organisation's identity provider, and its email domains
(claimed, then verified by DNS or by a link to a mailbox at the domain)."""

import hashlib
import re
import secrets as token_secrets

import dns.exception
import dns.resolver
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from identity import secrets
from identity.models import EmailDomain, SsoConnection
from identity.selectors import verified_domain_organization_id
from organizations.audit import audit_record
from organizations.models import AuditAction, Organization
from organizations.outgoing import message_add
from organizations.tenancy import tenant_context

DOMAIN_EMAIL_OUTBOX_KIND = "identity.domain_verification"
# Mailboxes that only whoever runs a domain's mail reads (RFC 2142 and the CA/Browser
# Forum's list for proving control of a domain).
VERIFICATION_MAILBOXES = ("admin", "administrator", "hostmaster", "postmaster", "webmaster")
# Public email services: nobody can prove control of them, and nobody should claim them.
_PUBLIC_DOMAINS = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
     "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "mail.com"}
)  # fmt: skip
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_CONNECTION_FIELDS = (
    "protocol", "is_enabled", "oidc_discovery_url", "oidc_client_id", "saml_metadata_url",
    "saml_metadata_xml", "sso_required", "default_role",
)  # fmt: skip


def normalize_domain(value: str) -> str:
    return value.strip().lower().rstrip(".").removeprefix("@")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def connection_save(
    *,
    organization: Organization,
    actor,
    values: dict,
    client_secret: str = "",
    ip_address: str | None = None,
) -> SsoConnection:
    """Create or change the organisation's identity provider. A blank ``client_secret``
    keeps the one stored. The audit entry names what changed, never the secret."""
    connection = SsoConnection.objects.select_for_update().filter(organization=organization).first()
    creating = connection is None
    if creating:
        connection = SsoConnection(organization=organization)
    changed = [name for name in _CONNECTION_FIELDS if getattr(connection, name) != values[name]]
    for name in _CONNECTION_FIELDS:
        setattr(connection, name, values[name])
    if client_secret:
        connection.oidc_client_secret_sealed = secrets.seal(client_secret)
        changed.append("oidc_client_secret")
    _check_connection(connection)
    connection.save()
    if changed or creating:
        audit_record(
            organization=organization,
            actor=actor,
            action=AuditAction.SSO_CHANGED,
            target=connection,
            details={"changed": sorted(changed)},
            ip_address=ip_address,
        )
    return connection


def _check_connection(connection: SsoConnection) -> None:
    if not connection.is_enabled:
        if connection.sso_required:
            raise ValidationError(_("Single sign-on can be required only while it is turned on."))
        return
    if connection.protocol == SsoConnection.Protocol.OIDC:
        missing = [
            label
            for label, value in (
                (_("issuer discovery URL"), connection.oidc_discovery_url),
                (_("client ID"), connection.oidc_client_id),
                (_("client secret"), connection.has_client_secret),
            )
            if not value
        ]
        if missing:
            raise ValidationError(
                _("To turn on OpenID Connect, fill in: %(fields)s.")
                % {"fields": ", ".join(missing)}
            )
    elif not (connection.saml_metadata_url or connection.saml_metadata_xml):
        raise ValidationError(_("To turn on SAML, give the IdP metadata URL or its XML."))
    else:
        # Its settings can be kept already; signing in through SAML comes next.
        raise ValidationError(_("SAML sign-in is not available yet: use OpenID Connect."))


@transaction.atomic
def domain_claim(
    *, organization: Organization, actor, domain: str, ip_address: str | None = None
) -> EmailDomain:
    """Claim a domain; it counts once verified. Refused: not a domain, a public email
    service, claimed already here, or verified by another organisation."""
    domain = normalize_domain(domain)
    if not _DOMAIN.match(domain):
        raise ValidationError(_("“%(domain)s” is not a domain name.") % {"domain": domain})
    if domain in _PUBLIC_DOMAINS:
        raise ValidationError(
            _("%(domain)s is a public email service: nobody can claim it.") % {"domain": domain}
        )
    if EmailDomain.objects.filter(organization=organization, domain=domain).exists():
        raise ValidationError(_("%(domain)s is claimed already.") % {"domain": domain})
    owner = verified_domain_organization_id(domain=domain)
    if owner is not None and owner != organization.pk:
        raise ValidationError(_("%(domain)s belongs to another organisation.") % {"domain": domain})
    email_domain = EmailDomain.objects.create(
        organization=organization,
        domain=domain,
        verification_token=token_secrets.token_urlsafe(24),
    )
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.SSO_DOMAIN_CLAIMED,
        target=email_domain,
        ip_address=ip_address,
    )
    return email_domain


def txt_records(domain: str) -> list[str]:
    """The domain's TXT strings, as DNS answers now (an empty list if it has none)."""
    try:
        answer = dns.resolver.resolve(domain, "TXT", lifetime=5)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers):
        return []
    except dns.exception.Timeout as error:
        raise ValidationError(
            _("DNS did not answer for %(domain)s. Try again in a minute.") % {"domain": domain}
        ) from error
    return [b"".join(record.strings).decode(errors="replace") for record in answer]


def domain_verify_dns(
    *, organization: Organization, actor, email_domain: EmailDomain, ip_address: str | None = None
) -> EmailDomain:
    """Verified if the domain's DNS has the TXT record ``upturn-verification=<token>``."""
    if email_domain.is_verified:
        return email_domain
    # Asked before the transaction: DNS may take seconds.
    if email_domain.txt_record not in txt_records(email_domain.domain):
        raise ValidationError(
            _("%(domain)s has no TXT record “%(record)s” yet. DNS changes can take a while.")
            % {"domain": email_domain.domain, "record": email_domain.txt_record}
        )
    return _verify(
        organization=organization,
        actor=actor,
        email_domain=email_domain,
        method=EmailDomain.Method.DNS,
        ip_address=ip_address,
    )


@transaction.atomic
def domain_verification_email_request(
    *,
    organization: Organization,
    actor,
    email_domain: EmailDomain,
    mailbox: str,
    ip_address: str | None = None,
) -> None:
    """Send a link to ``mailbox@domain``; following it verifies the domain. The link's
    token is made when the email is sent (the outbox's handler), so it is never stored."""
    if mailbox not in VERIFICATION_MAILBOXES:
        raise ValidationError(_("Choose one of the listed mailboxes."))
    if email_domain.is_verified:
        raise ValidationError(_("%(domain)s is verified already.") % {"domain": email_domain})
    email_domain.email_sent_to = f"{mailbox}@{email_domain.domain}"
    email_domain.email_token_hash = ""
    email_domain.save(update_fields=["email_sent_to", "email_token_hash"])
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.SSO_DOMAIN_EMAIL_SENT,
        target=email_domain,
        details={"to": email_domain.email_sent_to},
        ip_address=ip_address,
    )
    message_add(
        organization=organization,
        kind=DOMAIN_EMAIL_OUTBOX_KIND,
        key=f"domain-verification:{email_domain.pk}:{token_secrets.token_hex(8)}",
        args={"email_domain_id": email_domain.pk, "to": email_domain.email_sent_to},
    )


def domain_verification_email_send(*, organization: Organization, email_domain_id: int, to: str):
    """The outbox's handler: a fresh link, emailed in the transaction that stores its hash.
    Nothing if the domain was verified or another mailbox was asked since."""
    from django.urls import reverse

    from organizations.emails import absolute_url, send_branded_email

    email_domain = EmailDomain.objects.select_for_update().filter(pk=email_domain_id).first()
    if email_domain is None or email_domain.is_verified or email_domain.email_sent_to != to:
        return
    token = token_secrets.token_urlsafe(32)
    email_domain.email_token_hash = token_hash(token)
    email_domain.save(update_fields=["email_token_hash"])
    url = absolute_url(
        reverse(
            "sso_domain_confirm",
            kwargs={"organization_slug": organization.slug, "domain_token": token},
        )
    )
    send_branded_email(
        organization=organization,
        template="identity/email/domain_verification",
        context={"domain": email_domain.domain, "confirm_url": url},
        to=[to],
    )


def domain_get_by_token(*, organization: Organization, token: str) -> EmailDomain | None:
    return EmailDomain.objects.filter(
        organization=organization, email_token_hash=token_hash(token)
    ).first()


def domain_verify_by_email(
    *, organization: Organization, email_domain: EmailDomain, ip_address: str | None = None
) -> EmailDomain:
    """Whoever reads the mailbox followed the link: the domain is the organisation's."""
    return _verify(
        organization=organization,
        actor=None,
        email_domain=email_domain,
        method=EmailDomain.Method.EMAIL,
        ip_address=ip_address,
    )


def _verify(*, organization, actor, email_domain, method, ip_address) -> EmailDomain:
    try:
        with transaction.atomic():
            email_domain.verified_at = timezone.now()
            email_domain.verified_by = method
            email_domain.email_token_hash = ""
            email_domain.save(update_fields=["verified_at", "verified_by", "email_token_hash"])
            audit_record(
                organization=organization,
                actor=actor,
                action=AuditAction.SSO_DOMAIN_VERIFIED,
                target=email_domain,
                details={"method": method},
                ip_address=ip_address,
            )
    except IntegrityError as error:
        # The partial unique constraint: another organisation verified it first.
        email_domain.verified_at = None
        raise ValidationError(
            _("%(domain)s belongs to another organisation.") % {"domain": email_domain.domain}
        ) from error
    return email_domain


@transaction.atomic
def domain_remove(
    *, organization: Organization, actor, email_domain: EmailDomain, ip_address: str | None = None
) -> None:
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.SSO_DOMAIN_REMOVED,
        target=email_domain,
        ip_address=ip_address,
    )
    email_domain.delete()


def membership_join_through_sso(
    *, organization: Organization, user, ip_address: str | None = None
) -> bool:
    """Just-in-time membership: a person's sign-in through the organisation's identity
    provider makes them a member with the role its admin chose, once. A deactivated
    member stays deactivated. True if they joined now."""
    from organizations.models import Membership
    from organizations.roles import ROLE_FIELDS, Role

    with tenant_context(organization=organization, user=user):
        if Membership.objects.filter(organization=organization, user=user).exists():
            return False
        connection = SsoConnection.objects.get(organization=organization)
        role = Role(connection.default_role)
        membership = Membership.objects.create(
            organization=organization, user=user, **{ROLE_FIELDS[role]: True}
        )
        audit_record(
            organization=organization,
            actor=user,
            action=AuditAction.SSO_MEMBER_JOINED,
            target=membership,
            details={"role": role.value},
            ip_address=ip_address,
        )
    return True
