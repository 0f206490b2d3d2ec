"""/api/v1/bank and /api/v1/questionnaires: the JSON twins of the questionnaire designer's pages.

A question is sent in the questionnaire file's shape (code, kind, text, options …, see README). Errors come
back as {"status", "detail", "errors": {field: message}}: 422 for a broken rule, 409 when an edit breaks a
trend and `confirm_trend_break` was not true. Nothing is saved on error. Editing a version that has answers
saves a new version; the answer says which.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from locales import gettext as _
from server.auth import requires
from server.errors import UserError
from surveys.accounts.users import Role
from surveys.questionnaires.designer import (
    DesignError,
    Draft,
    TrendBreakNotConfirmed,
    bank_entries,
    create_questionnaire,
    current_draft,
    edit,
    file_shape,
    from_template,
    reordered,
    with_question,
    without_question,
)

GUARDS = [requires(Role.COMMUNICATOR)]


class BankItem(msgspec.Struct):
    code: str
    text: str
    kind: str
    step: str | None
    questionnaires: list[str]


class BankList(msgspec.Struct):
    questions: list[BankItem]


class QuestionnaireIn(msgspec.Struct, forbid_unknown_fields=True):
    code: str
    title: str
    bank: list[str]
    intro: str = ""
    plan: str = ""


class QuestionIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new question (`question`, in the file's shape; it enters the bank) or bank questions to add."""

    question: dict[str, Any] | None = None
    from_bank: list[str] = []
    confirm_trend_break: bool = False


class QuestionUpdate(msgspec.Struct, forbid_unknown_fields=True):
    question: dict[str, Any]
    confirm_trend_break: bool = False


class OrderIn(msgspec.Struct, forbid_unknown_fields=True):
    questions: list[str]


class DraftOut(msgspec.Struct):
    code: str
    version: int
    frozen: bool
    new_version: bool
    questionnaire: dict[str, Any]


def _errors(problems: list[tuple[str, str]]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field, message in problems:
        errors[field] = f"{errors[field]} {message}" if field in errors else message
    return errors


async def _draft(code: str) -> Draft:
    draft = await current_draft(code)
    if draft is None:
        raise UserError(404, _("Det finns ingen enkät med koden %(code)s.") % {"code": code})
    return draft


async def _out(code: str, new_version: bool) -> DraftOut:
    draft = await _draft(code)
    return DraftOut(draft.code, draft.number, draft.frozen, new_version, file_shape(draft.definition))


async def _edit(code: str, change, *, confirm: bool, new_bank_codes=()) -> DraftOut:
    try:
        saved = await edit(code, change, confirm_trend_break=confirm, new_bank_codes=new_bank_codes)
    except DesignError as exc:
        raise UserError(422, _("Ändringen sparades inte."), errors=_errors(exc.problems)) from None
    except TrendBreakNotConfirmed as exc:
        raise UserError(
            409,
            _(
                "Frågorna %(codes)s har ny formulering eller skala, så trenden bryts. "
                "Skicka igen med confirm_trend_break = true om det är avsiktligt."
            )
            % {"codes": ", ".join(exc.codes)},
            errors=dict.fromkeys(exc.codes, _("Trenden bryts.")),
        ) from None
    return await _out(code, saved.new_version)


@get("/bank", guards=GUARDS, summary="Frågebanken")
async def list_bank(q: FromQuery[str] = "", step: FromQuery[str] = "") -> BankList:
    return BankList(
        [
            BankItem(e.code, e.text, e.kind, e.step, [code for code, _title in e.questionnaires])
            for e in await bank_entries(q, step)
        ]
    )


@get("/questionnaires/{code:str}", guards=GUARDS, summary="En enkäts senaste version")
async def get_questionnaire(code: FromPath[str]) -> DraftOut:
    return await _out(code, False)


@post("/questionnaires", guards=GUARDS, summary="Skapa en enkät av frågor ur frågebanken", status_code=201)
async def create(data: JSONBody[QuestionnaireIn]) -> DraftOut:
    try:
        await create_questionnaire(
            code=data.code, title=data.title, intro=data.intro, bank_codes=data.bank, plan_code=data.plan
        )
    except DesignError as exc:
        raise UserError(422, _("Enkäten skapades inte."), errors=_errors(exc.problems)) from None
    return await _out(data.code, True)


@post("/questionnaires/{code:str}/questions", guards=GUARDS, summary="Lägg till frågor", status_code=201)
async def add_questions(code: FromPath[str], data: JSONBody[QuestionIn]) -> DraftOut:
    draft = await _draft(code)
    added: list[dict] = []
    new_bank: list[str] = []
    if data.question is not None:
        question = dict(data.question)
        if isinstance(question.get("code"), str):
            # A new question enters the bank under its own code.
            question["bank"] = question["code"]
            new_bank.append(question["bank"])
        added.append(question)
    if data.from_bank:
        entries = {e.code: e for e in await bank_entries()}
        present = {q.bank or q.code for q in draft.definition.questions}
        problems = {}
        for bank_code in data.from_bank:
            entry = entries.get(bank_code)
            if entry is None or entry.template is None:
                problems[bank_code] = _("Frågan %(code)s finns inte i frågebanken.") % {"code": bank_code}
            elif bank_code in present:
                problems[bank_code] = _("Frågan %(code)s finns redan i enkäten.") % {"code": bank_code}
            else:
                added.append(from_template(entry.template))
        if problems:
            raise UserError(422, _("Frågorna lades inte till."), errors=problems)
    if not added:
        raise UserError(422, _("Skicka en fråga (question) eller koder ur frågebanken (from_bank)."))

    def change(shape: dict) -> dict:
        for question in added:
            shape = with_question(shape, question)
        return shape

    return await _edit(code, change, confirm=data.confirm_trend_break, new_bank_codes=new_bank)


@put("/questionnaires/{code:str}/questions/{question:str}", guards=GUARDS, summary="Ändra en fråga")
async def update_question(
    code: FromPath[str], question: FromPath[str], data: JSONBody[QuestionUpdate]
) -> DraftOut:
    existing = (await _draft(code)).definition.question(question)
    if existing is None:
        raise UserError(404, _("Enkäten har ingen fråga med koden %(code)s.") % {"code": question})
    # The code and the bank identity stay: results and trends follow them.
    shape = {**data.question, "code": existing.code}
    shape.pop("bank", None)
    if existing.bank:
        shape["bank"] = existing.bank
    return await _edit(
        code, lambda s: with_question(s, shape, replacing=question), confirm=data.confirm_trend_break
    )


@delete(
    "/questionnaires/{code:str}/questions/{question:str}",
    guards=GUARDS,
    summary="Ta bort en fråga",
    status_code=200,
)
async def delete_question(code: FromPath[str], question: FromPath[str]) -> DraftOut:
    if (await _draft(code)).definition.question(question) is None:
        raise UserError(404, _("Enkäten har ingen fråga med koden %(code)s.") % {"code": question})
    return await _edit(code, lambda s: without_question(s, question), confirm=False)


@put("/questionnaires/{code:str}/order", guards=GUARDS, summary="Ändra frågornas ordning")
async def reorder(code: FromPath[str], data: JSONBody[OrderIn]) -> DraftOut:
    await _draft(code)
    return await _edit(code, lambda s: reordered(s, data.questions), confirm=False)


HANDLERS = [list_bank, get_questionnaire, create, add_questions, update_question, delete_question, reorder]
