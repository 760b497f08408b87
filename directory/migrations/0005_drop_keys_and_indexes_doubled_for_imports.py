"""On PostgreSQL, drop the import rows' single-column key to the organisation: the
composite same-organisation key to their import (organizations.rls) already holds it (the
import's own organisation key stands behind it), and each key is one more check, at
commit, on every row a file stages: 50,000 of them for a 50,000-row file (issue 19).
SQLite has no composite keys and keeps its own.

Also the single-column indexes on the organisation of the two tables an import writes
(its rows and the employees): each begins another index of the table already (the
employee number's unique key; the import's rows are read and deleted by their import),
and each is one more index entry for every row written.

The models are unchanged (Django still knows the fields as foreign keys with an index);
only the database's duplicate constraint and indexes go, as in 0004.
"""

from django.db import migrations

_TABLE, _COLUMN, _TARGET = "directory_importrow", "organization_id", "organizations_organization"
# table -> the index that covers the organisation column's lookups instead
_INDEXED = {
    "directory_importrow": "directory_import_id",
    "organizations_employee": "organization_id, employee_number",
}


def _organization_indexes(cursor, table: str) -> list[str]:
    """The table's plain one-column indexes on organization_id."""
    cursor.execute(
        """
        SELECT i.relname FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
        WHERE x.indrelid = %s::regclass AND x.indnatts = 1 AND NOT x.indisunique
          AND x.indpred IS NULL AND a.attname = 'organization_id'
        """,
        [table],
    )
    return [name for (name,) in cursor.fetchall()]


def _single_column_keys(cursor) -> list[str]:
    cursor.execute(
        """
        SELECT c.conname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.conrelid = %s::regclass
          AND array_length(c.conkey, 1) = 1 AND a.attname = %s
        """,
        [_TABLE, _COLUMN],
    )
    return [name for (name,) in cursor.fetchall()]


def drop_key(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        for name in _single_column_keys(cursor):
            cursor.execute(f"ALTER TABLE {quote(_TABLE)} DROP CONSTRAINT {quote(name)}")
        for table in _INDEXED:
            for name in _organization_indexes(cursor, table):
                cursor.execute(f"DROP INDEX {quote(name)}")


def restore_key(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        for table in _INDEXED:
            if not _organization_indexes(cursor, table):
                cursor.execute(
                    f"CREATE INDEX {quote(f'{table}_organization_id')} "
                    f"ON {quote(table)} (organization_id)"
                )
        if _single_column_keys(cursor):
            return
        cursor.execute(
            f"ALTER TABLE {quote(_TABLE)} ADD CONSTRAINT {quote(f'{_TABLE}_{_COLUMN}_fk')} "
            f"FOREIGN KEY ({quote(_COLUMN)}) REFERENCES {quote(_TARGET)} (id) "
            "DEFERRABLE INITIALLY DEFERRED"
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_drop_single_column_keys_doubled_by_same_org_keys")]

    operations = [migrations.RunPython(drop_key, restore_key)]
