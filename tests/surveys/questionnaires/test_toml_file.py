"""Questionnaires written back to TOML read back the same, and changed questions are flagged."""

from __future__ import annotations

import copy
import tomllib

from surveys.demo import QUESTIONNAIRE_FILE
from surveys.questionnaires.model import load_questionnaire_file, parse_questionnaire
from surveys.questionnaires.toml_file import to_toml, trend_breaks
from tests.support import QUESTIONNAIRE


def test_the_demo_questionnaire_survives_a_round_trip():
    original = load_questionnaire_file(QUESTIONNAIRE_FILE)
    assert parse_questionnaire(tomllib.loads(to_toml(original))) == original


def test_hostile_and_swedish_text_survives_a_round_trip():
    data = copy.deepcopy(QUESTIONNAIRE)
    data["title"] = 'Åsa säger "hej" \\ och <script>alert(1)</script>\nny rad'
    data["questions"][0]["options"][0]["text"] = "Ja – \"absolut\" ''' ]]"
    original = parse_questionnaire(data)
    assert parse_questionnaire(tomllib.loads(to_toml(original))) == original


def test_a_changed_wording_or_scale_is_a_trend_break():
    before = parse_questionnaire(QUESTIONNAIRE)
    data = copy.deepcopy(QUESTIONNAIRE)
    data["questions"][0]["text"] = "Har du hört talas om planen?"
    data["questions"][1]["reached"] = ["5"]
    after = parse_questionnaire(data)
    assert trend_breaks(before, after) == ["kannedom", "forstaelse"]
    assert trend_breaks(before, parse_questionnaire(QUESTIONNAIRE)) == []
