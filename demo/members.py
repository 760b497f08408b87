"""The demo's participants are members of their organisation, as in a real program.

A program invites people from the directory; those who are not members yet get an
invitation to join the organisation with it. Everyone who then applied (the pilot, Globex's
cohort, Wave 2's applicants) accepted that invitation first: their membership is made
here, through ``invitation_accept``, and dated between their invitation and their
application. Wave 2's people who have not answered yet keep their invitations pending,
so the members page, the invitations page, the program's participants and the directory
tell the same story. The participants' accounts have no password (nobody signs in as
them: they stand for colleagues who sign in through the company's single sign-on).

Called by ``demo.organizations.seed_demo`` after the programs' history, inside the
organisation's tenant context (the history was written before they joined, so it sends
them nothing). Idempotent: a participant who is already a member is left alone.
"""

from datetime import timedelta

from django.db.models import Min

from accounts.models import User, normalize_email
from organizations.models import Invitation, Membership, Organization
from organizations.roles import Role
from organizations.services import invitation_accept, membership_set_roles
from programs.models import Participant


def seed_members_demo(organization: Organization) -> None:
    participants = (
        Participant.objects.filter(organization=organization, applied_at__isnull=False)
        .select_related("employee")
        .order_by("employee__employee_number", "pk")
    )
    members = {
        email.lower()
        for email in Membership.objects.filter(organization=organization).values_list(
            "user__email", flat=True
        )
    }
    _date_demo_logins(organization, participants)
    for participant in participants:
        email = normalize_email(participant.employee.email)
        if not email or email.lower() in members:
            continue
        members.add(email.lower())
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, password=None, name=participant.employee.name)
        invitation = (
            Invitation.objects.filter(
                organization=organization, email=email, accepted_at=None, revoked_at=None
            )
            .order_by("-created_at")
            .first()
        )
        if invitation is not None:
            membership = invitation_accept(
                organization=organization, invitation=invitation, user=user
            )
        else:  # nominated themselves through the cohort's link: a member already, then
            membership = membership_set_roles(
                organization=organization, user=user, roles={Role.PARTICIPANT}
            )
        joined = participant.invited_at + timedelta(hours=2)
        if participant.applied_at:
            joined = min(joined, participant.applied_at - timedelta(minutes=30))
        Membership.objects.filter(pk=membership.pk).update(created_at=joined)
        if invitation is not None:
            Invitation.objects.filter(pk=invitation.pk).update(
                created_at=participant.invited_at,
                last_sent_at=participant.invited_at,
                accepted_at=joined,
            )


def _date_demo_logins(organization: Organization, participants) -> None:
    """The demo logins were members long before the programs' invitations went out
    (seed_demo makes their memberships first, today): two months before the first."""
    first = participants.aggregate(at=Min("invited_at"))["at"]
    if first is None:
        return
    Membership.objects.filter(
        organization=organization,
        user__email__in=[
            f"{login}@{organization.slug}.example"
            for login in ("admin", "manager", "mentor", "mentee", "exec")
        ],
        created_at__gt=first - timedelta(days=60),
    ).update(created_at=first - timedelta(days=60))
