"""The demo, seeded once per test run and copied back wherever a test needs it again.

``seed_demo`` runs the product's own services (the HR import, invitations, matching,
sessions, surveys) and takes 30-90 s; a dozen modules and browser tests need its data.
The first process of the run to need a variant of it seeds the variant and writes every
table's rows to a file that the other xdist workers share (``COPY ... TO``, as the
tables' owner, so row-level security hides nothing); every later use empties the tables
and copies the rows back (about a second). The variant's name says which parts of the
demo the caller left out (each test suite's fixtures patch those parts out first), so two
callers that seed differently never share rows.

Only where the data is committed for the test's whole life (a module-scoped fixture, or
a transactional test such as a browser journey on the live server): a test inside a
transaction that is rolled back seeds as before. On SQLite, or without a separate app
role, this seeds every time too.
"""

import fcntl
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import connections

# Set by tests/conftest.py's django_db_setup to the user that owns the tables (the tests
# themselves run as DATABASE_APP_ROLE, which cannot COPY into tables under row-level
# security); None where the suite does not switch roles.
owner: dict[str, str | None] = {"user": None}


def seed_demo_or_restore(variant: str, seed: Callable[[], None], shared_dir: Path) -> None:
    """Give the database exactly the rows ``seed()`` leaves, seeding at most once per run
    for each ``variant``: under a lock on ``shared_dir`` (every xdist worker's common
    folder), the first caller seeds and saves the rows; the others restore them."""
    connection = connections["default"]
    if connection.vendor != "postgresql" or owner["user"] is None or connection.in_atomic_block:
        seed()
        return
    saved = shared_dir / f"demo-{variant}"
    with open(shared_dir / f"demo-{variant}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if saved.is_dir():
            _restore({table.stem: table.read_bytes() for table in saved.glob("*.copy")})
        else:
            seed()
            # One file per table, in a folder that appears whole or not at all.
            folder = Path(tempfile.mkdtemp(dir=shared_dir))
            for table, data in _rows().items():
                (folder / f"{table}.copy").write_bytes(data)
            os.rename(folder, saved)


def _owner_connection():
    import psycopg

    settings = connections["default"].settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=owner["user"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
    )


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        " AND tablename <> 'django_migrations' ORDER BY tablename"
    )
    return [name for (name,) in cursor.fetchall()]


def _rows() -> dict[str, bytes]:
    """Every table's rows, in COPY's text format."""
    rows = {}
    with _owner_connection() as owner_connection, owner_connection.cursor() as cursor:
        for table in _tables(cursor):
            with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                rows[table] = b"".join(bytes(chunk) for chunk in copy)
    return rows


def _restore(rows: dict[str, bytes]) -> None:
    """Empty every table and copy the saved rows back, in one transaction. Foreign keys
    are deferred to the commit (Django declares them DEFERRABLE INITIALLY DEFERRED), so
    the tables' order does not matter. The sequences move past the restored ids, never
    back: rows this database numbered before stay unique."""
    with _owner_connection() as owner_connection, owner_connection.cursor() as cursor:
        tables = _tables(cursor)
        assert set(rows) == set(tables), "the saved demo's tables differ from the database's"
        cursor.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in tables))
        for table, data in rows.items():
            with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                copy.write(data)
        # Each sequence that numbers a column (serial or identity), by its ownership.
        cursor.execute(
            "SELECT sequence.relname, owner.relname, attribute.attname FROM pg_class sequence"
            " JOIN pg_namespace namespace ON namespace.oid = sequence.relnamespace"
            " JOIN pg_depend depends ON depends.objid = sequence.oid"
            " AND depends.classid = 'pg_class'::regclass"
            " AND depends.refclassid = 'pg_class'::regclass"
            " JOIN pg_class owner ON owner.oid = depends.refobjid"
            " JOIN pg_attribute attribute ON attribute.attrelid = owner.oid"
            " AND attribute.attnum = depends.refobjsubid"
            " WHERE sequence.relkind = 'S' AND namespace.nspname = 'public'"
        )
        for sequence, table, column in cursor.fetchall():
            cursor.execute(
                f'SELECT setval(\'"{sequence}"\', GREATEST((SELECT max("{column}") FROM "{table}"),'
                f' (SELECT last_value FROM "{sequence}")))'
            )
    # The content types' ids are the saved ones now; Django caches them per process.
    ContentType.objects.clear_cache()
