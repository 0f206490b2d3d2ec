"""A real effekt server (uvicorn, SQLite, the demo plan) and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("EFFEKT_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
# Without these flags Chromium tries to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_env(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("browser")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("EFFEKT_")},
        "EFFEKT_DATABASE_URL": f"sqlite:///{folder / 'browser.sqlite'}",
        "EFFEKT_PORT": str(_free_port()),
        "PYTHONPATH": str(ROOT),
        "EFFEKT_LOG_FOLDER": str(folder),
    }


def create_user(env: dict[str, str], username: str, role: str, password: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "server.cli", "create-user", username, "--role", role, "--password-stdin"],
        input=password + "\n",
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture(scope="session")
def server_url(server_env) -> Iterator[str]:
    env = {k: v for k, v in server_env.items() if k != "EFFEKT_LOG_FOLDER"}
    folder = Path(server_env["EFFEKT_LOG_FOLDER"])
    port = int(env["EFFEKT_PORT"])
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--demo"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise RuntimeError((folder / "server.log").read_text())
            time.sleep(0.3)
        else:
            raise RuntimeError("the server did not start in 90 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps its own event loop running while it is open, which
    # would stop the asyncio tests that follow from starting theirs.
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("EFFEKT_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_javascript(browser):
    context = browser.new_context(locale="sv-SE", java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core, as pinned in tests/browser/package-lock.json, installed with `npm ci` when missing."""
    folder = ROOT / "tests" / "browser"
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            message = "npm not found: it installs axe-core for the accessibility audit (apt-get install npm)"
            if os.environ.get("EFFEKT_REQUIRE_BROWSER") == "1":
                pytest.fail(message)
            pytest.skip(message)
        subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=folder,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def site(server_env, server_url):
    """The demo with users for every role, waves that have not opened and have closed, and a meeting."""
    from tests.browser.screens import prepare_site

    return prepare_site(server_env, server_url)
