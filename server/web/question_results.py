"""Per-question pages: every question's answers, two questions against each other, the free texts."""

from __future__ import annotations

from litestar import Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from analysis.render.formatting import format_share
from analysis.render.verdicts import hidden_note
from server import clock
from server.sessions import requires_page, session_account
from surveys.accounts.users import Role
from surveys.errors import Invalid
from surveys.results.questions import crosstab, free_texts, question_results

READER = [requires_page(Role.READER)]
COMMUNICATOR = [requires_page(Role.COMMUNICATOR)]


def _given(value: str) -> str | None:
    """A select left at "all" sends an empty value."""
    return value.strip() or None


def _share(value: float | None) -> str:
    return format_share(value) if value is not None else "–"


@get("/resultat/{code:str}/fragor", name="question_results", guards=READER)
async def questions_page(
    request: Request,
    code: FromPath[str],
    omgang: FromQuery[str] = "",
    malgrupp: FromQuery[str] = "",
    organisation: FromQuery[str] = "",
) -> Template:
    k = request.app.state.settings.min_group_size
    results = await question_results(
        code,
        _given(omgang),
        k=k,
        group=_given(malgrupp),
        organisation=_given(organisation),
        now=clock.now(),
    )
    account = await session_account(request)
    return Template(
        "dashboard/questions.html",
        context={
            "account": account,
            "results": results,
            "hidden_note": hidden_note(k),
            "share": _share,
            "may_read_texts": account is not None and account.role.may(Role.COMMUNICATOR),
        },
    )


@get("/resultat/{code:str}/fragor/korstabell", name="question_crosstab", guards=READER)
async def crosstab_page(
    request: Request,
    code: FromPath[str],
    omgang: FromQuery[str] = "",
    rader: FromQuery[str] = "",
    kolumner: FromQuery[str] = "",
    malgrupp: FromQuery[str] = "",
    organisation: FromQuery[str] = "",
) -> Template:
    k = request.app.state.settings.min_group_size
    overview = await question_results(code, _given(omgang), k=k, group=_given(malgrupp), now=clock.now())
    table = None
    errors: dict[str, str] = {}
    if _given(rader) and _given(kolumner) and overview.wave is not None:
        try:
            table = await crosstab(
                code,
                overview.wave.code,
                rader.strip(),
                kolumner.strip(),
                k=k,
                group=_given(malgrupp),
                organisation=_given(organisation),
                now=clock.now(),
            )
        except Invalid as error:
            errors = dict(error.errors or {}) or {"first": error.message}
    return Template(
        "dashboard/questions_crosstab.html",
        context={
            "account": await session_account(request),
            "results": overview,
            "table": table,
            "errors": errors,
            "chosen": {
                "first": rader.strip(),
                "second": kolumner.strip(),
                "group": malgrupp.strip(),
                "organisation": organisation.strip(),
            },
            "hidden_note": hidden_note(k),
            "share": _share,
        },
        status_code=422 if errors else 200,
    )


@get("/resultat/{code:str}/fragor/{question:str}/fritext", name="question_texts", guards=COMMUNICATOR)
async def texts_page(
    request: Request,
    code: FromPath[str],
    question: FromPath[str],
    omgang: FromQuery[str] = "",
    malgrupp: FromQuery[str] = "",
    organisation: FromQuery[str] = "",
    sida: FromQuery[int] = 1,
) -> Template:
    k = request.app.state.settings.min_group_size
    account = await session_account(request)
    texts = await free_texts(
        code,
        _given(omgang),
        question,
        role=account.role,
        k=k,
        group=_given(malgrupp),
        organisation=_given(organisation),
        page=sida,
        now=clock.now(),
    )
    overview = await question_results(
        code, texts.wave.code, k=k, group=texts.group, organisation=texts.organisation, now=clock.now()
    )
    return Template(
        "dashboard/questions_texts.html",
        context={"account": account, "texts": texts, "results": overview, "hidden_note": hidden_note(k)},
    )


HANDLERS = [questions_page, crosstab_page, texts_page]
