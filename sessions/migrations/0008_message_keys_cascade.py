"""The messages' keys to their conversation and sender delete in the database.

A separate migration because Django adds a new table's foreign keys at the end of the
migration that creates it."""

from django.db import migrations

# The retention sweep acts for nobody, so the restrictive policy on mentoring_message
# hides every message from it: it deletes the conversation (or the pair, or the person)
# and PostgreSQL deletes the messages, as referential actions are not subject to row-level
# security. Django declares these keys ON DELETE NO ACTION; this makes them CASCADE.
CASCADE_KEYS = """
DO $$
DECLARE fk record;
BEGIN
    FOR fk IN
        SELECT con.conname, att.attname, ref.relname AS target
        FROM pg_constraint con
        JOIN pg_class tbl ON tbl.oid = con.conrelid
        JOIN pg_class ref ON ref.oid = con.confrelid
        JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
        WHERE tbl.relname = 'mentoring_message' AND con.contype = 'f'
          AND array_length(con.conkey, 1) = 1
          AND att.attname IN ('conversation_id', 'sender_id')
    LOOP
        EXECUTE format('ALTER TABLE mentoring_message DROP CONSTRAINT %I', fk.conname);
        EXECUTE format(
            'ALTER TABLE mentoring_message ADD CONSTRAINT %I FOREIGN KEY (%I) '
            'REFERENCES %I (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED',
            fk.conname, fk.attname, fk.target
        );
    END LOOP;
END $$;
"""


def cascade_keys(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CASCADE_KEYS, params=None)


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0007_conversations")]

    operations = [migrations.RunPython(cascade_keys, migrations.RunPython.noop)]
