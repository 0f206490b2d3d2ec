"""The questionnaire designer: the question bank, and editing a questionnaire's newest version.

Every edit is made on the questionnaire in its file shape (the dict a TOML file parses to) and then read
back through `parse_questionnaire`, so the browser, the API and a file obey exactly the same rules. A
version that has answers is never changed: saving an edit to it stores a new version.

Questions taken from the bank keep the bank's order (the order they were first asked in), their show-if
conditions (pointed at the same filter question in the new questionnaire) and the channels of their options
that the new questionnaire's plan has; the pre-start check (surveys/waves/prestart_check.py) says what was
left out.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from locales import gettext as _
from locales import ngettext
from surveys import caches
from surveys.accounts import audit
from surveys.db.engine import write_transaction
from surveys.db.tables import (
    BankQuestion,
    EffectGoal,
    Plan,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Wave,
)
from surveys.errors import Conflict, Invalid, NotFound
from surveys.questionnaires.builtin_bank import builtin_bank, builtin_codes
from surveys.questionnaires.channels import channel_problems
from surveys.questionnaires.model import (
    OTHER_LANGUAGES,
    STEPS,
    Problem,
    QuestionDef,
    QuestionnaireDef,
    QuestionnaireFileError,
    parse_questionnaire,
)
from surveys.questionnaires.storage import (
    load_version,
    no_questionnaire,
    plan_channels,
    replace_questions,
    store_questionnaire,
    version_translations,
    without_ids,
)
from surveys.questionnaires.toml_file import to_toml, trend_breaks
from surveys.waves.prestart_check import BankHint, Finding, check_privacy, check_questionnaire

SCALE_KINDS = ("agree5", "yesno", "scale10")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
MAX_TITLE = 300  # the column's length
# validate() without a plan's channels to check against (a caller that checks them itself).
ANY_CHANNEL: Mapping[str, str] = {"*": "*"}


class DesignError(Invalid, ValueError):
    """The edit breaks a rule: (field, message) pairs, in the request's language. Nothing was saved.

    `errors` joins the messages of each field, for a JSON answer; `problems` keeps them apart for a page.
    """

    def __init__(self, problems: Sequence[tuple[str, str]], message: str | None = None) -> None:
        errors: dict[str, str] = {}
        for field, text in problems:
            errors[field] = f"{errors[field]} {text}" if field in errors else text
        super().__init__(message or _("Ändringen sparades inte."), errors=errors)
        self.problems = list(problems)

    def __str__(self) -> str:
        return "; ".join(message for _field, message in self.problems)

    @classmethod
    def of(cls, problems: Sequence[Problem], message: str | None = None) -> DesignError:
        """From the parser's problems, in their plain words, each naming its question."""
        return cls([(p.field, _plain(p)) for p in problems], message)


def _plain(problem: Problem) -> str:
    text = problem.message
    prefix = _("Fråga %(number)s") % {"number": problem.question}
    if problem.question is None or not problem.plain or text.startswith(prefix):
        return text
    return _("%(where)s: %(message)s") % {"where": prefix, "message": text}


class TrendBreakNotConfirmed(Conflict):
    """The edit changes the wording or scale of questions with earlier answers: ask before saving.

    `codes` are those questions, so that a page can ask for confirmation and name them.
    """

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = list(codes)
        super().__init__(
            _(
                "Frågorna %(codes)s har ny formulering eller skala, så trenden bryts. "
                "Skicka igen med confirm_trend_break = true om det är avsiktligt."
            )
            % {"codes": ", ".join(self.codes)},
            errors=dict.fromkeys(self.codes, _("Trenden bryts.")),
        )


async def draft_of(code: str) -> Draft:
    """The questionnaire's newest version; NotFound when there is no questionnaire with this code."""
    draft = await current_draft(code)
    if draft is None:
        raise no_questionnaire(code)
    return draft


async def draft_with_question(code: str, question: str) -> Draft:
    """As draft_of, and NotFound unless the draft has a question coded `question`."""
    draft = await draft_of(code)
    if draft.definition.question(question) is None:
        raise NotFound(_("Enkäten har ingen fråga med koden %(code)s.") % {"code": question})
    return draft


@dataclass(frozen=True)
class Draft:
    """A questionnaire's newest version: what the designer edits."""

    code: str
    title: str
    plan_id: int | None
    version_id: int
    number: int
    frozen: bool  # has answers: an edit makes a new version
    waves: tuple[str, ...]  # titles of waves using this version
    definition: QuestionnaireDef


@dataclass(frozen=True)
class Saved:
    number: int
    new_version: bool
    code: str = ""  # the questionnaire's code, when it was made from the title


@dataclass(frozen=True)
class BankEntry:
    code: str
    text: str
    kind: str
    step: str | None
    questionnaires: tuple[tuple[str, str], ...]  # (code, title) of questionnaires whose versions use it
    template: QuestionDef | None  # the newest question made from it, the one "add from the bank" copies
    hint: BankHint = dataclass_field(
        default_factory=BankHint
    )  # its template's condition (by bank code) and channel options


# Reading ------------------------------------------------------------------------------------------


async def current_draft(code: str) -> Draft | None:
    row = (
        await QuestionnaireVersion.select(
            QuestionnaireVersion.id,
            QuestionnaireVersion.number,
            QuestionnaireVersion.frozen,
            QuestionnaireVersion.questionnaire.title.as_alias("title"),
            QuestionnaireVersion.questionnaire.plan.as_alias("plan"),
        )
        .where(QuestionnaireVersion.questionnaire.code == code)
        .order_by(QuestionnaireVersion.number, ascending=False)
        .first()
    )
    if row is None:
        return None
    definition = await load_version(row["id"])
    waves = await Wave.select(Wave.title).where(Wave.version == row["id"]).order_by(Wave.opens_at)
    return Draft(
        code=code,
        title=row["title"],
        plan_id=row["plan"],
        version_id=row["id"],
        number=row["number"],
        frozen=row["frozen"],
        waves=tuple(w["title"] for w in waves),
        definition=without_ids(definition),
    )


async def bank_entries(
    search: str = "", step: str = "", *, exclude_version: int | None = None
) -> list[BankEntry]:
    """The question bank in its order, optionally only questions whose text or code contains `search` or
    measuring `step` ("L1"–"L4", or "none" for questions that measure no step).

    The bank's order is the order its questions were first asked in: the oldest questionnaire's first,
    each by its place there. A question keeps that place when other questionnaires reuse it, so the
    questions of one questionnaire stay together and a filter question stays before the questions it
    filters. Then the built-in questions no questionnaire has used yet (surveys/questionnaires/builtin_bank.py),
    in their own order; questions never used come last, by code. `exclude_version` leaves one version out of
    "where they were last used", the template (the one being checked against the bank).
    """
    bank = await BankQuestion.select().order_by(BankQuestion.code)
    builtin = builtin_bank()
    builtin_order = {code: index for index, code in enumerate(builtin_codes())}
    stored = {row["code"] for row in bank}
    bank = [
        *bank,
        *(
            {"code": q.bank, "text": q.text, "kind": q.kind, "step": q.step}
            for q in builtin.questions
            if q.bank not in stored
        ),
    ]
    uses = await Question.select(
        Question.version,
        Question.position,
        Question.bank_question.code.as_alias("bank"),
        Question.version.questionnaire.code.as_alias("questionnaire"),
        Question.version.questionnaire.title.as_alias("title"),
    ).where(Question.bank_question.is_not_null())
    used_in: dict[str, dict[str, str]] = {}
    newest: dict[str, int] = {}
    first: dict[str, tuple[int, int]] = {}  # bank code → (the oldest version that asks it, its place there)
    for use in uses:
        used_in.setdefault(use["bank"], {})[use["questionnaire"]] = use["title"]
        first[use["bank"]] = min(
            first.get(use["bank"], (use["version"], use["position"])), (use["version"], use["position"])
        )
        if use["version"] != exclude_version:
            newest[use["bank"]] = max(newest.get(use["bank"], 0), use["version"])
    needle = search.strip().casefold()
    versions: dict[int, QuestionnaireDef | None] = {}  # many bank questions share their newest version
    for version_id in set(newest.values()):
        versions[version_id] = await load_version(version_id)
    placed: list[tuple[tuple, BankEntry]] = []
    for row in bank:
        version_id = newest.get(row["code"], 0)
        definition = versions.get(version_id)
        if _template(row["code"], definition) is None and row["code"] in builtin_order:
            definition = builtin  # not (or no longer) asked anywhere: the built-in question is the template
        template = _template(row["code"], definition)
        text = template.text if template else row["text"]
        measured = template.step if template else row["step"]
        if needle and needle not in text.casefold() and needle not in row["code"]:
            continue
        if (step == "none" and measured is not None) or (step in STEPS and measured != step):
            continue
        entry = BankEntry(
            code=row["code"],
            text=text,
            kind=template.kind if template else row["kind"],
            step=measured,
            questionnaires=tuple(sorted(used_in.get(row["code"], {}).items(), key=lambda i: i[1])),
            template=template,
            hint=_hint(row["code"], definition),
        )
        if row["code"] in first:
            key = (0, *first[row["code"]])
        else:
            key = (1, builtin_order[row["code"]], 0) if row["code"] in builtin_order else (2, 0, 0)
        placed.append(((*key, row["code"]), entry))
    return [entry for _key, entry in sorted(placed, key=lambda item: item[0])]


def _hint(bank_code: str, definition: QuestionnaireDef | None) -> BankHint:
    """How the bank question is asked in `definition`: its filter question (by bank code), channel options."""
    found = next((q for q in definition.questions if q.bank == bank_code), None) if definition else None
    if found is None:
        return BankHint()
    channel_options = tuple(o.code for o in found.options if o.channel)
    source = definition.question(found.show_if.question) if found.show_if else None
    if source is None or source.bank is None:
        return BankHint(channel_options=channel_options)
    return BankHint(
        condition=(source.bank, found.show_if.any_of),
        condition_text=source.text,
        condition_answers=tuple(o.text for o in source.options if o.code in found.show_if.any_of),
        channel_options=channel_options,
    )


def _template(bank_code: str, definition: QuestionnaireDef | None) -> QuestionDef | None:
    found = next((q for q in definition.questions if q.bank == bank_code), None) if definition else None
    return without_ids(QuestionnaireDef("", "", (found,))).questions[0] if found else None


async def bank_hints(exclude_version: int | None = None) -> dict[str, BankHint]:
    """Each bank question's condition and channel options where it was last used, for the pre-start check."""
    return {e.code: e.hint for e in await bank_entries(exclude_version=exclude_version)}


async def _trend_reference(code: str, definition: QuestionnaireDef) -> QuestionnaireDef:
    """For each question of `definition` that has answers somewhere, its newest answered wording.

    A bank question's trend spans every questionnaire that uses it; a question outside the bank has a
    trend only within its own questionnaire.
    """
    rows = (
        await Question.select(
            Question.version,
            Question.code,
            Question.bank_question.code.as_alias("bank"),
            Question.version.questionnaire.code.as_alias("questionnaire"),
        )
        .where(Question.version.frozen == True)
        .order_by(Question.version, ascending=False)
    )
    wanted = {q.bank or q.code for q in definition.questions}
    found: dict[str, tuple[int, str]] = {}
    for row in rows:
        identity = row["bank"] or (row["code"] if row["questionnaire"] == code else None)
        if identity in wanted and identity not in found:
            found[identity] = (row["version"], row["code"])
    questions = []
    for version_id, question_code in found.values():
        version = await load_version(version_id)
        question = version.question(question_code) if version else None
        if question is not None:
            questions.append(question)
    return QuestionnaireDef(code, "", tuple(questions))


# Pure edits on the file shape ---------------------------------------------------------------------


def file_shape(definition: QuestionnaireDef) -> dict:
    """The questionnaire as a TOML file holds it: the round trip the parser is known to accept."""
    return tomllib.loads(to_toml(definition))


def validate(data: Mapping, channels: Mapping[str, str] | None = ANY_CHANNEL) -> QuestionnaireDef:
    """Read the file shape back with the file rules; DesignError names the field of each problem.

    `channels` are the plan's (code → name; None when the questionnaire has no plan): an option naming
    another channel is refused. ANY_CHANNEL leaves channels unchecked.
    """
    problems = _storage_problems(data)
    try:
        definition = parse_questionnaire(dict(data))
    except QuestionnaireFileError as exc:
        problems += [(p.field, _plain(p)) for p in exc.details]
        definition = None
    if definition is not None and channels is not ANY_CHANNEL:
        problems += [(p.field, _plain(p)) for p in channel_problems(definition, channels)]
    if problems:
        raise DesignError(problems)
    return definition


def _storage_problems(data: Mapping) -> list[tuple[str, str]]:
    """What the file rules leave to the file's author but the database cannot store (an API sends anything)."""
    problems = []
    title = data.get("title")
    if isinstance(title, str) and len(title.strip()) > MAX_TITLE:
        problems.append(("title", _("Titeln får vara högst %(max)s tecken.") % {"max": MAX_TITLE}))
    questions = data.get("questions")
    for number, question in enumerate(questions if isinstance(questions, list) else [], start=1):
        if not isinstance(question, dict):
            continue
        where = _("Fråga %(number)s") % {"number": number}
        bank = question.get("bank")
        if bank is not None and not (isinstance(bank, str) and _CODE.match(bank)):
            problems.append(
                (
                    "code",
                    _("%(where)s: koden i frågebanken får bara innehålla a–z, 0–9, - och _.")
                    % {"where": where},
                )
            )
        options = question.get("options")
        for option in options if isinstance(options, list) else []:
            if not isinstance(option, dict):
                continue
            value, channel = option.get("value"), option.get("channel")
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or abs(value) > 10**6
            ):
                problems.append(
                    (
                        "options",
                        _("%(where)s: ett svarsalternativs värde måste vara ett heltal.") % {"where": where},
                    )
                )
            if channel is not None and not (isinstance(channel, str) and _CODE.match(channel)):
                problems.append(
                    ("options", _("%(where)s: välj kanalen bland planens kanaler.") % {"where": where})
                )
    return problems


def problem_field(problem: str) -> str:
    """Which form field a file message is about, by the file field it names (text, options …)."""
    words = set(re.findall(r"[a-z_]+", problem.partition(": ")[2] or problem))
    fields = (("show_if", "show_if"), ("reaches_step", "options"), ("reached", "options"),
              ("dont_know", "dont_know"), ("svarsalternativ", "options"), ("options", "options"),
              ("max_length", "text"), ("step", "step"), ("kind", "kind"), ("required", "required"),
              ("code", "code"), ("help", "help"), ("text", "text"), ("title", "title"), ("intro", "intro"))  # fmt: skip
    return next((field for word, field in fields if word in words), "questions")


def slug(text: str, taken: Sequence[str] = (), *, fallback: str = "fraga", length: int = 40) -> str:
    """A code made from a text ("Ja, väl" → "ja_val"), not in `taken`."""
    plain = unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:length].strip("_") or fallback
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


def with_details(
    data: dict,
    title: str,
    intro: str,
    *,
    languages: Sequence[str] | None = None,
    translations: Mapping[str, Mapping[str, str]] | None = None,
) -> dict:
    """The title and intro; with `languages`, the languages offered besides Swedish and, from
    `translations` ({"en": {"title": …, "intro": …}}), the title and intro in each.

    A language no longer offered takes its texts with it, everywhere in the questionnaire.
    """
    data = {**data, "title": title, "intro": intro}
    if languages is None:
        return data
    offered = [lang for lang in OTHER_LANGUAGES if lang in languages]
    unknown = [lang for lang in languages if lang not in OTHER_LANGUAGES]  # for the parser to refuse
    data = _only_languages(data, offered)
    if offered or unknown:
        data["languages"] = offered + unknown
    for lang in offered:
        for name in ("title", "intro"):
            text = ((translations or {}).get(lang) or {}).get(name, "").strip()
            data.pop(f"{name}_{lang}", None)
            if text:
                data[f"{name}_{lang}"] = text
    return data


def _only_languages(data: dict, offered: Sequence[str]) -> dict:
    gone = {lang for lang in OTHER_LANGUAGES if lang not in offered}

    def kept(item: dict) -> dict:
        return {k: v for k, v in item.items() if k.rpartition("_")[2] not in gone or k.count("_") == 0}

    data = kept({k: v for k, v in data.items() if k != "languages"})
    questions = []
    for question in data.get("questions", []):
        question = kept(question)
        if isinstance(question.get("options"), list):
            question["options"] = [kept(o) if isinstance(o, dict) else o for o in question["options"]]
        questions.append(question)
    return {**data, "questions": questions}


def with_question(data: dict, question: dict, *, replacing: str | None = None) -> dict:
    """Add `question` at the end, or put it in place of the question coded `replacing`."""
    questions = list(data.get("questions", []))
    if replacing is None:
        questions.append(question)
    else:
        questions = [question if q.get("code") == replacing else q for q in questions]
    return {**data, "questions": questions}


def without_question(data: dict, code: str) -> dict:
    """The questionnaire without the question coded `code`; refused while other questions are shown only
    after answers to it."""
    questions = data.get("questions", [])
    dependants = [
        i
        for i, q in enumerate(questions, start=1)
        if isinstance(q.get("show_if"), dict) and q["show_if"].get("question") == code
    ]
    if dependants:
        number = next(i for i, q in enumerate(questions, start=1) if q.get("code") == code)
        raise DesignError(
            [
                (
                    "questions",
                    ngettext(
                        "Fråga %(numbers)s visas bara efter vissa svar på fråga %(number)s. Ta bort villkoret "
                        "på fråga %(numbers)s först, eller ta bort den frågan också.",
                        "Frågorna %(numbers)s visas bara efter vissa svar på fråga %(number)s. Ta bort "
                        "villkoren på dem först, eller ta bort dem också.",
                        len(dependants),
                    )
                    % {"numbers": _numbers(dependants), "number": number},
                )
            ],
            _("Frågan togs inte bort."),
        )
    return {**data, "questions": [q for q in questions if q.get("code") != code]}


def _numbers(numbers: Sequence[int]) -> str:
    words = [str(n) for n in numbers]
    return (
        words[0]
        if len(words) == 1
        else _("%(first)s och %(last)s")
        % {
            "first": ", ".join(words[:-1]),
            "last": words[-1],
        }
    )


def moved(data: dict, code: str, steps: int) -> dict:
    """The question coded `code` moved `steps` places (−1 up, +1 down); unchanged at either end."""
    questions = list(data.get("questions", []))
    index = next((i for i, q in enumerate(questions) if q.get("code") == code), None)
    if index is None:
        return data
    return moved_to(data, code, index + 1 + steps)


def moved_to(data: dict, code: str, place: int) -> dict:
    """The question coded `code` moved to `place` (from 1; kept within the questionnaire)."""
    questions = list(data.get("questions", []))
    index = next((i for i, q in enumerate(questions) if q.get("code") == code), None)
    if index is None:
        return data
    target = max(0, min(len(questions) - 1, place - 1))
    questions.insert(target, questions.pop(index))
    return {**data, "questions": questions}


def reordered(data: dict, codes: Sequence[str]) -> dict:
    """The questions in the order `codes` gives; every question exactly once."""
    questions = {q.get("code"): q for q in data.get("questions", [])}
    if sorted(codes) != sorted(questions) or len(set(codes)) != len(codes):
        raise DesignError(
            [
                (
                    "questions",
                    _("Ange varje fråga i enkäten exakt en gång: %(codes)s.")
                    % {"codes": ", ".join(questions)},
                )
            ],
            _("Ordningen sparades inte."),
        )
    return {**data, "questions": [questions[c] for c in codes]}


def from_template(template: QuestionDef) -> dict:
    """A bank question as a new question of another questionnaire, without its show-if (see from_bank)."""
    shape = file_shape(QuestionnaireDef("x", "x", (template,)))["questions"][0]
    shape.pop("show_if", None)
    return shape


def from_bank(
    entries: Sequence[BankEntry],
    present: Sequence[Mapping],
    channels: Mapping[str, str] | None,
    languages: Sequence[str] = (),
) -> list[dict]:
    """Bank questions (`entries`, in the bank's order) as new questions after `present` (file shapes).

    A question keeps its show-if when its filter question (the same bank question) comes before it, with
    the answers that question still has; an option keeps its channel when the plan has it; translations
    stay for the languages offered. What is left out, the pre-start check names.
    """
    shapes = [dict(q) for q in present]
    added: list[dict] = []
    taken = [q.get("code") for q in shapes]
    for entry in _filters_first(entries):
        shape = from_template(entry.template)
        shape = _only_languages({"questions": [shape]}, languages)["questions"][0]
        if shape["code"] in taken:
            shape["code"] = slug(shape["code"], taken)
        taken.append(shape["code"])
        if entry.hint.condition:
            source_bank, any_of = entry.hint.condition
            source = next((q for q in [*shapes, *added] if q.get("bank") == source_bank), None)
            answers = _option_codes(source) if source else set()
            kept = [c for c in any_of if c in answers]
            if source is not None and kept:
                shape["show_if"] = {"question": source["code"], "any_of": kept}
        for option in shape.get("options", []):
            if option.get("channel") and (channels is None or option["channel"] not in channels):
                del option["channel"]
        added.append(shape)
    return added


def _filters_first(entries: Sequence[BankEntry]) -> list[BankEntry]:
    """`entries` in their order, except that a filter question among them comes before the questions it
    filters (bank questions reused in several questionnaires may have been asked in another order)."""
    ordered: list[BankEntry] = []
    done: set[str] = set()
    by_code = {e.code: e for e in entries}

    def place(entry: BankEntry, seen: tuple[str, ...] = ()) -> None:
        if entry.code in done or entry.code in seen:
            return
        source = by_code.get(entry.hint.condition[0]) if entry.hint.condition else None
        if source is not None:
            place(source, (*seen, entry.code))
        ordered.append(entry)
        done.add(entry.code)

    for entry in entries:
        place(entry)
    return ordered


def _option_codes(shape: Mapping) -> set[str]:
    kind = shape.get("kind")
    if kind in ("single", "multiple"):
        return {o.get("code") for o in shape.get("options", []) if isinstance(o, dict)}
    try:
        probe = parse_questionnaire(
            {
                "code": "x",
                "title": "x",
                "languages": list(OTHER_LANGUAGES),
                "questions": [dict(shape, show_if=None)],
            }
        )
    except QuestionnaireFileError:
        return set()
    return {o.code for o in probe.questions[0].options}


def question_from_form(
    fields: Mapping[str, Sequence[str]],
    *,
    existing: QuestionDef | None,
    code: str,
    bank: str | None,
    languages: Sequence[str] = (),
) -> dict:
    """A question in its file shape from the designer's form fields.

    The form names options `option-N-text` (with `-code`, `-reaches`, `-dont-know`, `-remove`, `-channel`
    and `-text-<language>`); a new option's code is made from its text, an existing one keeps its code
    (results follow the code). The question's own texts in another language are `text-<language>` and
    `help-<language>`. An option's channel is kept as it was unless the form has a channel field for it.
    """

    def one(name: str) -> str:
        return (fields.get(name) or [""])[0].strip()

    kind = one("kind")
    question: dict = {"code": code, "kind": kind, "text": one("text")}
    if bank:
        question["bank"] = bank
    if one("help"):
        question["help"] = one("help")
    for lang in languages:
        for name in ("text", "help"):
            if one(f"{name}-{lang}"):
                question[f"{name}_{lang}"] = one(f"{name}-{lang}")
    question["required"] = one("required") == "ja"
    step = one("step")
    if step and step != "none":
        question["step"] = step
    if one("dont_know") in ("excluded", "not_reached"):
        question["dont_know"] = one("dont_know")
    if existing is not None and existing.kind == kind == "text":
        question["max_length"] = existing.max_length
    if existing is not None and existing.max_choices and kind == "multiple":
        question["max_choices"] = existing.max_choices
    show_question = one("show_if_question")
    if show_question:
        chosen = [
            v.partition(":")[2]
            for v in fields.get("show_if_any_of", [])
            if v.partition(":")[0] == show_question
        ]
        question["show_if"] = {"question": show_question, "any_of": chosen}
    rows = sorted({int(m.group(1)) for name in fields if (m := re.fullmatch(r"option-(\d+)-text", name))})
    kept = {o.code: o for o in existing.options} if existing else {}
    options, reached, taken = [], [], [one(f"option-{n}-code") for n in rows]
    for n in rows:
        text = one(f"option-{n}-text")
        given_code = one(f"option-{n}-code")
        if one(f"option-{n}-remove") == "ja":
            if kind == "agree5" and given_code == "vet_ej":
                question["dont_know_option"] = False
            continue
        if not text and not given_code:
            continue  # an empty row for a new option, left empty
        option_code = given_code or slug(text, taken, fallback=f"alternativ_{n}")
        taken.append(option_code)
        option: dict = {"code": option_code, "text": text}
        for lang in languages:
            if one(f"option-{n}-text-{lang}"):
                option[f"text_{lang}"] = one(f"option-{n}-text-{lang}")
        if kind not in SCALE_KINDS:
            if one(f"option-{n}-reaches") == "ja":
                option["reaches_step"] = True
            if one(f"option-{n}-dont-know") == "ja":
                option["dont_know"] = True
            old = kept.get(option_code)
            if f"option-{n}-channel" in fields:
                if one(f"option-{n}-channel"):
                    option["channel"] = one(f"option-{n}-channel")
            elif old is not None and old.channel:
                option["channel"] = old.channel
            if old is not None and old.value is not None:
                option["value"] = old.value
        elif one(f"option-{n}-reaches") == "ja":
            reached.append(option_code)
        options.append(option)
    if kind != "text":
        question["options"] = options
    if reached:
        question["reached"] = reached
    return question


# Saving -------------------------------------------------------------------------------------------


def first_question(text: str, kind: str, option_lines: str, taken: Sequence[str]) -> dict | None:
    """A new questionnaire's own first question from three fields (options one per line); None if empty."""
    if not text.strip() and not option_lines.strip():
        return None
    code = slug(text, taken)
    question: dict = {"code": code, "bank": code, "kind": kind, "text": text.strip()}
    lines = [line.strip() for line in option_lines.splitlines() if line.strip()]
    if kind in ("single", "multiple"):
        codes: list[str] = []
        for n, line in enumerate(lines, start=1):
            codes.append(slug(line, codes, fallback=f"alternativ_{n}"))
        question["options"] = [{"code": c, "text": line} for c, line in zip(codes, lines, strict=True)]
    return question


async def create_questionnaire(
    *,
    code: str,
    title: str,
    intro: str,
    bank_codes: Sequence[str],
    plan_code: str = "",
    first: dict | None = None,
    copy_of: str = "",
    languages: Sequence[str] | None = None,
) -> Saved:
    """A new questionnaire as version 1: a copy of another one's newest version (`copy_of`), then bank
    questions in the bank's order, then its own `first` question (file shape).

    A copy keeps its questions' bank identities, so their results compare with the original's; it belongs
    to the original's plan unless `plan_code` names another. A first question enters the bank. Problems
    with it are reported as first_text, first_kind, first_options.
    """
    problems: list[tuple[str, str]] = []
    if not code.strip() and title.strip():
        code = await _free_code(title)
    if _CODE.match(code) and await Questionnaire.exists().where(Questionnaire.code == code):
        problems.append(
            ("code", _("Det finns redan en enkät med koden %(code)s. Välj en annan kod.") % {"code": code})
        )
    source = await current_draft(copy_of) if copy_of else None
    if copy_of and source is None:
        problems.append(
            ("copy_of", _("Det finns ingen enkät med koden %(code)s att kopiera.") % {"code": copy_of})
        )
    plan_id = source.plan_id if source else None
    if plan_code:
        plan = await Plan.select(Plan.id).where(Plan.code == plan_code).first()
        if plan is None:
            problems.append(("plan", _("Det finns ingen plan med koden %(code)s.") % {"code": plan_code}))
        else:
            plan_id = plan["id"]
    channels = await plan_channels(plan_id) if plan_id is not None else None
    data: dict = {"code": code, "title": title, "questions": []}
    if source is not None:
        shape = file_shape(source.definition)
        data = {**shape, "code": code, "title": title}
        for lang in OTHER_LANGUAGES:
            data.pop(f"title_{lang}", None)  # the old title's translations do not fit a new title
        for question in data["questions"]:
            for option in question.get("options", []):
                if option.get("channel") and (channels is None or option["channel"] not in channels):
                    del option["channel"]  # another plan's channel: the check names the options left
    if intro.strip():
        data["intro"] = intro
    if languages is not None:
        data = with_details(data, title, data.get("intro", ""), languages=languages)
    entries = await bank_entries()
    known = {e.code: e for e in entries}
    present = {q.get("bank") for q in data["questions"]}
    for bank_code in dict.fromkeys(bank_codes):
        entry = known.get(bank_code)
        if entry is None or entry.template is None:
            problems.append(("bank", _("Frågan %(code)s finns inte i frågebanken.") % {"code": bank_code}))
    # In the bank's order, whatever order they were ticked or sent in.
    chosen = [e for e in entries if e.code in bank_codes and e.template is not None and e.code not in present]
    data["questions"] += from_bank(chosen, data["questions"], channels, data.get("languages", ()))
    if first is not None:
        taken = {q["code"] for q in data["questions"]}
        if (
            first["code"] in taken
            or first["bank"] in builtin_codes()
            or await BankQuestion.exists().where(BankQuestion.code == first["bank"])
        ):
            problems.append(
                (
                    "first_text",
                    _(
                        "Frågebanken har redan en fråga med koden %(code)s. Lägg till den från frågebanken, "
                        "eller ge den nya frågan en annan kod."
                    )
                    % {"code": first["code"]},
                )
            )
        data["questions"].append(first)
    questions = data["questions"]
    if not questions and not any(field in ("bank", "copy_of") for field, _message in problems):
        problems.append(
            (
                "bank",
                _(
                    "Välj minst en fråga ur frågebanken eller skriv en första fråga. Du kan lägga till fler sedan."
                ),
            )
        )
    definition, found = _checked(data, channels)
    for problem in found:
        field = problem.field
        if first is not None and problem.question == len(questions):
            field = f"first_{field}" if field in ("text", "kind", "options") else "first_text"
        # Without questions the parser's "at least one question" repeats what was said above.
        if field != "questions" or questions:
            problems.append((field, _plain(problem)))
    not_created = _("Enkäten skapades inte.")
    if problems:
        raise DesignError(problems, not_created)
    async with write_transaction():
        if await Questionnaire.exists().where(Questionnaire.code == code):
            raise DesignError(
                [
                    (
                        "code",
                        _("Det finns redan en enkät med koden %(code)s. Välj en annan kod.") % {"code": code},
                    )
                ],
                not_created,
            )
        await store_questionnaire(definition, plan_id=plan_id)
        await audit.record_action(
            audit.Action.QUESTIONNAIRE_CREATED,
            audit.named("Enkät", code, definition.title),
            f"kopia av enkät {copy_of}" if copy_of else f"{len(definition.questions)} frågor",
        )
    return Saved(number=1, new_version=True, code=code)


async def _free_code(title: str) -> str:
    """A code made from the title, so that nobody has to invent one: 'uppfoljning-2027', then '-2' …"""
    from surveys.plans.rules import code_from_name, free_code

    wanted = code_from_name(title)[:50].rstrip("-")
    return free_code(wanted, {r["code"] for r in await Questionnaire.select(Questionnaire.code)})


async def suggested_bank_codes(plan_code: str) -> list[str]:
    """For a new questionnaire of a plan: one bank question for each step the plan's goals measure, the
    first in the bank's order (questions the county has asked before come before the built-in ones)."""
    goals = await EffectGoal.select(EffectGoal.step).where(EffectGoal.plan.code == plan_code)
    steps = sorted({g["step"] for g in goals})
    entries = [e for e in await bank_entries() if e.template is not None]
    chosen = []
    for step in steps:
        match = next((e for e in entries if e.step == step), None)
        if match is not None:
            chosen.append(match.code)
    return chosen


def _checked(
    data: Mapping, channels: Mapping[str, str] | None
) -> tuple[QuestionnaireDef | None, list[Problem]]:
    """validate() without raising: the definition (None when broken) and every problem, as the parser's."""
    problems = [Problem(message, field, message) for field, message in _storage_problems(data)]
    try:
        definition = parse_questionnaire(dict(data))
    except QuestionnaireFileError as exc:
        return None, problems + exc.details
    problems += channel_problems(definition, channels)
    return (None if problems else definition), problems


async def edit(
    code: str,
    change: Callable[[dict], dict],
    *,
    confirm_trend_break: bool = False,
    new_bank_codes: Sequence[str] = (),
) -> Saved:
    """Apply `change` to the questionnaire's newest version (in its file shape) and save it whole.

    `new_bank_codes` are questions entering the bank with this edit: their codes must be free there.
    Raises NotFound, DesignError (nothing saved) or TrendBreakNotConfirmed.
    """
    return await _edit(
        await draft_of(code), change, confirm_trend_break=confirm_trend_break, new_bank_codes=new_bank_codes
    )


async def _edit(
    draft: Draft, change: Callable[[dict], dict], *, confirm_trend_break: bool, new_bank_codes: Sequence[str]
) -> Saved:
    data = change(file_shape(draft.definition))
    channels = await plan_channels(draft.plan_id) if draft.plan_id is not None else None
    definition = validate(data, channels)
    taken = [
        c
        for c in new_bank_codes
        if c in builtin_codes() or await BankQuestion.exists().where(BankQuestion.code == c)
    ]
    if taken:
        raise DesignError(
            [
                (
                    "code",
                    _(
                        "Frågebanken har redan en fråga med koden %(code)s. Lägg till den från frågebanken, "
                        "eller ge den nya frågan en annan kod."
                    )
                    % {"code": c},
                )
                for c in taken
            ]
        )
    reference = await _trend_reference(draft.code, definition)
    breaks = set(trend_breaks(reference, definition)) - set(trend_breaks(reference, draft.definition))
    if breaks and not confirm_trend_break:
        raise TrendBreakNotConfirmed([q.code for q in definition.questions if q.code in breaks])
    return await _save(draft, definition)


async def add_questions(
    code: str,
    bank_codes: Sequence[str] = (),
    *,
    new_question: Mapping | None = None,
    confirm_trend_break: bool = False,
) -> Saved:
    """Add questions at the end of the questionnaire: a new one, then copies of questions from the bank.

    `new_question` is in the file's shape and enters the bank under its own code. A bank question the
    questionnaire has already, or one the bank does not have, is refused under its bank code.
    """
    draft = await draft_of(code)
    not_added = _("Frågorna lades inte till.")
    chosen = list(dict.fromkeys(bank_codes))
    if not chosen and new_question is None:
        raise DesignError([("bank", _("Kryssa i minst en fråga att lägga till."))], not_added)
    added: list[dict] = []
    new_bank: list[str] = []
    if new_question is not None:
        question = dict(new_question)
        if isinstance(question.get("code"), str):
            question["bank"] = question["code"]
            new_bank.append(question["bank"])
        added.append(question)
    problems: list[tuple[str, str]] = []
    from_the_bank: list[BankEntry] = []
    if chosen:
        ordered = await bank_entries()
        entries = {e.code: e for e in ordered}
        present = {q.bank or q.code for q in draft.definition.questions}
        for bank_code in chosen:
            entry = entries.get(bank_code)
            if entry is None or entry.template is None:
                problems.append(
                    (bank_code, _("Frågan %(code)s finns inte i frågebanken.") % {"code": bank_code})
                )
            elif bank_code in present:
                problems.append(
                    (bank_code, _("Frågan %(code)s finns redan i enkäten.") % {"code": bank_code})
                )
        # In the bank's order, whatever order they were ticked or sent in.
        from_the_bank = [
            e for e in ordered if e.code in chosen and e.template is not None and e.code not in present
        ]
    if problems:
        raise DesignError(problems, not_added)
    channels = await plan_channels(draft.plan_id) if draft.plan_id is not None else None

    def change(shape: dict) -> dict:
        for question in added:
            shape = with_question(shape, question)
        banked = from_bank(from_the_bank, shape["questions"], channels, shape.get("languages", ()))
        return {**shape, "questions": [*shape["questions"], *banked]}

    return await _edit(draft, change, confirm_trend_break=confirm_trend_break, new_bank_codes=new_bank)


async def _save(draft: Draft, definition: QuestionnaireDef) -> Saved:
    before = {q.bank for q in draft.definition.questions if q.bank}
    async with write_transaction():
        # Claims the draft row (PostgreSQL locks it): a response that would freeze it meanwhile waits, or
        # has already won, and then the edit becomes a new version.
        still_draft = (
            await QuestionnaireVersion.update({QuestionnaireVersion.frozen: False})
            .where((QuestionnaireVersion.id == draft.version_id) & (QuestionnaireVersion.frozen == False))
            .returning(QuestionnaireVersion.id)
        )
        # Two people editing at once: the later save must not silently undo the earlier one.
        newest = (
            await QuestionnaireVersion.select(QuestionnaireVersion.id)
            .where(QuestionnaireVersion.questionnaire.code == draft.code)
            .order_by(QuestionnaireVersion.number, ascending=False)
            .first()
        )
        stored = await load_version(draft.version_id)
        if newest["id"] != draft.version_id or stored is None or without_ids(stored) != draft.definition:
            raise DesignError(
                [
                    (
                        "questions",
                        _(
                            "Någon annan ändrade enkäten medan du arbetade. Ladda om sidan, "
                            "kontrollera ändringarna och gör din ändring igen."
                        ),
                    )
                ]
            )
        if still_draft:
            await QuestionnaireVersion.update(
                {
                    QuestionnaireVersion.title: definition.title,
                    QuestionnaireVersion.intro: definition.intro,
                    QuestionnaireVersion.translations: version_translations(definition),
                }
            ).where(QuestionnaireVersion.id == draft.version_id)
            await replace_questions(draft.version_id, definition, draft.plan_id)
            saved = Saved(draft.number, new_version=False)
        else:
            await store_questionnaire(definition)
            saved = Saved(draft.number + 1, new_version=True)
        await Questionnaire.update({Questionnaire.title: definition.title}).where(
            Questionnaire.code == draft.code
        )
        for q in definition.questions:
            if q.bank:
                # The bank shows a question as it was last worded.
                await BankQuestion.update(
                    {BankQuestion.text: q.text, BankQuestion.kind: q.kind, BankQuestion.step: q.step}
                ).where(BankQuestion.code == q.bank)
        # A question that only ever existed in this draft leaves the bank with it: nobody answered it.
        gone = before - {q.bank for q in definition.questions if q.bank}
        for bank_code in gone:
            if not await Question.exists().where(Question.bank_question.code == bank_code):
                await BankQuestion.delete().where(BankQuestion.code == bank_code)
        await audit.record_action(
            audit.Action.QUESTIONNAIRE_CHANGED,
            audit.named("Enkät", draft.code, definition.title),
            f"version {saved.number}" + (" (ny version)" if saved.new_version else ""),
        )
    # A wave on this draft (not yet answered) shows the edit at once, on this worker at least.
    caches.after_questionnaire_change()
    return saved


async def prestart_findings(draft: Draft, k: int) -> list[Finding]:
    """The pre-start check of a questionnaire's newest version, against its plan and the question bank."""
    channels = await plan_channels(draft.plan_id) if draft.plan_id is not None else None
    hints = await bank_hints(exclude_version=draft.version_id)
    return check_questionnaire(draft.definition, channels=channels, bank=hints) + check_privacy(
        draft.definition, await plan_sizes(draft.plan_id), k
    )


async def plan_sizes(plan_id: int | None) -> dict[tuple[str, str], int | None]:
    """Known group sizes of a plan by (organisation name, target group name), for the pre-publish check.

    Before a wave exists every organisation and target group of the plan might be asked.
    """
    if plan_id is None:
        return {}
    from surveys.db.tables import PlanOrganisation, TargetGroup, TargetGroupSize

    organisations = await PlanOrganisation.select(
        PlanOrganisation.organisation.id.as_alias("id"), PlanOrganisation.organisation.name.as_alias("name")
    ).where(PlanOrganisation.plan == plan_id)
    groups = await TargetGroup.select(TargetGroup.id, TargetGroup.name).where(TargetGroup.plan == plan_id)
    rows = await TargetGroupSize.select(
        TargetGroupSize.target_group, TargetGroupSize.organisation, TargetGroupSize.size
    ).where(TargetGroupSize.target_group.plan == plan_id)
    sizes = {(r["organisation"], r["target_group"]): r["size"] for r in rows}
    sized = {r["target_group"] for r in rows}
    return {
        (org["name"], group["name"]): sizes.get((org["id"], group["id"]), 0) if group["id"] in sized else None
        for org in organisations
        for group in groups
    }
