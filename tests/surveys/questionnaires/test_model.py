"""The questionnaire model: parsing questionnaire data and files, and every problem it reports."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from surveys.questionnaires.model import (
    MAX_TEXT_LENGTH,
    OptionDef,
    QuestionDef,
    QuestionnaireDef,
    QuestionnaireFileError,
    ShowIf,
    load_questionnaire_file,
    parse_questionnaire,
)

DEMO_FILE = Path(__file__).resolve().parents[3] / "surveys" / "demo" / "uppfoljning.toml"

KNOWS_OPTIONS = [
    {"code": "ja_val", "text": "Ja, väl", "reaches_step": True},
    {"code": "ja_viss", "text": "Ja, till viss del", "reaches_step": True},
    {"code": "nej", "text": "Nej"},
    {"code": "vet_ej", "text": "Vet ej", "dont_know": True},
]


def single(code: str = "kannedom", **fields: object) -> dict:
    return {
        "code": code,
        "kind": "single",
        "text": "Känner du till färdplanen?",
        "options": KNOWS_OPTIONS,
    } | fields


def survey(*questions: dict, **fields: object) -> dict:
    return {"code": "uppfoljning", "title": "Uppföljning", "questions": list(questions)} | fields


def parse_one(question: dict) -> QuestionDef:
    return parse_questionnaire(survey(question)).questions[0]


def problems_of(data: dict) -> list[str]:
    with pytest.raises(QuestionnaireFileError) as caught:
        parse_questionnaire(data)
    return caught.value.problems


def only_problem(data: dict) -> str:
    problems = problems_of(data)
    assert len(problems) == 1, problems
    return problems[0]


# --- the questionnaire as a whole ---------------------------------------------------------------------


def test_a_questionnaire_keeps_its_code_title_intro_and_question_order() -> None:
    parsed = parse_questionnaire(
        survey(
            single("a"),
            single("b"),
            single("c"),
            title="  Uppföljning 2026 ",
            intro="  Det tar två minuter.\n",
        )
    )

    assert isinstance(parsed, QuestionnaireDef)
    assert parsed.code == "uppfoljning"
    assert parsed.title == "Uppföljning 2026"
    assert parsed.intro == "Det tar två minuter."
    assert [q.code for q in parsed.questions] == ["a", "b", "c"]


def test_a_questionnaire_without_an_intro_has_an_empty_intro() -> None:
    assert parse_questionnaire(survey(single())).intro == ""


def test_a_question_can_be_looked_up_by_its_code() -> None:
    parsed = parse_questionnaire(survey(single("a"), single("b")))

    assert parsed.question("b") is parsed.questions[1]
    assert parsed.question("finns-inte") is None


def test_a_questionnaire_without_questions_is_rejected() -> None:
    assert "minst en fråga" in only_problem(survey())
    assert "minst en fråga" in only_problem({"code": "x", "title": "X"})


def test_a_questionnaire_without_code_or_title_is_rejected_naming_both() -> None:
    problems = problems_of({"questions": [single()]})

    assert any("code saknas" in p for p in problems)
    assert any("title saknas" in p for p in problems)


def test_a_questionnaire_code_with_capitals_or_spaces_is_rejected() -> None:
    assert "a–z" in only_problem(survey(single(), code="Min enkät"))


def test_unknown_fields_at_the_top_of_a_questionnaire_file_are_rejected() -> None:
    # A misspelt "intro" should not vanish silently.
    problem = only_problem(survey(single(), intor="Det tar två minuter."))

    assert "intor" in problem


def test_a_parsed_questionnaire_cannot_be_changed_afterwards() -> None:
    parsed = parse_questionnaire(survey(single()))

    with pytest.raises(FrozenInstanceError):
        parsed.title = "Annat"  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        parsed.questions[0].required = False  # type: ignore[misc]


# --- kinds of question ------------------------------------------------------------------------------


def test_a_single_choice_question_keeps_its_options_in_file_order() -> None:
    question = parse_one(single(help="  Färdplanen beskriver omställningen. "))

    assert question.kind == "single"
    assert question.is_closed and not question.is_multiple
    assert [o.code for o in question.options] == ["ja_val", "ja_viss", "nej", "vet_ej"]
    assert question.option("nej") == OptionDef(code="nej", text="Nej")
    assert question.help == "Färdplanen beskriver omställningen."
    assert question.required is True


def test_a_question_can_be_optional() -> None:
    assert parse_one(single(required=False)).required is False


def test_a_question_with_a_non_boolean_required_value_is_rejected() -> None:
    # required = "nej" must not quietly make the question required.
    problem = only_problem(survey(single(required="nej")))

    assert "required" in problem


def test_an_option_can_name_the_channel_it_asks_about() -> None:
    question = parse_one(
        {
            "code": "kanaler",
            "kind": "multiple",
            "text": "Var har du sett färdplanen?",
            "options": [
                {"code": "intranat", "text": "På intranätet", "channel": "intranat"},
                {"code": "annat", "text": "Någon annanstans"},
            ],
        }
    )

    assert question.is_multiple
    assert question.option("intranat").channel == "intranat"
    assert question.option("annat").channel is None


def test_a_multiple_choice_question_can_limit_the_number_of_choices() -> None:
    question = parse_one(
        {
            "code": "kanaler",
            "kind": "multiple",
            "text": "Välj högst två.",
            "max_choices": 2,
            "options": [{"code": c, "text": c.upper()} for c in ("a", "b", "c")],
        }
    )

    assert question.max_choices == 2


def test_a_negative_max_choices_is_rejected() -> None:
    assert "max_choices" in only_problem(survey(single(max_choices=-1)))


def test_a_choice_question_needs_at_least_two_options() -> None:
    problem = only_problem(survey(single(options=[{"code": "ja", "text": "Ja"}])))

    assert "minst två svarsalternativ" in problem
    assert "minst två svarsalternativ" in only_problem(survey(single(options=None)))


def test_an_option_without_text_is_rejected_with_its_number() -> None:
    problem = only_problem(
        survey(single(options=[{"code": "ja", "text": "Ja"}, {"code": "nej", "text": " "}]))
    )

    assert "svarsalternativ 2" in problem


def test_an_option_with_an_invalid_code_is_rejected() -> None:
    problem = only_problem(
        survey(single(options=[{"code": "ja", "text": "Ja"}, {"code": "Nej!", "text": "Nej"}]))
    )

    assert "svarsalternativ 2 har en ogiltig code" in problem


def test_two_options_with_the_same_code_are_rejected() -> None:
    problem = only_problem(
        survey(single(options=[{"code": "ja", "text": "Ja"}, {"code": "ja", "text": "Japp"}]))
    )

    assert "samma code" in problem


def test_unknown_fields_on_an_option_are_rejected() -> None:
    # A misspelt reaches_step would otherwise silently stop the option from counting.
    options = [
        {"code": "ja", "text": "Ja", "reaches_step": True},
        {"code": "delvis", "text": "Delvis", "reach_step": True},
        {"code": "nej", "text": "Nej"},
    ]

    problem = only_problem(survey(single(step="L1", options=options)))

    assert "reach_step" in problem


def test_an_agree5_question_gets_a_one_to_five_scale_and_vet_ej() -> None:
    question = parse_one({"code": "forstaelse", "kind": "agree5", "text": "Jag förstår färdplanen."})

    assert [o.code for o in question.options] == ["1", "2", "3", "4", "5", "vet_ej"]
    assert [o.value for o in question.options] == [1, 2, 3, 4, 5, None]
    assert question.options[0].text == "1 – Instämmer inte alls"
    assert question.options[4].text == "5 – Instämmer helt"
    vet_ej = question.option("vet_ej")
    assert vet_ej.text == "Vet ej"
    assert vet_ej.dont_know is True
    assert not any(o.dont_know for o in question.options[:5])


def test_an_agree5_question_can_leave_out_vet_ej() -> None:
    question = parse_one({"code": "f", "kind": "agree5", "text": "Påstående.", "dont_know_option": False})

    assert [o.code for o in question.options] == ["1", "2", "3", "4", "5"]


def test_an_agree5_question_can_override_the_option_texts_but_not_the_codes_or_values() -> None:
    question = parse_one(
        {
            "code": "f",
            "kind": "agree5",
            "text": "Påstående.",
            "options": [
                {"code": "1", "text": "Stämmer inte alls"},
                {"code": "5", "text": "Stämmer helt"},
                {"code": "vet_ej", "text": "Kan inte svara"},
            ],
        }
    )

    assert [o.text for o in question.options] == [
        "Stämmer inte alls",
        "2",
        "3",
        "4",
        "Stämmer helt",
        "Kan inte svara",
    ]
    assert [o.value for o in question.options] == [1, 2, 3, 4, 5, None]
    assert question.option("vet_ej").dont_know is True


def test_a_yesno_question_gets_ja_and_nej() -> None:
    question = parse_one({"code": "chef", "kind": "yesno", "text": "Har din chef berättat?"})

    assert [(o.code, o.text) for o in question.options] == [("ja", "Ja"), ("nej", "Nej")]
    assert question.is_closed


def test_a_scale10_question_gets_the_options_zero_to_ten() -> None:
    question = parse_one({"code": "nar", "kind": "scale10", "text": "Hur väl når informationen fram?"})

    assert [o.code for o in question.options] == [str(i) for i in range(11)]
    assert [o.value for o in question.options] == list(range(11))
    assert question.options[0].text == "0 – Inte alls"
    assert question.options[10].text == "10 – I mycket hög grad"
    assert question.options[5].text == "5"
    assert not any(o.dont_know for o in question.options)


def test_a_text_question_has_no_options_and_a_maximum_length() -> None:
    question = parse_one({"code": "behov", "kind": "text", "text": "Vad behöver du?", "max_length": 600})

    assert question.options == ()
    assert not question.is_closed
    assert question.max_length == 600


def test_a_text_question_without_max_length_gets_the_default_maximum() -> None:
    question = parse_one({"code": "behov", "kind": "text", "text": "Vad behöver du?"})

    assert question.max_length == MAX_TEXT_LENGTH


@pytest.mark.parametrize("max_length", [0, MAX_TEXT_LENGTH + 1, "600", -5])
def test_a_text_question_with_an_unusable_max_length_is_rejected(max_length: object) -> None:
    problem = only_problem(
        survey({"code": "behov", "kind": "text", "text": "Vad?", "max_length": max_length})
    )

    assert "max_length" in problem


def test_a_text_question_with_options_is_rejected() -> None:
    problem = only_problem(
        survey({"code": "behov", "kind": "text", "text": "Vad?", "options": KNOWS_OPTIONS})
    )

    assert "fritextfråga har inga svarsalternativ" in problem


def test_an_unknown_kind_is_rejected_listing_the_kinds_there_are() -> None:
    problem = only_problem(survey(single(kind="dropdown")))

    assert "fråga 1 (kannedom)" in problem
    for kind in ("single", "multiple", "agree5", "yesno", "scale10", "text"):
        assert kind in problem


def test_a_question_that_is_not_a_table_is_rejected() -> None:
    assert "fråga 1" in only_problem(survey("Känner du till färdplanen?"))  # type: ignore[arg-type]


def test_a_question_without_text_is_rejected() -> None:
    assert "text saknas" in only_problem(survey(single(text="  ")))


def test_a_question_code_with_invalid_characters_is_rejected() -> None:
    assert "a–z" in only_problem(survey(single("Känner du?")))


def test_two_questions_with_the_same_code_are_rejected() -> None:
    problem = only_problem(survey(single("kannedom"), single("kannedom")))

    assert "fråga 2 (kannedom)" in problem
    assert "finns redan" in problem


def test_unknown_fields_on_a_question_are_rejected_and_named() -> None:
    problem = only_problem(survey(single(hjalp="Text", stepp="L1")))

    assert "okända fält" in problem
    assert "hjalp" in problem and "stepp" in problem


def test_a_question_can_name_its_question_bank_entry() -> None:
    assert parse_one(single(bank="fardplan-kannedom")).bank == "fardplan-kannedom"
    assert parse_one(single()).bank is None


# --- effect steps and what counts as reaching them ------------------------------------------------------


@pytest.mark.parametrize("step", ["L1", "L2", "L3", "L4"])
def test_a_single_answer_question_can_measure_each_effect_step(step: str) -> None:
    assert parse_one(single(step=step)).step == step


def test_a_question_that_measures_no_step_has_step_none() -> None:
    assert parse_one(single()).step is None


@pytest.mark.parametrize("step", ["L0", "L5", "l1", "kännedom"])
def test_a_step_outside_l1_to_l4_is_rejected(step: str) -> None:
    problem = only_problem(survey(single(step=step)))

    assert "step måste vara en av L1, L2, L3, L4" in problem


def test_a_text_question_cannot_measure_a_step() -> None:
    problem = only_problem(survey({"code": "behov", "kind": "text", "text": "Vad?", "step": "L2"}))

    assert "bara frågor med ett svar" in problem


def test_a_multiple_choice_question_cannot_measure_a_step() -> None:
    problems = problems_of(
        survey(
            {"code": "kanaler", "kind": "multiple", "text": "Var?", "step": "L1", "options": KNOWS_OPTIONS}
        )
    )

    assert any("bara frågor med ett svar" in p for p in problems)


def test_options_marked_reaches_step_are_the_ones_that_reach_it() -> None:
    question = parse_one(single(step="L1"))

    assert [o.code for o in question.options if o.reaches_step] == ["ja_val", "ja_viss"]


def test_reached_marks_the_default_options_that_reach_the_step() -> None:
    question = parse_one(
        {"code": "f", "kind": "agree5", "text": "Jag förstår.", "step": "L2", "reached": ["4", "5"]}
    )

    assert [o.code for o in question.options if o.reaches_step] == ["4", "5"]


def test_reached_and_reaches_step_can_be_combined() -> None:
    options = [
        {"code": "a", "text": "A", "reaches_step": True},
        {"code": "b", "text": "B"},
        {"code": "c", "text": "C"},
    ]

    question = parse_one(single(step="L4", options=options, reached=["b"]))

    assert [o.code for o in question.options if o.reaches_step] == ["a", "b"]


def test_reached_naming_an_option_that_does_not_exist_is_rejected() -> None:
    problem = only_problem(
        survey({"code": "f", "kind": "agree5", "text": "Jag förstår.", "step": "L2", "reached": ["5", "6"]})
    )

    assert "reached nämner okända svarsalternativ: 6" in problem


def test_reached_that_is_not_a_list_of_codes_is_rejected() -> None:
    problems = problems_of(
        survey({"code": "f", "kind": "agree5", "text": "Jag förstår.", "step": "L2", "reached": 5})
    )

    assert any("reached måste vara en lista" in p for p in problems)


def test_a_step_question_without_any_option_that_reaches_it_is_rejected() -> None:
    problem = only_problem(survey({"code": "f", "kind": "agree5", "text": "Jag förstår.", "step": "L2"}))

    assert "reaches_step" in problem


def test_vet_ej_cannot_count_as_reaching_the_step() -> None:
    problem = only_problem(
        survey(
            {"code": "f", "kind": "agree5", "text": "Jag förstår.", "step": "L2", "reached": ["5", "vet_ej"]}
        )
    )

    assert "Vet ej kan inte räknas" in problem


def test_vet_ej_counts_as_not_aware_for_kannedom_unless_the_question_says_otherwise() -> None:
    # Left out of an awareness question's base, Vet ej would inflate awareness (issue 17).
    assert parse_one(single(step="L1")).dont_know == "not_reached"
    assert parse_one(single(step="L1", dont_know="excluded")).dont_know == "excluded"
    assert parse_one(single(step="L1", dont_know="not_reached")).dont_know == "not_reached"


def test_vet_ej_is_excluded_from_the_base_of_the_attitude_steps_unless_the_question_says_otherwise() -> None:
    for step in ("L2", "L3", "L4"):
        assert parse_one(single(step=step)).dont_know == "excluded"
    assert parse_one(single(step="L2", dont_know="not_reached")).dont_know == "not_reached"
    assert parse_one(single()).dont_know == "excluded"


def test_a_question_built_in_code_gets_the_same_default_as_from_a_file() -> None:
    assert QuestionDef("k", "single", "Känner du till?", step="L1").dont_know == "not_reached"
    assert QuestionDef("k", "single", "Förstår du?", step="L2").dont_know == "excluded"
    assert (
        QuestionDef("k", "single", "Känner du till?", step="L1", dont_know="excluded").dont_know == "excluded"
    )


def test_an_unknown_dont_know_rule_is_rejected() -> None:
    assert "dont_know måste vara not_reached eller excluded" in only_problem(
        survey(single(dont_know="reached"))
    )


# --- show-if rules ----------------------------------------------------------------------------------------


def test_a_question_can_be_shown_only_after_certain_earlier_answers() -> None:
    follow_up = {
        "code": "forstaelse",
        "kind": "agree5",
        "text": "Jag förstår.",
        "show_if": {"question": "kannedom", "any_of": ["ja_val", "ja_viss"]},
    }

    parsed = parse_questionnaire(survey(single(), follow_up))

    assert parsed.questions[0].show_if is None
    assert parsed.questions[1].show_if == ShowIf(question="kannedom", any_of=("ja_val", "ja_viss"))


def test_show_if_can_refer_to_an_option_of_a_default_option_set() -> None:
    follow_up = {
        "code": "varfor",
        "kind": "text",
        "text": "Varför?",
        "show_if": {"question": "chef", "any_of": ["nej"]},
    }

    parsed = parse_questionnaire(
        survey({"code": "chef", "kind": "yesno", "text": "Har chefen berättat?"}, follow_up)
    )

    assert parsed.questions[1].show_if == ShowIf(question="chef", any_of=("nej",))


def test_show_if_referring_to_a_later_question_is_rejected() -> None:
    problem = only_problem(
        survey(single("forst", show_if={"question": "sedan", "any_of": ["ja_val"]}), single("sedan"))
    )

    assert "fråga 1 (forst)" in problem
    assert "tidigare fråga" in problem


def test_show_if_referring_to_the_question_itself_is_rejected() -> None:
    problem = only_problem(survey(single("a", show_if={"question": "a", "any_of": ["ja_val"]})))

    assert "tidigare fråga" in problem


def test_show_if_referring_to_a_missing_question_is_rejected() -> None:
    problem = only_problem(
        survey(single("a"), single("b", show_if={"question": "finns-inte", "any_of": ["ja_val"]}))
    )

    assert "fråga 2 (b)" in problem and "tidigare fråga" in problem


def test_show_if_referring_to_a_free_text_question_is_rejected() -> None:
    free_text = {"code": "fritt", "kind": "text", "text": "Berätta."}

    problem = only_problem(survey(free_text, single("b", show_if={"question": "fritt", "any_of": ["x"]})))

    assert "tidigare fråga med svarsalternativ" in problem


def test_show_if_naming_an_option_the_earlier_question_does_not_have_is_rejected() -> None:
    problem = only_problem(
        survey(single("a"), single("b", show_if={"question": "a", "any_of": ["ja_val", "kanske"]}))
    )

    assert "show_if.any_of" in problem
    assert "frågan a" in problem


def test_the_show_if_option_problem_starts_with_where_it_is_like_every_other_problem() -> None:
    problem = only_problem(survey(single("a"), single("b", show_if={"question": "a", "any_of": ["kanske"]})))

    assert problem.startswith("fråga 2 (b): show_if.any_of")


def test_show_if_with_an_empty_any_of_is_rejected() -> None:
    assert "show_if.any_of" in only_problem(
        survey(single("a"), single("b", show_if={"question": "a", "any_of": []}))
    )


def test_show_if_that_is_not_a_table_is_rejected() -> None:
    assert "show_if måste vara" in only_problem(survey(single("a"), single("b", show_if="a")))


# --- every problem at once ----------------------------------------------------------------------------


def test_every_problem_in_a_questionnaire_is_reported_at_once() -> None:
    data = {
        "code": "uppfoljning",
        "questions": [
            single("a", step="L7"),
            {"code": "b", "kind": "text", "text": "Vad?", "max_length": 0},
            single("c", show_if={"question": "saknas", "any_of": ["ja_val"]}),
            {"code": "d", "kind": "agree5", "text": "Påstående.", "step": "L3"},
        ],
    }

    with pytest.raises(QuestionnaireFileError) as caught:
        parse_questionnaire(data)

    problems = caught.value.problems
    assert len(problems) == 5, problems
    assert any("title saknas" in p for p in problems)
    assert any(p.startswith("fråga 1 (a)") and "step" in p for p in problems)
    assert any(p.startswith("fråga 2 (b)") and "max_length" in p for p in problems)
    assert any(p.startswith("fråga 3 (c)") and "show_if" in p for p in problems)
    assert any(p.startswith("fråga 4 (d)") and "reaches_step" in p for p in problems)
    # The error's text lists every problem, so a command can print it on one line.
    message = str(caught.value)
    assert all(p in message for p in problems)


def test_a_questionnaire_file_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_questionnaire(survey())


# --- questionnaire files ------------------------------------------------------------------------------


VALID_FILE = """\
code = "test"
title = "Testenkät"

[[questions]]
code = "kannedom"
kind = "single"
text = "Känner du till färdplanen?"
step = "L1"
dont_know = "not_reached"
options = [
    { code = "ja", text = "Ja", reaches_step = true },
    { code = "nej", text = "Nej" },
    { code = "vet_ej", text = "Vet ej", dont_know = true },
]
"""


def test_a_questionnaire_file_is_read_as_toml(tmp_path: Path) -> None:
    path = tmp_path / "test.toml"
    path.write_text(VALID_FILE, encoding="utf-8")

    parsed = load_questionnaire_file(path)

    assert parsed.title == "Testenkät"
    question = parsed.question("kannedom")
    assert question.text == "Känner du till färdplanen?"
    assert question.dont_know == "not_reached"
    assert question.option("vet_ej").dont_know


def test_an_invalid_toml_file_gives_a_swedish_message_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "trasig.toml"
    path.write_text('code = "test"\ntitle = "Saknar slutcitat\n', encoding="utf-8")

    with pytest.raises(QuestionnaireFileError) as caught:
        load_questionnaire_file(path)

    message = str(caught.value)
    assert message.startswith("trasig.toml:")
    assert "inte giltig TOML" in message


def test_a_file_that_is_not_utf8_gives_a_swedish_message_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(VALID_FILE.encode("latin-1"))

    with pytest.raises(QuestionnaireFileError) as caught:
        load_questionnaire_file(path)

    message = str(caught.value)
    assert message.startswith("latin1.toml:")
    assert "UTF-8" in message


def test_a_utf8_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    # Windows editors often save UTF-8 with a byte order mark; it is still UTF-8.
    path = tmp_path / "windows.toml"
    path.write_bytes(VALID_FILE.encode("utf-8-sig"))

    assert load_questionnaire_file(path).title == "Testenkät"


def test_problems_in_a_file_are_reported_like_problems_in_data(tmp_path: Path) -> None:
    path = tmp_path / "fel.toml"
    path.write_text(VALID_FILE.replace('step = "L1"', 'step = "L9"'), encoding="utf-8")

    with pytest.raises(QuestionnaireFileError) as caught:
        load_questionnaire_file(path)

    assert len(caught.value.problems) == 1
    assert "fråga 1 (kannedom): step måste vara en av L1, L2, L3, L4" in caught.value.problems[0]


def test_the_demo_questionnaire_has_one_question_for_each_effect_step() -> None:
    demo = load_questionnaire_file(DEMO_FILE)

    steps = [q.step for q in demo.questions if q.step is not None]
    assert steps == ["L1", "L2", "L3", "L4"]
    for question in demo.questions:
        if question.step is not None:
            assert any(o.reaches_step for o in question.options), question.code


def test_the_demo_questionnaire_asks_understanding_only_of_those_who_know_the_plan() -> None:
    demo = load_questionnaire_file(DEMO_FILE)

    rule = demo.question("forstaelse").show_if
    assert rule is not None
    assert rule.question == "kannedom"
    assert "nej" not in rule.any_of
    assert demo.question("kannedom").dont_know == "not_reached"


# --- estimated time ---------------------------------------------------------------------------------------


def test_a_short_questionnaire_is_estimated_at_one_minute() -> None:
    assert parse_questionnaire(survey(single())).estimated_minutes == 1
    six = [single(f"q{i}") for i in range(6)]
    assert parse_questionnaire(survey(*six)).estimated_minutes == 1


def test_estimated_minutes_rounds_up_to_whole_minutes() -> None:
    seven = [single(f"q{i}") for i in range(7)]
    assert parse_questionnaire(survey(*seven)).estimated_minutes == 2


def test_a_free_text_question_adds_about_a_minute() -> None:
    free_text = {"code": "fritt", "kind": "text", "text": "Berätta."}

    assert parse_questionnaire(survey(free_text)).estimated_minutes == 1
    assert parse_questionnaire(survey(single(), free_text)).estimated_minutes == 2
