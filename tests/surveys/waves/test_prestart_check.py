"""The pre-publish check: what would make a survey hard to answer, or its answers identifying."""

from __future__ import annotations

import copy

from surveys.questionnaires.model import parse_questionnaire
from surveys.waves.prestart_check import Severity, check_privacy, check_questionnaire
from tests.support import QUESTIONNAIRE


def test_a_short_clear_questionnaire_passes_except_for_an_unexplained_scale():
    findings = check_questionnaire(parse_questionnaire(QUESTIONNAIRE))
    assert [f.question for f in findings] == ["betyg"]
    assert "0–10 utan hjälptext" in findings[0].message


def test_too_many_options_and_a_long_survey_are_flagged():
    data = copy.deepcopy(QUESTIONNAIRE)
    data["questions"][0]["options"] += [{"code": f"o{i}", "text": f"Alternativ {i}"} for i in range(9)]
    data["questions"] += [
        {"code": f"fritext{i}", "kind": "text", "text": "Berätta mer.", "required": False} for i in range(6)
    ]
    findings = check_questionnaire(parse_questionnaire(data))
    messages = " ".join(f.message for f in findings)
    assert "12 svarsalternativ" in messages
    assert "Enkäten tar ungefär" in messages
    assert all(f.severity is Severity.WARNING for f in findings)


def test_small_groups_are_named_and_free_text_gets_a_warning():
    questionnaire = parse_questionnaire(QUESTIONNAIRE)
    findings = check_privacy(
        questionnaire,
        {("Ånge kommun", "Samordnare"): 2, ("Sundsvall", "Chefer"): 400, ("Ånge kommun", "Invånare"): None},
        5,
    )
    assert len(findings) == 2
    assert "Samordnare i Ånge kommun har bara 2 personer" in findings[0].message
    assert findings[1].question == "fritext"


def test_no_small_groups_means_no_privacy_findings():
    questionnaire = parse_questionnaire(QUESTIONNAIRE)
    assert check_privacy(questionnaire, {("Sundsvall", "Chefer"): 400, ("Ånge", "Invånare"): None}, 5) == []


def test_an_open_link_wave_with_groups_under_three_k_advises_one_time_codes():
    questionnaire = parse_questionnaire(QUESTIONNAIRE)
    sizes = {("Ånge", "Chefer"): 12, ("Sundsvall", "Chefer"): 400, ("Ånge", "Invånare"): None}
    findings = check_privacy(questionnaire, sizes, 5, open_link=True)
    padding = [f for f in findings if "öppen länk" in f.message]
    assert len(padding) == 1
    assert "Chefer i Ånge" in padding[0].message and "Sundsvall" not in padding[0].message
    assert "engångskoder" in padding[0].message


def test_a_wave_with_one_time_codes_is_not_warned_about_made_up_answers():
    questionnaire = parse_questionnaire(QUESTIONNAIRE)
    findings = check_privacy(questionnaire, {("Ånge", "Chefer"): 12}, 5, open_link=False)
    assert not [f for f in findings if "öppen länk" in f.message]
