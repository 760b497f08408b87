from django.utils.functional import SimpleLazyObject

from home.navigation import nav_for


def shell(request) -> dict:
    """What the page shell needs: the current organisation, its navigation for this member,
    and the organisations the user can switch to (read once by the middleware)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_organization": getattr(request, "organization", None),
        "nav_items": SimpleLazyObject(lambda: nav_for(request)),
        "user_memberships": getattr(request, "user_memberships", []),
    }
