"""The pre-start check's findings about order, conditions, steps, channels and translations, in plain
Swedish, each one triggered by the questionnaire that has the problem and silent on one that has not."""

from __future__ import annotations

import copy
import re

from surveys.questionnaires.model import parse_questionnaire
from surveys.waves.prestart_check import BankHint, Severity, check_questionnaire
from tests.support import QUESTIONNAIRE

CHANNELS = {"intranat": "Intranät", "linkedin": "LinkedIn"}
KNOWS = BankHint(
    condition=("kannedom", ("ja",)), condition_text="Känner du till planen?", condition_answers=("Ja",)
)
FILE_WORDS = re.compile(r"\b(show_if|any_of|reaches_step|reached|dont_know|channel|options|kind)\b")


def data() -> dict:
    result = copy.deepcopy(QUESTIONNAIRE)
    for question in result["questions"]:
        question["bank"] = question["code"]
    result["questions"][3]["help"] = "0 betyder inte alls, 10 i mycket hög grad."
    return result


def findings(raw: dict, **context) -> list:
    found = check_questionnaire(parse_questionnaire(raw), **context)
    for finding in found:
        assert not FILE_WORDS.search(finding.message), finding.message
    return found


def about(found: list, question: str) -> list[str]:
    return [f.message for f in found if f.question == question]


def test_the_test_questionnaire_with_its_plan_and_bank_has_nothing_but_an_unasked_channel() -> None:
    found = findings(
        data(),
        channels=CHANNELS,
        bank={"forstaelse": KNOWS, "kanaler": BankHint(channel_options=("intranat",))},
    )
    assert [f.message for f in found] == [
        "Planens kanal LinkedIn finns inte som svarsalternativ i någon fråga, så ingen kan svara att de sett "
        "informationen där."
    ]


def test_a_filter_question_after_the_question_it_filters_is_a_problem() -> None:
    raw = data()
    understanding = raw["questions"].pop(1)
    del understanding["show_if"]
    raw["questions"].insert(0, understanding)
    (finding,) = about(findings(raw, bank={"forstaelse": KNOWS}), "forstaelse")
    assert finding.startswith(
        "Frågorna kommer i fel ordning: Fråga 1 ska bara ställas till dem som svarat ”Ja”"
    )
    assert "Flytta fråga 2 före fråga 1" in finding


def test_a_condition_lost_on_the_way_from_the_bank_is_named() -> None:
    raw = data()
    del raw["questions"][1]["show_if"]
    (finding,) = about(findings(raw, bank={"forstaelse": KNOWS}), "forstaelse")
    assert finding.startswith(
        "Fråga 2 visas för alla, men i frågebanken bara för dem som svarat ”Ja” på fråga 1"
    )


def test_a_bank_question_without_its_filter_question_is_named() -> None:
    raw = data()
    del raw["questions"][1]["show_if"]
    raw["questions"].pop(0)
    (finding,) = about(findings(raw, bank={"forstaelse": KNOWS}), "forstaelse")
    assert "”Känner du till planen?”, men den frågan finns inte i enkäten" in finding


def test_a_condition_that_points_nowhere_is_a_problem() -> None:
    # A stored questionnaire that no longer parses this way (an old version): checked all the same.
    from dataclasses import replace

    from surveys.questionnaires.model import ShowIf

    questionnaire = parse_questionnaire(data())
    broken = replace(
        questionnaire,
        questions=tuple(
            replace(q, show_if=ShowIf("borta", ("ja",))) if q.code == "forstaelse" else q
            for q in questionnaire.questions
        ),
    )
    (finding,) = [f for f in check_questionnaire(broken) if f.question == "forstaelse"]
    assert finding.severity is Severity.PROBLEM and "visas frågan aldrig" in finding.message


def test_two_questions_measuring_one_step_are_named() -> None:
    raw = data()
    raw["questions"][3]["step"] = "L1"  # betyg, a 0–10 scale
    raw["questions"][3]["reached"] = ["9", "10"]
    found = findings(raw)
    assert any(
        "Frågorna 1, 4 mäter alla L1 kännedom. Resultaten för steget räknas bara på den första (fråga 1)" in m
        for m in about(found, "betyg")
    )


def test_an_awareness_question_that_leaves_out_vet_ej_is_a_warning() -> None:
    raw = data()
    raw["questions"][0]["dont_know"] = "excluded"
    (finding,) = [f for f in findings(raw) if f.question == "kannedom"]
    assert finding.severity is Severity.WARNING and "Då ser kännedomen högre ut än den är" in finding.message
    # The default counts it as not reached: no warning.
    del raw["questions"][0]["dont_know"]
    assert not about(findings(raw), "kannedom")


def test_channel_options_that_lost_their_channel_and_plan_channels_nobody_is_asked_about() -> None:
    raw = data()
    del raw["questions"][2]["options"][0]["channel"]
    found = findings(raw, channels=CHANNELS, bank={"kanaler": BankHint(channel_options=("intranat",))})
    assert about(found, "kanaler") == [
        "Fråga 3 frågar var de svarande har sett informationen, men svarsalternativen ”Intranätet” är inte "
        "kopplade till någon av planens kanaler. Välj kanal för dem i frågan, annars syns de inte i kanalernas "
        "resultat."
    ]
    assert any(
        "Planens kanaler Intranät, LinkedIn finns inte som svarsalternativ" in f.message for f in found
    )


def test_a_questionnaire_that_asks_about_no_channel_is_told_the_plans_channels() -> None:
    raw = data()
    raw["questions"].pop(2)
    found = findings(raw, channels=CHANNELS)
    assert any("Enkäten frågar inte var de svarande har sett informationen" in f.message for f in found)


def test_channels_in_a_questionnaire_without_a_plan_are_named() -> None:
    found = findings(data(), channels=None)
    assert any("Enkäten hör inte till någon plan" in f.message for f in found)


def test_missing_translations_are_listed_for_each_language() -> None:
    raw = data()
    raw["languages"] = ["en", "se"]
    raw["title_en"] = "The survey"
    raw["intro_en"] = "Welcome."
    for question in raw["questions"]:
        question["text_en"] = "In English"
    raw["questions"][0]["options"][0]["text_en"] = "Yes"
    found = [f.message for f in findings(raw)]
    (english,) = [m for m in found if m.startswith("Texter saknas på engelska")]
    assert "fråga 1 (svarsalternativen ”Nej”, ”Vet ej”)" in english and "titeln" not in english
    assert "fråga 4 (hjälptexten)" in english
    assert "fråga 2" not in english  # the 1–5 scale has its own English labels
    (sami,) = [m for m in found if m.startswith("Texter saknas på nordsamiska")]
    assert sami.startswith(
        "Texter saknas på nordsamiska: titeln; inledningen; fråga 1 (frågetexten, svarsalternativen"
    )


def test_without_its_plan_and_bank_the_check_says_nothing_about_them() -> None:
    raw = data()
    del raw["questions"][1]["show_if"]
    assert findings(raw) == []
