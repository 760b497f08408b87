from django.db.models import Q, QuerySet

from organizations.models import Membership, Organization


def membership_list_for_user(*, user) -> QuerySet[Membership]:
    """The organisations a person can reach: active memberships, with the organisation."""
    if not user.is_authenticated:
        return Membership.objects.none()
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
