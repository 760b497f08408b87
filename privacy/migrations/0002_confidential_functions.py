"""PostgreSQL's two narrow functions for erasure and retention (privacy.services.confidential
says why they exist and what they may do). Owned by whoever runs the migrations, the
tables' owner, so they act past the row-level policies and the audit log's refusals, and
only inside the organisation of the current transaction. Nothing on SQLite."""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION upturn_privacy_forget_writing(p_participants bigint[])
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    org bigint := upturn_current_organization();
    notes integer;
    messages integer;
BEGIN
    IF org IS NULL THEN
        RAISE EXCEPTION 'upturn_privacy_forget_writing: no organisation in force';
    END IF;
    DELETE FROM mentoring_note
        WHERE organization_id = org AND visibility = 'private'
          AND author_id = ANY(p_participants);
    GET DIAGNOSTICS notes = ROW_COUNT;
    DELETE FROM mentoring_message
        WHERE organization_id = org AND sender_id = ANY(p_participants);
    GET DIAGNOSTICS messages = ROW_COUNT;
    RETURN notes + messages;
END $$;

CREATE OR REPLACE FUNCTION upturn_privacy_audit_forget(
    p_user bigint, p_words text[], p_placeholder text
) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    org bigint := upturn_current_organization();
    word text;
    json_word text;
    json_placeholder text := substr(to_jsonb(p_placeholder)::text, 2,
                                    length(to_jsonb(p_placeholder)::text) - 2);
    changed integer := 0;
    n integer;
BEGIN
    IF org IS NULL THEN
        RAISE EXCEPTION 'upturn_privacy_audit_forget: no organisation in force';
    END IF;
    UPDATE organizations_auditentry
        SET actor_id = NULL, actor_email = p_placeholder, ip_address = NULL
        WHERE organization_id = org AND actor_id = p_user;
    GET DIAGNOSTICS n = ROW_COUNT;
    changed := changed + n;
    FOREACH word IN ARRAY p_words LOOP
        CONTINUE WHEN coalesce(word, '') = '';
        -- The word as it is written inside a JSON string (quotes and backslashes escaped).
        json_word := substr(to_jsonb(word)::text, 2, length(to_jsonb(word)::text) - 2);
        UPDATE organizations_auditentry SET
            actor_email = replace(actor_email, word, p_placeholder),
            target_label = replace(target_label, word, p_placeholder),
            details = replace(details::text, json_word, json_placeholder)::jsonb
        WHERE organization_id = org AND (
            strpos(actor_email, word) > 0 OR strpos(target_label, word) > 0
            OR strpos(details::text, json_word) > 0
        );
        GET DIAGNOSTICS n = ROW_COUNT;
        changed := changed + n;
    END LOOP;
    RETURN changed;
END $$;
"""

DROP = """
DROP FUNCTION IF EXISTS upturn_privacy_forget_writing(bigint[]);
DROP FUNCTION IF EXISTS upturn_privacy_audit_forget(bigint, text[], text);
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("mentoring", "0008_message_keys_cascade"),
    ]

    operations = [migrations.RunPython(create, drop)]
