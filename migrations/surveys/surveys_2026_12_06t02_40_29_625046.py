"""Sign-in throttling keyed with the secret key, API keys that expire, and the audit log.

The old failed-sign-in rows were bare SHA-256 hashes of a user name or an address, which a dictionary of
names and the whole IPv4 range reverse: they are deleted, not converted. The key column becomes unique for
the one-statement reservation in surveys/accounts/throttle.py; SQLite cannot add a constraint to a table, so
there it is a unique index (which `ON CONFLICT` accepts the same way), made by a raw step instead of
Piccolo's alteration. Keys made before expiry existed expire 90 days after this migration, so no
integration stops the day effekt is upgraded (docs/security.md, "Konton och inloggning").
"""

from datetime import UTC, datetime, timedelta

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import BigInt, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString
from piccolo.table import Table


class User(Table, tablename="effekt_user", schema=None):
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


ID = "2026-12-06T02:40:29:625046"
VERSION = "1.38.0"
DESCRIPTION = "Sign-in throttle keyed with HMAC, API key expiry, audit log"
OLD_KEYS_EXPIRE_AFTER = timedelta(days=90)


class _Manager(MigrationManager):
    async def _run_add_columns(self, backwards: bool = False):
        await super()._run_add_columns(backwards=backwards)
        if not backwards:
            await expire_old_keys()  # raw steps run before the columns exist

    async def _run_alter_columns(self, backwards: bool = False):
        # The key column's new uniqueness is made by unique_throttle_keys (below), on both engines alike.
        kept = self.alter_columns.alter_columns
        self.alter_columns.alter_columns = [
            c for c in kept if not (c.tablename == "login_failure" and c.column_name == "key_hash")
        ]
        try:
            await super()._run_alter_columns(backwards=backwards)
        finally:
            self.alter_columns.alter_columns = kept


async def unique_throttle_keys():
    engine = engine_finder()
    await engine.run_ddl("DELETE FROM login_failure")
    await engine.run_ddl("DROP INDEX IF EXISTS login_failure_key_hash")
    if engine.engine_type == "postgres":
        await engine.run_ddl(
            "ALTER TABLE login_failure ADD CONSTRAINT login_failure_key_hash_key UNIQUE (key_hash)"
        )
    else:
        await engine.run_ddl("CREATE UNIQUE INDEX login_failure_key_hash_key ON login_failure (key_hash)")


async def expire_old_keys():
    await engine_finder().run_querystring(
        QueryString(
            "UPDATE api_token SET expires_at = {} WHERE expires_at IS NULL",
            datetime.now(UTC) + OLD_KEYS_EXPIRE_AFTER,
        )
    )


async def forwards():
    manager = _Manager(migration_id=ID, app_name="surveys", description=DESCRIPTION)

    manager.add_table(
        class_name="AuditEvent",
        tablename="audit_event",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="AuditEvent",
        tablename="audit_event",
        column_name="at",
        db_column_name="at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AuditEvent",
        tablename="audit_event",
        column_name="actor_id",
        db_column_name="actor_id",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": User,
            "on_delete": OnDelete.set_null,
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
        table_class_name="AuditEvent",
        tablename="audit_event",
        column_name="actor",
        db_column_name="actor",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 100,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AuditEvent",
        tablename="audit_event",
        column_name="action",
        db_column_name="action",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 40,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AuditEvent",
        tablename="audit_event",
        column_name="object",
        db_column_name="object",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 200,
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
        table_class_name="AuditEvent",
        tablename="audit_event",
        column_name="detail",
        db_column_name="detail",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 300,
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
        table_class_name="ApiToken",
        tablename="api_token",
        column_name="expires_at",
        db_column_name="expires_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
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
        table_class_name="LoginFailure",
        tablename="login_failure",
        column_name="failures",
        db_column_name="failures",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
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
        table_class_name="LoginFailure",
        tablename="login_failure",
        column_name="last_at",
        db_column_name="last_at",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
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
        table_class_name="LoginFailure",
        tablename="login_failure",
        column_name="next_at",
        db_column_name="next_at",
        column_class_name="BigInt",
        column_class=BigInt,
        params={
            "default": 0,
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
        table_class_name="LoginFailure",
        tablename="login_failure",
        column_name="key_hash",
        db_column_name="key_hash",
        params={"unique": True, "index": False},
        old_params={"unique": False, "index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.add_raw(unique_throttle_keys)

    return manager
