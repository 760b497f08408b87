"""Program-scoped permissions, checked against the program (as pretix's
``event_permission_required`` checks against the event): one decorator for the pages, one
mixin for the API, both reading ``programs_managed_by``.

A program the member does not manage answers 404, exactly as another organisation's
program or one that does not exist: 403 would confirm that it exists.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404

from organizations.permissions import has_permission
from programs.models import Program
from programs.selectors import programs_managed_by

PROGRAM_KWARG = "program_id"


def program_in_reach(
    credential, permission: str, kwargs: dict, via: tuple[type[Model], str] | None = None
) -> Program | None:
    """The program the URL's keywords lead to, if ``credential`` holds ``permission`` on it.

    ``program_id`` names it; without one, ``via`` names a model with a ``program`` and the
    keyword holding its id (a survey: ``(Survey, "survey_id")``). None: the URL names no
    program (a new program's form), or the object belongs to none (a template of the
    survey library, which is the organisation's). Raises Http404 for a program beyond
    reach and for an object that does not exist."""
    if PROGRAM_KWARG in kwargs:
        program_id = kwargs[PROGRAM_KWARG]
    elif via is not None and via[1] in kwargs:
        model, kwarg = via
        found = model.objects.filter(
            organization_id=credential.organization_id, pk=kwargs[kwarg]
        ).values_list("program_id", flat=True)
        if not found:
            raise Http404
        program_id = found[0]
        if program_id is None:
            return None
    else:
        return None
    program = programs_managed_by(credential, permission).filter(pk=program_id).first()
    if program is None:
        raise Http404
    return program


def program_permission_required(permission: str, *, via: tuple[type[Model], str] | None = None):
    """Let the view run only on a program the member holds ``permission`` on, and hand it
    over as ``request.program``.

    The role comes first: a member whose roles never grant ``permission`` is told so
    (403) before any lookup, so the answer does not depend on what exists. Then the
    program: one they do not manage answers 404 (``program_in_reach``)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_permission(request.membership, permission):
                raise PermissionDenied
            request.program = program_in_reach(request.membership, permission, kwargs, via)
            return view(request, *args, **kwargs)

        wrapped.permission = permission
        wrapped.program_permission = permission
        return wrapped

    return decorator


class ProgramPermissionMixin:
    """The API's counterpart of ``program_permission_required``, for an APIView with
    ``permission`` and, where the URL has no ``program_id``, ``program_via``. Checked
    after authentication and the role (DRF's ``initial``), so an unknown key is a 401 and
    a role that never grants the permission a 403, whatever the id. Sets
    ``request.program``."""

    program_via: tuple[type[Model], str] | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.program_permission = cls.permission  # as the decorator marks a view

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        request.program = program_in_reach(request.auth, self.permission, kwargs, self.program_via)
