"""The meeting pack: a meeting's frozen results, its activities, decisions and comments, as PDF,
PowerPoint or one web page.

The pack says what the pages say, through the same functions (`surveys.results.overview`): the matrix and
its headline, each target group's verdicts, the same charts. The charts of a meeting never change (its
results are frozen), so each is drawn once, as SVG, and kept with the meeting (`surveys.meetings.charts`):
any process, the command line included, makes the pack from the kept drawings in a fraction of a second.
"""

from __future__ import annotations

import asyncio
import hashlib
import pickle
import threading
from collections import OrderedDict

from analysis.render.charts import ChartRecipe
from analysis.render.formatting import format_count
from analysis.render.report import (
    ActivityRow,
    Branding,
    GoalRow,
    GroupSection,
    MatrixCell,
    MatrixRow,
    MeetingPack,
    PackChart,
    Status,
    long_date,
    methods_note,
)
from analysis.render.verdicts import change_verdict
from analysis.stats.estimates import GoalStatus
from locales import current_locale, using_locale
from locales import gettext as _
from surveys.meetings import charts as kept
from surveys.meetings.records import DecisionView, MeetingView, decisions
from surveys.plans.editing import plan_overview
from surveys.plans.reach import METRIC_LABELS
from surveys.questionnaires.model import STEP_NAMES
from surveys.results.overview import (
    activity_recall,
    group_charts,
    group_summary,
    overview,
    overview_matrix,
    share_text,
    span_text,
    status_label,
)
from surveys.results.plan_results import PlanResults

FORMATS = ("pdf", "pptx", "html")
_STATUS_KEYS = {
    GoalStatus.ACHIEVED: "achieved",
    GoalStatus.UNCERTAIN: "uncertain",
    GoalStatus.NOT_ACHIEVED: "not_achieved",
}


def _status(status: GoalStatus | None, *, preliminary: bool, hidden: bool) -> Status:
    if preliminary and not hidden:
        return Status("preliminary", _("Preliminärt"))
    if status is None:
        return Status("none", _("Ingen bedömning"))
    return Status(_STATUS_KEYS[status], status_label(status))


def _cell(cell) -> MatrixCell | None:
    if cell is None:
        return None
    if cell.goal_id is None:
        status = Status("none", _("Inget mål"))
    else:
        status = _status(cell.status, preliminary=cell.preliminary, hidden=cell.hidden)
    share = share_text(cell.share) if cell.share is not None else (_("dold") if cell.hidden else "–")
    return MatrixCell(share, span_text(cell.interval), status, cell.trend_svg)


def _largest_changes(results: PlanResults, count: int = 3) -> tuple[str, ...]:
    """The largest changes since the previous wave, on each goal's latest final wave, in words."""
    names = {g.code: g.name for g in results.groups}
    interim = {w.slug for w in results.waves if w.interim}
    found = []
    for goal in results.goals:
        waves = goal.result.waves
        for index in range(len(waves) - 1, -1, -1):
            wave = waves[index]
            if not wave.measured or wave.wave in interim:
                continue
            if wave.change is not None and wave.estimate is not None:
                before = next((w for w in waves[:index] if w.wave == wave.change_since), None)
                if before is not None and before.estimate is not None:
                    sentence = change_verdict(
                        before.estimate.share, wave.estimate.share, wave.change, wave.change_p_adjusted
                    )
                    subject = _("%(group)s, %(step)s") % {
                        "group": names.get(goal.target_group, goal.target_group),
                        "step": _(STEP_NAMES[goal.step]).lower(),
                    }
                    certain = _certain(wave.change, wave.change_p_adjusted)
                    found.append((certain, abs(wave.change.difference), f"{subject}: {sentence}"))
            break
    # Changes the numbers bear out first, then those that may be chance, each the largest first.
    found.sort(key=lambda item: (not item[0], -item[1]))
    return tuple(text for _certain, _size, text in found[:count])


def _certain(change, p_adjusted: float | None, alpha: float = 0.05) -> bool:
    """The rule `change_verdict` words: significant after adjustment and an interval that excludes zero."""
    p_value = p_adjusted if p_adjusted is not None else change.test.p_value
    return p_value is not None and p_value < alpha and (change.interval.low > 0 or change.interval.high < 0)


def _decision_text(decision: DecisionView) -> str:
    text = decision.verdict_label + (f": {decision.motivation}" if decision.motivation else "")
    if decision.earlier:
        before = decision.earlier[0]
        text += " " + _("(ändrat %(day)s, tidigare %(verdict)s)") % {
            "day": long_date(decision.recorded_on) if decision.recorded_on else "–",
            "verdict": before.verdict_label.lower(),
        }
    return text


def _earlier_text(earlier: list[DecisionView]) -> str:
    if not earlier:
        return ""
    latest = earlier[0]
    text = f"{latest.verdict_label} ({long_date(latest.held_on)})"
    return f"{text}: {latest.motivation}" if latest.motivation else text


def chart_key(results: PlanResults, group: str, name: str) -> str:
    """What a kept chart shows: the results' stamp and minimum, the chart, and the language."""
    return f"{group}/{name}/{results.stamp}/k{results.k}/{current_locale()}"


def chart_specs(results: PlanResults) -> list[tuple[str, str, object]]:
    """Every chart of the pack: (key, group code, spec), in the order printed."""
    return [
        (chart_key(results, group.code, spec.key), group.code, spec)
        for group in results.groups
        for spec in group_charts(results, group.code)
        if spec.key != "ladder"  # the matrix shows every step already
    ]


async def meeting_pack(view: MeetingView, branding: Branding | None = None, *, drawn: bool = True) -> MeetingPack:
    """Everything the pack shows, from the meeting's snapshot: the same numbers as its page.

    With `drawn`, every chart comes with its SVG (drawn now and kept, if no process has drawn it yet); the
    presentation needs none (it draws native charts from the chart's data)."""
    results = view.results
    matrix = overview_matrix(results)
    rows = {row.goal_id: row for row in overview(results)}
    specs = chart_specs(results)
    stored = await kept.meeting_charts(view.id, specs, draw=drawn)
    groups = []
    for group in results.groups:
        summary = group_summary(results, group.code)
        goals = []
        for goal in summary.goals:
            cell = goal.cell
            sentences = goal.sentences
            if cell.preliminary and goal.final_wave:
                sentences = (
                    *sentences,
                    _("Senaste stängda mätomgång (%(wave)s): %(status)s.")
                    % {"wave": goal.final_wave, "status": cell.final_label},
                    *goal.final_sentences,
                )
            row = rows.get(cell.goal_id)
            shown = row is not None and row.respondents and cell.share is not None
            respondents = format_count(row.respondents) if shown else "–"
            goals.append(
                GoalRow(
                    goal_id=cell.goal_id,
                    step=f"{cell.step} {goal.step_name}",
                    wording=goal.wording,
                    latest=share_text(cell.share) if cell.share is not None else (_("dold") if cell.hidden else "–"),
                    interval=span_text(cell.interval),
                    target=share_text(cell.target),
                    status=_status(cell.status, preliminary=cell.preliminary, hidden=cell.hidden),
                    wave=cell.wave_title or "–",
                    respondents=respondents,
                    sentences=sentences,
                    comment=view.comment(f"goal:{cell.goal_id}"),
                )
            )
        charts = []
        for key, code, spec in specs:
            if code != group.code:
                continue
            found = stored.get(key)
            recipe = spec.build if isinstance(spec.build, ChartRecipe) else None
            charts.append(
                PackChart(
                    key,
                    found.title if found else spec.title,
                    found.description if found else "",
                    found.table if found else (),
                    found.svg if found else "",
                    recipe,
                )
            )
        groups.append(GroupSection(group.name, tuple(goals), tuple(charts)))

    plan = await plan_overview(view.plan_code)
    history: dict[str, list[DecisionView]] = {}
    for decision in await decisions(view.plan_code):
        if decision.meeting_id != view.id and (decision.held_on, decision.meeting_id) < (view.held_on, view.id):
            history.setdefault(decision.activity, []).append(decision)
    activities = []
    for activity in plan.activities if plan else ():
        decided = view.decision_on(activity.code)
        started = activity.starts_on is None or activity.starts_on <= view.held_on
        activities.append(
            ActivityRow(
                code=activity.code,
                title=activity.title,
                when=activity.timing,
                channels=", ".join(activity.channels),
                reach="; ".join(
                    f"{_(METRIC_LABELS.get(r.metric, r.metric))} {format_count(r.value)}"
                    for r in results.reach
                    if r.activity == activity.code
                )
                or "–",
                recall="; ".join(activity_recall(results, activity.channel_codes, activity.group_codes)) or "–",
                decision=_decision_text(decided) if decided else "",
                earlier=_earlier_text(history.get(activity.code, [])),
                comment=view.comment(f"activity:{activity.code}"),
                asked=started,
            )
        )
    notes = tuple(
        note
        for note in (
            matrix.response_line,
            matrix.preliminary_note,
        )
        if note
    )
    return MeetingPack(
        plan_title=results.plan_title,
        meeting_title=view.title,
        meeting_date=view.held_on,
        taken_on=view.taken_on or view.held_on,
        branding=branding or Branding(),
        headline=matrix.headline,
        notes=notes,
        steps=tuple(f"{code} {name}" for code, name in matrix.steps),
        matrix=tuple(
            MatrixRow(row.group_name, tuple(_cell(cell) for cell in row.cells)) for row in matrix.rows
        ),
        changes=_largest_changes(results),
        groups=tuple(groups),
        activities=tuple(activities),
        reach_chart=None,  # the reach trend over time joins here when surveys.results has it
        methods=methods_note(sum(results.respondents.values()), k=results.k, confidence=results.confidence),
    )


_made: OrderedDict[str, bytes] = OrderedDict()
_made_lock = threading.Lock()
MADE_KEPT = 8  # packs kept, the least recently asked for dropped first


def render_pack(pack: MeetingPack, fmt: str, *, k: int = 5) -> bytes:
    """The pack as PDF, PowerPoint or HTML. The same pack asked for again (a meeting's snapshot does not
    change, but a decision, a comment or an activity might) is served from memory: the key is the pack's
    whole content."""
    key = f"{hashlib.sha256(pickle.dumps(pack, protocol=5)).hexdigest()}/{fmt}/{current_locale()}/{k}"
    with _made_lock:
        if key in _made:
            _made.move_to_end(key)
            return _made[key]
    if fmt == "pdf":
        from analysis.render.pack_typst import build_pdf

        data = build_pdf(pack, k=k)
    elif fmt == "pptx":
        from analysis.render.pack_pptx import build_pptx

        data = build_pptx(pack)
    elif fmt == "html":
        from analysis.render.pack_html import build_html

        data = build_html(pack, k=k)
    else:
        raise ValueError(f"Unknown pack format {fmt!r}.")
    with _made_lock:
        _made[key] = data
        while len(_made) > MADE_KEPT:
            _made.popitem(last=False)
    return data


async def pack_bytes(view: MeetingView, fmt: str, branding: Branding | None = None) -> bytes:
    """The meeting's pack in one format, in the current language: what the page and the command give."""
    pack = await meeting_pack(view, branding, drawn=fmt != "pptx")
    locale = current_locale()

    def build() -> bytes:
        with using_locale(locale):
            return render_pack(pack, fmt, k=view.results.k)

    return await asyncio.to_thread(build)


def forget_made_packs() -> None:
    with _made_lock:
        _made.clear()
