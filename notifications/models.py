"""Notifications: one reminder or notice for one person, and each person's settings.

Both tables kept the names they had in the sessions app ("mentoring"), where these models
began (moved with SeparateDatabaseAndState, so no table was rebuilt).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications import kinds
from notifications.kinds import kind_choices
from organizations.models import Membership
from organizations.tenancy import TenantModel


class Notification(TenantModel):
    """One reminder or notice for one person: in the app, and by email unless muted,
    capped (then in the weekly digest) or deferred out of their night.

    ``key`` names the occasion (kind, object, occasion): the unique constraint makes a
    rule that runs twice, or two workers at once, create it once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Emailed")
        DIGEST = "digest", _("Folded into the weekly digest")
        MUTED = "muted", _("In the app only (muted)")

    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    # The kinds are the apps' own, registered when they load (notifications.kinds).
    kind = models.CharField(max_length=20, choices=kind_choices)
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    send_after = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "mentoring_notification"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "recipient", "key"], name="mentoring_notification_once"
            )
        ]
        indexes = [models.Index(fields=["status", "send_after"])]

    @property
    def in_digest(self) -> bool:
        return self.status == self.Status.DIGEST

    @property
    def is_muted(self) -> bool:
        """Kept from email by the person's own choice (not a kind never emailed)."""
        return self.status == self.Status.MUTED and not self.is_app_only

    @property
    def is_app_only(self) -> bool:
        return self.kind in kinds.app_only_kinds()


class NotificationSettings(TenantModel):
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="+")
    muted_kinds = models.JSONField(default=list, blank=True)
    weekly_digest = models.BooleanField(
        _("send me one weekly digest instead of separate emails"), default=False
    )

    class Meta:
        db_table = "mentoring_notificationsettings"


class OutboxMessage(TenantModel):
    """Something that must go out (an email, a calendar invitation, an import to run),
    written in the transaction of the change that causes it and delivered after it
    commits: at once by a task when the broker is up, else by the sweep
    (notifications.outbox). ``kind`` names the registered handler and ``args`` its
    keyword arguments; ``key`` names the occasion, unique in the organisation, so that
    writing the same message twice keeps one."""

    kind = models.CharField(max_length=60)
    key = models.CharField(max_length=200)
    args = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="outbox_message_once")
        ]
        # The sweep's question: what is unsent and due.
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(sent_at__isnull=True),
                name="outbox_message_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
