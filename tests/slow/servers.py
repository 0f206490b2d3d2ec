"""Real effekt servers in subprocesses for the slow checks: `effekt …` on a free loopback port."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k" * 48


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, port: int, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("EFFEKT_")},
        "EFFEKT_DATABASE_URL": database_url,
        "EFFEKT_HOST": "127.0.0.1",
        "EFFEKT_PORT": str(port),
        "EFFEKT_SECRET_KEY": SECRET,
        "PYTHONPATH": str(ROOT),
        **extra,
    }


class Server:
    """`command … serve [args]` in its own process; `command` defaults to this checkout's effekt."""

    def __init__(
        self,
        database_url: str,
        folder: Path,
        name: str,
        *args: str,
        command: list[str] | None = None,
        start_seconds: float = 90.0,
        **extra_env: str,
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"{name}.log"
        self.start_seconds = start_seconds
        self.env = server_env(database_url, self.port, **extra_env)
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [*(command or [sys.executable, "-m", "server.cli"]), "serve", *args],
                cwd=ROOT if command is None else folder,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, path: str = "/") -> None:
        deadline = time.monotonic() + self.start_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited at start-up:\n{self.log()}")
            try:
                if httpx.get(self.base + path, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the server did not start in {self.start_seconds:.0f} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@contextmanager
def fresh_postgres(prefix: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards; skips (fails in CI) without a server."""
    from tests.conftest import REQUIRE_POSTGRES, _postgres_admin, _postgres_available, _postgres_url

    if not asyncio.run(_postgres_available()):
        if REQUIRE_POSTGRES:
            pytest.fail("PostgreSQL is not reachable")
        pytest.skip("PostgreSQL is not reachable")
    name = f"effekt_test_{prefix}_{uuid.uuid4().hex[:10]}"
    asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _postgres_url(name)
    finally:
        asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
