"""A spent one-time code cannot be joined or ordered to the response it unlocked (issue #13, finding 5).

Each test plays an insider who holds the code list (who got which code) and reads what effekt leaves
behind: the live tables, a backup, the database files. Eight people answer with their codes, in an order
that puts nobody at their code's place in the list, and every attack counts the people it names
correctly. Before the fix, on PostgreSQL: xmin named 8 of 8, the ctid order 8, the order of transaction
ids 8, the pg_dump that `effekt backup` writes 8, dead row versions read with pageinspect 8; on SQLite,
replaying a copy of the write-ahead log named 8 of 8; on both, response ids were 1, 2, 3 … in the order
people answered. Now every attack names 0 and no stored order follows the order of answering.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import struct
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from surveys.db import engine as db
from surveys.db.tables import AccessCode, Answer, Response, Wave
from surveys.operations.backup import backup
from surveys.responding.submission import Stored, Submission, store_submission
from surveys.responding.validation import CleanAnswers
from surveys.waves.codes import code_hash, create_codes
from surveys.waves.lookup import clear_caches, find_wave
from tests.support import make_wave

PEOPLE = 8
# The i-th to answer is person ORDER[i]: not the order of the code list, so that the list's own order (the
# order the codes were made and stored in) names nobody by itself.
ORDER = [1, 2, 3, 4, 5, 6, 7, 0]


def key_of(person: int) -> str:
    """Who a response is from, as the attacker would learn it (for example from what they wrote)."""
    return f"Svar från person {person}"


# A response's person, read from its free-text answer: the response row itself holds nothing that names
# the form it came from (its submission key is random, docs/dataskydd.md).
PERSON = "(SELECT a.text FROM answer a WHERE a.response = response.id AND a.text IS NOT NULL)"


async def coded_wave_answered() -> tuple[int, list[str]]:
    """A wave with one code per person; every person answers with their own code, in ORDER."""
    wave_id = await make_wave()
    async with db.write_transaction():
        await Wave.update({Wave.uses_codes: True}).where(Wave.id == wave_id)
        codes = await create_codes(wave_id, PEOPLE)
    clear_caches()
    wave = await find_wave("testomgang")
    for person in ORDER:
        stored = await store_submission(
            wave,
            Submission(
                organisation_id=wave.organisations[person % 2].id,
                target_group_id=wave.target_groups[0].id,
                answers=CleanAnswers(
                    chosen={"kannedom": ("ja",), "forstaelse": (str(1 + person % 5),)},
                    texts={"fritext": key_of(person)},
                ),
                submission_key=f"person-{person:02d}-" + "k" * 16,
                code=codes[person],
            ),
            datetime.now(UTC),
        )
        assert stored is Stored.CREATED
    return wave_id, codes


def named_correctly(links: dict[str, str], wave_id: int, codes: list[str]) -> int:
    """How many people an attack named: `links` maps a code hash to the submission key it chose."""
    return sum(links.get(code_hash(wave_id, codes[p])) == key_of(p) for p in range(PEOPLE))


def by_rank(spent_hashes: list[str], keys: list[str]) -> dict[str, str]:
    """The k-th code spent goes with the k-th response stored."""
    return dict(zip(spent_hashes, keys, strict=False))


def known_hashes(wave_id: int, codes: list[str]) -> list[str]:
    return [code_hash(wave_id, c) for c in codes]


async def spent_in_stored_order(order: str) -> list[str]:
    """The used codes in the order `order` (a column or system column) keeps them.

    Before: the rows marked used. Now a used code has no row, so there is nothing to put in order.
    """
    columns = {c._meta.db_column_name for c in AccessCode._meta.columns}
    if "spent" not in columns:
        return []
    rows = await AccessCode.raw(f"SELECT code_hash FROM access_code WHERE spent ORDER BY {order}")
    return [r["code_hash"] for r in rows]


async def no_used_code_is_left(wave_id: int, codes: list[str]) -> bool:
    present = {r["code_hash"] for r in await AccessCode.select(AccessCode.code_hash)}
    return not present & set(known_hashes(wave_id, codes))


async def keys_in_stored_order(order: str) -> list[str]:
    rows = await Response.raw(f"SELECT {PERSON} AS k FROM response ORDER BY {order}")
    return [r["k"] for r in rows]


def answering_order() -> list[str]:
    return [key_of(p) for p in ORDER]


@pytest.fixture
def postgresql_only(engine_name):
    """A PostgreSQL attack: tests/conftest.py collects it for PostgreSQL only."""
    assert engine_name == "postgresql"


@pytest.fixture
def sqlite_only(engine_name):
    """An SQLite attack: tests/conftest.py collects it for SQLite only."""
    assert engine_name == "sqlite"


# --- PostgreSQL ------------------------------------------------------------------------------------


async def test_no_code_row_shares_a_transaction_id_with_a_response(database, postgresql_only):
    wave_id, codes = await coded_wave_answered()
    code_xmin = {
        r["h"]: r["x"]
        for r in await AccessCode.raw("SELECT code_hash AS h, xmin::text AS x FROM access_code")
    }
    response_xmin = {
        r["x"]: r["k"] for r in await Response.raw(f"SELECT {PERSON} AS k, xmin::text AS x FROM response")
    }
    links = {h: response_xmin[x] for h, x in code_xmin.items() if x in response_xmin}
    assert named_correctly(links, wave_id, codes) == 0


async def test_the_physical_order_of_codes_does_not_follow_the_responses(database, postgresql_only):
    wave_id, codes = await coded_wave_answered()
    links = by_rank(await spent_in_stored_order("ctid"), await keys_in_stored_order("ctid"))
    assert named_correctly(links, wave_id, codes) == 0
    assert await no_used_code_is_left(wave_id, codes)


async def test_the_order_of_transaction_ids_does_not_pair_codes_with_responses(database, postgresql_only):
    wave_id, codes = await coded_wave_answered()
    by_xid = "xmin::text::bigint"
    links = by_rank(await spent_in_stored_order(by_xid), await keys_in_stored_order(by_xid))
    assert named_correctly(links, wave_id, codes) == 0


def dumped_rows(file: Path, table: str) -> list[dict[str, str]]:
    """The rows of `table` in a pg_dump file, in the order the file keeps them."""
    text = subprocess.run(
        ["pg_restore", "--data-only", f"--table={table}", "--file=-", str(file)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows, columns = [], None
    for line in text.splitlines():
        if line.startswith(f"COPY public.{table} "):
            columns = line[line.index("(") + 1 : line.index(")")].replace('"', "").split(", ")
        elif columns and line == "\\.":
            columns = None
        elif columns:
            rows.append(dict(zip(columns, line.split("\t"), strict=True)))
    return rows


async def test_a_backup_keeps_no_order_that_pairs_codes_with_responses(database, postgresql_only, tmp_path):
    wave_id, codes = await coded_wave_answered()
    file = tmp_path / "effekt.dump"
    backup(database, file)
    codes_in_file = dumped_rows(file, "access_code")
    spent = [r["code_hash"] for r in codes_in_file if r.get("spent") == "t"]
    assert not {r["code_hash"] for r in codes_in_file} & set(known_hashes(wave_id, codes))
    key_of_id = {
        r["response"]: r["text"] for r in dumped_rows(file, "answer") if r["text"] not in ("\\N", "")
    }
    keys = [key_of_id.get(r["id"]) for r in dumped_rows(file, "response")]
    assert named_correctly(by_rank(spent, keys), wave_id, codes) == 0
    assert keys != answering_order()
    answered = list(dict.fromkeys(key_of_id[r["response"]] for r in dumped_rows(file, "answer")))
    assert answered != answering_order()


async def test_after_a_backup_not_even_a_superuser_finds_a_dead_code_row_with_a_responses_transaction(
    database, postgresql_only, tmp_path
):
    await coded_wave_answered()
    backup(database, tmp_path / "effekt.dump")
    engine = db.current_engine()
    await engine.run_ddl("CREATE EXTENSION IF NOT EXISTS pageinspect")
    pages = (
        await AccessCode.raw(
            "SELECT pg_relation_size('access_code') / current_setting('block_size')::int AS n"
        )
    )[0]["n"]
    deleted_by: set[str] = set()
    for page in range(pages):
        items = await AccessCode.raw(
            "SELECT t_xmin::text AS xmin, t_xmax::text AS xmax FROM heap_page_items(get_raw_page('access_code', {}))",
            page,
        )
        deleted_by |= {i["xmax"] for i in items if i["xmax"] and i["xmax"] != "0"}
        deleted_by |= {i["xmin"] for i in items if i["xmin"]}
    responses = await Response.raw("SELECT xmin::text AS x FROM response")
    assert not deleted_by & {r["x"] for r in responses}
    # And the responses' own transaction ids no longer tell in which order people answered.
    assert len({r["x"] for r in responses}) == 1


# --- SQLite ----------------------------------------------------------------------------------------


def replay_wal(database: Path, wal: Path, folder: Path) -> list[Path]:
    """The database as it was after each commit in a copied -wal file (what a forensic reader rebuilds)."""
    data = wal.read_bytes() if wal.exists() else b""
    if len(data) < 32:
        return []
    page_size = struct.unpack(">I", data[8:12])[0]
    salts = data[16:24]
    state = bytearray(database.read_bytes())
    pending: list[tuple[int, bytes]] = []
    states = [database]
    offset = 32
    while offset + 24 + page_size <= len(data):
        page, commit = struct.unpack(">II", data[offset : offset + 8])
        if data[offset + 8 : offset + 16] != salts:
            break  # a frame left over from before the last reset
        pending.append((page, data[offset + 24 : offset + 24 + page_size]))
        offset += 24 + page_size
        if commit:
            for number, content in pending:
                end = number * page_size
                if len(state) < end:
                    state.extend(bytes(end - len(state)))
                state[end - page_size : end] = content
            pending = []
            path = folder / f"state-{len(states):03d}.sqlite"
            path.write_bytes(bytes(state[: commit * page_size]))
            states.append(path)
    return states


def _read_state(path: Path) -> tuple[set[str], set[str]] | None:
    """(codes that are still unused, submission keys) in one rebuilt state; None if it does not open."""
    connection = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(access_code)")}
        unused = "SELECT code_hash FROM access_code" + (" WHERE NOT spent" if "spent" in columns else "")
        return (
            {row[0] for row in connection.execute(unused)},
            {row[0] for row in connection.execute(f"SELECT {PERSON} FROM response")},
        )
    except sqlite3.DatabaseError:
        return None  # frames older than the file's pages: a mixture no reader can use
    finally:
        connection.close()


async def test_a_copy_of_the_write_ahead_log_pairs_no_code_with_its_response(database, sqlite_only, tmp_path):
    path = Path(database.removeprefix("sqlite:///"))
    # A clean start makes the attacker's work easier: every frame in the log is from these answers.
    checkpoint = sqlite3.connect(path)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    wave_id, codes = await coded_wave_answered()
    # What an insider with read access to the server's disk copies, while the server runs.
    shutil.copy(path, tmp_path / "copy.sqlite")
    wal = Path(f"{path}-wal")
    if wal.exists():
        shutil.copy(wal, tmp_path / "copy.sqlite-wal")
    states = replay_wal(tmp_path / "copy.sqlite", tmp_path / "copy.sqlite-wal", tmp_path)
    links: dict[str, str] = {}
    readable = [state for state in map(_read_state, states) if state is not None]
    for (unused_before, keys_before), (unused_after, keys_after) in itertools.pairwise(readable):
        spent, stored = unused_before - unused_after, keys_after - keys_before
        if len(spent) == 1 and len(stored) == 1:
            links[spent.pop()] = stored.pop()
    assert named_correctly(links, wave_id, codes) == 0


# --- both engines ----------------------------------------------------------------------------------


async def test_response_ids_are_not_numbered_in_the_order_people_answered(database):
    await coded_wave_answered()
    rows = await Response.raw(f"SELECT id, {PERSON} AS k FROM response")
    id_of = {r["k"]: r["id"] for r in rows}
    ids = [id_of[key] for key in answering_order()]
    assert ids != sorted(ids)
    assert all(b - a != 1 for a, b in zip(sorted(ids), sorted(ids)[1:], strict=False))
    assert await keys_in_stored_order("id") != answering_order()


async def test_answer_ids_do_not_tell_the_order_of_responses(database):
    await coded_wave_answered()
    person_of = {r["id"]: r["k"] for r in await Response.raw(f"SELECT id, {PERSON} AS k FROM response")}
    rows = await Answer.select(Answer.id, Answer.response).order_by(Answer.id)
    assert list(dict.fromkeys(person_of[r["response"]] for r in rows)) != answering_order()


async def test_a_spent_code_is_still_refused_and_the_count_of_used_codes_is_kept(database):
    from surveys.waves.codes import CodeRejected, code_counts

    wave_id, codes = await coded_wave_answered()
    wave = await find_wave("testomgang")
    with pytest.raises(CodeRejected):
        await store_submission(
            wave,
            Submission(
                organisation_id=wave.organisations[0].id,
                target_group_id=wave.target_groups[0].id,
                answers=CleanAnswers(chosen={"kannedom": ("nej",)}, texts={}),
                submission_key="another-" + "k" * 16,
                code=codes[3],
            ),
            datetime.now(UTC),
        )
    assert await code_counts(wave_id) == (PEOPLE, PEOPLE)
    assert await Response.count() == PEOPLE


async def test_a_backup_file_of_sqlite_keeps_no_order_of_answering(database, sqlite_only, tmp_path):
    await coded_wave_answered()
    file = tmp_path / "effekt.sqlite"
    backup(database, file)
    connection = sqlite3.connect(file)
    try:
        keys = [row[0] for row in connection.execute(f"SELECT {PERSON} FROM response ORDER BY rowid")]
    finally:
        connection.close()
    assert keys != answering_order()
