"""Property-based fuzzing of what respondents can send: the survey form and the JSON API.

A real server (`effekt serve` with the demo plan, uvicorn on a free loopback port) takes hypothesis-generated
form posts (POST /e/<slug>, /e/<slug>/o/<organisation>) and JSON bodies (POST /api/v1/waves/<slug>/responses),
and schemathesis-generated requests for every operation in /api/v1/schema/openapi.json. For every case:

- never a 5xx;
- the number of stored responses only grows on a 201 or 303 (by exactly one for a new submission key),
  and never on anything else;

and afterwards every stored response of the demo's open wave validates against its questionnaire with the
same checks the server uses (surveys.responding.validation.validate_answers), with an organisation and target group of
the wave.

The default run (SQLite) sends about 1 500 cases; the `slow` runs (CI) send four times as many, and also run
on PostgreSQL. Figures are in docs/security.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.demo import QUESTIONNAIRE_FILE
from surveys.questionnaires.model import load_questionnaire_file
from surveys.responding.validation import validate_answers
from tests.conftest import REQUIRE_POSTGRES, _postgres_admin, _postgres_available, _postgres_url
from tests.slow.servers import Server
from tests.slow.test_crash import ANSWERS

WAVE = "omgang-4-nu"
# Cases per strategy in the default run; the slow run multiplies them.
DEFAULT = {"form": 600, "api": 600, "schemathesis": 10}  # schemathesis: per API operation
LONG_FACTOR = 4  # about 6 500 cases per engine in CI, which has 15 minutes for everything
RUN = Counter()  # cases sent, reported at the end of the module


ROOT = Path(__file__).resolve().parents[2]
# The demo plan and questionnaire with one open wave but none of the demo's 13 000 synthetic responses
# (loading those takes most of a minute).
SETUP = f"""
import asyncio, sys
from datetime import UTC, datetime, timedelta
from surveys.db import engine as db
from surveys.demo import PLAN_FILE, QUESTIONNAIRE_FILE
from surveys.plans.plan_file import load_plan_file, store_plan
from surveys.questionnaires.model import load_questionnaire_file
from surveys.questionnaires.storage import store_questionnaire
from surveys.waves.setup import create_wave
from surveys.accounts.users import Role, create_token, create_user

async def main():
    db.use_database(sys.argv[1])
    await db.migrate()
    plan, questionnaire = load_plan_file(PLAN_FILE), load_questionnaire_file(QUESTIONNAIRE_FILE)
    async with db.write_transaction():
        plan_id = await store_plan(plan)
        await store_questionnaire(questionnaire, plan_id=plan_id)
        now = datetime.now(UTC)
        await create_wave(plan_code=plan.code, questionnaire_code=questionnaire.code, slug="{WAVE}",
            title="Fuzz", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=2))
        admin = await create_user("fuzz-admin", "ett-langt-losenord", Role.ADMIN)
        print(await create_token(admin.id, "fuzz"))
    await db.close_pool()

asyncio.run(main())
"""


class Store:
    """Reads what the server stored, directly from its database (sqlite3 or asyncpg), not through effekt."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.loop = asyncio.new_event_loop() if url.startswith("postgresql") else None
        self.connection = None

    def query(self, sql: str) -> list[tuple]:
        if self.loop is None:
            if self.connection is None:
                self.connection = sqlite3.connect(
                    self.url.removeprefix("sqlite:///"), timeout=30, isolation_level=None
                )
            return self.connection.execute(sql).fetchall()
        import asyncpg

        if self.connection is None:
            self.connection = self.loop.run_until_complete(asyncpg.connect(self.url, timeout=10))
        return [tuple(r) for r in self.loop.run_until_complete(self.connection.fetch(sql))]

    def responses(self) -> int:
        return self.query(
            f"SELECT count(*) FROM response r JOIN wave w ON w.id = r.wave WHERE w.slug = '{WAVE}'"
        )[0][0]

    def stored(self) -> dict[int, tuple[str | None, str | None, dict[str, list[str]]]]:
        """Each stored response of the wave: (organisation code, target group code, answers as sent)."""
        heads = self.query(
            "SELECT r.id, o.code, t.code FROM response r JOIN wave w ON w.id = r.wave "
            "LEFT JOIN organisation o ON o.id = r.organisation LEFT JOIN target_group t ON t.id = r.target_group "
            f"WHERE w.slug = '{WAVE}'"
        )
        rows = self.query(
            "SELECT a.response, q.code, op.code, a.text FROM answer a JOIN response r ON r.id = a.response "
            "JOIN wave w ON w.id = r.wave JOIN question q ON q.id = a.question "
            f"LEFT JOIN option op ON op.id = a.option WHERE w.slug = '{WAVE}'"
        )
        found = {rid: (org, group, {}) for rid, org, group in heads}
        for rid, question, option, text in rows:
            found[rid][2].setdefault(question, []).append(option if option is not None else text)
        return found

    def close(self) -> None:
        if self.loop is None and self.connection is not None:
            self.connection.close()
        if self.loop is not None:
            if self.connection is not None:
                self.loop.run_until_complete(self.connection.close())
            self.loop.close()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def served(request, tmp_path_factory):
    """(base URL, Store, the wave as the API describes it, an admin's API token) of a real server."""
    folder = tmp_path_factory.mktemp("fuzz")
    created = None
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'fuzz.sqlite'}"
    else:
        if not asyncio.run(_postgres_available()):
            message = "PostgreSQL is not reachable"
            if REQUIRE_POSTGRES:
                pytest.fail(message)
            pytest.skip(message)
        created = f"effekt_test_fuzz_{uuid.uuid4().hex[:10]}"
        asyncio.run(_postgres_admin(f'CREATE DATABASE "{created}"'))
        url = _postgres_url(created)
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
        text=True,
    )
    token = setup.stdout.strip().splitlines()[-1]
    server = Server(url, folder, "fuzz")
    store = Store(url)
    try:
        server.wait_ready()
        wave = httpx.get(f"{server.base}/api/v1/waves/{WAVE}", timeout=10).json()
        assert wave["status"] == "open"
        yield server.base, store, wave, token
        assert_everything_stored_is_valid(store, wave)
    finally:
        server.stop()
        store.close()
        if created:
            asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)'))
        print(f"\nfuzz cases sent ({request.param}): {dict(RUN)}, {RUN.total() - RUN['stored']} cases in all")
        RUN.clear()


def assert_everything_stored_is_valid(store: Store, wave: dict) -> None:
    questionnaire = load_questionnaire_file(QUESTIONNAIRE_FILE)
    organisations = {o["code"] for o in wave["organisations"]}
    groups = {g["code"] for g in wave["target_groups"]}
    stored = store.stored()
    RUN["stored"] = len(stored)
    assert stored or not (RUN["form"] or RUN["api"]), (
        "nothing was stored: the fuzzing never reached the database"
    )
    for rid, (organisation, group, answers) in stored.items():
        clean, errors = validate_answers(questionnaire, answers)
        assert clean is not None, f"response {rid} is stored but invalid: {errors} {answers}"
        cleaned = {k: sorted(v) for k, v in clean.chosen.items()} | {k: [v] for k, v in clean.texts.items()}
        as_stored = {k: sorted(v) for k, v in answers.items()}
        assert cleaned == as_stored, f"response {rid} is stored differently from its clean form: {answers}"
        assert organisation in organisations and group in groups, (rid, organisation, group)


def budget(kind: str, long: bool) -> int:
    return DEFAULT[kind] * (LONG_FACTOR if long else 1)


# ---- what a hostile respondent might send ----

NASTY_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\ud800",
            "\u202e\u2066evil",
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            '=HYPERLINK("http://x")',
            "' OR 1=1 --",
            "null",
            "ja_val\x00",
            "a" * 5000,
            "%00",
            "../../etc/passwd",
            "\r\n",
            "9" * 40,
            "-1",
        ]
    ),
)


def answer_values(question: dict) -> st.SearchStrategy:
    codes = [o["code"] for o in question["options"]]
    valid = st.sampled_from(codes) if codes else st.text(max_size=question["max_length"] + 5)
    return st.lists(st.one_of(valid, valid, NASTY_TEXT), max_size=4)


def answers_for(draw, question: dict, sane: bool) -> list[str]:
    """Mostly right answers when `sane` (a free text may still be anything); otherwise anything at all."""
    if sane and draw(st.integers(0, 19)) > 0:
        if question["kind"] == "text" and draw(st.booleans()):
            return [draw(NASTY_TEXT)]
        return list(ANSWERS.get(question["code"], []))
    return draw(answer_values(question))


def choice(draw, choices: list[dict], sane: bool) -> str | None:
    codes = st.sampled_from([c["code"] for c in choices])
    return draw(codes) if sane else draw(st.one_of(codes, NASTY_TEXT, st.none()))


@st.composite
def form_fields(draw, wave: dict, token: str) -> list[tuple[str, str]]:
    # Four in ten cases are close to a real respondent's, so that the database is reached too.
    sane = draw(st.integers(0, 9)) < 4
    fields: list[tuple[str, str]] = []
    csrf = "good" if sane else draw(st.sampled_from(["good"] * 8 + ["missing", "wrong"]))
    if csrf == "good":
        fields.append(("_csrf_token", token))
    elif csrf == "wrong":
        # Anything, or a real token with its end changed (non-ASCII there once gave a 500).
        forged = st.text(min_size=1, max_size=2).map(lambda end: token[:-1] + end)
        fields.append(("_csrf_token", draw(NASTY_TEXT | forged)))
    key = "new" if sane else draw(st.sampled_from(["new"] * 8 + ["missing", "bad", "twice"]))
    if key == "new":
        fields.append(("submission_key", f"fuzz-{uuid.uuid4().hex}"))
    elif key == "bad":
        fields.append(("submission_key", draw(NASTY_TEXT)))
    elif key == "twice":
        fields += [("submission_key", f"fuzz-{uuid.uuid4().hex}")] * 2
    for name, choices in (("organisation", wave["organisations"]), ("target_group", wave["target_groups"])):
        value = choice(draw, choices, sane)
        if value is not None:
            fields.append((name, value))
    for question in wave["questions"]:
        if sane or draw(st.integers(0, 9)) < 8:
            fields += [(f"q-{question['code']}", v) for v in answers_for(draw, question, sane)]
    if draw(st.integers(0, 19)) == 0:
        fields.append(
            (draw(st.sampled_from(["q-", "q-finns-inte", "ip", "code"]) | NASTY_TEXT), draw(NASTY_TEXT))
        )
    return draw(st.permutations(fields))


def json_value(question: dict) -> st.SearchStrategy:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True), NASTY_TEXT
    )
    values = answer_values(question)
    return st.one_of(
        values.map(lambda v: v[0] if len(v) == 1 else v),
        values,
        scalars,
        st.lists(scalars, max_size=3),
        st.dictionaries(st.text(max_size=5), scalars, max_size=2),
    )


@st.composite
def api_bodies(draw, wave: dict) -> object:
    if draw(st.integers(0, 19)) == 0:
        return draw(
            st.one_of(st.none(), st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=3))
        )
    sane = draw(st.integers(0, 9)) < 4
    answers = {}
    for question in wave["questions"]:
        if sane:
            chosen = answers_for(draw, question, sane)
            answers[question["code"]] = chosen[0] if len(chosen) == 1 and draw(st.booleans()) else chosen
        elif draw(st.integers(0, 9)) < 8:
            answers[question["code"]] = draw(json_value(question))
    if draw(st.integers(0, 9)) == 0:
        answers[draw(NASTY_TEXT)] = draw(NASTY_TEXT)
    body: dict = {"answers": answers}
    if draw(st.integers(0, 19)) == 0:
        body["answers"] = draw(
            st.one_of(st.none(), st.text(max_size=5), st.lists(st.text(max_size=5), max_size=2))
        )
    key = "new" if sane else draw(st.sampled_from(["new"] * 7 + ["none", "bad", "number"]))
    if key == "new":
        body["submission_key"] = f"fuzz-{uuid.uuid4().hex}"
    elif key == "bad":
        body["submission_key"] = draw(NASTY_TEXT)
    elif key == "number":
        body["submission_key"] = draw(st.integers())
    for name, choices in (("organisation", wave["organisations"]), ("target_group", wave["target_groups"])):
        value = choice(draw, choices, sane) if draw(st.integers(0, 9)) else draw(st.integers())
        if value is not None or draw(st.booleans()):
            body[name] = value
    if draw(st.integers(0, 19)) == 0:
        body[draw(st.sampled_from(["ip", "user_agent", "submitted_at"]))] = draw(NASTY_TEXT)
    return body


def check_outcome(store: Store, before: int, response: httpx.Response, what: str) -> None:
    status = response.status_code
    after = store.responses()
    assert status < 500, f"{what} → {status}: {response.text[:500]}"
    if status in (201, 303):
        assert after - before in (0, 1), f"{what} → {status} but {after - before} responses stored"
    else:
        assert after == before, f"{what} → {status} yet {after - before} responses were stored"
    if status == 201:
        assert after == before + 1, f"{what} → 201 but nothing stored"
    assert "Traceback" not in response.text


def _quote(value: str) -> str:
    # surrogatepass: a lone surrogate becomes bytes that are not UTF-8, as a hostile client could send.
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def encode_form(fields: list[tuple[str, str]]) -> bytes:
    return "&".join(f"{_quote(name)}={_quote(value)}" for name, value in fields).encode()


def _settings(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


@pytest.mark.parametrize("long", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["default", "long"])
def test_no_form_post_causes_a_server_error_or_stores_anything_invalid(served, long):
    base, store, wave, _token = served
    organisations = [o["code"] for o in wave["organisations"]]
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
        page = client.get(f"/e/{WAVE}")
        token = page.text.split('name="_csrf_token" value="', 1)[1].split('"', 1)[0]

        @_settings(budget("form", long))
        @given(
            fields=form_fields(wave, token),
            path_org=st.one_of(st.none(), st.sampled_from(organisations), NASTY_TEXT),
            content_type=st.sampled_from(
                ["application/x-www-form-urlencoded"] * 18 + ["multipart/form-data", "text/plain"]
            ),
            raw=st.one_of(st.none(), st.none(), st.none(), st.binary(max_size=200)),
        )
        def post(fields, path_org, content_type, raw):
            url = f"/e/{WAVE}" if path_org is None else f"/e/{WAVE}/o/{_quote(path_org)}"
            before = store.responses()
            body = raw if raw is not None else encode_form(fields)
            response = client.post(url, content=body, headers={"content-type": content_type})
            RUN["form"] += 1
            check_outcome(store, before, response, f"POST {url} {fields!r:.300}")
            if response.status_code == 303:
                assert response.headers["location"].startswith(f"/e/{WAVE}/tack")

        post()


@pytest.mark.parametrize("long", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["default", "long"])
def test_no_api_body_causes_a_server_error_or_stores_anything_invalid(served, long):
    base, store, wave, _token = served
    with httpx.Client(base_url=base, timeout=30) as client:

        @_settings(budget("api", long))
        @given(
            body=api_bodies(wave),
            encoding=st.sampled_from(["json"] * 18 + ["broken", "form"]),
            slug=st.sampled_from([WAVE] * 9 + ["omgang-1-finns-inte"]),
        )
        def post(body, encoding, slug):
            url = f"/api/v1/waves/{quote(slug)}/responses"
            before = store.responses()
            if encoding == "json":
                content = json.dumps(body, allow_nan=True).encode()
            elif encoding == "broken":
                content = json.dumps(body, allow_nan=True).encode()[:-1] + b"\xff"
            else:
                content = b"answers=1"
            kind = "application/x-www-form-urlencoded" if encoding == "form" else "application/json"
            response = client.post(url, content=content, headers={"content-type": kind})
            RUN["api"] += 1
            check_outcome(store, before, response, f"POST {url} {content!r:.300}")
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/json")
                assert isinstance(response.json().get("detail"), str)

        post()


@pytest.mark.parametrize("long", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["default", "long"])
def test_schemathesis_finds_no_server_error_in_the_api(served, long):
    import schemathesis

    base, store, _wave, token = served
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/schema/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {"POST /api/v1/waves/{slug}/responses", "GET /api/v1/waves"}
    for operation in operations:
        _fuzz_operation(operation, base, store, token, budget("schemathesis", long))


def _fuzz_operation(operation, base: str, store: Store, token: str, examples: int) -> None:
    from schemathesis.checks import not_a_server_error

    @_settings(examples)
    @given(case=operation.as_strategy())
    def call(case):
        before = store.responses()
        response = case.call(base_url=base, timeout=30, headers={"authorization": f"Bearer {token}"})
        RUN["schemathesis"] += 1
        case.validate_response(response, checks=[not_a_server_error])
        status = response.status_code
        after = store.responses()
        if status not in (200, 201):
            assert after == before, f"{operation.label} → {status} stored {after - before} responses"

    call()


async def test_a_nul_character_anywhere_gets_a_clear_answer_never_a_server_error(client):
    """PostgreSQL cannot compare or store NUL (found by the fuzzing): a 4xx in Swedish, on both engines."""
    from surveys.accounts.users import Role
    from tests.support import csrf_token, make_wave, sign_in

    await make_wave()
    page = await client.get("/e/testomgang")
    login = await client.post(
        "/logga-in", data={"_csrf_token": csrf_token(page.text), "username": "a\x00", "password": "x" * 12}
    )
    assert login.status_code in (400, 401), login.text
    await sign_in(client, Role.ADMIN)
    outcomes = {}
    for url in ("/e/%00", "/e/a%00b/tack", "/api/v1/waves/%00", "/arbeta/planer/%00", "/resultat/%00"):
        outcomes[url] = (await client.get(url)).status_code
    posted = await client.post("/api/v1/waves/%00/responses", json={"answers": {}})
    outcomes["POST /api/v1/waves/%00/responses"] = posted.status_code
    assert all(400 <= status < 500 for status in outcomes.values()), outcomes
    assert "Traceback" not in posted.text and posted.json()["detail"]
    if posted.status_code == 400:
        assert "NUL" in posted.json()["detail"]
