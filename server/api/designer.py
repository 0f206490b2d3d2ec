"""/api/v1/bank and /api/v1/questionnaires: the JSON twins of the questionnaire designer's pages.

A question is sent in the questionnaire file's shape (code, kind, text, options …, see README), with its
texts in other languages as `text_en`, `help_fi` … and an option's channel as one of the plan's channel codes. Errors come
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
from surveys.accounts.users import Role
from surveys.errors import Invalid
from surveys.questionnaires import designer, removal
from surveys.questionnaires.designer import (
    bank_entries,
    create_questionnaire,
    draft_of,
    draft_with_question,
    edit,
    file_shape,
    reordered,
    with_details,
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
    """A new questionnaire: bank questions (in the bank's order, with their conditions), optionally after a
    copy of another questionnaire's newest version (`copy_of`), offered in `languages` besides Swedish."""

    code: str
    title: str
    bank: list[str] = []
    intro: str = ""
    plan: str = ""
    copy_of: str = ""
    languages: list[str] | None = None


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


class DetailsIn(msgspec.Struct, forbid_unknown_fields=True):
    """The title and intro, and the languages offered besides Swedish with the title and intro in each
    ({"en": {"title": …, "intro": …}}); a language left out takes its texts with it."""

    title: str
    intro: str = ""
    languages: list[str] = []
    translations: dict[str, dict[str, str]] = {}


class DraftOut(msgspec.Struct):
    code: str
    version: int
    frozen: bool
    new_version: bool
    questionnaire: dict[str, Any]


async def _out(code: str, new_version: bool) -> DraftOut:
    draft = await draft_of(code)
    return DraftOut(draft.code, draft.number, draft.frozen, new_version, file_shape(draft.definition))


async def _edit(code: str, change, *, confirm: bool) -> DraftOut:
    saved = await edit(code, change, confirm_trend_break=confirm)
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
    await create_questionnaire(
        code=data.code,
        title=data.title,
        intro=data.intro,
        bank_codes=data.bank,
        plan_code=data.plan,
        copy_of=data.copy_of,
        languages=data.languages,
    )
    return await _out(data.code, True)


@post("/questionnaires/{code:str}/questions", guards=GUARDS, summary="Lägg till frågor", status_code=201)
async def add_questions(code: FromPath[str], data: JSONBody[QuestionIn]) -> DraftOut:
    await draft_of(code)
    if data.question is None and not data.from_bank:
        raise Invalid(_("Skicka en fråga (question) eller koder ur frågebanken (from_bank)."))
    saved = await designer.add_questions(
        code, data.from_bank, new_question=data.question, confirm_trend_break=data.confirm_trend_break
    )
    return await _out(code, saved.new_version)


@put("/questionnaires/{code:str}/questions/{question:str}", guards=GUARDS, summary="Ändra en fråga")
async def update_question(
    code: FromPath[str], question: FromPath[str], data: JSONBody[QuestionUpdate]
) -> DraftOut:
    existing = (await draft_with_question(code, question)).definition.question(question)
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
    await draft_with_question(code, question)
    return await _edit(code, lambda s: without_question(s, question), confirm=False)


@put("/questionnaires/{code:str}/details", guards=GUARDS, summary="Ändra titel, inledning och språk")
async def update_details(code: FromPath[str], data: JSONBody[DetailsIn]) -> DraftOut:
    return await _edit(
        code,
        lambda s: with_details(
            s, data.title, data.intro, languages=data.languages, translations=data.translations
        ),
        confirm=False,
    )


@put("/questionnaires/{code:str}/order", guards=GUARDS, summary="Ändra frågornas ordning")
async def reorder(code: FromPath[str], data: JSONBody[OrderIn]) -> DraftOut:
    return await _edit(code, lambda s: reordered(s, data.questions), confirm=False)


class Removed(msgspec.Struct):
    status: str
    detail: str


@delete(
    "/questionnaires/{code:str}",
    guards=GUARDS,
    summary="Ta bort en enkät som ingen mätomgång använder (409 med mätomgångarna annars)",
    status_code=200,
)
async def delete_questionnaire(code: FromPath[str]) -> Removed:
    title = await removal.delete_questionnaire(code)
    return Removed("deleted", _("Enkäten ”%(title)s” är borttagen.") % {"title": title})


HANDLERS = [
    delete_questionnaire,
    list_bank,
    get_questionnaire,
    create,
    add_questions,
    update_question,
    delete_question,
    update_details,
    reorder,
]
