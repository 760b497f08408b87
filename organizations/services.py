"""Writes for organisations: members, roles, invitations and settings.

Each service runs inside the caller's organisation (``tenant_context``), in one
transaction, and records what it did in the audit log.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, normalize_email
from organizations.audit import audit_record
from organizations.models import AuditAction, Invitation, Membership, Organization
from organizations.outgoing import message_add
from organizations.roles import ROLE_FIELDS, Role


def _role_flags(roles: set[Role]) -> dict[str, bool]:
    return {field_name: role in roles for role, field_name in ROLE_FIELDS.items()}


def _role_names(roles) -> list[str]:
    return sorted(str(role) for role in roles)


@transaction.atomic
def membership_set_roles(
    *, organization: Organization, user, roles: set[Role], is_active: bool = True
) -> Membership:
    """Give ``user`` exactly ``roles`` in ``organization``, creating the membership if new.
    For seeding and invitation acceptance; admins change roles with ``membership_update``."""
    membership, _ = Membership.objects.update_or_create(
        organization=organization,
        user=user,
        defaults={**_role_flags(roles), "is_active": is_active},
    )
    return membership


def _lock_members(organization: Organization, membership: Membership) -> Membership:
    """Serialise changes to an organisation's members (locking its row) and re-read the
    membership under the lock, so two admins demoting each other at once cannot both
    pass the last-admin check."""
    Organization.objects.select_for_update().filter(pk=organization.pk).get()
    return Membership.objects.select_related("user").get(pk=membership.pk)


def _ensure_an_admin_remains(*, organization: Organization, losing: Membership) -> None:
    others = (
        Membership.objects.filter(organization=organization, is_admin=True, is_active=True)
        .exclude(pk=losing.pk)
        .exists()
    )
    if not others:
        raise ValidationError(
            _("%(organization)s needs at least one active admin. Make someone else an admin first.")
            % {"organization": organization.name}
        )


@transaction.atomic
def membership_update_roles(
    *,
    organization: Organization,
    actor,
    membership: Membership,
    roles: set[Role],
    ip_address: str | None = None,
) -> Membership:
    if not roles:
        raise ValidationError(_("Choose at least one role. To remove access, deactivate."))
    membership = _lock_members(organization, membership)
    before = membership.roles
    if Role.ADMIN in before and Role.ADMIN not in roles and membership.is_active:
        _ensure_an_admin_remains(organization=organization, losing=membership)
    for field_name, value in _role_flags(roles).items():
        setattr(membership, field_name, value)
    membership.save()
    if before != membership.roles:
        audit_record(
            organization=organization,
            actor=actor,
            action=AuditAction.MEMBER_ROLES_CHANGED,
            target=membership,
            details={"before": _role_names(before), "after": _role_names(membership.roles)},
            ip_address=ip_address,
        )
    return membership


@transaction.atomic
def membership_deactivate(
    *, organization: Organization, actor, membership: Membership, ip_address: str | None = None
) -> Membership:
    """The member can no longer reach the organisation; their history stays."""
    membership = _lock_members(organization, membership)
    if membership.is_admin and membership.is_active:
        _ensure_an_admin_remains(organization=organization, losing=membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.MEMBER_DEACTIVATED,
        target=membership,
        ip_address=ip_address,
    )
    return membership


@transaction.atomic
def membership_reactivate(
    *, organization: Organization, actor, membership: Membership, ip_address: str | None = None
) -> Membership:
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.MEMBER_REACTIVATED,
        target=membership,
        ip_address=ip_address,
    )
    return membership


# --- Invitations ----------------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class InvitationBatch:
    """What inviting a list of addresses did, address by address."""

    sent: list[Invitation] = field(default_factory=list)
    renewed: list[Invitation] = field(default_factory=list)


def parse_invitation_emails(raw: str) -> list[str]:
    """Addresses from a pasted list: one per line, or separated by commas or semicolons.

    Raises ValidationError naming every line that is not an address, so nothing is sent
    until the whole list is right.
    """
    addresses, errors = [], []
    for line_number, line in enumerate(raw.splitlines(), start=1):
        for part in line.replace(";", ",").split(","):
            candidate = part.strip()
            if not candidate:
                continue
            try:
                validate_email(candidate)
            except ValidationError:
                errors.append(
                    _("Line %(line)s: “%(value)s” is not an email address.")
                    % {"line": line_number, "value": candidate}
                )
                continue
            address = normalize_email(candidate)
            if address not in addresses:
                addresses.append(address)
    if errors:
        raise ValidationError(errors)
    if not addresses:
        raise ValidationError(_("Enter at least one email address."))
    return addresses


@transaction.atomic
def invitation_create_many(
    *,
    organization: Organization,
    actor,
    emails: list[str],
    roles: set[Role],
    grantable_roles: set[Role],
    ip_address: str | None = None,
) -> InvitationBatch:
    """Invite each address with ``roles``, all or nothing.

    An address that already has an open invitation gets it renewed (new link, new expiry,
    these roles) rather than a second one, unless it carries roles the inviter could not
    grant. An address that already belongs to the organisation is refused, naming it.
    """
    if not roles:
        raise ValidationError(_("Choose at least one role for the people you invite."))
    if not roles <= grantable_roles:
        raise ValidationError(_("You cannot invite people with these roles."))
    existing = {
        membership.user.email: membership
        for membership in Membership.objects.filter(
            organization=organization, user__email__in=emails
        ).select_related("user")
    }
    problems = []
    for email in emails:
        membership = existing.get(email)
        if membership is None:
            continue
        if membership.is_active:
            problems.append(_("%(email)s is already a member.") % {"email": email})
        else:
            problems.append(
                _("%(email)s is a deactivated member: reactivate them from the members list.")
                % {"email": email}
            )
    if problems:
        raise ValidationError(problems)

    open_invitations = {
        invitation.email: invitation
        for invitation in Invitation.objects.filter(
            organization=organization,
            email__in=emails,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
    }
    beyond_reach = [
        invitation.email
        for invitation in open_invitations.values()
        if not invitation.roles <= grantable_roles
    ]
    if beyond_reach:
        raise ValidationError(
            [
                _("%(email)s has an open invitation that only an admin can change.")
                % {"email": email}
                for email in beyond_reach
            ]
        )
    batch = InvitationBatch()
    for email in emails:
        invitation = open_invitations.get(email) or Invitation(
            organization=organization, email=email, invited_by=actor
        )
        renewing = invitation.pk is not None
        for field_name, value in _role_flags(roles).items():
            setattr(invitation, field_name, value)
        _issue(invitation, actor=actor, ip_address=ip_address, renewing=renewing)
        (batch.renewed if renewing else batch.sent).append(invitation)
    return batch


@transaction.atomic
def invitation_resend(
    *, organization: Organization, actor, invitation: Invitation, ip_address: str | None = None
) -> Invitation:
    """A new link (the old one stops working) and a fresh expiry, emailed again."""
    if not invitation.is_open:
        raise ValidationError(_("This invitation was already accepted or revoked."))
    _issue(invitation, actor=actor, ip_address=ip_address, renewing=True)
    return invitation


INVITATION_OUTBOX_KIND = "organizations.invitation"


def _issue(invitation: Invitation, *, actor, ip_address, renewing: bool) -> None:
    now = timezone.now()
    # The previous link (if any) stops working now; the new one is made when the email
    # is sent (invitation_send), so that its token is never written down anywhere.
    invitation.token_hash = invitation_token_hash(secrets.token_urlsafe(32))
    invitation.expires_at = now + timedelta(days=settings.INVITATION_VALID_DAYS)
    invitation.last_sent_at = now
    invitation.send_count += 1
    invitation.save()
    audit_record(
        organization=invitation.organization,
        actor=actor,
        action=AuditAction.INVITATION_RESENT if renewing else AuditAction.INVITATION_SENT,
        target=invitation,
        details={"roles": _role_names(invitation.roles)},
        ip_address=ip_address,
    )
    # Written to the outbox with the invitation: emailed once this commits, broker or not.
    message_add(
        organization=invitation.organization,
        kind=INVITATION_OUTBOX_KIND,
        key=f"invitation:{invitation.pk}:{invitation.send_count}",
        args={"invitation_id": invitation.pk, "send_count": invitation.send_count},
    )


def invitation_send(*, organization: Organization, invitation_id: int, send_count: int) -> None:
    """The outbox's handler: a fresh link, emailed in the transaction that stores its
    hash. Nothing for an invitation accepted, revoked or issued again since (that issue
    sends its own). Runs inside the organisation."""
    from organizations.emails import send_invitation_email

    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_open or invitation.send_count != send_count:
        return
    token = secrets.token_urlsafe(32)
    invitation.token_hash = invitation_token_hash(token)
    invitation.save(update_fields=["token_hash"])
    send_invitation_email(invitation=invitation, token=token)


@transaction.atomic
def invitation_revoke(
    *, organization: Organization, actor, invitation: Invitation, ip_address: str | None = None
) -> Invitation:
    if not invitation.is_open:
        raise ValidationError(_("This invitation was already accepted or revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        organization=organization,
        actor=actor,
        action=AuditAction.INVITATION_REVOKED,
        target=invitation,
        ip_address=ip_address,
    )
    return invitation


def invitation_get_by_token(*, organization: Organization, token: str) -> Invitation | None:
    return Invitation.objects.filter(
        organization=organization, token_hash=invitation_token_hash(token)
    ).first()


@transaction.atomic
def invitation_accept(
    *,
    organization: Organization,
    invitation: Invitation,
    user: User | None = None,
    new_user_name: str = "",
    new_user_password: str = "",
    ip_address: str | None = None,
) -> Membership:
    """Join the organisation with the invited roles, as ``user`` (signed in with the
    invited address) or as a new account made now with a name and password.

    Following the emailed link proves the address, so it is marked verified.
    """
    # Re-read under a lock with the followed token: a link renewed or used meanwhile fails.
    invitation = (
        Invitation.objects.select_for_update()
        .filter(pk=invitation.pk, token_hash=invitation.token_hash)
        .first()
    )
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        raise ValidationError(_("This invitation can no longer be used."))
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise ValidationError(_("An account with this address exists: sign in to accept."))
        user = User.objects.create_user(
            invitation.email, password=new_user_password, name=new_user_name
        )
    elif normalize_email(user.email) != invitation.email:
        raise ValidationError(_("This invitation is for another email address."))
    elif Membership.objects.filter(organization=organization, user=user).exists():
        # Accepting never changes an existing membership's roles or reactivates it.
        raise ValidationError(
            _("You already have a membership of %(organization)s; an admin manages its roles.")
            % {"organization": organization.name}
        )
    EmailAddress.objects.update_or_create(
        user=user, email=invitation.email, defaults={"verified": True, "primary": True}
    )
    membership = membership_set_roles(
        organization=organization, user=user, roles=set(invitation.roles)
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        organization=organization,
        actor=user,
        action=AuditAction.INVITATION_ACCEPTED,
        target=invitation,
        details={"roles": _role_names(membership.roles)},
        ip_address=ip_address,
    )
    return membership


# --- Settings -------------------------------------------------------------------------

ORGANIZATION_SETTINGS_FIELDS = [
    "name",
    "time_zone",
    "locale",
    "accent_color",
    "logo",
    "require_mfa_for_staff",
    "session_idle_minutes",
    "survey_min_group",
    "message_retention_days",
    "personal_data_retention_months",
]


def _setting_value(organization: Organization, name: str):
    """A setting as the audit log keeps it: files by their stored name."""
    value = getattr(organization, name)
    return value.name or "" if name == "logo" else value


@transaction.atomic
def organization_update_settings(
    *, organization: Organization, actor, changes: dict, ip_address: str | None = None
) -> Organization:
    before = {name: _setting_value(organization, name) for name in ORGANIZATION_SETTINGS_FIELDS}
    for name, value in changes.items():
        if name not in ORGANIZATION_SETTINGS_FIELDS:
            raise ValueError(f"{name} is not an organisation setting")
        setattr(organization, name, value)
    organization.full_clean()
    organization.save()
    changed = {
        name: {"before": before[name], "after": _setting_value(organization, name)}
        for name in ORGANIZATION_SETTINGS_FIELDS
        if before[name] != _setting_value(organization, name)
    }
    if changed:
        audit_record(
            organization=organization,
            actor=actor,
            action=AuditAction.SETTINGS_CHANGED,
            target=organization,
            details=changed,
            ip_address=ip_address,
        )
    return organization
