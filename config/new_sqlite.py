"""A new SQLite database for the embedded default, in a second rather than a minute.

Applying every migration to an empty database spends its time re-rendering Django's
model states after each operation (about 12 s of CPU for 74 migrations, 40-70 s on a
loaded two-core machine), not in SQL. An empty database needs none of that history:
its tables are created straight from the models, as Django's ``migrate --run-syncdb``
does for apps without migrations, every migration is recorded as applied, and the
``post_migrate`` signal runs as after ``migrate`` (content types, permissions).

Only for a database with no table at all, on SQLite: the data migrations have no rows to
change there, and ``tests/config/test_new_sqlite.py`` checks that the schema built this
way is the one the migrations build. Any other database goes through ``migrate``.
"""

from django.apps import apps
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import router
from django.db.migrations.executor import MigrationExecutor


def is_new_sqlite(connection) -> bool:
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def create_from_models(connection) -> int:
    """Create every table of a new SQLite database from the models and record every
    migration as applied. Returns the number of migrations recorded."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    emit_pre_migrate_signal(0, False, connection.alias, apps=apps, plan=plan)
    with connection.cursor() as cursor:
        # Nothing to lose if this is interrupted (delete the file and start again).
        cursor.execute("PRAGMA synchronous=OFF")
    with connection.schema_editor() as editor:
        for app_config in apps.get_app_configs():
            if app_config.models_module is None:
                continue
            models = router.get_migratable_models(
                app_config, connection.alias, include_auto_created=False
            )
            for model in models:
                if model._meta.can_migrate(connection):
                    editor.create_model(model)  # with its many-to-many tables
    executor.recorder.ensure_schema()
    for migration, _backwards in plan:
        executor.record_migration(migration)
    emit_post_migrate_signal(0, False, connection.alias, apps=apps, plan=plan)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=NORMAL")  # as config/settings.py has it
    return len(plan)
