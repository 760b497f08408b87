from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from matching import notices, selectors
        from programs.selectors import register_paired_source

        notices.register()
        register_paired_source(selectors.cohort_paired_ids)
