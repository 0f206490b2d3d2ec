"""Statistics for effect goals: one share, two waves, trends, weighting and goal status.

The methods, their reasons and the reference values (TC1–TC11) are in ``docs/methods.md`` (§2 and §4).
Pure functions over counts; results are frozen dataclasses or plain numbers.

Conventions shared by every function:

* Counts may be non-integer where the method allows it, so a weighted result can be fed in as
  ``successes = share × effective n`` (docs/methods.md §2.4). The exact hypergeometric interval needs whole
  numbers.
* ``n = 0`` means "nothing is known": a share's interval is ``Interval(0.0, 1.0)``, a difference's is
  ``Interval(-1.0, 1.0)``, and a test is ``Test(0.0, 1.0)``.
* A test whose statistic is undefined (no variance, e.g. both shares 0 % or both 100 %) is ``Test(0.0, 1.0)``:
  the data give no evidence of a difference.
* Invalid input (negative counts, successes > n, n > population, confidence outside (0, 1), an unknown method)
  raises ``ValueError`` with a plain message. Nothing returns NaN.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import stats as _dist

__all__ = [
    "CERTAIN_Z",
    "GoalStatus",
    "Interval",
    "OrdinalShift",
    "RakingError",
    "Test",
    "WeightedShare",
    "WeightingError",
    "adjust_p_values",
    "beta_binomial_interval",
    "clopper_pearson_interval",
    "cochran_armitage",
    "exact_finite_population_test",
    "finite_population_factor",
    "goal_status",
    "hypergeometric_interval",
    "kish_design_effect",
    "kish_effective_n",
    "minimum_detectable_change",
    "mover_difference",
    "newcombe_difference",
    "nonresponse_bounds",
    "ordinal_shift",
    "post_stratified_share",
    "rake",
    "required_sample_size",
    "two_proportion_test",
    "weighted_share",
    "wilson_interval",
]

# Float counts (share × effective n) can overshoot n by rounding; this much is forgiven.
_ROUNDING = 1e-9
# The statistic of a difference known exactly (everyone answered): as far as a float goes rather than ∞, so
# that results survive JSON (a frozen meeting snapshot), which has no infinity.
CERTAIN_Z = sys.float_info.max


@dataclass(frozen=True, slots=True)
class Interval:
    """A confidence interval (or bounds) ``[low, high]``."""

    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True, slots=True)
class Test:
    """A test statistic and its two-sided p-value."""

    __test__ = False  # the name starts with "Test"; this keeps pytest from collecting it from test modules

    statistic: float
    p_value: float


@dataclass(frozen=True, slots=True)
class OrdinalShift:
    """Mann–Whitney comparison of two ordinal distributions.

    ``statistic`` is U for the second group (B): the number of pairs where B's answer is higher, ties counting
    half. ``probability_of_superiority`` = U / (n_A·n_B) = P(B > A) + ½·P(B = A); 0.5 means no shift.
    """

    statistic: float
    p_value: float
    probability_of_superiority: float


@dataclass(frozen=True, slots=True)
class WeightedShare:
    """A weighted share with the respondent count and Kish effective n behind it.

    For an interval: ``wilson_interval(share * effective_n, effective_n, population=N)`` (docs/methods.md §2.4).
    """

    share: float
    n: int
    effective_n: float


class GoalStatus(StrEnum):
    """Goal status of an effect goal (docs/methods.md §2.9)."""

    ACHIEVED = "achieved"  # uppnått: the whole interval is at or above the target
    NOT_ACHIEVED = "not_achieved"  # ej uppnått: the whole interval is below the target
    UNCERTAIN = "uncertain"  # ej säkerställt: the interval contains the target


class WeightingError(ValueError):
    """The weights cannot be computed from these respondents and population totals."""


class RakingError(WeightingError):
    """Raking cannot produce weights: an empty cell, a label without a total, or no convergence."""


# --- input checks ---------------------------------------------------------------------------------


def _count(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if number < 0:
        raise ValueError(f"{name} cannot be negative, got {value!r}")
    return number


def _whole(name: str, value: Any) -> int:
    number = _count(name, value)
    if number != int(number):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(number)


def _share_counts(successes: Any, n: Any) -> tuple[float, float]:
    x = _count("successes", successes)
    size = _count("n", n)
    if x > size:
        if x - size > _ROUNDING * max(1.0, size):
            raise ValueError(f"successes ({successes}) cannot be larger than n ({n})")
        x = size
    return x, size


def _population(population: Any, n: float) -> float:
    size = _count("population", population)
    if n > size:
        if n - size > _ROUNDING * max(1.0, size):
            raise ValueError(f"n ({n}) cannot be larger than the population ({population})")
        size = n
    return size


def _level(confidence: Any) -> float:
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        raise ValueError(f"confidence must be a number between 0 and 1, got {confidence!r}") from None
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")
    return level


def _z(confidence: Any) -> float:
    return _z_for_level(_level(confidence))


@lru_cache(maxsize=64)
def _z_for_level(level: float) -> float:
    # isf keeps precision for levels close to 1, where ppf(1 - tiny) would round. Cached: a results page
    # asks for the same few levels thousands of times, and scipy's call overhead dominates.
    return float(_dist.norm.isf((1.0 - level) / 2.0))


def _two_sided_p(z: float) -> float:
    return min(1.0, 2.0 * float(_dist.norm.sf(abs(z))))


# --- one share ------------------------------------------------------------------------------------


def _wilson(p: float, n: float, z: float) -> Interval:
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denominator
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator
    low, high = centre - half, centre + half
    # Exact at the edges (the formula gives 0 and 1 only up to rounding), and never excluding p̂.
    low = 0.0 if p == 0.0 else min(max(low, 0.0), p)
    high = 1.0 if p == 1.0 else max(min(high, 1.0), p)
    return Interval(low, high)


def wilson_interval(
    successes: float, n: float, *, confidence: float = 0.95, population: float | None = None
) -> Interval:
    """Wilson score interval for a share (Wilson 1927; docs/methods.md §2.1, TC1).

    With ``population`` (N, the known size of the target group) the finite-population version: Wilson on
    n* = n(N−1)/(N−n) with the same p̂ (docs/methods.md §2.2, TC2). n = N gives the point x/n. n = 0 gives (0, 1).
    """
    x, size = _share_counts(successes, n)
    z = _z(confidence)
    if population is not None:
        total = _population(population, size)
        if size == 0:
            return Interval(0.0, 1.0)
        if size >= total:
            return Interval(x / size, x / size)
        # max(): for an effective n below 1 the formula would shrink n, i.e. widen the interval.
        size_star = max(size, size * (total - 1.0) / (total - size))
        return _wilson(x / size, size_star, z)
    if size == 0:
        return Interval(0.0, 1.0)
    return _wilson(x / size, size, z)


def clopper_pearson_interval(successes: float, n: float, *, confidence: float = 0.95) -> Interval:
    """Clopper–Pearson ("exact") interval from beta quantiles (Clopper & Pearson 1934; TC1).

    Conservative: coverage is at least the nominal level. n = 0 gives (0, 1).
    """
    x, size = _share_counts(successes, n)
    alpha = 1.0 - _level(confidence)
    if size == 0:
        return Interval(0.0, 1.0)
    low = 0.0 if x == 0 else float(_dist.beta.ppf(alpha / 2.0, x, size - x + 1.0))
    high = 1.0 if x == size else float(_dist.beta.isf(alpha / 2.0, x + 1.0, size - x))
    p = x / size
    return Interval(min(low, p), max(high, p))


def hypergeometric_interval(successes: int, n: int, population: int, *, confidence: float = 0.95) -> Interval:
    """Exact interval for a finite group's share, inverting the hypergeometric tails (docs/methods.md §2.2, TC2).

    Keeps every number M of "successes" among the N for which both P(X ≤ x) and P(X ≥ x) exceed α/2, and
    returns the smallest and largest such M divided by N. Best when n/N is large or N is small. n = N gives the
    point; n = 0 gives (0, 1).
    """
    x = _whole("successes", successes)
    size = _whole("n", n)
    total = _whole("population", population)
    if x > size:
        raise ValueError(f"successes ({successes}) cannot be larger than n ({n})")
    if size > total:
        raise ValueError(f"n ({n}) cannot be larger than the population ({population})")
    alpha = 1.0 - _level(confidence)
    if size == 0:
        return Interval(0.0, 1.0)
    cut = alpha / 2.0

    def at_least(m: int) -> float:
        return float(_dist.hypergeom.sf(x - 1, total, m, size))

    def at_most(m: int) -> float:
        return float(_dist.hypergeom.cdf(x, total, m, size))

    # Outside [x, N − (n − x)] one tail is exactly zero. Inside, P(X ≥ x) grows and P(X ≤ x) shrinks with M
    # (the hypergeometric is stochastically increasing in M), so each end is found by bisection.
    low, high = x, total - (size - x)
    while low < high:
        middle = (low + high) // 2
        if at_least(middle) > cut:
            high = middle
        else:
            low = middle + 1
    smallest = low
    low, high = x, total - (size - x)
    while low < high:
        middle = (low + high + 1) // 2
        if at_most(middle) > cut:
            low = middle
        else:
            high = middle - 1
    largest = low
    if smallest > largest:
        # Only for very low confidence levels, where no M passes both tails: keep the narrow gap between them.
        smallest, largest = largest, smallest
    return Interval(smallest / total, largest / total)


def nonresponse_bounds(successes: float, n: float, population: float) -> Interval:
    """Worst-case bounds [x/N, (x + N − n)/N]: no assumption about those who did not answer (docs/methods.md §2.2).

    An empty population gives (0, 1).
    """
    x, size = _share_counts(successes, n)
    total = _population(population, size)
    if total == 0:
        return Interval(0.0, 1.0)
    return Interval(x / total, min(1.0, (x + total - size) / total))


# Above this many non-respondents in all, the beta-binomial sum is approximated by a normal distribution
# with its exact mean and variance: summing the exact distributions would cost time for no visible gain.
_BETA_BINOMIAL_EXACT_LIMIT = 2000


def beta_binomial_interval(
    successes: Sequence[float],
    n: Sequence[float],
    population: Sequence[float],
    *,
    confidence: float = 0.95,
    prior: float = 0.5,
) -> Interval:
    """Interval for a finite group's share from the beta-binomial model (docs/methods.md §2.2, TC12).

    One stratum (organisation) per position: x of n answered "reached" among N. Each stratum's share gets the
    Jeffreys prior Beta(½, ½) (``prior``), so the number reached among its N − n non-respondents is
    beta-binomial(N − n, x + ½, n − x + ½); the group's count is the respondents' x plus those, summed over
    the strata, and the interval is that sum's α/2 and 1 − α/2 quantiles divided by ΣN. Those who answered
    are known exactly (no correction factor needed), and every stratum is predicted from its own respondents
    (the same assumption as post-stratification). A stratum where everyone answered adds its count exactly;
    no one in the base at all gives (0, 1). Above 2,000 non-respondents the sum is approximated by a
    normal distribution with the exact mean and variance, kept within the worst-case bounds.
    """
    alpha = 1.0 - _level(confidence)
    a = _count("prior", prior)
    if a <= 0:
        raise ValueError(f"prior must be positive, got {prior!r}")
    xs = [_whole("successes", value) for value in successes]
    ns = [_whole("n", value) for value in n]
    sizes = [_whole("population", value) for value in population]
    if not len(xs) == len(ns) == len(sizes):
        raise ValueError("successes, n and population must have one value per stratum")
    for x, size, total in zip(xs, ns, sizes, strict=True):
        if x > size:
            raise ValueError(f"successes ({x}) cannot be larger than n ({size})")
        if size > total:
            raise ValueError(f"n ({size}) cannot be larger than the population ({total})")
    total = sum(sizes)
    if total == 0 or sum(ns) == 0:
        return Interval(0.0, 1.0)
    known = sum(xs)
    missing = [
        (x, size, total_h - size) for x, size, total_h in zip(xs, ns, sizes, strict=True) if total_h > size
    ]
    unknown = sum(u for _x, _n, u in missing)
    if unknown == 0:
        return Interval(known / total, known / total)
    if unknown <= _BETA_BINOMIAL_EXACT_LIMIT:
        pmf = np.array([1.0])
        for x, size, u in missing:
            part = _dist.betabinom.pmf(np.arange(u + 1), u, x + a, size - x + a)
            pmf = np.convolve(pmf, part)
        cdf = np.cumsum(pmf)
        cdf /= cdf[-1]
        # The smallest count whose cumulative probability reaches α/2, and likewise 1 − α/2 (a tiny slack,
        # so that float noise in the sum does not push a quantile one count up).
        low = int(np.searchsorted(cdf, alpha / 2.0 - 1e-12))
        high = int(np.searchsorted(cdf, 1.0 - alpha / 2.0 - 1e-12))
    else:
        mean = variance = 0.0
        for x, size, u in missing:
            alpha_h, beta_h = x + a, size - x + a
            s = alpha_h + beta_h
            mean += u * alpha_h / s
            variance += u * alpha_h * beta_h * (s + u) / (s * s * (s + 1.0))
        z = float(_dist.norm.isf(alpha / 2.0))
        spread = z * math.sqrt(variance)
        low = min(max(mean - spread, 0.0), unknown)
        high = min(max(mean + spread, 0.0), unknown)
    return Interval((known + low) / total, (known + high) / total)


# --- two waves ------------------------------------------------------------------------------------


def newcombe_difference(x2: float, n2: float, x1: float, n1: float, *, confidence: float = 0.95) -> Interval:
    """Interval for p2 − p1 by Newcombe's hybrid score method (Newcombe 1998, method 10; TC3).

    Built from the two Wilson intervals. An empty wave gives (−1, 1).
    """
    x2, n2 = _share_counts(x2, n2)
    x1, n1 = _share_counts(x1, n1)
    _level(confidence)
    if n1 == 0 or n2 == 0:
        return Interval(-1.0, 1.0)
    p2, p1 = x2 / n2, x1 / n1
    w2 = wilson_interval(x2, n2, confidence=confidence)
    w1 = wilson_interval(x1, n1, confidence=confidence)
    d = p2 - p1
    low = d - math.hypot(p2 - w2.low, w1.high - p1)
    high = d + math.hypot(w2.high - p2, p1 - w1.low)
    return Interval(max(-1.0, low), min(1.0, high))


def mover_difference(share2: float, interval2: Interval, share1: float, interval1: Interval) -> Interval:
    """Interval for p2 − p1 built from the two shares' own intervals (MOVER; docs/methods.md §2.5).

    L = d − √((p2 − l2)² + (u1 − p1)²), U = d + √((u2 − p2)² + (p1 − l1)²), d = p2 − p1 (Zou & Donner 2008).
    With two Wilson intervals this is Newcombe's method 10 (`newcombe_difference`); with the intervals a
    page shows (finite-population, weighted) the change is judged on the same uncertainty as the levels.
    Two exact shares (both groups answered in full) give the exact difference.
    """
    for name, share, interval in (("share2", share2, interval2), ("share1", share1, interval1)):
        value = float(share)
        if not math.isfinite(value) or not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be a share between 0 and 1, got {share!r}")
        if not interval.low - _ROUNDING <= value <= interval.high + _ROUNDING:
            raise ValueError(
                f"{name} ({share!r}) must lie within its interval ({interval.low}, {interval.high})"
            )
    p2, p1 = float(share2), float(share1)
    d = p2 - p1
    low = d - math.hypot(max(p2 - interval2.low, 0.0), max(interval1.high - p1, 0.0))
    high = d + math.hypot(max(interval2.high - p2, 0.0), max(p1 - interval1.low, 0.0))
    return Interval(max(-1.0, low), min(1.0, high))


def finite_population_factor(n: float, population: float | None) -> float:
    """(N − n) / (N − 1): how much of a share's sampling variance is left when n of N answered (§2.5).

    1 when the group's size is unknown (an infinite population); 0 when everyone answered.
    """
    size = _count("n", n)
    if population is None:
        return 1.0
    total = _population(population, size)
    if total <= 1.0 or size >= total:
        return 0.0
    return min(1.0, (total - size) / (total - 1.0))


def _fpc(name: str, value: Any) -> float:
    f = _count(name, value)
    if f > 1.0 + _ROUNDING:
        raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    return min(f, 1.0)


def two_proportion_test(
    x2: float, n2: float, x1: float, n1: float, *, fpc2: float = 1.0, fpc1: float = 1.0
) -> Test:
    """Pooled two-proportion z-test, two-sided, without continuity correction (TC4, TC13).

    z = (p2 − p1) / √(p̄(1 − p̄)(f2/n2 + f1/n1)), p̄ = (x1 + x2)/(n1 + n2). ``fpc2`` and ``fpc1`` are the waves'
    finite-population factors f = (N − n)/(N − 1) (`finite_population_factor`); with f = 1 (the default)
    z² equals the χ² of the 2×2 table without Yates' correction. A positive z means p2 > p1. An empty wave,
    or no variance (both shares 0 or both 1), gives Test(0, 1). Two waves where everyone answered differ
    for certain when their shares differ: z = ±``CERTAIN_Z``, p = 0.
    """
    x2, n2 = _share_counts(x2, n2)
    x1, n1 = _share_counts(x1, n1)
    f2, f1 = _fpc("fpc2", fpc2), _fpc("fpc1", fpc1)
    if n1 == 0 or n2 == 0:
        return Test(0.0, 1.0)
    pooled = (x1 + x2) / (n1 + n2)
    d = x2 / n2 - x1 / n1
    spread = pooled * (1.0 - pooled)
    if spread <= 0.0:
        return Test(0.0, 1.0)
    variance = spread * (f1 / n1 + f2 / n2)
    if variance <= 0.0:
        return Test(0.0, 1.0) if d == 0 else Test(math.copysign(CERTAIN_Z, d), 0.0)
    z = d / math.sqrt(variance)
    return Test(z, _two_sided_p(z))


# Groups up to this size get the exact test when both waves are unweighted (docs/methods.md §2.5).
EXACT_TEST_LIMIT = 200


def exact_finite_population_test(
    x2: int, n2: int, population2: int, x1: int, n1: int, population1: int
) -> Test:
    """Exact test of equal shares in two finite groups (docs/methods.md §2.5, TC14).

    Each wave's x is hypergeometric: n drawn without replacement from N of whom M have reached the step.
    Under "no change" both groups have the same share π (M = round(πN) in each). The p-value is the largest,
    over every possible π, probability of a z statistic (`two_proportion_test` with the finite-population
    factors) at least as far from 0 as the one observed: exact for any π, so it never exceeds the nominal
    level however small the groups. The statistic returned is that z.
    """
    values = [_whole(name, v) for name, v in (("x2", x2), ("n2", n2), ("population2", population2))]
    values += [_whole(name, v) for name, v in (("x1", x1), ("n1", n1), ("population1", population1))]
    a2, m2, big2, a1, m1, big1 = values
    for x, size, total in ((a2, m2, big2), (a1, m1, big1)):
        if x > size:
            raise ValueError(f"successes ({x}) cannot be larger than n ({size})")
        if size > total:
            raise ValueError(f"n ({size}) cannot be larger than the population ({total})")
    f2, f1 = finite_population_factor(m2, big2), finite_population_factor(m1, big1)
    observed = two_proportion_test(a2, m2, a1, m1, fpc2=f2, fpc1=f1)
    if m1 == 0 or m2 == 0 or observed.p_value >= 1.0 or f1 == f2 == 0.0:
        return observed  # nothing to test, or two full censuses: their shares are known exactly
    table = _exact_table(m2, big2, m1, big1)
    extreme = (table.distance >= abs(observed.statistic) - 1e-9).astype(float)
    p_value = float(np.max(np.einsum("gi,ij,gj->g", table.first, extreme, table.second)))
    return Test(observed.statistic, min(1.0, p_value))


@dataclass(frozen=True)
class _ExactTable:
    distance: np.ndarray  # |z| for every pair (x1, x2)
    first: np.ndarray  # P(x1 | π) for each π on the grid
    second: np.ndarray  # P(x2 | π)


@lru_cache(maxsize=64)
def _exact_table(n2: int, population2: int, n1: int, population1: int) -> _ExactTable:
    i = np.arange(n1 + 1, dtype=float)[:, None]
    j = np.arange(n2 + 1, dtype=float)[None, :]
    pooled = (i + j) / (n1 + n2)
    f2, f1 = finite_population_factor(n2, population2), finite_population_factor(n1, population1)
    variance = pooled * (1.0 - pooled) * (f1 / n1 + f2 / n2)
    d = j / n2 - i / n1
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.where(
            variance > 0,
            np.abs(d) / np.sqrt(np.where(variance > 0, variance, 1.0)),
            np.where(d == 0, 0.0, np.inf),
        )
    # Every common share a group of this size can have: 0, 1/N, …, 1 for the larger group.
    grid = np.linspace(0.0, 1.0, max(population1, population2) + 1)
    first = np.array(
        [_dist.hypergeom.pmf(np.arange(n1 + 1), population1, round(g * population1), n1) for g in grid]
    )
    second = np.array(
        [_dist.hypergeom.pmf(np.arange(n2 + 1), population2, round(g * population2), n2) for g in grid]
    )
    return _ExactTable(distance, np.nan_to_num(first), np.nan_to_num(second))


# --- trend ----------------------------------------------------------------------------------------


def cochran_armitage(
    successes: Sequence[float],
    totals: Sequence[float],
    scores: Sequence[float] | None = None,
    *,
    fpc: Sequence[float] | None = None,
) -> Test:
    """Cochran–Armitage test for a linear trend in shares across waves (docs/methods.md §2.6, TC5, TC15).

    T = Σ cᵢxᵢ with cᵢ = tᵢ − t̄ (t̄ weighted by nᵢ), z = T / √(p̄(1 − p̄) Σ nᵢ cᵢ² fᵢ). ``fpc`` are the
    waves' finite-population factors fᵢ = (Nᵢ − nᵢ)/(Nᵢ − 1); without them (all 1) the variance has N (not
    N − 1), so z² equals R's ``prop.trend.test``; statsmodels' ``test_ordinal_association`` is the N − 1
    variant. Scores default to 1..k; use real time (e.g. months) when waves are unevenly spaced. A positive
    z means an increasing share. No variance (fewer than two waves with answers, all shares 0 or 1) gives
    Test(0, 1); waves where everyone answered that differ along the scores give z = ±``CERTAIN_Z``, p = 0.
    """
    x = np.array([_count("successes", value) for value in successes], dtype=float)
    n = np.array([_count("totals", value) for value in totals], dtype=float)
    if x.shape != n.shape:
        raise ValueError(f"successes and totals must have the same length ({x.size} and {n.size})")
    if np.any(x > n + _ROUNDING * np.maximum(1.0, n)):
        raise ValueError("successes cannot be larger than the total in any wave")
    x = np.minimum(x, n)
    if scores is None:
        t = np.arange(1.0, x.size + 1.0)
    else:
        t = np.array([float(value) for value in scores], dtype=float)
        if t.shape != x.shape:
            raise ValueError(f"scores must have one value per wave ({x.size}), got {t.size}")
        if not np.all(np.isfinite(t)):
            raise ValueError("scores must be finite numbers")
    if fpc is None:
        f = np.ones_like(x)
    else:
        f = np.array([_fpc("fpc", value) for value in fpc], dtype=float)
        if f.shape != x.shape:
            raise ValueError(f"fpc must have one value per wave ({x.size}), got {f.size}")
    total = float(n.sum())
    if total == 0:
        return Test(0.0, 1.0)
    p_bar = float(x.sum()) / total
    # Centred form: the textbook Σn t² − (Σn t)²/N cancels catastrophically when scores are close together.
    centred = t - float(np.dot(n, t)) / total
    spread = float(np.dot(n, centred**2))
    if p_bar <= 0.0 or p_bar >= 1.0 or spread <= 1e-12 * float(np.dot(n, t**2)):
        return Test(0.0, 1.0)
    trend = float(np.dot(centred, x - n * p_bar))
    variance = p_bar * (1.0 - p_bar) * float(np.dot(n * f, centred**2))
    if variance <= 1e-15 * p_bar * (1.0 - p_bar) * spread:
        return (
            Test(0.0, 1.0)
            if abs(trend) <= 1e-12 * float(n.sum())
            else Test(math.copysign(CERTAIN_Z, trend), 0.0)
        )
    z = trend / math.sqrt(variance)
    return Test(z, _two_sided_p(z))


# --- multiplicity ---------------------------------------------------------------------------------


def adjust_p_values(p_values: Iterable[float], method: str) -> list[float]:
    """Adjust p-values for multiple comparisons (docs/methods.md §2.7, TC8); the original order is kept.

    ``"holm"``: Holm's step-down (family-wise error), for the plan's declared goals.
    ``"bh"``: Benjamini–Hochberg (false discovery rate), for exploratory flags.
    Results are monotone in the p-values and capped at 1, as R's ``p.adjust``.
    """
    name = str(method).lower()
    if name not in ("holm", "bh"):
        raise ValueError(f"unknown adjustment method {method!r}; use 'holm' or 'bh'")
    values = []
    for value in p_values:
        p = float(value)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p-values must be between 0 and 1, got {value!r}")
        values.append(p)
    m = len(values)
    if m == 0:
        return []
    p = np.array(values)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if name == "holm":
        adjusted = np.maximum.accumulate((m - np.arange(m)) * ranked)
    else:
        adjusted = np.minimum.accumulate((m / np.arange(1, m + 1) * ranked)[::-1])[::-1]
    result = np.empty(m)
    result[order] = np.minimum(adjusted, 1.0)
    return [float(value) for value in result]


# --- weighting ------------------------------------------------------------------------------------


def _weights(weights: Iterable[float]) -> np.ndarray:
    w = np.array([float(value) for value in weights], dtype=float)
    if not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite numbers")
    if np.any(w < 0):
        raise ValueError("weights cannot be negative")
    return w


def rake(
    base_weights: Iterable[float],
    margins: Mapping[str, Sequence[Any]],
    targets: Mapping[str, Mapping[Any, float]],
    *,
    tolerance: float = 1e-10,
    max_iterations: int = 1000,
) -> np.ndarray:
    """Rake (iterative proportional fitting) weights to known population totals (docs/methods.md §2.3, TC6).

    ``margins`` maps a variable to one label per respondent; ``targets`` maps the same variable to
    ``{label: population total}``. Each sweep scales the weights to match each variable in turn, until every
    weighted total is within ``tolerance`` (relative) of its target. Same weights as R ``survey::rake``.

    Raises ``RakingError`` (a ``ValueError``) when a respondent's label has no total, a label with a positive
    total has no respondents (an empty cell: collapse it first), respondents belong to a label whose total is
    0, the variables' totals disagree, or the sweeps do not converge (structural zeros in the joint table).
    """
    w = _weights(base_weights)
    if set(margins) != set(targets):
        raise RakingError(
            f"margins and targets must name the same variables (got {sorted(map(str, margins))} "
            f"and {sorted(map(str, targets))})"
        )
    tol = float(tolerance)
    if not tol > 0:
        raise ValueError(f"tolerance must be positive, got {tolerance!r}")
    if int(max_iterations) < 1:
        raise ValueError(f"max_iterations must be at least 1, got {max_iterations!r}")

    variables: list[tuple[str, np.ndarray, np.ndarray]] = []
    grand_totals: list[tuple[str, float]] = []
    for name in margins:
        labels = list(margins[name])
        if len(labels) != w.size:
            raise RakingError(f"{name!r} has {len(labels)} labels for {w.size} respondents")
        wanted = targets[name]
        index = {label: i for i, label in enumerate(wanted)}
        target = np.array([_count(f"population total for {name}={lab!r}", v) for lab, v in wanted.items()])
        codes = np.empty(w.size, dtype=np.intp)
        for i, label in enumerate(labels):
            if label not in index:
                raise RakingError(f"respondent {i} has {name} = {label!r}, which has no population total")
            codes[i] = index[label]
        achieved = np.bincount(codes, weights=w, minlength=target.size)
        for label, i in index.items():
            if target[i] > 0 and achieved[i] <= 0:
                raise RakingError(
                    f"no respondents (with a positive weight) have {name} = {label!r}, whose population "
                    f"total is {target[i]:g}; merge it with a neighbouring group before weighting"
                )
            if target[i] == 0 and achieved[i] > 0:
                raise RakingError(f"respondents have {name} = {label!r}, whose population total is 0")
        variables.append((name, codes, target))
        grand_totals.append((name, float(target.sum())))

    if not variables:
        return w.copy()
    first_name, first_total = grand_totals[0]
    for name, total in grand_totals[1:]:
        if abs(total - first_total) > 1e-9 * max(1.0, first_total):
            raise RakingError(
                f"population totals disagree: {first_name} sums to {first_total:g} but {name} to {total:g}"
            )

    def worst_gap() -> float:
        gap = 0.0
        for _, codes, target in variables:
            achieved = np.bincount(codes, weights=w, minlength=target.size)
            positive = target > 0
            if positive.any():
                gap = max(gap, float(np.max(np.abs(achieved[positive] / target[positive] - 1.0))))
        return gap

    for _ in range(int(max_iterations)):
        for _, codes, target in variables:
            achieved = np.bincount(codes, weights=w, minlength=target.size)
            factor = np.divide(target, achieved, out=np.zeros_like(target), where=achieved > 0)
            w = w * factor[codes]
        if worst_gap() <= tol:
            return w
    raise RakingError(
        f"raking did not converge in {int(max_iterations)} sweeps (largest relative gap {worst_gap():.3g}); "
        "some combinations of groups probably have no respondents — merge groups and try again"
    )


def kish_effective_n(weights: Iterable[float]) -> float:
    """Kish effective sample size (Σw)² / Σw² (Kish 1965; docs/methods.md §2.4, TC7). No weight gives 0."""
    w = _weights(weights)
    total = float(w.sum())
    if total == 0:
        return 0.0
    return total * total / float(np.dot(w, w))


def kish_design_effect(weights: Iterable[float]) -> float:
    """Kish design effect n·Σw² / (Σw)² = 1 + CV² of the weights (TC7). No weight gives 1 (no effect)."""
    w = _weights(weights)
    effective = kish_effective_n(w)
    if effective == 0:
        return 1.0
    return w.size / effective


def weighted_share(weights: Iterable[float], reached: Iterable[float]) -> WeightedShare:
    """Weighted share Σw·y / Σw of respondents who reached a step (y = 1 or 0), with Kish effective n.

    No respondents (or all weights 0) gives share 0 with effective n 0, which Wilson turns into (0, 1).
    """
    w = _weights(weights)
    y = np.array([float(value) for value in reached], dtype=float)
    if y.shape != w.shape:
        raise ValueError(f"weights and reached must have the same length ({w.size} and {y.size})")
    if not np.all((y >= 0) & (y <= 1)):
        raise ValueError("reached must be 0 or 1 (or a share between them) for each respondent")
    total = float(w.sum())
    if total == 0:
        return WeightedShare(0.0, int(w.size), 0.0)
    return WeightedShare(float(np.dot(w, y)) / total, int(w.size), kish_effective_n(w))


def post_stratified_share(
    successes: Sequence[float], respondents: Sequence[float], population: Sequence[float]
) -> WeightedShare:
    """Post-stratified share: each stratum's share weighted by its population size (docs/methods.md §2.3, TC6).

    Weights are N_h / n_h; effective n = (ΣN_h)² / Σ(N_h² / n_h). A stratum with members but no respondents
    cannot be post-stratified (``WeightingError``: merge it with a neighbour); no respondents at all gives
    share 0 with effective n 0.
    """
    x = [_count("successes", value) for value in successes]
    n = [_count("respondents", value) for value in respondents]
    sizes = [_count("population", value) for value in population]
    if not len(x) == len(n) == len(sizes):
        raise ValueError("successes, respondents and population must have one value per stratum")
    for i, (xi, ni) in enumerate(zip(x, n, strict=True)):
        if xi > ni:
            raise ValueError(f"stratum {i}: successes ({xi:g}) cannot be larger than respondents ({ni:g})")
    respondent_count = sum(n)
    if respondent_count == 0:
        return WeightedShare(0.0, 0, 0.0)
    for i, (ni, big_n) in enumerate(zip(n, sizes, strict=True)):
        if ni == 0 and big_n > 0:
            raise WeightingError(f"stratum {i} has no respondents; merge it with a neighbouring stratum")
        if ni > 0 and big_n == 0:
            raise WeightingError(f"stratum {i} has respondents but a population size of 0")
    filled = [(xi, ni, big_n) for xi, ni, big_n in zip(x, n, sizes, strict=True) if ni > 0]
    total = sum(big_n for _, _, big_n in filled)
    share = sum(big_n * xi / ni for xi, ni, big_n in filled) / total
    effective = total * total / sum(big_n * big_n / ni for _, ni, big_n in filled)
    return WeightedShare(share, round(respondent_count), effective)


# --- goals and planning ---------------------------------------------------------------------------


def goal_status(interval: Interval, target: float) -> GoalStatus:
    """Goal status (§2.9): achieved if low ≥ target, not achieved if high < target, else uncertain."""
    goal = float(target)
    if not math.isfinite(goal):
        raise ValueError(f"target must be a finite number, got {target!r}")
    if interval.low >= goal:
        return GoalStatus.ACHIEVED
    if interval.high < goal:
        return GoalStatus.NOT_ACHIEVED
    return GoalStatus.UNCERTAIN


def required_sample_size(
    margin: float,
    population: float | None = None,
    *,
    confidence: float = 0.95,
    proportion: float = 0.5,
) -> int:
    """Respondents needed for a ±margin at the given share (docs/methods.md §2.9, TC11).

    n₀ = z²·p(1−p)/E², with a known group size N reduced to n₀ / (1 + (n₀ − 1)/N), rounded up and never more
    than N. At least one respondent is always needed.
    """
    e = float(margin)
    if not 0.0 < e < 1.0:
        raise ValueError(f"margin must be between 0 and 1 (exclusive), got {margin!r}")
    p = float(proportion)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"proportion must be between 0 and 1, got {proportion!r}")
    z = _z(confidence)
    needed = z * z * p * (1.0 - p) / (e * e)
    if population is not None:
        total = _count("population", population)
        if total < 1:
            raise ValueError(f"population must be at least 1, got {population!r}")
        needed = needed / (1.0 + (needed - 1.0) / total)
        # Rounding slack so that an exact whole number is not pushed up by float noise.
        return int(min(total, max(1, math.ceil(needed - 1e-9))))
    return max(1, math.ceil(needed - 1e-9))


def minimum_detectable_change(
    share: float,
    n1: float,
    n2: float,
    *,
    population1: float | None = None,
    population2: float | None = None,
    confidence: float = 0.95,
    power: float = 0.8,
) -> float:
    """The smallest change between two waves the two-wave test finds with the given power (docs/methods.md §2.9, TC16).

    (z₁₋α/₂ + z_power)·√(p(1 − p)(f₁/n₁ + f₂/n₂)) at the share p, with the waves' finite-population
    factors; capped at 1. A wave without answers can detect nothing (1.0); two full censuses detect any
    change (0.0).
    """
    p = float(share)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"share must be between 0 and 1, got {share!r}")
    beta = float(power)
    if not 0.0 < beta < 1.0:
        raise ValueError(f"power must be between 0 and 1 (exclusive), got {power!r}")
    first, second = _count("n1", n1), _count("n2", n2)
    if first == 0 or second == 0:
        return 1.0
    f1 = finite_population_factor(first, population1)
    f2 = finite_population_factor(second, population2)
    # At p = 0 or 1 the binomial variance vanishes; the planning question is still meaningful, so the
    # variance is taken at one answer's worth away from the edge.
    p = min(max(p, 1.0 / (first + second)), 1.0 - 1.0 / (first + second))
    spread = math.sqrt(p * (1.0 - p) * (f1 / first + f2 / second))
    return min(1.0, (_z(confidence) + float(_dist.norm.ppf(beta))) * spread)


# --- ordinal items --------------------------------------------------------------------------------


def ordinal_shift(counts_a: Sequence[float], counts_b: Sequence[float]) -> OrdinalShift:
    """Mann–Whitney U for B against A from counts per ordered category (docs/methods.md §2.8, TC9).

    p is the normal approximation with tie and continuity correction, as ``scipy.stats.mannwhitneyu`` on the
    expanded data (its default when there are ties) and R ``wilcox.test(exact=FALSE, correct=TRUE)``.
    An empty group gives U = 0, p = 1 and probability of superiority 0.5 (no evidence of a shift).
    """
    a = np.array([_count("counts_a", value) for value in counts_a], dtype=float)
    b = np.array([_count("counts_b", value) for value in counts_b], dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"both groups need counts for the same categories ({a.size} and {b.size})")
    n_a, n_b = float(a.sum()), float(b.sum())
    if n_a == 0 or n_b == 0:
        return OrdinalShift(0.0, 1.0, 0.5)
    below_a = np.concatenate(([0.0], np.cumsum(a)[:-1]))
    u = float(np.dot(b, below_a + 0.5 * a))
    n = n_a + n_b
    tied = a + b
    tie_term = float(np.sum(tied**3 - tied))
    variance = n_a * n_b / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))
    if variance <= 0:
        p_value = 1.0
    else:
        # Two-sided with continuity correction, as scipy: the larger U, minus 0.5.
        z = (abs(u - n_a * n_b / 2.0) - 0.5) / math.sqrt(variance)
        p_value = min(1.0, 2.0 * float(_dist.norm.sf(z)))
    return OrdinalShift(u, p_value, u / (n_a * n_b))
