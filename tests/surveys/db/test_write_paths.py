"""A submission has three ways into the database, and all three store the same rows.

`surveys.responding.submission.store_submission` picks one:

* the SQLite writer: the whole transaction in one hand-over to the writer connection's thread
  (`surveys.db.engine.run_on_sqlite_writer`), for a frozen version without one-time codes on SQLite;
* asyncpg: one statement with numbered placeholders on a pooled connection
  (`surveys.db.engine.execute_on_postgres`), for the same case on PostgreSQL;
* the checked path through Piccolo (`_store_with_checks` in a `write_transaction`), on both engines, for a
  version's first answer (which freezes it) and for waves with one-time codes (which spends one).

Each test forces one path, stores the same submission twice, and compares the stored responses, answers
and spent codes with one expectation that every path and engine must meet. The last test fails loudly when
a private name of aiosqlite, Piccolo or asyncpg that the fast paths rely on moves.
"""

from __future__ import annotations

import inspect
import threading
from datetime import UTC, date, datetime

import pytest

from surveys.db import engine as db
from surveys.db.tables import Answer, QuestionnaireVersion, Response, UsedFormToken, Wave
from surveys.questionnaires.storage import freeze_version, is_frozen
from surveys.responding import submission as submission_module
from surveys.responding.submission import Stored, check_submission, store_submission, token_hash
from surveys.waves.codes import code_counts, create_codes
from surveys.waves.lookup import WaveForm, clear_caches, find_wave
from tests.support import make_wave

SLUG = "skrivvagar"
KEY = "skrivvagar-nyckel-0001"
# 23:30 UTC on 2 March is 00:30 on 3 March in Stockholm: the stored day is Swedish, on every path.
SUBMITTED_AT = datetime(2027, 3, 2, 23, 30, tzinfo=UTC)
ANSWERS = {
    "kannedom": ["ja"],
    "forstaelse": ["4"],
    "kanaler": ["mote", "intranat"],
    "betyg": ["7"],
    "chef": ["nej"],
    "fritext": ["Tydligt, tack"],
}

EXPECTED_RESPONSES = [(SLUG, "alby", "chefer", date(2027, 3, 3))]
# (question, option, text), each row carrying the response's wave, organisation and target group.
EXPECTED_ANSWERS = sorted(
    (SLUG, "alby", "chefer", question, option, text)
    for question, option, text in [
        ("kannedom", "ja", None),
        ("forstaelse", "4", None),
        ("kanaler", "intranat", None),
        ("kanaler", "mote", None),
        ("betyg", "7", None),
        ("chef", "nej", None),
        ("fritext", None, "Tydligt, tack"),
    ]
)

PATHS = ("fast", "checked_first_answer", "checked_one_time_code")


class Calls:
    """Which of the write functions `store_submission` called."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        for name in ("run_on_sqlite_writer", "execute_on_postgres", "_store_with_checks"):
            original = getattr(submission_module, name)
            monkeypatch.setattr(submission_module, name, self._recording(name, original))

    def _recording(self, name, original):
        async def recorded(*args, **kwargs):
            self.names.append(name)
            return await original(*args, **kwargs)

        return recorded


async def stored_rows(slug: str) -> dict[str, list]:
    """The rows a submission left, without ids (which differ between engines and paths)."""
    responses = await Response.select(
        Response.wave.slug.as_alias("wave"),
        Response.organisation.code.as_alias("organisation"),
        Response.target_group.code.as_alias("target_group"),
        Response.submitted_on,
        Response.id.as_alias("response"),
    ).where(Response.wave.slug == slug)
    answers = await Answer.select(
        Answer.wave.slug.as_alias("wave"),
        Answer.organisation.code.as_alias("organisation"),
        Answer.target_group.code.as_alias("target_group"),
        Answer.question.code.as_alias("question"),
        Answer.option.code.as_alias("option"),
        Answer.text,
        Answer.response,
    ).where(Answer.wave.slug == slug)
    assert {a["response"] for a in answers} <= {r.pop("response") for r in responses}, (
        "an answer belongs elsewhere"
    )
    wave = await Wave.select(Wave.id).where(Wave.slug == slug).first()
    # The form's key is kept only as a hash beside the responses, never on one (docs/dataskydd.md).
    used = await UsedFormToken.count().where(UsedFormToken.token_hash == token_hash(wave["id"], KEY))
    assert used == 1, "the form's key is spent once"
    spent = (await code_counts(wave["id"]))[1]
    return {
        "responses": sorted(tuple(r.values()) for r in responses),
        "answers": sorted(
            (a["wave"], a["organisation"], a["target_group"], a["question"], a["option"], a["text"])
            for a in answers
        ),
        "spent_codes": spent,
    }


async def wave_for(path: str) -> tuple[WaveForm, str | None]:
    """A wave set up so that `store_submission` takes `path`; with a one-time code where the path needs one."""
    wave_id = await make_wave(SLUG, organisations=["alby", "region"], target_groups=["chefer", "medarbetare"])
    version_id = (await Wave.select(Wave.version).where(Wave.id == wave_id).first())["version"]
    code = None
    if path != "checked_first_answer":
        await freeze_version(version_id)
    if path == "checked_one_time_code":
        async with db.write_transaction():
            await Wave.update({Wave.uses_codes: True}).where(Wave.id == wave_id)
            code = (await create_codes(wave_id, 3))[0]
    clear_caches()  # the worker reads the wave (and learns the version is frozen) as a respondent's request would
    wave = await find_wave(SLUG)
    assert wave is not None
    assert is_frozen(wave.version_id) is (path != "checked_first_answer")
    assert wave.uses_codes is (path == "checked_one_time_code")
    return wave, code


def expected_calls(path: str, engine: str) -> list[str]:
    if path == "fast":
        return ["run_on_sqlite_writer" if engine == "sqlite" else "execute_on_postgres"]
    return ["_store_with_checks"]


@pytest.mark.parametrize("path", PATHS)
async def test_every_write_path_stores_the_same_rows_once(database, engine_name, monkeypatch, path):
    wave, code = await wave_for(path)
    submission, errors = check_submission(
        wave,
        ANSWERS,
        organisation="alby",
        target_group="chefer",
        fixed_organisation=None,
        submission_key=KEY,
        code=code,
    )
    assert errors == {}
    calls = Calls(monkeypatch)

    first = await store_submission(wave, submission, SUBMITTED_AT)
    assert calls.names == expected_calls(path, engine_name), f"{path} on {engine_name} took another path"
    again = await store_submission(wave, submission, SUBMITTED_AT)  # a double click, or a retry

    assert (first, again) == (Stored.CREATED, Stored.DUPLICATE)
    assert await stored_rows(SLUG) == {
        "responses": EXPECTED_RESPONSES,
        "answers": EXPECTED_ANSWERS,
        "spent_codes": 1 if path == "checked_one_time_code" else 0,
    }


async def test_the_first_answer_freezes_the_version_so_later_answers_take_the_fast_path(
    database, engine_name, monkeypatch
):
    wave, _code = await wave_for("checked_first_answer")
    submission, _errors = check_submission(
        wave, ANSWERS, organisation="alby", target_group="chefer", fixed_organisation=None, submission_key=KEY
    )
    await store_submission(wave, submission, SUBMITTED_AT)
    version = await QuestionnaireVersion.select(QuestionnaireVersion.frozen).where(
        QuestionnaireVersion.id == wave.version_id
    )
    assert version == [{"frozen": True}]

    clear_caches()
    wave = await find_wave(SLUG)
    calls = Calls(monkeypatch)
    later = check_submission(
        wave,
        ANSWERS,
        organisation="alby",
        target_group="chefer",
        fixed_organisation=None,
        submission_key=KEY.replace("0001", "0002"),
    )[0]
    assert await store_submission(wave, later, SUBMITTED_AT) is Stored.CREATED
    assert calls.names == expected_calls("fast", engine_name)
    assert await Response.count().where(Response.wave.slug == SLUG) == 2


# --- the private names the fast paths use ------------------------------------------------------------


def _missing_private_names(tmp_path) -> list[str]:
    import aiosqlite
    import asyncpg
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

    missing: list[str] = []

    def need(found: bool, what: str, used_by: str) -> None:
        if not found:
            missing.append(f"{what} (used by surveys/db/engine.py {used_by})")

    # aiosqlite: the writer's thread, and running a function on it.
    pending = aiosqlite.connect(str(tmp_path / "probe.sqlite"))  # not awaited: no thread is started
    need(
        isinstance(getattr(pending, "_thread", None), threading.Thread),
        f"aiosqlite {aiosqlite.__version__}: Connection._thread is no longer a Thread",
        "PersistentSQLiteEngine.open_connection, which makes it a daemon",
    )
    execute = getattr(aiosqlite.Connection, "_execute", None)
    need(
        execute is not None and inspect.iscoroutinefunction(execute),
        f"aiosqlite {aiosqlite.__version__}: Connection._execute(fn, …) is gone or no longer a coroutine",
        "run_on_sqlite_writer",
    )
    need(
        isinstance(getattr(aiosqlite.Connection, "_conn", None), property),
        f"aiosqlite {aiosqlite.__version__}: Connection._conn (the sqlite3 connection) is gone",
        "run_on_sqlite_writer",
    )

    # Piccolo's SQLite engine and transaction, which PersistentSQLiteEngine and _WriterTransaction extend.
    # Attributes set in __init__ are slots, so the classes show them without building an engine.
    overridden = getattr(SQLiteEngine, "_run_in_new_connection", None)
    need(
        overridden is not None
        and list(inspect.signature(overridden).parameters)[:5]
        == ["self", "query", "args", "query_type", "table"],
        "piccolo: SQLiteEngine._run_in_new_connection(query, args, query_type, table) moved or changed",
        "PersistentSQLiteEngine._run_in_new_connection, which reuses one reader connection",
    )
    for name in ("connection_kwargs", "current_transaction"):
        need(hasattr(SQLiteEngine, name), f"piccolo: SQLiteEngine.{name} is gone", "PersistentSQLiteEngine")
    need(
        hasattr(SQLiteEngine, "get_version_sync"),
        "piccolo: SQLiteEngine.get_version_sync is gone",
        "_run_in_new_connection",
    )
    for name in ("get_connection", "commit", "rollback", "_committed", "_rolled_back", "context", "engine"):
        need(
            hasattr(SQLiteTransaction, name),
            f"piccolo: SQLiteTransaction.{name} is gone",
            "_WriterTransaction (write_transaction on SQLite)",
        )
    need(
        hasattr(TransactionType, "immediate"),
        "piccolo: TransactionType.immediate is gone",
        "write_transaction",
    )

    # Piccolo's PostgreSQL engine: its pool and a connection outside it, for execute_on_postgres.
    for name in ("pool", "current_transaction"):
        need(hasattr(PostgresEngine, name), f"piccolo: PostgresEngine.{name} is gone", "execute_on_postgres")
    need(
        hasattr(PostgresEngine, "get_new_connection"),
        "piccolo: PostgresEngine.get_new_connection is gone",
        "execute_on_postgres",
    )

    # asyncpg: a statement with $n placeholders and its arguments, and the errors the paths recognise.
    need(
        list(inspect.signature(asyncpg.Connection.execute).parameters)[:3] == ["self", "query", "args"],
        f"asyncpg {asyncpg.__version__}: Connection.execute(query, *args) changed",
        "execute_on_postgres",
    )
    for name in ("UniqueViolationError", "ForeignKeyViolationError"):
        need(
            hasattr(asyncpg.exceptions, name),
            f"asyncpg {asyncpg.__version__}: exceptions.{name} is gone",
            "is_unique_violation / is_foreign_key_violation",
        )
    return missing


def test_the_private_names_the_write_paths_rely_on_are_still_there(tmp_path):
    missing = _missing_private_names(tmp_path)
    assert not missing, (
        "a library update moved what effekt's write paths rely on; adapt surveys/db/engine.py before "
        "upgrading:\n  " + "\n  ".join(missing)
    )
