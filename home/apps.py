from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The composition layer: what joins the feature apps (each role's overview, the
    navigation, the root URLs and the root API router). It may import every app below
    it; nothing imports it."""

    name = "home"
    verbose_name = _("Home")
