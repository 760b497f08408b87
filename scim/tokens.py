"""SCIM tokens: made by an admin, shown once, checked on every SCIM request, revoked.
The same shape as API keys (organizations.api_keys), with their own prefix, so that
neither works where the other is expected."""

import secrets

from django.db import transaction
from django.utils import timezone

from organizations.api_keys import LAST_USED_RESOLUTION_SECONDS, api_key_hash
from organizations.audit import audit_record
from organizations.models import AuditAction, Organization
from scim.models import ScimToken

TOKEN_PREFIX = "upturnscim"  # noqa: S105 - the tokens' prefix, not a secret


def scim_token_hash(raw: str) -> str:
    return api_key_hash(raw)


def scim_token_text(organization: Organization, secret: str) -> str:
    return f"{TOKEN_PREFIX}_{organization.slug}_{secret}"


@transaction.atomic
def scim_token_create(
    *,
    organization: Organization,
    actor,
    name: str,
    secret: str | None = None,
    ip_address: str | None = None,
) -> tuple[ScimToken, str]:
    """A new token and its raw value, which is never stored and never shown again.
    ``secret`` is for the demo data's published token only."""
    raw = scim_token_text(organization, secret or secrets.token_urlsafe(32))
    token = ScimToken.objects.create(
        organization=organization,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + len(organization.slug) + 6],
        token_hash=scim_token_hash(raw),
        created_by=actor,
    )
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.SCIM_TOKEN_CREATED,
        target=token,
        ip_address=ip_address,
    )
    return token, raw


@transaction.atomic
def scim_token_revoke(
    *, organization: Organization, actor, token: ScimToken, ip_address: str | None = None
) -> ScimToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            organization=organization,
            actor=actor,
            action=AuditAction.SCIM_TOKEN_REVOKED,
            target=token,
            ip_address=ip_address,
        )
    return token


def scim_token_organization_slug(raw: str) -> str | None:
    """The organisation a token claims to belong to, read from the token itself."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    return parts[1]


def scim_token_find(*, organization: Organization, raw: str) -> ScimToken | None:
    """The usable token with this value in ``organization`` (call inside it), else None."""
    token = ScimToken.objects.filter(
        organization=organization, token_hash=scim_token_hash(raw)
    ).first()
    if token is None or not token.is_active:
        return None
    now = timezone.now()
    if (
        token.last_used_at is None
        or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
    ):
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
