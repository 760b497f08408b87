from django.utils.functional import SimpleLazyObject

from home.background import background_notice
from home.navigation import nav_for


def shell(request) -> dict:
    """What the page shell needs: the current organisation, its navigation for this member,
    the organisations the user can switch to (read once by the middleware), and the notice
    that background work has stopped, for those who should know (home.background). The
    lazy ones are read only by a page that shows them, never by a partial."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_organization": getattr(request, "organization", None),
        "nav_items": SimpleLazyObject(lambda: nav_for(request)),
        "user_memberships": getattr(request, "user_memberships", []),
        "background_notice": SimpleLazyObject(lambda: background_notice(request)),
    }
