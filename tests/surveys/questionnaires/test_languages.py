"""A questionnaire's texts in other languages than Swedish: in the file, read back, written back, and what
is missing; a text without a translation falls back to Swedish."""

from __future__ import annotations

import tomllib

import pytest

from surveys.questionnaires.model import (
    QuestionnaireFileError,
    Texts,
    in_language,
    missing_translations,
    parse_questionnaire,
)
from surveys.questionnaires.toml_file import to_toml

SURVEY = {
    "code": "enkat",
    "title": "Enkäten",
    "title_en": "The survey",
    "title_fit": "Kyselyä",
    "intro": "Välkommen.",
    "languages": ["fit", "en"],
    "questions": [
        {
            "code": "kannedom",
            "kind": "single",
            "text": "Känner du till planen?",
            "text_en": "Do you know the plan?",
            "help": "Planen för nära vård.",
            "step": "L1",
            "options": [
                {"code": "ja", "text": "Ja", "text_en": "Yes", "reaches_step": True},
                {"code": "nej", "text": "Nej"},
            ],
        },
        {"code": "instammer", "kind": "agree5", "text": "Jag förstår.", "step": "L2", "reached": ["4", "5"]},
    ],
}


def test_a_questionnaire_is_read_with_its_languages_and_translations() -> None:
    parsed = parse_questionnaire(SURVEY)
    assert parsed.languages == ("en", "fit")  # in the order of the language list, whatever the file's
    assert parsed.title_in.get("en") == "The survey" and parsed.title_in.get("fit") == "Kyselyä"
    question = parsed.questions[0]
    assert question.text_in.get("en") == "Do you know the plan?" and question.text_in.get("fit") is None
    assert [o.text_in.get("en") for o in question.options] == ["Yes", None]


def test_the_default_scales_bring_their_own_english_and_finnish_labels() -> None:
    data = {**SURVEY, "languages": ["en", "fi"]}
    data.pop("title_fit")
    scale = parse_questionnaire(data).questions[1]
    assert [o.text_in.get("en") for o in scale.options] == [
        "1 – Do not agree at all",
        None,
        None,
        None,
        "5 – Agree completely",
        "Don't know",
    ]
    assert scale.option("vet_ej").text_in.get("fi") == "En osaa sanoa"


def test_a_translation_for_a_language_not_offered_is_refused() -> None:
    data = {**SURVEY, "languages": ["en"]}
    with pytest.raises(QuestionnaireFileError) as refused:
        parse_questionnaire(data)
    assert refused.value.problems == ["enkäten: title_fit finns, men fit saknas i languages överst i filen."]
    (detail,) = refused.value.details
    assert detail.plain == "Texten på meänkieli sparades inte: enkäten erbjuds inte på meänkieli."


def test_an_unknown_language_is_refused_naming_the_ones_there_are() -> None:
    with pytest.raises(QuestionnaireFileError) as refused:
        parse_questionnaire({**SURVEY, "languages": ["en", "fit", "de"]})
    assert "okända språk de" in refused.value.problems[0] and "en, fi, fit, se" in refused.value.problems[0]


def test_translations_survive_the_round_trip_through_a_file() -> None:
    parsed = parse_questionnaire(SURVEY)
    written = to_toml(parsed)
    assert 'languages = ["en", "fit"]' in written and 'text_en = "Yes"' in written
    assert parse_questionnaire(tomllib.loads(written)) == parsed


def test_a_missing_translation_falls_back_to_swedish_and_says_so() -> None:
    texts = Texts.of({"en": "Yes"})
    assert in_language("Ja", texts, "en") == ("Yes", "en")
    assert in_language("Ja", texts, "fi") == ("Ja", "sv")
    assert in_language("Ja", texts, "sv") == ("Ja", "sv")
    assert in_language("3", Texts(), "fi") == ("3", "fi")  # a digit reads the same in every language


def test_what_is_missing_is_listed_for_each_offered_language() -> None:
    missing = missing_translations(parse_questionnaire(SURVEY))
    assert missing["en"] == [(None, "intro"), (1, "help"), (1, "nej"), (2, "text")]
    assert (None, "title") not in missing["fit"] and (1, "text") in missing["fit"]


def test_a_default_is_written_to_a_file_only_when_it_is_not_the_steps_default() -> None:
    data = {
        "code": "e",
        "title": "E",
        "questions": [
            {"code": "a", "kind": "yesno", "text": "Vet du?", "step": "L1", "reached": ["ja"]},
            {
                "code": "b",
                "kind": "yesno",
                "text": "Vet du?",
                "step": "L1",
                "reached": ["ja"],
                "dont_know": "excluded",
            },
        ],
    }
    written = to_toml(parse_questionnaire(data))
    assert written.count("dont_know =") == 1 and 'dont_know = "excluded"' in written
    assert [q.dont_know for q in parse_questionnaire(tomllib.loads(written)).questions] == [
        "not_reached",
        "excluded",
    ]
