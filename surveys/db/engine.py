"""Which database the tables talk to, and how effekt writes to it safely."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import sqlite3
import sys
import weakref
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

T = TypeVar("T")
_ID = re.compile(r'^ID = "([^"]+)"', re.MULTILINE)
# A deleted row (a used one-time code, a purged response) is overwritten with zeros, not left readable in
# the file's free space. Per connection, so every connection sets it.
SECURE_DELETE = "PRAGMA secure_delete = ON"
# Seconds a writer waits for another process's lock before giving up.
BUSY_SECONDS = 30
LOG_WAIT_MS = 200


class _Shared:
    """One event loop's long-lived SQLite connections: one for reads and single statements, one for writes."""

    def __init__(self) -> None:
        self.reader: aiosqlite.Connection | None = None
        self.reader_lock = asyncio.Lock()
        self.writer: aiosqlite.Connection | None = None
        # SQLite allows one writer; queueing writers in-process avoids SQLITE_BUSY, which a DEFERRED
        # transaction gets at once (ignoring the timeout) when it upgrades its lock under contention.
        self.write_lock = asyncio.Lock()


class PersistentSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, but reusing connections instead of opening one (and a thread) per query.

    Opening a connection costs about 1.4 ms against 0.1 ms for a query on an open one. Statements outside
    transactions share a reader connection (autocommit, so each sees the latest commit, as WAL allows);
    `write_transaction` uses a writer connection, serialised by the write lock. Both are per event loop,
    and their threads are daemons, so a connection never keeps the process alive.
    """

    def __init__(self, path: str, **kwargs) -> None:
        super().__init__(path=path, **kwargs)
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Shared] = (
            weakref.WeakKeyDictionary()
        )

    def shared(self) -> _Shared:
        loop = asyncio.get_running_loop()
        entry = self._loops.get(loop)
        if entry is None:
            entry = self._loops[loop] = _Shared()
        return entry

    async def open_connection(self) -> aiosqlite.Connection:
        pending = aiosqlite.connect(**self.connection_kwargs)
        pending._thread.daemon = True
        connection = await pending
        connection.row_factory = dict_factory
        await connection.execute("PRAGMA foreign_keys = 1")
        await connection.execute(SECURE_DELETE)
        return connection

    async def get_connection(self) -> aiosqlite.Connection:
        """The connection of a Piccolo transaction (migrations, `engine.transaction()`)."""
        connection = await super().get_connection()
        await connection.execute(SECURE_DELETE)
        return connection

    async def _run_in_new_connection(self, query, args=None, query_type="generic", table=None):
        if query_type == "insert" and self.get_version_sync() < 3.35:
            return await super()._run_in_new_connection(query, args, query_type, table)
        shared = self.shared()
        async with shared.reader_lock:
            if shared.reader is None:
                shared.reader = await self.open_connection()
            async with shared.reader.execute(query, args or []) as cursor:
                return await cursor.fetchall()

    async def writer(self) -> aiosqlite.Connection:
        shared = self.shared()
        if shared.writer is None:
            shared.writer = await self.open_connection()
        return shared.writer

    async def close_shared(self) -> None:
        entry = self._loops.pop(asyncio.get_running_loop(), None)
        for connection in (entry.reader, entry.writer) if entry else ():
            if connection is not None:
                await connection.close()


class _WriterTransaction(SQLiteTransaction):
    """An IMMEDIATE transaction on the engine's long-lived writer connection, which it leaves open."""

    async def get_connection(self):
        return await self.engine.writer()

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if exception:
            if not self._rolled_back:
                await self.rollback()
        elif not self._committed and not self._rolled_back:
            await self.commit()
        self.engine.current_transaction.reset(self.context)
        return exception is None


def engine_for_url(url: str) -> Engine:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return PersistentSQLiteEngine(path=url.removeprefix("sqlite:///"), timeout=BUSY_SECONDS)
    if parsed.scheme in ("postgresql", "postgres"):
        return PostgresEngine(config={"dsn": url})
    raise ValueError(f"unsupported database URL scheme: {parsed.scheme!r}")


def use_database(url: str) -> Engine:
    """Point every effekt table (and Piccolo's migration machinery) at the database at `url`."""
    from piccolo.apps.migrations.tables import Migration

    from surveys.db import piccolo_conf
    from surveys.db.tables import TABLES

    engine = engine_for_url(url)
    if isinstance(engine, SQLiteEngine):
        Path(engine.path).parent.mkdir(parents=True, exist_ok=True)
    piccolo_conf.DB = engine
    for table in (*TABLES, Migration):
        table._meta.db = engine
    return engine


def current_engine() -> Engine:
    from surveys.db.tables import Wave

    return Wave._meta.db


def is_sqlite() -> bool:
    return current_engine().engine_type == "sqlite"


async def prepare_database() -> None:
    """Settings that live in the database file and must be set once, not per connection."""
    engine = current_engine()
    if engine.engine_type == "sqlite":
        # WAL lets readers go on while one response is written; it persists in the file.
        await engine.run_ddl("PRAGMA journal_mode=WAL;")


async def migrate() -> list[str]:
    """Apply all pending migrations; returns the ids that ran. Run once, before workers start."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    await prepare_database()
    before = set(await _applied())
    with contextlib.redirect_stdout(io.StringIO()) as chatter:  # Piccolo prints emoji progress lines
        result = await run_forwards(app_name="surveys")
    if not result.success:
        raise RuntimeError(result.message or chatter.getvalue().strip().splitlines()[-1])
    return sorted(set(await _applied()) - before)


async def _applied() -> list[str]:
    from piccolo.apps.migrations.tables import Migration

    if not await Migration.table_exists():
        return []
    return [row["name"] for row in await Migration.select(Migration.name)]


async def known_migrations() -> list[str]:
    """The ids of the migrations this version of effekt brings."""
    from surveys.db.piccolo_app import MIGRATIONS

    return sorted(_ID.search(p.read_text(encoding="utf-8")).group(1) for p in MIGRATIONS.glob("surveys_*.py"))


async def pending_migrations() -> list[str]:
    applied = set(await _applied())
    return [name for name in await known_migrations() if name not in applied]


async def has_tables() -> bool:
    from piccolo.apps.migrations.tables import Migration

    return await Migration.table_exists()


@asynccontextmanager
async def write_transaction(*, erase_log: bool = False) -> AsyncIterator[object]:
    """A transaction for read-then-write work that never fails with 'database is locked'.

    With `erase_log`, on SQLite, the write-ahead log is copied into the database file and emptied right
    after the commit, so that no copy of it shows which rows this transaction changed together (a used
    one-time code and its response). PostgreSQL's log is the server's: see docs/dataskydd.md.
    """
    engine = current_engine()
    if isinstance(engine, PersistentSQLiteEngine):
        async with engine.shared().write_lock:
            if engine.current_transaction.get() is not None:
                raise RuntimeError("write transactions do not nest")
            async with _WriterTransaction(engine=engine, transaction_type=TransactionType.immediate) as tx:
                yield tx
            if erase_log:
                await _empty_sqlite_log(await engine.writer())
    elif isinstance(engine, SQLiteEngine):
        async with engine.transaction(transaction_type=TransactionType.immediate) as tx:
            yield tx
    else:
        async with engine.transaction() as tx:
            yield tx


# Each string one transaction, in this order (docs/dataskydd.md, "Engångskoder och svarens ordning").
# New rows are appended in the order they come, each with its transaction id (xmin), and pg_dump writes
# them in that order. The first gives every response, answer and used form token row one and the same
# transaction id; the second rewrites the tables in the order of their random ids (access codes: of their
# hashes), which also leaves behind the dead row versions that carried the old ids and the deleted codes.
# A form's token is stored in its response's transaction (surveys/responding/submission.py), so until
# then its xmin is the response's, and its place and xmin are the order people answered in, which the
# audit log's times (each event with its own xmin) would turn into times of answering.
POSTGRES_REORDER = (
    "UPDATE response SET wave = wave; UPDATE answer SET wave = wave; UPDATE used_form_token SET wave = wave",
    "CLUSTER response USING response_pkey; CLUSTER answer USING answer_pkey; "
    "CLUSTER access_code USING access_code_code_hash_key; CLUSTER used_form_token USING used_form_token_pkey",
)


async def forget_write_order() -> None:
    """Leave no order of writing in the stored responses and codes (nightly, with retention, and before a
    backup): the PostgreSQL rewrite above; on SQLite, whose rows already sit in the order of their random
    ids, an emptied write-ahead log.
    """
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        connection = await engine.get_new_connection()
        try:
            for statements in POSTGRES_REORDER:
                await connection.execute(statements)
        finally:
            await connection.close()
    elif isinstance(engine, PersistentSQLiteEngine):
        async with engine.shared().write_lock:
            await _empty_sqlite_log(await engine.writer(), BUSY_SECONDS * 1000)


async def _empty_sqlite_log(connection: aiosqlite.Connection, wait_ms: int = 0) -> bool:
    """Checkpoint and truncate the write-ahead log; False when a reader kept it (the next call retries).

    After a submission it waits at most a moment for readers (another process's, say), not the usual
    BUSY_SECONDS, since the write lock is held meanwhile.
    """
    await connection.execute(f"PRAGMA busy_timeout = {wait_ms or LOG_WAIT_MS}")
    try:
        async with connection.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            row = await cursor.fetchone()
    finally:
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")
    return row is not None and row["busy"] == 0


async def run_on_sqlite_writer(work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work` on the SQLite writer connection's own thread, holding the write lock.

    For the one hot write (a submission): a whole transaction in one hand-over to the connection's thread,
    instead of one per statement, since the time inside the write lock is what limits submissions per
    second. `work` begins and ends its own transaction. aiosqlite has no public way to run a function on
    its thread; `_execute` and `_conn` are what its own methods use.
    """
    engine = current_engine()
    assert isinstance(engine, PersistentSQLiteEngine)
    async with engine.shared().write_lock:
        if engine.current_transaction.get() is not None:
            raise RuntimeError("write transactions do not nest")
        connection = await engine.writer()
        return await connection._execute(lambda: work(connection._conn))


async def execute_on_postgres(sql: str, args: Sequence[object]) -> None:
    """Run one statement with `$n` placeholders on a pooled connection, outside any transaction.

    For the one hot write (a submission): Piccolo's raw queries compile `{}` placeholders and inspect every
    argument on each call, which for a response with its answers cost as much CPU as the rest of the
    request. asyncpg prepares the statement once per connection and keeps it.
    """
    engine = current_engine()
    assert isinstance(engine, PostgresEngine)
    if engine.current_transaction.get() is not None:
        raise RuntimeError("execute_on_postgres runs in its own transaction, not inside another")
    if engine.pool is not None:
        async with engine.pool.acquire() as connection:
            await connection.execute(sql, *args)
        return
    connection = await engine.get_new_connection()
    try:
        await connection.execute(sql, *args)
    finally:
        await connection.close()


def is_persistent_sqlite() -> bool:
    return isinstance(current_engine(), PersistentSQLiteEngine)


def is_foreign_key_violation(exc: BaseException) -> bool:
    """True when a row refers to one that is gone, on either engine."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "FOREIGN KEY" in str(exc)
    asyncpg = sys.modules.get("asyncpg")
    return asyncpg is not None and isinstance(exc, asyncpg.exceptions.ForeignKeyViolationError)


def is_unique_violation(exc: BaseException) -> bool:
    """True for a UNIQUE constraint failure on either engine."""
    import sqlite3

    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc)
    asyncpg = sys.modules.get("asyncpg")
    return asyncpg is not None and isinstance(exc, asyncpg.exceptions.UniqueViolationError)


async def start_pool(max_size: int = 10) -> bool:
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=max_size)
        return True
    return False


async def close_pool() -> None:
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, PersistentSQLiteEngine):
        await engine.close_shared()


def is_database_unavailable(exc: BaseException) -> bool:
    """True when the database cannot be reached or is too busy: the request may simply be retried."""
    import sqlite3

    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError | PermissionError):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return "locked" in str(exc) or "unable to open" in str(exc)
    asyncpg = sys.modules.get("asyncpg")
    if asyncpg is not None:
        unavailable = (
            asyncpg.exceptions.CannotConnectNowError,
            asyncpg.exceptions.ConnectionDoesNotExistError,
            asyncpg.exceptions.ConnectionFailureError,
            asyncpg.exceptions.TooManyConnectionsError,
            asyncpg.exceptions.AdminShutdownError,
            asyncpg.exceptions.InterfaceError,
        )
        return isinstance(exc, unavailable)
    return False
