from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (``seed_demo``). Outside the layers: it may import any app, no app
    imports it."""

    name = "demo"
    verbose_name = _("Demo data")
