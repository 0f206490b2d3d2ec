"""The questionnaire designer: the bank, edits read back with the file rules, versions and trend breaks."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from surveys.db.tables import BankQuestion, Option, Question, QuestionnaireVersion
from surveys.questionnaires.builtin_bank import builtin_codes
from surveys.questionnaires.designer import (
    DesignError,
    TrendBreakNotConfirmed,
    bank_entries,
    create_questionnaire,
    current_draft,
    edit,
    file_shape,
    moved,
    problem_field,
    question_from_form,
    reordered,
    slug,
    with_question,
    without_question,
)
from surveys.questionnaires.storage import load_version
from surveys.responding.submission import Submission, store_submission
from surveys.responding.validation import validate_answers
from surveys.waves.lookup import find_wave
from tests.support import QUESTIONNAIRE, make_wave


def banked() -> dict:
    """The test questionnaire with its first three questions in the bank."""
    data = copy.deepcopy(QUESTIONNAIRE)
    for question in data["questions"][:3]:
        question["bank"] = question["code"]
    return data


async def answer_once(slug_: str = "testomgang") -> None:
    wave = await find_wave(slug_)
    answers, errors = validate_answers(wave.questionnaire, {"kannedom": ["ja"], "forstaelse": ["4"]})
    assert not errors
    submission = Submission(
        organisation_id=wave.organisations[0].id,
        target_group_id=wave.target_groups[0].id,
        answers=answers,
        submission_key="k" * 32,
        code=None,
    )
    await store_submission(wave, submission, datetime.now(UTC))


def test_a_code_is_made_from_swedish_text_and_never_repeats():
    assert slug("Ja, väl") == "ja_val"
    assert slug("Ja, väl", ["ja_val"]) == "ja_val_2"
    assert slug("!!!", fallback="alternativ_3") == "alternativ_3"


def test_a_parser_message_is_linked_to_the_field_it_is_about():
    assert problem_field("fråga 2 (a): text saknas.") == "text"
    assert problem_field("fråga 2 (a): ange minst två svarsalternativ (options).") == "options"
    assert problem_field(
        "fråga 2 (a): show_if måste hänvisa till en tidigare fråga med svarsalternativ."
    ) == ("show_if")
    assert problem_field(
        "fråga 2 (a): ange vilka svarsalternativ som räknas som att steget nås (reaches_step)."
    ) == ("options")


def test_moving_keeps_every_question_and_stops_at_the_ends():
    data = {"questions": [{"code": "a"}, {"code": "b"}, {"code": "c"}]}
    assert [q["code"] for q in moved(data, "c", -1)["questions"]] == ["a", "c", "b"]
    assert [q["code"] for q in moved(data, "a", -1)["questions"]] == ["a", "b", "c"]
    assert [q["code"] for q in reordered(data, ["c", "a", "b"])["questions"]] == ["c", "a", "b"]
    with pytest.raises(DesignError):
        reordered(data, ["a", "a", "b"])


def test_a_form_becomes_a_question_keeping_old_option_codes_and_making_new_ones():
    fields = {
        "kind": ["single"],
        "text": ["Har du läst nyhetsbrevet?"],
        "required": ["ja"],
        "step": ["L1"],
        "dont_know": ["not_reached"],
        "option-1-code": ["ja"],
        "option-1-text": ["Ja"],
        "option-1-reaches": ["ja"],
        "option-2-code": [""],
        "option-2-text": ["Nej, inte än"],
        "option-3-code": [""],
        "option-3-text": [""],
        "option-4-code": ["vet_ej"],
        "option-4-text": ["Vet ej"],
        "option-4-dont-know": ["ja"],
    }
    question = question_from_form(fields, existing=None, code="nyhetsbrev", bank="nyhetsbrev")
    assert question["step"] == "L1" and question["bank"] == "nyhetsbrev"
    assert [(o["code"], o.get("reaches_step", False)) for o in question["options"]] == [
        ("ja", True),
        ("nej_inte_an", False),
        ("vet_ej", False),
    ]
    assert question["options"][2]["dont_know"] is True


async def test_the_bank_lists_its_questions_with_the_questionnaires_that_use_them(database):
    await make_wave(questionnaire=banked())
    entries = await bank_entries()
    # Besides the built-in questions (surveys/questionnaires/builtin_bank.py), which no questionnaire uses yet.
    assert sorted(e.code for e in entries if e.code not in builtin_codes()) == [
        "forstaelse",
        "kanaler",
        "kannedom",
    ]
    kannedom = next(e for e in entries if e.code == "kannedom")
    assert kannedom.step == "L1" and kannedom.questionnaires == (("testenkat", "Testenkäten"),)
    assert [e.code for e in await bank_entries(step="L2")] == ["forstaelse", "nara-vard-forstaelse"]
    assert [e.code for e in await bank_entries(search="var har du")] == ["kanaler"]
    assert [e.code for e in await bank_entries(step="none") if e.code not in builtin_codes()] == ["kanaler"]


async def test_a_questionnaire_built_from_the_bank_keeps_the_bank_identity(database):
    await make_wave(questionnaire=banked())
    await create_questionnaire(
        code="ny", title="Ny enkät", intro="Hej.", bank_codes=["kannedom", "forstaelse"], plan_code="testplan"
    )
    draft = await current_draft("ny")
    assert [(q.code, q.bank) for q in draft.definition.questions] == [
        ("kannedom", "kannedom"),
        ("forstaelse", "forstaelse"),
    ]
    assert draft.definition.intro == "Hej." and not draft.frozen
    entry = next(e for e in await bank_entries() if e.code == "kannedom")
    assert [code for code, _title in entry.questionnaires] == ["ny", "testenkat"]


async def test_a_new_questionnaire_needs_bank_questions_and_a_free_code(database):
    await make_wave(questionnaire=banked())
    with pytest.raises(DesignError) as raised:
        await create_questionnaire(code="testenkat", title="", intro="", bank_codes=[])
    fields = {field for field, _message in raised.value.problems}
    assert {"code", "title", "bank"} <= fields
    with pytest.raises(DesignError):
        await create_questionnaire(code="Fel kod", title="X", intro="", bank_codes=["kannedom"])
    assert await QuestionnaireVersion.count() == 1


async def test_editing_a_draft_changes_it_in_place_and_enters_new_questions_in_the_bank(database):
    await make_wave(questionnaire=banked())
    new = {
        "code": "nyhetsbrev",
        "bank": "nyhetsbrev",
        "kind": "yesno",
        "text": "Har du läst nyhetsbrevet?",
        "step": "L1",
        "reached": ["ja"],
    }
    saved = await edit("testenkat", lambda d: with_question(d, new), new_bank_codes=["nyhetsbrev"])
    assert saved.number == 1 and not saved.new_version
    draft = await current_draft("testenkat")
    assert draft.definition.questions[-1].code == "nyhetsbrev"
    assert await BankQuestion.exists().where(BankQuestion.code == "nyhetsbrev")
    with pytest.raises(DesignError) as taken:
        await edit(
            "testenkat", lambda d: with_question(d, {**new, "code": "x"}), new_bank_codes=["nyhetsbrev"]
        )
    assert taken.value.problems[0][0] == "code"
    # Removed again: nobody answered it, so it leaves the bank with it.
    await edit("testenkat", lambda d: without_question(d, "nyhetsbrev"))
    assert not await BankQuestion.exists().where(BankQuestion.code == "nyhetsbrev")


async def test_an_edit_that_breaks_a_rule_saves_nothing(database):
    await make_wave(questionnaire=banked())
    before = await current_draft("testenkat")
    with pytest.raises(DesignError) as raised:
        # forstaelse's show-if needs kannedom before it.
        await edit("testenkat", lambda d: moved(d, "kannedom", +1))
    assert raised.value.problems[0][0] == "show_if"
    assert (await current_draft("testenkat")).definition == before.definition


async def test_an_answered_version_is_never_changed_and_a_reworded_question_warns_first(database):
    await make_wave(questionnaire=banked())
    await answer_once()

    def reword(data: dict) -> dict:
        question = {**data["questions"][0], "text": "Har du hört talas om planen?"}
        return with_question(data, question, replacing="kannedom")

    with pytest.raises(TrendBreakNotConfirmed) as raised:
        await edit("testenkat", reword)
    assert raised.value.codes == ["kannedom"]
    assert await QuestionnaireVersion.count() == 1

    saved = await edit("testenkat", reword, confirm_trend_break=True)
    assert saved.new_version and saved.number == 2
    first = await find_wave("testomgang")
    assert first.questionnaire.questions[0].text == "Känner du till planen?"
    # The new draft is edited in place from now on, and the break is not asked about twice.
    again = await edit("testenkat", lambda d: moved(d, "fritext", -1))
    assert again == type(again)(2, False)


async def test_moving_a_question_of_an_answered_version_needs_no_confirmation(database):
    await make_wave(questionnaire=banked())
    await answer_once()
    saved = await edit("testenkat", lambda d: moved(d, "chef", -1))
    assert saved.new_version
    assert [q.code for q in (await current_draft("testenkat")).definition.questions][2:5] == [
        "kanaler",
        "chef",
        "betyg",
    ]


async def test_a_save_based_on_an_outdated_draft_is_refused_instead_of_undoing_another_edit(database):
    from surveys.questionnaires.designer import _save, validate

    await make_wave(questionnaire=banked())
    stale = await current_draft("testenkat")
    await edit("testenkat", lambda d: moved(d, "chef", -1))
    mine = validate(without_question(file_shape(stale.definition), "fritext"))
    with pytest.raises(DesignError) as raised:
        await _save(stale, mine)
    assert "Någon annan ändrade enkäten" in raised.value.problems[0][1]
    assert (await current_draft("testenkat")).definition.question("fritext") is not None


async def test_saving_a_draft_keeps_the_rows_of_the_questions_and_options_that_stay(database):
    await make_wave()
    draft = await current_draft("testenkat")
    before = await load_version(draft.version_id)  # with the rows' ids

    def change(data: dict) -> dict:
        first = data["questions"][0]
        options = [{**o, "text": "Ja, absolut"} if o["code"] == "ja" else o for o in first["options"]]
        options = [o for o in options if o["code"] != "nej"] + [{"code": "delvis", "text": "Delvis"}]
        reworded = {**first, "text": "Känner du till vårdplanen?", "options": options}
        return without_question(with_question(data, reworded, replacing="kannedom"), "betyg")

    assert not (await edit("testenkat", change)).new_version
    after = await load_version(draft.version_id)
    ids = {q.code: q.id for q in before.questions}
    assert None not in ids.values()
    assert {q.code: q.id for q in after.questions} == {c: i for c, i in ids.items() if c != "betyg"}
    kannedom_before, kannedom_after = before.questions[0], after.questions[0]
    assert kannedom_after.text == "Känner du till vårdplanen?"
    assert kannedom_after.option("ja").id == kannedom_before.option("ja").id
    assert kannedom_after.option("ja").text == "Ja, absolut"
    assert kannedom_after.option("vet_ej").id == kannedom_before.option("vet_ej").id
    assert kannedom_after.option("nej") is None and kannedom_after.option("delvis").id is not None
    assert [o.code for o in kannedom_after.options] == ["ja", "vet_ej", "delvis"]
    assert not await Question.exists().where(Question.id == ids["betyg"])  # its row is gone, not orphaned
    assert not await Option.exists().where(Option.id == kannedom_before.option("nej").id)
