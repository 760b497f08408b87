from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Each person's data rights (issue 21): their export, their erasure by an admin, and
    the organisation's retention of ended programs' personal data. At the top of the
    feature apps, since it reads and rewrites what every one of them keeps about a person."""

    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from notifications.kinds import register_kind
        from notifications.outbox import register_handler
        from privacy.services import export

        register_kind(
            export.ExportNotice.READY, export.ExportNotice.READY.label, always_emailed=True
        )
        register_handler(export.BUILD_OUTBOX_KIND, export.export_build_job)
