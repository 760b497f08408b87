"""`make run` builds a new SQLite database from the models (config/new_sqlite.py) rather
than replaying every migration: the two must give the same database."""

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD_FROM_MODELS = (
    "import django; django.setup(); "
    "from django.db import connection; "
    "from config.new_sqlite import create_from_models, is_new_sqlite; "
    "assert is_new_sqlite(connection); "
    "print(create_from_models(connection))"
)


def _run(args: list[str], database: Path) -> subprocess.CompletedProcess:
    unwanted = {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DATABASE_APP_ROLE"}
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env |= {
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "VAR_DIR": str(database.parent / "var"),
    }
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    return result


def _schema(database: Path) -> dict:
    """Tables, columns, indexes, foreign keys, named constraints and applied migrations,
    whatever the order of the columns (a migration adds a field at the end)."""
    db = sqlite3.connect(database)
    schema = {}
    tables = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()
        indexes = set()
        for _seq, name, unique, origin, partial in db.execute(f'PRAGMA index_list("{table}")'):
            columns = tuple(row[2] for row in db.execute(f'PRAGMA index_info("{name}")'))
            where = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [name]).fetchone()
            where = re.sub(r".* WHERE ", "", where[0]) if where and partial else ""
            indexes.add((unique, origin, columns, where))
        schema[table] = {
            "columns": {tuple(row[1:]) for row in db.execute(f'PRAGMA table_info("{table}")')},
            "indexes": indexes,
            "foreign_keys": {
                (row[2], row[3], row[4])
                for row in db.execute(f'PRAGMA foreign_key_list("{table}")')
            },
            "constraints": set(re.findall(r'CONSTRAINT "([^"]+)"', sql)),
        }
    schema["applied"] = set(db.execute("SELECT app, name FROM django_migrations"))
    schema["permissions"] = set(db.execute("SELECT codename FROM auth_permission"))
    db.close()
    return schema


def test_a_new_database_from_the_models_is_the_one_the_migrations_build(tmp_path):
    migrated = tmp_path / "migrated.sqlite3"
    from_models = tmp_path / "from-models.sqlite3"

    _run(["manage.py", "migrate", "--noinput", "-v0"], migrated)
    recorded = _run(["-c", BUILD_FROM_MODELS], from_models)

    expected, built = _schema(migrated), _schema(from_models)
    assert int(recorded.stdout.strip()) == len(expected["applied"])
    assert built.keys() == expected.keys()
    for table, parts in expected.items():
        assert built[table] == parts, table
