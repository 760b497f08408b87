from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScimConfig(AppConfig):
    """SCIM 2.0 provisioning: an identity provider keeps the employee directory (and so
    the memberships linked to it) in step, with a bearer token per organisation. Above
    directory, whose write paths it uses; below the feature apps."""

    name = "scim"
    verbose_name = _("SCIM provisioning")
