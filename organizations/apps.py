from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from organizations import checks, outgoing, receivers  # noqa: F401 - registers checks, receivers
        from organizations.services import INVITATION_OUTBOX_KIND, invitation_send

        outgoing.register_handler(INVITATION_OUTBOX_KIND, invitation_send)
        post_migrate.connect(_sync_row_level_security, sender=self)


def _sync_row_level_security(sender, using, **kwargs) -> None:
    from organizations.rls import sync_row_level_security

    sync_row_level_security(using=using)
