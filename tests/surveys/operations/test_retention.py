"""Retention (gallring): raw responses go after the retention period, every result stays exactly the same."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import msgspec
import pytest

from surveys.db.tables import AccessCode, Answer, Meeting, Response, Wave
from surveys.db.tallies import respondents_per_wave
from surveys.demo import load_demo
from surveys.meetings.records import create_meeting
from surveys.operations import retention
from surveys.results.plan_results import forget_results, plan_results
from surveys.results.raw_export import raw_rows
from surveys.waves.lookup import clear_caches
from tests.conftest import DEMO_TODAY
from tests.support import make_wave

PLAN = "vasternorrland-2026"


async def _results_json() -> str:
    forget_results()
    return msgspec.json.encode(replace(await plan_results(PLAN), stamp="")).decode()


@pytest.fixture
async def demo(database):
    await load_demo(DEMO_TODAY)
    clear_caches()
    waves = await Wave.select(Wave.id, Wave.slug, Wave.closes_at).order_by(Wave.closes_at)
    # A day on which the first two waves are past a 120-day retention period and the others are not.
    second_closed = waves[1]["closes_at"].date()
    return {"waves": waves, "today": second_closed + timedelta(days=122), "days": 120}


async def test_a_purge_deletes_raw_responses_while_results_snapshots_and_counts_stay_the_same(demo):
    # One demo load per engine (it is slow), so the whole story is told in one test.
    meeting_id = await create_meeting(PLAN, "Länsledningens möte", "2026-06-30", k=5)
    snapshot = (await Meeting.select(Meeting.snapshot).where(Meeting.id == meeting_id).first())["snapshot"]
    first = demo["waves"][0]["id"]
    await AccessCode.insert(AccessCode(wave=first, code_hash="a" * 64))
    results_before = await _results_json()
    per_wave_before = await respondents_per_wave()
    purged_ids = [w["id"] for w in demo["waves"][:2]]
    kept_ids = [w["id"] for w in demo["waves"][2:]]
    responses_before = await Response.count()
    kept_answers = await Answer.count().where(Answer.wave.is_in(kept_ids))

    # The dry run lists the two waves past the period, with their free texts, and deletes nothing.
    planned = await retention.plan_purge(demo["today"], demo["days"])
    assert [w.slug for w in planned.waves] == [w["slug"] for w in demo["waves"][:2]]
    assert planned.responses > 1000
    assert all(w.free_texts > 0 for w in planned.waves)
    assert await Response.count() == responses_before

    done = await retention.purge(demo["today"], demo["days"])

    assert [w.slug for w in done.waves] == [w.slug for w in planned.waves]
    assert done.responses == planned.responses
    assert await Response.count().where(Response.wave.is_in(purged_ids)) == 0
    assert await Answer.count().where(Answer.wave.is_in(purged_ids)) == 0
    assert await AccessCode.count().where(AccessCode.wave == first) == 0
    assert await Answer.count().where(Answer.wave.is_in(kept_ids)) == kept_answers
    assert await _results_json() == results_before
    assert await respondents_per_wave() == per_wave_before
    after = (await Meeting.select(Meeting.snapshot).where(Meeting.id == meeting_id).first())["snapshot"]
    assert after == snapshot
    purged = await Wave.select(Wave.purged_on).where(Wave.id.is_in(purged_ids))
    assert {w["purged_on"] for w in purged} == {demo["today"]}

    # The raw export (admins only) says which waves were purged, instead of looking as if no one answered.
    raw = "".join([chunk async for chunk in raw_rows(PLAN, 5)])
    assert raw.count("Svaren är gallrade") == 2

    # A second run has nothing more to do.
    assert (await retention.purge(demo["today"], demo["days"])).waves == ()


async def test_nothing_is_purged_within_the_retention_period(database):
    await make_wave(status="closed")

    assert (await retention.plan_purge(date.today(), 30)).waves == ()
    assert (await retention.plan_purge(date.today() + timedelta(days=40), 30)).waves != ()


async def test_failed_sign_ins_past_the_lock_out_window_are_cleared(database):
    from datetime import UTC, datetime

    from surveys.db.tables import LoginFailure

    now = datetime.now(UTC)
    await LoginFailure.insert(
        LoginFailure(key_hash="a" * 64, failed_at=now - timedelta(hours=2)),
        LoginFailure(key_hash="b" * 64, failed_at=now - timedelta(minutes=1)),
    )

    planned = await retention.plan_purge(date.today(), 365)
    done = await retention.purge(date.today(), 365)

    assert planned.login_failures == done.login_failures == 1
    assert [r["key_hash"] for r in await LoginFailure.select(LoginFailure.key_hash)] == ["b" * 64]
