from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = _("Single sign-on")

    def ready(self) -> None:
        from identity import receivers  # noqa: F401 - registers the sign-in receivers
        from identity.services import DOMAIN_EMAIL_OUTBOX_KIND, domain_verification_email_send
        from organizations import outgoing

        outgoing.register_handler(DOMAIN_EMAIL_OUTBOX_KIND, domain_verification_email_send)
