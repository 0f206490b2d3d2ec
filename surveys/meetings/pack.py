"""The meeting pack: a meeting's frozen results, its activities and decisions, as PDF and PowerPoint."""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict

from analysis.render import workers
from analysis.render.charts import ChartRecipe
from analysis.render.formatting import format_count
from analysis.render.report import (
    ActivityRow,
    GroupPage,
    MeetingPack,
    SummaryRow,
    build_pdf,
    build_pptx,
    methods_note,
)
from locales import current_locale
from locales import gettext as _
from surveys.meetings.records import MeetingView, decisions
from surveys.plans.editing import plan_overview
from surveys.plans.reach import METRIC_LABELS
from surveys.results.overview import activity_recall, group_charts, overview, share_text, span_text


async def meeting_pack(view: MeetingView) -> MeetingPack:
    """Everything the pack shows, from the meeting's snapshot: the same numbers as its page.

    The charts are left as recipes, for the PDF or the presentation to build; the worker processes that
    can build them are started now if they are not running (they join in when ready, see analysis.render.workers).
    """
    workers.start()
    results = view.results
    rows = overview(results)
    summary = tuple(
        SummaryRow(
            target_group=row.group_name,
            step=f"{row.step} {row.step_name}",
            latest=share_text(row.share) if row.share is not None else (row.hidden_reason or _("Inga svar")),
            interval=span_text(row.interval),
            target=share_text(row.target),
            status=row.status_label,
            change=row.sentences[1] if len(row.sentences) > 1 else "",
            respondents=format_count(row.respondents) if row.respondents and row.share is not None else "–",
            warning=row.warning,
        )
        for row in rows
    )
    groups = []
    for group in results.groups:
        own = [row for row in rows if row.group_code == group.code]
        if not own:
            continue
        sentences = tuple(
            f"{row.step} {row.step_name}: {sentence}" for row in own for sentence in row.sentences
        )
        # Recipes, not built charts: the PDF or the presentation builds them, in worker processes if running.
        charts = tuple(
            spec.build if isinstance(spec.build, ChartRecipe) else spec.build()
            for spec in group_charts(results, group.code)
        )
        groups.append(GroupPage(group.name, sentences, charts))
    plan = await plan_overview(view.plan_code)
    history: dict[str, list] = {}
    for decision in await decisions(view.plan_code):
        if decision.held_on <= view.held_on:
            history.setdefault(decision.activity, []).append(decision)
    activities = tuple(
        ActivityRow(
            when=activity.timing,
            title=activity.title,
            channels=", ".join(activity.channels),
            reach="; ".join(
                f"{_(METRIC_LABELS.get(r.metric, r.metric))} {format_count(r.value)}"
                for r in results.reach
                if r.activity == activity.code
            )
            or "–",
            recall="; ".join(activity_recall(results, activity.channel_codes, activity.group_codes)) or "–",
            last_decision=_decision_text(history.get(activity.code, [])),
        )
        for activity in (plan.activities if plan else ())
    )
    shown_respondents = sum(results.respondents.values())
    return MeetingPack(
        plan_title=results.plan_title,
        meeting_title=view.title,
        meeting_date=view.held_on,
        summary=summary,
        groups=tuple(groups),
        activities=activities,
        methods=methods_note(shown_respondents, k=results.k, confidence=results.confidence),
        generated_note=_(
            "Underlaget bygger på resultaten som de sparades till mötet. Grupper med färre än %(k)s svar redovisas inte."
        )
        % {"k": results.k},
    )


def _decision_text(earlier: list) -> str:
    if not earlier:
        return _("Inget beslut ännu.")
    latest = earlier[0]
    text = f"{latest.verdict_label} ({latest.held_on.isoformat()})"
    return f"{text}: {latest.motivation}" if latest.motivation else text


_made: OrderedDict[str, bytes] = OrderedDict()
_made_lock = threading.Lock()
MADE_KEPT = 8  # packs kept, the least recently asked for dropped first


def render_pack(pack: MeetingPack, fmt: str) -> bytes:
    """The pack as PDF or PowerPoint. The same pack asked for again (a meeting's snapshot does not change, but
    a decision or an activity might) is served from memory: the key is the pack's whole content."""
    key = _pack_key(pack, fmt)
    if key is not None:
        with _made_lock:
            if key in _made:
                _made.move_to_end(key)
                return _made[key]
    data = build_pdf(pack) if fmt == "pdf" else build_pptx(pack)
    if key is not None:
        with _made_lock:
            _made[key] = data
            while len(_made) > MADE_KEPT:
                _made.popitem(last=False)
    return data


def _pack_key(pack: MeetingPack, fmt: str) -> str | None:
    if not all(isinstance(chart, ChartRecipe) for group in pack.groups for chart in group.charts):
        return None  # a built chart's figure is no key
    digest = hashlib.sha256(pickle.dumps(pack, protocol=5)).hexdigest()
    return f"{digest}/{fmt}/{current_locale()}"


def forget_made_packs() -> None:
    with _made_lock:
        _made.clear()
