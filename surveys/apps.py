from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from surveys import checks, notices, services  # noqa: F401  (checks: the deployment check)

        notices.register()
        services.register_outbox()
