"""The in-app side of the reminders: each member's own notifications, read and unread,
and which kinds they also want by email."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification, NotificationSettings
from organizations.tenancy import tenant_context
from sessions.notices import SessionNotice
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LIST = "/o/acme/notifications/"


@pytest.fixture
def dan(acme):
    return MembershipFactory(organization=acme, is_participant=True)


def _notify(membership, n, **fields) -> Notification:
    organization = membership.organization
    with tenant_context(organization=organization):
        return Notification.objects.create(
            organization=organization,
            recipient=membership,
            kind=fields.pop("kind", SessionNotice.MILESTONE),
            key=f"milestone:test:{n}",
            title=f"Reminder number {n}",
            body=f"What reminder {n} says.",
            url=fields.pop("url", "/o/acme/programs/mine/"),
            send_after=timezone.now(),
            **fields,
        )


def test_a_member_sees_their_own_notifications_newest_first_with_the_unread_marked(
    client, acme, dan
):
    _notify(dan, 1, read_at=timezone.now())
    _notify(dan, 2)
    _notify(MembershipFactory(organization=acme), 3)  # someone else's
    client.force_login(dan.user)

    page = client.get(LIST).content.decode()

    assert page.index("Reminder number 2") < page.index("Reminder number 1")
    assert "Reminder number 3" not in page
    assert page.count(">Unread<") == 1
    assert "1 unread" in page


def test_the_list_is_paginated(client, acme, dan):
    for n in range(25):
        _notify(dan, n)
    client.force_login(dan.user)

    first, second = client.get(LIST).content.decode(), client.get(LIST + "?page=2").content.decode()

    assert "Reminder number 24" in first and "Reminder number 4<" not in first
    assert "Reminder number 4<" in second and "Page 2 of 2" in second


def test_mark_all_read_marks_only_the_members_own(client, acme, dan):
    _notify(dan, 1)
    other = _notify(MembershipFactory(organization=acme), 2)
    client.force_login(dan.user)

    assert client.get(LIST + "read/").status_code == 405
    response = client.post(LIST + "read/", follow=True)

    assert "All notifications are marked as read." in response.content.decode()
    with tenant_context(organization=acme):
        assert not Notification.objects.filter(recipient=dan, read_at__isnull=True).exists()
        assert Notification.objects.get(pk=other.pk).read_at is None


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, acme, dan):
    notification = _notify(dan, 1, url="/o/acme/programs/mine/")
    client.force_login(dan.user)

    response = client.post(f"{LIST}{notification.pk}/read/", {"open": "1"})

    assert response.status_code == 302 and response.url == "/o/acme/programs/mine/"
    with tenant_context(organization=acme):
        assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_another_members_notification_is_not_found(client, acme, dan):
    other = _notify(MembershipFactory(organization=acme), 1)
    client.force_login(dan.user)

    assert client.post(f"{LIST}{other.pk}/read/").status_code == 404
    with tenant_context(organization=acme):
        assert Notification.objects.get(pk=other.pk).read_at is None


def test_a_member_mutes_kinds_and_chooses_the_weekly_digest(client, acme, dan):
    client.force_login(dan.user)
    page = client.get(LIST + "settings/").content.decode()
    assert 'value="pair_quiet"' in page and 'value="digest"' not in page

    response = client.post(
        LIST + "settings/",
        {"muted_kinds": ["pair_quiet", "milestone"], "weekly_digest": "on"},
        follow=True,
    )

    assert "Your notification settings are saved." in response.content.decode()
    with tenant_context(organization=acme):
        preferences = NotificationSettings.objects.get(membership=dan)
    assert preferences.muted_kinds == ["milestone", "pair_quiet"]
    assert preferences.weekly_digest is True
    page = client.get(LIST + "settings/").content.decode()
    assert page.count(" checked") == 3  # the two kinds and the digest


def test_an_unknown_kind_cannot_be_muted(client, acme, dan):
    client.force_login(dan.user)

    response = client.post(LIST + "settings/", {"muted_kinds": ["digest"]})

    assert response.status_code == 200 and "errorlist" in response.content.decode()
    with tenant_context(organization=acme):
        assert not NotificationSettings.objects.filter(membership=dan).exists()


def test_the_navigation_leads_to_notifications(client, acme, dan):
    client.force_login(dan.user)

    page = client.get("/o/acme/programs/mine/").content.decode()

    assert f'href="{LIST}"' in page


def test_old_notifications_stay_listed_after_they_were_emailed(client, acme, dan):
    _notify(
        dan,
        1,
        status=Notification.Status.SENT,
        sent_at=timezone.now() - timedelta(days=3),
    )
    client.force_login(dan.user)

    assert "Reminder number 1" in client.get(LIST).content.decode()
