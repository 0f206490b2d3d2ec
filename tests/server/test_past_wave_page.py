"""A wave whose dates have already passed is made only after the person confirms it, in the browser as in
the domain: never by mistake, but possible for answers collected on paper."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest

from surveys.accounts.users import Role
from surveys.db import engine as db
from surveys.db.tables import Wave
from surveys.waves.setup import PastWave, create_wave
from tests.support import csrf_token, make_wave, sign_in

LAST_WEEK = datetime.now(UTC) - timedelta(days=7)


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


async def _form(client) -> dict:
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/omgangar/ny?plan=testplan")
    return {
        "_csrf_token": csrf_token(page.text),
        "plan": "testplan",
        "questionnaire": "testenkat",
        "title": "Pappersenkäten i höstas",
        "slug": "papper-2026",
        "opens": _local(LAST_WEEK - timedelta(days=14)),
        "closes": _local(LAST_WEEK),
        "target_group": ["chefer"],
        "organisation": ["alby"],
    }


async def test_a_wave_that_has_already_closed_is_refused_with_a_checkbox_to_confirm_it(client):
    form = await _form(client)
    refused = await client.post("/arbeta/omgangar/ny", data=form)
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "som redan har varit, så ingen kan svara på den" in text
    assert 'name="confirm_past"' in text and "Skapa mätomgången ändå, fast den redan har stängt" in text
    # What was written stays in the form, so the person only ticks the box.
    assert 'value="papper-2026"' in text
    assert not await Wave.exists().where(Wave.slug == "papper-2026")


async def test_the_form_offers_no_checkbox_before_a_past_date_is_given(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/omgangar/ny?plan=testplan")
    assert 'name="confirm_past"' not in page.text


async def test_with_the_box_ticked_the_past_wave_is_made(client):
    form = await _form(client)
    made = await client.post("/arbeta/omgangar/ny", data=form | {"confirm_past": "ja"})
    assert made.status_code == 303 and made.headers["location"] == "/arbeta/omgangar/papper-2026"
    assert await Wave.exists().where(Wave.slug == "papper-2026")


async def test_the_domain_refuses_a_past_wave_unless_confirmed(database):
    await make_wave()
    wave = {
        "plan_code": "testplan",
        "questionnaire_code": "testenkat",
        "slug": "papper-2026",
        "title": "Pappersenkäten",
        "opens_at": LAST_WEEK - timedelta(days=14),
        "closes_at": LAST_WEEK,
        "now": datetime.now(UTC),
    }
    with pytest.raises(PastWave) as refused:
        async with db.write_transaction():
            await create_wave(**wave)
    assert "redan har varit" in refused.value.errors["closes"]
    assert not await Wave.exists().where(Wave.slug == "papper-2026")
    async with db.write_transaction():
        await create_wave(**wave, past_confirmed=True)
    assert await Wave.exists().where(Wave.slug == "papper-2026")
