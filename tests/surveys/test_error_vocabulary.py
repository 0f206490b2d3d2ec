"""The errors of questionnaires, waves and responding are the domain's vocabulary (surveys/errors.py)."""

from __future__ import annotations

from surveys.errors import Conflict, Invalid
from surveys.questionnaires.designer import DesignError, TrendBreakNotConfirmed
from surveys.questionnaires.model import QuestionnaireFileError
from surveys.responding.submission import QuestionnaireChanged
from surveys.waves.codes import CodeRejected
from surveys.waves.setup import WaveError


def test_a_broken_rule_is_invalid_and_names_its_fields():
    design = DesignError([("text", "Skriv frågan."), ("text", "Kortare."), ("kind", "Välj typ.")])
    assert isinstance(design, Invalid)
    assert design.errors == {"text": "Skriv frågan. Kortare.", "kind": "Välj typ."}
    assert design.problems[0] == ("text", "Skriv frågan.")
    assert isinstance(WaveError(["Välj minst en målgrupp."]), Invalid)
    assert isinstance(QuestionnaireFileError(["fråga 1: text saknas."]), Invalid)
    assert CodeRejected().errors.keys() == {"code"}


def test_a_trend_break_is_a_conflict_that_names_the_questions_to_confirm():
    refused = TrendBreakNotConfirmed(["kannedom", "betyg"])
    assert isinstance(refused, Conflict)
    assert refused.codes == ["kannedom", "betyg"]
    assert set(refused.errors) == {"kannedom", "betyg"} and "confirm_trend_break" in refused.message


def test_a_questionnaire_changed_while_answering_is_a_conflict():
    assert isinstance(QuestionnaireChanged(), Conflict)
