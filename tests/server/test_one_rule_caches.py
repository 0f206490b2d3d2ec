"""A change made through any door is seen at once by the next request on the same worker.

Each test first reads the wave (so this worker holds a copy, and the survey form is rendered and kept),
then changes it through a door, then reads again. The domain forgets its copies after writing
(surveys/caches.py); no handler does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from surveys import caches
from surveys.accounts.users import Role, create_token, create_user
from surveys.db import engine as db
from surveys.waves.codes import issue_codes
from surveys.waves.lookup import find_wave
from surveys.waves.setup import close_early, create_wave, reopen
from tests.support import csrf_token, make_wave, sign_in


async def form_text(client, path: str = "/e/testomgang") -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return page.text


async def test_a_wave_closed_in_the_workspace_is_closed_on_the_next_form_view(client):
    await make_wave()
    await form_text(client)
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/omgangar/testomgang")
    await client.post("/arbeta/omgangar/testomgang/stang", data={"_csrf_token": csrf_token(page.text)})
    assert (await client.get("/e/testomgang")).status_code == 410
    assert (await client.get("/api/v1/waves/testomgang")).json()["status"] == "closed"


async def test_a_wave_closed_and_reopened_by_the_domain_is_seen_by_both_doors_at_once(client):
    await make_wave()
    await form_text(client)
    await close_early("testomgang")
    assert (await client.get("/e/testomgang")).status_code == 410
    assert (await client.get("/api/v1/waves/testomgang")).json()["status"] == "closed"
    await reopen("testomgang", datetime.now(UTC))
    assert (await client.get("/e/testomgang")).status_code == 200
    assert (await client.get("/api/v1/waves/testomgang")).json()["status"] == "open"


async def test_codes_issued_in_the_workspace_are_asked_for_on_the_next_form_view(client):
    await make_wave()
    assert 'name="code"' not in await form_text(client)
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/omgangar/testomgang")
    issued = await client.post(
        "/arbeta/omgangar/testomgang/koder", data={"_csrf_token": csrf_token(page.text), "count": "2"}
    )
    assert issued.status_code == 200
    assert 'name="code"' in await form_text(client)


async def test_a_draft_reworded_on_the_designer_page_shows_on_the_next_form_view(client):
    await make_wave()
    assert "Känner du till planen?" in await form_text(client)
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/enkater/testenkat/fragor/kannedom")
    form = {
        "_csrf_token": csrf_token(page.text),
        "text": "Har du hört talas om planen?",
        "kind": "single",
        "required": "ja",
        "step": "L1",
        "dont_know": "not_reached",
        "option-1-code": "ja",
        "option-1-text": "Ja",
        "option-1-reaches": "ja",
        "option-2-code": "nej",
        "option-2-text": "Nej",
        "option-3-code": "vet_ej",
        "option-3-text": "Vet ej",
        "option-3-dont-know": "ja",
    }
    saved = await client.post("/arbeta/enkater/testenkat/fragor/kannedom", data=form)
    assert saved.status_code == 303, saved.text
    text = await form_text(client)
    assert "Har du hört talas om planen?" in text and "Känner du till planen?" not in text


async def test_a_draft_reworded_through_the_api_shows_on_the_next_form_view(client):
    await make_wave()
    assert "Känner du till planen?" in await form_text(client)
    account = await create_user("api-cache@example.se", "ett-langt-losenord", Role.COMMUNICATOR)
    headers = {"authorization": f"Bearer {await create_token(account.id, 'cache')}"}
    updated = await client.put(
        "/api/v1/questionnaires/testenkat/questions/kanaler",
        json={
            "question": {
                "kind": "multiple",
                "text": "Var har du läst om planen?",
                "required": False,
                "options": [{"code": "intranat", "text": "Intranätet"}, {"code": "mote", "text": "Möten"}],
            }
        },
        headers=headers,
    )
    assert updated.status_code == 200, updated.text
    assert "Var har du läst om planen?" in await form_text(client)
    questions = (await client.get("/api/v1/waves/testomgang")).json()["questions"]
    assert questions[2]["text"] == "Var har du läst om planen?"


async def test_a_wave_created_after_its_address_was_asked_for_is_found_at_once(client):
    await make_wave()
    assert (await client.get("/e/senare")).status_code == 404
    now = datetime.now(UTC)
    async with db.write_transaction():
        await create_wave(
            plan_code="testplan",
            questionnaire_code="testenkat",
            slug="senare",
            title="Senare",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1),
        )
    assert (await client.get("/e/senare")).status_code == 200


async def test_codes_issued_by_the_domain_are_asked_for_by_both_doors_at_once(client):
    await make_wave()
    await form_text(client)
    before = await find_wave("testomgang")
    await issue_codes("testomgang", 1)
    assert (await find_wave("testomgang")).uses_codes and not before.uses_codes
    refused = await client.post(
        "/api/v1/waves/testomgang/responses",
        json={"answers": {"kannedom": "nej"}, "organisation": "alby", "target_group": "chefer"},
    )
    assert refused.status_code == 422 and "code" in refused.json()["errors"]


async def test_forgetting_everything_keeps_every_door_working(client):
    await make_wave()
    await form_text(client)
    caches.forget_all()
    assert "Känner du till planen?" in await form_text(client)
    assert (await client.get("/api/v1/waves/testomgang")).status_code == 200
