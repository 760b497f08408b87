from django.db.models import F, Q, QuerySet

from organizations.models import AuditEntry, Invitation, Membership, Organization
from organizations.tenancy import scopes_disabled


def membership_list_for_user(*, user) -> QuerySet[Membership]:
    """The organisations a person can reach: their active memberships, with the organisation.

    This is the tenancy machinery itself (choosing which organisation to enter), so it
    reads across organisations: outside the ORM scope, and on PostgreSQL through the
    policy that shows a person their own memberships.
    """
    if not user.is_authenticated:
        return Membership.objects.none()
    with scopes_disabled():
        return (
            Membership.objects.filter(user=user, is_active=True)
            .select_related("organization")
            .order_by("organization__name")
        )


def membership_get_active(*, user, organization_slug: str) -> Membership | None:
    return membership_list_for_user(user=user).filter(organization__slug=organization_slug).first()


def member_list(*, organization: Organization, search: str = "") -> QuerySet[Membership]:
    members = Membership.objects.filter(organization=organization).select_related("user")
    if search:
        members = members.filter(Q(user__email__icontains=search) | Q(user__name__icontains=search))
    return members.order_by("-is_active", "user__name", "user__email")


def invitation_list(*, organization: Organization) -> QuerySet[Invitation]:
    """Open invitations first (newest first), then the accepted and revoked ones."""
    return (
        Invitation.objects.filter(organization=organization)
        .select_related("invited_by")
        .order_by(
            F("accepted_at").asc(nulls_first=True),
            F("revoked_at").asc(nulls_first=True),
            "-created_at",
        )
    )


def audit_entry_list(*, organization: Organization) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(organization=organization).select_related("actor")
