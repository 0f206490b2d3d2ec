"""A release's day is the day in Sweden, for the release made at the close as for the interim ones.

Between 00:00 and 01:00 (02:00 in summer) in Sweden it is still yesterday in UTC. A final release dated by
the UTC day would carry yesterday's date, and an interim release after a reopening would then count as the
first of the day although one was made an hour earlier (docs/dataskydd.md: at most one a day).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveys.db.tables import Wave
from surveys.errors import Conflict
from surveys.results.releases import STOCKHOLM, release_open_wave, releases_of, settle_closed_waves
from surveys.waves.setup import close_early, reopen
from tests.support import make_wave


def _after_midnight_in_sweden() -> datetime:
    """Half past midnight in Sweden tonight, a moment when the UTC day is still today."""
    today = datetime.now(UTC).date()
    return datetime(today.year, today.month, today.day, 23, 30, tzinfo=UTC)


async def test_the_final_release_after_midnight_in_sweden_carries_the_swedish_day(database):
    wave_id = await make_wave("slutdag")
    moment = _after_midnight_in_sweden()
    await release_open_wave("slutdag", moment)
    await close_early("slutdag")
    row = await Wave.select().where(Wave.id == wave_id).first()
    assert await settle_closed_waves([row], moment + timedelta(minutes=5))
    days = [r.released_on for r in (await releases_of([wave_id]))[wave_id]]
    swedish = moment.astimezone(STOCKHOLM).date()
    assert days == [swedish, swedish]


async def test_a_reopened_wave_gets_no_second_interim_release_on_the_same_swedish_day(database):
    wave_id = await make_wave("omdag")
    moment = _after_midnight_in_sweden()
    await release_open_wave("omdag", moment)
    await close_early("omdag")
    row = await Wave.select().where(Wave.id == wave_id).first()
    await settle_closed_waves([row], moment + timedelta(minutes=5))
    await reopen("omdag", moment + timedelta(minutes=10))
    with pytest.raises(Conflict, match="i morgon"):
        await release_open_wave("omdag", moment + timedelta(minutes=15))
