"""/api/v1/plans/{code}/results: a plan's effect results as JSON. A hidden number is never sent.

Every goal's wave carries what the number is (`preliminary`, `notes`), the response rate (AAPOR RR1) and
the worst-case bounds next to its status, and the verdict's own sentences (analysis/render/verdicts.py), so
the API says what the page says. /api/v1/plans/{code}/planning gives the next wave's planning figures.
"""

from __future__ import annotations

from datetime import date, datetime

import msgspec
from litestar import Request, get
from litestar.params import FromPath

from analysis.render.verdicts import judge, note_text
from analysis.stats.disclosure import SuppressionReason
from analysis.stats.effects import Method, Note, ShareEstimate
from analysis.stats.estimates import CERTAIN_Z
from analysis.stats.goal_results import WaveResult
from analysis.stats.linked_tables import ROUNDING_BASE, rounded_count
from locales import gettext as _
from server.auth import account_of, requires
from server.scopes import in_scope
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
from surveys.results.planning import WavePlanning, planning_of


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
    response_rate: float | None  # AAPOR RR1; in a breakdown from the rounded respondents
    nonresponse_bounds: Span | None
    respondents_rounding: int = 1  # a breakdown's respondents are rounded to this (to the nearest 5)
    weighted: bool = False  # post-stratified by the organisations' sizes


class Hidden(msgspec.Struct):
    reason: str
    text: str


class NoteOut(msgspec.Struct):
    """Something a reader must know about a number: `preliminary`, `merged`, `unweighted`,
    `population_changed`, `low_response` or `unrepresented` (docs/methods.md §2.12)."""

    code: str
    text: str


class ChangeOut(msgspec.Struct):
    since: str
    difference: float
    low: float
    high: float
    p_value: float
    p_adjusted: float | None  # None for a preliminary wave: its change is not judged
    exact: bool = False  # the exact finite-population test (small unweighted groups), else z
    population_changed: bool = False  # the two waves cover different populations
    since_population: int | None = None


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
    status: str | None  # None for a preliminary wave: the goal is judged when the wave has closed
    change: ChangeOut | None
    trend_break: bool
    organisations: list[OrganisationOut]
    other_organisations: Share | None
    preliminary: bool = False  # from an interim release of a wave that is still open
    response_rate: float | None = None  # AAPOR RR1: complete responses / the group's known size
    nonresponse_bounds: Span | None = None  # the worst case, next to the status
    notes: list[NoteOut] = msgspec.field(default_factory=list)
    verdict: list[str] = msgspec.field(default_factory=list)  # the page's sentences for this goal and wave


class TrendOut(msgspec.Struct):
    z: float | None  # None: waves where everyone answered, whose shares differ (p = 0)
    p_value: float
    p_adjusted: float | None
    waves: list[str] = msgspec.field(default_factory=list)  # the final waves it is computed over
    notes: list[NoteOut] = msgspec.field(default_factory=list)


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
    preliminary: bool = False


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


class GoalPlanningOut(msgspec.Struct):
    goal: int
    target_group: str
    step: str
    target: float
    population: int | None
    basis_wave: str | None  # the latest final, shown wave the figures start from
    share: float  # its share (0.5 when there is none)
    respondents: int | None
    response_rate: float | None
    detectable_change: float | None  # found with `power` if as many answer again
    needed_to_judge: int | None  # answers for an interval clear of the target, if the share stays
    needed_for_margin: int  # answers for an interval of ± `margin`


class PlanningOut(msgspec.Struct):
    plan: str
    confidence: float
    power: float
    margin: float
    goals: list[GoalPlanningOut]


class PlanOut(msgspec.Struct):
    code: str
    title: str
    results_url: str


@get("/plans", summary="Planer", guards=[requires(Role.READER)])
async def list_plans(request: Request) -> list[PlanOut]:
    rows = await Plan.select(Plan.code, Plan.title).order_by(Plan.title)
    rows = in_scope(account_of(request), rows, lambda r: r["code"])  # the key's owner's plans only
    base = str(request.base_url).rstrip("/")
    return [PlanOut(r["code"], r["title"], f"{base}/api/v1/plans/{r['code']}/results") for r in rows]


@get("/plans/{code:str}/results", summary="Resultat för en plan", guards=[requires(Role.READER)])
async def results(request: Request, code: FromPath[str]) -> PlanResultsOut:
    return serialise(await plan_results(code, k=request.app.state.settings.min_group_size))


@get(
    "/plans/{code:str}/planning",
    summary="Svar som behövs i nästa mätomgång",
    guards=[requires(Role.READER)],
)
async def planning(request: Request, code: FromPath[str]) -> PlanningOut:
    """Per goal: the smallest change the next wave can detect and the answers needed to judge the goal."""
    found = planning_of(await plan_results(code, k=request.app.state.settings.min_group_size))
    return serialise_planning(found)


def serialise_planning(found: WavePlanning) -> PlanningOut:
    return PlanningOut(
        plan=found.plan_code,
        confidence=found.confidence,
        power=found.power,
        margin=found.margin,
        goals=[
            GoalPlanningOut(
                goal=g.goal_id,
                target_group=g.target_group,
                step=g.step,
                target=g.target,
                population=g.population,
                basis_wave=g.basis_wave,
                share=g.share,
                respondents=g.respondents,
                response_rate=g.response_rate,
                detectable_change=g.detectable_change,
                needed_to_judge=g.needed_to_judge,
                needed_for_margin=g.needed_for_margin,
            )
            for g in found.goals
        ],
    )


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
        rounded = rounded_count(estimate.respondents)
        return Share(
            share=estimate.share if answered else None,
            low=estimate.interval.low if answered else None,
            high=estimate.interval.high if answered else None,
            respondents=rounded,
            base=None,
            effective_n=None,
            method=estimate.method.value,
            # From the rounded count, so it says no more than the rounded count does.
            response_rate=min(1.0, rounded / estimate.population) if estimate.population else None,
            nonresponse_bounds=None,
            respondents_rounding=ROUNDING_BASE,
            weighted=estimate.method is Method.POST_STRATIFIED,
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
        weighted=estimate.method is Method.POST_STRATIFIED,
    )


def _hidden(reason: SuppressionReason | None, k: int) -> Hidden | None:
    return Hidden(reason.value, hidden_text(reason, k)) if reason else None


def _goal(goal: GoalView, results: PlanResults) -> GoalOut:
    result = goal.result
    trend = result.trend
    titles = {w.slug: w.title for w in results.waves}
    return GoalOut(
        id=goal.id,
        target_group=goal.target_group,
        step=goal.step,
        step_name=_(STEP_NAMES[goal.step]),
        target=goal.target,
        deadline=goal.deadline,
        wording=goal.wording,
        trend=TrendOut(
            trend.statistic if abs(trend.statistic) < CERTAIN_Z else None,
            trend.p_value,
            result.trend_p_adjusted,
            list(result.trend_waves),
            [NoteOut(n.value, note_text(n)) for n in result.trend_notes],
        )
        if trend
        else None,
        waves=[_wave(index, w, goal, results, titles) for index, w in enumerate(result.waves)],
    )


def _wave(
    index: int, w: WaveResult, goal: GoalView, results: PlanResults, titles: dict[str, str]
) -> WaveResultOut:
    estimate = w.estimate
    shown = estimate is not None and w.hidden is None
    return WaveResultOut(
        wave=w.wave,
        measured=w.measured,
        estimate=_share(estimate),
        hidden=_hidden(w.hidden, results.k),
        status=w.status.value if w.status else None,
        change=ChangeOut(
            w.change_since or "",
            w.change.difference,
            w.change.interval.low,
            w.change.interval.high,
            w.change.test.p_value,
            w.change_p_adjusted,
            w.change.exact,
            Note.POPULATION_CHANGED in w.notes,
            w.compared_population,
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
        preliminary=w.preliminary,
        response_rate=estimate.response_rate if shown else None,
        nonresponse_bounds=Span(estimate.bounds.low, estimate.bounds.high)
        if shown and estimate.bounds
        else None,
        notes=[_note(n, w, results) for n in w.notes],
        verdict=list(
            judge(
                goal.result,
                index,
                k=results.k,
                organisations=results.organisations,
                wave_titles=titles,
            ).sentences
        ),
    )


def _note(note: Note, w: WaveResult, results: PlanResults) -> NoteOut:
    estimate = w.estimate
    return NoteOut(
        note.value,
        note_text(
            note,
            unrepresented=[results.organisations.get(c, c) for c in estimate.unrepresented]
            if estimate
            else (),
            population=estimate.population if estimate else None,
            compared_population=w.compared_population,
            response_rate=estimate.response_rate if estimate else None,
            bounds=estimate.bounds if estimate else None,
        ),
    )


def _cell(cell: Cell, k: int) -> CellOut:
    return CellOut(
        cell.target_group,
        cell.wave,
        cell.key,
        _share(cell.estimate),
        _hidden(cell.hidden, k),
        cell.preliminary,
    )


HANDLERS = [list_plans, results, planning]
