"""What a person changes: notifications read, their settings."""

from django.utils import timezone

from notifications import kinds
from notifications.models import NotificationSettings
from notifications.selectors import notification_list
from organizations.models import Membership, Organization


def notifications_mark_read(
    *, organization: Organization, membership: Membership, notification_id: int | None = None
) -> int:
    unread = notification_list(organization=organization, membership=membership).filter(
        read_at__isnull=True
    )
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def settings_save(
    *,
    organization: Organization,
    membership: Membership,
    muted_kinds: list[str],
    weekly_digest: bool,
) -> NotificationSettings:
    preferences, _created = NotificationSettings.objects.update_or_create(
        organization=organization,
        membership=membership,
        defaults={
            "muted_kinds": sorted(set(muted_kinds) & set(kinds.mutable_kinds())),
            "weekly_digest": weekly_digest,
        },
    )
    return preferences
