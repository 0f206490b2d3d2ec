"""Release points: a wave's counts are frozen when it is released, and results read only those."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from surveys.db.tables import Wave
from surveys.errors import Conflict
from surveys.responding.submission import Submission, new_submission_key, store_submission
from surveys.responding.validation import CleanAnswers
from surveys.results.releases import make_release, releases_of, settle_closed_waves
from surveys.waves.lookup import find_wave
from tests.support import make_wave


async def _answer(slug: str) -> None:
    wave = await find_wave(slug)
    await store_submission(
        wave,
        Submission(
            organisation_id=wave.organisations[0].id,
            target_group_id=wave.target_groups[0].id,
            answers=CleanAnswers({"kannedom": ("ja",)}, {}),
            submission_key=new_submission_key(),
        ),
        datetime.now(UTC),
    )


async def test_a_release_freezes_the_counts_that_later_answers_do_not_change(database):
    wave_id = await make_wave("frys")
    await _answer("frys")
    release = await make_release(wave_id, today=date(2027, 3, 2), interim=True)
    await _answer("frys")
    stored = (await releases_of([wave_id]))[wave_id]
    assert [r.total for r in stored] == [1]
    assert release.number == 1 and release.interim


async def test_an_open_wave_is_released_at_most_once_a_day(database):
    wave_id = await make_wave("daglig")
    await make_release(wave_id, today=date(2027, 3, 2), interim=True)
    with pytest.raises(Conflict, match="i morgon"):
        await make_release(wave_id, today=date(2027, 3, 2), interim=True)
    later = await make_release(wave_id, today=date(2027, 3, 3), interim=True)
    assert later.number == 2


async def test_a_closed_wave_is_released_once_with_its_final_counts(database):
    wave_id = await make_wave("stangd", "closed")
    row = await Wave.select().where(Wave.id == wave_id).first()
    now = datetime.now(UTC)
    assert await settle_closed_waves([row], now)
    assert not await settle_closed_waves([row], now + timedelta(days=3))
    assert [r.interim for r in (await releases_of([wave_id]))[wave_id]] == [False]


async def test_an_open_wave_is_not_settled(database):
    wave_id = await make_wave("oppen")
    row = await Wave.select().where(Wave.id == wave_id).first()
    assert not await settle_closed_waves([row], datetime.now(UTC))
    assert not (await releases_of([wave_id]))[wave_id]
