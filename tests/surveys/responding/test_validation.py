"""Checking a respondent's answers: what is stored, what is dropped, and the messages they see."""

from __future__ import annotations

import pytest

from surveys.questionnaires.model import QuestionnaireDef, parse_questionnaire
from surveys.responding.validation import CleanAnswers, clean_text, shown_questions, validate_answers

KNOWS = {
    "code": "kannedom",
    "kind": "single",
    "text": "Känner du till färdplanen?",
    "step": "L1",
    "options": [
        {"code": "ja_val", "text": "Ja, väl", "reaches_step": True},
        {"code": "ja_viss", "text": "Ja, till viss del", "reaches_step": True},
        {"code": "nej", "text": "Nej"},
        {"code": "vet_ej", "text": "Vet ej", "dont_know": True},
    ],
}
CHANNELS = {
    "code": "kanaler",
    "kind": "multiple",
    "text": "Var har du sett färdplanen?",
    "options": [
        {"code": "intranat", "text": "Intranätet"},
        {"code": "webb", "text": "Webben"},
        {"code": "linkedin", "text": "LinkedIn"},
        {"code": "mote", "text": "Ett möte"},
    ],
}
UNDERSTANDS = {
    "code": "forstaelse",
    "kind": "agree5",
    "text": "Jag vet vad färdplanen betyder för mig.",
    "step": "L2",
    "reached": ["4", "5"],
    "show_if": {"question": "kannedom", "any_of": ["ja_val", "ja_viss"]},
}
REACHES = {
    "code": "nar-fram",
    "kind": "scale10",
    "text": "Hur väl når informationen fram?",
    "required": False,
}
NEEDS = {"code": "behov", "kind": "text", "text": "Vad skulle hjälpa dig?", "max_length": 20}


def questionnaire(*questions: dict) -> QuestionnaireDef:
    return parse_questionnaire({"code": "test", "title": "Test", "questions": list(questions)})


def valid(questions: QuestionnaireDef, raw: dict) -> CleanAnswers:
    clean, errors = validate_answers(questions, raw)
    assert errors == {}
    assert clean is not None
    return clean


def invalid(questions: QuestionnaireDef, raw: dict) -> dict[str, str]:
    clean, errors = validate_answers(questions, raw)
    assert clean is None
    assert errors
    return errors


# --- complete answers -----------------------------------------------------------------------------------


def test_a_complete_set_of_answers_is_accepted_as_option_codes_and_texts() -> None:
    survey = questionnaire(KNOWS, CHANNELS, UNDERSTANDS, REACHES, NEEDS)

    clean = valid(
        survey,
        {
            "kannedom": ["ja_val"],
            "kanaler": ["webb", "mote"],
            "forstaelse": ["4"],
            "nar-fram": ["7"],
            "behov": ["Mer tid"],
        },
    )

    assert dict(clean.chosen) == {
        "kannedom": ("ja_val",),
        "kanaler": ("webb", "mote"),
        "forstaelse": ("4",),
        "nar-fram": ("7",),
    }
    assert dict(clean.texts) == {"behov": "Mer tid"}


def test_optional_questions_left_unanswered_are_simply_not_stored() -> None:
    clean = valid(questionnaire(KNOWS, REACHES, NEEDS | {"required": False}), {"kannedom": ["nej"]})

    assert dict(clean.chosen) == {"kannedom": ("nej",)}
    assert dict(clean.texts) == {}


# --- missing answers ------------------------------------------------------------------------------------


def test_a_missing_answer_to_a_required_single_choice_question_asks_for_one_option() -> None:
    errors = invalid(questionnaire(KNOWS), {})

    assert errors == {"kannedom": "Välj ett svarsalternativ."}


def test_a_missing_answer_to_a_required_multiple_choice_question_asks_for_at_least_one() -> None:
    errors = invalid(questionnaire(CHANNELS), {"kanaler": []})

    assert errors == {"kanaler": "Välj minst ett svarsalternativ."}


def test_a_missing_answer_to_a_required_text_question_asks_for_a_text() -> None:
    errors = invalid(questionnaire(NEEDS), {})

    assert errors == {"behov": "Skriv ett svar på frågan."}


def test_every_missing_required_answer_is_reported_at_once() -> None:
    errors = invalid(questionnaire(KNOWS, CHANNELS, REACHES, NEEDS), {"nar-fram": ["3"]})

    assert set(errors) == {"kannedom", "kanaler", "behov"}


@pytest.mark.parametrize("blank", ["", "   ", "\n"])
def test_an_empty_string_counts_as_no_answer(blank: str) -> None:
    errors = invalid(questionnaire(KNOWS, NEEDS), {"kannedom": [blank], "behov": [blank]})

    assert errors == {"kannedom": "Välj ett svarsalternativ.", "behov": "Skriv ett svar på frågan."}


def test_an_empty_string_beside_a_real_choice_is_ignored() -> None:
    clean = valid(questionnaire(KNOWS), {"kannedom": ["", "nej"]})

    assert clean.chosen["kannedom"] == ("nej",)


def test_a_text_of_only_invisible_characters_counts_as_no_answer() -> None:
    errors = invalid(questionnaire(NEEDS), {"behov": ["\u202e\x00\x1b"]})

    assert errors == {"behov": "Skriv ett svar på frågan."}


# --- closed questions -------------------------------------------------------------------------------------


def test_an_option_code_the_question_does_not_have_is_rejected() -> None:
    errors = invalid(questionnaire(KNOWS), {"kannedom": ["kanske"]})

    assert errors == {"kannedom": "Välj ett av svarsalternativen."}


def test_an_option_code_from_another_question_is_rejected() -> None:
    errors = invalid(questionnaire(KNOWS, CHANNELS), {"kannedom": ["webb"], "kanaler": ["webb"]})

    assert errors == {"kannedom": "Välj ett av svarsalternativen."}


def test_two_answers_to_a_single_choice_question_are_rejected() -> None:
    errors = invalid(questionnaire(KNOWS), {"kannedom": ["ja_val", "nej"]})

    assert errors == {"kannedom": "Välj bara ett svarsalternativ."}


def test_the_same_option_sent_twice_to_a_single_choice_question_is_one_answer() -> None:
    clean = valid(questionnaire(KNOWS), {"kannedom": ["nej", "nej"]})

    assert clean.chosen["kannedom"] == ("nej",)


def test_multiple_choices_are_kept_in_the_questionnaires_order_without_duplicates() -> None:
    clean = valid(questionnaire(CHANNELS), {"kanaler": ["mote", "intranat", "mote", "webb", "intranat"]})

    assert clean.chosen["kanaler"] == ("intranat", "webb", "mote")


def test_submitted_option_codes_are_trimmed() -> None:
    clean = valid(questionnaire(KNOWS), {"kannedom": [" nej\n"]})

    assert clean.chosen["kannedom"] == ("nej",)


def test_more_choices_than_max_choices_are_rejected_with_the_limit_in_the_message() -> None:
    survey = questionnaire(CHANNELS | {"max_choices": 2})

    errors = invalid(survey, {"kanaler": ["intranat", "webb", "mote"]})

    assert errors == {"kanaler": "Välj högst 2 svarsalternativ."}
    assert valid(survey, {"kanaler": ["intranat", "mote"]}).chosen["kanaler"] == ("intranat", "mote")


def test_a_repeated_choice_does_not_count_twice_against_max_choices() -> None:
    survey = questionnaire(CHANNELS | {"max_choices": 2})

    clean = valid(survey, {"kanaler": ["webb", "webb", "mote"]})

    assert clean.chosen["kanaler"] == ("webb", "mote")


def test_the_json_api_may_send_scale_answers_as_numbers() -> None:
    clean = valid(
        questionnaire(KNOWS, UNDERSTANDS, REACHES),
        {"kannedom": ["ja_val"], "forstaelse": [5], "nar-fram": [0]},
    )

    assert clean.chosen["forstaelse"] == ("5",)
    assert clean.chosen["nar-fram"] == ("0",)


def test_a_number_outside_the_scale_is_rejected() -> None:
    errors = invalid(questionnaire(REACHES), {"nar-fram": [11]})

    assert errors == {"nar-fram": "Välj ett av svarsalternativen."}


@pytest.mark.parametrize("value", [True, False, {"code": "1"}, ["1"], None, 1.0])
def test_a_value_that_is_neither_text_nor_a_whole_number_is_rejected(value: object) -> None:
    errors = invalid(questionnaire(REACHES), {"nar-fram": [value]})

    assert errors == {"nar-fram": "Svaret har fel form. Ange svarsalternativets kod som text."}


# --- free text -----------------------------------------------------------------------------------------


def test_a_text_answer_is_stored_cleaned() -> None:
    clean = valid(questionnaire(NEEDS), {"behov": ["  Mer\r\ntid\u202e  "]})

    assert clean.texts["behov"] == "Mer\ntid"


def test_a_text_longer_than_max_length_is_rejected_stating_the_maximum_and_the_length() -> None:
    errors = invalid(questionnaire(NEEDS), {"behov": ["x" * 25]})

    assert errors == {"behov": "Svaret får vara högst 20 tecken långt. Nu är det 25 tecken."}


def test_a_text_of_exactly_max_length_is_accepted() -> None:
    assert valid(questionnaire(NEEDS), {"behov": ["x" * 20]}).texts["behov"] == "x" * 20


def test_the_length_of_a_text_is_counted_after_cleaning() -> None:
    # Twenty letters, surrounded by spaces and with a decomposed "å" (two code points before NFC).
    typed = "   " + "a\u030a" + "x" * 19 + "   "

    clean = valid(questionnaire(NEEDS), {"behov": [typed]})

    assert clean.texts["behov"] == "å" + "x" * 19


def test_two_texts_for_one_text_question_are_rejected() -> None:
    errors = invalid(questionnaire(NEEDS), {"behov": ["Ett", "Två"]})

    assert errors == {"behov": "Skriv svaret i en enda ruta."}


def test_a_number_for_a_text_question_is_rejected() -> None:
    errors = invalid(questionnaire(NEEDS), {"behov": [42]})

    assert errors == {"behov": "Svaret har fel form. Skriv svaret som text."}


def test_clean_text_normalises_to_nfc() -> None:
    assert clean_text("Fa\u0308rdplan") == "Färdplan"
    assert clean_text("Fa\u0308rdplan") == "F\u00e4rdplan"


def test_clean_text_turns_windows_and_old_mac_line_breaks_into_newlines() -> None:
    assert clean_text("ett\r\ntvå\rtre\nfyra") == "ett\ntvå\ntre\nfyra"


def test_clean_text_keeps_tabs_and_newlines_inside_the_text() -> None:
    assert clean_text("ett\ttvå\n\ntre") == "ett\ttvå\n\ntre"


def test_clean_text_removes_control_characters() -> None:
    assert clean_text("ett\x00två\x1b[31mtre\x7f\x08") == "etttvå[31mtre"


@pytest.mark.parametrize(
    "control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
)
def test_clean_text_removes_bidi_embedding_override_and_isolate_characters(control: str) -> None:
    assert clean_text(f"fil{control}txt.exe") == "filtxt.exe"


def test_clean_text_removes_lone_surrogates() -> None:
    assert clean_text("ett\ud800två") == "etttvå"


def test_clean_text_strips_surrounding_whitespace() -> None:
    assert clean_text(" \n\t Hej då \r\n ") == "Hej då"


def test_clean_text_keeps_ordinary_swedish_punctuation_and_emoji() -> None:
    text = "Åsa – ”bra” möte, 100 % nöjd! 👍"

    assert clean_text(text) == text


# --- show-if rules ----------------------------------------------------------------------------------------


def test_answers_to_questions_the_respondent_was_not_asked_are_dropped() -> None:
    clean = valid(questionnaire(KNOWS, UNDERSTANDS), {"kannedom": ["nej"], "forstaelse": ["5"]})

    assert dict(clean.chosen) == {"kannedom": ("nej",)}


def test_a_hidden_required_question_is_not_required() -> None:
    clean = valid(questionnaire(KNOWS, UNDERSTANDS), {"kannedom": ["vet_ej"]})

    assert "forstaelse" not in clean.chosen


def test_a_shown_required_question_is_required() -> None:
    errors = invalid(questionnaire(KNOWS, UNDERSTANDS), {"kannedom": ["ja_viss"]})

    assert errors == {"forstaelse": "Välj ett svarsalternativ."}


def test_an_invalid_answer_to_a_hidden_question_is_not_an_error() -> None:
    clean = valid(questionnaire(KNOWS, UNDERSTANDS), {"kannedom": ["nej"], "forstaelse": ["99"]})

    assert "forstaelse" not in clean.chosen


def test_a_hidden_text_answer_is_dropped() -> None:
    why = {
        "code": "varfor",
        "kind": "text",
        "text": "Varför inte?",
        "show_if": {"question": "kannedom", "any_of": ["nej"]},
    }

    clean = valid(questionnaire(KNOWS, why), {"kannedom": ["ja_val"], "varfor": ["Ingen tid"]})

    assert dict(clean.texts) == {}


def test_a_follow_up_question_is_hidden_when_its_condition_question_is_unanswered() -> None:
    survey = questionnaire(KNOWS | {"required": False}, UNDERSTANDS)

    clean = valid(survey, {"forstaelse": ["5"]})

    assert dict(clean.chosen) == {}


def test_a_question_shown_only_after_a_hidden_question_is_hidden_too() -> None:
    # kannedom → forstaelse (if ja) → fordjupning (if 4 or 5): someone who says "nej" sees neither follow-up.
    deeper = {
        "code": "fordjupning",
        "kind": "text",
        "text": "Vad har du förstått?",
        "show_if": {"question": "forstaelse", "any_of": ["4", "5"]},
    }
    survey = questionnaire(KNOWS, UNDERSTANDS, deeper)

    clean = valid(survey, {"kannedom": ["nej"], "forstaelse": ["5"], "fordjupning": ["Allt"]})
    assert dict(clean.chosen) == {"kannedom": ("nej",)}
    assert dict(clean.texts) == {}

    errors = invalid(survey, {"kannedom": ["ja_val"], "forstaelse": ["5"]})
    assert errors == {"fordjupning": "Skriv ett svar på frågan."}

    clean = valid(survey, {"kannedom": ["ja_val"], "forstaelse": ["2"], "fordjupning": ["Inget"]})
    assert dict(clean.texts) == {}


def test_shown_questions_applies_show_if_rules_to_the_chosen_options() -> None:
    survey = questionnaire(KNOWS, CHANNELS, UNDERSTANDS)

    assert shown_questions(survey, {"kannedom": ["ja_val"]}) == {"kannedom", "kanaler", "forstaelse"}
    assert shown_questions(survey, {"kannedom": ["nej"]}) == {"kannedom", "kanaler"}
    assert shown_questions(survey, {}) == {"kannedom", "kanaler"}


def test_shown_questions_follows_a_chain_of_rules() -> None:
    deeper = {
        "code": "djup",
        "kind": "yesno",
        "text": "?",
        "show_if": {"question": "forstaelse", "any_of": ["5"]},
    }
    survey = questionnaire(KNOWS, UNDERSTANDS, deeper)

    assert "djup" in shown_questions(survey, {"kannedom": ["ja_val"], "forstaelse": ["5"]})
    assert "djup" not in shown_questions(survey, {"kannedom": ["nej"], "forstaelse": ["5"]})
    assert "djup" not in shown_questions(survey, {"kannedom": ["ja_val"], "forstaelse": ["3"]})


# --- codes that are not in the questionnaire ------------------------------------------------------------


def test_an_answer_to_a_question_that_does_not_exist_is_an_error_keyed_by_its_code() -> None:
    errors = invalid(questionnaire(KNOWS), {"kannedom": ["nej"], "alder": ["45"]})

    assert errors == {"alder": "Det finns ingen fråga med koden alder i enkäten."}


def test_nothing_is_returned_when_any_answer_is_invalid() -> None:
    clean, errors = validate_answers(questionnaire(KNOWS, NEEDS), {"kannedom": ["nej"], "behov": ["x" * 21]})

    assert clean is None
    assert set(errors) == {"behov"}
