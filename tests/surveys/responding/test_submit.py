"""submit(): the one way a response goes in, whatever the door, with the domain's error vocabulary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveys.db.tables import Response
from surveys.errors import Conflict, DomainError, Invalid
from surveys.responding.submission import QuestionnaireChanged, Sent, Stored, WaveNotOpen, submit
from surveys.waves.codes import CodeRejected, issue_codes
from surveys.waves.lookup import WaveStatus, find_wave
from tests.support import VALID_ANSWERS, make_wave

WHO = {"organisation": "alby", "target_group": "chefer"}


async def test_a_valid_response_is_stored_once_per_submission_key(database):
    await make_wave()
    wave = await find_wave("testomgang")
    sent = Sent(VALID_ANSWERS, **WHO, submission_key="s" * 20)
    now = datetime.now(UTC)
    assert await submit(wave, sent, now) is Stored.CREATED
    assert await submit(wave, sent, now) is Stored.DUPLICATE
    assert await Response.count() == 1


async def test_a_response_without_a_key_is_stored_each_time(database):
    await make_wave()
    wave = await find_wave("testomgang")
    for _ in range(2):
        await submit(wave, Sent(VALID_ANSWERS, **WHO), datetime.now(UTC))
    assert await Response.count() == 2


@pytest.mark.parametrize("status", ["closed", "not_open"])
async def test_a_wave_that_is_not_open_is_a_conflict_that_says_which(database, status):
    await make_wave(status=status)
    wave = await find_wave("testomgang")
    with pytest.raises(WaveNotOpen) as refused:
        await submit(wave, Sent(VALID_ANSWERS, **WHO), datetime.now(UTC))
    assert isinstance(refused.value, Conflict)
    assert refused.value.status is WaveStatus(status)
    assert await Response.count() == 0


async def test_answers_to_fix_are_invalid_with_a_message_for_each_field(database):
    await make_wave()
    wave = await find_wave("testomgang")
    with pytest.raises(Invalid) as refused:
        await submit(wave, Sent({"betyg": ["11"]}, organisation="okand"), datetime.now(UTC))
    assert set(refused.value.errors) == {"organisation", "target_group", "kannedom", "betyg"}
    assert await Response.count() == 0


async def test_a_malformed_key_is_refused_before_anything_is_checked(database):
    await make_wave()
    wave = await find_wave("testomgang")
    with pytest.raises(DomainError) as refused:
        await submit(wave, Sent({}, submission_key="<x>"), datetime.now(UTC))
    assert not isinstance(refused.value, Invalid | Conflict)  # a malformed request: 400
    assert "submission_key" in refused.value.message


async def test_a_used_code_is_invalid_and_names_the_code_field(database):
    await make_wave()
    code = (await issue_codes("testomgang", 1)).codes[0]
    wave = await find_wave("testomgang")
    await submit(wave, Sent(VALID_ANSWERS, **WHO, code=code), datetime.now(UTC))
    with pytest.raises(CodeRejected) as refused:
        await submit(wave, Sent(VALID_ANSWERS, **WHO, code=code), datetime.now(UTC))
    assert isinstance(refused.value, Invalid) and "redan använd" in refused.value.errors["code"]
    assert await Response.count() == 1


async def test_a_wave_closed_meanwhile_refuses_even_a_retry_of_a_stored_response(database):
    await make_wave()
    wave = await find_wave("testomgang")
    sent = Sent(VALID_ANSWERS, **WHO, submission_key="t" * 20)
    await submit(wave, sent, datetime.now(UTC))
    with pytest.raises(WaveNotOpen):
        await submit(wave, sent, datetime.now(UTC) + timedelta(days=2))


def test_a_changed_questionnaire_is_a_conflict_with_advice():
    changed = QuestionnaireChanged()
    assert isinstance(changed, Conflict) and "ladda om sidan" in changed.message
