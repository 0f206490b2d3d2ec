"""Questions from the bank keep the bank's order, their show-if conditions and their channels; a
questionnaire can be copied whole. What cannot be kept, the pre-start check names."""

from __future__ import annotations

import copy

import pytest

from surveys.db import engine as db
from surveys.plans.plan_file import parse_plan, store_plan
from surveys.questionnaires.builtin_bank import builtin_codes
from surveys.questionnaires.designer import (
    DesignError,
    add_questions,
    bank_entries,
    create_questionnaire,
    current_draft,
    edit,
    prestart_findings,
    reordered,
    without_question,
)
from tests.support import PLAN, QUESTIONNAIRE, make_wave

ALL_IN_THE_BANK = ["kannedom", "forstaelse", "kanaler", "betyg", "chef", "fritext"]


def everything_banked() -> dict:
    data = copy.deepcopy(QUESTIONNAIRE)
    data["languages"] = ["en"]
    data["questions"][0]["text_en"] = "Do you know the plan?"
    for question in data["questions"]:
        question["bank"] = question["code"]
    return data


async def banked_wave() -> None:
    await make_wave(questionnaire=everything_banked())


async def codes(code: str) -> list[str]:
    return [q.code for q in (await current_draft(code)).definition.questions]


async def test_the_bank_lists_its_questions_in_the_order_they_were_asked(database):
    await banked_wave()
    # After them the built-in questions no questionnaire has used (surveys/questionnaires/builtin_bank.py).
    assert [e.code for e in await bank_entries()] == [*ALL_IN_THE_BANK, *builtin_codes()]


async def test_questions_from_the_bank_keep_the_banks_order_and_their_conditions(database):
    await banked_wave()
    # Ticked in any order (a form sends them as the page lists them, an API in its own order).
    await create_questionnaire(
        code="ny",
        title="Ny",
        intro="",
        bank_codes=sorted(ALL_IN_THE_BANK, reverse=True),
        plan_code="testplan",
    )
    draft = await current_draft("ny")
    assert [q.code for q in draft.definition.questions] == ALL_IN_THE_BANK
    understanding = draft.definition.question("forstaelse")
    assert understanding.show_if.question == "kannedom" and understanding.show_if.any_of == ("ja",)
    assert draft.definition.question("kanaler").option("intranat").channel == "intranat"
    assert not [f for f in await prestart_findings(draft, 5) if f.question == "forstaelse"]


async def test_a_bank_question_added_later_finds_its_filter_question_already_there(database):
    await banked_wave()
    await create_questionnaire(
        code="ny", title="Ny", intro="", bank_codes=["chef", "kannedom"], plan_code="testplan"
    )
    await add_questions("ny", ["forstaelse"])
    draft = await current_draft("ny")
    assert [q.code for q in draft.definition.questions] == ["kannedom", "chef", "forstaelse"]
    assert draft.definition.question("forstaelse").show_if.question == "kannedom"


async def test_without_its_filter_question_a_bank_question_is_asked_of_all_and_the_check_says_so(database):
    await banked_wave()
    await create_questionnaire(
        code="ny", title="Ny", intro="", bank_codes=["forstaelse"], plan_code="testplan"
    )
    draft = await current_draft("ny")
    assert draft.definition.question("forstaelse").show_if is None
    (lost,) = [f for f in await prestart_findings(draft, 5) if f.question == "forstaelse"]
    assert "”Känner du till planen?”" in lost.message and "finns inte i enkäten" in lost.message
    # Added afterwards, the filter question comes after: the check says the order is wrong.
    await add_questions("ny", ["kannedom"])
    draft = await current_draft("ny")
    (order,) = [f for f in await prestart_findings(draft, 5) if f.question == "forstaelse"]
    assert order.severity.value == "problem" and "fel ordning" in order.message
    assert "Flytta fråga 2 före fråga 1" in order.message


async def test_a_bank_question_keeps_only_the_channels_its_new_plan_has(database):
    await banked_wave()
    other = copy.deepcopy(PLAN)
    other["plan"] = {"code": "annan", "title": "En annan plan"}
    other["organisations"] = [{"code": "annan-kommun", "name": "Annan kommun", "kind": "kommun"}]
    other["target_groups"] = [{"code": "alla", "name": "Alla"}]
    other["effect_goals"] = []
    other["channels"] = [{"code": "mote", "name": "Möten"}]
    async with db.write_transaction():
        await store_plan(parse_plan(other))
    await create_questionnaire(code="ny", title="Ny", intro="", bank_codes=["kanaler"], plan_code="annan")
    draft = await current_draft("ny")
    assert draft.definition.question("kanaler").option("intranat").channel is None
    messages = [f.message for f in await prestart_findings(draft, 5)]
    assert any("”Intranätet” är inte kopplade till någon av planens kanaler" in m for m in messages), messages
    assert any("Planens kanal Möten finns inte som svarsalternativ" in m for m in messages), messages


async def test_a_copy_has_the_same_questions_conditions_channels_and_languages(database):
    await banked_wave()
    await create_questionnaire(code="kopia", title="Kopian", intro="", bank_codes=[], copy_of="testenkat")
    original = (await current_draft("testenkat")).definition
    draft = await current_draft("kopia")
    copied = draft.definition
    assert copied.title == "Kopian" and not copied.title_in  # the old title's translations do not fit
    assert copied.questions == original.questions
    assert copied.languages == ("en",) and copied.intro == original.intro
    assert draft.plan_id == (await current_draft("testenkat")).plan_id


async def test_a_copy_of_a_missing_questionnaire_is_refused_and_nothing_is_made(database):
    await banked_wave()
    with pytest.raises(DesignError) as refused:
        await create_questionnaire(
            code="kopia", title="Kopian", intro="", bank_codes=[], copy_of="finns-inte"
        )
    assert "copy_of" in refused.value.errors
    assert await current_draft("kopia") is None


async def test_a_question_others_depend_on_is_not_removed(database):
    await banked_wave()
    with pytest.raises(DesignError) as refused:
        await edit("testenkat", lambda data: without_question(data, "kannedom"))
    assert "Fråga 2 visas bara efter vissa svar på fråga 1" in str(refused.value)
    assert (await codes("testenkat"))[0] == "kannedom"


async def test_an_order_that_puts_a_filter_question_last_is_refused_in_plain_words(database):
    await banked_wave()
    order = ["forstaelse", "kanaler", "betyg", "chef", "fritext", "kannedom"]
    with pytest.raises(DesignError) as refused:
        await edit("testenkat", lambda data: reordered(data, order))
    message = str(refused.value)
    assert "Fråga 1 visas bara efter vissa svar på fråga 6, men fråga 6 kommer efter den" in message
    assert "show_if" not in message


async def test_a_bank_question_reused_elsewhere_keeps_its_place_and_its_filter_question_first(database):
    await banked_wave()
    # kannedom and chef are asked again, last, in a newer questionnaire: the bank keeps their first place.
    await create_questionnaire(
        code="senare", title="A senare", intro="", bank_codes=["chef", "kannedom"], plan_code="testplan"
    )
    await edit("senare", lambda data: reordered(data, ["chef", "kannedom"]))
    # After them the built-in questions no questionnaire has used (surveys/questionnaires/builtin_bank.py).
    assert [e.code for e in await bank_entries()] == [*ALL_IN_THE_BANK, *builtin_codes()]
    await create_questionnaire(
        code="tredje",
        title="Tredje",
        intro="",
        bank_codes=["forstaelse", "kannedom", "chef"],
        plan_code="testplan",
    )
    draft = await current_draft("tredje")
    assert [q.code for q in draft.definition.questions] == ["kannedom", "forstaelse", "chef"]
    assert draft.definition.question("forstaelse").show_if.question == "kannedom"
