"""The load and cost scripts still run end to end, so the figures in docs/performance.md can be refreshed.

Short runs: they check that each script starts its servers or apps, drives every path with valid answers
and prints its table. The figures themselves come from the full runs written down in the docs.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from tests.slow.servers import ROOT

pytestmark = pytest.mark.slow


def _run(*arguments: str, timeout: int = 300) -> str:
    env = {**os.environ, "EFFEKT_TEST_POSTGRES_URL": os.environ.get("EFFEKT_TEST_POSTGRES_URL", "")}
    env = {k: v for k, v in env.items() if v and not k.startswith("EFFEKT_DATABASE")}
    done = subprocess.run(
        [sys.executable, *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{arguments} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_load_script_drives_every_path_without_errors():
    out = _run("bench/load_submit.py", "--seconds", "1", "--warmup", "0.5", "--engine", "sqlite")
    rows = [line for line in out.splitlines() if line.startswith("sqlite ")]
    paths = ("bare GET /", "effekt GET", "bare POST /insert", "JSON API (201)", "HTML form (303)")
    assert all(any(path in row for row in rows) for path in paths), out
    assert "unexpected outcomes" not in out, out
    assert "form path once, no load" in out


def test_the_cost_script_measures_every_path_on_postgresql():
    from tests.conftest import REQUIRE_POSTGRES, _postgres_available

    if not asyncio.run(_postgres_available()):
        if REQUIRE_POSTGRES:
            pytest.fail("PostgreSQL is not reachable")
        pytest.skip("PostgreSQL is not reachable")
    out = _run("bench/request_cost.py", "--engine", "postgresql", "--requests", "60")
    for label in ("GET survey form", "POST HTML form", "POST JSON API"):
        line = next((row for row in out.splitlines() if row.startswith(label)), None)
        assert line is not None and line.rstrip().endswith("%"), out
