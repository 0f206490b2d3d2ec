"""Effect estimates for one target group (analysis/stats/effects.py): which interval, weighting, change, trend, status.

Expected values come from docs/methods.md (TC1–TC6, TC11–TC15) or from hand formulas written out here; where
a test is about wiring (the right counts reach the right method), the expectation is built from
analysis.stats.estimates or from scipy's beta-binomial distribution directly.
"""

import math
from statistics import NormalDist

import numpy as np
import pytest
from scipy import stats

from analysis.stats.effects import (
    Method,
    Note,
    ShareEstimate,
    Stratum,
    compare,
    estimate_share,
    status,
    trend,
)
from analysis.stats.estimates import (
    GoalStatus,
    Interval,
    cochran_armitage,
    exact_finite_population_test,
    mover_difference,
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


def beta_binomial_by_hand(strata, confidence=0.95):
    """The finite-population beta-binomial interval (docs/methods.md §2.2) straight from scipy, stratum by
    stratum convolved, independent of analysis.stats.estimates."""
    pmf = np.array([1.0])
    for x, n, big_n in strata:
        u = big_n - n
        pmf = np.convolve(pmf, stats.betabinom.pmf(np.arange(u + 1), u, x + 0.5, n - x + 0.5))
    cdf = np.cumsum(pmf)
    alpha = 1 - confidence
    low, high = np.argmax(cdf >= alpha / 2 - 1e-12), np.argmax(cdf >= 1 - alpha / 2 - 1e-12)
    known, total = sum(x for x, _, _ in strata), sum(big_n for _, _, big_n in strata)
    return ((known + low) / total, (known + high) / total)


def single(reached, base, population=None, respondents=None, label="Region"):
    return Stratum(label, base if respondents is None else respondents, base, reached, population)


# TC6's respondents post-stratified on organisation only (docs/methods.md TC6: 0.592857).
REGION = Stratum("Region", respondents=16, base=14, reached=11, population=30)
KOMMUN_A = Stratum("Kommun A", respondents=5, base=5, reached=2, population=20)
KOMMUN_B = Stratum("Kommun B", respondents=5, base=5, reached=2, population=10)
TC6_STRATA = (REGION, KOMMUN_A, KOMMUN_B)


# --- notes ------------------------------------------------------------------------------------------


def test_a_group_where_fewer_than_60_percent_answered_carries_the_low_response_note():
    assert Note.LOW_RESPONSE in estimate_share([single(17, 40, population=70)]).notes  # 57 %
    assert Note.LOW_RESPONSE not in estimate_share([single(17, 40, population=66)]).notes  # 61 %
    assert Note.LOW_RESPONSE not in estimate_share([single(17, 40)]).notes  # unknown


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


def test_one_group_of_known_size_gets_the_beta_binomial_interval_of_tc12():
    estimate = estimate_share([single(17, 40, population=60, respondents=43)])
    assert estimate.method is Method.BETA_BINOMIAL
    # The 20 who did not answer: beta-binomial(20, 17.5, 23.5) has its 2.5 % and 97.5 % points at 4 and 14.
    assert pair(estimate.interval) == approx(21 / 60, 31 / 60)
    assert pair(estimate.interval) == approx(*beta_binomial_by_hand([(17, 40, 60)]))
    assert estimate.population == 60
    assert estimate.response_rate == pytest.approx(43 / 60)


def test_the_worst_case_bounds_of_tc2_assume_nothing_about_those_who_did_not_answer():
    estimate = estimate_share([single(17, 40, population=60)])
    assert pair(estimate.bounds) == approx(0.283333, 0.616667)
    assert pair(estimate.bounds) == approx(17 / 60, (17 + 60 - 40) / 60)


def test_five_of_five_in_a_group_of_six_is_the_hand_computed_case_of_tc12():
    # The one who did not answer has reached the step with probability 5.5/6: both 5/6 and 6/6 stay.
    estimate = estimate_share([single(5, 5, population=6)])
    assert pair(estimate.interval) == approx(5 / 6, 1.0)


def test_the_beta_binomial_interval_is_used_whatever_share_of_the_group_answered():
    for population in (45, 80, 100, 400):
        estimate = estimate_share([single(17, 40, population=population)])
        assert estimate.method is Method.BETA_BINOMIAL
        assert pair(estimate.interval) == approx(*beta_binomial_by_hand([(17, 40, population)]))


def test_the_finite_population_factor_of_one_group_is_n_minus_n_over_n_minus_one():
    estimate = estimate_share([single(17, 40, population=100)])
    assert estimate.fpc == pytest.approx(60 / 99)
    assert estimate.effective_n == 40
    assert estimate_share([single(17, 40)]).fpc == 1.0


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


def test_the_post_stratified_interval_is_the_beta_binomial_model_never_narrower_than_pooled_wilson():
    estimate = estimate_share(TC6_STRATA)
    model = beta_binomial_by_hand([(11, 14, 30), (2, 5, 20), (2, 5, 10)])
    # The pooled variance with each organisation's correction: D = Σ W²·f/n (docs/methods.md §2.4).
    d = (0.5**2 * 16 / 29 / 14) + ((1 / 3) ** 2 * 15 / 19 / 5) + ((1 / 6) ** 2 * 5 / 9 / 5)
    pooled = hand_wilson(estimate.share, 1 / d)
    assert pair(estimate.interval) == approx(min(model[0], pooled[0]), max(model[1], pooled[1]))
    assert estimate.share in estimate.interval
    assert estimate.fpc == pytest.approx(d * estimate.effective_n)


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
    assert estimate.interval == estimate_share(TC6_STRATA).interval
    assert Note.UNREPRESENTED in estimate.notes
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
    assert estimate.method is Method.BETA_BINOMIAL
    assert pair(estimate.interval) == approx(*beta_binomial_by_hand([(9, 15, 20)]))


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


def test_a_change_between_weighted_waves_is_tested_on_the_effective_counts_with_their_correction():
    previous = estimate_share([single(17, 40)])
    current = estimate_share(TC6_STRATA)
    n_eff = 60**2 / (30**2 / 14 + 20**2 / 5 + 10**2 / 5)
    share = (30 * 11 / 14 + 20 * 2 / 5 + 10 * 2 / 5) / 60
    change = compare(previous, current)
    assert change.difference == pytest.approx(share - 17 / 40)
    expected = two_proportion_test(share * n_eff, n_eff, 17, 40, fpc2=current.fpc, fpc1=1.0)
    assert change.test.p_value == pytest.approx(expected.p_value)
    assert not change.exact
    # The interval is built from the two levels' own intervals (MOVER).
    assert pair(change.interval) == approx(
        *pair(mover_difference(current.share, current.interval, previous.share, previous.interval))
    )
    assert change.difference in change.interval


def test_a_change_in_a_group_of_61_with_30_answering_is_tested_with_the_correction_of_tc13():
    # Both waves unweighted in a group of 61 (up to 200 people): the exact test of TC14.
    previous = estimate_share([single(15, 30, population=61)])
    current = estimate_share([single(21, 30, population=61)])
    change = compare(previous, current)
    assert change.exact
    assert change.test.statistic == pytest.approx(2.199707, abs=1e-6)
    assert change.test.p_value == pytest.approx(exact_finite_population_test(21, 30, 61, 15, 30, 61).p_value)
    assert change.test.p_value < 0.05
    # Without the correction the same change "may be chance" (p = 0.113846).
    assert two_proportion_test(21, 30, 15, 30).p_value > 0.1


def test_a_change_in_a_large_group_uses_the_z_test_with_the_finite_population_factors():
    previous = estimate_share([single(150, 300, population=500)])
    current = estimate_share([single(180, 300, population=500)])
    change = compare(previous, current)
    assert not change.exact
    f = 200 / 499
    assert change.test.p_value == pytest.approx(
        two_proportion_test(180, 300, 150, 300, fpc2=f, fpc1=f).p_value
    )


def test_a_change_between_two_groups_that_answered_in_full_is_certain():
    change = compare(
        estimate_share([single(9, 12, population=12)]), estimate_share([single(10, 12, population=12)])
    )
    assert pair(change.interval) == approx(1 / 12, 1 / 12)
    assert change.test.p_value == 0.0


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


def test_a_trend_over_weighted_waves_uses_their_effective_counts_and_correction():
    weighted = estimate_share(TC6_STRATA)
    estimates = [estimate_share([single(12, 38)]), weighted, estimate_share([single(21, 41)])]
    n_eff = 60**2 / (30**2 / 14 + 20**2 / 5 + 10**2 / 5)
    share = (30 * 11 / 14 + 20 * 2 / 5 + 10 * 2 / 5) / 60
    expected = cochran_armitage([12, share * n_eff, 21], [38, n_eff, 41], fpc=[1.0, weighted.fpc, 1.0])
    result = trend(estimates)
    assert result.statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.p_value)


def test_the_trend_over_four_waves_in_groups_of_60_matches_tc15():
    result = trend([estimate_share([single(x, n, population=60)]) for x, n in TC5])
    assert result.statistic == pytest.approx(5.505964, abs=1e-6)
    assert result.p_value == pytest.approx(3.671542e-08, rel=1e-5)


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
    # Without N, 17/40 has a lower bound 0.285; with N = 60 (TC12) it is 0.35.
    assert status(estimate_share([single(17, 40)]), 0.30) is GoalStatus.UNCERTAIN
    assert status(estimate_share([single(17, 40, population=60)]), 0.30) is GoalStatus.ACHIEVED
