"""The meeting pack: a meeting's frozen results, its activities, decisions and comments, as PDF,
PowerPoint or one web page.

The pack says what the pages say, through the same functions (`surveys.results.overview`): the matrix and
its headline, each target group's verdicts, the same charts. A meeting's results never change, so neither
does the part of its pack made from them: each chart is drawn once, as SVG, and that part of the pack is
kept with the meeting (`surveys.meetings.charts`). Any process, the command line included, then makes the
pack from what is kept, adding the activities, decisions and comments as they are now, without reading the
results or loading the statistics and charts at all.
"""

from __future__ import annotations

import asyncio
import hashlib
import pickle
import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from analysis.render.formatting import format_count, format_share
from analysis.render.report import (
    ActivityRow,
    Branding,
    GoalRow,
    GroupSection,
    MatrixCell,
    MatrixRow,
    MeetingPack,
    MethodsNote,
    PackChart,
    Status,
    long_date,
    methods_note,
    native_chart,
)
from locales import current_locale, ngettext, using_locale
from locales import gettext as _
from surveys.meetings import charts as kept
from surveys.meetings.records import DecisionView, MeetingView, decisions, find_meeting, meeting_head
from surveys.plans.editing import plan_overview
from surveys.plans.reach import METRIC_LABELS

FORMATS = ("pdf", "pptx", "html")
LOGO_FORMATS = {".svg": "svg", ".png": "png", ".jpg": "jpg", ".jpeg": "jpg"}


def pack_branding(name: str, logo: str, colour: str) -> Branding:
    """The installation's branding from its settings; the logo file is read once per change of the file."""
    if not logo:
        return Branding(name, colour)
    path = Path(logo)
    return Branding(name, colour, *_logo(str(path), path.stat().st_mtime))


@lru_cache(maxsize=4)
def _logo(path: str, _changed: float) -> tuple[bytes, str]:
    return Path(path).read_bytes(), LOGO_FORMATS[Path(path).suffix.lower()]


def _status(status, *, preliminary: bool, hidden: bool) -> Status:
    """A goal's status as a shape and a word (`GoalStatus` values are the shapes' keys)."""
    from surveys.results.overview import status_label

    if preliminary and not hidden:
        return Status("preliminary", _("Preliminärt"))
    if status is None:
        return Status("none", _("Ingen bedömning"))
    return Status(str(status.value), status_label(status))


def _cell(cell) -> MatrixCell | None:
    from surveys.results.overview import share_text, span_text

    if cell is None:
        return None
    if cell.goal_id is None:
        status = Status("none", _("Inget mål"))
    else:
        status = _status(cell.status, preliminary=cell.preliminary, hidden=cell.hidden)
    share = share_text(cell.share) if cell.share is not None else (_("dold") if cell.hidden else "–")
    return MatrixCell(share, span_text(cell.interval), status, cell.trend_svg)


def _largest_changes(results, count: int = 3) -> tuple[str, ...]:
    """The largest changes since the previous wave, on each goal's latest final wave, in words."""
    from analysis.render.verdicts import change_verdict
    from surveys.questionnaires.model import STEP_NAMES

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


def results_key(stamp: str, k: int) -> str:
    """Which frozen results, shown under which minimum group size, in which language."""
    return f"{stamp}/k{k}/{current_locale()}"


def chart_key(results, group: str, name: str) -> str:
    """What a kept chart shows: the results' stamp and minimum, the chart, and the language."""
    return f"{group}/{name}/{results_key(results.stamp, results.k)}"


def chart_specs(results) -> list[tuple[str, str, object]]:
    """Every chart of the pack: (key, group code, spec), in the order printed."""
    from surveys.results.overview import group_charts

    return [
        (chart_key(results, group.code, spec.key), group.code, spec)
        for group in results.groups
        for spec in group_charts(results, group.code)
        if spec.key != "ladder"  # the matrix shows every step already
    ]


async def meeting_pack(
    view: MeetingView, branding: Branding | None = None, *, drawn: bool = True, keep: bool = False
) -> MeetingPack:
    """Everything the pack shows, from the meeting's snapshot: the same numbers as its page.

    With `drawn`, every chart comes with its SVG (drawn now and kept, if no process has drawn it yet); the
    presentation needs none (it draws native charts from the chart's numbers). With `keep` (and `drawn`),
    the part made from the frozen results is kept for the next pack of this meeting."""
    frozen = await _from_results(view, drawn=drawn)
    if keep and drawn:
        await kept.keep_pack(view.id, results_key(view.results.stamp, view.results.k), frozen)
    return await _with_activities(frozen, view, branding)


async def _from_results(view: MeetingView, *, drawn: bool) -> MeetingPack:
    """The part of the pack that comes from the frozen results (the same for every pack of the meeting)."""
    from analysis.render.verdicts import hidden_explanation
    from surveys.results.overview import group_summary, overview, overview_matrix, share_text, span_text

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
            goals.append(
                GoalRow(
                    goal_id=cell.goal_id,
                    step=f"{cell.step} {goal.step_name}",
                    wording=goal.wording,
                    latest=share_text(cell.share)
                    if cell.share is not None
                    else (_("dold") if cell.hidden else "–"),
                    interval=span_text(cell.interval),
                    target=share_text(cell.target),
                    status=_status(cell.status, preliminary=cell.preliminary, hidden=cell.hidden),
                    wave=cell.wave_title or "–",
                    respondents=format_count(row.respondents) if shown else "–",
                    sentences=sentences,
                )
            )
        charts = []
        for key, code, spec in specs:
            if code != group.code:
                continue
            found = stored.get(key)
            charts.append(
                PackChart(
                    key,
                    found.title if found else spec.title,
                    found.description if found else "",
                    found.table if found else (),
                    found.svg if found else "",
                    native_chart(spec.build),
                )
            )
        groups.append(GroupSection(group.name, tuple(goals), tuple(charts)))
    reach = [
        ActivityRow(
            code=code,
            title=title,
            when="",
            channels="",
            reach="; ".join(
                f"{_(METRIC_LABELS.get(r.metric, r.metric))} {format_count(r.value)}"
                for r in results.reach
                if r.activity == code
            )
            or "–",
        )
        for code, title in results.activities.items()
    ]
    return MeetingPack(
        plan_title=results.plan_title,
        meeting_title=view.title,
        meeting_date=view.held_on,
        taken_on=view.taken_on or view.held_on,
        headline=matrix.headline,
        notes=tuple(note for note in (matrix.response_line, matrix.preliminary_note) if note),
        steps=tuple(f"{code} {name}" for code, name in matrix.steps),
        matrix=tuple(
            MatrixRow(row.group_name, tuple(_cell(cell) for cell in row.cells)) for row in matrix.rows
        ),
        changes=_largest_changes(results),
        groups=tuple(groups),
        activities=tuple(reach),  # only their reach, which is frozen with the results
        reach_charts=_reach_charts(results),
        methods=_methods(results),
        hidden_note=hidden_explanation(results.k),
    )


async def _with_activities(frozen: MeetingPack, meeting, branding: Branding | None) -> MeetingPack:
    """The frozen part with the meeting as it is now: its activities, decisions, comments and branding.

    `meeting` is a `MeetingView` or a `MeetingHead` (the same fields but the results)."""
    reach = {a.code: a.reach for a in frozen.activities}
    plan = await plan_overview(meeting.plan_code)
    history: dict[str, list[DecisionView]] = {}
    for decision in await decisions(meeting.plan_code):
        if (decision.held_on, decision.meeting_id) < (meeting.held_on, meeting.id):  # earlier meetings only
            history.setdefault(decision.activity, []).append(decision)
    activities = []
    for activity in plan.activities if plan else ():
        decided = meeting.decision_on(activity.code)
        activities.append(
            ActivityRow(
                code=activity.code,
                title=activity.title,
                when=activity.timing,
                channels=", ".join(activity.channels),
                reach=reach.get(activity.code, "–"),
                decision=_decision_text(decided) if decided else "",
                earlier=_earlier_text(history.get(activity.code, [])),
                comment=meeting.comment(f"activity:{activity.code}"),
                asked=activity.starts_on is None or activity.starts_on <= meeting.held_on,
            )
        )
    groups = tuple(
        replace(
            group,
            goals=tuple(replace(g, comment=meeting.comment(f"goal:{g.goal_id}")) for g in group.goals),
        )
        for group in frozen.groups
    )
    return replace(
        frozen,
        meeting_title=meeting.title,
        meeting_date=meeting.held_on,
        taken_on=meeting.taken_on or meeting.held_on,
        branding=branding or Branding(),
        groups=groups,
        activities=tuple(activities),
    )


def _methods(results) -> MethodsNote:
    """How the numbers were made, and what the next wave can show (issue 17's planning figures)."""
    from surveys.results.planning import planning_of

    lines = methods_note(sum(results.respondents.values()), k=results.k, confidence=results.confidence).lines
    planning = planning_note(planning_of(results))
    return MethodsNote((*lines, planning) if planning else lines)


def _points(change: float) -> str:
    return format_count(round(change * 100))


def planning_note(planning) -> str:
    """The next wave in one plain paragraph: the smallest real change the goals can show if as many answer
    again as in their latest closed wave, and how many answers an interval of ±10 points needs.

    ``planning`` is a `surveys.results.planning.WavePlanning`; "" when the plan has no goals."""
    goals = planning.goals
    if not goals:
        return ""
    found = sorted((g for g in goals if g.detectable_change is not None), key=lambda g: g.detectable_change)
    without = len(goals) - len(found)
    if not found:
        return _(
            "Nästa mätomgång: det finns ännu ingen stängd mätomgång att räkna från, så det går inte att säga "
            "hur stor förändring nästa mätomgång kan visa."
        )

    def where(goal) -> str:
        return f"{goal.group_name} ({goal.step})"

    values = {
        "power": format_share(planning.power),
        "low": _points(found[0].detectable_change),
        "high": _points(found[-1].detectable_change),
        "smallest": where(found[0]),
        "largest": where(found[-1]),
    }
    if values["low"] == values["high"]:
        text = (
            _(
                "Nästa mätomgång: om lika många svarar som i den senaste stängda mätomgången upptäcks en verklig "
                "förändring med %(power)s sannolikhet när den är minst %(low)s procentenheter."
            )
            % values
        )
    else:
        text = (
            _(
                "Nästa mätomgång: om lika många svarar som i den senaste stängda mätomgången upptäcks en verklig "
                "förändring med %(power)s sannolikhet när den är minst %(low)s till %(high)s procentenheter, "
                "beroende på mål: minst för %(smallest)s och störst för %(largest)s."
            )
            % values
        )
    text += " " + _("En mindre förändring kan finnas utan att siffrorna kan visa den.")
    needed = sorted({g.needed_for_margin for g in found})
    margin = {
        "margin": _points(planning.margin),
        "low": format_count(needed[0]),
        "high": format_count(needed[-1]),
    }
    if needed[0] == needed[-1]:
        text += (
            " "
            + _("Ett osäkerhetsintervall på ±%(margin)s procentenheter kräver %(low)s svar per mål.") % margin
        )
    else:
        text += (
            " "
            + _(
                "Ett osäkerhetsintervall på ±%(margin)s procentenheter kräver mellan %(low)s och %(high)s svar "
                "per mål, beroende på målgruppens storlek och andel."
            )
            % margin
        )
    if without:
        text += " " + ngettext(
            "För %(num)s mål finns ännu ingen stängd mätomgång att räkna från.",
            "För %(num)s mål finns ännu ingen stängd mätomgång att räkna från.",
            without,
        ) % {"num": without}
    return text


def _reach_charts(results) -> tuple[PackChart, ...]:
    """Reach per channel over time, one chart per metric (drawn by hand: microseconds)."""
    from surveys.results.overview import reach_trend

    if not results.reach:
        return ()
    return tuple(
        PackChart(
            f"reach/{number}", chart.title, chart.description, chart.table, chart.svg, reach=chart.lines
        )
        for number, chart in enumerate(reach_trend(results).charts("channel"))
    )


_made: OrderedDict[str, bytes] = OrderedDict()
_made_lock = threading.Lock()
MADE_KEPT = 8  # packs kept, the least recently asked for dropped first


def render_pack(pack: MeetingPack, fmt: str) -> bytes:
    """The pack as PDF, PowerPoint or HTML. The same pack asked for again (a meeting's snapshot does not
    change, but a decision, a comment or an activity might) is served from memory: the key is the pack's
    whole content."""
    key = f"{hashlib.sha256(pickle.dumps(pack, protocol=5)).hexdigest()}/{fmt}/{current_locale()}"
    with _made_lock:
        if key in _made:
            _made.move_to_end(key)
            return _made[key]
    if fmt == "pdf":
        from analysis.render.pack_typst import build_pdf

        data = build_pdf(pack)
    elif fmt == "pptx":
        from analysis.render.pack_pptx import build_pptx

        data = build_pptx(pack)
    elif fmt == "html":
        from analysis.render.pack_html import build_html

        data = build_html(pack)
    else:
        raise ValueError(f"Unknown pack format {fmt!r}.")
    with _made_lock:
        _made[key] = data
        while len(_made) > MADE_KEPT:
            _made.popitem(last=False)
    return data


async def pack_file(
    plan_code: str, meeting_id: int, fmt: str, branding: Branding | None = None, *, k: int
) -> tuple[bytes, date]:
    """The meeting's pack in one format and the current language, and the meeting's day: what the page
    and the command give. `NotFound` unless the plan has this meeting."""
    head = await meeting_head(plan_code, meeting_id, k=k)
    frozen = await kept.kept_pack(meeting_id, f"{head.results_key}/{current_locale()}")
    if frozen is not None:
        pack = await _with_activities(frozen, head, branding)
    else:
        view = await find_meeting(plan_code, meeting_id, k=k)
        pack = await meeting_pack(view, branding, drawn=fmt != "pptx", keep=True)
    locale = current_locale()

    def build() -> bytes:
        with using_locale(locale):
            return render_pack(pack, fmt)

    return await asyncio.to_thread(build), head.held_on


async def prepare_charts(plan_code: str, meeting_id: int, *, k: int, locale: str = "sv") -> int:
    """Draw and keep the meeting's charts that are not kept yet (after a meeting is made, or by the demo);
    the number of charts the pack has."""
    with using_locale(locale):
        view = await find_meeting(plan_code, meeting_id, k=k)
        await meeting_pack(view, drawn=True, keep=True)
    return len(chart_specs(view.results))


def forget_made_packs() -> None:
    with _made_lock:
        _made.clear()
