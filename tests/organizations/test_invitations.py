import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from organizations import services
from organizations.models import AuditAction, AuditEntry, Invitation, Membership
from organizations.services import invitation_token_hash
from organizations.tenancy import tenant_context
from tests.accounts.factories import PASSWORD, UserFactory
from tests.organizations.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _invitations(organization) -> list[Invitation]:
    with tenant_context(organization=organization):
        return list(Invitation.objects.order_by("email"))


def _link(message) -> str:
    """The accept link's path, from the plain-text part of an invitation email."""
    url = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    return "/" + url.split("/", 3)[3]


def _invite(client, emails: str, roles=("participant",)):
    return client.post("/o/acme/invitations/", {"emails": emails, "roles": list(roles)})


def test_admin_invites_many_addresses_at_once(
    client, acme, acme_admin, django_capture_on_commit_callbacks
):
    client.force_login(acme_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, "Ann@Example.com\nbob@example.com, cleo@example.com")

    assert response.status_code == 302
    assert [i.email for i in _invitations(acme)] == [
        "ann@example.com",
        "bob@example.com",
        "cleo@example.com",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [i.email for i in _invitations(acme)]
    assert "3 invitations sent" in client.get("/o/acme/invitations/").content.decode()


def test_invitation_email_has_a_link_text_and_html(
    client, acme, acme_admin, django_capture_on_commit_callbacks
):
    client.force_login(acme_admin)

    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "ann@example.com", roles=("participant", "executive"))

    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert message.subject == "You're invited to join Acme on Upturn"
    assert "Executive, Participant" in message.body
    assert _link(message) in html
    assert acme_admin.display_name in html


def test_one_bad_address_names_its_line_and_sends_nothing(client, acme, acme_admin):
    client.force_login(acme_admin)

    response = _invite(client, "ann@example.com\nnot-an-address\nbob@example.com")

    assert "Line 2: “not-an-address” is not an email address." in response.content.decode()
    assert "ann@example.com" in response.content.decode()  # what was typed is kept
    assert _invitations(acme) == []
    assert mail.outbox == []


def test_inviting_a_current_member_is_refused_by_name(client, acme, acme_admin, acme_mentor):
    client.force_login(acme_admin)

    response = _invite(client, f"new@example.com\n{acme_mentor.email}")

    assert f"{acme_mentor.email} is already a member." in response.content.decode()
    assert _invitations(acme) == []


def test_inviting_again_renews_the_open_invitation(
    client, acme, acme_admin, django_capture_on_commit_callbacks
):
    client.force_login(acme_admin)
    # Two requests, each committed (and emailed) before the next.
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "ann@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "ann@example.com", roles=("executive",))

    invitations = _invitations(acme)
    assert len(invitations) == 1
    assert invitations[0].is_executive and not invitations[0].is_participant
    assert invitations[0].send_count == 2
    # The first link no longer works; the second does.
    assert client.get(_link(mail.outbox[0])).status_code == 404
    client.logout()
    assert client.get(_link(mail.outbox[1])).status_code == 200


def test_program_manager_may_invite_participants_only(client, acme):
    manager = MembershipFactory(organization=acme, is_program_manager=True).user
    client.force_login(manager)

    refused = _invite(client, "boss@example.com", roles=("admin",))
    _invite(client, "junior@example.com", roles=("participant",))

    assert "Select a valid choice" in refused.content.decode()
    assert [i.email for i in _invitations(acme)] == ["junior@example.com"]


def test_participant_cannot_invite(client, acme, acme_mentor):
    client.force_login(acme_mentor)

    assert _invite(client, "friend@example.com").status_code == 403
    assert _invitations(acme) == []


def test_new_person_accepts_by_creating_an_account(
    client, acme, acme_admin, django_capture_on_commit_callbacks
):
    client.force_login(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "newbie@example.com", roles=("participant", "executive"))
    client.logout()
    link = _link(mail.outbox[0])

    page = client.get(link)
    response = client.post(
        link, {"name": "New Bie", "password1": "Sturdy-pass-93", "password2": "Sturdy-pass-93"}
    )

    assert "Create your Upturn account" in page.content.decode()
    assert response.url == "/o/acme/"
    user = User.objects.get(email="newbie@example.com")
    assert user.name == "New Bie" and user.check_password("Sturdy-pass-93")
    with tenant_context(organization=acme):
        membership = Membership.objects.get(user=user)
        assert AuditEntry.objects.filter(action=AuditAction.INVITATION_ACCEPTED).exists()
    assert membership.roles == {"participant", "executive"}
    assert client.get("/o/acme/").status_code == 200
    # The password was just chosen: setting up two-factor does not ask for it again.
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


def test_weak_password_is_refused_and_nothing_is_created(
    client, acme, acme_admin, django_capture_on_commit_callbacks
):
    client.force_login(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "newbie@example.com")
    client.logout()

    response = client.post(
        _link(mail.outbox[0]), {"name": "New", "password1": "123", "password2": "123"}
    )

    assert "This password is too short" in response.content.decode()
    assert not User.objects.filter(email="newbie@example.com").exists()


def test_existing_user_signs_in_then_accepts(
    client, acme, acme_admin, globex, django_capture_on_commit_callbacks
):
    existing = MembershipFactory(
        organization=globex, user=UserFactory(email="both@example.com")
    ).user
    client.force_login(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "both@example.com")
    client.logout()
    link = _link(mail.outbox[0])

    assert "Sign in to accept" in client.get(link).content.decode()
    client.post("/accounts/login/", {"login": "both@example.com", "password": PASSWORD})
    assert "Join Acme" in client.get(link).content.decode()
    response = client.post(link)

    assert response.url == "/o/acme/"
    html = client.get("/").content.decode()
    assert 'href="/o/acme/"' in html and 'href="/o/globex/"' in html
    with tenant_context(organization=acme):
        assert Membership.objects.get(user=existing).is_participant


def test_signed_in_as_someone_else_is_told_so(
    client, acme, acme_admin, acme_mentor, django_capture_on_commit_callbacks
):
    client.force_login(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "someone@example.com")
    client.force_login(acme_mentor)

    response = client.post(_link(mail.outbox[0]))

    assert "This invitation is for another address" in response.content.decode()
    assert not User.objects.filter(email="someone@example.com").exists()


def test_used_link_cannot_be_used_again(
    client, acme, acme_admin, django_capture_on_commit_callbacks
):
    client.force_login(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "once@example.com")
    client.logout()
    link = _link(mail.outbox[0])
    client.post(
        link, {"name": "Once", "password1": "Sturdy-pass-93", "password2": "Sturdy-pass-93"}
    )
    client.logout()

    response = client.get(link)

    assert "already accepted" in response.content.decode()


def test_expired_link_says_so(client, acme, acme_admin, django_capture_on_commit_callbacks):
    client.force_login(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "late@example.com")
    with tenant_context(organization=acme):
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()

    response = client.post(
        _link(mail.outbox[0]),
        {"name": "Late", "password1": "Sturdy-pass-93", "password2": "Sturdy-pass-93"},
    )

    assert "This invitation has expired" in response.content.decode()
    assert not User.objects.filter(email="late@example.com").exists()


def test_revoked_link_stops_working(client, acme, acme_admin, django_capture_on_commit_callbacks):
    client.force_login(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "gone@example.com")
    invitation = _invitations(acme)[0]

    client.post(f"/o/acme/invitations/{invitation.pk}/revoke/")
    client.logout()

    assert "This invitation was withdrawn" in client.get(_link(mail.outbox[0])).content.decode()
    with tenant_context(organization=acme):
        assert AuditEntry.objects.filter(action=AuditAction.INVITATION_REVOKED).count() == 1


def test_resend_sends_a_new_link_and_retires_the_old_one(
    client, acme, acme_admin, django_capture_on_commit_callbacks
):
    client.force_login(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "slow@example.com")
    invitation = _invitations(acme)[0]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/acme/invitations/{invitation.pk}/resend/")
    client.logout()

    assert len(mail.outbox) == 2
    assert client.get(_link(mail.outbox[0])).status_code == 404
    assert client.get(_link(mail.outbox[1])).status_code == 200


def test_program_manager_cannot_touch_an_admin_invitation(
    client, acme, acme_admin, django_capture_on_commit_callbacks
):
    client.force_login(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "future-admin@example.com", roles=("admin",))
    invitation = _invitations(acme)[0]
    client.force_login(MembershipFactory(organization=acme, is_program_manager=True).user)

    response = client.post(f"/o/acme/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 404
    assert _invitations(acme)[0].is_open


def test_a_token_of_one_organisation_does_not_open_another(
    client, acme, globex, acme_admin, django_capture_on_commit_callbacks
):
    client.force_login(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "ann@example.com")
    client.logout()
    link = _link(mail.outbox[0])

    assert client.get(link.replace("/acme/", "/globex/")).status_code == 404


def test_accepting_is_rate_limited(
    client, acme, acme_admin, settings, django_capture_on_commit_callbacks
):
    client.force_login(acme_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, "ann@example.com")
    client.logout()
    link = _link(mail.outbox[0])

    statuses = [
        client.post(link, {"name": "", "password1": "x", "password2": "y"}).status_code
        for _ in range(11)
    ]

    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def _pending_invitation(organization, email: str, token: str) -> str:
    """An open invitation made directly (the form refuses a current member's address);
    returns its link."""
    with tenant_context(organization=organization):
        Invitation.objects.create(
            organization=organization,
            email=email,
            is_admin=True,
            token_hash=invitation_token_hash(token),
            expires_at=timezone.now() + timedelta(days=7),
        )
    return reverse(
        "invitation_accept", kwargs={"organization_slug": organization.slug, "token": token}
    )


def test_a_member_accepting_another_invitation_is_told_why_and_nothing_changes(
    client, acme, acme_mentor
):
    link = _pending_invitation(acme, acme_mentor.email, "member-token")
    client.force_login(acme_mentor)

    response = client.post(link)

    assert response.status_code == 409
    assert "You already have a membership of Acme" in response.content.decode()
    with tenant_context(organization=acme):
        assert Membership.objects.get(user=acme_mentor).roles == {"participant"}
        assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_a_second_click_on_accept_is_refused_not_a_server_error(client, acme, globex, monkeypatch):
    """Two clicks: both find the invitation open, the first accepts it, the second waits
    for it and then finds it used."""
    person = MembershipFactory(organization=globex).user
    link = _pending_invitation(acme, person.email, "double-click")
    with tenant_context(organization=acme):
        seen_by_the_second_click = Invitation.objects.get()
    client.force_login(person)
    assert client.post(link).url == "/o/acme/"
    monkeypatch.setattr(
        services, "invitation_get_by_token", lambda **kwargs: seen_by_the_second_click
    )

    response = client.post(link)

    assert response.status_code == 409
    assert "This invitation can no longer be used." in response.content.decode()
    with tenant_context(organization=acme):
        assert Membership.objects.get(user=person).roles == {"admin"}
