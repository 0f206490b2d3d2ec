"""Checking a respondent's answers against the questionnaire: pure, shared by the form and the API."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from locales import gettext as _
from locales import ngettext
from surveys.questionnaires.model import QuestionDef, QuestionnaireDef

# Characters a person can type; anything else (NUL, escape codes, bidi overrides) is dropped.
_ALLOWED_CONTROLS = {"\n", "\t"}
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


@dataclass(frozen=True)
class CleanAnswers:
    """Valid answers, for shown questions only: option codes per closed question, texts per text question."""

    chosen: Mapping[str, tuple[str, ...]]
    texts: Mapping[str, str]


def shown_questions(questionnaire: QuestionnaireDef, chosen: Mapping[str, Sequence[str]]) -> set[str]:
    """Codes of the questions a respondent with these answers is asked (show-if rules applied in order)."""
    shown: set[str] = set()
    for question in questionnaire.questions:
        rule = question.show_if
        if rule is None or (rule.question in shown and set(chosen.get(rule.question, ())) & set(rule.any_of)):
            shown.add(question.code)
    return shown


def validate_answers(
    questionnaire: QuestionnaireDef, raw: Mapping[str, Sequence[object]]
) -> tuple[CleanAnswers | None, dict[str, str]]:
    """Return clean answers, or None and a message per failing question code (in the current locale).

    `raw` maps question codes to the submitted values (a form gives strings; the API may give numbers).
    Answers to questions hidden by a show-if rule are dropped, not stored: the respondent was not asked.
    """
    errors: dict[str, str] = {}
    for code in raw:
        if questionnaire.question(code) is None:
            errors[code] = _("Det finns ingen fråga med koden %(code)s i enkäten.") % {"code": code}
    chosen: dict[str, tuple[str, ...]] = {}
    texts: dict[str, str] = {}
    for question in questionnaire.questions:
        values = [v for v in raw.get(question.code, ()) if not (isinstance(v, str) and v.strip() == "")]
        if question.is_closed:
            codes, error = _closed(question, values)
            if error:
                errors[question.code] = error
            elif codes:
                chosen[question.code] = codes
        else:
            text, error = _text(question, values)
            if error:
                errors[question.code] = error
            elif text:
                texts[question.code] = text
    shown = shown_questions(questionnaire, chosen)
    for question in questionnaire.questions:
        if question.code not in shown:
            errors.pop(question.code, None)
            chosen.pop(question.code, None)
            texts.pop(question.code, None)
        elif question.required and question.code not in errors and question.code not in chosen | texts:
            errors[question.code] = _missing(question)
    if errors:
        return None, errors
    return CleanAnswers(chosen=chosen, texts=texts), {}


def _closed(question: QuestionDef, values: list[object]) -> tuple[tuple[str, ...], str | None]:
    codes: list[str] = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, str | int):
            return (), _("Svaret har fel form. Ange svarsalternativets kod som text.")
        code = str(value).strip()
        if question.option(code) is None:
            return (), _("Välj ett av svarsalternativen.")
        if code not in codes:
            codes.append(code)
    if not question.is_multiple and len(codes) > 1:
        return (), _("Välj bara ett svarsalternativ.")
    if question.max_choices and len(codes) > question.max_choices:
        message = ngettext(
            "Välj högst %(n)s svarsalternativ.", "Välj högst %(n)s svarsalternativ.", question.max_choices
        )
        return (), message % {"n": question.max_choices}
    order = [o.code for o in question.options]
    return tuple(sorted(codes, key=order.index)), None


def _text(question: QuestionDef, values: list[object]) -> tuple[str, str | None]:
    if len(values) > 1:
        return "", _("Skriv svaret i en enda ruta.")
    if not values:
        return "", None
    if not isinstance(values[0], str):
        return "", _("Svaret har fel form. Skriv svaret som text.")
    text = clean_text(values[0])
    if len(text) > question.max_length:
        return "", _("Svaret får vara högst %(max)s tecken långt. Nu är det %(length)s tecken.") % {
            "max": question.max_length,
            "length": len(text),
        }
    return text, None


def clean_text(value: str) -> str:
    """Normalise what a person typed: NFC, Unix line breaks, no invisible control characters."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    kept = (
        ch
        for ch in value
        if ch not in _BIDI_CONTROLS
        and (ch in _ALLOWED_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs"))
    )
    return "".join(kept).strip()


def _missing(question: QuestionDef) -> str:
    if question.kind == "text":
        return _("Skriv ett svar på frågan.")
    if question.is_multiple:
        return _("Välj minst ett svarsalternativ.")
    return _("Välj ett svarsalternativ.")
