"""Properties that must hold for every input (hypothesis), and agreement with scipy's own implementations."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from analysis.stats.estimates import (
    adjust_p_values,
    clopper_pearson_interval,
    hypergeometric_interval,
    kish_effective_n,
    newcombe_difference,
    nonresponse_bounds,
    ordinal_shift,
    rake,
    two_proportion_test,
    wilson_interval,
)

SLACK = 1e-12
confidences = st.floats(0.5, 0.999)


@st.composite
def shares(draw, max_n=200):
    n = draw(st.integers(0, max_n))
    return draw(st.integers(0, n)), n


@st.composite
def shares_in_groups(draw, max_population=120):
    population = draw(st.integers(0, max_population))
    n = draw(st.integers(0, population))
    return draw(st.integers(0, n)), n, population


def estimate(x, n):
    return x / n if n else 0.5


def inside_unit(interval):
    return 0.0 <= interval.low <= interval.high <= 1.0


def contains(outer, inner):
    return outer.low <= inner.low + SLACK and inner.high <= outer.high + SLACK


@settings(max_examples=200, deadline=None)
@given(shares(), confidences)
def test_one_share_intervals_stay_in_zero_one_and_contain_the_estimate(share, confidence):
    x, n = share
    for interval in (
        wilson_interval(x, n, confidence=confidence),
        clopper_pearson_interval(x, n, confidence=confidence),
    ):
        assert inside_unit(interval)
        assert interval.low <= estimate(x, n) <= interval.high


@settings(max_examples=200, deadline=None)
@given(shares_in_groups(), confidences)
def test_finite_group_intervals_stay_in_zero_one_and_contain_the_estimate(share, confidence):
    x, n, population = share
    for interval in (
        wilson_interval(x, n, confidence=confidence, population=population),
        nonresponse_bounds(x, n, population),
    ):
        assert inside_unit(interval)
        assert interval.low <= estimate(x, n) <= interval.high
    # The exact interval is over possible group shares M/N, so it contains the group's maximum-likelihood
    # share floor((N + 1)x/n)/N rather than x/n itself, which need not be a possible group share.
    exact = hypergeometric_interval(x, n, population, confidence=confidence)
    assert inside_unit(exact)
    if n:
        most_likely = min(population, (population + 1) * x // n) / population
        assert exact.low - 1e-12 <= most_likely <= exact.high + 1e-12


@settings(max_examples=150, deadline=None)
@given(shares_in_groups(), confidences, confidences)
def test_intervals_widen_with_confidence(share, first, second):
    low, high = sorted((first, second))
    x, n, population = share
    for method in (
        lambda c: wilson_interval(x, n, confidence=c),
        lambda c: wilson_interval(x, n, confidence=c, population=population),
        lambda c: clopper_pearson_interval(x, n, confidence=c),
        lambda c: hypergeometric_interval(x, n, population, confidence=c),
        lambda c: newcombe_difference(x, n, n - x, n, confidence=c),
    ):
        assert contains(method(high), method(low))


@settings(max_examples=200, deadline=None)
@given(shares_in_groups(), confidences)
def test_the_finite_population_interval_is_never_wider_than_plain_wilson(share, confidence):
    x, n, population = share
    with_fpc = wilson_interval(x, n, confidence=confidence, population=population)
    assert with_fpc.width <= wilson_interval(x, n, confidence=confidence).width + SLACK


@settings(max_examples=100, deadline=None)
@given(st.floats(0, 1), st.floats(0.5, 500), st.floats(1, 2000))
def test_the_finite_population_interval_is_never_wider_for_weighted_effective_n(share, n, extra):
    population = n + extra
    plain = wilson_interval(share * n, n)
    assert wilson_interval(share * n, n, population=population).width <= plain.width + SLACK


@settings(max_examples=150, deadline=None)
@given(shares_in_groups())
def test_the_exact_interval_lies_within_the_nonresponse_bounds(share):
    x, n, population = share
    assert contains(nonresponse_bounds(x, n, population), hypergeometric_interval(x, n, population))


@settings(max_examples=150, deadline=None)
@given(shares(), shares(), confidences)
def test_newcombe_stays_in_minus_one_one_and_contains_the_difference(first, second, confidence):
    (x2, n2), (x1, n1) = first, second
    interval = newcombe_difference(x2, n2, x1, n1, confidence=confidence)
    assert -1.0 <= interval.low <= interval.high <= 1.0
    if n1 and n2:
        assert interval.low <= x2 / n2 - x1 / n1 <= interval.high


@settings(max_examples=150, deadline=None)
@given(shares(), shares())
def test_two_proportion_p_values_are_probabilities(first, second):
    result = two_proportion_test(*first, *second)
    assert 0.0 <= result.p_value <= 1.0
    assert np.isfinite(result.statistic)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_and_clopper_pearson_agree_with_scipy_binomtest(share):
    x, n = share
    result = scipy_stats.binomtest(x, n)
    wilson = result.proportion_ci(method="wilson")
    exact = result.proportion_ci(method="exact")
    assert (wilson_interval(x, n).low, wilson_interval(x, n).high) == pytest.approx(
        (wilson.low, wilson.high), abs=1e-9
    )
    ours = clopper_pearson_interval(x, n)
    assert (ours.low, ours.high) == pytest.approx((exact.low, exact.high), abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1), max_size=30), st.sampled_from(["holm", "bh"]))
def test_adjusted_p_values_are_monotone_at_least_raw_and_at_most_one(p_values, method):
    adjusted = adjust_p_values(p_values, method)
    assert len(adjusted) == len(p_values)
    for raw, value in zip(p_values, adjusted, strict=True):
        assert raw <= value + SLACK <= 1.0 + SLACK
    order = np.argsort(p_values, kind="stable")
    ranked = [adjusted[i] for i in order]
    assert all(a <= b + SLACK for a, b in itertools.pairwise(ranked))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_holm_is_never_more_lenient_than_benjamini_hochberg(p_values):
    for holm, bh in zip(adjust_p_values(p_values, "holm"), adjust_p_values(p_values, "bh"), strict=True):
        assert bh <= holm + SLACK


@settings(max_examples=100, deadline=None)
@given(
    st.integers(2, 6).flatmap(
        lambda k: st.tuples(
            st.lists(st.integers(0, 30), min_size=k, max_size=k),
            st.lists(st.integers(0, 30), min_size=k, max_size=k),
        )
    )
)
def test_ordinal_shift_agrees_with_scipy_mann_whitney_on_the_expanded_answers(counts):
    a_counts, b_counts = counts
    assume(sum(a_counts) > 0 and sum(b_counts) > 0)
    a = np.repeat(np.arange(len(a_counts)), a_counts)
    b = np.repeat(np.arange(len(b_counts)), b_counts)
    assume(np.unique(np.concatenate([a, b])).size > 1)
    reference = scipy_stats.mannwhitneyu(b, a, method="asymptotic", use_continuity=True)
    shift = ordinal_shift(a_counts, b_counts)
    assert shift.statistic == pytest.approx(reference.statistic)
    assert shift.p_value == pytest.approx(reference.pvalue, abs=1e-12)
    assert shift.probability_of_superiority == pytest.approx(reference.statistic / (a.size * b.size))


@st.composite
def raking_problems(draw):
    organisations = draw(st.integers(1, 4))
    levels = draw(st.integers(1, 3))
    org, lvl, weights = [], [], []
    for o in range(organisations):
        for lev in range(levels):
            for _ in range(draw(st.integers(1, 4))):
                org.append(f"o{o}")
                lvl.append(f"l{lev}")
                weights.append(draw(st.floats(0.5, 5)))
    org_totals = [draw(st.integers(1, 60)) for _ in range(organisations)]
    grand = sum(org_totals)
    cuts = sorted(draw(st.lists(st.floats(0.1, 0.9), min_size=levels - 1, max_size=levels - 1)))
    shares = np.diff([0.0, *cuts, 1.0])
    assume(np.all(shares > 0.02))
    level_totals = {f"l{i}": grand * s for i, s in enumerate(shares)}
    return weights, org, lvl, {f"o{i}": t for i, t in enumerate(org_totals)}, level_totals


@settings(max_examples=60, deadline=None)
@given(raking_problems())
def test_raking_with_every_cell_filled_meets_every_population_total(problem):
    weights, org, lvl, org_totals, level_totals = problem
    raked = rake(weights, {"org": org, "lvl": lvl}, {"org": org_totals, "lvl": level_totals})
    assert np.all(raked > 0)
    for labels, totals in ((org, org_totals), (lvl, level_totals)):
        for label, total in totals.items():
            assert raked[np.array(labels) == label].sum() == pytest.approx(total, rel=1e-8)
    assert 0 < kish_effective_n(raked) <= len(raked) + 1e-9
