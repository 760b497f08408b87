"""Tenant scoping that fails closed, in two layers.

Layer one, the ORM: every tenant-owned model subclasses ``TenantModel``, whose default
manager (django-scopes) raises ``ScopeError`` when no organisation is in force, so a
forgotten filter is a crash in the tests, not a leak.

Layer two, PostgreSQL: ``tenant_context`` also sets ``upturn.organization_id`` (and
``upturn.user_id``) for the current transaction, and row-level security policies on every
tenant-owned table (``organizations/rls.py``) show and accept only rows of that
organisation. The settings are transaction-local, so a pooled connection never carries one
organisation into another's request.

Enter an organisation with ``tenant_context(organization=...)``; the request middleware
does it for /o/<slug>/ pages, tasks and management commands do it explicitly, and so
does the generator of a streamed response (it runs after the middleware has returned). Leaving the
scope (``scopes_disabled()``) is for the tenancy machinery, migrations, and task loaders,
each with a comment saying why.
"""

from contextlib import contextmanager

from django.db import connection, models, transaction
from django_scopes import ScopedManager, scope, scopes_disabled

__all__ = ["ScopedManager", "TenantModel", "scopes_disabled", "tenant_context", "tenant_models"]

ORGANIZATION_SETTING = "upturn.organization_id"
USER_SETTING = "upturn.user_id"


class TenantModel(models.Model):
    """A row that belongs to one organisation. Subclasses get scoping and RLS for free."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=True,
    )

    objects = ScopedManager(organization="organization")

    class Meta:
        abstract = True


def tenant_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [model for model in apps.get_models() if issubclass(model, TenantModel)]


@contextmanager
def tenant_context(*, organization=None, user=None):
    """Run the block inside ``organization`` (and as ``user``, for the policies that let a
    person see their own rows, such as their memberships of other organisations).

    Opens a transaction (a savepoint when nested) because the database settings are
    transaction-local. On leaving a nested context normally, the outer one's settings are
    put back; on an exception the savepoint's rollback undoes them by itself.
    """
    nested = connection.in_atomic_block
    with transaction.atomic():
        previous = _database_context_get() if nested else None
        _database_context_set(
            organization_id=organization.pk if organization is not None else None,
            user_id=user.pk if user is not None and user.is_authenticated else None,
        )
        if organization is not None:
            with scope(organization=organization):
                yield
        else:
            yield
        if previous is not None:
            _database_context_set(*previous)


def _database_context_get() -> tuple[str | None, str | None] | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting(%s, true), current_setting(%s, true)",
            [ORGANIZATION_SETTING, USER_SETTING],
        )
        return cursor.fetchone()


def _database_context_set(organization_id, user_id) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
            [
                ORGANIZATION_SETTING,
                "" if organization_id in (None, "") else str(organization_id),
                USER_SETTING,
                "" if user_id in (None, "") else str(user_id),
            ],
        )
