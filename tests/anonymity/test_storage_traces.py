"""What newer tables keep of when, and in which order, people answered (issue #13).

tests/anonymity/test_code_linking.py attacks the codes, the response and answer rows, backups and SQLite's
log. This file plays the same insider against what came later: the used form tokens that refuse a form
sent twice, the releases and their frozen free texts, the audit log's times, the raw CSV and the copy
between engines. The insider also knows each person's form token (the respondent's page carries it).

Before the fix, on PostgreSQL, after `effekt purge` or `effekt backup`: the form tokens still lay, and were
dumped, in the order people answered (8 of 8 in place), and the audit log's events, each with its own
transaction id, put every token's transaction between the two logged times around its answer (8 of 8).
Now: 0 of 8 (every token row has the rewrite's transaction id). Two more traces were found and are closed:
an interim release split its own day's responses into before and after it (4 of 4 placed; it now counts
the days before its own), and an answer's log line from an organisation's link named the organisation
between timed staff lines (2 of 2 named; answers now write no access line).
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from surveys.accounts import audit
from surveys.db import engine as db
from surveys.db.tables import Answer, Question, ReleasedText, Response, UsedFormToken, Wave, WaveRelease
from surveys.operations.backup import backup
from surveys.operations.data_copy import copy_database
from surveys.operations.retention import purge
from surveys.responding.submission import STOCKHOLM, Stored, Submission, store_submission, token_hash
from surveys.responding.validation import CleanAnswers
from surveys.results.raw_export import raw_rows
from surveys.results.releases import make_release, released_texts
from surveys.waves.codes import create_codes
from surveys.waves.lookup import clear_caches, find_wave
from tests.anonymity.test_code_linking import PEOPLE, PERSON, dumped_rows, key_of
from tests.conftest import REQUIRE_POSTGRES, _postgres_admin, _postgres_available, _postgres_url
from tests.support import make_wave

# The i-th to answer is person ORDER[i]; nobody answers at their own place in the list.
ORDER = [3, 6, 1, 7, 0, 5, 2, 4]


def form_key(person: int) -> str:
    """The one-time token on the page the person sent (the insider got it, say, from their browser)."""
    return f"sida-{person:02d}-" + "t" * 16


def answering_order() -> list[str]:
    return [key_of(p) for p in ORDER]


async def answer(wave, person: int, code: str | None = None) -> None:
    stored = await store_submission(
        wave,
        Submission(
            organisation_id=wave.organisations[person % 2].id,
            target_group_id=wave.target_groups[0].id,
            answers=CleanAnswers(
                chosen={"kannedom": ("ja",), "forstaelse": (str(1 + person % 5),)},
                texts={"fritext": key_of(person)},
            ),
            submission_key=form_key(person),
            code=code,
        ),
        datetime.now(UTC),
    )
    assert stored is Stored.CREATED


async def answered(*, codes: bool = True, between=None) -> int:
    """A wave where everyone answers, in ORDER; `between(i)` runs before the i-th answer (and after the
    last, with i = PEOPLE)."""
    wave_id = await make_wave()
    issued: list[str] = []
    if codes:
        async with db.write_transaction():
            await Wave.update({Wave.uses_codes: True}).where(Wave.id == wave_id)
            issued = await create_codes(wave_id, PEOPLE)
    clear_caches()
    wave = await find_wave("testomgang")
    for place, person in enumerate(ORDER):
        if between:
            await between(place)
        await answer(wave, person, issued[person] if codes else None)
    if between:
        await between(PEOPLE)
    return wave_id


def person_of_token(wave_id: int) -> dict[str, str]:
    return {token_hash(wave_id, form_key(p)): key_of(p) for p in range(PEOPLE)}


async def tokens_in_order(wave_id: int, order: str) -> list[str]:
    rows = await UsedFormToken.raw(f"SELECT token_hash FROM used_form_token ORDER BY {order}")
    named = person_of_token(wave_id)
    return [named[r["token_hash"]] for r in rows]


def in_place(people: list[str]) -> int:
    """How many people a stored order puts at their place in the order of answering."""
    return sum(a == b for a, b in zip(people, answering_order(), strict=True))


@pytest.fixture
def postgresql_only(engine_name):
    assert engine_name == "postgresql"


async def after_purge() -> None:
    today = datetime.now(UTC).date()
    await purge(today, retention_days=3650)


# --- form tokens ------------------------------------------------------------------------------------


async def test_a_purge_leaves_no_order_of_answering_in_the_form_tokens(database, postgresql_only):
    wave_id = await answered()
    # Live, the tokens lie in the order people answered: the rewrite below is what hides it.
    assert in_place(await tokens_in_order(wave_id, "ctid")) == PEOPLE
    await after_purge()
    assert in_place(await tokens_in_order(wave_id, "ctid")) < PEOPLE
    xmins = await UsedFormToken.raw("SELECT DISTINCT xmin::text AS x FROM used_form_token")
    assert len(xmins) == 1


async def test_a_backup_keeps_no_order_of_answering_in_the_form_tokens(database, postgresql_only, tmp_path):
    wave_id = await answered()
    file = tmp_path / "effekt.dump"
    backup(database, file)
    named = person_of_token(wave_id)
    people = [named[r["token_hash"]] for r in dumped_rows(file, "used_form_token")]
    assert sorted(people) == sorted(answering_order())
    assert in_place(people) < PEOPLE


async def test_after_a_purge_a_form_token_names_no_response(database, postgresql_only):
    wave_id = await answered()

    async def joined() -> int:
        token_xmin = {
            r["h"]: r["x"]
            for r in await UsedFormToken.raw("SELECT token_hash AS h, xmin::text AS x FROM used_form_token")
        }
        by_xmin = Counter(token_xmin.values())
        response_of = {
            r["x"]: r["k"] for r in await Response.raw(f"SELECT {PERSON} AS k, xmin::text AS x FROM response")
        }
        named = person_of_token(wave_id)
        # Only a transaction id that one token alone carries names anyone.
        return sum(response_of.get(x) == named[h] for h, x in token_xmin.items() if by_xmin[x] == 1)

    assert await joined() == PEOPLE  # live: the token's transaction is the response's
    await after_purge()
    assert await joined() == 0


async def test_after_a_purge_the_audit_log_times_no_response_and_no_form_token(database, postgresql_only):
    """Staff act all day; each event has an exact time and a transaction id, which sorts among the
    responses' and tokens' own."""

    async def staff_acts(place: int) -> None:
        await audit.record(audit.NOT_SIGNED_IN, audit.Action.SIGN_IN_FAILED, f"user:gast{place}", "")

    wave_id = await answered(between=staff_acts)
    events = [
        int(r["x"]) for r in await Response.raw("SELECT xmin::text AS x FROM audit_event ORDER BY at, id")
    ][-(PEOPLE + 1) :]

    def timed(xid_of: dict[str, int]) -> int:
        """People whose stored transaction id falls between the events just before and after they answered."""
        return sum(
            events[place] < xid_of.get(key_of(person), -1) < events[place + 1]
            for place, person in enumerate(ORDER)
        )

    async def stored_xids() -> tuple[dict[str, int], dict[str, int]]:
        responses = {
            r["k"]: int(r["x"])
            for r in await Response.raw(f"SELECT {PERSON} AS k, xmin::text AS x FROM response")
        }
        named = person_of_token(wave_id)
        tokens = {
            named[r["h"]]: int(r["x"])
            for r in await UsedFormToken.raw("SELECT token_hash AS h, xmin::text AS x FROM used_form_token")
        }
        return responses, tokens

    responses, tokens = await stored_xids()
    assert (timed(responses), timed(tokens)) == (PEOPLE, PEOPLE)  # live, until the night's purge
    await after_purge()
    responses, tokens = await stored_xids()
    assert (timed(responses), timed(tokens)) == (0, 0)


async def test_form_tokens_are_kept_in_no_order_of_answering(database):
    wave_id = await answered(codes=False)
    assert in_place(await tokens_in_order(wave_id, "id")) < PEOPLE
    if db.is_sqlite():
        assert in_place(await tokens_in_order(wave_id, "rowid")) < PEOPLE


async def test_the_response_rows_own_key_is_not_the_forms_token_nor_its_hash(database):
    await answered(codes=False)
    keys = {r["submission_key"] for r in await Response.select(Response.submission_key)}
    tokens = {r["token_hash"] for r in await UsedFormToken.select(UsedFormToken.token_hash)}
    assert len(keys) == PEOPLE and len(tokens) == PEOPLE
    forms = {form_key(p) for p in range(PEOPLE)}
    assert not keys & (forms | tokens)
    assert not any(form in key or key in form for key in keys for form in forms)


# --- releases -----------------------------------------------------------------------------------------


async def close_and_release(wave_id: int) -> int:
    async with db.write_transaction():
        await Wave.update({Wave.closed_early: True}).where(Wave.id == wave_id)
    clear_caches()
    release = await make_release(wave_id, today=datetime.now(STOCKHOLM).date(), interim=False)
    return release.number


async def test_released_free_texts_are_kept_in_no_order_of_answering(database):
    wave_id = await answered(codes=False)
    number = await close_and_release(wave_id)
    wave = await Wave.select(Wave.version).where(Wave.id == wave_id).first()
    question = (
        await Question.select(Question.id)
        .where((Question.version == wave["version"]) & (Question.code == "fritext"))
        .first()
    )["id"]
    shown = await released_texts(wave_id, number, question, datetime.now(UTC) + timedelta(seconds=1))
    assert sorted(t["text"] for t in shown) == sorted(answering_order())
    # (On PostgreSQL they come back in the answers' physical order, the order of answering until the
    # night's purge; the page sorts them by a hash, surveys/results/questions.py `_text_order`.)
    stored = await ReleasedText.raw(
        "SELECT a.text AS t FROM released_text r JOIN answer a ON a.id = r.answer ORDER BY r.id"
    )
    assert in_place([r["t"] for r in stored]) < PEOPLE
    if not db.is_sqlite():
        stored = await ReleasedText.raw(
            "SELECT a.text AS t FROM released_text r JOIN answer a ON a.id = r.answer ORDER BY r.ctid"
        )
        assert in_place([r["t"] for r in stored]) < PEOPLE


async def test_an_interim_release_does_not_tell_who_answered_before_it_on_its_day(database):
    """Half answer, a communicator makes an interim release, half answer, the same day. The insider
    compares the release's frozen option counts with the day's responses."""
    wave_id = await make_wave()
    clear_caches()
    wave = await find_wave("testomgang")
    for person in ORDER[: PEOPLE // 2]:
        await answer(wave, person)
    await make_release(wave_id, today=datetime.now(STOCKHOLM).date(), interim=True)
    for person in ORDER[PEOPLE // 2 :]:
        await answer(wave, person)

    release = (
        await WaveRelease.select(WaveRelease.counts)
        .where(WaveRelease.wave == wave_id)
        .output(load_json=True)
        .first()
    )
    released = Counter({(q, o, org, g): n for q, o, org, g, n in release["counts"]["answers"] if n})
    cells: dict[str, Counter] = {}
    for r in await Answer.raw(
        f"SELECT (SELECT {PERSON.replace('response.id', 'a0.response')}) AS k, a0.question AS q, "
        "a0.option AS o, a0.organisation AS org, a0.target_group AS g FROM answer a0 WHERE a0.option IS NOT NULL"
    ):
        cells.setdefault(r["k"], Counter())[(r["q"], r["o"], r["org"], r["g"])] += 1
    people = sorted(cells)
    # Every set of the day's responses whose options add up to the release.
    fits = [
        set(chosen)
        for size in range(len(people) + 1)
        for chosen in itertools.combinations(people, size)
        if sum((cells[p] for p in chosen), Counter()) == released
    ]
    assert fits
    surely_before = set.intersection(*fits)
    before = {key_of(p) for p in ORDER[: PEOPLE // 2]}
    assert len(surely_before & before) == 0


# --- raw CSV and the copy between engines ---------------------------------------------------------------


async def test_the_raw_csv_lists_responses_in_no_order_of_answering(database):
    await answered(codes=False)
    text = "".join([piece async for piece in raw_rows("testplan", 3)])
    people = [key_of(p) for line in text.splitlines() for p in range(PEOPLE) if key_of(p) in line]
    assert sorted(people) == sorted(answering_order())
    assert in_place(people) < PEOPLE


@pytest.fixture
async def empty_postgres():
    if not await _postgres_available():
        if REQUIRE_POSTGRES:
            pytest.fail("PostgreSQL is not reachable")
        pytest.skip("PostgreSQL is not reachable")
    name = f"effekt_test_traces_{uuid.uuid4().hex[:10]}"
    await _postgres_admin(f'CREATE DATABASE "{name}"')
    yield _postgres_url(name)
    await _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_a_copy_to_postgresql_keeps_no_order_of_answering(database, empty_postgres):
    wave_id = await answered()
    await copy_database(database, empty_postgres)
    db.use_database(empty_postgres)
    try:
        by_place = await Response.raw(f"SELECT {PERSON} AS k FROM response ORDER BY ctid")
        assert in_place([r["k"] for r in by_place]) < PEOPLE
        by_answer = await Answer.raw(
            "SELECT (SELECT b.text FROM answer b WHERE b.response = a.response AND b.text IS NOT NULL) AS k "
            "FROM answer a ORDER BY ctid"
        )
        assert in_place(list(dict.fromkeys(r["k"] for r in by_answer))) < PEOPLE
        assert in_place(await tokens_in_order(wave_id, "ctid")) < PEOPLE
        for table in ("response", "answer", "used_form_token"):
            xmins = await Response.raw(f"SELECT DISTINCT xmin::text AS x FROM {table}")
            assert len(xmins) == 1, table
    finally:
        db.use_database(database)


# --- the respondent's pages -------------------------------------------------------------------------------


async def test_what_the_respondents_browser_gets_names_no_response_and_no_time(client):
    """Cookies, redirects and pages after sending (also an error page and a second send) carry no id of
    the response or its token and no time of day: nothing to match with a stored row or a log."""
    from urllib.parse import urlencode

    from tests.support import VALID_ANSWERS, form_body, submission_key

    async def post(fields):
        return await client.post(
            "/e/testomgang",
            content=urlencode(fields),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )

    await make_wave()
    html = (await client.get("/e/testomgang")).text
    key = submission_key(html)
    fields = form_body(html, VALID_ANSWERS, organisation="alby", target_group="chefer")
    seen = [await post([f for f in fields if f[0] != "q-kannedom"])]  # an answer missing: the form again
    seen.append(await post(fields))
    seen.append(await client.get(seen[-1].headers["location"]))
    seen.append(await post(fields))  # the back button and send again
    seen.append(await client.get(seen[-1].headers["location"]))
    seen.append(await client.get("/e/testomgang"))  # the receipt, from the cookie
    assert await Response.count() == 1
    wave = await Wave.select(Wave.id).first()
    row = await Response.select(Response.id, Response.submission_key).first()
    secret = {str(row["id"]), row["submission_key"], token_hash(wave["id"], key)}
    for page in seen[1:]:
        told = "\n".join([page.text, *(f"{k}: {v}" for k, v in page.headers.items() if k != "date")])
        assert not any(s in told for s in secret)
        assert key not in told  # the form's token is not sent back once it has been used
        assert not re.search(r"\b\d{1,2}:\d{2}\b", told), page.url
    cookies = [v for page in seen for k, v in page.headers.multi_items() if k == "set-cookie"]
    sent = [c for c in cookies if c.startswith("effekt_skickat=")]
    assert sent and all(
        c.startswith(("effekt_skickat=1;", 'effekt_skickat="";', "effekt_skickat=;")) for c in sent
    )
    assert not any("expires=" in c.lower() for c in sent)


async def test_the_log_lines_of_answers_time_no_response_by_their_staff_neighbours(client, caplog):
    """Staff lines keep their time; an answer's line has only its day, but it sits between them. Its path
    must not say whose response it was."""
    import json
    import logging

    from server.request_log import JsonFormatter
    from tests.support import VALID_ANSWERS, form_body

    await make_wave()
    caplog.set_level(logging.INFO, logger="effekt.access")
    for organisation in ("alby", "region"):
        await client.get("/logga-in")
        link = f"/e/testomgang/o/{organisation}"
        page = await client.get(link)
        sent = await client.post(link, data=dict(form_body(page.text, VALID_ANSWERS, target_group="chefer")))
        assert sent.status_code == 303
    await client.get("/logga-in")
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "effekt.access"]
    organisation_of = {
        r["id"]: r["code"]
        for r in await Response.select(Response.id, Response.organisation.code.as_alias("code"))
    }
    named = 0
    for place, line in enumerate(lines):
        if line["method"] != "POST" or not line["path"].startswith("/e/"):
            continue
        staff_before = [e["time"] for e in lines[:place] if "T" in e["time"]]
        staff_after = [e["time"] for e in lines[place + 1 :] if "T" in e["time"]]
        said = [r for r, code in organisation_of.items() if f"/o/{code}" in line["path"]]
        named += bool(staff_before and staff_after and len(said) == 1)
    assert named == 0
    assert not [line for line in lines if line["path"].startswith("/e/")], "no line tells an answer came"
