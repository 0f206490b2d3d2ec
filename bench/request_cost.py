"""What one request costs inside the app, without a server: effekt's respondent paths against bench/bare_app.py.

    python bench/request_cost.py [--engine sqlite|postgresql] [--requests 3000] [--profile form_get|form_post|json_post]

The ASGI apps are called directly in this process (no uvicorn, no sockets), on a fresh database with the demo
plan loaded (a temporary SQLite file, or a PostgreSQL database created and dropped here), so the figures are
effekt's own work per request: routing, middleware, handler, template, logging and the database call.

- GET  the survey form    vs the bare app's GET /          (microseconds of wall time, one after another)
- POST the HTML form      vs the bare app's POST /insert   (CPU microseconds of this process per request,
- POST the JSON API       vs the bare app's POST /insert    50 at a time, so database waits are not counted)

Each line prints effekt's cost, the bare cost measured right after it, and their ratio; the pair is measured
twice and the second pair is the one to read. `--profile` adds cProfile's top functions for one path.
bench/load_submit.py measures the same paths through real servers under load; this script explains it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import pstats
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import bare_app  # noqa: E402
import load_submit  # noqa: E402

WAVE = load_submit.WAVE
FORM_TYPE = b"application/x-www-form-urlencoded"
CONCURRENCY = 50


def _scope(path: str, method: str = "GET", cookie: bytes = b"", content_type: bytes = b"") -> dict:
    headers = [
        (b"host", b"127.0.0.1"),
        (b"user-agent", b"bench"),
        (b"accept", b"text/html"),
        (b"accept-language", b"sv-SE,sv;q=0.9,en;q=0.5"),
    ]
    if cookie:
        headers.append((b"cookie", cookie))
    if content_type:
        headers.append((b"content-type", content_type))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _call(app, scope: dict, body: bytes = b"") -> tuple[int, list, bytes]:
    sent = False
    result: dict = {"body": b""}

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        return {}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            result["status"], result["headers"] = message["status"], message["headers"]
        else:
            result["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return result["status"], result["headers"], result["body"]


async def _wall_per_request(work: Callable[[int], Awaitable[None]], n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        await work(i)
    return (time.perf_counter() - start) / n * 1e6


async def _cpu_per_request(work: Callable[[int], Awaitable[None]], n: int) -> float:
    numbers = iter(range(n))

    async def worker() -> None:
        for i in numbers:
            await work(i)

    start = time.process_time()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return (time.process_time() - start) / n * 1e6


async def measure(url: str, requests: int, profile: str | None) -> None:
    from server.app import create_app
    from server.request_log import configure_logging
    from surveys.db import engine as db
    from surveys.demo import load_demo

    engine = db.use_database(url)
    bare_app.BenchRow._meta.db = engine
    await db.migrate()
    print("loading the demo plan …", flush=True)
    await load_demo(date.today(), None)
    await bare_app.BenchRow.create_table(if_not_exists=True)
    await db.start_pool()
    app = create_app(manage_database=False)
    configure_logging()  # as `effekt serve` does: one JSON access line per request …
    nowhere = open(os.devnull, "w")  # noqa: SIM115 (closed in the finally below)
    logging.getLogger().handlers[0].stream = nowhere  # … written nowhere
    try:
        _status, headers, page = await _call(app, _scope(f"/e/{WAVE}"))
        cookie = next(v for k, v in headers if k == b"set-cookie").split(b";")[0]
        token = load_submit._csrf(page.decode())
        detail = json.loads((await _call(app, _scope(f"/api/v1/waves/{WAVE}")))[2])
        spec = {
            "answers": load_submit._answer_set(detail),
            "organisations": [c["code"] for c in detail["organisations"]],
            "groups": [c["code"] for c in detail["target_groups"]],
        }

        async def form_get(_i: int) -> None:
            status, _h, _b = await _call(app, _scope(f"/e/{WAVE}", cookie=cookie))
            assert status == 200, status

        async def bare_get(_i: int) -> None:
            await _call(bare_app.app, _scope("/"))

        async def form_post(i: int) -> None:
            body = load_submit._form_body(spec, secrets.token_urlsafe(24), token, i).encode()
            status, _h, text = await _call(app, _scope(f"/e/{WAVE}", "POST", cookie, FORM_TYPE), body)
            assert status == 303, (status, text[:300])

        async def json_post(i: int) -> None:
            document = {
                "submission_key": secrets.token_urlsafe(24),
                "answers": spec["answers"],
                "organisation": load_submit._pick(spec["organisations"], i),
                "target_group": load_submit._pick(spec["groups"], i),
            }
            scope = _scope(f"/api/v1/waves/{WAVE}/responses", "POST", content_type=b"application/json")
            status, _h, text = await _call(app, scope, json.dumps(document).encode())
            assert status == 201, (status, text[:300])

        async def bare_post(i: int) -> None:
            body = json.dumps({"submission_key": secrets.token_urlsafe(24), "answers": spec["answers"]})
            scope = _scope("/insert", "POST", content_type=b"application/json")
            status, _h, _b = await _call(bare_app.app, scope, body.encode())
            assert status == 201, status

        pairs = {
            "form_get": ("GET survey form  (wall µs)", form_get, bare_get, _wall_per_request),
            "form_post": ("POST HTML form   (CPU µs) ", form_post, bare_post, _cpu_per_request),
            "json_post": ("POST JSON API    (CPU µs) ", json_post, bare_post, _cpu_per_request),
        }
        print(f"{'path':<28} {'effekt':>8} {'bare':>8} {'bare/effekt':>12}")
        for label, ours, bare, timer in pairs.values():
            for work in (ours, bare):
                for i in range(30):  # warm: the wave, the template, prepared statements
                    await work(i)
            for _round in range(2):
                effekt_cost, bare_cost = await timer(ours, requests), await timer(bare, requests)
            print(f"{label:<28} {effekt_cost:8.1f} {bare_cost:8.1f} {bare_cost / effekt_cost:11.0%}")
        if profile:
            _label, work, _bare, timer = pairs[profile]
            profiler = cProfile.Profile()
            profiler.enable()
            await timer(work, requests)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    finally:
        nowhere.close()
        await db.close_pool()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--profile", choices=["form_get", "form_post", "json_post"])
    args = parser.parse_args()
    logging.getLogger("piccolo").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="effekt-cost-") as folder:
        if args.engine == "sqlite":
            asyncio.run(measure(f"sqlite:///{Path(folder) / 'effekt.sqlite'}", args.requests, args.profile))
            return
        name = f"effekt_cost_{uuid.uuid4().hex[:10]}"
        load_submit._admin(f'CREATE DATABASE "{name}"')
        try:
            asyncio.run(measure(load_submit._postgres_url(name), args.requests, args.profile))
        finally:
            load_submit._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
