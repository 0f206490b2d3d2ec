"""What länsledning sees: the overview rows and each target group's charts, built from a plan's results.

One place turns `PlanResults` into sentences and chart inputs, so the pages, the API and the meeting pack
say the same thing about the same numbers.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import locales
from analysis.render.charts import (
    Chart,
    SharePoint,
    breakdown_chart,
    ladder_chart,
    recall_chart,
    recipe,
    trend_chart,
)
from analysis.render.formatting import format_count, format_share, format_span
from analysis.render.matrix import TrendPoint, sparkline_svg
from analysis.render.reach_trends import (
    ReachChart,
    ReachEntry,
    ReachSeries,
    WaveMark,
    month_axis,
    monthly_series,
    reach_chart,
)
from analysis.render.verdicts import hidden_verdict, response_rate_warning, wave_summary
from analysis.stats.effects import ShareEstimate
from analysis.stats.estimates import GoalStatus
from analysis.stats.goal_results import WaveResult
from locales import N_, ngettext
from locales import gettext as _
from surveys.errors import NotFound
from surveys.plans.reach import METRIC_LABELS
from surveys.plans.rules import REACH_METRICS
from surveys.questionnaires.model import STEP_NAMES, STEPS
from surveys.results.plan_results import Cell, GoalView, GroupInfo, PlanResults

STATUS_LABELS = {
    GoalStatus.ACHIEVED: N_("Uppnått"),
    GoalStatus.NOT_ACHIEVED: N_("Ej uppnått"),
    GoalStatus.UNCERTAIN: N_("Ej säkerställt"),
}


def status_label(status: GoalStatus | None) -> str:
    return _(STATUS_LABELS[status]) if status else "–"


def preliminary_sentence(wave_title: str) -> str:
    """What a page says instead of a goal status or a trend when the numbers come from an open wave."""
    return _(
        "Preliminärt: %(wave)s pågår och siffrorna kan ändras. Om målet är uppnått och hur trenden går "
        "bedöms först när mätomgången har stängt."
    ) % {"wave": wave_title}


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
    preliminary: bool = False  # from an interim release of an open wave: no status, no verdicts

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def _latest_shown(goal: GoalView) -> tuple[int, WaveResult] | None:
    for index in range(len(goal.result.waves) - 1, -1, -1):
        if goal.result.waves[index].measured:
            return index, goal.result.waves[index]
    return None


def _interim_waves(results: PlanResults) -> frozenset[str]:
    return frozenset(w.slug for w in results.waves if w.interim)


def goal_sentences(results: PlanResults, goal: GoalView, index: int) -> tuple[str, ...]:
    """The verdicts for one goal in one wave; on a preliminary wave only the preliminary sentence.

    A goal's change and trend on the last final wave are fine to state; a trend that would take in the
    open wave is not stated anywhere (``wave_summary`` adds the trend only on its last wave)."""
    wave = goal.result.waves[index]
    if wave.wave in _interim_waves(results) and wave.measured and wave.hidden is None:
        titles = {w.slug: w.title for w in results.waves}
        return (preliminary_sentence(titles[wave.wave]),)
    return tuple(wave_summary(goal.result, index, k=results.k))


def overview(results: PlanResults) -> list[OverviewRow]:
    names = {g.code: g.name for g in results.groups}
    titles = {w.slug: w.title for w in results.waves}
    interim = _interim_waves(results)
    rows = []
    for goal in results.goals:
        latest = _latest_shown(goal)
        wave = latest[1] if latest else None
        estimate = wave.estimate if wave else None
        shown = estimate is not None and estimate.base > 0
        preliminary = wave is not None and wave.wave in interim
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
                status=wave.status if wave and not preliminary else None,
                sentences=goal_sentences(results, goal, latest[0]) if latest else (),
                respondents=estimate.respondents if estimate else None,
                response_rate=estimate.response_rate if estimate else None,
                warning=response_rate_warning(estimate.response_rate) if estimate else None,
                hidden_reason=hidden_verdict(wave.hidden, results.k) if wave and wave.hidden else None,
                preliminary=preliminary,
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
    # A preliminary wave says so wherever its name appears: axis, table, alt text and title.
    titles = {w.slug: _wave_label(w.title, w.interim) for w in results.waves}
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


# --- the one-screen matrix: target groups × steps ---------------------------------------------------------


@dataclass(frozen=True)
class MatrixCell:
    """One target group's share on one step in its latest published wave, with a trend line.

    ``goal_id`` is None for a rung of the ladder the plan has no goal for: shown, never judged."""

    step: str
    goal_id: int | None
    target: float | None
    wave_title: str | None  # the wave the share is from
    share: float | None
    interval: tuple[float, float] | None
    status: GoalStatus | None  # never set for a preliminary share
    preliminary: bool
    hidden: bool  # shown as "dold"
    final_status: GoalStatus | None  # a preliminary cell: the goal's status in the last final wave
    final_wave: str | None
    trend_svg: str
    trend_text: str
    # The words, once: the cell is kept with the matrix (per release and language), and formatting a share
    # with Babel in the template for every view was most of the page's time.
    share_text: str = field(init=False)
    span_text: str = field(init=False)
    target_text: str = field(init=False)
    status_label: str = field(init=False)
    final_label: str = field(init=False)

    def __post_init__(self) -> None:
        words = {
            "share_text": format_share(self.share) if self.share is not None else "–",
            "span_text": format_span(*self.interval) if self.interval else "",
            "target_text": _("mål %(target)s") % {"target": format_share(self.target)}
            if self.target is not None
            else "",
            "status_label": status_label(self.status),
            "final_label": status_label(self.final_status),
        }
        for name, value in words.items():
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class MatrixRow:
    group_code: str
    group_name: str
    wave_title: str | None  # the group's latest published wave
    respondents: int | None  # in that wave, only when at least k
    response_rate: float | None
    preliminary: bool
    cells: tuple[MatrixCell | None, ...]  # one per step in STEPS; None: nothing measured
    rate_text: str = field(init=False)

    def __post_init__(self) -> None:
        rate = format_share(self.response_rate) if self.response_rate is not None else ""
        object.__setattr__(self, "rate_text", rate)


@dataclass(frozen=True)
class GoalCounts:
    achieved: int
    uncertain: int
    not_achieved: int
    without: int  # goals with no final status yet (not measured, hidden or only preliminary)

    @property
    def total(self) -> int:
        return self.achieved + self.uncertain + self.not_achieved + self.without


@dataclass(frozen=True)
class OverviewMatrix:
    steps: tuple[tuple[str, str], ...]  # (code, name)
    rows: tuple[MatrixRow, ...]
    counts: GoalCounts
    headline: str
    response_line: str | None
    preliminary_note: str | None
    any_hidden: bool
    final_wave: str | None = None  # the closed wave most preliminary cells give their last status from


def _wave_label(title: str, preliminary: bool) -> str:
    return _("%(wave)s (preliminärt)") % {"wave": title} if preliminary else title


def _trend(
    points: list[TrendPoint], target: float | None, *, width: int = 96, height: int = 28
) -> tuple[str, str]:
    values = "; ".join(
        f"{p.label}: {format_share(p.share) if p.share is not None else _('ingen siffra')}" for p in points
    )
    if target is not None:
        text = _("Andel per mätomgång: %(values)s. Mål: %(target)s.") % {
            "values": values,
            "target": format_share(target),
        }
    else:
        text = _("Andel per mätomgång: %(values)s.") % {"values": values}
    return sparkline_svg(points, target=target, description=text, width=width, height=height), text


def _shown(estimate: ShareEstimate | None) -> bool:
    return estimate is not None and estimate.base > 0


def goal_counts(results: PlanResults) -> GoalCounts:
    """How many goals are reached, uncertain or not, each judged on its latest final (non-preliminary) wave."""
    interim = _interim_waves(results)
    found = {GoalStatus.ACHIEVED: 0, GoalStatus.UNCERTAIN: 0, GoalStatus.NOT_ACHIEVED: 0}
    without = 0
    for goal in results.goals:
        final = _latest_final_status(goal, interim)
        if final is None:
            without += 1
        else:
            found[final[0]] += 1
    return GoalCounts(
        found[GoalStatus.ACHIEVED], found[GoalStatus.UNCERTAIN], found[GoalStatus.NOT_ACHIEVED], without
    )


def _latest_final_status(goal: GoalView, interim: frozenset[str]) -> tuple[GoalStatus, str] | None:
    for wave in reversed(goal.result.waves):
        if wave.wave in interim or not wave.measured:
            continue
        if wave.status is not None and _shown(wave.estimate):
            return wave.status, wave.wave
    return None


def headline(counts: GoalCounts) -> str:
    """The overview's first sentence: "4 av 14 mål uppnådda, 6 ej säkerställda, 4 ej uppnådda."."""
    if not counts.total:
        return _("Planen har inga effektmål än.")
    parts = [
        ngettext("%(num)s av %(total)s mål uppnått", "%(num)s av %(total)s mål uppnådda", counts.achieved)
        % {"num": counts.achieved, "total": counts.total},
        ngettext("%(num)s ej säkerställt", "%(num)s ej säkerställda", counts.uncertain)
        % {"num": counts.uncertain},
        ngettext("%(num)s ej uppnått", "%(num)s ej uppnådda", counts.not_achieved)
        % {"num": counts.not_achieved},
    ]
    if counts.without:
        parts.append(
            ngettext("%(num)s utan slutligt resultat", "%(num)s utan slutligt resultat", counts.without)
            % {"num": counts.without}
        )
    return ", ".join(parts) + "."


def _response_line(results: PlanResults) -> str | None:
    """The response rate of the latest published wave, over the groups whose size is known and shown."""
    sizes = {g.code: g.population for g in results.groups}
    for wave in reversed(results.waves):
        if wave.released_on is None:
            continue
        answered = population = 0
        for group, size in sizes.items():
            n = results.respondents.get(f"{group}/{wave.slug}")
            if n is not None and size:
                answered += n
                population += size
        if not population:
            return None
        values = {
            "rate": format_share(answered / population),
            "wave": wave.title,
            "n": format_count(answered),
            "size": format_count(population),
        }
        if wave.interim:
            return (
                _(
                    "Svarsfrekvens hittills i %(wave)s: %(rate)s (%(n)s svar av %(size)s i målgrupper med känd storlek)."
                )
                % values
            )
        return (
            _("Svarsfrekvens i %(wave)s: %(rate)s (%(n)s svar av %(size)s i målgrupper med känd storlek).")
            % values
        )
    return None


def overview_matrix(results: PlanResults, *, trend_width: int = 64, trend_height: int = 28) -> OverviewMatrix:
    """The one-screen overview: a row per target group, a cell per step, a trend line per cell."""
    titles = {w.slug: w.title for w in results.waves}
    interim = _interim_waves(results)
    published = [w for w in results.waves if w.released_on is not None]
    released = frozenset(w.slug for w in published)
    ladder = {(c.target_group, c.wave, c.key): c for c in results.ladder}
    any_hidden = False
    rows = []
    for group in results.groups:
        goals = {g.step: g for g in results.goals if g.target_group == group.code}
        cells: list[MatrixCell | None] = []
        for step in STEPS:
            goal = goals.get(step)
            if goal is not None:
                cell = _goal_cell(goal, titles, interim, released, trend_width, trend_height)
            else:
                cell = _ladder_cell(
                    step, group.code, published, ladder, titles, interim, trend_width, trend_height
                )
            any_hidden = any_hidden or (cell is not None and cell.hidden)
            cells.append(cell)
        latest = next(
            (
                w
                for w in reversed(published)
                if any((group.code, w.slug, step) in ladder for step in STEPS)
                or f"{group.code}/{w.slug}" in results.respondents
            ),
            None,
        )
        respondents = results.respondents.get(f"{group.code}/{latest.slug}") if latest else None
        rate = None
        if latest is not None:
            estimate = next(
                (
                    ladder[(group.code, latest.slug, step)].estimate
                    for step in STEPS
                    if (group.code, latest.slug, step) in ladder
                    and ladder[(group.code, latest.slug, step)].estimate is not None
                ),
                None,
            )
            rate = estimate.response_rate if estimate is not None else None
            if rate is None and respondents is not None and group.population:
                rate = respondents / group.population
        rows.append(
            MatrixRow(
                group.code,
                group.name,
                latest.title if latest else None,
                respondents,
                rate if respondents is not None else None,
                latest is not None and latest.interim,
                tuple(cells),
            )
        )
    counts = goal_counts(results)
    open_waves = [w for w in published if w.interim]
    note = None
    finals = Counter(c.final_wave for r in rows for c in r.cells if c is not None and c.final_wave)
    final_wave = finals.most_common(1)[0][0] if finals else None
    if open_waves:
        values = {"wave": open_waves[-1].title, "final": final_wave}
        note = (
            _(
                "%(wave)s pågår. Siffrorna från den är preliminära: de visas med intervall men utan bedömning av "
                "mål och trend, som görs när mätomgången har stängt. Under ”Slutligt” står statusen från %(final)s."
            )
            if final_wave
            else _(
                "%(wave)s pågår. Siffrorna från den är preliminära: de visas med intervall men utan bedömning av "
                "mål och trend, som görs när mätomgången har stängt."
            )
        ) % values
    return OverviewMatrix(
        steps=tuple((step, _(STEP_NAMES[step])) for step in STEPS),
        rows=tuple(rows),
        counts=counts,
        headline=headline(counts),
        response_line=_response_line(results),
        preliminary_note=note,
        any_hidden=any_hidden,
        final_wave=final_wave,
    )


def _goal_cell(
    goal: GoalView,
    titles: dict[str, str],
    interim: frozenset[str],
    published: frozenset[str],
    width: int,
    height: int,
) -> MatrixCell:
    points = [
        TrendPoint(
            _wave_label(titles[w.wave], w.wave in interim),
            w.estimate.share if w.measured and _shown(w.estimate) else None,
            w.wave in interim,
        )
        for w in goal.result.waves
        if w.wave in published
    ]
    svg, text = _trend(points, goal.target, width=width, height=height)
    latest = _latest_shown(goal)
    if latest is None:
        return MatrixCell(
            goal.step, goal.id, goal.target, None, None, None, None, False, False, None, None, svg, text
        )
    wave = latest[1]
    preliminary = wave.wave in interim
    final = _latest_final_status(goal, interim) if preliminary else None
    shown = _shown(wave.estimate)
    return MatrixCell(
        step=goal.step,
        goal_id=goal.id,
        target=goal.target,
        wave_title=titles[wave.wave],
        share=wave.estimate.share if shown else None,
        interval=(wave.estimate.interval.low, wave.estimate.interval.high) if shown else None,
        status=None if preliminary or not shown else wave.status,
        preliminary=preliminary,
        hidden=wave.hidden is not None,
        final_status=final[0] if final else None,
        final_wave=titles[final[1]] if final else None,
        trend_svg=svg,
        trend_text=text,
    )


def _ladder_cell(
    step: str,
    group: str,
    published: list,
    ladder: dict[tuple[str, str, str], Cell],
    titles: dict[str, str],
    interim: frozenset[str],
    width: int,
    height: int,
) -> MatrixCell | None:
    found = [(w, ladder.get((group, w.slug, step))) for w in published]
    if not any(cell is not None for _w, cell in found):
        return None
    points = [
        TrendPoint(
            _wave_label(w.title, w.interim),
            cell.estimate.share if cell is not None and _shown(cell.estimate) else None,
            w.interim,
        )
        for w, cell in found
    ]
    svg, text = _trend(points, None, width=width, height=height)
    wave, cell = next((w, c) for w, c in reversed(found) if c is not None)
    shown = _shown(cell.estimate)
    return MatrixCell(
        step=step,
        goal_id=None,
        target=None,
        wave_title=titles[wave.slug],
        share=cell.estimate.share if shown else None,
        interval=(cell.estimate.interval.low, cell.estimate.interval.high) if shown else None,
        status=None,
        preliminary=wave.slug in interim,
        hidden=cell.hidden is not None,
        final_status=None,
        final_wave=None,
        trend_svg=svg,
        trend_text=text,
    )


_MATRIX_CACHE_SIZE = 32
_matrices: OrderedDict[tuple, OverviewMatrix] = OrderedDict()


def overview_matrix_cached(
    results: PlanResults, *, trend_width: int = 64, trend_height: int = 28
) -> OverviewMatrix:
    """``overview_matrix`` kept per version of the results and language: the page is drawn once per release.

    The key holds the results' stamp (it changes with every release, configuration and k), so a kept matrix
    is never stale; results without a stamp (a meeting's frozen copy) are built each time."""
    if not results.stamp:
        return overview_matrix(results, trend_width=trend_width, trend_height=trend_height)
    key = (results.plan_code, results.stamp, results.k, locales.current_locale(), trend_width, trend_height)
    found = _matrices.get(key)
    if found is None:
        found = overview_matrix(results, trend_width=trend_width, trend_height=trend_height)
        _matrices[key] = found
        while len(_matrices) > _MATRIX_CACHE_SIZE:
            _matrices.popitem(last=False)
    else:
        _matrices.move_to_end(key)
    return found


def forget_matrices() -> None:
    _matrices.clear()


# --- one target group: the presentation slide and the group page's verdicts -------------------------------


@dataclass(frozen=True)
class GoalSummary:
    cell: MatrixCell
    wording: str
    step_name: str
    sentences: tuple[str, ...]  # the latest shown wave's verdicts, or the preliminary sentence
    final_wave: str | None  # when the latest is preliminary: the last final wave …
    final_sentences: tuple[str, ...]  # … and its verdicts (without a trend that would take in the open wave)


@dataclass(frozen=True)
class GroupSummary:
    group: GroupInfo
    row: MatrixRow
    goals: tuple[GoalSummary, ...]
    rungs: tuple[MatrixCell, ...]  # steps without a goal, shown but not judged
    any_hidden: bool


def group_summary(
    results: PlanResults, group_code: str, *, trend_width: int = 96, trend_height: int = 28
) -> GroupSummary:
    """What the presentation slide and the group page say about one target group."""
    group = target_group(results, group_code)
    matrix = overview_matrix_cached(results, trend_width=trend_width, trend_height=trend_height)
    row = next(r for r in matrix.rows if r.group_code == group_code)
    titles = {w.slug: w.title for w in results.waves}
    interim = _interim_waves(results)
    goals_by_id = {g.id: g for g in results.goals}
    goals = []
    for cell in row.cells:
        if cell is None or cell.goal_id is None:
            continue
        goal = goals_by_id[cell.goal_id]
        latest = _latest_shown(goal)
        sentences = goal_sentences(results, goal, latest[0]) if latest else ()
        final_wave, final_sentences = None, ()
        if cell.preliminary:
            for index in range(len(goal.result.waves) - 1, -1, -1):
                wave = goal.result.waves[index]
                if wave.measured and wave.wave not in interim:
                    final_wave = titles[wave.wave]
                    # The trend sentence comes only on the trend's last wave (the open one): never here.
                    final_sentences = goal_sentences(results, goal, index)
                    break
        goals.append(
            GoalSummary(cell, goal.wording, _(STEP_NAMES[goal.step]), sentences, final_wave, final_sentences)
        )
    rungs = tuple(c for c in row.cells if c is not None and c.goal_id is None)
    return GroupSummary(
        group,
        row,
        tuple(goals),
        rungs,
        any(c is not None and c.hidden for c in row.cells),
    )


# --- reach over time beside what the waves measured ---------------------------------------------------------


@dataclass(frozen=True)
class ShareText:
    """A published share as the page and the API show it: the number, or why there is none."""

    share: float | None
    interval: tuple[float, float] | None
    hidden: bool  # "dold"

    @property
    def text(self) -> str:
        if self.hidden:
            return _("dold")
        return format_share(self.share) if self.share is not None else "–"


@dataclass(frozen=True)
class WaveBeside:
    """One released wave of one target group: recall of each channel and the L1–L2 shares."""

    slug: str
    title: str
    opens: date
    closes: date
    preliminary: bool
    recall: tuple[ShareText, ...]  # aligned with ReachTrend.channels
    steps: tuple[ShareText, ...]  # L1, L2


@dataclass(frozen=True)
class ReachTrend:
    months: tuple[date, ...]
    waves: tuple[WaveMark, ...]
    metrics: tuple[tuple[str, str], ...]  # (code, label) present in the figures, in REACH_METRICS order
    by_channel: tuple[ReachSeries, ...]  # every metric's series, per channel
    by_activity: tuple[ReachSeries, ...]
    channels: tuple[tuple[str, str], ...]  # (code, name): the recall columns
    groups: tuple[GroupInfo, ...]
    group: GroupInfo | None  # whose recall and L1–L2 are shown beside the reach
    beside: tuple[WaveBeside, ...]
    any_hidden: bool

    def charts(self, kind: str = "channel") -> list[ReachChart]:
        """One chart per metric, per channel (``kind="channel"``) or per activity (``"activity"``)."""
        series = self.by_channel if kind == "channel" else self.by_activity
        charts = []
        for metric, label in self.metrics:
            chosen = [s for s in series if s.metric == metric]
            if not chosen:
                continue
            title = (
                _("Räckvidd per kanal över tid: %(metric)s")
                if kind == "channel"
                else _("Räckvidd per aktivitet över tid: %(metric)s")
            ) % {"metric": label.lower()}
            charts.append(reach_chart(title, self.months, chosen, metric_label=label, waves=self.waves))
        return charts


REACH_STEPS = ("L1", "L2")


def reach_trend(results: PlanResults, group_code: str | None = None) -> ReachTrend:
    """Reach per month and channel or activity, beside each wave's channel recall and L1–L2 of one group.

    ``group_code`` chooses the target group (the first with recall figures when None); `NotFound` when the
    plan has no such group. Reach stays an output (L0): it is counted, never judged against a goal."""
    released = [w for w in results.waves if w.released_on is not None]
    waves = tuple(
        WaveMark(_wave_label(w.title, w.interim), w.opens_at.date(), w.closes_at.date(), w.interim)
        for w in released
    )
    by_channel = [
        ReachEntry(
            f.channel,
            results.channels.get(f.channel, f.channel),
            f.metric,
            f.period_start,
            f.period_end,
            f.value,
        )
        for f in results.reach
        if f.channel
    ]
    by_activity = [
        ReachEntry(
            f.activity,
            results.activities.get(f.activity, f.activity),
            f.metric,
            f.period_start,
            f.period_end,
            f.value,
        )
        for f in results.reach
        if f.activity
    ]
    months = month_axis([*by_channel, *by_activity], waves)
    present = {f.metric for f in results.reach}
    metrics = tuple((m, _(METRIC_LABELS[m])) for m in REACH_METRICS if m in present)
    channel_series = tuple(s for m, _label in metrics for s in monthly_series(by_channel, months, m))
    activity_series = tuple(s for m, _label in metrics for s in monthly_series(by_activity, months, m))

    if group_code is not None:
        group = target_group(results, group_code)
    else:
        with_recall = {c.target_group for c in results.recall}
        group = next(
            (g for g in results.groups if g.code in with_recall),
            results.groups[0] if results.groups else None,
        )
    recall_channels = tuple(
        (code, name) for code, name in results.channels.items() if any(c.key == code for c in results.recall)
    )
    recall = {(c.wave, c.key): c for c in results.recall if group and c.target_group == group.code}
    ladder = {(c.wave, c.key): c for c in results.ladder if group and c.target_group == group.code}

    def shown(cell: Cell | None) -> ShareText:
        if cell is None:
            return ShareText(None, None, False)
        if cell.hidden is not None or cell.estimate is None:
            return ShareText(None, None, cell.hidden is not None)
        if cell.estimate.base == 0:
            return ShareText(None, None, False)
        return ShareText(
            cell.estimate.share, (cell.estimate.interval.low, cell.estimate.interval.high), False
        )

    beside = tuple(
        WaveBeside(
            w.slug,
            _wave_label(w.title, w.interim),
            w.opens_at.date(),
            w.closes_at.date(),
            w.interim,
            tuple(shown(recall.get((w.slug, code))) for code, _name in recall_channels),
            tuple(shown(ladder.get((w.slug, step))) for step in REACH_STEPS),
        )
        for w in released
    )
    return ReachTrend(
        months=months,
        waves=waves,
        metrics=metrics,
        by_channel=channel_series,
        by_activity=activity_series,
        channels=recall_channels,
        groups=results.groups,
        group=group,
        beside=beside,
        any_hidden=any(t.hidden for row in beside for t in (*row.recall, *row.steps)),
    )
