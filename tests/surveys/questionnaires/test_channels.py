"""An option's channel must be one of its plan's: a typo is refused, naming its line in a file, never
dropped (channel recall would stay empty everywhere)."""

from __future__ import annotations

import pytest

from surveys.db import engine as db
from surveys.db.tables import Questionnaire
from surveys.questionnaires.channels import line_of
from surveys.questionnaires.designer import (
    DesignError,
    create_questionnaire,
    current_draft,
    edit,
    with_question,
)
from surveys.questionnaires.file_import import import_questionnaire
from surveys.questionnaires.model import QuestionnaireFileError, parse_questionnaire
from surveys.questionnaires.storage import store_questionnaire
from tests.support import make_wave

FILE = """\
code = "kanalenkat"
title = "Kanaler"

[[questions]]
code = "kannedom"
kind = "yesno"
text = "Känner du till planen?"

[[questions]]
code = "kanaler"
kind = "multiple"
text = "Var har du sett information?"
options = [
    { code = "intranat", text = "Intranätet", channel = "intranat" },
    { code = "mote", text = "Möten", channel = "moten" },
    { code = "annat", text = "Någon annanstans" },
]
"""


async def test_a_channel_code_the_plan_does_not_have_is_refused_with_its_line(database):
    await make_wave()  # the plan testplan has one channel: intranat
    with pytest.raises(QuestionnaireFileError) as refused:
        await import_questionnaire(FILE.encode(), plan_code="testplan")
    (problem,) = refused.value.problems
    assert problem.startswith("rad 15: fråga 2 (kanaler)")
    assert "kanalen moten, som inte finns i planen" in problem and "Planens kanaler: intranat" in problem
    assert not await Questionnaire.exists().where(Questionnaire.code == "kanalenkat")


async def test_with_the_right_codes_the_channels_are_kept(database):
    await make_wave()
    await import_questionnaire(FILE.replace('"moten"', '"intranat"').encode(), plan_code="testplan")
    options = (await current_draft("kanalenkat")).definition.question("kanaler").options
    assert [o.channel for o in options] == ["intranat", "intranat", None]


async def test_channels_without_a_plan_are_refused_saying_to_choose_one(database):
    await make_wave()
    with pytest.raises(QuestionnaireFileError) as refused:
        await import_questionnaire(FILE.encode())
    assert all("Välj planen som kanalerna hör till" in p for p in refused.value.problems)
    assert refused.value.problems[0].startswith("rad 14:")


async def test_an_unknown_plan_is_refused(database):
    await make_wave()
    with pytest.raises(QuestionnaireFileError) as refused:
        await import_questionnaire(FILE.encode(), plan_code="finns-inte")
    assert "Det finns ingen plan med koden finns-inte" in refused.value.problems[0]


async def test_every_door_refuses_an_unknown_channel(database):
    await make_wave()
    definition = parse_questionnaire(
        {
            "code": "x",
            "title": "X",
            "questions": [
                {
                    "code": "k",
                    "kind": "single",
                    "text": "Var?",
                    "options": [{"code": "a", "text": "A", "channel": "okand"}, {"code": "b", "text": "B"}],
                }
            ],
        }
    )
    with pytest.raises(QuestionnaireFileError):
        async with db.write_transaction():
            await store_questionnaire(definition, plan_id=None)
    with pytest.raises(DesignError) as refused:
        await create_questionnaire(
            code="x",
            title="X",
            intro="",
            bank_codes=[],
            plan_code="testplan",
            first={
                "code": "k",
                "bank": "k",
                "kind": "single",
                "text": "Var?",
                "options": [{"code": "a", "text": "A", "channel": "okand"}, {"code": "b", "text": "B"}],
            },
        )
    assert "kopplat till en kanal som inte finns i planen (okand)" in str(refused.value)
    question = {
        "code": "ny",
        "kind": "single",
        "text": "Var?",
        "options": [{"code": "a", "text": "A", "channel": "okand"}, {"code": "b", "text": "B"}],
    }
    with pytest.raises(DesignError) as refused:
        await edit("testenkat", lambda data: with_question(data, question))
    assert "Välj en av planens kanaler" in str(refused.value)


def test_the_line_of_a_channel_is_found_in_its_question() -> None:
    assert line_of(FILE, 2, "moten") == 15
    assert line_of(FILE, 2, "intranat") == 14
    assert line_of(FILE, 1, "moten") is None
    array = 'questions = [\n  { code = "k", options = [\n    { code = "a", channel = "x" },\n  ] },\n]\n'
    assert line_of(array, 1, "x") == 3
