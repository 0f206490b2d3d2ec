"""The question bank effekt ships with: a new installation can build its first questionnaire from it, without
a file or a command, and the built-in questions are there once, whatever has been stored."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from surveys.accounts.users import Role
from surveys.db.tables import BankQuestion
from surveys.plans.official import official_organisations
from surveys.questionnaires.builtin_bank import builtin_bank, builtin_codes
from surveys.questionnaires.designer import (
    DesignError,
    add_questions,
    bank_entries,
    create_questionnaire,
    current_draft,
)
from surveys.questionnaires.removal import delete_questionnaire
from tests.support import csrf_token, sign_in

ROOT = Path(__file__).resolve().parents[3]

LADDER = ["nara-vard-kannedom", "nara-vard-forstaelse", "nara-vard-acceptans", "nara-vard-handling"]


def test_the_built_in_bank_measures_every_step_of_the_ladder_in_swedish_and_english():
    bank = builtin_bank()
    assert [q.bank for q in bank.questions if q.step] == LADDER
    assert [q.step for q in bank.questions if q.step] == ["L1", "L2", "L3", "L4"]
    for question in bank.questions:
        assert question.text_in.get("en"), f"{question.code} has no English text"
        for option in question.options:
            if option.text.isdigit():  # the 1–5 of an agree scale is the same in every language
                continue
            assert option.text_in.get("en"), f"{question.code}/{option.code} has no English text"
        assert not any(option.channel for option in question.options)  # channels belong to one plan


def test_the_built_in_questions_name_no_county_and_no_municipality():
    bank = builtin_bank()
    words = set()
    for question in bank.questions:
        for text in (question.text, question.help or "", *(o.text for o in question.options)):
            words |= set(re.findall(r"[\w-]+", text.casefold()))
    places = {o.scb_name.casefold() for o in official_organisations()}
    assert not words & places, words & places


def test_the_built_in_bank_codes_are_not_the_demos():
    demo = tomllib.loads((ROOT / "surveys" / "demo" / "uppfoljning.toml").read_text(encoding="utf-8"))
    assert not {q.get("bank") for q in demo["questions"]} & set(builtin_codes())


async def test_an_empty_installation_offers_the_built_in_questions(database):
    assert not await BankQuestion.count()
    entries = await bank_entries()
    assert [e.code for e in entries] == list(builtin_codes())
    assert all(e.template is not None and e.questionnaires == () for e in entries)
    assert [e.code for e in await bank_entries(step="L4")] == ["nara-vard-handling"]


async def test_a_questionnaire_from_the_built_in_bank_keeps_its_order_conditions_and_english(database):
    await create_questionnaire(
        code="forsta",
        title="Första enkäten",
        intro="",
        bank_codes=["nara-vard-handling", "nara-vard-forstaelse", "nara-vard-kannedom"],
        languages=["en"],
    )
    definition = (await current_draft("forsta")).definition
    assert [q.code for q in definition.questions] == ["kannedom", "forstaelse", "handling"]
    assert definition.questions[1].show_if.question == "kannedom"
    assert definition.questions[0].text_in.get("en").startswith("Do you know the plan")
    # Used once, a built-in question is in the bank once: with the questionnaire that uses it.
    entries = await bank_entries()
    assert [e.code for e in entries].count("nara-vard-kannedom") == 1
    assert sorted(e.code for e in entries) == sorted(builtin_codes())
    kannedom = next(e for e in entries if e.code == "nara-vard-kannedom")
    assert kannedom.questionnaires == (("forsta", "Första enkäten"),)
    # A second questionnaire takes the same questions again.
    await create_questionnaire(code="andra", title="Andra", intro="", bank_codes=["nara-vard-kannedom"])
    assert await BankQuestion.count().where(BankQuestion.code == "nara-vard-kannedom") == 1


async def test_a_built_in_question_stays_in_the_bank_when_the_questionnaire_using_it_goes(database):
    await create_questionnaire(code="forsta", title="Första", intro="", bank_codes=["nara-vard-kannedom"])
    await delete_questionnaire("forsta")
    assert [e.code for e in await bank_entries()] == list(builtin_codes())


async def test_a_new_question_cannot_take_a_built_in_bank_code(database):
    await create_questionnaire(
        code="forsta", title="Första", intro="", bank_codes=["nara-vard-chef-berattat"]
    )
    question = {"code": "nara-vard-kannedom", "kind": "yesno", "text": "Känner du till planen?"}
    with pytest.raises(DesignError) as refused:
        await add_questions("forsta", new_question=question)
    assert "Frågebanken har redan en fråga med koden nara-vard-kannedom" in str(refused.value.problems)
    assert [q.code for q in (await current_draft("forsta")).definition.questions] == ["chef-berattat"]


async def test_the_new_questionnaire_page_of_an_empty_installation_offers_the_built_in_questions(client):
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/enkater/ny")
    assert "Frågebanken är tom" not in page.text
    for code in LADDER:
        assert f'id="bank-{code}"' in page.text
    created = await client.post(
        "/arbeta/enkater/ny",
        data={
            "_csrf_token": csrf_token(page.text),
            "code": "forsta",
            "title": "Vad vet du om planen?",
            "bank": ["nara-vard-kannedom", "nara-vard-forstaelse"],
        },
    )
    assert created.status_code == 303, created.text[:2000]
    assert [q.code for q in (await current_draft("forsta")).definition.questions] == [
        "kannedom",
        "forstaelse",
    ]
