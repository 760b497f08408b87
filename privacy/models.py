"""A person's export of what Upturn holds about them in one organisation.

Erasure and retention keep no table of their own: what they did is in the audit log
(without the erased data), and what they changed is gone."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.tenancy import TenantModel


def _export_path(export: "DataExport", filename: str) -> str:
    # An unguessable name: the file is never served by its path (uploads are not public,
    # see home/urls.py), but a name that says nothing is one thing less to leak.
    return f"privacy-exports/{export.organization_id}/{uuid.uuid4().hex}.zip"


class DataExport(TenantModel):
    """One request for a person's data: written with the click, built by a task, linked
    for a day, then its file deleted. Only the person who asked may download it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")

    # The person's membership: erasing them (or their leaving) deletes their exports too.
    membership = models.ForeignKey(
        "organizations.Membership", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=_export_path, blank=True)
    size = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    failure = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # Clicking twice while one is being prepared is one request.
            models.UniqueConstraint(
                fields=["membership"],
                condition=models.Q(status="pending"),
                name="privacy_export_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def is_downloadable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.READY
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > now
        )


class AnonymisedProgram(TenantModel):
    """A program whose participation data the retention sweep has anonymised (once: the
    unique key makes a sweep that runs twice, or two at once, do it once)."""

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="+")
    participants = models.PositiveIntegerField(default=0)
    anonymised_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Program {self.program_id} anonymised on {self.anonymised_at:%Y-%m-%d}"
