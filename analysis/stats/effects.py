"""Effect estimates for one target group: a share per wave, its change, its trend, its breakdown.

Counts come in per stratum (an organisation within the target group); the share is post-stratified to
the organisations' known sizes when every stratum's size is known, so that an organisation that answered
eagerly does not speak for the others (docs/methods.md §2.3). The interval is Wilson on the effective number
of respondents, with the finite-population correction when the group's size is known (§2.2, §2.4), and the
exact hypergeometric interval when one unweighted stratum has answered to at least half (§2.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from analysis.stats.estimates import (
    GoalStatus,
    Interval,
    Test,
    WeightingError,
    cochran_armitage,
    goal_status,
    hypergeometric_interval,
    newcombe_difference,
    nonresponse_bounds,
    post_stratified_share,
    two_proportion_test,
    wilson_interval,
)

# From this response rate on, one unweighted group gets the exact interval (docs/methods.md §2.2).
EXACT_FROM_RATE = 0.5


class Method(StrEnum):
    WILSON = "wilson"
    WILSON_FPC = "wilson_fpc"
    HYPERGEOMETRIC = "hypergeometric"
    POST_STRATIFIED = "post_stratified"


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
    response_rate: float | None
    bounds: Interval | None  # worst case if every non-respondent answered one way or the other
    unrepresented: tuple[str, ...] = ()  # strata with a known size but nobody in the base

    @property
    def effective_reached(self) -> float:
        return self.share * self.effective_n


@dataclass(frozen=True)
class Change:
    difference: float
    interval: Interval
    test: Test


def estimate_share(strata: Sequence[Stratum], *, confidence: float = 0.95) -> ShareEstimate:
    respondents = sum(s.respondents for s in strata)
    base = sum(s.base for s in strata)
    reached = sum(s.reached for s in strata)
    sizes_known = bool(strata) and all(s.population is not None for s in strata)
    population = sum(s.population or 0 for s in strata) if sizes_known else None
    response_rate = respondents / population if population else None
    bounds = nonresponse_bounds(reached, base, population) if population and base <= population else None
    if base == 0:
        return ShareEstimate(
            0.0, Interval(0.0, 1.0), respondents, 0, 0, 0.0, Method.WILSON, population, response_rate, None
        )
    answered = [s for s in strata if s.base > 0]
    # With known sizes, the estimate speaks for the organisations that answered; the silent ones are named.
    unrepresented = (
        tuple(s.label for s in strata if s.base == 0 and (s.population or 0) > 0) if sizes_known else ()
    )
    covered = sum(s.population or 0 for s in answered) if sizes_known else None
    if sizes_known and len(answered) > 1:
        try:
            weighted = post_stratified_share(
                [s.reached for s in answered],
                [s.base for s in answered],
                [s.population or 0 for s in answered],
            )
        except WeightingError:
            weighted = None  # a stratum with answers but a registered size of 0: fall back to unweighted
        if weighted is not None:
            interval = _wilson(
                weighted.share * weighted.effective_n, weighted.effective_n, covered, confidence
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
            )
    share = reached / base
    if covered and base <= covered:
        if base / covered >= EXACT_FROM_RATE:
            interval = hypergeometric_interval(reached, base, covered, confidence=confidence)
            method = Method.HYPERGEOMETRIC
        else:
            interval = wilson_interval(reached, base, confidence=confidence, population=covered)
            method = Method.WILSON_FPC
    else:
        interval = wilson_interval(reached, base, confidence=confidence)
        method = Method.WILSON
    return ShareEstimate(
        share,
        interval,
        respondents,
        base,
        reached,
        float(base),
        method,
        covered,
        response_rate,
        bounds,
        unrepresented,
    )


def _wilson(successes: float, n: float, population: int, confidence: float) -> Interval:
    if population >= n > 0:
        return wilson_interval(successes, n, confidence=confidence, population=population)
    return wilson_interval(successes, n, confidence=confidence)


def compare(previous: ShareEstimate, current: ShareEstimate, *, confidence: float = 0.95) -> Change | None:
    """Change from one wave to the next, on effective counts (Newcombe interval, pooled z test)."""
    if previous.effective_n <= 0 or current.effective_n <= 0:
        return None
    x2, n2 = current.effective_reached, current.effective_n
    x1, n1 = previous.effective_reached, previous.effective_n
    return Change(
        difference=current.share - previous.share,
        interval=newcombe_difference(x2, n2, x1, n1, confidence=confidence),
        test=two_proportion_test(x2, n2, x1, n1),
    )


def trend(estimates: Sequence[ShareEstimate], times: Sequence[float] | None = None) -> Test | None:
    """Cochran–Armitage over three or more waves in order.

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
    )


def status(estimate: ShareEstimate, target: float) -> GoalStatus:
    return goal_status(estimate.interval, target)
