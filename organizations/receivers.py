"""Sign-in events go to the audit log of every organisation the person belongs to, so each
organisation's admins see what happened to their members' accounts."""

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.models import User, normalize_email
from organizations.audit import audit_record_in_every_organization as _record_everywhere
from organizations.audit import client_ip
from organizations.models import AuditAction


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def _signed_in(sender, request, user, **kwargs):
    _record_everywhere(actor=user, action=AuditAction.SIGNED_IN, ip_address=client_ip(request))


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def _signed_out(sender, request, user, **kwargs):
    _record_everywhere(actor=user, action=AuditAction.SIGNED_OUT, ip_address=client_ip(request))


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    email = credentials.get("email") or credentials.get("username") or ""
    user = User.objects.filter(email=normalize_email(email)).first() if email else None
    _record_everywhere(actor=user, action=AuditAction.SIGN_IN_FAILED, ip_address=client_ip(request))


@receiver(password_changed, dispatch_uid="audit_password_changed")
def _password_changed(sender, request, user, **kwargs):
    _record_everywhere(
        actor=user, action=AuditAction.PASSWORD_CHANGED, ip_address=client_ip(request)
    )


@receiver(password_reset, dispatch_uid="audit_password_reset")
def _password_reset(sender, request, user, **kwargs):
    _record_everywhere(actor=user, action=AuditAction.PASSWORD_RESET, ip_address=client_ip(request))


@receiver(authenticator_added, dispatch_uid="audit_mfa_enabled")
def _mfa_enabled(sender, request, user, authenticator, **kwargs):
    _record_everywhere(
        actor=user,
        action=AuditAction.MFA_ENABLED,
        ip_address=client_ip(request),
        details={"type": authenticator.type},
    )


@receiver(authenticator_removed, dispatch_uid="audit_mfa_disabled")
def _mfa_disabled(sender, request, user, authenticator, **kwargs):
    _record_everywhere(
        actor=user,
        action=AuditAction.MFA_DISABLED,
        ip_address=client_ip(request),
        details={"type": authenticator.type},
    )
