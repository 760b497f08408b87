"""What a person reads of their notifications and settings."""

from notifications.kinds import DIGEST
from notifications.models import Notification, NotificationSettings
from organizations.models import Membership, Organization


def notification_list(*, organization: Organization, membership: Membership):
    """A member's notifications, newest first (the digest is a copy of others: left out)."""
    return Notification.objects.filter(organization=organization, recipient=membership).exclude(
        kind=DIGEST
    )


def unread_count(*, organization: Organization, membership: Membership) -> int:
    return (
        notification_list(organization=organization, membership=membership)
        .filter(read_at__isnull=True)
        .count()
    )


def settings_get(*, organization: Organization, membership: Membership) -> NotificationSettings:
    return NotificationSettings.objects.filter(
        organization=organization, membership=membership
    ).first() or NotificationSettings(organization=organization, membership=membership)
