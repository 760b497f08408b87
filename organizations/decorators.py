from functools import wraps

from django.core.exceptions import PermissionDenied

from organizations.permissions import has_permission


def permission_required(permission: str):
    """Let the view run only for a member whose roles grant ``permission``.

    The organisation middleware has already answered 404 to non-members, so whoever
    reaches this check is a member and may be told plainly that they lack the role.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_permission(request.membership, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator
