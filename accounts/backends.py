"""How a password sign-in is checked: once."""

from allauth.account.auth_backends import AuthenticationBackend
from django.core.exceptions import PermissionDenied


class EmailPasswordBackend(AuthenticationBackend):
    """allauth's backend (the address in any case, an inactive account told apart), with
    the last word on a password: when it refuses one, no other backend hashes it again.

    Why: Django asks each backend in turn until one accepts. Django's ModelBackend, which
    stays listed so that sessions signed in through it before stay valid, also takes the
    address (``email`` is the user model's USERNAME_FIELD), so a wrong password was
    hashed twice, once per backend (0.03-0.04 s of CPU each with Argon2id, far more
    under load: issue 19), and an unknown address twice for the timing mitigation.
    ``PermissionDenied`` is Django's way for a backend to stop the round; the failed
    sign-in is still signalled (user_login_failed) and rate-limited as before.
    """

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is None and credentials.get("password"):
            raise PermissionDenied
        return user
