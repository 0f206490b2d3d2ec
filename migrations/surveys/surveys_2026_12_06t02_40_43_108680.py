"""Organisations belong to a plan; plans and plan parts can be archived (surveys/plans/official.py).

An organisation used to be shared by every plan that named its code, so a new plan's "region" showed
another county's region and a new name in one plan renamed it in all. Now each organisation row has its
plan, and its code is unique within that plan only: the column's UNIQUE goes. The data move (each row to
its plan, a row shared by several plans copied for each) is the next migration, which runs after these
columns exist.

PostgreSQL drops the unique constraint with ALTER TABLE. SQLite cannot drop a constraint: the table is
rebuilt without it, by SQLite's own recipe (https://www.sqlite.org/lang_altertable.html, "Making Other
Kinds Of Table Schema Changes"), on a connection of its own with foreign keys off, since the other
tables point at it. So this migration is not wrapped in one transaction on SQLite; the rebuild is one
transaction itself.
"""

import sqlite3

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, ForeignKey, Serial, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-06T02:40:43:108680"
VERSION = "1.38.0"
DESCRIPTION = "Organisations belong to a plan; archived plans and plan parts"


class Plan(Table, tablename="plan", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class _Manager(MigrationManager):
    async def _run_alter_columns(self, backwards: bool = False):
        if engine_finder().engine_type == "sqlite":
            return  # the one change here, organisation.code losing UNIQUE, was the rebuild
        await super()._run_alter_columns(backwards=backwards)


def rebuild_sqlite_organisation_without_unique_code():
    engine = engine_finder()
    if engine.engine_type != "sqlite":
        return
    connection = sqlite3.connect(engine.connection_kwargs["database"], isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("BEGIN IMMEDIATE")
        (create,) = connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'organisation'"
        ).fetchone()
        indexes = [
            sql
            for (sql,) in connection.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'organisation' "
                "AND sql IS NOT NULL"
            )
        ]
        unique = '"code" VARCHAR(60) UNIQUE'
        if unique not in create:
            connection.execute("ROLLBACK")
            return
        connection.execute(
            create.replace('"organisation"', '"organisation_rebuilt"', 1).replace(
                unique, '"code" VARCHAR(60)'
            )
        )
        connection.execute('INSERT INTO "organisation_rebuilt" SELECT * FROM "organisation"')
        connection.execute('DROP TABLE "organisation"')
        connection.execute('ALTER TABLE "organisation_rebuilt" RENAME TO "organisation"')
        for sql in indexes:
            connection.execute(sql)
        problems = connection.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            connection.execute("ROLLBACK")
            raise RuntimeError(f"organisation rebuild left foreign keys pointing nowhere: {problems[:5]}")
        connection.execute("COMMIT")
    finally:
        connection.close()


async def forwards():
    manager = _Manager(
        migration_id=ID,
        app_name="surveys",
        description=DESCRIPTION,
        wrap_in_transaction=engine_finder().engine_type != "sqlite",
    )
    manager.add_raw(rebuild_sqlite_organisation_without_unique_code)

    manager.add_column(
        table_class_name="Organisation",
        tablename="organisation",
        column_name="official_code",
        db_column_name="official_code",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 4,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Organisation",
        tablename="organisation",
        column_name="plan",
        db_column_name="plan",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Plan,
            "on_delete": OnDelete.cascade,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Plan",
        tablename="plan",
        column_name="archived",
        db_column_name="archived",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="TargetGroup",
        tablename="target_group",
        column_name="archived",
        db_column_name="archived",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Channel",
        tablename="channel",
        column_name="archived",
        db_column_name="archived",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Activity",
        tablename="activity",
        column_name="archived",
        db_column_name="archived",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Wave",
        tablename="wave",
        column_name="archived",
        db_column_name="archived",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="Organisation",
        tablename="organisation",
        column_name="code",
        db_column_name="code",
        params={"unique": False},
        old_params={"unique": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
