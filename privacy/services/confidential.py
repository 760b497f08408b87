"""Deleting what only its writers may read, and forgetting a person in the audit log.

Private notes and a pair's messages are hidden by restrictive row-level policies from any
query not made on their writer's (or pair's) behalf, and the audit log refuses the
application role UPDATE and DELETE. An admin's erasure, or the nightly retention, acts on
nobody's behalf; so PostgreSQL offers it two narrow functions (privacy migration 0001),
owned by the tables' owner (SECURITY DEFINER), that work only inside the organisation of
the current transaction:

- ``upturn_privacy_forget_writing(participant ids)`` deletes those participants' private
  notes and the messages they sent. It deletes and returns a count; it never returns a
  row, so nobody reads anything through it.
- ``upturn_privacy_audit_forget(user id, words, placeholder)`` replaces a person in the
  audit log: their entries lose actor and address, and every word given (their name and
  email) becomes the placeholder in the labels, emails and details.

On SQLite (the embedded default, with no row-level security) the same is done in SQL.
"""

import json
import re

from django.db import connection

from organizations.models import AuditEntry, Organization
from sessions.models import Message, Note


def writing_forget(*, organization: Organization, participant_ids: list[int]) -> int:
    """Delete the private notes written by, and the messages sent by, these participants.
    The number of rows deleted."""
    if not participant_ids:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT upturn_privacy_forget_writing(%s)", [list(participant_ids)])
            return cursor.fetchone()[0]
    notes, _ = Note.objects.filter(
        organization=organization, author__in=participant_ids, visibility=Note.Visibility.PRIVATE
    ).delete()
    messages, _ = Message.objects.filter(
        organization=organization, sender__in=participant_ids
    ).delete()
    return notes + messages


def audit_forget(
    *, organization: Organization, user_id: int, words: list[str], placeholder: str
) -> int:
    """Replace a person in the organisation's audit log. The number of entries changed
    (an entry changed by two rules counts twice)."""
    # PostgreSQL's replace() minds case: the spellings Upturn writes (as given, and
    # lower-cased as addresses are stored).
    words = sorted({v for w in words if w for v in (w, w.lower())}, key=len, reverse=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT upturn_privacy_audit_forget(%s, %s, %s)", [user_id, words, placeholder]
            )
            return cursor.fetchone()[0]
    return _audit_forget_sqlite(organization, user_id, words, placeholder)


def replace_words(text: str, words: list[str], placeholder: str) -> str:
    for word in sorted({w for w in words if w}, key=len, reverse=True):
        text = re.sub(re.escape(word), placeholder, text, flags=re.IGNORECASE)
    return text


def replace_in_json(value, words: list[str], placeholder: str):
    if isinstance(value, str):
        return replace_words(value, words, placeholder)
    if isinstance(value, list):
        return [replace_in_json(item, words, placeholder) for item in value]
    if isinstance(value, dict):
        return {
            replace_words(str(key), words, placeholder): replace_in_json(item, words, placeholder)
            for key, item in value.items()
        }
    return value


def _audit_forget_sqlite(organization, user_id, words, placeholder) -> int:
    # The ORM refuses to change the audit log (AppendOnlyQuerySet); forgetting a person is
    # the one change allowed, made here in plain SQL as PostgreSQL's function does.
    table = AuditEntry._meta.db_table
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, actor_id, actor_email, target_label, details FROM {table} "  # noqa: S608
            "WHERE organization_id = %s",
            [organization.pk],
        )
        for entry_id, actor_id, actor_email, label, details in cursor.fetchall():
            parsed = json.loads(details) if isinstance(details, str) else details
            mine = actor_id == user_id
            new = (
                None if mine else actor_id,
                placeholder if mine else replace_words(actor_email, words, placeholder),
                replace_words(label, words, placeholder),
                json.dumps(replace_in_json(parsed, words, placeholder)),
            )
            if new != (actor_id, actor_email, label, json.dumps(parsed)) or mine:
                cursor.execute(
                    f"UPDATE {table} SET actor_id = %s, actor_email = %s, "  # noqa: S608
                    "target_label = %s, details = %s"
                    + (", ip_address = NULL" if mine else "")
                    + " WHERE id = %s",
                    [*new, entry_id],
                )
                changed += 1
    return changed
