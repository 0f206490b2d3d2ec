"""A plan's aggregated results as export tables (XLSX/CSV): the same numbers as the pages, hidden the same way."""

from __future__ import annotations

from analysis.render.export import ExportTable, Suppressed
from analysis.render.verdicts import hidden_verdict
from analysis.stats.effects import ShareEstimate
from analysis.stats.linked_tables import rounded_count
from locales import gettext as _
from surveys.plans.reach import METRIC_LABELS
from surveys.questionnaires.model import STEP_NAMES
from surveys.results.overview import status_label
from surveys.results.plan_results import PlanResults


def _share_cells(
    estimate: ShareEstimate | None, hidden: Suppressed | None, *, breakdown: bool = False
) -> list:
    """Respondents, share and interval. In a breakdown by organisation the respondents are rounded to the
    nearest five, as on the pages and in the API (docs/dataskydd.md, "Vad som redovisas")."""
    if hidden is not None:
        return [hidden, hidden, hidden, hidden]
    count = None
    if estimate is not None:
        count = rounded_count(estimate.respondents) if breakdown else estimate.respondents
    if estimate is None or estimate.base == 0:
        return [count, None, None, None]
    return [count, estimate.share, estimate.interval.low, estimate.interval.high]


def export_tables(results: PlanResults) -> list[ExportTable]:
    k = results.k
    groups = {g.code: g.name for g in results.groups}
    waves = {w.slug: w.title for w in results.waves}
    share, low, high = _("Andel"), _("Nedre gräns"), _("Övre gräns")
    respondents = _("Svarande")

    def step(code: str) -> str:
        return f"{code} {_(STEP_NAMES[code])}"

    def hidden(reason) -> Suppressed | None:
        return Suppressed(hidden_verdict(reason, k)) if reason else None

    goal_rows = []
    organisation_rows = []
    for goal in results.goals:
        for wave in goal.result.waves:
            if not wave.measured:
                continue
            secret = hidden(wave.hidden)
            change = wave.change
            goal_rows.append(
                [
                    groups.get(goal.target_group, goal.target_group),
                    step(goal.step),
                    waves[wave.wave],
                    *_share_cells(wave.estimate, secret),
                    goal.target,
                    status_label(wave.status) if wave.status else None,
                    change.difference if change else None,
                    wave.change_p_adjusted if change else None,
                ]
            )
            for organisation in wave.organisations:
                organisation_rows.append(
                    [
                        groups.get(goal.target_group, goal.target_group),
                        step(goal.step),
                        waves[wave.wave],
                        results.organisations.get(organisation.label, organisation.label),
                        *_share_cells(organisation.estimate, hidden(organisation.hidden), breakdown=True),
                    ]
                )
    ladder_rows = [
        [
            groups.get(c.target_group, c.target_group),
            waves[c.wave],
            step(c.key),
            *_share_cells(c.estimate, hidden(c.hidden)),
        ]
        for c in results.ladder
    ]
    recall_rows = [
        [
            groups.get(c.target_group, c.target_group),
            waves[c.wave],
            results.channels.get(c.key, c.key),
            *_share_cells(c.estimate, hidden(c.hidden)),
        ]
        for c in results.recall
    ]
    reach_rows = [
        [
            results.activities.get(r.activity, r.activity or ""),
            results.channels.get(r.channel, r.channel or ""),
            _(METRIC_LABELS.get(r.metric, r.metric)),
            r.value,
            r.period_start.isoformat(),
            r.period_end.isoformat(),
        ]
        for r in results.reach
    ]
    share_columns = {share, low, high}
    return [
        ExportTable(
            _("Effektmål"),
            [
                _("Målgrupp"),
                _("Steg"),
                _("Mätomgång"),
                respondents,
                share,
                low,
                high,
                _("Mål"),
                _("Status"),
                _("Förändring"),
                _("p-värde (justerat)"),
            ],
            goal_rows,
            share_columns=share_columns | {_("Mål"), _("Förändring")},
        ),
        ExportTable(
            _("Per organisation"),
            [
                _("Målgrupp"),
                _("Steg"),
                _("Mätomgång"),
                _("Organisation"),
                _("Svarande (avrundat till närmaste 5)"),
                share,
                low,
                high,
            ],
            organisation_rows,
            share_columns=share_columns,
        ),
        ExportTable(
            _("Effekttrappan"),
            [_("Målgrupp"), _("Mätomgång"), _("Steg"), respondents, share, low, high],
            ladder_rows,
            share_columns=share_columns,
        ),
        ExportTable(
            _("Kanaler"),
            [_("Målgrupp"), _("Mätomgång"), _("Kanal"), respondents, share, low, high],
            recall_rows,
            share_columns=share_columns,
        ),
        ExportTable(
            _("Räckvidd"),
            [_("Aktivitet"), _("Kanal"), _("Mått"), _("Värde"), _("Från"), _("Till")],
            reach_rows,
        ),
    ]
