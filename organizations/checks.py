"""Deployment checks: that the second layer of tenant isolation is really on.

Row-level security (organizations/rls.py) does not bind a superuser, a role with
BYPASSRLS, or the tables' owner (policies are enabled, not forced, so that migrations can
run as the owner). A deployment whose one DATABASE_URL points at the owner therefore runs
with layer two silently off; this check says so.

It needs the database, so it runs only when asked to, after migrations and with the
application's own settings:

    python manage.py check --deploy --database default

``migrate`` runs checks too, as the owner, but never deployment checks, so it is not
stopped by this one. DATABASE_APP_ROLE does not excuse an owner connection: only the test
suite switches to that role; bin/migrate uses it to know whom to grant rights to, and the
running application connects as DATABASE_URL's user, as it is.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError, connections

from organizations.tenancy import tenant_models

HINT = (
    "Connect the application (DATABASE_URL) as a role that owns no table and has neither "
    "SUPERUSER nor BYPASSRLS, e.g. CREATE ROLE upturn_app LOGIN NOSUPERUSER NOBYPASSRLS; "
    "run bin/migrate with DATABASE_OWNER_URL set to the tables' owner, which grants that "
    "role its rights. See the README, Tenant isolation."
)


@dataclass(frozen=True)
class RoleFacts:
    """What PostgreSQL says about the role a connection runs as."""

    user: str
    is_superuser: bool
    bypasses_rls: bool
    owned_tables: tuple[str, ...]  # tenant-owned tables it owns or may become the owner of


@register(Tags.database, deploy=True)
def check_the_database_role_is_held_by_row_level_security(
    app_configs=None, databases=None, **kwargs
) -> list[Error]:
    errors = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue  # SQLite has only the ORM layer (README)
        try:
            facts = role_facts(connection)
        except DatabaseError as error:
            errors.append(
                Error(
                    f"Could not ask database {alias!r} which role Upturn connects as: {error}",
                    id="organizations.E002",
                )
            )
            continue
        errors += role_errors(facts, app_role=settings.DATABASE_APP_ROLE, alias=alias)
    return errors


def role_facts(connection) -> RoleFacts:
    tables = [model._meta.db_table for model in tenant_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT current_user, rolsuper, rolbypassrls,
                ARRAY(
                    SELECT tablename::text FROM pg_tables
                    WHERE schemaname = current_schema() AND tablename = ANY(%s)
                      AND pg_has_role(current_user, tableowner, 'MEMBER')
                    ORDER BY tablename
                )
            FROM pg_roles WHERE rolname = current_user
            """,
            [tables],
        )
        user, is_superuser, bypasses_rls, owned = cursor.fetchone()
    return RoleFacts(user, is_superuser, bypasses_rls, tuple(owned))


def role_errors(facts: RoleFacts, *, app_role: str = "", alias: str = "default") -> list[Error]:
    reasons = []
    if facts.is_superuser:
        reasons.append("is a superuser")
    if facts.bypasses_rls:
        reasons.append("has BYPASSRLS")
    if facts.owned_tables:
        count = len(facts.owned_tables)
        reasons.append(f"owns {count} tenant-owned tables (e.g. {facts.owned_tables[0]})")
    if not reasons:
        return []
    hint = HINT
    if app_role and app_role != facts.user:
        hint = (
            f"DATABASE_APP_ROLE={app_role!r} does not make the application switch to that "
            f"role (only migrations and the test suite read it): point DATABASE_URL at it. " + HINT
        )
    return [
        Error(
            f"Database {alias!r}: Upturn connects as {facts.user!r}, which "
            f"{' and '.join(reasons)}, so PostgreSQL row-level security does not apply "
            "and organisations are kept apart by the ORM alone.",
            hint=hint,
            id="organizations.E001",
        )
    ]


@register()
def check_django_reads_the_api_bodies_the_api_accepts(app_configs=None, **kwargs) -> list[Error]:
    """DRF reads a JSON body through request.body, which Django refuses past
    DATA_UPLOAD_MAX_MEMORY_SIZE: a body the API accepts (organizations.uploads) would end
    in a server error instead of being read."""
    from organizations.uploads import API_BODY_MAX_BYTES

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or limit >= API_BODY_MAX_BYTES:
        return []
    return [
        Error(
            f"DATA_UPLOAD_MAX_MEMORY_SIZE ({limit} bytes) is below the API's body limit "
            f"({API_BODY_MAX_BYTES} bytes): a bulk upsert the API accepts would fail.",
            hint="Set DATA_UPLOAD_MAX_MEMORY_SIZE to at least the API's body limit.",
            id="organizations.E003",
        )
    ]
