"""Results for a plan's effect goals across waves, with disclosure control applied last.

For each goal (target group × step) and wave: the estimate, the goal status, the change since the previous
wave (p adjusted with Holm across all goals' changes into the same wave: the goals are declared in the plan),
the trend over the waves since the question last changed (Holm across goals), and the breakdown per
organisation. Then disclosure control: a wave's whole group below k (or unanimous and small) is hidden,
organisations are protected with complementary suppression, and a change is shown only between shown waves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analysis.disclosure import Count, SuppressionReason, check_minimum, primary_reason, suppress_breakdown
from analysis.effects import Change, ShareEstimate, Stratum, compare, estimate_share, status, trend
from analysis.stats import GoalStatus, Test, adjust_p_values


@dataclass(frozen=True)
class Measure:
    """One wave's counts for one target group and step (None strata: the wave did not ask it)."""

    wave: str
    strata: tuple[Stratum, ...] | None
    trend_break: bool = False  # the question's wording or scale changed since the previous measured wave


@dataclass(frozen=True)
class GoalSpec:
    key: str
    target: float
    measures: tuple[Measure, ...]  # one per wave, in wave order


@dataclass(frozen=True)
class OrganisationResult:
    label: str
    estimate: ShareEstimate | None
    hidden: SuppressionReason | None


@dataclass(frozen=True)
class WaveResult:
    wave: str
    measured: bool
    estimate: ShareEstimate | None  # None when not measured or hidden
    hidden: SuppressionReason | None
    status: GoalStatus | None
    change: Change | None
    change_p_adjusted: float | None
    trend_break: bool
    organisations: tuple[OrganisationResult, ...]
    other: ShareEstimate | None = None  # the hidden organisations together, when that group may be shown


@dataclass(frozen=True)
class GoalResult:
    key: str
    target: float
    waves: tuple[WaveResult, ...]
    trend: Test | None
    trend_p_adjusted: float | None

    @property
    def latest(self) -> WaveResult | None:
        return next((w for w in reversed(self.waves) if w.measured), None)


def protected(
    strata: Sequence[Stratum], k: int, confidence: float = 0.95
) -> tuple[ShareEstimate | None, SuppressionReason | None]:
    """An estimate for a whole group, or the reason it may not be shown."""
    estimate = estimate_share(strata, confidence=confidence)
    reason = primary_reason(Count(estimate.base, estimate.reached), k)
    return (None, reason) if reason else (estimate, None)


def goal_results(
    specs: Sequence[GoalSpec], *, k: int = 5, confidence: float = 0.95
) -> tuple[GoalResult, ...]:
    k = check_minimum(k)
    drafts = [_draft(spec, k, confidence) for spec in specs]
    changes = _holm_by_wave(drafts)
    trends = [d["trend"] for d in drafts]
    trend_p = iter(adjust_p_values([t.p_value for t in trends if t is not None], "holm"))
    trend_adjusted = [next(trend_p) if t is not None else None for t in trends]
    results = []
    for spec, draft, trend_value, trend_adj in zip(specs, drafts, trends, trend_adjusted, strict=True):
        waves = tuple(
            WaveResult(**{**w, "change_p_adjusted": changes.get((spec.key, w["wave"]))})
            for w in draft["waves"]
        )
        results.append(GoalResult(spec.key, spec.target, waves, trend_value, trend_adj))
    return tuple(results)


def _draft(spec: GoalSpec, k: int, confidence: float) -> dict:
    waves: list[dict] = []
    previous: ShareEstimate | None = None
    segment: list[ShareEstimate] = []
    for measure in spec.measures:
        if measure.strata is None:
            waves.append(_empty(measure.wave, measure.trend_break))
            continue
        estimate, hidden = protected(measure.strata, k, confidence)
        if measure.trend_break:
            previous, segment = None, []
        change = compare(previous, estimate, confidence=confidence) if previous and estimate else None
        organisations, other = _organisations(measure.strata, k, confidence) if estimate else ((), None)
        waves.append(
            {
                "wave": measure.wave,
                "measured": True,
                "estimate": estimate,
                "hidden": hidden,
                "status": status(estimate, spec.target) if estimate and estimate.base else None,
                "change": change,
                "trend_break": measure.trend_break,
                "organisations": organisations,
                "other": other,
            }
        )
        # A hidden wave breaks the chain: a change to or from it would reveal it.
        previous = estimate if estimate and estimate.base else None
        if previous:
            segment.append(previous)
    return {"key": spec.key, "waves": waves, "trend": trend(segment)}


def _empty(wave: str, trend_break: bool) -> dict:
    return {
        "wave": wave,
        "measured": False,
        "estimate": None,
        "hidden": None,
        "status": None,
        "change": None,
        "trend_break": trend_break,
        "organisations": (),
        "other": None,
    }


def _organisations(
    strata: Sequence[Stratum], k: int, confidence: float
) -> tuple[tuple[OrganisationResult, ...], ShareEstimate | None]:
    suppression = suppress_breakdown({s.label: Count(s.base, s.reached) for s in strata}, k=k)
    results = []
    for s in strata:
        reason = suppression.reason(s.label)
        estimate = None if reason else estimate_share([s], confidence=confidence)
        results.append(OrganisationResult(s.label, estimate, reason))
    other = None
    if suppression.other is not None:
        hidden = [s for s in strata if s.label in suppression.other_parts]
        other = estimate_share(hidden, confidence=confidence)
    return tuple(results), other


def _holm_by_wave(drafts: Sequence[dict]) -> Mapping[tuple[str, str], float]:
    """Holm across the goals' changes into the same wave: one family per wave, as one screen shows it."""
    families: dict[str, list[tuple[int, float]]] = {}
    for index, draft in enumerate(drafts):
        for w in draft["waves"]:
            if w["change"] is not None:
                families.setdefault(w["wave"], []).append((index, w["change"].test.p_value))
    adjusted: dict[tuple[str, str], float] = {}
    for wave, members in families.items():
        for (index, _p), value in zip(members, adjust_p_values([p for _, p in members], "holm"), strict=True):
            adjusted[(drafts[index]["key"], wave)] = value
    return adjusted
