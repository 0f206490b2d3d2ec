"""Deleting a questionnaire: possible while no wave asks it, refused with the waves named otherwise, by the
page and the API alike."""

from __future__ import annotations

import copy
import html

import pytest

from surveys.accounts.users import Role
from surveys.db import engine as db
from surveys.db.tables import BankQuestion, Option, Question, Questionnaire, QuestionnaireVersion
from surveys.errors import Conflict, NotFound
from surveys.questionnaires.model import parse_questionnaire
from surveys.questionnaires.removal import delete_questionnaire
from surveys.questionnaires.storage import store_questionnaire
from tests.anonymity.collect import api_key
from tests.server.test_respondent import post_form
from tests.support import QUESTIONNAIRE, VALID_ANSWERS, csrf_token, form_body, make_wave, sign_in


def _unused(code: str = "oanvand") -> dict:
    data = copy.deepcopy(QUESTIONNAIRE)
    data["code"], data["title"] = code, "Den oanvända enkäten"
    data["questions"][0]["bank"] = "bara-har"
    for option in data["questions"][2]["options"]:
        option.pop("channel", None)  # no plan, so no channels
    return data


async def _store(data: dict) -> None:
    async with db.write_transaction():
        await store_questionnaire(parse_questionnaire(data))


async def _counts() -> tuple[int, ...]:
    return (
        await Questionnaire.count(),
        await QuestionnaireVersion.count(),
        await Question.count(),
        await Option.count(),
        await BankQuestion.count(),
    )


async def test_a_questionnaire_no_wave_asks_is_deleted_with_its_versions_and_lone_bank_questions(database):
    await _store(_unused())
    assert (await _counts())[0] == 1 and await BankQuestion.exists().where(BankQuestion.code == "bara-har")
    assert await delete_questionnaire("oanvand") == "Den oanvända enkäten"
    assert await _counts() == (0, 0, 0, 0, 0)


async def test_a_questionnaire_a_wave_asks_is_refused_with_the_wave_named_and_kept(database):
    await make_wave()
    before = await _counts()
    with pytest.raises(Conflict) as refused:
        await delete_questionnaire("testenkat")
    assert "Enkäten ”Testenkäten” kan inte tas bort" in refused.value.message
    assert "används i mätomgången ”Omgång testomgang”" in refused.value.message
    assert "ta bort mätomgången först" in refused.value.message
    assert await _counts() == before


async def test_with_answers_the_refusal_says_the_results_need_it(client):
    await make_wave()
    page = await client.get("/e/testomgang")
    sent = await post_form(
        client,
        "/e/testomgang",
        form_body(page.text, VALID_ANSWERS, organisation="alby", target_group="chefer"),
    )
    assert sent.status_code in (200, 303), sent.text
    with pytest.raises(Conflict) as refused:
        await delete_questionnaire("testenkat")
    assert "resultaten behöver enkäten" in refused.value.message


async def test_an_unknown_questionnaire_is_not_found(database):
    with pytest.raises(NotFound):
        await delete_questionnaire("finns-inte")


async def test_the_page_deletes_an_unused_questionnaire_after_the_box_is_ticked(client):
    await _store(_unused())
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/enkater")
    assert 'action="/arbeta/enkater/oanvand/ta-bort"' in page.text
    unticked = await client.post(
        "/arbeta/enkater/oanvand/ta-bort", data={"_csrf_token": csrf_token(page.text)}
    )
    assert unticked.status_code == 422 and "Kryssa i rutan först" in unticked.text
    assert await Questionnaire.count() == 1
    removed = await client.post(
        "/arbeta/enkater/oanvand/ta-bort", data={"_csrf_token": csrf_token(page.text), "confirm": "ja"}
    )
    assert removed.status_code == 303
    after = await client.get(removed.headers["location"])
    assert "Enkäten ”Den oanvända enkäten” är borttagen." in html.unescape(after.text)
    assert await Questionnaire.count() == 0


async def test_the_page_offers_no_delete_for_a_questionnaire_in_use_and_refuses_one_sent_anyway(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/enkater")
    assert "/arbeta/enkater/testenkat/ta-bort" not in page.text
    refused = await client.post(
        "/arbeta/enkater/testenkat/ta-bort", data={"_csrf_token": csrf_token(page.text), "confirm": "ja"}
    )
    assert refused.status_code == 409
    assert "används i mätomgången ”Omgång testomgang”" in html.unescape(refused.text)
    assert await Questionnaire.count() == 1


async def test_the_api_deletes_the_same_way_and_refuses_the_same_way(client):
    await make_wave()
    await _store(_unused())
    headers = await api_key(Role.COMMUNICATOR)
    refused = await client.delete("/api/v1/questionnaires/testenkat", headers=headers)
    assert refused.status_code == 409
    assert "används i mätomgången ”Omgång testomgang”" in refused.json()["errors"]["questionnaire"]
    deleted = await client.delete("/api/v1/questionnaires/oanvand", headers=headers)
    assert deleted.status_code == 200 and deleted.json()["status"] == "deleted"
    assert (await client.delete("/api/v1/questionnaires/oanvand", headers=headers)).status_code == 404
    assert [r["code"] for r in await Questionnaire.select(Questionnaire.code)] == ["testenkat"]


async def test_a_reader_cannot_delete_a_questionnaire(client):
    await _store(_unused())
    headers = await api_key(Role.READER)
    assert (await client.delete("/api/v1/questionnaires/oanvand", headers=headers)).status_code == 403
    assert await Questionnaire.count() == 1
