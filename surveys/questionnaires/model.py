"""The questionnaire model: question kinds, effect steps, show-if rules, and questionnaire files.

Plain frozen dataclasses, so that parsing, validation and rendering never need the database.
A questionnaire file (TOML) looks like:

    code = "uppfoljning"
    title = "Uppföljning av färdplanen"
    intro = "Det tar två minuter."

    [[questions]]
    code = "kannedom"
    kind = "single"
    text = "Känner du till färdplanen?"
    step = "L1"
    dont_know = "not_reached"
    options = [
        { code = "ja_val", text = "Ja, väl", reaches_step = true },
        { code = "nej", text = "Nej" },
        { code = "vet_ej", text = "Vet ej", dont_know = true },
    ]
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
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

MAX_TEXT_LENGTH = 2000
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")

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


@dataclass(frozen=True)
class OptionDef:
    code: str
    text: str
    value: int | None = None
    reaches_step: bool = False
    dont_know: bool = False
    channel: str | None = None
    id: int | None = None


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
    dont_know: str = "excluded"
    show_if: ShowIf | None = None
    max_length: int = 0
    max_choices: int = 0
    bank: str | None = None
    id: int | None = None

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

    def question(self, code: str) -> QuestionDef | None:
        return next((q for q in self.questions if q.code == code), None)

    @property
    def estimated_minutes(self) -> int:
        # About ten seconds a closed question and a minute a free-text one, rounded up.
        seconds = sum(60 if q.kind == "text" else 10 for q in self.questions)
        return max(1, -(-seconds // 60))


class QuestionnaireFileError(Invalid, ValueError):
    """A questionnaire file has problems; each one says where and what to do (in Swedish)."""

    def __init__(self, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
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


def parse_questionnaire(data: dict) -> QuestionnaireDef:
    """Build a questionnaire from parsed TOML/JSON data; collects every problem before raising."""
    problems: list[str] = []
    where = _("enkäten")
    code = _text(data, "code", where, problems)
    if code and not _CODE.match(code):
        problems.append(_("enkätens code %(code)s får bara innehålla a–z, 0–9, - och _.") % {"code": code})
    title = _text(data, "title", where, problems)
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append(_("enkäten måste ha minst en fråga ([[questions]])."))
        raw_questions = []
    unknown = set(data) - {"code", "title", "intro", "questions"}
    if unknown:
        problems.append(_("enkäten har okända fält: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    questions: list[QuestionDef] = []
    for number, raw in enumerate(raw_questions, start=1):
        question = _parse_question(raw, number, questions, problems)
        if question is not None:
            questions.append(question)
    if problems:
        raise QuestionnaireFileError(problems)
    return QuestionnaireDef(
        code=code, title=title, intro=str(data.get("intro", "")).strip(), questions=tuple(questions)
    )


def _parse_question(
    raw: object, number: int, earlier: list[QuestionDef], problems: list[str]
) -> QuestionDef | None:
    where = _("fråga %(number)s") % {"number": number}
    if not isinstance(raw, dict):
        problems.append(_("%(where)s: måste vara en tabell med code, kind och text.") % {"where": where})
        return None
    before = len(problems)
    code = _text(raw, "code", where, problems)
    if code:
        where = _("fråga %(number)s (%(code)s)") % {"number": number, "code": code}
        if not _CODE.match(code):
            problems.append(_("%(where)s: code får bara innehålla a–z, 0–9, - och _.") % {"where": where})
        if any(q.code == code for q in earlier):
            problems.append(_("%(where)s: code finns redan på en tidigare fråga.") % {"where": where})
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(
            _("%(where)s: kind måste vara en av %(kinds)s.") % {"where": where, "kinds": ", ".join(KINDS)}
        )
        return None
    text = _text(raw, "text", where, problems)
    step = raw.get("step")
    if step is not None and step not in STEPS:
        problems.append(
            _("%(where)s: step måste vara en av %(steps)s (L0, räckvidd, mäts inte med frågor).")
            % {"where": where, "steps": ", ".join(STEPS)}
        )
    if step is not None and kind in ("text", "multiple"):
        problems.append(
            _("%(where)s: bara frågor med ett svar kan mäta ett steg i effekttrappan.") % {"where": where}
        )
    dont_know = raw.get("dont_know", "excluded")
    if dont_know not in DONT_KNOW_RULES:
        problems.append(_("%(where)s: dont_know måste vara not_reached eller excluded.") % {"where": where})
    options = _parse_options(raw, kind, where, problems)
    if step is not None and options and not any(o.reaches_step for o in options):
        problems.append(
            _("%(where)s: ange vilka svarsalternativ som räknas som att steget nås (reaches_step).")
            % {"where": where}
        )
    show_if = _parse_show_if(raw.get("show_if"), where, earlier, problems)
    max_length = raw.get("max_length", MAX_TEXT_LENGTH if kind == "text" else 0)
    if kind == "text" and (not isinstance(max_length, int) or not 1 <= max_length <= MAX_TEXT_LENGTH):
        problems.append(
            _("%(where)s: max_length måste vara ett heltal mellan 1 och %(max)s.")
            % {"where": where, "max": MAX_TEXT_LENGTH}
        )
    if not isinstance(raw.get("required", True), bool):
        problems.append(_("%(where)s: required måste vara true eller false.") % {"where": where})
    max_choices = raw.get("max_choices", 0)
    if not isinstance(max_choices, int) or max_choices < 0:
        problems.append(
            _("%(where)s: max_choices måste vara ett heltal, 0 betyder obegränsat.") % {"where": where}
        )
    unknown = set(raw) - {
        "code", "kind", "text", "help", "required", "step", "dont_know", "show_if",
        "max_length", "max_choices", "options", "reached", "bank", "dont_know_option",
    }  # fmt: skip
    if unknown:
        problems.append(
            _("%(where)s: okända fält %(fields)s.") % {"where": where, "fields": ", ".join(sorted(unknown))}
        )
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
    )


def _parse_options(raw: dict, kind: str, where: str, problems: list[str]) -> tuple[OptionDef, ...]:
    reached = raw.get("reached")
    if reached is not None and not (isinstance(reached, list) and all(isinstance(r, str) for r in reached)):
        problems.append(
            _("%(where)s: reached måste vara en lista med svarsalternativens code.") % {"where": where}
        )
        reached = None
    if kind == "text":
        if raw.get("options"):
            problems.append(_("%(where)s: en fritextfråga har inga svarsalternativ.") % {"where": where})
        return ()
    given = raw.get("options")
    if kind in ("single", "multiple"):
        if not isinstance(given, list) or len(given) < 2:
            problems.append(_("%(where)s: ange minst två svarsalternativ (options).") % {"where": where})
            return ()
        options = []
        for i, item in enumerate(given, start=1):
            if not isinstance(item, dict) or not item.get("code") or not str(item.get("text", "")).strip():
                problems.append(
                    _("%(where)s: svarsalternativ %(number)s behöver code och text.")
                    % {"where": where, "number": i}
                )
                continue
            extra = set(item) - {"code", "text", "value", "reaches_step", "dont_know", "channel"}
            if extra:
                problems.append(
                    _("%(where)s: svarsalternativ %(number)s har okända fält: %(fields)s.")
                    % {"where": where, "number": i, "fields": ", ".join(sorted(extra))}
                )
                continue
            if not _CODE.match(str(item["code"])):
                problems.append(
                    _("%(where)s: svarsalternativ %(number)s har en ogiltig code.")
                    % {"where": where, "number": i}
                )
                continue
            options.append(
                OptionDef(
                    code=str(item["code"]),
                    text=str(item["text"]).strip(),
                    value=item.get("value"),
                    reaches_step=bool(item.get("reaches_step", False)),
                    dont_know=bool(item.get("dont_know", False)),
                    channel=item.get("channel"),
                )
            )
    else:
        defaults = {"agree5": _AGREE5, "yesno": _YESNO, "scale10": _SCALE10}[kind]
        texts = {}
        if isinstance(given, list):
            texts = {str(o.get("code")): str(o.get("text", "")).strip() for o in given if isinstance(o, dict)}
        options = [OptionDef(code=c, text=texts.get(c) or t, value=v) for c, t, v in defaults]
        if kind == "agree5" and raw.get("dont_know_option", True):
            options.append(OptionDef(code="vet_ej", text=texts.get("vet_ej") or "Vet ej", dont_know=True))
    codes = [o.code for o in options]
    if len(set(codes)) != len(codes):
        problems.append(_("%(where)s: två svarsalternativ har samma code.") % {"where": where})
    if reached is not None:
        missing = [r for r in reached if r not in codes]
        if missing:
            problems.append(
                _("%(where)s: reached nämner okända svarsalternativ: %(codes)s.")
                % {"where": where, "codes": ", ".join(missing)}
            )
        options = [replace(o, reaches_step=o.reaches_step or o.code in reached) for o in options]
    if any(o.dont_know and o.reaches_step for o in options):
        problems.append(_("%(where)s: Vet ej kan inte räknas som att steget nås.") % {"where": where})
    return tuple(options)


def _parse_show_if(raw: object, where: str, earlier: list[QuestionDef], problems: list[str]) -> ShowIf | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("question"), str):
        problems.append(
            _('%(where)s: show_if måste vara { question = "code", any_of = [...] }.') % {"where": where}
        )
        return None
    target = next((q for q in earlier if q.code == raw["question"]), None)
    if target is None or not target.is_closed:
        problems.append(
            _("%(where)s: show_if måste hänvisa till en tidigare fråga med svarsalternativ.")
            % {"where": where}
        )
        return None
    any_of = raw.get("any_of")
    if not isinstance(any_of, list) or not any_of or any(target.option(str(c)) is None for c in any_of):
        problems.append(
            _("%(where)s: show_if.any_of måste lista svarsalternativ som finns på frågan %(target)s.")
            % {"where": where, "target": target.code}
        )
        return None
    return ShowIf(question=target.code, any_of=tuple(str(c) for c in any_of))


def _text(data: dict, key: str, where: str, problems: list[str]) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(_("%(where)s: %(field)s saknas.") % {"where": where, "field": key})
        return ""
    return value.strip()
