"""A real OpenID provider for the single sign-on tests: `node tests/oidc/provider.mjs` (the certified
oidc-provider from npm, pinned in tests/oidc/package-lock.json), started once per test session on a free
port and stopped afterwards.

The npm packages are installed with `npm ci` when missing. Without node (or npm) these tests are skipped,
unless EFFEKT_REQUIRE_BROWSER=1 (as in CI, which installs node and npm for the browser tests): then they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from server.app import create_app
from tests.conftest import make_settings, running
from tests.oidc.flow import CLIENT_ID, CLIENT_SECRET, EFFEKT, ROLES, Browser

HERE = Path(__file__).resolve().parent
REQUIRED = os.environ.get("EFFEKT_REQUIRE_BROWSER") == "1"
BROWSER_CLIENT_ID = "effekt-in-chromium"


@dataclass(frozen=True)
class Provider:
    issuer: str

    def admin(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.issuer, timeout=10)

    async def set_account(self, login: str, *, groups: list[str], name: str | None = None, **claims) -> None:
        async with self.admin() as admin:
            body = {"groups": groups, **({"name": name} if name else {}), **claims}
            (await admin.put(f"/__test/accounts/{login}", json=body)).raise_for_status()

    async def misbehave(self, mode: str | None) -> None:
        async with self.admin() as admin:
            (await admin.put("/__test/misbehave", json={"mode": mode})).raise_for_status()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(reason)
    pytest.skip(reason)


def _install_packages() -> None:
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm not found: it installs the OpenID provider for these tests (apt-get install npm)")
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=HERE,
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def browser_server_port() -> int:
    """The port of the real effekt server the browser test signs in to (its redirect URIs are registered)."""
    return _free_port()


@pytest.fixture(scope="session")
def provider_process(tmp_path_factory, browser_server_port) -> Iterator[str]:
    """The provider's issuer URL, once it answers discovery."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed")
    _install_packages()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    clients = [
        {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [EFFEKT + "/logga-in/sso/svar"],
            "post_logout_redirect_uris": [EFFEKT + "/logga-ut/sso/klar"],
        },
        {
            "client_id": BROWSER_CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"http://127.0.0.1:{browser_server_port}/logga-in/sso/svar"],
            "post_logout_redirect_uris": [f"http://127.0.0.1:{browser_server_port}/logga-ut/sso/klar"],
        },
        {
            "client_id": "another-service",
            "client_secret": "another-service-secret-of-enough-length",
            "redirect_uris": ["http://another-service.test/callback"],
        },
    ]
    log_path = tmp_path_factory.mktemp("oidc") / "provider.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [node, "provider.mjs"],
        cwd=HERE,
        env={**os.environ, "PORT": str(port), "ISSUER": issuer, "CLIENTS": json.dumps(clients)},
        stdout=log,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(issuer + "/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the OpenID provider did not start:\n" + log_path.read_text())
            time.sleep(0.2)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
async def provider(provider_process) -> AsyncIterator[Provider]:
    """The running provider, behaving well at the start of each test."""
    found = Provider(provider_process)
    await found.misbehave(None)
    yield found
    await found.misbehave(None)


def sso_settings(database: str, issuer: str, **overrides):
    return make_settings(
        database,
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        **{"oidc_role_claim": "groups", "oidc_roles": ROLES, **overrides},
    )


class Browsers:
    """Browsers of people visiting one effekt app; each has its own cookies at effekt and at the provider."""

    def __init__(self, app) -> None:
        self.app = app
        self.opened: list[Browser] = []

    def new(self) -> Browser:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=EFFEKT)
        browser = Browser(client)
        self.opened.append(browser)
        return browser

    async def close(self) -> None:
        for browser in self.opened:
            await browser.close()


@pytest.fixture
async def browsers(database, provider) -> AsyncIterator[Browsers]:
    """effekt with single sign-on through the test provider, on this run's database engine."""
    app = create_app(sso_settings(database, provider.issuer), manage_database=False)
    async with running(app):
        found = Browsers(app)
        yield found
        await found.close()


@pytest.fixture
def browser(browsers) -> Browser:
    return browsers.new()
