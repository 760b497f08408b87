from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied

from config.proxies import client_ip


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
