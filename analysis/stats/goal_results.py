"""Results for a plan's effect goals across waves, with disclosure control applied last.

For each goal (target group × step) and wave: the estimate, the goal status, the change since the previous
wave (p adjusted with Holm across all goals' changes into the same wave: the goals are declared in the plan),
the trend over the waves since the question last changed (Holm across goals), and the breakdown per
organisation. Disclosure control: which organisations are hidden is decided once per wave release for
every table (analysis/stats/linked_tables.py) and handed in with each measure; hidden organisations are
weighted only as one merged group, and changes are measured between shown waves only.

What a number is travels with it (docs/methods.md §2.12): a wave from an interim release of an open wave is
preliminary (no goal status, its change takes no part in the Holm family, and the trend is over final
waves only), an estimate whose hidden organisations were merged says it is (partly) unweighted, and a
change or trend across waves that cover different populations says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from analysis.stats.disclosure import Count, SuppressionReason, check_minimum, primary_reason
from analysis.stats.effects import (
    Change,
    Note,
    ShareEstimate,
    Stratum,
    compare,
    estimate_share,
    status,
    trend,
)
from analysis.stats.estimates import GoalStatus, Test, adjust_p_values
from analysis.stats.linked_tables import GroupCounts, Part, release_pattern


@dataclass(frozen=True)
class Measure:
    """One wave's counts for one target group and step (None strata: the wave did not ask it)."""

    wave: str
    strata: tuple[Stratum, ...] | None
    trend_break: bool = False  # the question's wording or scale changed since the previous measured wave
    time: float | None = None  # when the wave ran (e.g. months since the first); the trend's score
    # What the wave's release hides in every table (analysis/stats/linked_tables.py). None: this measure is
    # the only table of its respondents, and its own pattern is worked out here by the same rules.
    hidden: frozenset[str] | None = None
    group_hidden: bool = False
    preliminary: bool = False  # from an interim release of a wave that is still open


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
    change_since: str | None  # the wave the change is measured from (the last shown one)
    trend_break: bool
    organisations: tuple[OrganisationResult, ...]
    other: ShareEstimate | None = None  # the hidden organisations together, when that group may be shown
    preliminary: bool = False  # an interim release of an open wave: no status, and no verdict on the change
    notes: tuple[Note, ...] = ()  # the estimate's notes, and the wave's own (preliminary, population changed)
    compared_population: int | None = None  # the known size the change is measured from, if any


@dataclass(frozen=True)
class GoalResult:
    key: str
    target: float
    waves: tuple[WaveResult, ...]
    trend: Test | None
    trend_p_adjusted: float | None
    trend_waves: tuple[str, ...] = ()  # the waves the trend is computed over (final, shown, since a break)
    trend_notes: tuple[Note, ...] = ()  # e.g. the waves cover different populations

    @property
    def latest(self) -> WaveResult | None:
        return next((w for w in reversed(self.waves) if w.measured), None)

    @property
    def latest_final(self) -> WaveResult | None:
        """The newest measured wave that is not preliminary: the one a goal's status is read from."""
        return next((w for w in reversed(self.waves) if w.measured and not w.preliminary), None)


OTHER = "__other__"


def _disclosure_count(strata: Sequence[Stratum]) -> Count:
    # Respondents, not just the base: three people who all said "Vet ej" are still three people.
    return Count(sum(s.respondents for s in strata), sum(s.reached for s in strata))


def protected(
    strata: Sequence[Stratum],
    k: int,
    confidence: float = 0.95,
    *,
    hidden: frozenset[str] | None = None,
    group_hidden: bool = False,
) -> tuple[ShareEstimate | None, SuppressionReason | None]:
    """An estimate for a whole group, or the mark that it may not be shown."""
    estimate, reason, _organisations, _other = _protected_breakdown(
        strata, k, confidence, hidden, group_hidden, organisations=False
    )
    return estimate, reason


def _protected_breakdown(
    strata: Sequence[Stratum],
    k: int,
    confidence: float,
    hidden_labels: frozenset[str] | None,
    group_hidden: bool,
    *,
    organisations: bool = True,
) -> tuple[
    ShareEstimate | None, SuppressionReason | None, tuple[OrganisationResult, ...], ShareEstimate | None
]:
    """The group's estimate and its organisations, with hidden organisations merged before weighting.

    Weighting each hidden organisation by its own known size would let a reader solve for its answers from
    the weighted total (docs/methods.md §2.3); merged, the total reveals only the merged group, which complementary
    suppression has already made large enough to show.
    """
    if hidden_labels is None:
        hidden_labels, group_hidden = own_pattern(strata, k)
    if group_hidden or primary_reason(_disclosure_count(strata), k):
        return None, SuppressionReason.HIDDEN, (), None
    hidden = [s for s in strata if s.label in hidden_labels]
    shown = [s for s in strata if s.label not in hidden_labels]
    merged = _merge(hidden)
    estimate = _with_merge_notes(
        estimate_share([*shown, merged] if merged else shown, confidence=confidence), strata, hidden, shown
    )
    if not organisations:
        return estimate, None, (), None
    per_organisation = tuple(
        OrganisationResult(s.label, None, SuppressionReason.HIDDEN)
        if s.label in hidden_labels
        else OrganisationResult(s.label, estimate_share([s], confidence=confidence), None)
        for s in strata
    )
    # The release pattern only ever hides organisations whose union may be shown (rule 2 there).
    other = estimate_share([merged], confidence=confidence) if merged else None
    return estimate, None, per_organisation, other


def _with_merge_notes(
    estimate: ShareEstimate, strata: Sequence[Stratum], hidden: Sequence[Stratum], shown: Sequence[Stratum]
) -> ShareEstimate:
    """Say so when hidden organisations were counted together unweighted although sizes are known."""
    sizes_known = bool(strata) and all(s.population is not None for s in strata)
    merged_answered = [s for s in hidden if s.base > 0]
    if not sizes_known or not merged_answered or sum(1 for s in strata if s.base > 0) < 2:
        return estimate
    note = Note.MERGED if any(s.base > 0 for s in shown) else Note.UNWEIGHTED
    return replace(estimate, notes=(*estimate.notes, note))


def own_pattern(strata: Sequence[Stratum], k: int) -> tuple[frozenset[str], bool]:
    """The hidden organisations of a share published on its own: one group, one share."""
    counts = GroupCounts(
        "group",
        {s.label: s.respondents for s in strata},
        {"share": {s.label: Part(s.base, s.reached) for s in strata}},
    )
    pattern = release_pattern([counts], k=k)
    return frozenset(pattern.merged["group"]), pattern.group_hidden("group")


def _merge(strata: Sequence[Stratum]) -> Stratum | None:
    if not strata:
        return None
    sizes = [s.population for s in strata]
    return Stratum(
        OTHER,
        sum(s.respondents for s in strata),
        sum(s.base for s in strata),
        sum(s.reached for s in strata),
        None if any(size is None for size in sizes) else sum(sizes),
    )


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
        results.append(
            GoalResult(
                spec.key,
                spec.target,
                waves,
                trend_value,
                trend_adj,
                draft["trend_waves"],
                draft["trend_notes"],
            )
        )
    return tuple(results)


def _draft(spec: GoalSpec, k: int, confidence: float) -> dict:
    waves: list[dict] = []
    previous: tuple[str, ShareEstimate] | None = None
    segment: list[tuple[float, str, ShareEstimate]] = []
    for position, measure in enumerate(spec.measures, start=1):
        if measure.strata is None:
            waves.append(_empty(measure.wave, measure.trend_break))
            continue
        if measure.trend_break:
            previous, segment = None, []
        estimate, hidden, organisations, other = _protected_breakdown(
            measure.strata, k, confidence, measure.hidden, measure.group_hidden
        )
        answered = estimate is not None and estimate.base > 0
        # Compared with the last wave that was shown: a hidden wave is skipped, never compared against.
        change = compare(previous[1], estimate, confidence=confidence) if previous and answered else None
        compared_population = previous[1].population if change and previous else None
        notes: list[Note] = list(estimate.notes) if estimate is not None else []
        if measure.preliminary:
            notes.insert(0, Note.PRELIMINARY)
        if change is not None and previous is not None and previous[1].population != estimate.population:
            notes.append(Note.POPULATION_CHANGED)
        waves.append(
            {
                "wave": measure.wave,
                "measured": True,
                "estimate": estimate,
                "hidden": hidden,
                # An interim release of an open wave gets no status: the answers are not all in.
                "status": status(estimate, spec.target) if answered and not measure.preliminary else None,
                "change": change,
                "change_since": previous[0] if change else None,
                "trend_break": measure.trend_break,
                "organisations": organisations,
                "other": other,
                "preliminary": measure.preliminary,
                "notes": tuple(notes),
                "compared_population": compared_population,
            }
        )
        if answered:
            previous = (measure.wave, estimate)
            if not measure.preliminary:  # the trend is over final waves only
                time = measure.time if measure.time is not None else float(position)
                segment.append((time, measure.wave, estimate))
    found = trend([e for _t, _w, e in segment], [t for t, _w, _e in segment])
    populations = {e.population for _t, _w, e in segment}
    return {
        "key": spec.key,
        "waves": waves,
        "trend": found,
        "trend_waves": tuple(w for _t, w, _e in segment) if found is not None else (),
        "trend_notes": (Note.POPULATION_CHANGED,) if found is not None and len(populations) > 1 else (),
    }


def _empty(wave: str, trend_break: bool) -> dict:
    return {
        "wave": wave,
        "measured": False,
        "estimate": None,
        "hidden": None,
        "status": None,
        "change": None,
        "change_since": None,
        "trend_break": trend_break,
        "organisations": (),
        "other": None,
        "preliminary": False,
        "notes": (),
        "compared_population": None,
    }


def _holm_by_wave(drafts: Sequence[dict]) -> Mapping[tuple[str, str], float]:
    """Holm across the goals' changes into the same wave: one family per wave, as one screen shows it.

    A preliminary wave's changes are not judged, so they take no place in a family."""
    families: dict[str, list[tuple[int, float]]] = {}
    for index, draft in enumerate(drafts):
        for w in draft["waves"]:
            if w["change"] is not None and not w["preliminary"]:
                families.setdefault(w["wave"], []).append((index, w["change"].test.p_value))
    adjusted: dict[tuple[str, str], float] = {}
    for wave, members in families.items():
        for (index, _p), value in zip(members, adjust_p_values([p for _, p in members], "holm"), strict=True):
            adjusted[(drafts[index]["key"], wave)] = value
    return adjusted
