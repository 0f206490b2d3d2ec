"""One "add questions from the bank", whatever the door: the designer's page and the API add and refuse alike.

Both call surveys.questionnaires.designer.add_questions.
"""

from __future__ import annotations

from surveys.accounts.users import Role, create_token, create_user
from surveys.questionnaires.designer import current_draft
from tests.server.test_questionnaire_designer import signed_in, snapshot


async def a_short_questionnaire(client) -> tuple[str, dict]:
    """A questionnaire "kort" holding the bank question kannedom; the form token and API headers."""
    token = await signed_in(client)
    created = await client.post(
        "/arbeta/enkater/ny", data={"_csrf_token": token, "code": "kort", "title": "Kort", "bank": "kannedom"}
    )
    assert created.status_code == 303
    account = await create_user("api-bank@example.se", "ett-langt-losenord", Role.COMMUNICATOR)
    return token, {"authorization": f"Bearer {await create_token(account.id, 'bank')}"}


async def add_by_page(client, token: str, *codes: str):
    return await client.post(
        "/arbeta/enkater/kort/fran-banken", data={"_csrf_token": token, "bank": list(codes)}
    )


async def add_by_api(client, headers: dict, *codes: str):
    return await client.post(
        "/api/v1/questionnaires/kort/questions", json={"from_bank": list(codes)}, headers=headers
    )


async def test_both_doors_refuse_a_bank_question_the_questionnaire_has_already(client):
    token, headers = await a_short_questionnaire(client)
    before = await snapshot()
    by_page = await add_by_page(client, token, "kannedom")
    by_api = await add_by_api(client, headers, "kannedom")
    assert by_page.status_code == by_api.status_code == 422
    assert "finns redan i enkäten" in by_page.text
    assert "finns redan i enkäten" in by_api.json()["errors"]["kannedom"]
    assert await snapshot() == before


async def test_both_doors_refuse_a_question_the_bank_does_not_have(client):
    token, headers = await a_short_questionnaire(client)
    before = await snapshot()
    by_page = await add_by_page(client, token, "finns-inte")
    by_api = await add_by_api(client, headers, "finns-inte")
    assert by_page.status_code == by_api.status_code == 422
    assert "finns inte i frågebanken" in by_page.text
    assert "finns inte i frågebanken" in by_api.json()["errors"]["finns-inte"]
    assert await snapshot() == before


async def test_one_refused_question_keeps_the_good_ones_out_too_through_both_doors(client):
    token, headers = await a_short_questionnaire(client)
    before = await snapshot()
    assert (await add_by_page(client, token, "forstaelse", "finns-inte")).status_code == 422
    assert (await add_by_api(client, headers, "forstaelse", "finns-inte")).status_code == 422
    assert await snapshot() == before


async def test_both_doors_add_bank_questions_at_the_end_as_the_bank_words_them(client):
    token, headers = await a_short_questionnaire(client)
    by_page = await add_by_page(client, token, "forstaelse")
    by_api = await add_by_api(client, headers, "kanaler")
    assert (by_page.status_code, by_api.status_code) == (303, 201)
    questions = (await current_draft("kort")).definition.questions
    assert [q.code for q in questions] == ["kannedom", "forstaelse", "kanaler"]
    original = (await current_draft("testenkat")).definition
    assert [q.text for q in questions] == [original.question(q.code).text for q in questions]
    # A bank question keeps its bank identity, so its trend spans both questionnaires.
    assert [q.bank for q in questions] == ["kannedom", "forstaelse", "kanaler"]


async def test_asking_for_the_same_bank_question_twice_adds_it_once_through_both_doors(client):
    token, headers = await a_short_questionnaire(client)
    assert (await add_by_page(client, token, "forstaelse", "forstaelse")).status_code == 303
    assert (await add_by_api(client, headers, "kanaler", "kanaler")).status_code == 201
    codes = [q.code for q in (await current_draft("kort")).definition.questions]
    assert codes == ["kannedom", "forstaelse", "kanaler"]
