"""The questionnaire designer in the browser: the question bank, new questionnaires, editing questions.

Every action is an ordinary form post (moving a question is a button, or a place to move it to), so the
designer works without JavaScript; with it, questions are dragged into place or moved with the arrow keys
(server/static/designer.js), which posts the new order. The rules are the file format's:
surveys/questionnaires/designer.py reads each edit back through the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from locales import gettext as _
from server.errors import UserError
from server.scopes import check_plan, check_questionnaire, in_scope, questionnaires_in_scope
from server.sessions import requires_page, session_account
from server.web.forms import field_value, read_form
from surveys.accounts.scopes import covers_every_plan
from surveys.accounts.users import Role
from surveys.plans.editing import plan_codes
from surveys.questionnaires.designer import (
    SCALE_KINDS,
    DesignError,
    Draft,
    TrendBreakNotConfirmed,
    add_questions,
    bank_entries,
    create_questionnaire,
    current_draft,
    draft_of,
    draft_with_question,
    edit,
    first_question,
    moved,
    moved_to,
    prestart_findings,
    question_from_form,
    reordered,
    slug,
    suggested_bank_codes,
    with_details,
    with_question,
    without_question,
)
from surveys.questionnaires.model import (
    LANGUAGE_NAMES,
    OTHER_LANGUAGES,
    STEPS,
    QuestionDef,
    default_dont_know,
)
from surveys.questionnaires.storage import plan_channels

COMMUNICATOR = [requires_page(Role.COMMUNICATOR)]
BLANK_OPTION_ROWS = 3
QUESTION_FIELDS = ("code", "text", "help", "kind", "required", "step", "dont_know", "options", "show_if")
DETAIL_FIELDS = ("title", "intro", "languages")


def language_names() -> dict[str, str]:
    """The languages a questionnaire may be offered in besides Swedish, by their names in the page's language."""
    return {lang: _(LANGUAGE_NAMES[lang]) for lang in OTHER_LANGUAGES}


def kind_names() -> dict[str, str]:
    return {
        "single": _("Ett svar"),
        "multiple": _("Flera svar"),
        "agree5": _("Instämmer, skala 1–5 med Vet ej"),
        "yesno": _("Ja eller nej"),
        "scale10": _("Skala 0–10"),
        "text": _("Fritext"),
    }


def step_names() -> dict[str, str]:
    return {
        "L1": _("L1 kännedom"),
        "L2": _("L2 förståelse"),
        "L3": _("L3 acceptans"),
        "L4": _("L4 handling"),
    }


def _linked(problems, available, fallback: str) -> list[tuple[str, str]]:
    """(field id, message) for the error summary: each message linked to a field on this page."""
    ids = {"show_if": "show_if_question", "options": "options", "bank": "bank"}
    return [(ids.get(f, f) if f in available else fallback, message) for f, message in problems]


def _one(fields: dict[str, list[str]], name: str) -> str:
    return field_value(fields, name).strip()


# The bank ----------------------------------------------------------------------------------------


async def _bank_page(
    request: Request, *, sok: str, steg: str, enkat: str, problems=(), breaks=(), chosen=(), status=200
) -> Template:
    account = await session_account(request)
    if enkat:  # the bank page itself is plan-less; the questionnaire it adds to must be one of the person's
        await check_questionnaire(account, Role.COMMUNICATOR, enkat)
    target = await current_draft(enkat) if enkat else None
    return Template(
        "workspace/bank.html",
        context={
            "account": account,
            "entries": await bank_entries(sok, steg),
            "search": sok,
            "step": steg,
            "target": target,
            "in_target": {q.bank or q.code for q in target.definition.questions} if target else set(),
            "questionnaires": await _questionnaire_choices(account),
            "kinds": kind_names(),
            "steps": step_names(),
            "problems": list(problems),
            "breaks": list(breaks),
            "chosen": set(chosen),
        },
        status_code=status,
    )


async def _questionnaire_choices(account) -> list[tuple[str, str]]:
    from surveys.questionnaires.storage import questionnaire_list

    return [(q.code, q.title) for q in questionnaires_in_scope(account, await questionnaire_list())]


@get("/arbeta/fragebank", guards=COMMUNICATOR)
async def bank_page(
    request: Request, sok: FromQuery[str] = "", steg: FromQuery[str] = "", enkat: FromQuery[str] = ""
) -> Template:
    return await _bank_page(request, sok=sok, steg=steg, enkat=enkat)


@post("/arbeta/enkater/{code:str}/fran-banken", guards=COMMUNICATOR, status_code=303)
async def add_from_bank(request: Request, code: FromPath[str]) -> Template | Redirect:
    fields = await read_form(request)
    chosen = list(dict.fromkeys(fields.get("bank", [])))
    problems: list[tuple[str, str]] = []
    breaks: list[str] = []
    try:
        saved = await add_questions(code, chosen, confirm_trend_break=_one(fields, "confirm") == "ja")
    except DesignError as exc:
        problems = exc.problems
    except TrendBreakNotConfirmed as exc:
        # Not a failure but a question to the person: the page asks them to confirm.
        breaks = exc.codes
    if problems or breaks:
        return await _bank_page(
            request,
            sok="",
            steg="",
            enkat=code,
            problems=_linked(problems, {"bank"}, "bank"),
            breaks=breaks,
            chosen=chosen,
            status=409 if breaks and not problems else 422,
        )
    return Redirect(path=f"/arbeta/enkater/{code}/redigera?sparat={_saved_word(saved)}", status_code=303)


def _saved_word(saved) -> str:
    return "ny-version" if saved.new_version else "ja"


# A new questionnaire -----------------------------------------------------------------------------


async def _new_page(request: Request, *, values=None, problems=(), status=200) -> Template:
    account = await session_account(request)
    return Template(
        "workspace/new_questionnaire.html",
        context={
            "account": account,
            "entries": [e for e in await bank_entries() if e.template is not None],
            "plans": in_scope(account, await plan_codes()),
            "questionnaires": await _questionnaire_choices(account),
            "kinds": kind_names(),
            "steps": step_names(),
            "languages": language_names(),
            "values": values or {"bank": [], "languages": []},
            "suggested": bool(values and values.get("suggested")),
            "problems": list(problems),
            "errors": dict(reversed(list(problems))),
        },
        status_code=status,
    )


@get("/arbeta/enkater/ny", guards=COMMUNICATOR)
async def new_questionnaire_page(
    request: Request, kopia: FromQuery[str] = "", plan: FromQuery[str] = ""
) -> Template:
    values: dict = {"bank": [], "languages": []}
    if plan:  # from the plan's page: its plan, and a bank question for each step its goals measure
        values.update(plan=plan, bank=await suggested_bank_codes(plan))
        values["suggested"] = bool(values["bank"])
    if kopia:
        await check_questionnaire(await session_account(request), Role.COMMUNICATOR, kopia)
    source = await current_draft(kopia) if kopia else None
    if source is not None:
        values.update(
            copy_of=source.code,
            title=_("Kopia av %(title)s") % {"title": source.title},
            languages=list(source.definition.languages),
        )
    return await _new_page(request, values=values)


@post("/arbeta/enkater/ny", guards=COMMUNICATOR, status_code=303)
async def new_questionnaire(request: Request) -> Template | Redirect:
    fields = await read_form(request)
    values = {
        name: _one(fields, name)
        for name in ("code", "title", "intro", "plan", "copy_of", "first_text", "first_kind", "first_options")
    }
    values["bank"] = fields.get("bank", [])
    values["languages"] = fields.get("languages", [])
    first = first_question(
        values["first_text"], values["first_kind"], values["first_options"], taken=values["bank"]
    )
    # The chosen plan must be one of the person's (server/scopes.py); a questionnaire of no plan only for
    # someone whose role covers every plan.
    account = await session_account(request)
    if values["plan"].strip():
        check_plan(account, Role.COMMUNICATOR, values["plan"].strip())
    elif not covers_every_plan(account):
        problem = ("plan", _("Välj vilken av dina planer enkäten hör till."))
        return await _new_page(request, values=values, problems=[problem], status=422)
    if values["copy_of"].strip():
        await check_questionnaire(account, Role.COMMUNICATOR, values["copy_of"].strip())
    try:
        saved = await create_questionnaire(
            code=values["code"],
            title=values["title"],
            intro=values["intro"],
            bank_codes=values["bank"],
            plan_code=values["plan"],
            first=first,
            copy_of=values["copy_of"],
            languages=values["languages"],
        )
    except DesignError as exc:
        available = {"code", "title", "intro", "plan", "bank", "copy_of", "languages", "first_text", "first_kind",
                     "first_options"}  # fmt: skip
        problems = _linked(exc.problems, available, "code")
        return await _new_page(request, values=values, problems=problems, status=422)
    return Redirect(path=f"/arbeta/enkater/{saved.code}/redigera?sparat=skapad", status_code=303)


# The designer page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionItem:
    """A question as the designer's list shows it: its number, and its condition in words."""

    number: int
    question: QuestionDef
    condition: str  # "visas bara efter vissa svar på fråga 2", or ""


def _items(draft: Draft) -> list[QuestionItem]:
    definition = draft.definition
    items = []
    for number, q in enumerate(definition.questions, start=1):
        condition = ""
        if q.show_if:
            source = definition.number_of(q.show_if.question)
            condition = _("visas bara efter vissa svar på fråga %(number)s") % {"number": source or "?"}
        items.append(QuestionItem(number, q, condition))
    return items


def _detail_values(draft: Draft) -> dict:
    definition = draft.definition
    return {
        "title": definition.title,
        "intro": definition.intro,
        "languages": list(definition.languages),
        "translations": {
            lang: {"title": definition.title_in.get(lang) or "", "intro": definition.intro_in.get(lang) or ""}
            for lang in OTHER_LANGUAGES
        },
    }


async def _designer_page(
    request: Request, draft: Draft, *, saved="", values=None, problems=(), breaks=(), status=200
) -> Template:
    return Template(
        "workspace/designer.html",
        context={
            "account": await session_account(request),
            "draft": draft,
            "items": _items(draft),
            "kinds": kind_names(),
            "steps": step_names(),
            "languages": language_names(),
            "saved": saved,
            "values": values or _detail_values(draft),
            "problems": list(problems),
            "errors": dict(reversed(list(problems))),
            "breaks": list(breaks),
        },
        status_code=status,
    )


@get("/arbeta/enkater/{code:str}/redigera", guards=COMMUNICATOR)
async def designer_page(
    request: Request, code: FromPath[str], sparat: FromQuery[str] = "", flyttad: FromQuery[str] = ""
) -> Template:
    draft = await draft_of(code)
    saved = sparat
    if sparat and flyttad and draft.definition.question(flyttad):
        saved = "flyttad"
    response = await _designer_page(request, draft, saved=saved)
    response.context["moved"] = (flyttad, draft.definition.number_of(flyttad)) if saved == "flyttad" else None
    return response


@post("/arbeta/enkater/{code:str}/redigera", guards=COMMUNICATOR, status_code=303)
async def edit_details(request: Request, code: FromPath[str]) -> Template | Redirect:
    draft = await draft_of(code)
    fields = await read_form(request)
    languages = [lang for lang in fields.get("languages", []) if lang in OTHER_LANGUAGES]
    translations = {
        lang: {"title": _one(fields, f"title-{lang}"), "intro": _one(fields, f"intro-{lang}")}
        for lang in OTHER_LANGUAGES
    }
    values = {"title": _one(fields, "title"), "intro": _one(fields, "intro"), "languages": languages,
              "translations": translations}  # fmt: skip
    try:
        saved = await edit(
            code,
            lambda data: with_details(
                data, values["title"], values["intro"], languages=languages, translations=translations
            ),
        )
    except DesignError as exc:
        problems = _linked(exc.problems, set(DETAIL_FIELDS), "questions")
        return await _designer_page(request, draft, values=values, problems=problems, status=422)
    return Redirect(path=f"/arbeta/enkater/{code}/redigera?sparat={_saved_word(saved)}", status_code=303)


@post("/arbeta/enkater/{code:str}/fragor/{question:str}/flytta", guards=COMMUNICATOR, status_code=303)
async def move_question(
    request: Request, code: FromPath[str], question: FromPath[str]
) -> Template | Redirect:
    """Up, down (riktning) or to a place (plats, from 1): one post, however far the question goes."""
    draft = await draft_with_question(code, question)
    fields = await read_form(request)
    place = _one(fields, "plats")
    steps = {"upp": -1, "ned": 1}.get(_one(fields, "riktning"))
    if place.isdigit() and int(place) >= 1:
        change = lambda data: moved_to(data, question, int(place))  # noqa: E731
    elif steps is not None:
        change = lambda data: moved(data, question, steps)  # noqa: E731
    else:
        raise UserError(400, _("Välj om frågan ska flyttas upp, ned eller till en plats."))
    try:
        saved = await edit(code, change)
    except DesignError as exc:
        problems = _linked(exc.problems, set(), "questions")
        return await _designer_page(request, draft, problems=problems, status=422)
    return Redirect(
        path=f"/arbeta/enkater/{code}/redigera?sparat={_saved_word(saved)}&flyttad={question}#fraga-{question}",
        status_code=303,
    )


@post("/arbeta/enkater/{code:str}/ordning", guards=COMMUNICATOR, status_code=303)
async def reorder(request: Request, code: FromPath[str]) -> Template | Redirect:
    """The whole order at once (the script's drag and drop): `ordning` holds every question's code."""
    draft = await draft_of(code)
    fields = await read_form(request)
    order = [c for value in fields.get("ordning", []) for c in value.split(",") if c]
    moved_code = _one(fields, "flyttad")
    try:
        saved = await edit(code, lambda data: reordered(data, order))
    except DesignError as exc:
        problems = _linked(exc.problems, set(), "questions")
        return await _designer_page(request, draft, problems=problems, status=422)
    anchor = f"&flyttad={moved_code}#fraga-{moved_code}" if draft.definition.question(moved_code) else ""
    return Redirect(
        path=f"/arbeta/enkater/{code}/redigera?sparat={_saved_word(saved)}{anchor}", status_code=303
    )


@post("/arbeta/enkater/{code:str}/fragor/{question:str}/ta-bort", guards=COMMUNICATOR, status_code=303)
async def remove_question(
    request: Request, code: FromPath[str], question: FromPath[str]
) -> Template | Redirect:
    draft = await draft_with_question(code, question)
    await read_form(request)
    try:
        saved = await edit(code, lambda data: without_question(data, question))
    except DesignError as exc:
        problems = _linked(exc.problems, set(), "questions")
        return await _designer_page(request, draft, problems=problems, status=422)
    return Redirect(path=f"/arbeta/enkater/{code}/redigera?sparat={_saved_word(saved)}", status_code=303)


# One question ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionRow:
    number: int
    code: str
    text: str
    reaches: bool
    dont_know: bool
    removable: bool
    channel: str = ""
    translations: dict = field(default_factory=dict)  # language → text


def _rows_from_question(question: QuestionDef | None, extra: int) -> list[OptionRow]:
    rows = []
    if question is not None:
        # A scale's options are fixed; only agree5's Vet ej may be left out.
        rows = [
            OptionRow(
                n,
                o.code,
                o.text,
                o.reaches_step,
                o.dont_know,
                question.kind not in SCALE_KINDS or (question.kind == "agree5" and o.code == "vet_ej"),
                o.channel or "",
                o.text_in.as_dict(),
            )
            for n, o in enumerate(question.options, start=1)
        ]
    if question is None or question.kind in ("single", "multiple"):
        rows += [OptionRow(len(rows) + i, "", "", False, False, True) for i in range(1, extra + 1)]
    return rows


def _rows_from_form(fields: dict[str, list[str]], extra: int) -> list[OptionRow]:
    numbers = sorted({int(m.group(1)) for name in fields if (m := re.fullmatch(r"option-(\d+)-text", name))})
    rows = [
        OptionRow(
            n,
            _one(fields, f"option-{n}-code"),
            _one(fields, f"option-{n}-text"),
            _one(fields, f"option-{n}-reaches") == "ja",
            _one(fields, f"option-{n}-dont-know") == "ja",
            True,
            _one(fields, f"option-{n}-channel"),
            {lang: _one(fields, f"option-{n}-text-{lang}") for lang in OTHER_LANGUAGES},
        )
        for n in numbers
        if _one(fields, f"option-{n}-remove") != "ja"
    ]
    last = max(numbers, default=0)
    return rows + [OptionRow(last + i, "", "", False, False, True) for i in range(1, extra + 1)]


def _question_values(question: QuestionDef | None) -> dict:
    if question is None:
        return {"code": "", "text": "", "help": "", "kind": "single", "required": True, "step": "none",
                "dont_know": "", "show_if_question": "", "show_if_any_of": [], "translations": {}}  # fmt: skip
    return {
        "code": question.code,
        "text": question.text,
        "help": question.help,
        "kind": question.kind,
        "required": question.required,
        "step": question.step or "none",
        # The step's default is shown as the default, so that it follows a change of step.
        "dont_know": "" if question.dont_know == default_dont_know(question.step) else question.dont_know,
        "show_if_question": question.show_if.question if question.show_if else "",
        "show_if_any_of": [f"{question.show_if.question}:{c}" for c in question.show_if.any_of]
        if question.show_if
        else [],
        "translations": {
            lang: {"text": question.text_in.get(lang) or "", "help": question.help_in.get(lang) or ""}
            for lang in OTHER_LANGUAGES
        },
    }


def _values_from_form(fields: dict[str, list[str]]) -> dict:
    return {
        "code": _one(fields, "code"),
        "text": _one(fields, "text"),
        "help": _one(fields, "help"),
        "kind": _one(fields, "kind"),
        "required": _one(fields, "required") == "ja",
        "step": _one(fields, "step") or "none",
        "dont_know": _one(fields, "dont_know"),
        "show_if_question": _one(fields, "show_if_question"),
        "show_if_any_of": fields.get("show_if_any_of", []),
        "translations": {
            lang: {"text": _one(fields, f"text-{lang}"), "help": _one(fields, f"help-{lang}")}
            for lang in OTHER_LANGUAGES
        },
    }


async def _question_page(
    request: Request,
    draft: Draft,
    question: QuestionDef | None,
    *,
    values: dict,
    rows: list[OptionRow],
    problems=(),
    breaks=(),
    status=200,
) -> Template:
    questions = draft.definition.questions
    before = questions[: questions.index(question)] if question is not None else questions
    return Template(
        "workspace/question.html",
        context={
            "account": await session_account(request),
            "draft": draft,
            "question": question,
            "number": (questions.index(question) + 1) if question is not None else len(questions) + 1,
            "values": values,
            "rows": rows,
            "earlier": [(i, q) for i, q in enumerate(before, start=1) if q.is_closed],
            "kinds": kind_names(),
            "steps": step_names(),
            "step_codes": STEPS,
            "scale_kinds": SCALE_KINDS,
            "languages": {lang: _(LANGUAGE_NAMES[lang]) for lang in draft.definition.languages},
            "channels": await plan_channels(draft.plan_id) if draft.plan_id is not None else {},
            "problems": list(problems),
            "errors": dict(reversed(list(problems))),
            "breaks": list(breaks),
        },
        status_code=status,
    )


@get("/arbeta/enkater/{code:str}/ny-fraga", guards=COMMUNICATOR)
async def new_question_page(request: Request, code: FromPath[str]) -> Template:
    draft = await draft_of(code)
    return await _question_page(
        request, draft, None, values=_question_values(None), rows=_rows_from_question(None, 4)
    )


@get("/arbeta/enkater/{code:str}/fragor/{question:str}", guards=COMMUNICATOR)
async def question_page(request: Request, code: FromPath[str], question: FromPath[str]) -> Template:
    draft = await draft_with_question(code, question)
    found = draft.definition.question(question)
    return await _question_page(
        request,
        draft,
        found,
        values=_question_values(found),
        rows=_rows_from_question(found, BLANK_OPTION_ROWS),
    )


async def _save_question(request: Request, draft: Draft, existing: QuestionDef | None) -> Template | Redirect:
    fields = await read_form(request)
    values = _values_from_form(fields)
    available = set(QUESTION_FIELDS) - ({"code"} if existing else set())
    if _one(fields, "action") == "fler-rader":
        # More empty option rows; nothing is saved yet.
        return await _question_page(
            request, draft, existing, values=values, rows=_rows_from_form(fields, BLANK_OPTION_ROWS)
        )
    taken = [q.code for q in draft.definition.questions]
    if existing is not None:
        code, bank, replacing, new_bank = existing.code, existing.bank, existing.code, []
    else:
        code = values["code"] or slug(values["text"], taken)
        bank, replacing, new_bank = code, None, [code]
    raw = question_from_form(
        fields, existing=existing, code=code, bank=bank, languages=draft.definition.languages
    )
    problems: list[tuple[str, str]] = []
    breaks: list[str] = []
    try:
        saved = await edit(
            draft.code,
            lambda data: with_question(data, raw, replacing=replacing),
            confirm_trend_break=_one(fields, "confirm") == "ja",
            new_bank_codes=new_bank,
        )
    except DesignError as exc:
        problems = _linked(exc.problems, available, "text")
    except TrendBreakNotConfirmed as exc:
        breaks = exc.codes
    if problems or breaks:
        return await _question_page(
            request,
            draft,
            existing,
            values=values,
            rows=_rows_from_form(fields, 0),
            problems=problems,
            breaks=breaks,
            status=409 if breaks else 422,
        )
    return Redirect(
        path=f"/arbeta/enkater/{draft.code}/redigera?sparat={_saved_word(saved)}#fraga-{code}",
        status_code=303,
    )


@post("/arbeta/enkater/{code:str}/ny-fraga", guards=COMMUNICATOR, status_code=303)
async def new_question(request: Request, code: FromPath[str]) -> Template | Redirect:
    return await _save_question(request, await draft_of(code), None)


@post("/arbeta/enkater/{code:str}/fragor/{question:str}", guards=COMMUNICATOR, status_code=303)
async def edit_question(
    request: Request, code: FromPath[str], question: FromPath[str]
) -> Template | Redirect:
    draft = await draft_with_question(code, question)
    return await _save_question(request, draft, draft.definition.question(question))


# The pre-start check -----------------------------------------------------------------------------


@get("/arbeta/enkater/{code:str}/kontroll", guards=COMMUNICATOR)
async def check_page(request: Request, code: FromPath[str]) -> Template:
    draft = await draft_of(code)
    findings = await prestart_findings(draft, request.app.state.settings.min_group_size)
    return Template(
        "workspace/questionnaire_check.html",
        context={
            "account": await session_account(request),
            "draft": draft,
            "findings": findings,
            "problems_found": [f for f in findings if f.severity.value == "problem"],
            "minutes": draft.definition.estimated_minutes,
        },
    )


HANDLERS = [
    bank_page,
    add_from_bank,
    new_questionnaire_page,
    new_questionnaire,
    designer_page,
    edit_details,
    move_question,
    reorder,
    remove_question,
    new_question_page,
    question_page,
    new_question,
    edit_question,
    check_page,
]
