"""Single sign-on in Chromium: a real effekt server (uvicorn), the real provider, and a real browser, which
applies effekt's Content-Security-Policy (`form-action 'self'` also governs where a form's redirects may go)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.oidc.conftest import BROWSER_CLIENT_ID
from tests.oidc.flow import CLIENT_SECRET, ROLES, new_login

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sso_server(provider_process, browser_server_port, tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("sso-server")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EFFEKT_")},
        "EFFEKT_DATABASE_URL": f"sqlite:///{folder / 'effekt.sqlite'}",
        "EFFEKT_PORT": str(browser_server_port),
        "EFFEKT_OIDC_ISSUER": provider_process,
        "EFFEKT_OIDC_CLIENT_ID": BROWSER_CLIENT_ID,
        "EFFEKT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "EFFEKT_OIDC_ROLES": ROLES,
        "EFFEKT_LOCAL_PASSWORDS": "false",
        "PYTHONPATH": str(ROOT),
    }
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{browser_server_port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("effekt did not start:\n" + (folder / "server.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def chromium():
    # Module scope, as in tests/browser: Playwright's sync API runs its own event loop while it is open.
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


def test_a_person_signs_in_and_out_through_their_organisation_in_a_real_browser(
    chromium, sso_server, provider_process
):
    login = new_login()
    httpx.put(
        f"{provider_process}/__test/accounts/{login}",
        json={"groups": ["effekt-komm"], "name": "Karin Kommunikatör"},
        timeout=10,
    ).raise_for_status()
    context = chromium.new_context(locale="sv-SE")
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security" in message.text else None,
    )

    page.goto(sso_server + "/logga-in/sso?next=/arbeta")
    # The provider's own sign-in page.
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    page.wait_for_url(sso_server + "/arbeta")
    assert "Karin Kommunikatör" in page.inner_text("header")

    # Sign out through /logga-ut/sso with the header's own form (its CSRF token and all).
    page.eval_on_selector(
        "form[action='/logga-ut']", "form => { form.action = '/logga-ut/sso'; form.submit(); }"
    )
    # effekt's page moves on to the provider's sign-out, which asks first.
    page.wait_for_url(provider_process + "/session/end**")
    page.click("button[value=yes]")
    page.wait_for_url(sso_server + "/logga-ut/sso/klar**")
    assert "Du är utloggad från effekt och från din organisations konto." in page.inner_text("main")

    # Signed out of both: effekt sends the person straight on to the provider (local passwords are off),
    # and the provider asks who they are.
    page.goto(sso_server + "/arbeta")
    page.wait_for_url(provider_process + "/interaction/**")
    assert page.locator("input[name=login]").is_visible()
    assert blocked == []
    context.close()
