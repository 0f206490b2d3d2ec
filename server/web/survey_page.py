"""What the survey template shows: questions with their inputs, kept values and errors, in a language.

The questionnaire's texts are shown in the respondent's chosen language where they are translated and in
Swedish otherwise; each text carries the language it is in, so the page can mark it (WCAG 3.1.2). The
options' codes, which are what is stored, are the same in every language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from babel.lists import format_list

import locales
from locales import gettext as _
from surveys.questionnaires.model import ENDONYMS, QuestionDef, in_language
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
    lang: str | None = None  # the language of `text`; None: the page's own


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
    lang: str | None = None  # the language of `text`; None: the page's own
    help_lang: str | None = None

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


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    name: str  # in its own language
    href: str
    current: bool


def question_field_name(code: str) -> str:
    return QUESTION_PREFIX + code


def content_language(wave: WaveForm, asked: str, page_language: str) -> str:
    """The language the questionnaire is shown in: the one asked for (?lang=) if offered, else the page's
    own if offered, else Swedish."""
    offered = wave.questionnaire.languages
    if asked in offered:
        return asked
    return page_language if page_language in offered else "sv"


def language_choices(
    wave: WaveForm, current: str, path: str, query: Mapping[str, str]
) -> list[LanguageChoice]:
    """Links to the survey in each language it is offered in (none when only in Swedish)."""
    offered = wave.questionnaire.languages
    if not offered:
        return []
    kept = urlencode([(name, value) for name, value in query.items() if name != "lang" and value])
    return [
        LanguageChoice(
            lang, ENDONYMS[lang], f"{path}?lang={lang}" + (f"&{kept}" if kept else ""), lang == current
        )
        for lang in ("sv", *offered)
    ]


def survey_texts(wave: WaveForm, language: str) -> dict[str, str]:
    """The title and intro in `language` with the language each is in.

    The wave's own title is administrative; a translated questionnaire title takes its place. A wave with
    its own intro keeps it, in Swedish.
    """
    questionnaire = wave.questionnaire
    title, title_lang = wave.title, "sv"
    if language != "sv" and questionnaire.title_in.get(language):
        title, title_lang = questionnaire.title_in.get(language), language
    intro, intro_lang = wave.intro, "sv"
    if wave.intro == questionnaire.intro:
        intro, intro_lang = in_language(questionnaire.intro, questionnaire.intro_in, language)
    return {"title": title, "title_lang": title_lang, "intro": intro, "intro_lang": intro_lang}


def build_fields(
    wave: WaveForm,
    values: Mapping[str, Sequence[str]],
    errors: Mapping[str, str],
    *,
    fixed_organisation: Choice | None,
    language: str = "sv",
) -> list[FieldView]:
    """Fields in page order: the one-time code, 'about you', then the questionnaire, numbered from 1.

    Every question is on the page (without JavaScript a respondent must be able to change the answer a
    condition depends on), so the numbers run 1, 2, 3 … over all of them; the page's script numbers the
    visible ones again as conditions hide and show questions.
    """
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
                language=language,
            )
        )
    numbers = {q.code: i for i, q in enumerate(wave.questionnaire.questions, start=1)}
    for question in wave.questionnaire.questions:
        fields.append(_question_field(question, numbers, wave, values, errors, language))
    return fields


def _choice_field(
    name: str,
    text: str,
    choices: Sequence[Choice],
    values: Mapping[str, Sequence[str]],
    errors: Mapping[str, str],
    *,
    help: str = "",
    language: str = "sv",
) -> FieldView:
    picked = set(values.get(name, ()))
    return FieldView(
        name=name,
        number=None,
        text=text,
        kind="single",
        help=help,
        required=True,
        # Names of organisations are the plan's, in Swedish; a target group's may be in the page's language.
        options=tuple(
            OptionView(c.code, text, f"{name}-{c.code}", c.code in picked, lang)
            for c in choices
            for text, lang in [c.name_in(language)]
        ),
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
    language: str,
) -> FieldView:
    name = question_field_name(question.code)
    picked = set(values.get(question.code, ()))
    hint = ""
    show_if = None
    if question.show_if:
        source = wave.questionnaire.question(question.show_if.question)
        texts = [
            # TRANSLATORS: quotation marks around an answer option's text
            _("”%(option)s”") % {"option": in_language(o.text, o.text_in, language)[0]}
            for code in question.show_if.any_of
            if (o := source.option(code)) is not None
        ]
        hint = _("Svara bara om du svarade %(answers)s på fråga %(number)s.") % {
            "answers": format_list(texts, style="or", locale=locales.babel_locale()),
            "number": numbers[source.code],
        }
        show_if = (question_field_name(source.code), question.show_if.any_of)
    text, text_lang = in_language(question.text, question.text_in, language)
    help_text, help_lang = (
        in_language(question.help, question.help_in, language) if question.help else ("", None)
    )
    options = []
    for o in question.options:
        option_text, option_lang = in_language(o.text, o.text_in, language)
        options.append(OptionView(o.code, option_text, f"{name}-{o.code}", o.code in picked, option_lang))
    return FieldView(
        name=name,
        number=numbers[question.code],
        text=text,
        kind=question.kind,
        help=help_text,
        required=question.required,
        options=tuple(options),
        value=(values.get(question.code) or [""])[0] if question.kind == "text" else "",
        error=errors.get(question.code),
        max_length=question.max_length,
        show_if=show_if,
        show_if_hint=hint,
        lang=text_lang,
        help_lang=help_lang,
    )


def answering_as(
    organisation: Choice | None, target_group: Choice | None, language: str = "sv"
) -> dict[str, str] | None:
    """What the page says about whom the answers count for, and the patterns the script fills in when the
    respondent chooses their organisation or target group on the page ({organisation}, {group})."""
    both = _("Dina svar räknas till %(organisation)s och målgruppen %(group)s.")
    only_org = _("Dina svar räknas till %(organisation)s.")
    only_group = _("Dina svar räknas till målgruppen %(group)s.")
    if organisation and target_group:
        text = both % {"organisation": organisation.name, "group": target_group.name_in(language)[0]}
    elif organisation:
        text = only_org % {"organisation": organisation.name}
    elif target_group:
        text = only_group % {"group": target_group.name_in(language)[0]}
    else:
        text = ""
    marks = {"organisation": "{organisation}", "group": "{group}"}
    return {
        "text": text,
        "both": both % marks,
        "organisation": only_org % marks,
        "group": only_group % marks,
        "fixed_organisation": organisation.name if organisation else "",
        "fixed_group": target_group.name_in(language)[0] if target_group else "",
    }
