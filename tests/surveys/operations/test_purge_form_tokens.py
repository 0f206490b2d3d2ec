"""`effekt purge` also forgets the hashes of sent forms' tokens once they are a few days old, even after days
when nobody answered (the form itself forgets them only when someone answers)."""

from __future__ import annotations

from datetime import date, timedelta

from surveys.db.tables import Response, UsedFormToken
from surveys.operations import retention
from surveys.responding.submission import TOKEN_DAYS
from tests.support import make_wave

TODAY = date(2027, 3, 10)


async def _tokens(wave_id: int, *days_ago: int) -> None:
    await UsedFormToken.insert(
        *(
            UsedFormToken(wave=wave_id, token_hash=f"{n:064x}", used_on=TODAY - timedelta(days=ago))
            for n, ago in enumerate(days_ago)
        )
    )


async def _kept() -> list[date]:
    return sorted(r["used_on"] for r in await UsedFormToken.select(UsedFormToken.used_on))


async def test_the_dry_run_counts_old_form_tokens_and_deletes_none(database):
    await _tokens(await make_wave(), 0, TOKEN_DAYS, TOKEN_DAYS + 1, 30)
    planned = await retention.plan_purge(TODAY, 365)
    assert planned.form_tokens == 2
    assert len(await _kept()) == 4


async def test_a_purge_forgets_form_tokens_older_than_token_days_and_keeps_the_recent_ones(database):
    await _tokens(await make_wave(), 0, TOKEN_DAYS, TOKEN_DAYS + 1, 30)
    done = await retention.purge(TODAY, 365)
    assert done.form_tokens == 2
    assert await _kept() == [TODAY - timedelta(days=TOKEN_DAYS), TODAY]


async def test_forgetting_tokens_touches_no_response_and_a_second_purge_finds_none(database):
    wave_id = await make_wave()
    await _tokens(wave_id, 10)
    responses = await Response.count()
    assert (await retention.purge(TODAY, 365)).form_tokens == 1
    assert (await retention.purge(TODAY, 365)).form_tokens == 0
    assert await Response.count() == responses and await _kept() == []
