"""The questionnaire designer in the browser: the question bank, new questionnaires, editing questions.

Every action is an ordinary form post (moving a question is a button), so the designer works without
JavaScript. The rules are the file format's: surveys/questionnaires/designer.py reads each edit back through the parser.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from locales import gettext as _
from server.errors import UserError
from server.sessions import requires_page, session_account
from server.web.forms import field_value, read_form
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
    plan_sizes,
    question_from_form,
    slug,
    with_details,
    with_question,
    without_question,
)
from surveys.questionnaires.model import STEPS, QuestionDef
from surveys.waves.prestart_check import check_privacy, check_questionnaire

COMMUNICATOR = [requires_page(Role.COMMUNICATOR)]
BLANK_OPTION_ROWS = 3
QUESTION_FIELDS = ("code", "text", "help", "kind", "required", "step", "dont_know", "options", "show_if")


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
    target = await current_draft(enkat) if enkat else None
    return Template(
        "workspace/bank.html",
        context={
            "account": await session_account(request),
            "entries": await bank_entries(sok, steg),
            "search": sok,
            "step": steg,
            "target": target,
            "in_target": {q.bank or q.code for q in target.definition.questions} if target else set(),
            "questionnaires": await _questionnaire_choices(),
            "kinds": kind_names(),
            "steps": step_names(),
            "problems": list(problems),
            "breaks": list(breaks),
            "chosen": set(chosen),
        },
        status_code=status,
    )


async def _questionnaire_choices() -> list[tuple[str, str]]:
    from surveys.questionnaires.storage import questionnaire_list

    return [(q.code, q.title) for q in await questionnaire_list()]


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
    return Template(
        "workspace/new_questionnaire.html",
        context={
            "account": await session_account(request),
            "entries": [e for e in await bank_entries() if e.template is not None],
            "plans": await plan_codes(),
            "kinds": kind_names(),
            "steps": step_names(),
            "values": values or {"bank": []},
            "problems": list(problems),
            "errors": dict(reversed(list(problems))),
        },
        status_code=status,
    )


@get("/arbeta/enkater/ny", guards=COMMUNICATOR)
async def new_questionnaire_page(request: Request) -> Template:
    return await _new_page(request)


@post("/arbeta/enkater/ny", guards=COMMUNICATOR, status_code=303)
async def new_questionnaire(request: Request) -> Template | Redirect:
    fields = await read_form(request)
    values = {
        name: _one(fields, name)
        for name in ("code", "title", "intro", "plan", "first_text", "first_kind", "first_options")
    }
    values["bank"] = fields.get("bank", [])
    first = first_question(
        values["first_text"], values["first_kind"], values["first_options"], taken=values["bank"]
    )
    try:
        await create_questionnaire(
            code=values["code"],
            title=values["title"],
            intro=values["intro"],
            bank_codes=values["bank"],
            plan_code=values["plan"],
            first=first,
        )
    except DesignError as exc:
        available = {"code", "title", "intro", "plan", "bank", "first_text", "first_kind", "first_options"}
        problems = _linked(exc.problems, available, "code")
        return await _new_page(request, values=values, problems=problems, status=422)
    return Redirect(path=f"/arbeta/enkater/{values['code']}/redigera?sparat=skapad", status_code=303)


# The designer page -------------------------------------------------------------------------------


async def _designer_page(
    request: Request, draft: Draft, *, saved="", values=None, problems=(), breaks=(), status=200
) -> Template:
    return Template(
        "workspace/designer.html",
        context={
            "account": await session_account(request),
            "draft": draft,
            "kinds": kind_names(),
            "steps": step_names(),
            "saved": saved,
            "values": values or {"title": draft.definition.title, "intro": draft.definition.intro},
            "problems": list(problems),
            "errors": dict(reversed(list(problems))),
            "breaks": list(breaks),
        },
        status_code=status,
    )


@get("/arbeta/enkater/{code:str}/redigera", guards=COMMUNICATOR)
async def designer_page(request: Request, code: FromPath[str], sparat: FromQuery[str] = "") -> Template:
    return await _designer_page(request, await draft_of(code), saved=sparat)


@post("/arbeta/enkater/{code:str}/redigera", guards=COMMUNICATOR, status_code=303)
async def edit_details(request: Request, code: FromPath[str]) -> Template | Redirect:
    draft = await draft_of(code)
    fields = await read_form(request)
    values = {"title": _one(fields, "title"), "intro": _one(fields, "intro")}
    try:
        saved = await edit(code, lambda data: with_details(data, values["title"], values["intro"]))
    except DesignError as exc:
        problems = _linked(exc.problems, {"title", "intro"}, "questions")
        return await _designer_page(request, draft, values=values, problems=problems, status=422)
    return Redirect(path=f"/arbeta/enkater/{code}/redigera?sparat={_saved_word(saved)}", status_code=303)


@post("/arbeta/enkater/{code:str}/fragor/{question:str}/flytta", guards=COMMUNICATOR, status_code=303)
async def move_question(
    request: Request, code: FromPath[str], question: FromPath[str]
) -> Template | Redirect:
    draft = await draft_with_question(code, question)
    fields = await read_form(request)
    steps = {"upp": -1, "ned": 1}.get(_one(fields, "riktning"))
    if steps is None:
        raise UserError(400, _("Välj om frågan ska flyttas upp eller ned."))
    try:
        saved = await edit(code, lambda data: moved(data, question, steps))
    except DesignError as exc:
        problems = _linked(exc.problems, set(), "questions")
        return await _designer_page(request, draft, problems=problems, status=422)
    return Redirect(
        path=f"/arbeta/enkater/{code}/redigera?sparat={_saved_word(saved)}#fraga-{question}", status_code=303
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
            )
            for n, o in enumerate(question.options, start=1)
        ]
    if question is None or question.kind in ("single", "multiple"):
        rows += [OptionRow(len(rows) + i, "", "", False, False, True) for i in range(1, extra + 1)]
    return rows


def _rows_from_form(fields: dict[str, list[str]], extra: int) -> list[OptionRow]:
    import re

    numbers = sorted({int(m.group(1)) for name in fields if (m := re.fullmatch(r"option-(\d+)-text", name))})
    rows = [
        OptionRow(
            n,
            _one(fields, f"option-{n}-code"),
            _one(fields, f"option-{n}-text"),
            _one(fields, f"option-{n}-reaches") == "ja",
            _one(fields, f"option-{n}-dont-know") == "ja",
            True,
        )
        for n in numbers
        if _one(fields, f"option-{n}-remove") != "ja"
    ]
    last = max(numbers, default=0)
    return rows + [OptionRow(last + i, "", "", False, False, True) for i in range(1, extra + 1)]


def _question_values(question: QuestionDef | None) -> dict:
    if question is None:
        return {"code": "", "text": "", "help": "", "kind": "single", "required": True, "step": "none",
                "dont_know": "excluded", "show_if_question": "", "show_if_any_of": []}  # fmt: skip
    return {
        "code": question.code,
        "text": question.text,
        "help": question.help,
        "kind": question.kind,
        "required": question.required,
        "step": question.step or "none",
        "dont_know": question.dont_know,
        "show_if_question": question.show_if.question if question.show_if else "",
        "show_if_any_of": [f"{question.show_if.question}:{c}" for c in question.show_if.any_of]
        if question.show_if
        else [],
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
            "earlier": [q for q in before if q.is_closed],
            "kinds": kind_names(),
            "steps": step_names(),
            "step_codes": STEPS,
            "scale_kinds": SCALE_KINDS,
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
    raw = question_from_form(fields, existing=existing, code=code, bank=bank)
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


# The pre-publish check ---------------------------------------------------------------------------


@get("/arbeta/enkater/{code:str}/kontroll", guards=COMMUNICATOR)
async def check_page(request: Request, code: FromPath[str]) -> Template:
    draft = await draft_of(code)
    k = request.app.state.settings.min_group_size
    findings = check_questionnaire(draft.definition) + check_privacy(
        draft.definition, await plan_sizes(draft.plan_id), k
    )
    return Template(
        "workspace/questionnaire_check.html",
        context={
            "account": await session_account(request),
            "draft": draft,
            "findings": findings,
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
    remove_question,
    new_question_page,
    question_page,
    new_question,
    edit_question,
    check_page,
]
