"""API keys: made, shown once, checked on every API request, revoked."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.audit import audit_record
from organizations.dates import program_range
from organizations.models import ApiKey, AuditAction, Organization
from organizations.roles import ROLE_FIELDS, Role

KEY_PREFIX = "upturn"
# Refresh last_used_at at most this often, so not every request writes.
LAST_USED_RESOLUTION_SECONDS = 60


def api_key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _compose(organization: Organization, secret: str) -> str:
    return f"{KEY_PREFIX}_{organization.slug}_{secret}"


def api_key_expiry_problem(day) -> str | None:
    """A key may expire at most as far ahead as a program may run (organizations.dates):
    further than that is a typing slip, and year 9999 would overflow on display."""
    return program_range(timezone.localdate()).problem(day, what=_("The expiry date"))


@transaction.atomic
def api_key_create(
    *,
    organization: Organization,
    actor,
    name: str,
    roles: set[Role],
    expires_at=None,
    secret: str | None = None,
    ip_address: str | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its raw value, which is never stored and never shown again.
    ``secret`` is for the demo data's published key only; ``ip_address`` gives the audit
    log the address the key was made from."""
    if expires_at is not None and (problem := api_key_expiry_problem(expires_at.date())):
        raise ValidationError(problem)
    raw = _compose(organization, secret or secrets.token_urlsafe(32))
    key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=raw[: len(KEY_PREFIX) + len(organization.slug) + 6],
        key_hash=api_key_hash(raw),
        created_by=actor,
        expires_at=expires_at,
        **{field: role in roles for role, field in ROLE_FIELDS.items()},
    )
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.API_KEY_CREATED,
        target=key,
        details={"roles": sorted(str(role) for role in roles)},
        ip_address=ip_address,
    )
    return key, raw


@transaction.atomic
def api_key_revoke(
    *, organization: Organization, actor, api_key: ApiKey, ip_address: str | None = None
) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(
            organization=organization,
            actor=actor,
            action=AuditAction.API_KEY_REVOKED,
            target=api_key,
            ip_address=ip_address,
        )
    return api_key


def api_key_organization_slug(raw_key: str) -> str | None:
    """The organisation a key claims to belong to, read from the key itself."""
    parts = raw_key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    return parts[1]


def api_key_find(*, organization: Organization, raw_key: str) -> ApiKey | None:
    """The usable key with this value in ``organization`` (call inside it), else None."""
    key = ApiKey.objects.filter(organization=organization, key_hash=api_key_hash(raw_key)).first()
    if key is None or not key.is_active:
        return None
    now = timezone.now()
    stale = key.last_used_at is None or (
        (now - key.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
    )
    if stale:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
