from django.utils.functional import SimpleLazyObject

from organizations.navigation import nav_for
from organizations.selectors import membership_list_for_user


def shell(request) -> dict:
    """What the page shell needs: the current organisation, its navigation for this
    member, and the other organisations the user can switch to (queried only if shown)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_organization": getattr(request, "organization", None),
        "nav_items": SimpleLazyObject(lambda: nav_for(request)),
        "user_memberships": SimpleLazyObject(lambda: list(membership_list_for_user(user=user))),
    }
