"""Many respondents at once: every acknowledged response is stored once, and nothing is 'locked'."""

from __future__ import annotations

import asyncio
import secrets

from surveys.db.tables import Answer, Response
from tests.support import make_wave


async def _submit(client, key: str):
    return await client.post(
        "/api/v1/waves/testomgang/responses",
        json={
            "answers": {"kannedom": "ja", "forstaelse": "5", "kanaler": ["intranat", "mote"]},
            "organisation": "alby",
            "target_group": "medarbetare",
            "submission_key": key,
        },
    )


async def test_fifty_concurrent_submissions_are_all_stored(client):
    await make_wave()
    keys = [secrets.token_urlsafe(18) for _ in range(50)]
    results = await asyncio.gather(*(_submit(client, k) for k in keys))
    assert [r.status_code for r in results] == [201] * 50
    assert await Response.count() == 50
    assert await Answer.count() == 50 * 4


async def test_a_double_click_racing_with_itself_is_stored_once(client):
    await make_wave()
    key = secrets.token_urlsafe(18)
    results = await asyncio.gather(*(_submit(client, key) for _ in range(10)))
    assert sorted(r.status_code for r in results) == [200] * 9 + [201]
    assert await Response.count() == 1
