"""Sign-in events go to the audit log of every organisation the person belongs to, so each
organisation's admins see what happened to their members' accounts."""

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.models import User, normalize_email
from organizations.audit import audit_record
from organizations.models import AuditAction
from organizations.selectors import membership_list_for_user
from organizations.tenancy import tenant_context


def _record_everywhere(user, action: AuditAction, request, details=None) -> None:
    if user is None:
        return
    with tenant_context(user=user):
        organizations = [m.organization for m in membership_list_for_user(user=user)]
    for organization in organizations:
        with tenant_context(organization=organization, user=user):
            audit_record(
                organization=organization,
                actor=user,
                action=action,
                target=user,
                details=details,
                request=request,
            )


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def _signed_in(sender, request, user, **kwargs):
    _record_everywhere(user, AuditAction.SIGNED_IN, request)


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def _signed_out(sender, request, user, **kwargs):
    _record_everywhere(user, AuditAction.SIGNED_OUT, request)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    email = credentials.get("email") or credentials.get("username") or ""
    user = User.objects.filter(email=normalize_email(email)).first() if email else None
    _record_everywhere(user, AuditAction.SIGN_IN_FAILED, request)


@receiver(password_changed, dispatch_uid="audit_password_changed")
def _password_changed(sender, request, user, **kwargs):
    _record_everywhere(user, AuditAction.PASSWORD_CHANGED, request)


@receiver(password_reset, dispatch_uid="audit_password_reset")
def _password_reset(sender, request, user, **kwargs):
    _record_everywhere(user, AuditAction.PASSWORD_RESET, request)


@receiver(authenticator_added, dispatch_uid="audit_mfa_enabled")
def _mfa_enabled(sender, request, user, authenticator, **kwargs):
    _record_everywhere(user, AuditAction.MFA_ENABLED, request, {"type": authenticator.type})


@receiver(authenticator_removed, dispatch_uid="audit_mfa_disabled")
def _mfa_disabled(sender, request, user, authenticator, **kwargs):
    _record_everywhere(user, AuditAction.MFA_DISABLED, request, {"type": authenticator.type})
