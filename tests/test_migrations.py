"""The migrations describe the tables exactly: a change to surveys/db/tables.py comes with its migration.

`piccolo migrations new surveys --auto` replays every migration's operations into a snapshot of the schema
(SchemaSnapshot) and compares it with the table classes (SchemaDiffer); whatever it would write into a new
migration file is a change the migrations folder lacks. This runs the same comparison in-process, through
the class the command itself uses (piccolo.apps.migrations.commands.new.AutoMigrationManager), without a
database and without writing a file.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import replace

from piccolo.apps.migrations.commands.new import AutoMigrationManager
from piccolo.columns import Integer
from piccolo.conf.apps import AppConfig
from piccolo.table import Table, create_table_class

from surveys.db.piccolo_app import APP_CONFIG
from surveys.db.tables import TABLES, Response

HOW_TO_FIX = (
    "write the migration: PICCOLO_CONF=surveys.db.piccolo_conf .venv/bin/piccolo migrations new surveys "
    "--auto --desc='…', then check the file (the migrations are shared by SQLite and PostgreSQL)"
)


async def pending_changes(app_config: AppConfig) -> list[str]:
    """The operations a new automatic migration would contain: empty when tables and migrations agree."""
    # auto_input answers "no" to Piccolo's question whether a dropped and an added column are a rename,
    # which it would otherwise ask on the terminal; the differ prints a summary table, which is dropped.
    with contextlib.redirect_stdout(io.StringIO()):
        alter = await AutoMigrationManager(auto_input="n").get_alter_statements(app_config=app_config)
    return [statement for group in alter for statement in group.statements]


def _with_extra_column(table: type[Table]) -> type[Table]:
    """A copy of `table` (same class and table name) with one column more, as if a developer had added it."""
    members = {column._meta.name: column.copy() for column in table._meta.non_default_columns}
    members["extra_count"] = Integer(default=0)
    return create_table_class(
        table.__name__, class_kwargs={"tablename": table._meta.tablename}, class_members=members
    )


async def test_the_migrations_bring_the_database_to_exactly_the_tables_of_the_code():
    changes = await pending_changes(APP_CONFIG)
    assert not changes, (
        "surveys/db/tables.py differs from migrations/surveys/; "
        + HOW_TO_FIX
        + ". The missing operations:\n  "
        + "\n  ".join(changes)
    )


async def test_the_app_config_covers_every_table_of_the_code():
    assert set(APP_CONFIG.table_classes) == set(TABLES)


async def test_a_column_added_without_a_migration_is_caught():
    extended = _with_extra_column(Response)
    tables = [extended if table is Response else table for table in APP_CONFIG.table_classes]
    changes = await pending_changes(replace(APP_CONFIG, table_classes=tables))
    assert len(changes) == 1, changes
    assert "add_column" in changes[0]
    assert "extra_count" in changes[0]
    assert "'response'" in changes[0] or '"response"' in changes[0]


async def test_a_table_added_without_a_migration_is_caught():
    new_table = create_table_class(
        "Survey_Note", class_kwargs={"tablename": "survey_note"}, class_members={"text": Integer()}
    )
    changes = await pending_changes(replace(APP_CONFIG, table_classes=[*APP_CONFIG.table_classes, new_table]))
    assert any("add_table" in change and "survey_note" in change for change in changes), changes
