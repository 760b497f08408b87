"""Writing the audit log: one function, called by the services that change things."""

from django.conf import settings

from organizations.models import AuditAction, AuditEntry, Organization


def client_ip(request) -> str | None:
    """The address a request came from; behind a trusted TLS proxy, the client it names."""
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    organization: Organization,
    actor,
    action: AuditAction,
    target=None,
    details: dict | None = None,
    request=None,
) -> AuditEntry:
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
        ip_address=client_ip(request),
    )
