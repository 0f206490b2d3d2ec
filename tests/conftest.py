"""Fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from EFFEKT_TEST_POSTGRES_URL (default: the local server, user postgres). Each test
session creates its own databases there and drops them afterwards. Without a reachable server the
PostgreSQL half is skipped, unless EFFEKT_REQUIRE_POSTGRES=1 (as in CI), where it fails instead.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import httpx
import pytest

from server.app import create_app
from server.settings import Settings
from surveys.db import engine as db
from surveys.db.tables import TABLES
from surveys.waves.lookup import clear_caches

POSTGRES_ADMIN_URL = os.environ.get(
    "EFFEKT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("EFFEKT_REQUIRE_POSTGRES") == "1"
DEMO_TODAY = date.today()


async def _postgres_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _postgres_available() -> bool:
    try:
        await _postgres_admin("SELECT 1")
    except (OSError, Exception):
        return False
    return True


def _postgres_url(name: str) -> str:
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def databases(request, tmp_path_factory) -> AsyncIterator[dict[str, str]]:
    """URLs of two fresh, migrated databases on one engine: 'main' (emptied per test) and 'demo'."""
    engine = request.param
    created: list[str] = []
    if engine == "sqlite":
        folder: Path = tmp_path_factory.mktemp("sqlite")
        urls = {"main": f"sqlite:///{folder / 'main.sqlite'}", "demo": f"sqlite:///{folder / 'demo.sqlite'}"}
    else:
        if not await _postgres_available():
            message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}"
            if REQUIRE_POSTGRES:
                pytest.fail(message)
            pytest.skip(message)
        suffix = uuid.uuid4().hex[:10]
        urls = {}
        for role in ("main", "demo"):
            name = f"effekt_test_{role}_{suffix}"
            await _postgres_admin(f'CREATE DATABASE "{name}"')
            created.append(name)
            urls[role] = _postgres_url(name)
    for url in urls.values():
        db.use_database(url)
        await db.migrate()
    db.use_database(urls["demo"])
    clear_caches()  # frozen versions cached from the other engine's databases share their ids
    from surveys.demo import load_demo

    await load_demo(DEMO_TODAY)
    yield {"engine": engine, **urls}
    for name in created:
        await _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _empty_all_tables() -> None:
    engine = db.current_engine()
    if engine.engine_type == "postgres":
        # DELETE, children first, then every sequence back to 1: a hundred times faster than TRUNCATE on
        # tables this small (TRUNCATE makes new files for every table, about 0.2 s a test).
        # One DO block: one statement, as the engine sends it prepared.
        deletes = " ".join(f'DELETE FROM "{t._meta.tablename}";' for t in reversed(TABLES))
        restart = "PERFORM setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S';"
        await engine.run_ddl(f"DO $$ BEGIN {deletes} {restart} END $$")
    else:
        for table in reversed(TABLES):
            await table.delete(force=True)


@pytest.fixture
async def database(databases) -> AsyncIterator[str]:
    """An empty, migrated database (the engine of this run); yields its URL."""
    db.use_database(databases["main"])
    await _empty_all_tables()
    clear_caches()
    yield databases["main"]


@pytest.fixture
async def demo_database(databases) -> AsyncIterator[str]:
    """The demo plan with its synthetic responses, loaded once per engine.

    Read-only by agreement: tests compare its results between engines, so none may add responses.
    """
    db.use_database(databases["demo"])
    clear_caches()
    yield databases["demo"]


@pytest.fixture
def engine_name(databases) -> str:
    return databases["engine"]


@asynccontextmanager
async def running(app) -> AsyncIterator[httpx.AsyncClient]:
    # app.lifespan() holds cancel scopes that must be entered and left in one task.
    started, stop = asyncio.Event(), asyncio.Event()

    async def run() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(run())
    await started.wait()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", follow_redirects=False
        ) as c:
            yield c
    finally:
        stop.set()
        await task


def make_settings(url: str, **overrides) -> Settings:
    return Settings(database_url=url, secret_key="x" * 48, **overrides)


_APPS: dict[str, object] = {}


def shared_app(url: str):
    """The app with default settings on `url`, built once per database: building one (its 160 routes)
    takes about 0.3 s, which a thousand tests would pay again and again. Nothing a request does stays in
    the app itself (tests/server/test_one_rule_caches.py: caches live in surveys.caches, emptied per
    test), and each test still runs the app's own start and stop."""
    if url not in _APPS:
        _APPS[url] = create_app(make_settings(url), manage_database=False)
    return _APPS[url]


@pytest.fixture
async def client(database) -> AsyncIterator[httpx.AsyncClient]:
    async with running(shared_app(database)) as c:
        yield c


@pytest.fixture
async def demo_client(demo_database) -> AsyncIterator[httpx.AsyncClient]:
    async with running(shared_app(demo_database)) as c:
        yield c


ENGINE_ONLY = {"postgresql_only": "postgresql", "sqlite_only": "sqlite"}


def pytest_collection_modifyitems(config, items):
    """Slow checks run where EFFEKT_RUN_SLOW=1 (CI sets it); elsewhere they are skipped, saying why.

    A test that asks for `postgresql_only` or `sqlite_only` (an attack on one engine's storage) is not
    collected for the other engine at all, rather than skipped there: CI allows no skips."""
    other_engine = [
        item
        for item in items
        if any(
            name in getattr(item, "fixturenames", ())
            and getattr(getattr(item, "callspec", None), "params", {}).get("databases", engine) != engine
            for name, engine in ENGINE_ONLY.items()
        )
    ]
    if other_engine:
        config.hook.pytest_deselected(items=other_engine)
        items[:] = [item for item in items if item not in other_engine]
    if os.environ.get("EFFEKT_RUN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow check: set EFFEKT_RUN_SLOW=1 to run it (CI does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
