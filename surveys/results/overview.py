"""What länsledning sees: the overview rows and each target group's charts, built from a plan's results.

One place turns `PlanResults` into sentences and chart inputs, so the pages, the API and the meeting pack
say the same thing about the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analysis.render.charts import (
    Chart,
    SharePoint,
    breakdown_chart,
    ladder_chart,
    recall_chart,
    recipe,
    trend_chart,
)
from analysis.render.formatting import format_share, format_span
from analysis.render.verdicts import hidden_verdict, response_rate_warning, wave_summary
from analysis.stats.effects import ShareEstimate
from analysis.stats.estimates import GoalStatus
from analysis.stats.goal_results import WaveResult
from locales import N_
from locales import gettext as _
from surveys.errors import NotFound
from surveys.questionnaires.model import STEP_NAMES, STEPS
from surveys.results.plan_results import Cell, GoalView, GroupInfo, PlanResults

STATUS_LABELS = {
    GoalStatus.ACHIEVED: N_("Uppnått"),
    GoalStatus.NOT_ACHIEVED: N_("Ej uppnått"),
    GoalStatus.UNCERTAIN: N_("Ej säkerställt"),
}


def status_label(status: GoalStatus | None) -> str:
    return _(STATUS_LABELS[status]) if status else "–"


@dataclass(frozen=True)
class OverviewRow:
    goal_id: int
    group_code: str
    group_name: str
    step: str
    step_name: str
    wording: str
    target: float
    wave_title: str | None
    share: float | None
    interval: tuple[float, float] | None
    status: GoalStatus | None
    sentences: tuple[str, ...]
    respondents: int | None
    response_rate: float | None
    warning: str | None
    hidden_reason: str | None

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def _latest_shown(goal: GoalView) -> tuple[int, WaveResult] | None:
    for index in range(len(goal.result.waves) - 1, -1, -1):
        if goal.result.waves[index].measured:
            return index, goal.result.waves[index]
    return None


def overview(results: PlanResults) -> list[OverviewRow]:
    names = {g.code: g.name for g in results.groups}
    titles = {w.slug: w.title for w in results.waves}
    rows = []
    for goal in results.goals:
        latest = _latest_shown(goal)
        wave = latest[1] if latest else None
        estimate = wave.estimate if wave else None
        shown = estimate is not None and estimate.base > 0
        rows.append(
            OverviewRow(
                goal_id=goal.id,
                group_code=goal.target_group,
                group_name=names.get(goal.target_group, goal.target_group),
                step=goal.step,
                step_name=_(STEP_NAMES[goal.step]),
                wording=goal.wording,
                target=goal.target,
                wave_title=titles.get(wave.wave) if wave else None,
                share=estimate.share if shown else None,
                interval=(estimate.interval.low, estimate.interval.high) if shown else None,
                status=wave.status if wave else None,
                sentences=tuple(wave_summary(goal.result, latest[0], k=results.k)) if latest else (),
                respondents=estimate.respondents if estimate else None,
                response_rate=estimate.response_rate if estimate else None,
                warning=response_rate_warning(estimate.response_rate) if estimate else None,
                hidden_reason=hidden_verdict(wave.hidden, results.k) if wave and wave.hidden else None,
            )
        )
    return rows


def _point(
    label: str, estimate: ShareEstimate | None, hidden: str | None, note_if_missing: str
) -> SharePoint:
    if estimate is not None and estimate.base > 0:
        return SharePoint.measured(label, estimate.share, estimate.interval)
    return SharePoint.hidden(label, hidden or note_if_missing)


@dataclass(frozen=True)
class ChartSpec:
    """A chart on a page: its key (for the URL and the render cache) and how to build it.

    ``build`` is a :class:`~analysis.render.charts.ChartRecipe`: plain data, so the meeting pack can build its charts
    in worker processes."""

    key: str
    title: str
    build: Callable[[], Chart]


def target_group(results: PlanResults, code: str) -> GroupInfo:
    """One of the plan's target groups; `NotFound` when the plan has none with this code."""
    found = next((g for g in results.groups if g.code == code), None)
    if found is None:
        raise NotFound(_("Planen har ingen målgrupp med koden %(code)s.") % {"code": code})
    return found


def group_charts(results: PlanResults, group_code: str) -> list[ChartSpec]:
    """The target group page's charts: a trend per goal, the ladder, the breakdown, channel recall."""
    group = next((g for g in results.groups if g.code == group_code), None)
    if group is None:
        return []
    titles = {w.slug: w.title for w in results.waves}
    no_answers = _("Inga svar")
    specs: list[ChartSpec] = []
    for goal in (g for g in results.goals if g.target_group == group_code):
        step = _(STEP_NAMES[goal.step])
        title = _("%(group)s: %(step)s") % {"group": group.name, "step": step}
        points = [
            _point(
                titles[w.wave],
                w.estimate,
                hidden_verdict(w.hidden, results.k) if w.hidden else None,
                no_answers,
            )
            if w.measured
            else SharePoint.hidden(titles[w.wave], _("Frågan ställdes inte"))
            for w in goal.result.waves
        ]
        specs.append(
            ChartSpec(
                f"trend-{goal.id}",
                title,
                recipe(trend_chart, title, tuple(points), goal.target),
            )
        )
    latest_wave = _latest_wave_with(results.ladder, group_code)
    if latest_wave:
        cells = {c.key: c for c in results.ladder if c.target_group == group_code and c.wave == latest_wave}
        steps = [
            _point(
                f"{step} {_(STEP_NAMES[step])}",
                cells[step].estimate,
                _hidden(cells[step], results.k),
                no_answers,
            )
            for step in STEPS
            if step in cells
        ]
        title = _("Effekttrappan: %(group)s, %(wave)s") % {"group": group.name, "wave": titles[latest_wave]}
        specs.append(ChartSpec("ladder", title, recipe(ladder_chart, title, tuple(steps))))
    first_goal = next((g for g in results.goals if g.target_group == group_code), None)
    if first_goal:
        latest = _latest_shown(first_goal)
        if latest and latest[1].organisations:
            wave = latest[1]
            points = [
                _point(
                    results.organisations.get(o.label, o.label),
                    o.estimate,
                    hidden_verdict(o.hidden, results.k) if o.hidden else None,
                    no_answers,
                )
                for o in wave.organisations
            ]
            overall = wave.estimate.share if wave.estimate and wave.estimate.base else None
            title = _("Per organisation: %(step)s, %(wave)s") % {
                "step": _(STEP_NAMES[first_goal.step]),
                "wave": titles[wave.wave],
            }
            specs.append(
                ChartSpec(
                    "organisations",
                    title,
                    recipe(breakdown_chart, title, tuple(points), overall),
                )
            )
    recall_wave = _latest_wave_with(results.recall, group_code)
    if recall_wave:
        recall = [
            _point(results.channels.get(c.key, c.key), c.estimate, _hidden(c, results.k), no_answers)
            for c in results.recall
            if c.target_group == group_code and c.wave == recall_wave
        ]
        reach: dict[str, int] = {}
        for figure in results.reach:
            if figure.channel and figure.metric in ("views", "impressions"):
                name = results.channels.get(figure.channel, figure.channel)
                reach[name] = reach.get(name, 0) + figure.value
        title = _("Minns nyheterna om planen, per kanal: %(wave)s") % {"wave": titles[recall_wave]}
        specs.append(ChartSpec("recall", title, recipe(recall_chart, title, tuple(recall), dict(reach))))
    return specs


def _hidden(cell: Cell, k: int) -> str | None:
    return hidden_verdict(cell.hidden, k) if cell.hidden else None


def _latest_wave_with(cells: tuple[Cell, ...], group_code: str) -> str | None:
    waves = [c.wave for c in cells if c.target_group == group_code and c.estimate is not None]
    return waves[-1] if waves else None


def share_text(share: float | None) -> str:
    return format_share(share) if share is not None else "–"


def span_text(interval: tuple[float, float] | None) -> str:
    return format_span(*interval) if interval else ""


def activity_recall(
    results: PlanResults, channel_codes: tuple[str, ...], group_codes: tuple[str, ...]
) -> list[str]:
    """For an activity: the share of each of its target groups who recall each of its channels, latest wave."""
    names = {g.code: g.name for g in results.groups}
    titles = {w.slug: w.title for w in results.waves}
    lines = []
    for channel in channel_codes:
        parts = []
        for group in group_codes:
            shown = [
                c
                for c in results.recall
                if c.key == channel
                and c.target_group == group
                and c.estimate is not None
                and c.estimate.base > 0
            ]
            if shown:
                latest = shown[-1]
                parts.append(
                    _("%(share)s av %(group)s (%(wave)s)")
                    % {
                        "share": format_share(latest.estimate.share),
                        "group": names[group],
                        "wave": titles[latest.wave],
                    }
                )
        if parts:
            lines.append(f"{results.channels.get(channel, channel)}: {'; '.join(parts)}")
    return lines
