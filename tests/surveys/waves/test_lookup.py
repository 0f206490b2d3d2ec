"""How a worker keeps the wave a respondent answers: read once, kept briefly, never stale after a change."""

from __future__ import annotations

import asyncio

import pytest

from surveys.db.tables import Wave
from surveys.waves import lookup as waves
from surveys.waves.lookup import clear_caches, find_wave, forget_wave
from tests.support import make_wave


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Counts the database reads of a wave; each takes a moment to come back, as under load."""
    counted: list[str] = []
    real = waves._load_wave

    async def slow_read(slug: str):
        counted.append(slug)
        found = await real(slug)
        await asyncio.sleep(0.05)
        return found

    monkeypatch.setattr(waves, "_load_wave", slow_read)
    clear_caches()
    yield counted
    clear_caches()


async def test_many_visitors_at_once_read_the_wave_once(database, reads):
    await make_wave()
    found = await asyncio.gather(*(find_wave("testomgang") for _ in range(50)))
    assert reads == ["testomgang"]
    assert all(w is found[0] for w in found) and found[0].slug == "testomgang"


def _age(slug: str, seconds: float) -> None:
    kept_at, wave = waves._wave_cache[slug]
    waves._wave_cache[slug] = (kept_at - seconds, wave)


async def test_a_due_copy_is_read_again_by_one_visitor_while_the_others_keep_answering(database, reads):
    await make_wave()
    first = await find_wave("testomgang")
    _age("testomgang", waves._WAVE_TTL_SECONDS + 0.5)
    refreshing = asyncio.create_task(find_wave("testomgang"))
    await asyncio.sleep(0.01)  # the refresh has begun and holds the read
    others = [await asyncio.wait_for(find_wave("testomgang"), 0.02) for _ in range(10)]
    assert all(w is first for w in others)  # answered from the copy, without waiting for the read
    assert (await refreshing) == first and reads == ["testomgang", "testomgang"]


async def test_a_copy_older_than_the_grace_is_never_served(database, reads):
    await make_wave()
    await find_wave("testomgang")
    await Wave.update({Wave.title: "Ny rubrik"}).where(Wave.slug == "testomgang")
    _age("testomgang", waves._WAVE_STALE_SECONDS + 0.5)
    refreshing = asyncio.create_task(find_wave("testomgang"))
    await asyncio.sleep(0.01)
    waiting = await find_wave("testomgang")  # waits for the read instead of the old copy
    assert waiting.title == "Ny rubrik" and (await refreshing).title == "Ny rubrik"


async def test_a_read_begun_before_a_change_does_not_bring_the_old_wave_back(database, reads):
    await make_wave()
    reading = asyncio.create_task(find_wave("testomgang"))
    await asyncio.sleep(0.01)  # the read has begun
    await Wave.update({Wave.title: "Ändrad"}).where(Wave.slug == "testomgang")
    forget_wave()  # as every change through this worker does
    await reading
    assert (await find_wave("testomgang")).title == "Ändrad"


async def test_when_the_database_is_away_every_waiting_visitor_hears_it_from_one_read(database, monkeypatch):
    await make_wave()
    attempts: list[str] = []

    async def unreachable(slug: str):
        attempts.append(slug)
        await asyncio.sleep(0.05)
        raise ConnectionRefusedError("the database is away")

    monkeypatch.setattr(waves, "_load_wave", unreachable)
    clear_caches()
    outcomes = await asyncio.gather(*(find_wave("testomgang") for _ in range(30)), return_exceptions=True)
    assert all(isinstance(o, ConnectionRefusedError) for o in outcomes)
    assert attempts == ["testomgang"]  # one failed read, not thirty in a row
    monkeypatch.undo()
    assert (await find_wave("testomgang")).slug == "testomgang"  # the next visitor reads again


async def test_a_visitor_who_leaves_does_not_cancel_the_read_the_others_wait_for(database, reads):
    await make_wave()
    leaving = asyncio.create_task(find_wave("testomgang"))
    staying = asyncio.create_task(find_wave("testomgang"))
    await asyncio.sleep(0.01)
    leaving.cancel()
    assert (await staying).slug == "testomgang" and reads == ["testomgang"]
