"""Effect estimates for one target group: a share per wave, its change, its trend, its breakdown.

Counts come in per stratum (an organisation within the target group); the share is post-stratified to
the organisations' known sizes when every stratum's size is known, so that an organisation that answered
eagerly does not speak for the others (docs/methods.md §2.3). With known sizes the interval comes from the
finite-population beta-binomial model, organisation by organisation, and is never narrower than Wilson on
the pooled variance with each organisation's finite-population correction (§2.2, §2.4; the choice was made
by simulation, bench/interval_coverage.py). Changes and trends carry the same correction (§2.5, §2.6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from analysis.stats.estimates import (
    EXACT_TEST_LIMIT,
    GoalStatus,
    Interval,
    Test,
    WeightingError,
    beta_binomial_interval,
    cochran_armitage,
    exact_finite_population_test,
    finite_population_factor,
    goal_status,
    mover_difference,
    nonresponse_bounds,
    post_stratified_share,
    two_proportion_test,
    wilson_interval,
)

# Below this AAPOR RR1 the result says plainly that non-response may have skewed it (docs/methods.md §2.11).
LOW_RESPONSE_RATE = 0.6


class Method(StrEnum):
    WILSON = "wilson"  # the group's size is unknown
    BETA_BINOMIAL = "beta_binomial"  # one group of known size (unweighted)
    POST_STRATIFIED = "post_stratified"  # several organisations of known size, weighted by their sizes
    # Methods of earlier versions, still found in frozen meeting snapshots.
    WILSON_FPC = "wilson_fpc"
    HYPERGEOMETRIC = "hypergeometric"


class Note(StrEnum):
    """What a reader must know about a number besides its value (docs/methods.md §2.12)."""

    PRELIMINARY = "preliminary"  # an interim release of an open wave: no goal status, no trend
    MERGED = "merged"  # hidden organisations are counted together, unweighted among themselves
    UNWEIGHTED = "unweighted"  # sizes are known, but every organisation is hidden: the share is unweighted
    POPULATION_CHANGED = (
        "population_changed"  # covers other organisations (or sizes) than the wave compared with
    )
    LOW_RESPONSE = "low_response"  # fewer than 60 % of the group answered (AAPOR RR1)
    UNREPRESENTED = "unrepresented"  # organisations of the group where nobody is in the base are left out


@dataclass(frozen=True)
class Stratum:
    """One organisation's part of a target group in one wave, for one share."""

    label: str
    respondents: int  # everyone in the group who answered the survey
    base: int  # those counted in the share's denominator
    reached: int
    population: int | None = None  # known size of the group in this organisation


@dataclass(frozen=True)
class ShareEstimate:
    share: float
    interval: Interval
    respondents: int
    base: int
    reached: int
    effective_n: float
    method: Method
    population: int | None  # the known size the estimate refers to, if any
    response_rate: float | None  # AAPOR RR1: complete responses / the group's known size (§2.11)
    bounds: Interval | None  # worst case if every non-respondent answered one way or the other
    unrepresented: tuple[str, ...] = ()  # strata with a known size but nobody in the base
    # The finite-population factor of the variance: p(1 − p)·fpc / effective_n (§2.5). 1: size unknown.
    fpc: float = 1.0
    notes: tuple[Note, ...] = ()

    @property
    def effective_reached(self) -> float:
        return self.share * self.effective_n

    @property
    def weighted(self) -> bool:
        return self.method is Method.POST_STRATIFIED


@dataclass(frozen=True)
class Change:
    difference: float
    interval: Interval
    test: Test
    exact: bool = False  # the exact finite-population test (small unweighted groups) rather than z


def estimate_share(strata: Sequence[Stratum], *, confidence: float = 0.95) -> ShareEstimate:
    respondents = sum(s.respondents for s in strata)
    base = sum(s.base for s in strata)
    reached = sum(s.reached for s in strata)
    sizes_known = bool(strata) and all(s.population is not None for s in strata)
    population = sum(s.population or 0 for s in strata) if sizes_known else None
    response_rate = respondents / population if population else None
    bounds = nonresponse_bounds(reached, base, population) if population and base <= population else None
    low_response = (
        (Note.LOW_RESPONSE,) if response_rate is not None and response_rate < LOW_RESPONSE_RATE else ()
    )
    if base == 0:
        return ShareEstimate(
            0.0,
            Interval(0.0, 1.0),
            respondents,
            0,
            0,
            0.0,
            Method.WILSON,
            population,
            response_rate,
            None,
            notes=low_response,
        )
    answered = [s for s in strata if s.base > 0]
    # With known sizes, the estimate speaks for the organisations that answered; the silent ones are named.
    unrepresented = (
        tuple(s.label for s in strata if s.base == 0 and (s.population or 0) > 0) if sizes_known else ()
    )
    notes = low_response + ((Note.UNREPRESENTED,) if unrepresented else ())
    covered = sum(s.population or 0 for s in answered) if sizes_known else None
    # A register that counts fewer people than answered is wrong for that organisation: no correction there.
    consistent = sizes_known and all(s.base <= (s.population or 0) for s in answered)
    if consistent and len(answered) > 1:
        try:
            weighted = post_stratified_share(
                [s.reached for s in answered],
                [s.base for s in answered],
                [s.population or 0 for s in answered],
            )
        except WeightingError:
            weighted = None  # a stratum with answers but a registered size of 0: fall back to unweighted
        if weighted is not None:
            factor = _design_factor(answered)
            interval = _hull(
                beta_binomial_interval(
                    [s.reached for s in answered],
                    [s.base for s in answered],
                    [s.population or 0 for s in answered],
                    confidence=confidence,
                ),
                _pooled_wilson(weighted.share, factor, confidence),
                weighted.share,
            )
            return ShareEstimate(
                weighted.share,
                interval,
                respondents,
                base,
                reached,
                weighted.effective_n,
                Method.POST_STRATIFIED,
                covered,
                response_rate,
                bounds,
                unrepresented,
                fpc=min(1.0, factor * weighted.effective_n),
                notes=notes,
            )
    share = reached / base
    if consistent and covered:
        interval = beta_binomial_interval([reached], [base], [covered], confidence=confidence)
        interval = Interval(min(interval.low, share), max(interval.high, share))
        return ShareEstimate(
            share,
            interval,
            respondents,
            base,
            reached,
            float(base),
            Method.BETA_BINOMIAL,
            covered,
            response_rate,
            bounds,
            unrepresented,
            fpc=finite_population_factor(base, covered),
            notes=notes,
        )
    return ShareEstimate(
        share,
        wilson_interval(reached, base, confidence=confidence),
        respondents,
        base,
        reached,
        float(base),
        Method.WILSON,
        covered,
        response_rate,
        bounds,
        unrepresented,
        notes=notes,
    )


def _design_factor(strata: Sequence[Stratum]) -> float:
    """D = Σ W_h² f_h / n_h: the post-stratified share's variance is p(1 − p)·D under one common share."""
    total = sum(s.population or 0 for s in strata)
    return sum(
        ((s.population or 0) / total) ** 2 * finite_population_factor(s.base, s.population) / s.base
        for s in strata
    )


def _pooled_wilson(share: float, factor: float, confidence: float) -> Interval:
    if factor <= 0:
        return Interval(share, share)
    return wilson_interval(share / factor, 1.0 / factor, confidence=confidence)


def _hull(first: Interval, second: Interval, share: float) -> Interval:
    return Interval(min(first.low, second.low, share), max(first.high, second.high, share))


def compare(previous: ShareEstimate, current: ShareEstimate, *, confidence: float = 0.95) -> Change | None:
    """Change from one wave to the next, with the finite-population correction (docs/methods.md §2.5).

    The interval is built from the two waves' own intervals (MOVER), so a change is judged on the same
    uncertainty the levels are shown with. The test is the pooled z-test on the effective counts with each
    wave's finite-population factor; for two unweighted groups of known size up to 200 people it is the
    exact finite-population test, which holds its level however small the groups are.
    """
    if previous.effective_n <= 0 or current.effective_n <= 0:
        return None
    exact = _exact_eligible(previous) and _exact_eligible(current)
    if exact:
        test = exact_finite_population_test(
            current.reached,
            current.base,
            current.population or 0,
            previous.reached,
            previous.base,
            previous.population or 0,
        )
    else:
        test = two_proportion_test(
            current.effective_reached,
            current.effective_n,
            previous.effective_reached,
            previous.effective_n,
            fpc2=current.fpc,
            fpc1=previous.fpc,
        )
    return Change(
        difference=current.share - previous.share,
        interval=mover_difference(current.share, current.interval, previous.share, previous.interval),
        test=test,
        exact=exact,
    )


def _exact_eligible(estimate: ShareEstimate) -> bool:
    return (
        estimate.method in (Method.BETA_BINOMIAL, Method.HYPERGEOMETRIC, Method.WILSON_FPC)
        and estimate.population is not None
        and 0 < estimate.base <= estimate.population <= EXACT_TEST_LIMIT
    )


def trend(estimates: Sequence[ShareEstimate], times: Sequence[float] | None = None) -> Test | None:
    """Cochran–Armitage over three or more waves in order, with each wave's finite-population factor.

    `times` are the waves' scores: their actual time (e.g. months since the first wave) when waves are
    unevenly spaced (docs/methods.md §2.6); by default 1..k.
    """
    scores = list(times) if times is not None else list(range(1, len(estimates) + 1))
    if len(scores) != len(estimates):
        raise ValueError("trend needs one time per estimate")
    usable = [(e, t) for e, t in zip(estimates, scores, strict=True) if e.effective_n > 0]
    if len(usable) < 3:
        return None
    return cochran_armitage(
        [e.effective_reached for e, _t in usable],
        [e.effective_n for e, _t in usable],
        [t for _e, t in usable],
        fpc=[e.fpc for e, _t in usable],
    )


def status(estimate: ShareEstimate, target: float) -> GoalStatus:
    return goal_status(estimate.interval, target)
