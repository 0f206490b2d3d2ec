"""Effect estimates for one target group (analysis/stats/effects.py): which interval, weighting, change, trend, status.

Expected values come from docs/methods.md (TC1–TC6, TC11) or from hand formulas written out here; where a
test is about wiring (the right counts reach the right method), the expectation is built from analysis.stats.estimates.
"""

import math
from statistics import NormalDist

import pytest

from analysis.stats.effects import Method, ShareEstimate, Stratum, compare, estimate_share, status, trend
from analysis.stats.estimates import (
    GoalStatus,
    Interval,
    cochran_armitage,
    hypergeometric_interval,
    newcombe_difference,
    two_proportion_test,
    wilson_interval,
)

Z = NormalDist().inv_cdf(0.975)


def approx(*values):
    return pytest.approx(values, abs=1e-6)


def pair(interval):
    return (interval.low, interval.high)


def hand_wilson(p, n):
    """Wilson score interval written out (docs/methods.md §2.1), independent of analysis.stats.estimates."""
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return (centre - half, centre + half)


def single(reached, base, population=None, respondents=None, label="Region"):
    return Stratum(label, base if respondents is None else respondents, base, reached, population)


# TC6's respondents post-stratified on organisation only (docs/methods.md TC6: 0.592857).
REGION = Stratum("Region", respondents=16, base=14, reached=11, population=30)
KOMMUN_A = Stratum("Kommun A", respondents=5, base=5, reached=2, population=20)
KOMMUN_B = Stratum("Kommun B", respondents=5, base=5, reached=2, population=10)
TC6_STRATA = (REGION, KOMMUN_A, KOMMUN_B)


# --- one group, no known size ----------------------------------------------------------------------


def test_one_group_without_a_known_size_gets_the_wilson_interval_of_tc1():
    estimate = estimate_share([single(17, 40)])
    assert estimate.method is Method.WILSON
    assert estimate.share == pytest.approx(0.425)
    assert pair(estimate.interval) == approx(0.285094, 0.578049)
    assert estimate.effective_n == 40
    assert estimate.population is None
    assert estimate.response_rate is None
    assert estimate.bounds is None
    assert estimate.unrepresented == ()


def test_the_interval_follows_the_requested_confidence_level():
    narrow = estimate_share([single(17, 40)], confidence=0.80)
    assert pair(narrow.interval) == approx(*pair(wilson_interval(17, 40, confidence=0.80)))
    assert narrow.interval.width < estimate_share([single(17, 40)]).interval.width


def test_respondents_outside_the_base_do_not_dilute_the_share():
    # 43 answered, 3 of them "Vet ej": the share is 17 of the 40 who are counted.
    estimate = estimate_share([single(17, 40, respondents=43)])
    assert estimate.share == pytest.approx(17 / 40)
    assert estimate.respondents == 43
    assert estimate.base == 40
    assert estimate.reached == 17


# --- one group of known size ------------------------------------------------------------------------


def test_when_at_least_half_the_group_answered_the_exact_hypergeometric_interval_of_tc2_is_used():
    estimate = estimate_share([single(17, 40, population=60, respondents=43)])
    assert estimate.method is Method.HYPERGEOMETRIC
    assert pair(estimate.interval) == approx(0.333333, 0.516667)
    assert estimate.population == 60
    assert estimate.response_rate == pytest.approx(43 / 60)


def test_the_worst_case_bounds_of_tc2_assume_nothing_about_those_who_did_not_answer():
    estimate = estimate_share([single(17, 40, population=60)])
    assert pair(estimate.bounds) == approx(0.283333, 0.616667)
    assert pair(estimate.bounds) == approx(17 / 60, (17 + 60 - 40) / 60)


def test_exactly_half_the_group_answering_already_gets_the_exact_interval():
    estimate = estimate_share([single(17, 40, population=80)])
    assert estimate.method is Method.HYPERGEOMETRIC
    assert pair(estimate.interval) == approx(*pair(hypergeometric_interval(17, 40, 80)))


def test_when_less_than_half_the_group_answered_wilson_with_finite_population_correction_is_used():
    # 17/40 of N = 100: n* = n(N−1)/(N−n) = 40·99/60 = 66.
    estimate = estimate_share([single(17, 40, population=100)])
    assert estimate.method is Method.WILSON_FPC
    assert pair(estimate.interval) == approx(*hand_wilson(17 / 40, 66))
    assert estimate.effective_n == 40


def test_knowing_the_group_size_narrows_the_interval():
    unknown = estimate_share([single(17, 40)])
    known = estimate_share([single(17, 40, population=100)])
    assert known.interval.width < unknown.interval.width


def test_a_group_that_answered_in_full_has_its_share_as_a_point():
    estimate = estimate_share([single(9, 12, population=12)])
    assert pair(estimate.interval) == approx(0.75, 0.75)
    assert pair(estimate.bounds) == approx(0.75, 0.75)
    assert estimate.response_rate == pytest.approx(1.0)


# --- several organisations of known size: post-stratification --------------------------------------


def test_several_organisations_of_known_size_are_post_stratified_as_in_tc6():
    estimate = estimate_share(TC6_STRATA)
    assert estimate.method is Method.POST_STRATIFIED
    assert estimate.share == pytest.approx(0.592857, abs=1e-6)
    by_hand = (30 * 11 / 14 + 20 * 2 / 5 + 10 * 2 / 5) / (30 + 20 + 10)
    assert estimate.share == pytest.approx(by_hand)
    # Unweighted the eager Region would speak louder: 15/24 = 0.625.
    assert estimate.share < 15 / 24


def test_the_post_stratified_effective_n_follows_the_kish_formula():
    estimate = estimate_share(TC6_STRATA)
    sizes, bases = (30, 20, 10), (14, 5, 5)
    weights = [n_h_big / n_h for n_h_big, n_h in zip(sizes, bases, strict=True)]
    per_respondent = [w for w, n in zip(weights, bases, strict=True) for _ in range(n)]
    kish = sum(per_respondent) ** 2 / sum(w * w for w in per_respondent)
    assert estimate.effective_n == pytest.approx(kish)
    assert estimate.effective_n == pytest.approx(60**2 / (30**2 / 14 + 20**2 / 5 + 10**2 / 5))
    assert estimate.effective_n < 24


def test_the_post_stratified_interval_is_wilson_on_the_effective_n_with_the_finite_population_correction():
    estimate = estimate_share(TC6_STRATA)
    n_eff = 60**2 / (30**2 / 14 + 20**2 / 5 + 10**2 / 5)
    n_star = n_eff * (60 - 1) / (60 - n_eff)
    assert pair(estimate.interval) == approx(*hand_wilson(estimate.share, n_star))
    assert estimate.share in estimate.interval


def test_the_post_stratified_estimate_reports_counts_response_rate_and_worst_case_bounds():
    estimate = estimate_share(TC6_STRATA)
    assert (estimate.respondents, estimate.base, estimate.reached) == (26, 24, 15)
    assert estimate.population == 60
    assert estimate.response_rate == pytest.approx(26 / 60)
    assert pair(estimate.bounds) == approx(15 / 60, (15 + 60 - 24) / 60)
    assert estimate.unrepresented == ()


def test_effective_reached_is_the_share_times_the_effective_n():
    estimate = estimate_share(TC6_STRATA)
    n_eff = 60**2 / (30**2 / 14 + 20**2 / 5 + 10**2 / 5)
    assert estimate.effective_reached == pytest.approx(0.592857 * n_eff, abs=1e-5)


def test_an_organisation_where_nobody_answered_is_named_and_left_out_of_the_population_estimated():
    silent = Stratum("Kommun C", respondents=0, base=0, reached=0, population=15)
    estimate = estimate_share((*TC6_STRATA, silent))
    assert estimate.unrepresented == ("Kommun C",)
    assert estimate.method is Method.POST_STRATIFIED
    assert estimate.share == pytest.approx(0.592857, abs=1e-6)
    assert estimate.population == 60
    n_eff = 60**2 / (30**2 / 14 + 20**2 / 5 + 10**2 / 5)
    assert pair(estimate.interval) == approx(*hand_wilson(estimate.share, n_eff * 59 / (60 - n_eff)))
    # The response rate and the honest worst case still count everyone in the target group.
    assert estimate.response_rate == pytest.approx(26 / 75)
    assert pair(estimate.bounds) == approx(15 / 75, (15 + 75 - 24) / 75)


def test_an_organisation_where_nobody_answered_is_named_even_when_only_one_other_organisation_answered():
    # Same rule as with several answering organisations: Kommun C (40 people, no answers) cannot be
    # represented by Region's answers, so the estimate refers to Region's 20 and names Kommun C.
    region = Stratum("Region", respondents=15, base=15, reached=9, population=20)
    silent = Stratum("Kommun C", respondents=0, base=0, reached=0, population=40)
    estimate = estimate_share([region, silent])
    assert estimate.unrepresented == ("Kommun C",)
    assert estimate.population == 20
    assert estimate.method is Method.HYPERGEOMETRIC  # 15 of 20 answered
    assert pair(estimate.interval) == approx(*pair(hypergeometric_interval(9, 15, 20)))


def test_an_organisation_with_no_known_size_means_the_group_is_not_weighted():
    strata = [REGION, Stratum("Kommun A", respondents=5, base=5, reached=2, population=None)]
    estimate = estimate_share(strata)
    assert estimate.method is Method.WILSON
    assert estimate.share == pytest.approx(13 / 19)
    assert pair(estimate.interval) == approx(*hand_wilson(13 / 19, 19))
    assert estimate.population is None
    assert estimate.response_rate is None
    assert estimate.bounds is None


# --- nobody in the base ----------------------------------------------------------------------------


def test_a_group_with_nobody_in_the_base_shows_share_zero_and_the_widest_interval():
    estimate = estimate_share([single(0, 0, respondents=3)])
    assert estimate.share == 0.0
    assert pair(estimate.interval) == (0.0, 1.0)
    assert estimate.base == 0
    assert estimate.effective_n == 0.0
    assert estimate.respondents == 3


def test_known_sizes_with_nobody_in_the_base_do_not_crash():
    strata = [Stratum("Region", 0, 0, 0, 30), Stratum("Kommun A", 2, 0, 0, 20)]
    estimate = estimate_share(strata)
    assert estimate.share == 0.0
    assert pair(estimate.interval) == (0.0, 1.0)
    assert estimate.response_rate == pytest.approx(2 / 50)


def test_no_organisations_at_all_give_an_empty_estimate():
    estimate = estimate_share([])
    assert (estimate.share, estimate.base, estimate.effective_n) == (0.0, 0, 0.0)
    assert pair(estimate.interval) == (0.0, 1.0)


# --- change between two waves ----------------------------------------------------------------------


def test_the_change_from_17_of_40_to_29_of_45_matches_tc3_and_tc4():
    change = compare(estimate_share([single(17, 40)]), estimate_share([single(29, 45)]))
    assert change.difference == pytest.approx(0.219444, abs=1e-6)
    assert pair(change.interval) == approx(0.007866, 0.405972)
    assert change.test.p_value == pytest.approx(0.042708, abs=1e-6)
    assert change.test.statistic == pytest.approx(2.026558, abs=1e-6)
    assert change.difference in change.interval


def test_a_fall_has_a_negative_difference_and_statistic():
    change = compare(estimate_share([single(29, 45)]), estimate_share([single(17, 40)]))
    assert change.difference == pytest.approx(-0.219444, abs=1e-6)
    assert change.test.statistic < 0
    assert change.difference in change.interval


def test_a_change_between_weighted_waves_is_tested_on_the_effective_counts():
    previous = estimate_share([single(17, 40)])
    current = estimate_share(TC6_STRATA)
    n_eff = 60**2 / (30**2 / 14 + 20**2 / 5 + 10**2 / 5)
    share = (30 * 11 / 14 + 20 * 2 / 5 + 10 * 2 / 5) / 60
    change = compare(previous, current)
    assert change.difference == pytest.approx(share - 17 / 40)
    assert change.test.p_value == pytest.approx(two_proportion_test(share * n_eff, n_eff, 17, 40).p_value)
    assert pair(change.interval) == approx(*pair(newcombe_difference(share * n_eff, n_eff, 17, 40)))
    assert change.difference in change.interval


def test_there_is_no_change_to_report_when_either_wave_has_nobody_in_the_base():
    empty = estimate_share([single(0, 0)])
    full = estimate_share([single(17, 40)])
    assert compare(empty, full) is None
    assert compare(full, empty) is None


# --- trend over three or more waves -----------------------------------------------------------------

TC5 = [(12, 38), (17, 40), (21, 41), (29, 45)]


def test_the_trend_over_four_waves_matches_tc5():
    result = trend([estimate_share([single(x, n)]) for x, n in TC5])
    assert result.statistic == pytest.approx(3.093769, abs=1e-6)
    assert result.p_value == pytest.approx(0.001976, abs=1e-6)


def test_two_waves_are_not_enough_for_a_trend():
    assert trend([estimate_share([single(x, n)]) for x, n in TC5[:2]]) is None
    assert trend([]) is None


def test_a_wave_with_nobody_in_the_base_is_left_out_of_the_trend_but_keeps_the_spacing():
    estimates = [estimate_share([single(x, n)]) for x, n in TC5]
    estimates.insert(2, estimate_share([single(0, 0)]))
    expected = cochran_armitage([x for x, _ in TC5], [n for _, n in TC5], [1, 2, 4, 5])
    result = trend(estimates)
    assert result.statistic == pytest.approx(expected.statistic, abs=1e-9)
    assert result.p_value == pytest.approx(expected.p_value, abs=1e-9)
    assert trend([*estimates[:2], estimate_share([single(0, 0)])]) is None


def test_a_trend_uses_the_waves_actual_times_when_given():
    estimates = [estimate_share([single(x, n)]) for x, n in TC5]
    months = [0.0, 1.0, 5.0, 6.0]
    expected = cochran_armitage([x for x, _ in TC5], [n for _, n in TC5], months)
    assert trend(estimates, months).statistic == pytest.approx(expected.statistic, abs=1e-9)


def test_a_trend_over_weighted_waves_uses_their_effective_counts():
    weighted = estimate_share(TC6_STRATA)
    estimates = [estimate_share([single(12, 38)]), weighted, estimate_share([single(21, 41)])]
    n_eff = 60**2 / (30**2 / 14 + 20**2 / 5 + 10**2 / 5)
    share = (30 * 11 / 14 + 20 * 2 / 5 + 10 * 2 / 5) / 60
    expected = cochran_armitage([12, share * n_eff, 21], [38, n_eff, 41])
    result = trend(estimates)
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.p_value)


# --- goal status -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (0.50, GoalStatus.UNCERTAIN),  # TC11: (0.285094, 0.578049) contains 0.50
        (0.25, GoalStatus.ACHIEVED),  # the whole interval is above
        (0.60, GoalStatus.NOT_ACHIEVED),  # the whole interval is below
    ],
)
def test_the_goal_status_of_17_of_40_follows_the_interval_not_the_point(target, expected):
    assert status(estimate_share([single(17, 40)]), target) is expected


def test_a_point_estimate_above_the_target_is_not_enough_for_achieved():
    estimate = estimate_share([single(12, 20)])  # 60 % observed
    assert estimate.share > 0.55
    assert status(estimate, 0.55) is GoalStatus.UNCERTAIN


def test_a_lower_bound_exactly_at_the_target_counts_as_achieved():
    estimate = ShareEstimate(0.5, Interval(0.4, 0.6), 40, 40, 20, 40.0, Method.WILSON, None, None, None)
    assert status(estimate, 0.4) is GoalStatus.ACHIEVED
    assert status(estimate, 0.6) is GoalStatus.UNCERTAIN
    assert status(estimate, 0.6000001) is GoalStatus.NOT_ACHIEVED


def test_knowing_the_group_size_can_settle_a_goal_that_would_otherwise_be_uncertain():
    # Without N, 17/40 has a lower bound 0.285; with N = 60 (exact interval) it is 0.333.
    assert status(estimate_share([single(17, 40)]), 0.30) is GoalStatus.UNCERTAIN
    assert status(estimate_share([single(17, 40, population=60)]), 0.30) is GoalStatus.ACHIEVED
