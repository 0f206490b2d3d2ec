"""A wave closed early, opened again and closed anew gets a new final release (docs/dataskydd.md:
"öppnas den igen och stänger på nytt görs en till"), and what it publishes passes the release rules."""

from __future__ import annotations

from datetime import UTC, datetime

from surveys.db.tables import Wave
from surveys.responding.submission import Submission, new_submission_key, store_submission
from surveys.responding.validation import CleanAnswers
from surveys.results.releases import releases_of, settle_closed_waves
from surveys.waves.lookup import find_wave
from surveys.waves.setup import close_early, reopen
from tests.support import make_wave


async def _answers(slug: str, count: int) -> None:
    wave = await find_wave(slug)
    for _ in range(count):
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


async def _settled(wave_id: int) -> list[int]:
    row = await Wave.select().where(Wave.id == wave_id).first()
    await settle_closed_waves([row], datetime.now(UTC))
    return [r.total for r in (await releases_of([wave_id]))[wave_id]]


async def test_a_wave_closed_early_again_after_new_answers_is_released_anew(database):
    wave_id = await make_wave("igen")
    await _answers("igen", 6)
    await close_early("igen")
    assert await _settled(wave_id) == [6]
    await reopen("igen", datetime.now(UTC))
    await _answers("igen", 7)
    await close_early("igen")
    assert await _settled(wave_id) == [6, 13]


async def test_a_wave_closed_early_again_without_new_answers_is_not_released_twice(database):
    wave_id = await make_wave("samma")
    await _answers("samma", 6)
    await close_early("samma")
    assert await _settled(wave_id) == [6]
    await reopen("samma", datetime.now(UTC))
    await close_early("samma")
    assert await _settled(wave_id) == [6]
