"""Deployment check: anonymous answers can be sealed (surveys/sealing.py)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def check_anonymous_answers_can_be_sealed(app_configs=None, **kwargs) -> list[Error]:
    from surveys import sealing

    if not settings.SURVEY_SEAL_PUBLIC_KEY:
        return [
            Error(
                "SURVEY_SEAL_PUBLIC_KEY is not set: nobody could answer an anonymous survey.",
                hint="Make a pair with `manage.py survey_seal_keys`; give the public key to "
                "every process and the private key (SURVEY_SEAL_PRIVATE_KEY) to the worker.",
                id="surveys.E001",
            )
        ]
    try:
        sealing.public_key.cache_clear()
        sealing.public_key()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="surveys.E002")]
    return []
