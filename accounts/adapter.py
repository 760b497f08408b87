import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter

# allauth keeps no public way to read or add the session's record of how its person
# signed in; tests/accounts/test_reauthentication.py fails if these change.
from allauth.account.internal.flows.login import (
    get_authentication_records,
    record_authentication,
)
from django.conf import settings
from django.core.exceptions import PermissionDenied

from config.proxies import client_ip


def signed_in_recently(request) -> bool:
    """Whether the person signed in (or confirmed who they are) on this session by a
    method reauthentication accepts, less than ACCOUNT_REAUTHENTICATION_TIMEOUT ago."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return any(
        record.get("method") in account_settings.REAUTHENTICATION_METHODS
        and time.time() - record.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
        for record in get_authentication_records(request, user)
    )


def record_password_sign_in(request, user) -> None:
    """For sign-ins outside allauth's forms (a new account from an invitation): the
    password was just given, as allauth records for its own sign-in form."""
    record_authentication(request, user, method="password", email=user.email)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Public sign-up is off unless PUBLIC_SIGNUP is set: people join by invitation."""
        return settings.PUBLIC_SIGNUP

    def get_client_ip(self, request) -> str:
        """The address sign-in's limits count per: the one the audit log records
        (TRUSTED_PROXY_COUNT), so a limit and the log of what tripped it agree, and a short
        X-Forwarded-For falls back to the peer rather than failing the sign-in."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's address")
        return ip

    def get_login_stages(self) -> list[str]:
        """allauth's stages, with its two-factor step replaced by ours, which an identity
        provider's own multi-factor authentication satisfies (accounts.stages)."""
        return [
            "accounts.stages.AuthenticateStage"
            if stage == "allauth.mfa.stages.AuthenticateStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A fresh sign-in counts as confirming who one is: allauth 65 asks for the
        password again (setting up two-factor, say) unless it was typed on its
        reauthentication page, even a minute after the sign-in form. Within the same
        window (ACCOUNT_REAUTHENTICATION_TIMEOUT) it no longer asks."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        return not (self.request is not None and signed_in_recently(self.request))
