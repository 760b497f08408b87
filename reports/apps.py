from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from notifications.outbox import register_handler
        from reports import (
            receivers,  # noqa: F401 - connects the consent receivers
            services,
        )

        register_handler(services.SNAPSHOT_TODAY_KIND, services.snapshot_today_write)
        register_handler(services.FORGET_INCLUSION_KIND, services.snapshots_forget_inclusion)
