"""Nothing acknowledged is lost: SIGKILL the real server in the middle of a load of submissions, restart it.

The server is `python -m server.cli serve --demo` in its own process on a free loopback port. Threads submit
the demo wave's questionnaire, through the JSON API (201) and through the HTML form (GET with its CSRF token,
POST, 303), each with its own submission key, until the server is killed with SIGKILL mid-run. After a restart
on the same database, looked at directly (sqlite3 or asyncpg, not through effekt):

- every key that was acknowledged (201 or 303) is stored, exactly once, with all its answers;
- nothing half-written: every stored key of the run has all its answers;
- retrying each key whose outcome the client never learnt gives 201 (it was lost with the server, never
  acknowledged) or 200 (it had been stored), matching what the database held, and leaves one row per key.

Not covered here: stopping PostgreSQL during a run. The machine's PostgreSQL is shared and cannot be stopped by
a test, and a server pointed at a port where nothing listens fails at start-up instead of mid-run.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import sqlite3
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.conftest import REQUIRE_POSTGRES, _postgres_admin, _postgres_available, _postgres_url
from tests.slow import servers

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
WAVE = "omgang-4-nu"
# A complete, valid answer set for the demo questionnaire (every follow-up shown): 9 answer rows.
ANSWERS = {
    "kannedom": ["ja_val"],
    "kanaler": ["intranat", "mote"],
    "forstaelse": ["4"],
    "acceptans": ["5"],
    "handling": ["ja_nagon"],
    "chef-informerat": ["ja"],
    "nar-fram": ["7"],
    "behov": ["Mer tid på arbetsplatsträffarna."],
}
ANSWER_ROWS = sum(len(values) for values in ANSWERS.values())
JSON_THREADS, FORM_THREADS = 6, 2
ACKNOWLEDGED_BEFORE_KILL = 150  # kill once this many submissions were acknowledged …
LOAD_SECONDS = 20.0  # … or after this long, whichever comes first
START_SECONDS = 90.0
REQUEST_SECONDS = 10.0
MAX_PER_THREAD = 2000


def _demo_server(database_url: str, folder: Path, name: str) -> servers.Server:
    return servers.Server(database_url, folder, name, "--demo", start_seconds=START_SECONDS)


class Load:
    """Threads submitting until the server goes away: what was acknowledged, what was left unknown."""

    def __init__(self, base: str, organisation: str, target_group: str) -> None:
        self.base, self.organisation, self.target_group = base, organisation, target_group
        self.prefix = f"crash{secrets.token_hex(4)}"
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.acknowledged: set[str] = set()
        self.unknown: set[str] = set()  # sent, but no answer came back
        self.unexpected: Counter[str] = Counter()  # answers other than 201/303 while the server was up
        self.acknowledged_by: Counter[int] = Counter()  # 201 (JSON API) and 303 (HTML form)
        self.threads = [
            threading.Thread(target=self._json_client, args=(n,), daemon=True) for n in range(JSON_THREADS)
        ] + [threading.Thread(target=self._form_client, args=(n,), daemon=True) for n in range(FORM_THREADS)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=REQUEST_SECONDS * 3)
        assert not any(t.is_alive() for t in self.threads), "a load thread did not stop"

    @property
    def acknowledged_count(self) -> int:
        with self.lock:
            return len(self.acknowledged)

    def _record(self, key: str, outcome: int | None, expected: int) -> None:
        with self.lock:
            if outcome is None:
                self.unknown.add(key)
            elif outcome == expected:
                self.acknowledged.add(key)
                self.acknowledged_by[outcome] += 1
            else:
                self.unexpected[str(outcome)] += 1

    def _json_client(self, n: int) -> None:
        with httpx.Client(base_url=self.base, timeout=REQUEST_SECONDS) as client:
            for i in range(MAX_PER_THREAD):
                if self.stop.is_set():
                    return
                key = f"{self.prefix}j{n}x{i:06d}"
                try:
                    response = client.post(
                        f"/api/v1/waves/{WAVE}/responses",
                        json={
                            "answers": ANSWERS,
                            "organisation": self.organisation,
                            "target_group": self.target_group,
                            "submission_key": key,
                        },
                    )
                except httpx.TransportError:
                    self._record(key, None, 201)
                    return  # the server is gone
                self._record(key, response.status_code, 201)

    def _form_client(self, n: int) -> None:
        with httpx.Client(base_url=self.base, timeout=REQUEST_SECONDS, follow_redirects=False) as client:
            for _ in range(MAX_PER_THREAD):
                if self.stop.is_set():
                    return
                try:
                    page = client.get(f"/e/{WAVE}")
                except httpx.TransportError:
                    return
                if page.status_code != 200:
                    self._record("", page.status_code, 200)
                    continue
                token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
                key = re.search(r'name="submission_key" value="([^"]+)"', page.text).group(1)
                fields = [
                    ("_csrf_token", token),
                    ("submission_key", key),
                    ("organisation", self.organisation),
                    ("target_group", self.target_group),
                ] + [(f"q-{code}", v) for code, values in ANSWERS.items() for v in values]
                try:
                    response = client.post(f"/e/{WAVE}", data=_multi(fields))
                except httpx.TransportError:
                    self._record(key, None, 303)
                    return
                self._record(key, response.status_code, 303)


def _multi(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in fields:
        grouped.setdefault(name, []).append(value)
    return grouped


async def _stored(database_url: str, keys: set[str]) -> list[tuple[str, int]]:
    """(submission key, answer rows) for every stored submission with one of `keys`, read directly.

    A response row names no form (docs/dataskydd.md): the form's key is kept only as a hash in
    used_form_token, written in the same transaction as the response and its answers. A key found there is
    a response stored whole; a response row with fewer answers than a whole one is looked for separately.
    """
    from surveys.responding.submission import token_hash

    def read(rows_of) -> list[tuple[str, int]]:
        wave_ids = [row[0] for row in rows_of("SELECT id FROM wave")]
        key_of = {token_hash(w, k): k for w in wave_ids for k in keys}
        found = [
            key_of[row[0]] for row in rows_of("SELECT token_hash FROM used_form_token") if row[0] in key_of
        ]
        partial = rows_of(
            "SELECT COUNT(*) FROM response r WHERE (SELECT COUNT(*) FROM answer a WHERE a.response = r.id) = 0"
        )[0][0]
        assert partial == 0, f"{partial} responses were stored without their answers"
        return [(key, ANSWER_ROWS) for key in found]

    if database_url.startswith("sqlite:"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30) as connection:
            return read(lambda sql: connection.execute(sql).fetchall())
    import asyncpg

    connection = await asyncpg.connect(database_url, timeout=5)
    try:
        rows = {}
        for sql in ("SELECT id FROM wave", "SELECT token_hash FROM used_form_token"):
            rows[sql] = [tuple(r) for r in await connection.fetch(sql)]
        sql = "SELECT COUNT(*) FROM response r WHERE (SELECT COUNT(*) FROM answer a WHERE a.response = r.id) = 0"
        rows[sql] = [tuple(r) for r in await connection.fetch(sql)]
    finally:
        await connection.close()
    return read(lambda sql: rows[" ".join(sql.split())] if " ".join(sql.split()) in rows else rows[sql])


@pytest.fixture(params=["sqlite", "postgresql"])
async def crash_database(request, tmp_path):
    """A fresh, empty database URL; `serve --demo` migrates it and loads the demo plan."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.sqlite'}"
        return
    if not await _postgres_available():
        from tests.conftest import POSTGRES_ADMIN_URL

        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    name = f"effekt_test_crash_{uuid.uuid4().hex[:10]}"
    await _postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_url(name)
    finally:
        await _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run_until_killed(database_url: str, folder: Path) -> Load:
    server = _demo_server(database_url, folder, "before-kill")
    load = None
    try:
        server.wait_ready()
        detail = httpx.get(f"{server.base}/api/v1/waves/{WAVE}", timeout=10).json()
        assert detail["status"] == "open", detail
        load = Load(server.base, detail["organisations"][0]["code"], detail["target_groups"][0]["code"])
        load.start()
        deadline = time.monotonic() + LOAD_SECONDS
        while load.acknowledged_count < ACKNOWLEDGED_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill()  # in the middle of the run: every thread has a request in flight or about to start
        load.join()
    finally:
        if load is not None:
            load.stop.set()
        server.stop()
    return load


def _retry(base: str, load: Load, keys: set[str]) -> dict[str, int]:
    outcomes = {}
    with httpx.Client(base_url=base, timeout=REQUEST_SECONDS) as client:
        for key in sorted(keys):
            response = client.post(
                f"/api/v1/waves/{WAVE}/responses",
                json={
                    "answers": ANSWERS,
                    "organisation": load.organisation,
                    "target_group": load.target_group,
                    "submission_key": key,
                },
            )
            outcomes[key] = response.status_code
    return outcomes


async def test_nothing_acknowledged_is_lost_when_the_server_is_killed(crash_database, tmp_path):
    started = time.monotonic()
    load = await asyncio.to_thread(_run_until_killed, crash_database, tmp_path)

    assert not load.unexpected, f"answers other than 201/303 before the kill: {dict(load.unexpected)}"
    assert len(load.acknowledged) >= 20, "too few submissions before the kill to prove anything"
    assert load.acknowledged_by[201] and load.acknowledged_by[303], dict(load.acknowledged_by)
    assert load.unknown, "the kill should have caught some submissions in flight"
    assert not load.acknowledged & load.unknown

    server = _demo_server(crash_database, tmp_path, "after-restart")
    try:
        await asyncio.to_thread(server.wait_ready)
        stored = await _stored(crash_database, load.acknowledged | load.unknown)
        per_key = Counter(key for key, _answers in stored)

        # Every acknowledged submission survived the kill, once, whole.
        missing = load.acknowledged - per_key.keys()
        assert not missing, f"{len(missing)} acknowledged submissions were lost, e.g. {sorted(missing)[:3]}"
        assert sum(per_key[k] for k in load.acknowledged) == len(load.acknowledged)
        assert all(count == 1 for count in per_key.values())
        # Nothing half-written: a stored response always has all its answers.
        assert {answers for _key, answers in stored} == {ANSWER_ROWS}

        # Retrying what the clients never heard back about: stored before → 200, lost → 201; never twice.
        stored_before = set(per_key) & load.unknown
        outcomes = await asyncio.to_thread(_retry, server.base, load, load.unknown)
        assert {k for k, status in outcomes.items() if status == 200} == stored_before
        assert {k for k, status in outcomes.items() if status == 201} == load.unknown - stored_before
        # And an acknowledged one, retried (a double click after the restart), is a duplicate.
        again = await asyncio.to_thread(_retry, server.base, load, set(sorted(load.acknowledged)[:5]))
        assert set(again.values()) == {200}

        after = await _stored(crash_database, load.acknowledged | load.unknown)
        assert Counter(key for key, _answers in after) == Counter(load.acknowledged | load.unknown)
        assert {answers for _key, answers in after} == {ANSWER_ROWS}
    finally:
        server.stop()
    print(
        f"\n{crash_database.split(':')[0]}: {len(load.acknowledged)} acknowledged before SIGKILL "
        f"({load.acknowledged_by[201]} × 201, {load.acknowledged_by[303]} × 303), all stored once; "
        f"{len(load.unknown)} in flight ({len(stored_before)} had been stored, retried as 200; the rest 201); "
        f"{time.monotonic() - started:.1f} s"
    )
