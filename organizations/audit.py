"""Writing the audit log: one function, called by the services that change things."""

# The address every view records (``ip_address=client_ip(request)``); it lives in config so
# that sign-in's limits (accounts.adapter) use the very same one.
from config.proxies import client_ip  # noqa: F401
from organizations.models import AuditAction, AuditEntry, Organization
from organizations.tenancy import tenant_context


def audit_record(
    *,
    organization: Organization,
    actor,
    action: AuditAction,
    target=None,
    details: dict | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """``ip_address`` is the client address the change came from (``client_ip(request)``
    in a view; the address a task carried from the request that asked for it)."""
    actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        organization=organization,
        actor=actor,
        actor_email=actor.email if actor else "",
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:254] if target is not None else "",
        details=details or {},
        ip_address=ip_address,
    )


def audit_record_in_every_organization(
    *, actor, action: AuditAction, ip_address: str | None, details: dict | None = None
) -> None:
    """For what happens to a person's account (sign-in, password, two-factor): an entry in
    each organisation they belong to, so each organisation's admins see it."""
    if actor is None:
        return
    from organizations.selectors import membership_list_for_user

    with tenant_context(user=actor):
        organizations = [m.organization for m in membership_list_for_user(user=actor)]
    for organization in organizations:
        with tenant_context(organization=organization, user=actor):
            audit_record(
                organization=organization,
                actor=actor,
                action=action,
                target=actor,
                details=details,
                ip_address=ip_address,
            )
