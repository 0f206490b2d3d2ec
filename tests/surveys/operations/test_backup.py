"""Backups and moving to PostgreSQL: a round trip gives back every row of every table, on both engines."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from surveys.accounts.users import Role, create_user
from surveys.db import engine as db
from surveys.db.tables import TABLES, Response, User
from surveys.meetings.records import create_meeting
from surveys.operations.backup import BackupError, backup, file_engine, migrations_in, restore
from surveys.operations.data_copy import DataCopyError, copy_database
from surveys.responding.submission import Submission, store_submission
from surveys.responding.validation import CleanAnswers
from surveys.waves.lookup import find_wave
from tests.conftest import REQUIRE_POSTGRES, _postgres_admin, _postgres_available, _postgres_url
from tests.support import make_wave


async def _fill() -> None:
    """A little of everything: a plan, a wave with responses (free text too), a user, a meeting."""
    await make_wave()
    wave = await find_wave("testomgang")
    for n in range(7):
        await store_submission(
            wave,
            Submission(
                organisation_id=wave.organisations[n % 2].id,
                target_group_id=wave.target_groups[0].id,
                answers=CleanAnswers(
                    chosen={"kannedom": ("ja",), "forstaelse": (str(1 + n % 5),)},
                    texts={"fritext": f"Svar {n}"},
                ),
                submission_key=f"key-{n:02d}-" + "x" * 12,
            ),
            datetime.now(UTC),
        )
    await create_user("lena@example.se", "ett-langt-losenord", Role.READER, "Lena")
    await create_meeting("testplan", "Länsledningens möte", "2026-12-10", k=5)


async def _every_row() -> dict[str, list[dict]]:
    from piccolo.apps.migrations.tables import Migration

    rows = {t._meta.tablename: await t.select().order_by(t.id) for t in TABLES}
    rows["migration"] = await Migration.select(Migration.name, Migration.app_name).order_by(Migration.name)
    return rows


async def test_a_restored_backup_gives_back_every_row_of_every_table(database, tmp_path):
    await _fill()
    before = await _every_row()
    file = tmp_path / "effekt.backup"

    written = backup(database, file)
    # Changes after the backup: all of them must be gone after the restore.
    await Response.delete().where(Response.id == before["response"][0]["id"])
    await User.update({User.display_name: "Någon annan"}).where(User.username == "lena@example.se")
    restore(database, file)

    assert written.size > 0
    assert file_engine(file) == ("sqlite" if database.startswith("sqlite") else "postgresql")
    assert await _every_row() == before
    assert sorted(migrations_in(file)) == sorted(await db.known_migrations())


async def test_a_backup_from_the_other_engine_is_refused_with_advice(database, tmp_path):
    other = tmp_path / "other.backup"
    other.write_bytes(
        b"PGDMP" + bytes(100) if database.startswith("sqlite") else b"SQLite format 3\x00" + bytes(100)
    )

    with pytest.raises(BackupError, match="migrate-data"):
        restore(database, other)


def test_a_file_that_is_no_backup_is_refused(tmp_path):
    junk = tmp_path / "inte-en-kopia.txt"
    junk.write_text("hej", encoding="utf-8")

    with pytest.raises(BackupError, match="ingen säkerhetskopia"):
        file_engine(junk)


def test_a_damaged_sqlite_backup_is_refused_and_the_database_is_left_alone(tmp_path):
    import sqlite3

    live = tmp_path / "live.sqlite"
    with sqlite3.connect(live) as connection:
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(live.read_bytes()[:100] + bytes(4000))

    with pytest.raises(BackupError):
        restore(f"sqlite:///{live}", damaged)

    with sqlite3.connect(live) as connection:
        assert connection.execute("SELECT x FROM t").fetchall() == [(1,)]


@pytest.fixture
async def empty_postgres():
    if not await _postgres_available():
        if REQUIRE_POSTGRES:
            pytest.fail("PostgreSQL is not reachable")
        pytest.skip("PostgreSQL is not reachable")
    name = f"effekt_test_copy_{uuid.uuid4().hex[:10]}"
    await _postgres_admin(f'CREATE DATABASE "{name}"')
    yield _postgres_url(name)
    await _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_migrate_data_copies_every_row_to_postgresql_and_counts_them(database, empty_postgres):
    await _fill()
    source = await _every_row()

    counts = await copy_database(database, empty_postgres)

    assert all(c.matches for c in counts)
    assert {c.table: c.target for c in counts}["response"] == 7
    db.use_database(empty_postgres)
    assert await _every_row() == source
    # New rows get fresh ids after the copied ones.
    wave = await find_wave("testomgang")
    await store_submission(
        wave,
        Submission(
            organisation_id=wave.organisations[0].id,
            target_group_id=wave.target_groups[0].id,
            answers=CleanAnswers(chosen={"kannedom": ("nej",)}, texts={}),
            submission_key="after-the-move-" + "y" * 10,
        ),
        datetime.now(UTC),
    )
    assert await Response.count() == 8


async def test_migrate_data_refuses_a_target_that_already_has_data(database, empty_postgres):
    await _fill()
    await copy_database(database, empty_postgres)

    with pytest.raises(DataCopyError, match="redan data"):
        await copy_database(database, empty_postgres)


async def test_a_copy_that_fails_half_way_leaves_the_target_empty(database, empty_postgres, monkeypatch):
    from surveys.operations import data_copy

    await _fill()
    copied = []
    original = data_copy._copy_table

    async def failing(table, connection, total, progress):
        if copied:
            raise ConnectionResetError("the network went away")
        copied.append(table)
        await original(table, connection, total, progress)

    monkeypatch.setattr(data_copy, "_copy_table", failing)
    with pytest.raises(ConnectionResetError):
        await copy_database(database, empty_postgres)

    db.use_database(empty_postgres)
    assert all(rows == [] for name, rows in (await _every_row()).items() if name != "migration")
