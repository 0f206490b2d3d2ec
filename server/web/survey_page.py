"""What the survey template shows: questions with their inputs, kept values and errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from babel.lists import format_list

import locales
from locales import gettext as _
from surveys.questionnaires.model import QuestionDef
from surveys.responding.submission import CODE_FIELD, ORGANISATION_FIELD, TARGET_GROUP_FIELD
from surveys.waves.lookup import Choice, WaveForm

QUESTION_PREFIX = "q-"
SCALE_KINDS = ("agree5", "scale10")


@dataclass(frozen=True)
class OptionView:
    code: str
    text: str
    input_id: str
    checked: bool


@dataclass(frozen=True)
class FieldView:
    """One fieldset (closed question) or one labelled text box (free text)."""

    name: str
    number: int | None
    text: str
    kind: str
    help: str
    required: bool
    options: tuple[OptionView, ...]
    value: str
    error: str | None
    max_length: int
    show_if: tuple[str, tuple[str, ...]] | None
    show_if_hint: str

    @property
    def id(self) -> str:
        return self.name

    @property
    def first_input_id(self) -> str:
        return self.options[0].input_id if self.options else f"{self.name}-input"

    @property
    def is_scale(self) -> bool:
        return self.kind in SCALE_KINDS

    @property
    def is_multiple(self) -> bool:
        return self.kind == "multiple"

    @property
    def described_by(self) -> str:
        ids = []
        if self.help:
            ids.append(f"{self.name}-help")
        if self.show_if_hint:
            ids.append(f"{self.name}-condition")
        if self.error:
            ids.append(f"{self.name}-error")
        return " ".join(ids)


def question_field_name(code: str) -> str:
    return QUESTION_PREFIX + code


def build_fields(
    wave: WaveForm,
    values: Mapping[str, Sequence[str]],
    errors: Mapping[str, str],
    *,
    fixed_organisation: Choice | None,
) -> list[FieldView]:
    """Fields in page order: the one-time code, 'about you', then the questionnaire, numbered."""
    fields: list[FieldView] = []
    if wave.uses_codes:
        fields.append(
            FieldView(
                name=CODE_FIELD,
                number=None,
                text=_("Engångskod"),
                kind="code",
                help=_(
                    "Koden står på lappen eller i mejlet du har fått. Den visar bara att du får svara, inte vem du är."
                ),
                required=True,
                options=(),
                value=(values.get(CODE_FIELD) or [""])[0],
                error=errors.get(CODE_FIELD),
                max_length=20,
                show_if=None,
                show_if_hint="",
            )
        )
    if wave.asks_organisation and fixed_organisation is None:
        fields.append(
            _choice_field(
                ORGANISATION_FIELD,
                _("Vilken organisation hör du till?"),
                wave.organisations,
                values,
                errors,
                help=_("Svarar du som invånare, välj den kommun du bor i."),
            )
        )
    if wave.asks_target_group:
        fields.append(
            _choice_field(
                TARGET_GROUP_FIELD,
                _("Vilket av följande beskriver dig bäst?"),
                wave.target_groups,
                values,
                errors,
            )
        )
    numbers = {q.code: i for i, q in enumerate(wave.questionnaire.questions, start=1)}
    for question in wave.questionnaire.questions:
        fields.append(_question_field(question, numbers, wave, values, errors))
    return fields


def _choice_field(
    name: str,
    text: str,
    choices: Sequence[Choice],
    values: Mapping[str, Sequence[str]],
    errors: Mapping[str, str],
    *,
    help: str = "",
) -> FieldView:
    picked = set(values.get(name, ()))
    return FieldView(
        name=name,
        number=None,
        text=text,
        kind="single",
        help=help,
        required=True,
        options=tuple(OptionView(c.code, c.name, f"{name}-{c.code}", c.code in picked) for c in choices),
        value="",
        error=errors.get(name),
        max_length=0,
        show_if=None,
        show_if_hint="",
    )


def _question_field(
    question: QuestionDef,
    numbers: Mapping[str, int],
    wave: WaveForm,
    values: Mapping[str, Sequence[str]],
    errors: Mapping[str, str],
) -> FieldView:
    name = question_field_name(question.code)
    picked = set(values.get(question.code, ()))
    hint = ""
    show_if = None
    if question.show_if:
        source = wave.questionnaire.question(question.show_if.question)
        # TRANSLATORS: quotation marks around an answer option's text
        texts = [_("”%(option)s”") % {"option": source.option(code).text} for code in question.show_if.any_of]
        hint = _("Svara bara om du svarade %(answers)s på fråga %(number)s.") % {
            "answers": format_list(texts, style="or", locale=locales.babel_locale()),
            "number": numbers[source.code],
        }
        show_if = (question_field_name(source.code), question.show_if.any_of)
    return FieldView(
        name=name,
        number=numbers[question.code],
        text=question.text,
        kind=question.kind,
        help=question.help,
        required=question.required,
        options=tuple(
            OptionView(o.code, o.text, f"{name}-{o.code}", o.code in picked) for o in question.options
        ),
        value=(values.get(question.code) or [""])[0] if question.kind == "text" else "",
        error=errors.get(question.code),
        max_length=question.max_length,
        show_if=show_if,
        show_if_hint=hint,
    )
