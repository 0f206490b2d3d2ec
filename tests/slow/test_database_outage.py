"""PostgreSQL goes away under load: respondents are told to try again later, nothing is half written, and the
server recovers by itself when the database is back.

The machine's PostgreSQL is shared, so the test never stops it. Instead a small TCP proxy (asyncio, in a thread)
sits between a real server (`effekt serve`, uvicorn in a subprocess) and PostgreSQL. Cutting the proxy closes
every open connection and refuses new ones, which is what the server sees when PostgreSQL stops; restoring it
listens again on the same port.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.conftest import REQUIRE_POSTGRES, _postgres_admin, _postgres_available, _postgres_url
from tests.server.test_fuzz import SETUP, WAVE
from tests.slow.servers import Server, free_port
from tests.slow.test_crash import ANSWER_ROWS, ANSWERS, _stored

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
THREADS = 6
RECOVERY_LIMIT = 30.0  # seconds; generous for a loaded 2-core CI machine, the measured figure is printed


class Proxy:
    """Forwards a loopback port to PostgreSQL until cut; restore() listens on the same port again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.thread.start()

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self.writers |= {client_writer, upstream_writer}
        await asyncio.gather(
            self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer)
        )
        self.writers -= {client_writer, upstream_writer}

    async def _start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()  # a reset, as when the database's processes die
        self.writers.clear()
        await self.server.wait_closed()
        self.server = None

    def start(self) -> None:
        self._run(self._start())

    def cut(self) -> None:
        self._run(self._cut())

    def close(self) -> None:
        if self.server is not None:
            self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


class Load:
    """Threads submitting (JSON API and HTML form) and recording every outcome by phase."""

    def __init__(self, base: str, organisation: str, target_group: str) -> None:
        self.base, self.organisation, self.target_group = base, organisation, target_group
        self.phase = "before"
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.outcomes: Counter[tuple[str, str, int]] = Counter()
        self.acknowledged: set[str] = set()
        self.sent: set[str] = set()
        self.unavailable_pages: list[tuple[str, str]] = []  # (content type, body) of 503s
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(THREADS)]

    def _record(self, kind: str, key: str, response: httpx.Response) -> None:
        with self.lock:
            self.outcomes[(self.phase, kind, response.status_code)] += 1
            if response.status_code in (201, 303):
                self.acknowledged.add(key)
            if response.status_code == 503 and len(self.unavailable_pages) < 50:
                self.unavailable_pages.append((response.headers.get("content-type", ""), response.text))

    def _client(self, n: int) -> None:
        with httpx.Client(base_url=self.base, timeout=20, follow_redirects=False) as client:
            i = 0
            while not self.stop.is_set():
                i += 1
                key = f"outage{n}x{i:06d}{uuid.uuid4().hex[:8]}"
                with self.lock:
                    self.sent.add(key)
                try:
                    if n % 2:
                        response = client.post(
                            f"/api/v1/waves/{WAVE}/responses",
                            json={
                                "answers": ANSWERS,
                                "organisation": self.organisation,
                                "target_group": self.target_group,
                                "submission_key": key,
                            },
                        )
                        self._record("json", key, response)
                        continue
                    page = client.get(f"/e/{WAVE}")
                    if page.status_code != 200:
                        self._record("page", key, page)
                        time.sleep(0.05)
                        continue
                    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
                    fields = [
                        ("_csrf_token", token),
                        ("submission_key", key),
                        ("organisation", self.organisation),
                        ("target_group", self.target_group),
                    ] + [(f"q-{code}", v) for code, values in ANSWERS.items() for v in values]
                    self._record("form", key, client.post(f"/e/{WAVE}", data=_grouped(fields)))
                except httpx.TransportError as exc:
                    with self.lock:
                        self.outcomes[(self.phase, f"transport {type(exc).__name__}", 0)] += 1
                    time.sleep(0.05)

    def count(self, phase: str, *statuses: int) -> int:
        with self.lock:
            return sum(
                n for (p, _kind, status), n in self.outcomes.items() if p == phase and status in statuses
            )


def _grouped(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in fields:
        grouped.setdefault(name, []).append(value)
    return grouped


def _wait_for(predicate, limit: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {limit:.0f} s")


@pytest.fixture
async def outage_database():
    if not await _postgres_available():
        message = "PostgreSQL is not reachable"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    name = f"effekt_test_outage_{uuid.uuid4().hex[:10]}"
    await _postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        await _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(name: str, folder: Path) -> dict:
    direct = _postgres_url(name)
    host, port = re.search(r"@([^:/]+):(\d+)/", direct).groups()
    proxy = Proxy(host, int(port))
    proxy.start()
    through_proxy = direct.replace(f"@{host}:{port}/", f"@127.0.0.1:{proxy.port}/")
    subprocess.run(
        [sys.executable, "-c", SETUP, through_proxy],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
    )
    server = Server(through_proxy, folder, "outage")
    load = None
    try:
        server.wait_ready()
        wave = httpx.get(f"{server.base}/api/v1/waves/{WAVE}", timeout=10).json()
        load = Load(server.base, wave["organisations"][0]["code"], wave["target_groups"][0]["code"])
        for thread in load.threads:
            thread.start()
        _wait_for(lambda: load.count("before", 201, 303) >= 60, 60)

        load.phase = "down"  # first: a request already on its way may get its 503 at once
        proxy.cut()
        cut_at = time.monotonic()
        _wait_for(lambda: load.count("down", 503) >= 40, 60)
        time.sleep(3)  # a few seconds down: the pool's reconnect attempts fail too
        # A complete, valid response: the worker may still hold the wave, so only storing it can fail.
        json_down = httpx.post(
            f"{server.base}/api/v1/waves/{WAVE}/responses",
            json={
                "answers": ANSWERS,
                "organisation": load.organisation,
                "target_group": load.target_group,
                "submission_key": f"outage-probe-{uuid.uuid4().hex}",
            },
            timeout=20,
        )
        ready_down = httpx.get(f"{server.base}/readyz", timeout=20)
        down_seconds = time.monotonic() - cut_at

        proxy.start()
        load.phase = "up again"
        recovered = _wait_for(lambda: load.count("up again", 201, 303) >= 20, RECOVERY_LIMIT)
        time.sleep(1)
        ready_up = httpx.get(f"{server.base}/readyz", timeout=20)
        load.stop.set()
        for thread in load.threads:
            thread.join(timeout=30)
        log = server.log()
    finally:
        if load is not None:
            load.stop.set()
        server.stop()
        proxy.close()
    return {
        "load": load,
        "json_down": json_down,
        "ready": (ready_down.status_code, ready_up.status_code),
        "recovered": recovered,
        "down_seconds": down_seconds,
        "log": log,
    }


async def test_a_database_outage_gives_try_again_later_and_the_server_recovers_by_itself(
    outage_database, tmp_path
):
    run = await asyncio.to_thread(_run, outage_database, tmp_path)
    load: Load = run["load"]
    outcomes = dict(load.outcomes)

    # Before and after the outage every submission is acknowledged; during it, only 503s (or a 2xx for one
    # that was already on its way), never a 500.
    assert not [k for k in outcomes if k[2] >= 500 and k[2] != 503], outcomes
    assert not [k for k in outcomes if k[0] == "before" and k[2] not in (201, 303)], outcomes
    # After: a 503 for a request that was waiting for a connection while the database came back.
    assert not [k for k in outcomes if k[0] == "up again" and k[2] not in (201, 303, 503)], outcomes
    assert load.count("down", 503) >= 40, outcomes

    # Respondents are told, in Swedish, to try again in a while: as a page and as JSON.
    pages = [body for kind, body in load.unavailable_pages if kind.startswith("text/html")]
    assert pages and all("Försök igen om en stund" in body for body in pages)
    assert all("Traceback" not in body for _kind, body in load.unavailable_pages)
    probe = run["json_down"]
    assert probe.status_code == 503 and probe.headers["content-type"].startswith("application/json")
    assert "Försök igen om en stund" in probe.json()["detail"]
    assert probe.headers.get("retry-after")
    assert "frame-ancestors 'none'" in probe.headers["content-security-policy"]
    # A load balancer's readiness check follows the database: out while it is away, back in after.
    assert run["ready"] == (503, 200)

    # Nothing half written; everything acknowledged is there, once.
    stored = await _stored(_postgres_url(outage_database), load.sent)
    per_key = Counter(key for key, _rows in stored)
    assert {rows for _key, rows in stored} == {ANSWER_ROWS}
    assert all(n == 1 for n in per_key.values())
    assert load.acknowledged <= set(per_key)
    assert run["recovered"] < RECOVERY_LIMIT

    print(
        f"\nPostgreSQL outage: {load.count('before', 201, 303)} acknowledged before the cut; "
        f"{load.count('down', 503)} × 503 while down ({run['down_seconds']:.1f} s); recovered "
        f"{run['recovered']:.1f} s after the database came back ({load.count('up again', 201, 303)} acknowledged "
        f"after); outcomes {outcomes}"
    )
