"""The designer's pages: questions moved to a place or put in a new order (the drag and drop's post),
a channel chosen per option, a questionnaire copied, and the pre-start check's new findings."""

from __future__ import annotations

import re

from surveys.accounts.users import Role
from surveys.questionnaires.designer import current_draft
from tests.server.test_questionnaire_designer import banked, new_question_form, snapshot
from tests.support import csrf_token, make_wave, sign_in


async def signed_in(client) -> str:
    await make_wave(questionnaire=banked())
    await sign_in(client, Role.COMMUNICATOR)
    return csrf_token((await client.get("/arbeta/enkater")).text)


async def order() -> list[str]:
    return [q.code for q in (await current_draft("testenkat")).definition.questions]


async def test_a_question_is_moved_to_a_place_with_one_post(client):
    token = await signed_in(client)
    page = await client.get("/arbeta/enkater/testenkat/redigera")
    assert '<label for="plats-fritext">Flytta fråga 6 till plats</label>' in page.text
    moved = await client.post(
        "/arbeta/enkater/testenkat/fragor/fritext/flytta", data={"_csrf_token": token, "plats": "3"}
    )
    assert moved.status_code == 303 and moved.headers["location"].endswith("&flyttad=fritext#fraga-fritext")
    assert await order() == ["kannedom", "forstaelse", "fritext", "kanaler", "betyg", "chef"]
    shown = await client.get(moved.headers["location"].split("#")[0])
    assert "Frågan är flyttad till plats 3." in shown.text and 'data-code="fritext" data-moved' in shown.text


async def test_the_whole_order_is_saved_at_once_and_a_broken_one_is_refused_in_plain_words(client):
    token = await signed_in(client)
    new = ["kannedom", "chef", "forstaelse", "kanaler", "betyg", "fritext"]
    saved = await client.post(
        "/arbeta/enkater/testenkat/ordning",
        data={"_csrf_token": token, "ordning": ",".join(new), "flyttad": "chef"},
    )
    assert saved.status_code == 303 and "#fraga-chef" in saved.headers["location"]
    assert await order() == new
    before = await snapshot()
    broken = await client.post(
        "/arbeta/enkater/testenkat/ordning",
        data={"_csrf_token": token, "ordning": ",".join(["chef", "forstaelse", *new[3:], "kannedom"])},
    )
    assert broken.status_code == 422
    assert "Fråga 2 visas bara efter vissa svar på fråga 6, men fråga 6 kommer efter den" in broken.text
    incomplete = await client.post(
        "/arbeta/enkater/testenkat/ordning", data={"_csrf_token": token, "ordning": "kannedom"}
    )
    assert incomplete.status_code == 422 and "exakt en gång" in incomplete.text
    assert await snapshot() == before


async def test_a_question_others_depend_on_is_not_removed_and_the_page_says_why(client):
    token = await signed_in(client)
    refused = await client.post(
        "/arbeta/enkater/testenkat/fragor/kannedom/ta-bort", data={"_csrf_token": token}
    )
    assert refused.status_code == 422
    assert (
        "Fråga 2 visas bara efter vissa svar på fråga 1. Ta bort villkoret på fråga 2 först" in refused.text
    )


async def test_each_option_gets_a_channel_from_the_plan(client):
    token = await signed_in(client)
    page = await client.get("/arbeta/enkater/testenkat/fragor/kanaler")
    assert '<select id="option-1-channel" name="option-1-channel"' in page.text
    assert '<option value="intranat" selected>Intranät</option>' in page.text
    form = {
        "_csrf_token": token,
        "text": "Var har du sett information?",
        "kind": "multiple",
        "step": "none",
        "option-1-code": "intranat",
        "option-1-text": "Intranätet",
        "option-1-channel": "",
        "option-2-code": "mote",
        "option-2-text": "Möten",
        "option-2-channel": "intranat",
    }
    saved = await client.post("/arbeta/enkater/testenkat/fragor/kanaler", data=form)
    assert saved.status_code == 303, saved.text
    options = (await current_draft("testenkat")).definition.question("kanaler").options
    assert [(o.code, o.channel) for o in options] == [("intranat", None), ("mote", "intranat")]
    before = await snapshot()
    typo = await client.post(
        "/arbeta/enkater/testenkat/fragor/kanaler", data={**form, "option-2-channel": "intranet"}
    )
    assert typo.status_code == 422 and "kopplat till en kanal som inte finns i planen (intranet)" in typo.text
    assert await snapshot() == before


async def test_a_questionnaire_is_copied_from_its_page(client):
    token = await signed_in(client)
    page = await client.get("/arbeta/enkater/testenkat/redigera")
    assert 'href="/arbeta/enkater/ny?kopia=testenkat"' in page.text
    form = await client.get("/arbeta/enkater/ny?kopia=testenkat")
    assert 'value="Kopia av Testenkäten"' in form.text and '<option value="testenkat" selected>' in form.text
    created = await client.post(
        "/arbeta/enkater/ny",
        data={
            "_csrf_token": token,
            "code": "kopian",
            "title": "Kopian",
            "copy_of": "testenkat",
            "plan": "testplan",
        },
    )
    assert created.status_code == 303, created.text
    original = (await current_draft("testenkat")).definition.questions
    assert (await current_draft("kopian")).definition.questions == original


async def test_the_check_page_names_order_steps_and_channels_in_plain_swedish(client):
    token = await signed_in(client)
    await client.post(
        "/arbeta/enkater/testenkat/ny-fraga",
        data=new_question_form(token, code="igen", text="Känner du till planen, igen?"),
    )
    page = await client.get("/arbeta/enkater/testenkat/kontroll")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))
    assert "Frågorna 1, 7 mäter alla L1 kännedom" in text
    assert "Tänk på:" in text
    assert not re.search(r"\b(show_if|any_of|reaches_step|dont_know)\b", text)
