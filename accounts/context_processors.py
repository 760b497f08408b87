from django.conf import settings


def signup(request) -> dict:
    """Whether the sign-in page may offer public sign-up (off: people join by invitation)."""
    return {"public_signup_open": settings.PUBLIC_SIGNUP}
