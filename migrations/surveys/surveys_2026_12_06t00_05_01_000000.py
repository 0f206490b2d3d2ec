"""Unlinkable one-time codes and random response ids (docs/dataskydd.md, "Engångskoder").

Data first, in raw steps that run before the column changes: each wave's count of handed-out codes is
kept, the used codes are deleted (their rows carried the transaction id of the response they unlocked),
and every response and answer gets a random id in place of its counter (answers keep their response,
through the mapping, and get the ids just above it). Then the `spent` column goes.

The id columns change type only on PostgreSQL (integer to bigint, without their sequences); on SQLite
they already are 64-bit rowids. Piccolo cannot change a primary key in place, so the two new id columns
are recorded for its schema snapshot (what `piccolo migrations new --auto` compares the tables with) but
made by the raw steps, not added.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder

from surveys.db.tables import random_id

ID = "2026-12-06T00:05:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "Used one-time codes deleted; random response and answer ids"
BATCH = 500


class _Manager(MigrationManager):
    async def _run_add_columns(self, backwards: bool = False):
        made_by_raw = [c for c in self.add_columns.add_columns if c.column._meta.name == "id"]
        for column in made_by_raw:
            self.add_columns.add_columns.remove(column)
        try:
            await super()._run_add_columns(backwards=backwards)
        finally:
            self.add_columns.add_columns.extend(made_by_raw)


async def _run(statement: str):
    return await engine_finder().run_ddl(statement)


async def keep_code_counts_and_delete_used_codes():
    await _run(
        "UPDATE wave SET codes_issued = (SELECT COUNT(*) FROM access_code WHERE access_code.wave = wave.id)"
    )
    if engine_finder().engine_type == "sqlite":
        # The deleted hashes are overwritten, not left in the file's free space.
        await _run("PRAGMA secure_delete = ON")
    await _run("DELETE FROM access_code WHERE spent")
    if engine_finder().engine_type == "postgres":
        # Used codes are deleted from now on: vacuum them away soon, wherever autovacuum runs.
        await _run(
            "ALTER TABLE access_code SET (autovacuum_vacuum_threshold = 0, autovacuum_vacuum_scale_factor = 0)"
        )


async def random_ids():
    if engine_finder().engine_type == "postgres":
        for table in ("response", "answer"):
            await _run(f"ALTER TABLE {table} ALTER COLUMN id DROP DEFAULT")
            await _run(f"DROP SEQUENCE IF EXISTS {table}_id_seq")
            await _run(f"ALTER TABLE {table} ALTER COLUMN id TYPE bigint")
        await _run("ALTER TABLE answer ALTER COLUMN response TYPE bigint")
    await _run("CREATE TEMPORARY TABLE response_ids (old BIGINT PRIMARY KEY, new BIGINT NOT NULL)")
    old_ids = [row["id"] for row in await _run("SELECT id FROM response")]
    new_ids: set[int] = set()
    while len(new_ids) < len(old_ids):
        new_ids.add(random_id())
    pairs = list(zip(old_ids, new_ids, strict=True))
    for start in range(0, len(pairs), BATCH):
        values = ", ".join(f"({int(old)}, {int(new)})" for old, new in pairs[start : start + BATCH])
        await _run(f"INSERT INTO response_ids (old, new) VALUES {values}")
    await _run("UPDATE response SET id = (SELECT new FROM response_ids WHERE old = response.id)")
    # ON UPDATE CASCADE has moved the answers along where foreign keys are enforced; this moves them
    # where they are not (an SQLite connection without the pragma), and finds nothing otherwise.
    await _run(
        "UPDATE answer SET response = (SELECT new FROM response_ids WHERE old = answer.response) "
        "WHERE response IN (SELECT old FROM response_ids)"
    )
    await _run("CREATE TEMPORARY TABLE answer_ids (old BIGINT PRIMARY KEY, new BIGINT NOT NULL)")
    await _run(
        "INSERT INTO answer_ids (old, new) SELECT id, response + ROW_NUMBER() OVER "
        "(PARTITION BY response ORDER BY id) - 1 FROM answer"
    )
    await _run("UPDATE answer SET id = (SELECT new FROM answer_ids WHERE old = answer.id)")
    await _run("DROP TABLE response_ids")
    await _run("DROP TABLE answer_ids")


async def forwards():
    manager = _Manager(migration_id=ID, app_name="surveys", description=DESCRIPTION)
    manager.add_raw(keep_code_counts_and_delete_used_codes)
    manager.add_raw(random_ids)

    manager.drop_column(
        table_class_name="AccessCode",
        tablename="access_code",
        column_name="spent",
        db_column_name="spent",
        schema=None,
    )

    for table_class_name, tablename in (("Response", "response"), ("Answer", "answer")):
        manager.add_column(
            table_class_name=table_class_name,
            tablename=tablename,
            column_name="id",
            db_column_name="id",
            column_class_name="BigInt",
            column_class=BigInt,
            params={
                "default": random_id,
                "null": False,
                "primary_key": True,
                "unique": False,
                "index": False,
                "index_method": IndexMethod.btree,
                "choices": None,
                "db_column_name": None,
                "secret": False,
            },
            schema=None,
        )

    return manager
