from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Each person's notifications: delivery by email under the weekly cap, the weekly
    digest, quiet hours, settings. Above organizations and directory, below the feature
    apps, which register their kinds and reminder rules here (notifications.kinds) and
    the handlers of what they send through the outbox (notifications.outbox)."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from notifications import outbox
        from organizations import outgoing

        # The apps below this one write their messages through organizations.outgoing.
        outgoing.register_writer(outbox.outbox_add)
