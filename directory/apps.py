from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """The HR roster: employees, departments and divisions, imports, job-level history
    and self-given demographics. Above organizations (the tenant core), below the
    feature apps that invite and report on employees."""

    name = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from directory import (
            receivers,  # noqa: F401 - links a person's two records
            services,
        )
        from organizations.outgoing import register_handler

        register_handler(services.CHECK_OUTBOX_KIND, services.directory_import_check_job)
        register_handler(services.APPLY_OUTBOX_KIND, services.directory_import_apply_job)
