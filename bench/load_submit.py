"""Answering under load: effekt's submit path and form page against bare Litestar baselines.

    python bench/load_submit.py [--seconds 15] [--engine sqlite|postgresql|both] [--concurrency 50]
                                [--client raw|httpx]

For each engine this starts two servers as subprocesses on free loopback ports, each on a fresh database
(a temporary SQLite file, or a PostgreSQL database created here and dropped afterwards):

- effekt itself: `python -m server.cli serve --demo` (migrations, the demo plan, uvicorn as in production);
- bench/bare_app.py under uvicorn with the same options: one Piccolo INSERT inside surveys.db.engine's
  write_transaction() (`POST /insert`), and a tiny HTML page (`GET /`).

A load client in a separate process (asyncio, one keep-alive connection and cookie jar per simulated
client, no think time) then runs closed-loop phases of `--seconds` each, after a short warm-up that is not
counted. It speaks HTTP/1.1 itself by default: httpx costs ~0.4 ms of client CPU per request, which caps it at
~2,600 requests/s on this machine, below what the bare GET baseline serves (~15,000/s), so with httpx
(`--client httpx`, kept for comparison) the baseline would measure the client and flatter the ratios.

- bare GET /                              vs effekt's form page GET /e/omgang-4-nu         (budget ≥ 50 %)
- bare POST /insert (same JSON body)      vs effekt's JSON API POST /api/v1/waves/…/responses and the
                                          HTML form POST /e/omgang-4-nu (CSRF, 303)   (≥ 60 %, p99 ≤ 100 ms)

Every submission has a unique submission key and a valid answer set built from GET /api/v1/waves/omgang-4-nu.
The HTML form path is also walked once per run without load (GET form → POST with CSRF → 303 → thank-you),
20 times in a row, for its plain latency. CPU use of the server process and of the client process is shown:
a client near 100 % means that phase was limited by the client, not the server.

PostgreSQL comes from EFFEKT_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres); only
loopback addresses are accepted. Ctrl+C stops the servers and removes the temporary databases.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}
WAVE = "omgang-4-nu"
ADMIN_URL = os.environ.get("EFFEKT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
START_TIMEOUT = 180.0
REQUEST_TIMEOUT = 30.0
MAX_REQUESTS_PER_CLIENT = 1_000_000  # a second bound besides time
FORM_ONCE_RUNS = 20

SUBMIT_BUDGET = (0.60, 100.0)
PAGE_BUDGET = 0.50


# --------------------------------------------------------------------------------------------------------
# The load client: runs in its own process (`load_submit.py --run-client`, spec on stdin, result on stdout).
# --------------------------------------------------------------------------------------------------------


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return math.nan
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


def _form_body(spec: dict, key: str, csrf: str, worker: int) -> str:
    """What a browser sends after ticking the answers (x-www-form-urlencoded)."""
    fields = [("_csrf_token", csrf), ("submission_key", key)]
    fields += [
        ("organisation", _pick(spec["organisations"], worker)),
        ("target_group", _pick(spec["groups"], worker)),
    ]
    for code, values in spec["answers"].items():
        fields += [(f"q-{code}", v) for v in (values if isinstance(values, list) else [values])]
    return urlencode(fields)


FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
FORM_HEADERS = {"content-type": FORM_TYPE}


def _pick(choices: list[str], worker: int) -> str:
    return choices[worker % len(choices)]


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("the form page has no CSRF token")
    return match.group(1)


async def _form_once(spec: dict) -> dict:
    """The respondent's path without load: GET the form, POST it with its CSRF token, follow to the thanks."""
    import httpx

    totals, posts = [], []
    for _ in range(FORM_ONCE_RUNS):
        async with httpx.AsyncClient(base_url=spec["base"], timeout=REQUEST_TIMEOUT) as client:
            t0 = time.perf_counter()
            page = await client.get(f"/e/{WAVE}")
            if page.status_code != 200:
                raise RuntimeError(f"GET form: {page.status_code}")
            key = re.search(r'name="submission_key" value="([^"]+)"', page.text).group(1)
            t1 = time.perf_counter()
            posted = await client.post(
                f"/e/{WAVE}", content=_form_body(spec, key, _csrf(page.text), 0), headers=FORM_HEADERS
            )
            t2 = time.perf_counter()
            if posted.status_code != 303 or "/tack" not in posted.headers.get("location", ""):
                raise RuntimeError(f"POST form: {posted.status_code} {posted.text[:300]}")
            thanks = await client.get(posted.headers["location"])
            if thanks.status_code != 200:
                raise RuntimeError(f"GET thanks: {thanks.status_code}")
            t3 = time.perf_counter()
        totals.append((t3 - t0) * 1000)
        posts.append((t2 - t1) * 1000)
    totals.sort()
    posts.sort()
    return {
        "runs": FORM_ONCE_RUNS,
        "total_p50": _percentile(totals, 0.5),
        "total_max": totals[-1],
        "post_p50": _percentile(posts, 0.5),
        "post_max": posts[-1],
    }


class RawHTTP:
    """A minimal HTTP/1.1 keep-alive client (one connection, cookies by name) for the load phases.

    httpx spends far more CPU per request than a bare Litestar endpoint does (about 2,600 requests/s from a
    whole core here, against ~15,000/s for this client), so with httpx the baselines measure the client.
    """

    def __init__(self, base: str) -> None:
        url = urlparse(base)
        self.host, self.port = url.hostname, url.port
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes = b"", content_type: str = ""
    ) -> tuple[int, bytes]:
        try:
            return await asyncio.wait_for(self._request(method, path, body, content_type), REQUEST_TIMEOUT)
        except BaseException:
            self.close()
            raise

    async def _request(self, method: str, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"host: {self.host}:{self.port}"]
        if method == "POST":
            lines += [f"content-type: {content_type}", f"content-length: {len(body)}"]
        if self.cookies:
            lines.append("cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in head[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                name, value = name.strip().lower(), value.strip()
                if name == "set-cookie":
                    cookie, _, _ = value.partition(";")
                    key, _, val = cookie.partition("=")
                    self.cookies[key.strip()] = val.strip()
                headers[name] = value
        if "content-length" in headers:
            content = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            await self.reader.readuntil(b"\r\n")
            content = b"".join(parts)
        else:
            content = await self.reader.read()
            self.close()
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, content

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class HttpxHTTP:
    """The same interface over httpx (`--client httpx`): one AsyncClient, one connection, per simulated client."""

    def __init__(self, base: str) -> None:
        import httpx

        self.client = httpx.AsyncClient(
            base_url=base,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=REQUEST_TIMEOUT,
            follow_redirects=False,
        )

    async def request(
        self, method: str, path: str, body: bytes = b"", content_type: str = ""
    ) -> tuple[int, bytes]:
        headers = {"content-type": content_type} if method == "POST" else None
        response = await self.client.request(method, path, content=body or None, headers=headers)
        return response.status_code, response.content

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        await self.client.aclose()


async def _load(spec: dict) -> dict:
    kind, concurrency = spec["kind"], spec["concurrency"]
    expected = {"get": 200, "json_submit": 201, "bare_insert": 201, "form_submit": 303}[kind]
    prefix = secrets.token_hex(4)
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    cpu0, setup0 = time.process_time(), time.perf_counter()
    # One connection (and cookie jar) per simulated respondent, as a browser has.
    make = RawHTTP if spec["client"] == "raw" else HttpxHTTP
    clients = [make(spec["base"]) for _ in range(concurrency)]
    try:
        csrf: list[str] = [""] * concurrency
        if kind == "form_submit":  # each respondent first loads the form: its CSRF cookie and token
            for n, client in enumerate(clients):
                _status, page = await client.request("GET", f"/e/{WAVE}")
                csrf[n] = _csrf(page.decode())
        start = time.perf_counter()
        measure_from = start + spec["warmup"]
        end = measure_from + spec["seconds"]

        async def request(n: int, i: int) -> int:
            client = clients[n]
            if kind == "get":
                return (await client.request("GET", spec["path"]))[0]
            key = f"{prefix}{n:03d}{i:09d}"
            if kind == "form_submit":
                body = _form_body(spec, key, csrf[n], n).encode("ascii")
                return (await client.request("POST", spec["path"], body, FORM_TYPE))[0]
            document = {
                "answers": spec["answers"],
                "organisation": _pick(spec["organisations"], n),
                "target_group": _pick(spec["groups"], n),
                "submission_key": key,
            }
            return (await client.request("POST", spec["path"], json.dumps(document).encode(), JSON_TYPE))[0]

        async def worker(n: int) -> None:
            for i in range(MAX_REQUESTS_PER_CLIENT):
                t0 = time.perf_counter()
                if t0 >= end:
                    return
                try:
                    status = await request(n, i)
                    outcome = str(status)
                except Exception as exc:
                    status, outcome = 0, type(exc).__name__
                t1 = time.perf_counter()
                if measure_from <= t1 <= end:
                    statuses[outcome] += 1
                    if status == expected:
                        latencies.append((t1 - t0) * 1000)

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - measure_from
    finally:
        for client in clients:
            client.close()
            if isinstance(client, HttpxHTTP):
                await client.aclose()
    cpu = time.process_time() - cpu0
    latencies.sort()
    return {
        "ok": len(latencies),
        "rps": len(latencies) / min(elapsed, spec["seconds"]),
        "p50": _percentile(latencies, 0.50),
        "p99": _percentile(latencies, 0.99),
        "max": latencies[-1] if latencies else math.nan,
        "errors": {k: v for k, v in statuses.items() if k != str(expected)},
        "client_cpu": cpu / (time.perf_counter() - setup0),
    }


def client_main() -> int:
    spec = json.loads(sys.stdin.read())
    if urlparse(spec["base"]).hostname != HOST:
        raise SystemExit("the load client only talks to 127.0.0.1")
    work = _form_once(spec) if spec["kind"] == "form_once" else _load(spec)
    try:
        import uvloop  # the servers run on uvloop too (uvicorn's default when it is installed)
    except ImportError:
        result = asyncio.run(work)
    else:
        result = uvloop.run(work)
    print(json.dumps(result))
    return 0


# --------------------------------------------------------------------------------------------------------
# The driver: databases, servers, phases, the table.
# --------------------------------------------------------------------------------------------------------


class BenchError(Exception):
    pass


def _interrupt(signum: int, _frame: Any) -> None:
    # One interrupt is enough: ignore further ones so that the clean-up is not cut short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _admin(statement: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(ADMIN_URL, timeout=5)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(run())


def _check_loopback_postgres() -> None:
    host = urlparse(ADMIN_URL).hostname or ""
    if host not in LOOPBACK_NAMES:
        raise BenchError(f"EFFEKT_TEST_POSTGRES_URL must point at loopback, not {host!r}")


def _postgres_url(name: str) -> str:
    base, _, _ = ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, name: str, command: list[str], env: dict[str, str], folder: Path, port: int) -> None:
        self.name, self.port, self.log_path = name, port, folder / f"{name}.log"
        self.base = f"http://{HOST}:{port}"
        with self.log_path.open("w") as log:
            # Its own session: Ctrl+C reaches only this script, which then stops the server itself.
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self) -> None:
        import httpx

        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} exited at start-up:\n{self.log_tail()}")
            try:
                if httpx.get(self.base + "/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise BenchError(f"{self.name} did not start in {START_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def _server_env(database_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EFFEKT_")}
    env.update(
        EFFEKT_DATABASE_URL=database_url,
        EFFEKT_PORT=str(port),
        EFFEKT_HOST=HOST,
        EFFEKT_SECRET_KEY=secrets.token_urlsafe(48),
        PYTHONPATH=str(ROOT),
    )
    return env


def _run_client(spec: dict, budget_seconds: float) -> dict:
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--run-client"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(json.dumps(spec), timeout=budget_seconds)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=15)
    if process.returncode != 0:
        raise BenchError(f"the load client failed ({spec['kind']}):\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def _answer_set(detail: dict) -> dict[str, Any]:
    """A valid, complete answer set: the first option of every shown question, two for multiple choice."""
    answers: dict[str, Any] = {}
    for q in detail["questions"]:
        rule = q["show_if"]
        if rule:
            given = answers.get(rule["question"])
            given = given if isinstance(given, list) else [given]
            if not set(given) & set(rule["any_of"]):
                continue
        codes = [o["code"] for o in q["options"] if not o["dont_know"]]
        if q["kind"] == "text":
            answers[q["code"]] = "Mer tid på arbetsplatsträffarna."
        elif q["kind"] == "multiple":
            answers[q["code"]] = codes[:2]
        else:
            answers[q["code"]] = codes[-1] if q["kind"] in ("agree5", "scale10") else codes[0]
    return answers


def _phase(label: str, server: Server, spec: dict, args: argparse.Namespace) -> dict:
    print(f"  {label} …", end="", flush=True)
    spec = {
        **spec,
        "base": server.base,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "client": args.client,
    }
    spec["concurrency"] = args.concurrency
    cpu0, t0 = _cpu_seconds(server.process.pid), time.monotonic()
    result = _run_client(spec, budget_seconds=args.seconds + args.warmup + REQUEST_TIMEOUT + 60)
    cpu1, t1 = _cpu_seconds(server.process.pid), time.monotonic()
    result["server_cpu"] = (cpu1 - cpu0) / (t1 - t0) if cpu0 is not None and cpu1 is not None else math.nan
    result["label"] = label
    print(f" {result['rps']:.0f}/s, p99 {result['p99']:.0f} ms")
    if server.process.poll() is not None:
        raise BenchError(f"{server.name} died during '{label}':\n{server.log_tail()}")
    return result


def bench_engine(engine: str, args: argparse.Namespace) -> dict:
    import httpx

    with contextlib.ExitStack() as stack:
        folder = Path(tempfile.mkdtemp(prefix=f"effekt-bench-{engine}-"))
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        if engine == "sqlite":
            urls = {
                "app": f"sqlite:///{folder / 'effekt.sqlite'}",
                "bare": f"sqlite:///{folder / 'bare.sqlite'}",
            }
        else:
            suffix = uuid.uuid4().hex[:10]
            urls = {}
            for role in ("app", "bare"):
                name = f"effekt_bench_{role}_{suffix}"
                _admin(f'CREATE DATABASE "{name}"')
                # Registered at once: dropped even if what follows fails or is interrupted (after the servers stop).
                stack.callback(_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                urls[role] = _postgres_url(name)
        servers = {}
        for role, command in (
            ("app", [sys.executable, "-m", "server.cli", "serve", "--demo"]),
            ("bare", [sys.executable, str(ROOT / "bench" / "bare_app.py")]),
        ):
            port = _free_port()
            if role == "bare":
                command = [*command, "--port", str(port)]
            server = Server(f"{engine}-{role}", command, _server_env(urls[role], port), folder, port)
            stack.callback(server.stop)
            servers[role] = server
        print(f"{engine}: starting effekt (with the demo plan) and the bare app …", flush=True)
        for server in servers.values():
            server.wait_ready()
        app, bare = servers["app"], servers["bare"]

        detail = httpx.get(f"{app.base}/api/v1/waves/{WAVE}", timeout=10).json()
        if detail.get("status") != "open":
            raise BenchError(f"the demo wave {WAVE} is not open: {detail}")
        common = {
            "answers": _answer_set(detail),
            "organisations": [c["code"] for c in detail["organisations"]],
            "groups": [c["code"] for c in detail["target_groups"]],
        }
        # Without load: the respondent's path once (repeated for a median), and a check that it works at all.
        once = _run_client({**common, "kind": "form_once", "base": app.base}, budget_seconds=120)
        submit_path = f"/api/v1/waves/{WAVE}/responses"
        phases = {
            "bare_get": _phase("bare GET /", bare, {**common, "kind": "get", "path": "/"}, args),
            "form_get": _phase(
                f"effekt GET /e/{WAVE}", app, {**common, "kind": "get", "path": f"/e/{WAVE}"}, args
            ),
            "bare_insert": _phase(
                "bare POST /insert", bare, {**common, "kind": "bare_insert", "path": "/insert"}, args
            ),
            "json_submit": _phase(
                "effekt POST JSON API", app, {**common, "kind": "json_submit", "path": submit_path}, args
            ),
            "form_submit": _phase(
                "effekt POST form (303)", app, {**common, "kind": "form_submit", "path": f"/e/{WAVE}"}, args
            ),
        }
        return {"engine": engine, "phases": phases, "once": once}


def _fmt(value: float, pattern: str = "{:.0f}") -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else pattern.format(value)


def print_table(runs: list[dict], args: argparse.Namespace) -> None:
    print()
    print(
        f"effekt load run: {args.concurrency} concurrent clients, {args.seconds:g} s per phase "
        f"(+{args.warmup:g} s warm-up), {os.cpu_count()} CPUs, load client = {args.client} (asyncio) in its own process"
    )
    header = (
        f"{'engine':<10} {'path':<34} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        f"{'errors':>7} {'srv CPU':>7} {'cli CPU':>7} {'ratio':>6}  {'budget':<20} verdict"
    )
    print(header)
    print("-" * len(header))
    rows = [
        ("bare_get", "bare GET / (baseline)", None, None),
        ("form_get", f"effekt GET /e/{WAVE}", "bare_get", "page"),
        ("bare_insert", "bare POST /insert (baseline)", None, None),
        ("json_submit", "effekt submit, JSON API (201)", "bare_insert", "submit"),
        ("form_submit", "effekt submit, HTML form (303)", "bare_insert", "submit"),
    ]
    misses = []
    for run in runs:
        for key, label, base_key, budget in rows:
            p = run["phases"][key]
            ratio = p["rps"] / run["phases"][base_key]["rps"] if base_key else math.nan
            if budget == "page":
                wanted, ok = f"≥ {PAGE_BUDGET:.0%}", ratio >= PAGE_BUDGET
                verdict = "ok" if ok else "MISS (throughput)"
            elif budget == "submit":
                wanted = f"≥ {SUBMIT_BUDGET[0]:.0%}, p99 ≤ {SUBMIT_BUDGET[1]:.0f} ms"
                missed = [
                    what
                    for what, bad in (
                        ("throughput", ratio < SUBMIT_BUDGET[0]),
                        ("p99", not p["p99"] <= SUBMIT_BUDGET[1]),
                    )
                    if bad
                ]
                ok = not missed
                verdict = "ok" if ok else f"MISS ({', '.join(missed)})"
            else:
                wanted, ok, verdict = "", True, ""
            if not ok:
                misses.append(f"{run['engine']}: {label}: {verdict}")
            errors = sum(p["errors"].values())
            print(
                f"{run['engine']:<10} {label:<34} {p['rps']:>7.0f} {_fmt(p['p50'], '{:.1f}'):>7} "
                f"{_fmt(p['p99'], '{:.1f}'):>7} {_fmt(p['max'], '{:.0f}'):>7} {errors:>7} "
                f"{_fmt(p['server_cpu'], '{:.0%}'):>7} {_fmt(p['client_cpu'], '{:.0%}'):>7} "
                f"{_fmt(ratio, '{:.0%}'):>6}  {wanted:<20} {verdict}"
            )
        o = run["once"]
        print(
            f"{run['engine']:<10} form path once, no load ({o['runs']}×): GET form → POST → 303 → thanks "
            f"p50 {o['total_p50']:.1f} ms (max {o['total_max']:.1f}); the POST alone p50 {o['post_p50']:.1f} ms "
            f"(max {o['post_max']:.1f})"
        )
    print()
    for run in runs:
        for key, p in run["phases"].items():
            if p["errors"]:
                print(f"{run['engine']} {p['label']}: unexpected outcomes {p['errors']}")
            if key.startswith("bare") and p["client_cpu"] >= 0.9:
                print(
                    f"{run['engine']} {p['label']}: the load client used {p['client_cpu']:.0%} of a CPU, so this "
                    "baseline is limited by the client and the ratios against it are flattering."
                )
    print("Budgets missed:" if misses else "All budgets met.")
    for miss in misses:
        print(f"  {miss}")
    floor = args.concurrency / (SUBMIT_BUDGET[1] / 1000)
    print(
        f"Note: {args.concurrency} closed-loop clients without think time make the mean latency "
        f"{args.concurrency} / throughput (Little's law), so p99 ≤ {SUBMIT_BUDGET[1]:.0f} ms needs well over "
        f"{floor:.0f} requests/s, whatever the ratio."
    )


def main(argv: list[str] | None = None) -> int:
    if argv is None and sys.argv[1:] == ["--run-client"]:
        return client_main()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per phase (default 15)")
    parser.add_argument("--warmup", type=float, default=1.0, help="uncounted warm-up seconds per phase")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="load client: a minimal asyncio HTTP/1.1 client (default) or httpx (its CPU cost caps the baselines)",
    )
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 600 and 0 <= args.warmup <= 60 and 1 <= args.concurrency <= 500):
        parser.error("--seconds must be in (0, 600], --warmup in [0, 60], --concurrency in [1, 500]")
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)

    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    runs = []
    try:
        if "postgresql" in engines:
            _check_loopback_postgres()
            try:
                _admin("SELECT 1")
            except Exception as exc:
                if args.engine == "postgresql":
                    raise BenchError(f"PostgreSQL is not reachable at {ADMIN_URL}: {exc}") from None
                print(f"PostgreSQL is not reachable at {ADMIN_URL} ({exc}); measuring SQLite only.")
                engines.remove("postgresql")
        for engine in engines:
            runs.append(bench_engine(engine, args))
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, temporary databases removed.", file=sys.stderr)
        return 130
    except BenchError as exc:
        print(f"load_submit: {exc}", file=sys.stderr)
        return 1
    print_table(runs, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
