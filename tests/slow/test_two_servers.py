"""Stateless app servers: two effekt processes on one PostgreSQL database behave as one.

What must be shared lives in the database (or in the cookie, sealed with the shared secret key), so a load
balancer may send any request to either server:
- a submission sent to both at once (a double click split by the balancer) is stored once;
- failed sign-ins on both add up to one lock-out;
- results one server has cached are recomputed when a response arrives through the other;
- a session started on one works on the other, and signing out on one ends it on both.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import httpx
import pytest

from tests.slow.servers import ROOT, Server, fresh_postgres
from tests.slow.test_crash import ANSWERS as CRASH_ANSWERS

pytestmark = pytest.mark.slow

WAVE = "omgang-4-nu"
PLAN = "vasternorrland-2026"
ANSWERS = {code: values for code, values in CRASH_ANSWERS.items() if code != "behov"}  # no free text
PASSWORD = "ett-langt-losenord"


@pytest.fixture(scope="module")
def shared_database():
    with fresh_postgres("two") as url:
        yield url


@pytest.fixture(scope="module")
def two_servers(shared_database, tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-servers")
    first = Server(shared_database, folder, "first", "--demo")
    try:
        first.wait_ready()
        second = Server(shared_database, folder, "second")
        try:
            second.wait_ready()
            _cli(
                first.env,
                "create-user",
                "lena@example.se",
                "--role",
                "lasare",
                "--password-stdin",
                stdin=PASSWORD,
            )
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


def _cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        input=stdin + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _stored(database_url: str, key: str) -> int:
    async def count() -> int:
        import asyncpg

        connection = await asyncpg.connect(database_url)
        try:
            # The form's key is kept only as a hash beside the responses (docs/dataskydd.md).
            from surveys.responding.submission import token_hash

            waves = [r["id"] for r in await connection.fetch("SELECT id FROM wave")]
            hashes = [token_hash(w, key) for w in waves]
            return await connection.fetchval(
                "SELECT COUNT(*) FROM used_form_token WHERE token_hash = ANY($1::text[])", hashes
            )
        finally:
            await connection.close()

    return asyncio.run(count())


def test_one_form_posted_to_both_servers_at_once_is_stored_once(two_servers, shared_database):
    first, second = two_servers
    with httpx.Client(base_url=first.base) as browser:
        page = browser.get(f"/e/{WAVE}")
        key = re.search(r'name="submission_key" value="([^"]+)"', page.text).group(1)
        body = [
            ("_csrf_token", re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)),
            ("submission_key", key),
            ("organisation", "sundsvall"),
            ("target_group", "kommunala-chefer"),
            *((f"q-{code}", value) for code, values in ANSWERS.items() for value in values),
        ]
        cookies = dict(browser.cookies)

    def post(base: str) -> int:
        return httpx.post(
            base + f"/e/{WAVE}",
            content=urlencode(body),
            headers={"content-type": "application/x-www-form-urlencoded"},
            cookies=cookies,
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(post, [first.base, second.base]))

    assert statuses == [303, 303]
    assert _stored(shared_database, key) == 1


def test_one_api_submission_sent_to_both_servers_at_once_is_stored_once(two_servers, shared_database):
    first, second = two_servers
    key = "twoservers-" + uuid.uuid4().hex
    payload = {
        "answers": ANSWERS,
        "organisation": "sundsvall",
        "target_group": "kommunala-chefer",
        "submission_key": key,
    }

    def post(base: str) -> int:
        return httpx.post(base + f"/api/v1/waves/{WAVE}/responses", json=payload, timeout=30).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(post, [first.base, second.base]))

    assert statuses in ([200, 201], [201, 201])
    assert _stored(shared_database, key) == 1


def test_failed_sign_ins_on_both_servers_add_up_to_one_lock_out(two_servers):
    first, second = two_servers
    _cli(first.env, "create-user", "kim@example.se", "--role", "lasare", "--password-stdin", stdin=PASSWORD)

    def attempt(server: Server, password: str) -> httpx.Response:
        with httpx.Client(base_url=server.base) as browser:
            page = browser.get("/logga-in")
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
            return browser.post(
                "/logga-in", data={"_csrf_token": token, "username": "kim@example.se", "password": password}
            )

    # Five failures are free; after them the waits double from one second. Counted per server, the first
    # refusal would come at the eleventh attempt; counted together, by the ninth even on a slow machine.
    answers = []
    for number in range(9):
        answers.append(attempt((first, second)[number % 2], "fel-losenord-123"))
        if answers[-1].status_code == 429:
            break

    assert [r.status_code for r in answers[:5]] == [401] * 5
    assert answers[-1].status_code == 429
    assert "För många försök. Vänta" in answers[-1].text


def test_results_cached_by_one_server_follow_a_release_made_after_responses_through_the_other(two_servers):
    first, second = two_servers
    token = _cli(first.env, "create-token", "lena@example.se", "--name", "två servrar")
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/plans/{PLAN}/results"
    before_first = httpx.get(first.base + url, headers=headers, timeout=60).json()
    before_second = httpx.get(second.base + url, headers=headers, timeout=60).json()
    assert before_first == before_second

    for _ in range(6):
        response = httpx.post(
            first.base + f"/api/v1/waves/{WAVE}/responses",
            json={
                "answers": ANSWERS,
                "organisation": "harnosand",
                "target_group": "kommunala-chefer",
                "submission_key": "cache-" + uuid.uuid4().hex,
            },
            timeout=30,
        )
        assert response.status_code == 201

    # Answers alone change nothing a reader sees (issue #13: results only at a release) ...
    assert httpx.get(second.base + url, headers=headers, timeout=60).json() == before_second
    # ... and a release made through one server shows on both at once.
    _cli(first.env, "release", WAVE)
    after_second = httpx.get(second.base + url, headers=headers, timeout=60).json()
    after_first = httpx.get(first.base + url, headers=headers, timeout=60).json()
    assert after_second != before_second
    assert after_second == after_first


def test_a_session_works_on_both_servers_and_signing_out_on_one_ends_it_on_both(two_servers):
    first, second = two_servers
    with httpx.Client(base_url=first.base) as browser:
        page = browser.get("/logga-in")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        signed_in = browser.post(
            "/logga-in", data={"_csrf_token": token, "username": "lena@example.se", "password": PASSWORD}
        )
        assert signed_in.status_code == 303
        cookies = dict(browser.cookies)

    on_second = httpx.get(second.base + f"/resultat/{PLAN}", cookies=cookies, timeout=60)
    assert on_second.status_code == 200

    with httpx.Client(base_url=second.base, cookies=cookies) as browser:
        page = browser.get(f"/resultat/{PLAN}")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        assert browser.post("/logga-ut", data={"_csrf_token": token}).status_code == 303

    replayed = httpx.get(first.base + f"/resultat/{PLAN}", cookies=cookies, timeout=60)
    assert replayed.status_code == 303
    assert replayed.headers["location"].startswith("/logga-in")
