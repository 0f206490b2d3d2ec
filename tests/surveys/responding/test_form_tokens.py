"""The same form sent twice is stored once, on both engines, even when the two sends race each other; and
the form's token is never kept with the response (docs/dataskydd.md, "Engångskoder och svarens ordning")."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

from surveys.db import engine as db
from surveys.db.tables import AccessCode, Answer, Response, UsedFormToken, Wave
from surveys.questionnaires.storage import is_frozen
from surveys.responding.submission import (
    TOKEN_DAYS,
    Sent,
    Stored,
    forget_used_tokens,
    submit,
    token_hash,
)
from surveys.waves.codes import create_codes
from surveys.waves.lookup import clear_caches, find_wave
from tests.support import VALID_ANSWERS, make_wave

WHO = {"organisation": "alby", "target_group": "chefer"}
TOKEN = "formular-token-0123456789"


async def twice_at_once(sent: Sent) -> list[Stored]:
    wave = await find_wave("testomgang")
    now = datetime.now(UTC)
    return sorted(
        await asyncio.gather(submit(wave, sent, now), submit(wave, sent, now)), key=lambda s: s.value
    )


async def test_two_sends_of_a_new_versions_first_form_at_once_store_one_response(database):
    await make_wave()
    assert not is_frozen((await find_wave("testomgang")).version_id)  # the checked path: the first answer
    assert await twice_at_once(Sent(VALID_ANSWERS, **WHO, submission_key=TOKEN)) == [
        Stored.CREATED,
        Stored.DUPLICATE,
    ]
    assert await Response.count() == 1 and await Answer.count() == 5


async def test_two_sends_of_the_same_form_at_once_store_one_response_on_the_short_path(database):
    await make_wave()
    wave = await find_wave("testomgang")
    await submit(wave, Sent(VALID_ANSWERS, **WHO, submission_key="forsta-svaret-0000000"), datetime.now(UTC))
    clear_caches()
    wave = await find_wave("testomgang")  # read again: frozen, so from now on each engine's short path
    assert is_frozen(wave.version_id)
    assert await twice_at_once(Sent(VALID_ANSWERS, **WHO, submission_key=TOKEN)) == [
        Stored.CREATED,
        Stored.DUPLICATE,
    ]
    assert await Response.count() == 2


async def test_two_sends_with_a_one_time_code_at_once_store_one_response_and_spend_the_code(database):
    wave_id = await make_wave()
    async with db.write_transaction():
        await Wave.update({Wave.uses_codes: True}).where(Wave.id == wave_id)
        (code,) = await create_codes(wave_id, 1)
    clear_caches()
    results = await twice_at_once(Sent(VALID_ANSWERS, **WHO, code=code, submission_key=TOKEN))
    assert results == [Stored.CREATED, Stored.DUPLICATE]
    assert await Response.count() == 1 and await AccessCode.count() == 0


async def test_the_forms_token_is_not_stored_with_the_response(database):
    await make_wave()
    wave = await find_wave("testomgang")
    await submit(wave, Sent(VALID_ANSWERS, **WHO, submission_key=TOKEN), datetime.now(UTC))
    (response,) = await Response.select()
    assert TOKEN not in {str(v) for v in response.values()}
    assert hashlib.sha256(TOKEN.encode()).hexdigest() not in {str(v) for v in response.values()}
    (used,) = await UsedFormToken.select()
    # Only a hash, the wave and the day: nothing that names the response.
    assert set(used) == {"id", "wave", "token_hash", "used_on"}
    assert used["token_hash"] == token_hash(wave.id, TOKEN) and TOKEN not in used["token_hash"]


async def test_what_is_kept_of_a_token_is_deleted_after_a_few_days(database):
    await make_wave()
    wave = await find_wave("testomgang")
    today = datetime.now(UTC).date()
    await submit(wave, Sent(VALID_ANSWERS, **WHO, submission_key=TOKEN), datetime.now(UTC))
    assert await forget_used_tokens(today) == 0
    assert await forget_used_tokens(today + timedelta(days=TOKEN_DAYS)) == 0
    assert await forget_used_tokens(today + timedelta(days=TOKEN_DAYS + 1)) == 1
    assert await UsedFormToken.count() == 0
    assert await Response.count() == 1


async def test_the_same_token_in_another_wave_is_another_form(database):
    await make_wave("forsta")
    await make_wave("andra")
    for slug in ("forsta", "andra"):
        wave = await find_wave(slug)
        assert await submit(wave, Sent(VALID_ANSWERS, **WHO, submission_key=TOKEN), datetime.now(UTC)) is (
            Stored.CREATED
        )
    assert await Response.count() == 2
