from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Public sign-up is off unless PUBLIC_SIGNUP is set: people join by invitation."""
        return settings.PUBLIC_SIGNUP
