"""The questionnaire model: question kinds, effect steps, show-if rules, languages, and questionnaire files.

Plain frozen dataclasses, so that parsing, validation and rendering never need the database.
A questionnaire file (TOML) looks like:

    code = "uppfoljning"
    title = "Uppföljning av färdplanen"
    intro = "Det tar två minuter."
    languages = ["en"]              # offered besides Swedish: en, fi (finska), fit (meänkieli), se (nordsamiska)
    title_en = "Following up the roadmap"

    [[questions]]
    code = "kannedom"
    kind = "single"
    text = "Känner du till färdplanen?"
    text_en = "Do you know the roadmap?"
    step = "L1"                     # dont_know defaults to "not_reached" for L1, "excluded" for L2–L4
    options = [
        { code = "ja_val", text = "Ja, väl", text_en = "Yes, well", reaches_step = true },
        { code = "nej", text = "Nej", text_en = "No" },
        { code = "vet_ej", text = "Vet ej", dont_know = true },
    ]

A text with no translation is shown in Swedish. Answers are stored by option code, so they pool across
languages.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from locales import N_
from locales import gettext as _
from surveys.errors import Invalid

KINDS = ("single", "multiple", "agree5", "yesno", "scale10", "text")
STEPS = ("L1", "L2", "L3", "L4")
STEP_NAMES = {
    "L0": N_("nådd"),
    "L1": N_("kännedom"),
    "L2": N_("förståelse"),
    "L3": N_("acceptans"),
    "L4": N_("handling"),
}
DONT_KNOW_RULES = ("not_reached", "excluded")

# Swedish is the language every questionnaire is written in; these may be offered besides it. The codes are
# BCP 47 (fit: meänkieli, se: nordsamiska), as the pages' lang attributes need them.
LANGUAGES = ("sv", "en", "fi", "fit", "se")
OTHER_LANGUAGES = LANGUAGES[1:]
LANGUAGE_NAMES = {
    "sv": N_("svenska"),
    "en": N_("engelska"),
    "fi": N_("finska"),
    "fit": N_("meänkieli"),
    "se": N_("nordsamiska"),
}
# Each language by its own name, for a respondent choosing one (never translated).
ENDONYMS = {"sv": "Svenska", "en": "English", "fi": "Suomi", "fit": "Meänkieli", "se": "Davvisámegiella"}

MAX_TEXT_LENGTH = 2000
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
# A text of digits, spaces and dashes ("2", "1 – 5") reads the same in every language.
_NEUTRAL = re.compile(r"^[\d\s\-–.,/%]*$")

# Default option sets; a file may override the texts. Stored as ordinary options, so that
# every closed answer is counted the same way: one row per chosen option.
_AGREE5 = (
    ("1", "1 – Instämmer inte alls", 1),
    ("2", "2", 2),
    ("3", "3", 3),
    ("4", "4", 4),
    ("5", "5 – Instämmer helt", 5),
)
_YESNO = (("ja", "Ja", None), ("nej", "Nej", None))
_SCALE10 = tuple(
    (str(i), {0: "0 – Inte alls", 10: "10 – I mycket hög grad"}.get(i, str(i)), i) for i in range(11)
)
# The default options' own translations, used while their Swedish text is the default one. Meänkieli and
# nordsamiska are left to someone who writes them: the pre-start check lists what is missing.
_DEFAULT_TRANSLATIONS = {
    "1 – Instämmer inte alls": {"en": "1 – Do not agree at all", "fi": "1 – Ei lainkaan samaa mieltä"},
    "5 – Instämmer helt": {"en": "5 – Agree completely", "fi": "5 – Täysin samaa mieltä"},
    "Vet ej": {"en": "Don't know", "fi": "En osaa sanoa"},
    "Ja": {"en": "Yes", "fi": "Kyllä"},
    "Nej": {"en": "No", "fi": "Ei"},
    "0 – Inte alls": {"en": "0 – Not at all", "fi": "0 – Ei lainkaan"},
    "10 – I mycket hög grad": {"en": "10 – To a very great extent", "fi": "10 – Erittäin paljon"},
}


def default_dont_know(step: str | None) -> str:
    """How "Vet ej" counts when a question does not say: as not aware for kännedom (L1), else left out.

    Leaving "Vet ej" out of an awareness question's base would count only those sure either way and so
    inflate awareness (docs/methods.md).
    """
    return "not_reached" if step == "L1" else "excluded"


def is_language_neutral(text: str) -> bool:
    return bool(_NEUTRAL.match(text))


@dataclass(frozen=True)
class Texts:
    """One text's translations, by language code; Swedish is the text itself and never in here."""

    items: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, mapping: Mapping[str, str] | None) -> Texts:
        if not mapping:
            return cls()
        return cls(tuple((lang, mapping[lang]) for lang in OTHER_LANGUAGES if mapping.get(lang)))

    def get(self, language: str) -> str | None:
        return next((text for lang, text in self.items if lang == language), None)

    def as_dict(self) -> dict[str, str]:
        return dict(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def in_language(swedish: str, texts: Texts, language: str) -> tuple[str, str]:
    """The text to show in `language`, and the language it is in (Swedish when no translation exists)."""
    if language == "sv":
        return swedish, "sv"
    translated = texts.get(language)
    if translated:
        return translated, language
    if is_language_neutral(swedish):
        return swedish, language
    return swedish, "sv"


@dataclass(frozen=True)
class OptionDef:
    code: str
    text: str
    value: int | None = None
    reaches_step: bool = False
    dont_know: bool = False
    channel: str | None = None
    id: int | None = None
    text_in: Texts = field(default_factory=Texts)


@dataclass(frozen=True)
class ShowIf:
    """Show a question only when an earlier question was answered with one of these options."""

    question: str
    any_of: tuple[str, ...]


@dataclass(frozen=True)
class QuestionDef:
    code: str
    kind: str
    text: str
    options: tuple[OptionDef, ...] = ()
    help: str = ""
    required: bool = True
    step: str | None = None
    dont_know: str = ""  # "" takes the step's default (default_dont_know)
    show_if: ShowIf | None = None
    max_length: int = 0
    max_choices: int = 0
    bank: str | None = None
    id: int | None = None
    text_in: Texts = field(default_factory=Texts)
    help_in: Texts = field(default_factory=Texts)

    def __post_init__(self) -> None:
        if not self.dont_know:
            object.__setattr__(self, "dont_know", default_dont_know(self.step))

    @property
    def is_closed(self) -> bool:
        return self.kind != "text"

    @property
    def is_multiple(self) -> bool:
        return self.kind == "multiple"

    def option(self, code: str) -> OptionDef | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class QuestionnaireDef:
    code: str
    title: str
    questions: tuple[QuestionDef, ...]
    intro: str = ""
    languages: tuple[str, ...] = ()  # offered besides Swedish, in LANGUAGES order
    title_in: Texts = field(default_factory=Texts)
    intro_in: Texts = field(default_factory=Texts)

    def question(self, code: str) -> QuestionDef | None:
        return next((q for q in self.questions if q.code == code), None)

    def number_of(self, code: str) -> int | None:
        """The question's place in the questionnaire, from 1."""
        return next((i for i, q in enumerate(self.questions, start=1) if q.code == code), None)

    @property
    def estimated_minutes(self) -> int:
        # About ten seconds a closed question and a minute a free-text one, rounded up.
        seconds = sum(60 if q.kind == "text" else 10 for q in self.questions)
        return max(1, -(-seconds // 60))


@dataclass(frozen=True)
class Problem:
    """One problem with a questionnaire, said twice: for a file's author (naming the file's fields) and
    for a person in the designer (plain Swedish). `field` is the designer's field it is about."""

    text: str
    field: str = "questions"
    plain: str = ""
    question: int | None = None  # the question's number, from 1

    @property
    def message(self) -> str:
        return self.plain or self.text


class QuestionnaireFileError(Invalid, ValueError):
    """A questionnaire file has problems; each one says where and what to do (in Swedish).

    `problems` are the messages for a file's author; `details` the same problems with plain messages.
    """

    def __init__(self, problems: list[str] | list[Problem] | None = None) -> None:
        self.details = [p if isinstance(p, Problem) else Problem(p) for p in problems or []]
        self.problems = [p.text for p in self.details]
        super().__init__("; ".join(self.problems))

    def __str__(self) -> str:
        return "; ".join(self.problems)


def load_questionnaire_file(path: Path) -> QuestionnaireDef:
    try:
        # utf-8-sig: Windows editors often save UTF-8 with a byte order mark.
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise QuestionnaireFileError(
            [_("%(file)s: filen måste vara sparad som UTF-8.") % {"file": path.name}]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireFileError(
            [_("%(file)s: filen är inte giltig TOML (%(error)s).") % {"file": path.name, "error": exc}]
        ) from None
    return parse_questionnaire(data)


_TOP_FIELDS = {"code", "title", "intro", "questions", "languages"}
_QUESTION_FIELDS = {
    "code", "kind", "text", "help", "required", "step", "dont_know", "show_if",
    "max_length", "max_choices", "options", "reached", "bank", "dont_know_option",
}  # fmt: skip
_OPTION_FIELDS = {"code", "text", "value", "reaches_step", "dont_know", "channel"}


def _translated_fields(names: tuple[str, ...]) -> set[str]:
    return {f"{name}_{lang}" for name in names for lang in OTHER_LANGUAGES}


class _Collector:
    """The problems found so far, each said for a file and for the designer."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, text: str, field: str = "questions", plain: str = "", question: int | None = None) -> None:
        self.found.append(Problem(text, field, plain, question))

    def __len__(self) -> int:
        return len(self.found)


def parse_questionnaire(data: dict) -> QuestionnaireDef:
    """Build a questionnaire from parsed TOML/JSON data; collects every problem before raising."""
    problems = _Collector()
    where = _("enkäten")
    code = _text(data, "code", where, problems, plain=_("Skriv en kod för enkäten."), field="code")
    if code and not _CODE.match(code):
        problems.add(
            _("enkätens code %(code)s får bara innehålla a–z, 0–9, - och _.") % {"code": code},
            "code",
            _("Koden får bara innehålla små bokstäver a–z, siffror, - och _."),
        )
    title = _text(data, "title", where, problems, plain=_("Skriv en titel."), field="title")
    languages = _parse_languages(data.get("languages"), problems)
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.add(
            _("enkäten måste ha minst en fråga ([[questions]])."),
            plain=_("Enkäten behöver minst en fråga."),
        )
        raw_questions = []
    unknown = set(data) - _TOP_FIELDS - _translated_fields(("title", "intro"))
    if unknown:
        problems.add(_("enkäten har okända fält: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    title_in = _translations(data, "title", where, languages, problems, field="title")
    intro_in = _translations(data, "intro", where, languages, problems, field="intro")
    questions: list[QuestionDef] = []
    for number, raw in enumerate(raw_questions, start=1):
        question = _parse_question(raw, number, questions, raw_questions, languages, problems)
        if question is not None:
            questions.append(question)
    if problems:
        raise QuestionnaireFileError(problems.found)
    return QuestionnaireDef(
        code=code,
        title=title,
        intro=str(data.get("intro", "")).strip(),
        questions=tuple(questions),
        languages=languages,
        title_in=title_in,
        intro_in=intro_in,
    )


def _parse_languages(raw: object, problems: _Collector) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(lang, str) for lang in raw):
        problems.add(
            _("languages måste vara en lista med språkkoder (%(codes)s).")
            % {"codes": ", ".join(OTHER_LANGUAGES)},
            "languages",
            _("Välj språken i listan."),
        )
        return ()
    unknown = [lang for lang in raw if lang not in OTHER_LANGUAGES]
    if unknown:
        problems.add(
            _("languages: okända språk %(unknown)s. Välj bland %(codes)s (svenska finns alltid).")
            % {"unknown": ", ".join(unknown), "codes": ", ".join(OTHER_LANGUAGES)},
            "languages",
            _("Välj språken i listan."),
        )
    return tuple(lang for lang in OTHER_LANGUAGES if lang in raw)


def _translations(
    data: Mapping,
    name: str,
    where: str,
    languages: tuple[str, ...],
    problems: _Collector,
    *,
    field: str,
    question: int | None = None,
) -> Texts:
    """`name_en`, `name_fi` … of `data`: only for offered languages, each a text."""
    found: dict[str, str] = {}
    for lang in OTHER_LANGUAGES:
        key = f"{name}_{lang}"
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, str):
            problems.add(
                _("%(where)s: %(key)s måste vara en text.") % {"where": where, "key": key},
                field,
                question=question,
            )
        elif lang not in languages:
            problems.add(
                _("%(where)s: %(key)s finns, men %(lang)s saknas i languages överst i filen.")
                % {"where": where, "key": key, "lang": lang},
                field,
                _("Texten på %(language)s sparades inte: enkäten erbjuds inte på %(language)s.")
                % {"language": _(LANGUAGE_NAMES[lang])},
                question,
            )
        elif value.strip():
            found[lang] = value.strip()
    return Texts.of(found)


def _parse_question(
    raw: object,
    number: int,
    earlier: list[QuestionDef],
    every: list,
    languages: tuple[str, ...],
    problems: _Collector,
) -> QuestionDef | None:
    where = _("fråga %(number)s") % {"number": number}
    shown = _("Fråga %(number)s") % {"number": number}
    if not isinstance(raw, dict):
        problems.add(
            _("%(where)s: måste vara en tabell med code, kind och text.") % {"where": where}, question=number
        )
        return None
    before = len(problems)
    code = _text(raw, "code", where, problems, plain=_("%(where)s saknar kod.") % {"where": shown},
                 field="code", question=number)  # fmt: skip
    if code:
        where = _("fråga %(number)s (%(code)s)") % {"number": number, "code": code}
        if not _CODE.match(code):
            problems.add(
                _("%(where)s: code får bara innehålla a–z, 0–9, - och _.") % {"where": where},
                "code",
                _("Koden får bara innehålla små bokstäver a–z, siffror, - och _."),
                number,
            )
        if any(q.code == code for q in earlier):
            problems.add(
                _("%(where)s: code finns redan på en tidigare fråga.") % {"where": where},
                "code",
                _("Det finns redan en fråga med koden %(code)s i enkäten. Välj en annan kod.")
                % {"code": code},
                number,
            )
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.add(
            _("%(where)s: kind måste vara en av %(kinds)s.") % {"where": where, "kinds": ", ".join(KINDS)},
            "kind",
            _("Välj en frågetyp i listan."),
            number,
        )
        return None
    text = _text(raw, "text", where, problems, plain=_("Skriv frågans text."), field="text", question=number)
    step = raw.get("step")
    if step is not None and step not in STEPS:
        problems.add(
            _("%(where)s: step måste vara en av %(steps)s (L0, räckvidd, mäts inte med frågor).")
            % {"where": where, "steps": ", ".join(STEPS)},
            "step",
            _("Välj ett steg i listan, eller Inget steg."),
            number,
        )
    if step is not None and kind in ("text", "multiple"):
        problems.add(
            _("%(where)s: bara frågor med ett svar kan mäta ett steg i effekttrappan.") % {"where": where},
            "step",
            _(
                "Bara frågor där man väljer ett svar kan mäta ett steg. Välj Inget steg, eller frågetypen "
                "Ett svar eller en skala."
            ),
            number,
        )
    dont_know = raw.get("dont_know", default_dont_know(step if step in STEPS else None))
    if dont_know not in DONT_KNOW_RULES:
        problems.add(
            _("%(where)s: dont_know måste vara not_reached eller excluded.") % {"where": where},
            "dont_know",
            _("Välj hur Vet ej ska räknas."),
            number,
        )
    options = _parse_options(raw, kind, where, number, languages, problems)
    if step is not None and options and not any(o.reaches_step for o in options):
        problems.add(
            _("%(where)s: ange vilka svarsalternativ som räknas som att steget nås (reaches_step).")
            % {"where": where},
            "options",
            _("Kryssa i vilka svar som räknas som att steget nås."),
            number,
        )
    show_if = _parse_show_if(raw.get("show_if"), where, number, earlier, every, problems)
    max_length = raw.get("max_length", MAX_TEXT_LENGTH if kind == "text" else 0)
    if kind == "text" and (
        not isinstance(max_length, int)
        or isinstance(max_length, bool)
        or not 1 <= max_length <= MAX_TEXT_LENGTH
    ):
        problems.add(
            _("%(where)s: max_length måste vara ett heltal mellan 1 och %(max)s.")
            % {"where": where, "max": MAX_TEXT_LENGTH},
            "text",
            _("Svaret får vara högst 1–%(max)s tecken långt.") % {"max": MAX_TEXT_LENGTH},
            number,
        )
    if not isinstance(raw.get("required", True), bool):
        problems.add(
            _("%(where)s: required måste vara true eller false.") % {"where": where},
            "required",
            question=number,
        )
    max_choices = raw.get("max_choices", 0)
    if not isinstance(max_choices, int) or isinstance(max_choices, bool) or max_choices < 0:
        problems.add(
            _("%(where)s: max_choices måste vara ett heltal, 0 betyder obegränsat.") % {"where": where},
            "options",
            question=number,
        )
    unknown = set(raw) - _QUESTION_FIELDS - _translated_fields(("text", "help"))
    if unknown:
        problems.add(
            _("%(where)s: okända fält %(fields)s.") % {"where": where, "fields": ", ".join(sorted(unknown))},
            question=number,
        )
    text_in = _translations(raw, "text", where, languages, problems, field="text", question=number)
    help_in = _translations(raw, "help", where, languages, problems, field="help", question=number)
    if len(problems) > before:
        return None
    return QuestionDef(
        code=code,
        kind=kind,
        text=text,
        options=options,
        help=str(raw.get("help", "")).strip(),
        required=raw.get("required", True),
        step=step,
        dont_know=dont_know,
        show_if=show_if,
        max_length=max_length if kind == "text" else 0,
        max_choices=max_choices,
        bank=raw.get("bank"),
        text_in=text_in,
        help_in=help_in,
    )


def _parse_options(
    raw: dict, kind: str, where: str, number: int, languages: tuple[str, ...], problems: _Collector
) -> tuple[OptionDef, ...]:
    reached = raw.get("reached")
    if reached is not None and not (isinstance(reached, list) and all(isinstance(r, str) for r in reached)):
        problems.add(
            _("%(where)s: reached måste vara en lista med svarsalternativens code.") % {"where": where},
            "options",
            question=number,
        )
        reached = None
    if kind == "text":
        if raw.get("options"):
            problems.add(
                _("%(where)s: en fritextfråga har inga svarsalternativ.") % {"where": where},
                "options",
                _("En fritextfråga har inga svarsalternativ. Ta bort dem eller välj en annan frågetyp."),
                number,
            )
        return ()
    given = raw.get("options")
    option_fields = _OPTION_FIELDS | _translated_fields(("text",))
    if kind in ("single", "multiple"):
        if not isinstance(given, list) or len(given) < 2:
            problems.add(
                _("%(where)s: ange minst två svarsalternativ (options).") % {"where": where},
                "options",
                _("Skriv minst två svarsalternativ."),
                number,
            )
            return ()
        options = []
        for i, item in enumerate(given, start=1):
            if not isinstance(item, dict) or not item.get("code") or not str(item.get("text", "")).strip():
                problems.add(
                    _("%(where)s: svarsalternativ %(number)s behöver code och text.")
                    % {"where": where, "number": i},
                    "options",
                    _("Svarsalternativ %(number)s saknar text.") % {"number": i},
                    number,
                )
                continue
            extra = set(item) - option_fields
            if extra:
                problems.add(
                    _("%(where)s: svarsalternativ %(number)s har okända fält: %(fields)s.")
                    % {"where": where, "number": i, "fields": ", ".join(sorted(extra))},
                    "options",
                    question=number,
                )
                continue
            if not _CODE.match(str(item["code"])):
                problems.add(
                    _("%(where)s: svarsalternativ %(number)s har en ogiltig code.")
                    % {"where": where, "number": i},
                    "options",
                    question=number,
                )
                continue
            option_where = _("%(where)s, svarsalternativ %(number)s") % {"where": where, "number": i}
            options.append(
                OptionDef(
                    code=str(item["code"]),
                    text=str(item["text"]).strip(),
                    value=item.get("value"),
                    reaches_step=bool(item.get("reaches_step", False)),
                    dont_know=bool(item.get("dont_know", False)),
                    channel=item.get("channel"),
                    text_in=_translations(
                        item, "text", option_where, languages, problems, field="options", question=number
                    ),
                )
            )
    else:
        defaults = {"agree5": _AGREE5, "yesno": _YESNO, "scale10": _SCALE10}[kind]
        texts: dict[str, str] = {}
        translated: dict[str, Texts] = {}
        if isinstance(given, list):
            for o in given:
                if isinstance(o, dict):
                    texts[str(o.get("code"))] = str(o.get("text", "")).strip()
                    translated[str(o.get("code"))] = _translations(
                        o, "text", where, languages, problems, field="options", question=number
                    )
        rows = list(defaults)
        if kind == "agree5" and raw.get("dont_know_option", True):
            rows.append(("vet_ej", "Vet ej", None))
        options = []
        for c, t, v in rows:
            text = texts.get(c) or t
            given_in = translated.get(c, Texts()).as_dict()
            default_in = _DEFAULT_TRANSLATIONS.get(text, {}) if text == t else {}
            merged = {lang: given_in.get(lang) or default_in.get(lang, "") for lang in languages}
            options.append(
                OptionDef(code=c, text=text, value=v, dont_know=c == "vet_ej", text_in=Texts.of(merged))
            )
    codes = [o.code for o in options]
    if len(set(codes)) != len(codes):
        problems.add(
            _("%(where)s: två svarsalternativ har samma code.") % {"where": where},
            "options",
            _("Två svarsalternativ har samma kod. Ändra texten på det ena."),
            number,
        )
    if reached is not None:
        missing = [r for r in reached if r not in codes]
        if missing:
            problems.add(
                _("%(where)s: reached nämner okända svarsalternativ: %(codes)s.")
                % {"where": where, "codes": ", ".join(missing)},
                "options",
                question=number,
            )
        options = [replace(o, reaches_step=o.reaches_step or o.code in reached) for o in options]
    if any(o.dont_know and o.reaches_step for o in options):
        problems.add(
            _("%(where)s: Vet ej kan inte räknas som att steget nås.") % {"where": where},
            "options",
            _("Vet ej kan inte räknas som att steget nås. Ta bort krysset för Vet ej."),
            number,
        )
    return tuple(options)


def _parse_show_if(
    raw: object, where: str, number: int, earlier: list[QuestionDef], every: list, problems: _Collector
) -> ShowIf | None:
    if raw is None:
        return None
    shown = _("Fråga %(number)s") % {"number": number}
    if not isinstance(raw, dict) or not isinstance(raw.get("question"), str):
        problems.add(
            _('%(where)s: show_if måste vara { question = "code", any_of = [...] }.') % {"where": where},
            "show_if",
            _("Välj en tidigare fråga och minst ett svar som visar frågan."),
            number,
        )
        return None
    target = next((q for q in earlier if q.code == raw["question"]), None)
    if target is None or not target.is_closed:
        later = next(
            (
                i
                for i, q in enumerate(every, start=1)
                if isinstance(q, dict) and q.get("code") == raw["question"]
            ),
            None,
        )
        if target is not None:
            plain = _(
                "%(where)s visas bara efter vissa svar på fråga %(target)s, som är en fritextfråga. Välj en "
                "fråga med svarsalternativ."
            ) % {"where": shown, "target": earlier.index(target) + 1}
        elif later is not None and later >= number:
            plain = _(
                "%(where)s visas bara efter vissa svar på fråga %(target)s, men fråga %(target)s kommer "
                "efter den. Flytta fråga %(target)s före fråga %(number)s, eller ta bort villkoret."
            ) % {"where": shown, "target": later, "number": number}
        else:
            plain = _(
                "%(where)s visas bara efter vissa svar på en fråga som inte finns i enkäten. Välj en annan "
                "fråga eller ta bort villkoret."
            ) % {"where": shown}
        problems.add(
            _("%(where)s: show_if måste hänvisa till en tidigare fråga med svarsalternativ.")
            % {"where": where},
            "show_if",
            plain,
            number,
        )
        return None
    any_of = raw.get("any_of")
    if not isinstance(any_of, list) or not any_of or any(target.option(str(c)) is None for c in any_of):
        missing = (
            [str(c) for c in any_of or [] if target.option(str(c)) is None]
            if isinstance(any_of, list)
            else []
        )
        if missing:
            plain = _(
                "%(where)s visas bara efter svaren %(codes)s på fråga %(target)s, men fråga %(target)s har inte "
                "de svaren längre. Ändra villkoret på fråga %(number)s."
            ) % {
                "where": shown,
                "codes": ", ".join(missing),
                "target": earlier.index(target) + 1,
                "number": number,
            }
        else:
            plain = _("Kryssa i minst ett svar som visar frågan.")
        problems.add(
            _("%(where)s: show_if.any_of måste lista svarsalternativ som finns på frågan %(target)s.")
            % {"where": where, "target": target.code},
            "show_if",
            plain,
            number,
        )
        return None
    return ShowIf(question=target.code, any_of=tuple(str(c) for c in any_of))


def _text(
    data: dict,
    key: str,
    where: str,
    problems: _Collector,
    *,
    plain: str = "",
    field: str = "questions",
    question: int | None = None,
) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.add(
            _("%(where)s: %(field)s saknas.") % {"where": where, "field": key}, field, plain, question
        )
        return ""
    return value.strip()


def missing_translations(questionnaire: QuestionnaireDef) -> dict[str, list[tuple[int | None, str]]]:
    """For each offered language, what has no translation: (question number or None, what) pairs.

    `what` is "title", "intro", "text", "help" or an option code. Texts that read the same in every
    language (digits) are never missing.
    """
    missing: dict[str, list[tuple[int | None, str]]] = {}
    for lang in questionnaire.languages:
        found: list[tuple[int | None, str]] = []
        if not questionnaire.title_in.get(lang):
            found.append((None, "title"))
        if questionnaire.intro and not questionnaire.intro_in.get(lang):
            found.append((None, "intro"))
        for number, q in enumerate(questionnaire.questions, start=1):
            if not q.text_in.get(lang):
                found.append((number, "text"))
            if q.help and not q.help_in.get(lang):
                found.append((number, "help"))
            found += [
                (number, o.code)
                for o in q.options
                if not o.text_in.get(lang) and not is_language_neutral(o.text)
            ]
        if found:
            missing[lang] = found
    return missing
