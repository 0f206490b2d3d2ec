"""A communicator releases an open wave's results from its page: at most once a day, never a closed one."""

from __future__ import annotations

from datetime import date, timedelta

from surveys.accounts.users import Role
from surveys.db.tables import WaveRelease
from tests.support import csrf_token, make_wave, release, sign_in


async def _release(client, slug: str = "testomgang"):
    page = await client.get(f"/arbeta/omgangar/{slug}")
    assert page.status_code == 200
    return await client.post(f"/arbeta/omgangar/{slug}/redovisa", data={"_csrf_token": csrf_token(page.text)})


async def test_a_communicator_releases_an_open_wave_and_the_page_says_when(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    assert "Inte redovisad än" in (await client.get("/arbeta/omgangar/testomgang")).text
    released = await _release(client)
    assert released.status_code == 303
    page = (await client.get(released.headers["location"])).text
    assert "Delredovisningen är gjord" in page and "Senast redovisad" in page
    assert await WaveRelease.count() == 1


async def test_a_second_release_the_same_day_is_refused_and_nothing_is_stored(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    assert (await _release(client)).status_code == 303
    again = await _release(client)
    assert again.status_code == 409
    assert "i morgon" in again.text
    assert await WaveRelease.count() == 1


async def test_a_release_from_yesterday_allows_one_today(client):
    await make_wave()
    await release(day=date.today() - timedelta(days=1))
    await sign_in(client, Role.COMMUNICATOR)
    assert (await _release(client)).status_code == 303
    assert await WaveRelease.count() == 2


async def test_a_closed_wave_cannot_be_released_by_hand(client):
    await make_wave("stangd", "closed")
    await sign_in(client, Role.COMMUNICATOR)
    refused = await _release(client, "stangd")
    assert refused.status_code == 409
    assert "när den stänger" in refused.text


async def test_a_reader_cannot_release_a_wave(client):
    await make_wave()
    await sign_in(client, Role.READER)
    page = await client.get("/e/testomgang")
    refused = await client.post(
        "/arbeta/omgangar/testomgang/redovisa", data={"_csrf_token": csrf_token(page.text)}
    )
    assert refused.status_code == 403
    assert await WaveRelease.count() == 0


async def test_the_api_releases_an_open_wave_once_a_day_with_a_communicators_key(client):
    from surveys.accounts.users import create_token

    await make_wave()
    account = await sign_in(client, Role.COMMUNICATOR)
    headers = {"authorization": f"Bearer {await create_token(account.id, 'delredovisning')}"}
    client.cookies.clear()
    made = await client.post("/api/v1/waves/testomgang/releases", headers=headers)
    assert made.status_code == 201
    assert made.json()["preliminary"] is True and made.json()["number"] == 1
    again = await client.post("/api/v1/waves/testomgang/releases", headers=headers)
    assert again.status_code == 409 and "i morgon" in again.json()["detail"]
    assert await WaveRelease.count() == 1
