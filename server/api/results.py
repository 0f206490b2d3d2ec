"""/api/v1/plans/{code}/results: a plan's effect results as JSON. A hidden number is never sent."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
from litestar import Request, get
from litestar.params import FromPath

from analysis.stats.disclosure import SuppressionReason
from analysis.stats.effects import ShareEstimate
from analysis.stats.linked_tables import ROUNDING_BASE, rounded_count
from locales import gettext as _
from server.auth import requires
from surveys.accounts.users import Role
from surveys.db.tables import Plan
from surveys.questionnaires.model import STEP_NAMES
from surveys.results.plan_results import (
    Cell,
    GoalView,
    PlanResults,
    ReachTotal,
    hidden_text,
    plan_results,
)


class Span(msgspec.Struct):
    low: float
    high: float


class Share(msgspec.Struct):
    """A shown estimate. `share`, `low` and `high` are proportions (0–1)."""

    share: float | None
    low: float | None
    high: float | None
    respondents: int
    base: int | None  # None in a breakdown: with the share it would give the exact numerator
    effective_n: float | None
    method: str
    response_rate: float | None
    nonresponse_bounds: Span | None
    respondents_rounding: int = 1  # a breakdown's respondents are rounded to this (to the nearest 5)


class Hidden(msgspec.Struct):
    reason: str
    text: str


class ChangeOut(msgspec.Struct):
    since: str
    difference: float
    low: float
    high: float
    p_value: float
    p_adjusted: float | None


class OrganisationOut(msgspec.Struct):
    code: str
    name: str
    estimate: Share | None
    hidden: Hidden | None


class WaveResultOut(msgspec.Struct):
    wave: str
    measured: bool
    estimate: Share | None
    hidden: Hidden | None
    status: str | None
    change: ChangeOut | None
    trend_break: bool
    organisations: list[OrganisationOut]
    other_organisations: Share | None


class TrendOut(msgspec.Struct):
    z: float
    p_value: float
    p_adjusted: float | None


class GoalOut(msgspec.Struct):
    id: int
    target_group: str
    step: str
    step_name: str
    target: float
    deadline: date | None
    wording: str
    trend: TrendOut | None
    waves: list[WaveResultOut]


class CellOut(msgspec.Struct):
    target_group: str
    wave: str
    key: str
    estimate: Share | None
    hidden: Hidden | None


class WaveOut(msgspec.Struct):
    slug: str
    title: str
    opens_at: datetime
    closes_at: datetime
    released_on: date | None  # the release the numbers come from; None: not published yet
    preliminary: bool  # released while the wave was still open


class GroupOut(msgspec.Struct):
    code: str
    name: str
    population: int | None


class PlanResultsOut(msgspec.Struct):
    plan: str
    title: str
    min_group_size: int
    confidence: float
    waves: list[WaveOut]
    target_groups: list[GroupOut]
    goals: list[GoalOut]
    ladder: list[CellOut]
    channel_recall: list[CellOut]
    reach: list[ReachTotal]  # the results' own dataclass: msgspec encodes it as it is


class PlanOut(msgspec.Struct):
    code: str
    title: str
    results_url: str


@get("/plans", summary="Planer", guards=[requires(Role.READER)])
async def list_plans(request: Request) -> list[PlanOut]:
    rows = await Plan.select(Plan.code, Plan.title).order_by(Plan.title)
    base = str(request.base_url).rstrip("/")
    return [PlanOut(r["code"], r["title"], f"{base}/api/v1/plans/{r['code']}/results") for r in rows]


@get("/plans/{code:str}/results", summary="Resultat för en plan", guards=[requires(Role.READER)])
async def results(request: Request, code: FromPath[str]) -> PlanResultsOut:
    return serialise(await plan_results(code, k=request.app.state.settings.min_group_size))


def serialise(results: PlanResults) -> PlanResultsOut:
    k = results.k
    return PlanResultsOut(
        plan=results.plan_code,
        title=results.plan_title,
        min_group_size=k,
        confidence=results.confidence,
        waves=[
            WaveOut(w.slug, w.title, w.opens_at, w.closes_at, w.released_on, w.interim) for w in results.waves
        ],
        target_groups=[GroupOut(g.code, g.name, g.population) for g in results.groups],
        goals=[_goal(g, results) for g in results.goals],
        ladder=[_cell(c, k) for c in results.ladder],
        channel_recall=[_cell(c, k) for c in results.recall],
        reach=list(results.reach),
    )


def _share(estimate: ShareEstimate | None, *, breakdown: bool = False) -> Share | None:
    """A published share. In a breakdown (one organisation, or the hidden ones merged) exact counts and the
    worst-case bounds are left out and respondents rounded, so parts and totals give no equation to solve
    (docs/dataskydd.md, "Vad som redovisas")."""
    if estimate is None:
        return None
    answered = estimate.base > 0
    if breakdown:
        return Share(
            share=estimate.share if answered else None,
            low=estimate.interval.low if answered else None,
            high=estimate.interval.high if answered else None,
            respondents=rounded_count(estimate.respondents),
            base=None,
            effective_n=None,
            method=estimate.method.value,
            response_rate=None,
            nonresponse_bounds=None,
            respondents_rounding=ROUNDING_BASE,
        )
    return Share(
        share=estimate.share if answered else None,
        low=estimate.interval.low if answered else None,
        high=estimate.interval.high if answered else None,
        respondents=estimate.respondents,
        base=estimate.base,
        effective_n=round(estimate.effective_n, 2),
        method=estimate.method.value,
        response_rate=estimate.response_rate,
        nonresponse_bounds=Span(estimate.bounds.low, estimate.bounds.high) if estimate.bounds else None,
    )


def _hidden(reason: SuppressionReason | None, k: int) -> Hidden | None:
    return Hidden(reason.value, hidden_text(reason, k)) if reason else None


def _goal(goal: GoalView, results: PlanResults) -> GoalOut:
    result = goal.result
    trend = result.trend
    return GoalOut(
        id=goal.id,
        target_group=goal.target_group,
        step=goal.step,
        step_name=_(STEP_NAMES[goal.step]),
        target=goal.target,
        deadline=goal.deadline,
        wording=goal.wording,
        trend=TrendOut(trend.statistic, trend.p_value, result.trend_p_adjusted) if trend else None,
        waves=[
            WaveResultOut(
                wave=w.wave,
                measured=w.measured,
                estimate=_share(w.estimate),
                hidden=_hidden(w.hidden, results.k),
                status=w.status.value if w.status else None,
                change=ChangeOut(
                    w.change_since or "",
                    w.change.difference,
                    w.change.interval.low,
                    w.change.interval.high,
                    w.change.test.p_value,
                    w.change_p_adjusted,
                )
                if w.change
                else None,
                trend_break=w.trend_break,
                organisations=[
                    OrganisationOut(
                        o.label,
                        results.organisations.get(o.label, o.label),
                        _share(o.estimate, breakdown=True),
                        _hidden(o.hidden, results.k),
                    )
                    for o in w.organisations
                ],
                other_organisations=_share(w.other, breakdown=True),
            )
            for w in result.waves
        ],
    )


def _cell(cell: Cell, k: int) -> CellOut:
    return CellOut(cell.target_group, cell.wave, cell.key, _share(cell.estimate), _hidden(cell.hidden, k))


HANDLERS = [list_plans, results]
