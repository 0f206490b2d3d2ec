"""The container's steps without Docker: build the wheel, install it into a clean virtual environment, compile
the translations, migrate a fresh PostgreSQL database, start several workers, and pass /readyz.

Docker cannot run on the CI machines; docker/Dockerfile does exactly these steps, and this check makes sure
they work from the wheel alone (templates, static files, migrations and catalogues all packaged).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.slow.servers import ROOT, Server, fresh_postgres

pytestmark = pytest.mark.slow


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A clean virtual environment with effekt installed from its wheel, as in the image's build stage."""
    folder = tmp_path_factory.mktemp("wheel")
    _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", folder / "wheels", ROOT, cwd=folder
    )
    wheels = list((folder / "wheels").glob("effekt-*.whl"))
    assert len(wheels) == 1
    venv = folder / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=folder)
    _run(
        venv / "bin" / "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        wheels[0],
        cwd=folder,
        timeout=900,
    )
    _run(venv / "bin" / "python", "-m", "locales.compile", cwd=folder)
    return venv


@pytest.fixture(scope="module")
def fresh_database():
    with fresh_postgres("wheel") as url:
        yield url


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_the_installed_wheel_migrates_postgresql_and_serves_with_several_workers(
    installed, fresh_database, tmp_path
):
    env = {k: v for k, v in os.environ.items() if not k.startswith("EFFEKT_") and k != "PYTHONPATH"}
    env["EFFEKT_DATABASE_URL"] = fresh_database
    effekt = installed / "bin" / "effekt"

    migrated = _run(effekt, "migrate", cwd=tmp_path, env=env)
    server = Server(fresh_database, tmp_path, "wheel", command=[str(effekt)], EFFEKT_WORKERS="2")
    server.env.pop("PYTHONPATH", None)  # only the wheel, never this checkout
    try:
        server.wait_ready("/readyz")
        ready = httpx.get(server.base + "/readyz", timeout=5)
        home = httpx.get(server.base + "/?lang=en", timeout=5)
        css = httpx.get(server.base + "/static/effekt.css", timeout=5)
        workers = _children(server.process.pid)
    finally:
        server.stop()

    assert "Databasen är uppdaterad" in migrated
    assert ready.json() == {"status": "ready"}
    assert home.status_code == 200 and "Skip to main content" in home.text
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert len(workers) >= 2, server.log()
    assert list((installed / "lib").glob("python3*/site-packages/locales/en/LC_MESSAGES/messages.mo"))
    # The question bank every installation starts with (surveys/questionnaires/builtin_bank.py).
    assert list((installed / "lib").glob("python3*/site-packages/surveys/questionnaires/builtin_bank.toml"))
