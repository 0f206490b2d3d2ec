"""/api/v1/plans/{code}/questions: every question's answers, cross-tabulations and free texts as JSON.

The twins of the per-question pages (server/web/question_results.py), from the same domain functions
(surveys/results/questions.py). A hidden number is never sent: a hidden part has `hidden: true` and no
numbers, counts are rounded to `rounding` (five), shares are proportions (0–1) of the exact counts.
"""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Request, get
from litestar.params import FromPath, FromQuery

from analysis.stats.linked_tables import ROUNDING_BASE
from server import clock
from server.auth import account_of, requires
from surveys.accounts.users import Role
from surveys.results.questions import (
    CrossTab,
    FreeTexts,
    QuestionResults,
    crosstab,
    free_texts,
    question_results,
)


class OptionOut(msgspec.Struct):
    code: str
    text: str
    count: int
    share: float | None


class QuestionOut(msgspec.Struct):
    code: str
    number: int
    text: str
    kind: str
    conditional: bool
    hidden: bool
    base: int | None  # rounded: those who answered (one answer), or who were asked (several answers)
    options: list[OptionOut]
    mean: float | None
    texts: int | None  # a free-text question: answers, rounded; null until they are released
    released_on: date | None  # set when the question kept an older release's numbers
    by_organisation: bool
    partial: bool


class NamedOut(msgspec.Struct):
    code: str
    name: str


class QuestionResultsOut(msgspec.Struct):
    plan: str
    min_group_size: int
    rounding: int
    waves: list[NamedOut]
    wave: NamedOut | None
    released_on: date | None
    preliminary: bool
    target_groups: list[NamedOut]
    organisations: list[NamedOut]
    target_group: str | None
    organisation: str | None
    hidden: bool
    respondents: int | None
    respondents_rounded: bool
    included_target_groups: list[str]
    hidden_target_groups: list[str]
    questions: list[QuestionOut]


class CrossCellOut(msgspec.Struct):
    hidden: bool
    count: int | None
    share_of_row: float | None


class CrossTabOut(msgspec.Struct):
    plan: str
    wave: str
    target_group: str | None
    rows: NamedOut
    columns: NamedOut
    row_labels: list[str]
    column_labels: list[str]
    hidden: bool
    reason: str | None
    cells: list[list[CrossCellOut]]
    row_totals: list[int]
    column_totals: list[int]
    total: int | None
    rounding: int
    included_target_groups: list[str]
    hidden_target_groups: list[str]


class FreeTextsOut(msgspec.Struct):
    plan: str
    wave: str
    question: NamedOut
    target_group: str | None
    organisation: str | None
    hidden: bool
    reason: str | None
    count: int
    page: int
    pages: int
    texts: list[str]


def _given(value: str) -> str | None:
    return value.strip() or None


def serialise(results: QuestionResults) -> QuestionResultsOut:
    return QuestionResultsOut(
        plan=results.plan_code,
        min_group_size=results.k,
        rounding=ROUNDING_BASE,
        waves=[NamedOut(w.code, w.name) for w in results.waves],
        wave=NamedOut(results.wave.code, results.wave.name) if results.wave else None,
        released_on=results.released_on,
        preliminary=results.preliminary,
        target_groups=[NamedOut(g.code, g.name) for g in results.groups],
        organisations=[NamedOut(o.code, o.name) for o in results.organisations],
        target_group=results.group,
        organisation=results.organisation,
        hidden=results.filter_hidden,
        respondents=results.respondents,
        respondents_rounded=results.respondents_rounded,
        included_target_groups=list(results.included_groups),
        hidden_target_groups=list(results.left_out_groups),
        questions=[
            QuestionOut(
                code=q.code,
                number=q.number,
                text=q.text,
                kind=q.kind,
                conditional=q.conditional,
                hidden=q.hidden,
                base=None if q.hidden else q.base,
                options=[] if q.hidden else [OptionOut(o.code, o.text, o.count, o.share) for o in q.options],
                mean=None if q.hidden else q.mean,
                texts=None if q.hidden else q.texts,
                released_on=q.released_on,
                by_organisation=q.by_organisation,
                partial=q.partial,
            )
            for q in results.questions
        ],
    )


def serialise_crosstab(table: CrossTab) -> CrossTabOut:
    return CrossTabOut(
        plan=table.plan_code,
        wave=table.wave.code,
        target_group=table.group,
        rows=NamedOut(table.first.code, table.first.name),
        columns=NamedOut(table.second.code, table.second.name),
        row_labels=list(table.rows),
        column_labels=list(table.columns),
        hidden=table.hidden,
        reason=table.reason,
        cells=[[CrossCellOut(c.count is None, c.count, c.share) for c in row] for row in table.cells],
        row_totals=list(table.row_totals),
        column_totals=list(table.column_totals),
        total=table.total,
        rounding=ROUNDING_BASE,
        included_target_groups=list(table.included_groups),
        hidden_target_groups=list(table.left_out_groups),
    )


def serialise_texts(texts: FreeTexts) -> FreeTextsOut:
    return FreeTextsOut(
        plan=texts.plan_code,
        wave=texts.wave.code,
        question=NamedOut(texts.question.code, texts.question.name),
        target_group=texts.group,
        organisation=texts.organisation,
        hidden=texts.hidden,
        reason=texts.reason,
        count=texts.count,
        page=texts.page,
        pages=texts.pages,
        texts=list(texts.texts),
    )


@get(
    "/plans/{code:str}/questions",
    summary="Svaren på varje fråga i en mätomgång",
    guards=[requires(Role.READER)],
)
async def questions(
    request: Request,
    code: FromPath[str],
    wave: FromQuery[str] = "",
    target_group: FromQuery[str] = "",
    organisation: FromQuery[str] = "",
) -> QuestionResultsOut:
    return serialise(
        await question_results(
            code,
            _given(wave),
            k=request.app.state.settings.min_group_size,
            group=_given(target_group),
            organisation=_given(organisation),
            now=clock.now(),
        )
    )


@get(
    "/plans/{code:str}/questions/crosstab",
    summary="Två frågor mot varandra (korstabell)",
    guards=[requires(Role.READER)],
)
async def questions_crosstab(
    request: Request,
    code: FromPath[str],
    rows: FromQuery[str],
    columns: FromQuery[str],
    wave: FromQuery[str] = "",
    target_group: FromQuery[str] = "",
    organisation: FromQuery[str] = "",
) -> CrossTabOut:
    return serialise_crosstab(
        await crosstab(
            code,
            _given(wave),
            rows.strip(),
            columns.strip(),
            k=request.app.state.settings.min_group_size,
            group=_given(target_group),
            organisation=_given(organisation),
            now=clock.now(),
        )
    )


@get(
    "/plans/{code:str}/questions/{question:str}/texts",
    summary="Fritextsvaren på en fråga (kommunikatörer och administratörer)",
    guards=[requires(Role.READER)],
)
async def question_texts(
    request: Request,
    code: FromPath[str],
    question: FromPath[str],
    wave: FromQuery[str] = "",
    target_group: FromQuery[str] = "",
    organisation: FromQuery[str] = "",
    page: FromQuery[int] = 1,
) -> FreeTextsOut:
    # A reader's key gets the domain's Forbidden, with the reason, rather than a guard's bare refusal.
    return serialise_texts(
        await free_texts(
            code,
            _given(wave),
            question,
            role=account_of(request).role,
            k=request.app.state.settings.min_group_size,
            group=_given(target_group),
            organisation=_given(organisation),
            page=page,
            now=clock.now(),
        )
    )


HANDLERS = [questions, questions_crosstab, question_texts]
