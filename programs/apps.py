from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs")

    def ready(self) -> None:
        from directory.zones import register_chosen_zones
        from notifications.outbox import register_handler
        from programs import emails
        from programs.selectors import chosen_zones

        register_handler(emails.OUTBOX_KIND, emails.participant_email_deliver)

        # A participant's zone is the person's own choice (directory.zones).
        register_chosen_zones(chosen_zones)
