"""Row-level security on PostgreSQL: the second layer of tenant isolation.

``sync_row_level_security`` runs after every ``migrate`` (as the tables' owner) and makes
the database match the models, so a new tenant-owned model cannot forget its policies:

- every ``TenantModel`` table has row-level security enabled and a ``tenant_isolation``
  policy for reading and writing, keyed on the organisation of the current transaction
  (no organisation set: no rows);
- a foreign key from one tenant-owned table to another is doubled by a composite key that
  includes the organisation, so the database refuses a reference across organisations;
- the application role (``DATABASE_APP_ROLE``) may read and write every table but owns
  none and cannot bypass RLS; append-only tables (the audit log) refuse it UPDATE and
  DELETE.

Statements are idempotent; policies are dropped and recreated so that a changed clause
takes effect.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from organizations.tenancy import ORGANIZATION_SETTING, USER_SETTING, tenant_models

POLICY_NAME = "tenant_isolation"

_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION upturn_current_organization() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('{ORGANIZATION_SETTING}', true), '')::bigint $$;
CREATE OR REPLACE FUNCTION upturn_current_user() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('{USER_SETTING}', true), '')::bigint $$;
"""


def sync_row_level_security(*, using: str = "default") -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return  # SQLite, the embedded default, has only the ORM layer (README).
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if not _owns_the_tables(cursor):
            # post_migrate also fires after ``flush`` (the test suite, as the app role);
            # only the owner, running migrations, may change policies and grants.
            return
        cursor.execute(_FUNCTIONS)
        for model in tenant_models():
            table = quote(model._meta.db_table)
            cursor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}")
            cursor.execute(
                f"CREATE POLICY {POLICY_NAME} ON {table} FOR ALL "
                "USING (organization_id = upturn_current_organization()) "
                "WITH CHECK (organization_id = upturn_current_organization())"
            )
            # Extra read rights a model declares, e.g. a person's own memberships.
            for name, clause in getattr(model, "rls_extra_read_policies", {}).items():
                cursor.execute(f"DROP POLICY IF EXISTS {quote(name)} ON {table}")
                cursor.execute(
                    f"CREATE POLICY {quote(name)} ON {table} FOR SELECT USING ({clause})"
                )
            # Narrower rights a model declares: every read must also pass these, e.g. a
            # private note only on its author's behalf.
            for name, clause in getattr(model, "rls_restrictive_read_policies", {}).items():
                cursor.execute(f"DROP POLICY IF EXISTS {quote(name)} ON {table}")
                cursor.execute(
                    f"CREATE POLICY {quote(name)} ON {table} AS RESTRICTIVE FOR SELECT "
                    f"USING ({clause})"
                )
            _sync_same_organization_keys(cursor, model, quote)
        _sync_grants(cursor, quote)


def _owns_the_tables(cursor) -> bool:
    cursor.execute(
        """
        SELECT r.rolsuper OR t.tableowner = current_user
        FROM pg_roles r, pg_tables t
        WHERE r.rolname = current_user AND t.schemaname = current_schema()
          AND t.tablename = 'organizations_organization'
        """
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def _sync_same_organization_keys(cursor, model, quote) -> None:
    tenant = set(tenant_models())
    table = model._meta.db_table
    for field in model._meta.concrete_fields:
        target = getattr(field, "related_model", None)
        is_reference = field.many_to_one or field.one_to_one
        if not is_reference or target not in tenant or field.name == "organization":
            continue
        target_table = target._meta.db_table
        unique_name = f"{target_table}_id_org_key"[:63]
        cursor.execute(
            f"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '{unique_name}') THEN
                    ALTER TABLE {quote(target_table)}
                        ADD CONSTRAINT {quote(unique_name)} UNIQUE (id, organization_id);
                END IF;
            END $$;
            """
        )
        fk_name = f"{table}_{field.column}_same_org_fk"[:63]
        cursor.execute(
            f"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '{fk_name}') THEN
                    ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(fk_name)}
                        FOREIGN KEY ({quote(field.column)}, organization_id)
                        REFERENCES {quote(target_table)} (id, organization_id)
                        DEFERRABLE INITIALLY DEFERRED;
                END IF;
            END $$;
            """
        )


def _sync_grants(cursor, quote) -> None:
    role = settings.DATABASE_APP_ROLE
    if not role:
        return
    cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
    row = cursor.fetchone()
    if row is None:
        raise ImproperlyConfigured(
            f"DATABASE_APP_ROLE={role!r} does not exist. Create it first, e.g. "
            f"CREATE ROLE {role} LOGIN PASSWORD '...' NOSUPERUSER NOBYPASSRLS;"
        )
    if any(row):
        raise ImproperlyConfigured(
            f"DATABASE_APP_ROLE={role!r} is a superuser or bypasses row-level security."
        )
    role_q = quote(role)
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role_q}")
    cursor.execute(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role_q}"
    )
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role_q}")
    cursor.execute(f"REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM {role_q}")
    for model in tenant_models():
        if getattr(model, "append_only", False):
            cursor.execute(f"REVOKE UPDATE, DELETE ON {quote(model._meta.db_table)} FROM {role_q}")
