"""On PostgreSQL, drop the single-column foreign keys of the directory that a composite
same-organisation key (organizations.rls, made after every migrate) already holds: the
composite key refuses any value the single one would, and each key is one more check on
every row the import writes (issue 19). SQLite has no composite keys and keeps its own.

The models are unchanged (Django still knows the fields as foreign keys); only the
database's duplicate constraint goes.
"""

from django.db import migrations

# (table, column, referenced table)
_DOUBLED = [
    ("organizations_employee", "department_id", "organizations_department"),
    ("organizations_employee", "manager_id", "organizations_employee"),
    ("organizations_employee", "member_id", "organizations_membership"),
    ("organizations_joblevelchange", "employee_id", "organizations_employee"),
]


def _single_column_keys(cursor, table: str, column: str) -> list[str]:
    cursor.execute(
        """
        SELECT c.conname FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.conrelid = %s::regclass
          AND array_length(c.conkey, 1) = 1 AND a.attname = %s
        """,
        [table, column],
    )
    return [name for (name,) in cursor.fetchall()]


def drop_doubled_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        for table, column, _target in _DOUBLED:
            for name in _single_column_keys(cursor, table, column):
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")


def restore_keys(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        for table, column, target in _DOUBLED:
            if _single_column_keys(cursor, table, column):
                continue
            name = f"{table}_{column}_fk"[:63]
            cursor.execute(
                f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} "
                f"FOREIGN KEY ({quote(column)}) REFERENCES {quote(target)} (id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_import_rows")]

    operations = [migrations.RunPython(drop_doubled_keys, restore_keys)]
