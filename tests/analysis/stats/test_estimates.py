"""Reference values from docs/methods.md (TC1–TC16, edge cases), and behaviour at the edges."""

import math

import numpy as np
import pytest

from analysis.stats.estimates import (
    CERTAIN_Z,
    GoalStatus,
    Interval,
    OrdinalShift,
    RakingError,
    Test,
    WeightingError,
    adjust_p_values,
    beta_binomial_interval,
    clopper_pearson_interval,
    cochran_armitage,
    exact_finite_population_test,
    finite_population_factor,
    goal_status,
    hypergeometric_interval,
    kish_design_effect,
    kish_effective_n,
    minimum_detectable_change,
    mover_difference,
    newcombe_difference,
    nonresponse_bounds,
    ordinal_shift,
    post_stratified_share,
    rake,
    required_sample_size,
    two_proportion_test,
    weighted_share,
    wilson_interval,
)


def approx(*values):
    return pytest.approx(values, abs=1e-6)


def pair(interval):
    return (interval.low, interval.high)


# --- TC1: Wilson 95 % for 17/40 ------------------------------------------------------------------


def test_wilson_matches_tc1_to_six_decimals():
    assert pair(wilson_interval(17, 40)) == approx(0.285094, 0.578049)


def test_clopper_pearson_matches_tc1_to_six_decimals():
    assert pair(clopper_pearson_interval(17, 40)) == approx(0.270429, 0.591099)


def test_wilson_applies_no_continuity_correction_unlike_r_prop_test_default():
    assert pair(wilson_interval(17, 40)) != approx(0.274245, 0.589922)


# --- TC2: finite population, N = 60 --------------------------------------------------------------


def test_wilson_with_finite_population_matches_tc2():
    assert pair(wilson_interval(17, 40, population=60)) == approx(0.339556, 0.515173)


def test_wilson_with_finite_population_equals_plain_wilson_on_n_star_118():
    n_star = 40 * (60 - 1) / (60 - 40)
    assert n_star == pytest.approx(118.0)
    assert pair(wilson_interval(17, 40, population=60)) == approx(*pair(wilson_interval(0.425 * 118, 118)))


def test_hypergeometric_interval_matches_tc2_population_counts_20_to_31():
    assert pair(hypergeometric_interval(17, 40, 60)) == approx(20 / 60, 31 / 60)
    assert pair(hypergeometric_interval(17, 40, 60)) == approx(0.333333, 0.516667)


def test_nonresponse_bounds_match_tc2():
    assert pair(nonresponse_bounds(17, 40, 60)) == approx(0.283333, 0.616667)


# --- TC3 and TC4: two waves, 29/45 against 17/40 -------------------------------------------------


def test_wilson_for_wave_two_matches_tc3():
    assert pair(wilson_interval(29, 45)) == approx(0.498358, 0.767809)


def test_newcombe_difference_matches_tc3():
    assert pair(newcombe_difference(29, 45, 17, 40)) == approx(0.007866, 0.405972)


def test_two_proportion_test_matches_tc4():
    result = two_proportion_test(29, 45, 17, 40)
    assert (result.statistic, result.p_value) == approx(2.026558, 0.042708)


def test_two_proportion_z_squared_is_the_chi_square_without_yates_in_tc4():
    assert two_proportion_test(29, 45, 17, 40).statistic ** 2 == pytest.approx(4.106938, abs=1e-6)


def test_two_proportion_test_is_antisymmetric_in_the_waves():
    forward, backward = two_proportion_test(29, 45, 17, 40), two_proportion_test(17, 40, 29, 45)
    assert backward.statistic == pytest.approx(-forward.statistic)
    assert backward.p_value == pytest.approx(forward.p_value)


# --- TC5: Cochran–Armitage ----------------------------------------------------------------------


def test_cochran_armitage_matches_tc5_and_r_prop_trend_test():
    result = cochran_armitage([12, 17, 21, 29], [38, 40, 41, 45])
    assert (result.statistic, result.p_value) == approx(3.093769, 0.001976)
    assert result.statistic**2 == pytest.approx(9.571405, abs=1e-6)


def test_cochran_armitage_one_sided_p_is_half_of_tc5():
    result = cochran_armitage([12, 17, 21, 29], [38, 40, 41, 45])
    assert result.p_value / 2 == pytest.approx(0.000988, abs=1e-6)


def test_cochran_armitage_is_not_the_n_minus_one_variant_of_statsmodels():
    result = cochran_armitage([12, 17, 21, 29], [38, 40, 41, 45])
    assert result.statistic * math.sqrt(163 / 164) == pytest.approx(3.084322, abs=1e-6)
    assert result.statistic != pytest.approx(3.084322, abs=1e-6)


def test_cochran_armitage_with_explicit_scores_equals_default_and_ignores_a_shift():
    default = cochran_armitage([12, 17, 21, 29], [38, 40, 41, 45])
    assert cochran_armitage([12, 17, 21, 29], [38, 40, 41, 45], scores=[1, 2, 3, 4]) == default
    shifted = cochran_armitage([12, 17, 21, 29], [38, 40, 41, 45], scores=[10, 20, 30, 40])
    assert (shifted.statistic, shifted.p_value) == approx(default.statistic, default.p_value)


def test_cochran_armitage_reversed_scores_flip_the_sign_only():
    default = cochran_armitage([12, 17, 21, 29], [38, 40, 41, 45])
    reverse = cochran_armitage([12, 17, 21, 29], [38, 40, 41, 45], scores=[4, 3, 2, 1])
    assert reverse.statistic == pytest.approx(-default.statistic)
    assert reverse.p_value == pytest.approx(default.p_value)


# --- TC6 and TC7: raking and Kish ----------------------------------------------------------------

TC6_CELLS = [
    # organisation, level, respondents, "känner till", raked weight
    ("Region", "Ledning", 5, 5, 1.390414),
    ("Region", "Ovriga", 9, 6, 2.560881),
    ("KommunA", "Ledning", 1, 1, 2.390273),
    ("KommunA", "Ovriga", 4, 1, 4.402432),
    ("KommunB", "Ledning", 2, 1, 1.328827),
    ("KommunB", "Ovriga", 3, 1, 2.447449),
]
TC6_TARGETS = {
    "org": {"Region": 30, "KommunA": 20, "KommunB": 10},
    "lvl": {"Ledning": 12, "Ovriga": 48},
}


def tc6_respondents():
    org, lvl, aware, expected = [], [], [], []
    for organisation, level, n, yes, weight in TC6_CELLS:
        org += [organisation] * n
        lvl += [level] * n
        aware += [1] * yes + [0] * (n - yes)
        expected += [weight] * n
    return org, lvl, np.array(aware), np.array(expected)


def tc6_weights():
    org, lvl, _, _ = tc6_respondents()
    return rake(np.full(24, 2.5), {"org": org, "lvl": lvl}, TC6_TARGETS)


def test_rake_matches_tc6_weights_per_cell():
    _, _, _, expected = tc6_respondents()
    assert tc6_weights() == pytest.approx(expected, abs=1e-6)


def test_raked_weights_reproduce_the_tc6_population_margins():
    org, lvl, _, _ = tc6_respondents()
    weights = tc6_weights()
    for name, labels in (("org", org), ("lvl", lvl)):
        for label, total in TC6_TARGETS[name].items():
            mask = np.array(labels) == label
            assert weights[mask].sum() == pytest.approx(total, abs=1e-8)


def test_raked_share_matches_tc6():
    _, _, aware, _ = tc6_respondents()
    share = weighted_share(tc6_weights(), aware)
    assert share.share == pytest.approx(0.548106, abs=1e-6)
    assert share.n == 24
    assert weighted_share(np.full(24, 2.5), aware).share == pytest.approx(0.625, abs=1e-6)


def test_post_stratified_share_on_organisation_matches_tc6():
    # Region 14 respondents (11 aware), Kommun A 5 (2), Kommun B 5 (2); sizes 30, 20, 10.
    result = post_stratified_share([11, 2, 2], [14, 5, 5], [30, 20, 10])
    assert result.share == pytest.approx(0.592857, abs=1e-6)
    assert result.n == 24
    weights = [30 / 14] * 14 + [20 / 5] * 5 + [10 / 5] * 5
    cell_weights = [30 / 14, 20 / 5, 10 / 5]
    assert cell_weights == approx(2.142857, 4.0, 2.0)
    assert result.effective_n == pytest.approx(kish_effective_n(weights))


def test_kish_design_effect_and_effective_n_match_tc7():
    weights = tc6_weights()
    assert kish_design_effect(weights) == pytest.approx(1.156199, abs=1e-6)
    assert kish_effective_n(weights) == pytest.approx(20.757671, abs=1e-6)


def test_wilson_on_effective_n_matches_tc7_with_and_without_fpc():
    _, _, aware, _ = tc6_respondents()
    share = weighted_share(tc6_weights(), aware)
    assert share.effective_n == pytest.approx(20.757671, abs=1e-6)
    successes = share.share * share.effective_n
    assert pair(wilson_interval(successes, share.effective_n)) == approx(0.343780, 0.737407)
    n_star = share.effective_n * 59 / (60 - share.effective_n)
    assert n_star == pytest.approx(31.208713, abs=1e-6)
    assert pair(wilson_interval(successes, share.effective_n, population=60)) == approx(0.377988, 0.707678)


# --- TC8: multiple comparisons -------------------------------------------------------------------

TC8_P = [0.004, 0.012, 0.030, 0.041, 0.220, 0.650]


def test_holm_matches_tc8_and_rejects_one():
    adjusted = adjust_p_values(TC8_P, "holm")
    assert adjusted == pytest.approx([0.024, 0.060, 0.120, 0.123, 0.440, 0.650], abs=1e-6)
    assert sum(p < 0.05 for p in adjusted) == 1


def test_benjamini_hochberg_matches_tc8_and_rejects_two():
    adjusted = adjust_p_values(TC8_P, "bh")
    assert adjusted == pytest.approx([0.024, 0.036, 0.060, 0.0615, 0.264, 0.650], abs=1e-6)
    assert sum(p < 0.05 for p in adjusted) == 2


def test_adjusted_p_values_keep_the_original_order():
    shuffled = [0.650, 0.004, 0.220, 0.030, 0.012, 0.041]
    assert adjust_p_values(shuffled, "holm") == pytest.approx([0.650, 0.024, 0.440, 0.120, 0.060, 0.123])
    assert adjust_p_values(shuffled, "bh") == pytest.approx([0.650, 0.024, 0.264, 0.060, 0.036, 0.0615])


def test_adjusted_p_values_are_capped_at_one():
    assert adjust_p_values([0.5, 0.6, 0.9], "holm") == pytest.approx([1.0, 1.0, 1.0])
    assert max(adjust_p_values([0.9, 0.95, 0.99], "bh")) <= 1.0


def test_adjust_accepts_method_names_in_any_case_and_an_empty_family():
    assert adjust_p_values(TC8_P, "BH") == adjust_p_values(TC8_P, "bh")
    assert adjust_p_values([], "holm") == []


# --- TC9: Likert item over two waves --------------------------------------------------------------

TC9_WAVE_1 = [4, 8, 12, 10, 6]
TC9_WAVE_2 = [2, 5, 10, 15, 13]


def test_top_two_box_intervals_and_difference_match_tc9():
    assert pair(wilson_interval(16, 40)) == approx(0.263483, 0.554041)
    assert pair(wilson_interval(28, 45)) == approx(0.476299, 0.748919)
    assert pair(newcombe_difference(28, 45, 16, 40)) == approx(0.010038, 0.408472)


def test_ordinal_shift_matches_tc9_mann_whitney():
    shift = ordinal_shift(TC9_WAVE_1, TC9_WAVE_2)
    assert shift.statistic == pytest.approx(1140)
    assert shift.p_value == pytest.approx(0.029830, abs=1e-6)
    assert shift.probability_of_superiority == pytest.approx(0.633333, abs=1e-6)


def test_ordinal_shift_swapped_gives_the_complementary_probability_and_same_p():
    forward, backward = ordinal_shift(TC9_WAVE_1, TC9_WAVE_2), ordinal_shift(TC9_WAVE_2, TC9_WAVE_1)
    assert backward.probability_of_superiority == pytest.approx(1 - forward.probability_of_superiority)
    assert backward.p_value == pytest.approx(forward.p_value)


# --- TC11: goal status and sample size ------------------------------------------------------------


def test_goal_status_is_uncertain_for_tc11():
    interval = wilson_interval(17, 40)
    assert pair(interval) == approx(0.285094, 0.578049)
    assert goal_status(interval, 0.50) is GoalStatus.UNCERTAIN


@pytest.mark.parametrize(
    ("population", "margin", "needed", "share"),
    [
        (60, 0.10, 38, 0.633333),
        (60, 0.15, 26, 0.433333),
        (40, 0.10, 29, 0.725),
        (200, 0.10, 66, 0.33),
        (1000, 0.10, 88, 0.088),
    ],
)
def test_required_sample_size_matches_tc11(population, margin, needed, share):
    assert required_sample_size(margin, population) == needed
    assert needed / population == pytest.approx(share, abs=1e-6)


def test_required_sample_size_without_a_known_group_is_the_infinite_population_n():
    # 1.959964² · 0.25 / 0.01 = 96.04 → 97
    assert required_sample_size(0.10) == 97


def test_required_sample_size_never_exceeds_the_group():
    assert required_sample_size(0.01, 10) == 10
    assert required_sample_size(0.5, 1) == 1


# --- edge-case table (docs/methods.md §4) and §2.2 ------------------------------------------------------


def test_wilson_for_five_of_five_matches_the_edge_table():
    assert pair(wilson_interval(5, 5)) == approx(0.565518, 1.0)
    assert wilson_interval(5, 5).high == 1.0


def test_clopper_pearson_for_five_of_five_matches_the_edge_table():
    assert pair(clopper_pearson_interval(5, 5)) == approx(0.478176, 1.0)


def test_wilson_for_zero_of_six_matches_the_edge_table():
    assert pair(wilson_interval(0, 6)) == approx(0.0, 0.390334)
    assert wilson_interval(0, 6).low == 0.0


def test_clopper_pearson_for_zero_of_six_matches_the_edge_table():
    assert pair(clopper_pearson_interval(0, 6)) == approx(0.0, 0.459258)


def test_wilson_with_fpc_for_five_of_five_in_six_matches_section_2_2():
    assert pair(wilson_interval(5, 5, population=6)) == approx(0.866808, 1.0)


def test_hypergeometric_for_five_of_five_in_six_gives_the_two_possible_values():
    assert pair(hypergeometric_interval(5, 5, 6)) == approx(5 / 6, 1.0)


# --- edges: nothing known, everything known --------------------------------------------------------


def test_no_respondents_means_we_know_nothing():
    assert wilson_interval(0, 0) == Interval(0.0, 1.0)
    assert wilson_interval(0, 0, population=30) == Interval(0.0, 1.0)
    assert clopper_pearson_interval(0, 0) == Interval(0.0, 1.0)
    assert hypergeometric_interval(0, 0, 30) == Interval(0.0, 1.0)
    assert nonresponse_bounds(0, 0, 30) == Interval(0.0, 1.0)
    assert nonresponse_bounds(0, 0, 0) == Interval(0.0, 1.0)


def test_everyone_answering_gives_the_point():
    assert wilson_interval(7, 12, population=12) == Interval(7 / 12, 7 / 12)
    assert hypergeometric_interval(7, 12, 12) == Interval(7 / 12, 7 / 12)
    assert nonresponse_bounds(7, 12, 12) == Interval(7 / 12, 7 / 12)
    assert wilson_interval(1, 1, population=1) == Interval(1.0, 1.0)


def test_zero_and_all_successes_hit_the_bounds_exactly():
    for interval in (
        wilson_interval(0, 9),
        clopper_pearson_interval(0, 9),
        hypergeometric_interval(0, 9, 20),
    ):
        assert interval.low == 0.0
    for interval in (
        wilson_interval(9, 9),
        clopper_pearson_interval(9, 9),
        hypergeometric_interval(9, 9, 20),
    ):
        assert interval.high == 1.0


def test_tiny_groups_give_finite_intervals():
    for x, n, big_n in [(0, 1, 1), (1, 1, 2), (0, 1, 2), (1, 2, 3), (2, 2, 2)]:
        for interval in (
            wilson_interval(x, n, population=big_n),
            hypergeometric_interval(x, n, big_n),
            nonresponse_bounds(x, n, big_n),
        ):
            assert 0.0 <= interval.low <= x / n <= interval.high <= 1.0


def test_newcombe_with_an_empty_wave_spans_everything():
    assert newcombe_difference(3, 10, 0, 0) == Interval(-1.0, 1.0)
    assert newcombe_difference(0, 0, 3, 10) == Interval(-1.0, 1.0)


def test_newcombe_at_the_edges_stays_within_minus_one_and_one():
    for args in [(0, 5, 5, 5), (5, 5, 0, 5), (0, 5, 0, 5), (5, 5, 5, 5)]:
        interval = newcombe_difference(*args)
        d = args[0] / args[1] - args[2] / args[3]
        assert -1.0 <= interval.low <= d <= interval.high <= 1.0


def test_two_proportion_test_without_variance_or_data_is_no_evidence():
    assert two_proportion_test(0, 10, 0, 12) == Test(0.0, 1.0)
    assert two_proportion_test(10, 10, 12, 12) == Test(0.0, 1.0)
    assert two_proportion_test(3, 10, 0, 0) == Test(0.0, 1.0)


def test_cochran_armitage_without_variance_or_data_is_no_evidence():
    assert cochran_armitage([0, 0, 0], [10, 12, 9]) == Test(0.0, 1.0)
    assert cochran_armitage([10, 12, 9], [10, 12, 9]) == Test(0.0, 1.0)
    assert cochran_armitage([3], [10]) == Test(0.0, 1.0)
    assert cochran_armitage([], []) == Test(0.0, 1.0)
    assert cochran_armitage([0, 0], [0, 0]) == Test(0.0, 1.0)
    assert cochran_armitage([3, 5], [10, 10], scores=[2, 2]) == Test(0.0, 1.0)


def test_cochran_armitage_skips_waves_without_answers():
    with_gap = cochran_armitage([12, 0, 21], [38, 0, 41], scores=[1, 2, 3])
    without = cochran_armitage([12, 21], [38, 41], scores=[1, 3])
    assert (with_gap.statistic, with_gap.p_value) == approx(without.statistic, without.p_value)


def test_ordinal_shift_without_data_or_spread_is_no_evidence():
    assert ordinal_shift([0, 0, 0], [1, 2, 3]) == OrdinalShift(0.0, 1.0, 0.5)
    assert ordinal_shift([0, 5, 0], [0, 7, 0]).p_value == 1.0
    assert ordinal_shift([0, 5, 0], [0, 7, 0]).probability_of_superiority == 0.5
    assert ordinal_shift([1, 2, 3], [1, 2, 3]).p_value == 1.0


def test_kish_for_equal_weights_is_the_respondent_count():
    assert kish_effective_n([2.5] * 24) == pytest.approx(24)
    assert kish_design_effect([2.5] * 24) == pytest.approx(1.0)
    assert kish_effective_n([]) == 0.0
    assert kish_design_effect([0.0, 0.0]) == 1.0


def test_weighted_share_without_weight_knows_nothing():
    share = weighted_share([], [])
    assert (share.share, share.effective_n) == (0.0, 0.0)
    assert wilson_interval(share.share * share.effective_n, share.effective_n) == Interval(0.0, 1.0)


def test_post_stratification_without_any_respondent_knows_nothing():
    assert post_stratified_share([0, 0], [0, 0], [10, 20]).effective_n == 0.0


# --- goal status -----------------------------------------------------------------------------------


def test_goal_status_at_the_boundaries():
    assert goal_status(Interval(0.5, 0.7), 0.5) is GoalStatus.ACHIEVED
    assert goal_status(Interval(0.3, 0.5), 0.5) is GoalStatus.UNCERTAIN
    assert goal_status(Interval(0.3, 0.4999), 0.5) is GoalStatus.NOT_ACHIEVED
    assert [status.value for status in GoalStatus] == ["achieved", "not_achieved", "uncertain"]


# --- raking errors ---------------------------------------------------------------------------------


def test_rake_refuses_a_label_with_a_population_but_no_respondents():
    with pytest.raises(RakingError, match="KommunC"):
        rake(
            [1.0, 1.0, 1.0],
            {"org": ["Region", "Region", "KommunA"]},
            {"org": {"Region": 10, "KommunA": 5, "KommunC": 5}},
        )


def test_rake_refuses_a_respondent_whose_label_has_no_population_total():
    with pytest.raises(RakingError, match="no population total"):
        rake([1.0, 1.0], {"org": ["Region", "Okänd"]}, {"org": {"Region": 10}})


def test_rake_refuses_margins_whose_totals_disagree():
    with pytest.raises(RakingError, match="disagree"):
        rake(
            [1.0] * 4,
            {"org": ["A", "A", "B", "B"], "lvl": ["x", "y", "x", "y"]},
            {"org": {"A": 10, "B": 10}, "lvl": {"x": 5, "y": 10}},
        )


def test_rake_reports_when_it_cannot_converge():
    # Organisation and level coincide among respondents, so no weights can meet both sets of totals.
    with pytest.raises(RakingError, match="converge"):
        rake(
            [1.0] * 4,
            {"org": ["A", "A", "B", "B"], "lvl": ["x", "x", "y", "y"]},
            {"org": {"A": 30, "B": 30}, "lvl": {"x": 10, "y": 50}},
            max_iterations=50,
        )


def test_raking_errors_are_value_errors():
    assert issubclass(RakingError, WeightingError)
    assert issubclass(WeightingError, ValueError)


def test_rake_without_margins_returns_the_base_weights():
    assert rake([1.0, 2.0], {}, {}) == pytest.approx([1.0, 2.0])


def test_post_stratification_refuses_an_empty_stratum():
    with pytest.raises(WeightingError, match="no respondents"):
        post_stratified_share([3, 0], [5, 0], [10, 20])


# --- invalid input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: wilson_interval(-1, 10),
        lambda: wilson_interval(11, 10),
        lambda: wilson_interval(5, 10, population=9),
        lambda: wilson_interval(5, 10, confidence=0),
        lambda: wilson_interval(5, 10, confidence=1),
        lambda: wilson_interval(5, 10, confidence=1.5),
        lambda: wilson_interval(float("nan"), 10),
        lambda: clopper_pearson_interval(3, 2),
        lambda: hypergeometric_interval(2.5, 10, 20),
        lambda: hypergeometric_interval(3, 21, 20),
        lambda: nonresponse_bounds(3, 10, 5),
        lambda: newcombe_difference(3, 10, 11, 10),
        lambda: two_proportion_test(3, 10, -1, 10),
        lambda: cochran_armitage([1, 2], [5]),
        lambda: cochran_armitage([6, 2], [5, 5]),
        lambda: cochran_armitage([1, 2], [5, 5], scores=[1]),
        lambda: adjust_p_values([0.1, 1.2], "holm"),
        lambda: adjust_p_values([0.1], "bonferroni"),
        lambda: kish_effective_n([1.0, -1.0]),
        lambda: ordinal_shift([1, 2], [1, 2, 3]),
        lambda: ordinal_shift([1, -2], [1, 2]),
        lambda: required_sample_size(0),
        lambda: required_sample_size(0.1, 0),
        lambda: goal_status(Interval(0.1, 0.2), float("nan")),
    ],
)
def test_invalid_input_raises_a_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_error_messages_say_what_is_wrong():
    with pytest.raises(ValueError, match="cannot be larger than n"):
        wilson_interval(11, 10)
    with pytest.raises(ValueError, match="use 'holm' or 'bh'"):
        adjust_p_values([0.1], "fdr")


def test_hypergeometric_approaches_clopper_pearson_for_a_huge_group_and_stays_fast():
    interval = hypergeometric_interval(17, 40, 10_000_000)
    assert pair(interval) == pytest.approx((0.270429, 0.591099), abs=1e-5)
    assert pair(hypergeometric_interval(5000, 10_000, 100_000)) == approx(0.49066, 0.50934)


# --- TC12: the finite-population beta-binomial interval ------------------------------------------


def test_beta_binomial_five_of_five_in_a_group_of_six_is_tc12_by_hand():
    # One non-respondent, reached with probability (5 + ½)/(5 + 1) = 11/12: P(0) = 1/12 > 2.5 %.
    assert pair(beta_binomial_interval([5], [5], [6])) == approx(5 / 6, 1.0)


def test_beta_binomial_17_of_40_in_a_group_of_60_matches_tc12():
    # scipy.stats.betabinom(20, 17.5, 23.5).ppf([0.025, 0.975]) = [4, 14]
    assert pair(beta_binomial_interval([17], [40], [60])) == approx(0.35, 0.516667)


def test_beta_binomial_over_two_organisations_matches_tc12():
    assert pair(beta_binomial_interval([12, 3], [15, 6], [20, 10])) == approx(0.6, 0.8)


def test_beta_binomial_of_a_group_that_answered_in_full_is_its_share():
    assert pair(beta_binomial_interval([9, 3], [12, 5], [12, 5])) == approx(12 / 17, 12 / 17)


def test_beta_binomial_without_anyone_in_the_base_knows_nothing():
    assert beta_binomial_interval([0], [0], [10]) == Interval(0.0, 1.0)
    assert beta_binomial_interval([], [], []) == Interval(0.0, 1.0)


def test_beta_binomial_of_a_large_group_is_the_normal_approximation_within_the_worst_case():
    interval = beta_binomial_interval([600], [1500], [6000])
    assert 600 / 6000 <= interval.low < 0.4 < interval.high <= (600 + 4500) / 6000
    # Close to Wilson with the finite-population correction at this size.
    wilson = wilson_interval(600, 1500, population=6000)
    assert interval.low == pytest.approx(wilson.low, abs=0.003)
    assert interval.high == pytest.approx(wilson.high, abs=0.003)


@pytest.mark.parametrize(
    "call",
    [
        lambda: beta_binomial_interval([3], [2], [10]),
        lambda: beta_binomial_interval([3], [12], [10]),
        lambda: beta_binomial_interval([3, 1], [5], [10]),
        lambda: beta_binomial_interval([3], [5], [10], prior=0),
        lambda: beta_binomial_interval([3], [5], [10], confidence=1.0),
    ],
)
def test_beta_binomial_refuses_impossible_counts(call):
    with pytest.raises(ValueError):
        call()


# --- TC13: the two-wave z-test with the finite-population correction -----------------------------


def test_finite_population_factor_is_n_minus_n_over_n_minus_one():
    assert finite_population_factor(30, 61) == pytest.approx(31 / 60)
    assert finite_population_factor(30, None) == 1.0
    assert finite_population_factor(12, 12) == 0.0


def test_two_proportion_test_with_the_correction_matches_tc13():
    # p̄ = 36/60 = 0.6, f = 31/60, V = 0.24 · 31/60 · 2/30 = 0.0082667, z = 0.2/√V.
    result = two_proportion_test(21, 30, 15, 30, fpc2=31 / 60, fpc1=31 / 60)
    assert result.statistic == pytest.approx(2.199707, abs=1e-6)
    assert result.p_value == pytest.approx(0.027828, abs=1e-6)
    plain = two_proportion_test(21, 30, 15, 30)
    assert (plain.statistic, plain.p_value) == approx(1.581139, 0.113846)


def test_two_groups_that_answered_in_full_differ_for_certain():
    assert two_proportion_test(10, 12, 9, 12, fpc2=0, fpc1=0) == Test(CERTAIN_Z, 0.0)
    assert two_proportion_test(9, 12, 10, 12, fpc2=0, fpc1=0) == Test(-CERTAIN_Z, 0.0)
    assert math.isfinite(CERTAIN_Z)  # JSON has no infinity: a meeting snapshot must keep it
    assert two_proportion_test(9, 12, 9, 12, fpc2=0, fpc1=0) == Test(0.0, 1.0)


def test_a_finite_population_factor_above_one_is_refused():
    with pytest.raises(ValueError):
        two_proportion_test(21, 30, 15, 30, fpc2=1.5)


# --- TC14: the exact finite-population test --------------------------------------------------------


def test_the_exact_test_of_two_in_a_group_of_four_is_tc14_by_hand():
    # 0 of 2 against 2 of 2, both from groups of 4: only M = 2 allows both; P = 2 · (1/6)² = 1/18.
    result = exact_finite_population_test(2, 2, 4, 0, 2, 4)
    assert result.statistic == pytest.approx(math.sqrt(6))
    assert result.p_value == pytest.approx(1 / 18)


def test_the_exact_test_for_a_group_of_61_matches_tc14():
    result = exact_finite_population_test(21, 30, 61, 15, 30, 61)
    assert result.statistic == pytest.approx(2.199707, abs=1e-6)
    assert result.p_value == pytest.approx(0.036014, abs=1e-6)


@pytest.mark.parametrize("counts", [(5, 7, 12, 1, 6, 11), (6, 9, 14, 2, 8, 14), (3, 3, 5, 0, 4, 9)])
def test_the_exact_test_is_the_largest_tail_over_every_common_share(counts):
    assert exact_finite_population_test(*counts).p_value == pytest.approx(_exact_by_brute_force(*counts))


def _exact_by_brute_force(x2, n2, big2, x1, n1, big1):
    """The exact test written out: every common share and every pair of counts, one at a time."""
    from scipy import stats

    def z(a2, a1):
        return two_proportion_test(
            a2, n2, a1, n1, fpc2=(big2 - n2) / (big2 - 1), fpc1=(big1 - n1) / (big1 - 1)
        ).statistic

    observed = abs(z(x2, x1))
    worst = 0.0
    for m in range(max(big1, big2) + 1):
        share = m / max(big1, big2)
        m1, m2 = round(share * big1), round(share * big2)
        total = 0.0
        for a1 in range(n1 + 1):
            p1 = stats.hypergeom.pmf(a1, big1, m1, n1)
            if p1 == 0:
                continue
            for a2 in range(n2 + 1):
                if abs(z(a2, a1)) >= observed - 1e-9:
                    total += p1 * stats.hypergeom.pmf(a2, big2, m2, n2)
        worst = max(worst, total)
    return worst


def test_the_exact_test_never_rejects_more_often_than_its_level():
    # Under no change, in a group of 20 with 10 answering: the true rejection rate at 5 % is at most 5 %.
    from scipy import stats

    for m in (4, 10, 16):
        rate = sum(
            stats.hypergeom.pmf(a1, 20, m, 10) * stats.hypergeom.pmf(a2, 20, m, 10)
            for a1 in range(11)
            for a2 in range(11)
            if exact_finite_population_test(a2, 10, 20, a1, 10, 20).p_value < 0.05
        )
        assert rate <= 0.05


# --- TC15: the trend with the finite-population correction ----------------------------------------


def test_cochran_armitage_with_the_correction_matches_tc15():
    f = [(60 - n) / 59 for n in (38, 40, 41, 45)]
    result = cochran_armitage([12, 17, 21, 29], [38, 40, 41, 45], fpc=f)
    # T = 22.201220, p̄ = 0.481707, Σ n c² f = 65.122139: z = T / √(p̄(1 − p̄) · 65.122139).
    assert result.statistic == pytest.approx(22.201220 / math.sqrt(0.481707 * 0.518293 * 65.122139), abs=1e-5)
    assert result.statistic == pytest.approx(5.505964, abs=1e-6)
    assert cochran_armitage([12, 17, 21, 29], [38, 40, 41, 45], fpc=[1, 1, 1, 1]) == cochran_armitage(
        [12, 17, 21, 29], [38, 40, 41, 45]
    )


def test_a_trend_over_waves_that_answered_in_full_is_certain():
    result = cochran_armitage([3, 5, 8], [10, 10, 10], fpc=[0, 0, 0])
    assert result == Test(CERTAIN_Z, 0.0)


# --- MOVER and TC16 --------------------------------------------------------------------------------


def test_mover_with_wilson_intervals_is_newcombe_of_tc3():
    result = mover_difference(29 / 45, wilson_interval(29, 45), 17 / 40, wilson_interval(17, 40))
    assert pair(result) == approx(*pair(newcombe_difference(29, 45, 17, 40)))
    assert pair(result) == approx(0.007866, 0.405972)


def test_mover_refuses_a_share_outside_its_interval():
    with pytest.raises(ValueError):
        mover_difference(0.9, Interval(0.2, 0.4), 0.5, Interval(0.4, 0.6))


def test_minimum_detectable_change_matches_tc16():
    # (1.959964 + 0.841621) · √(0.25 · 31/60 · 2/30)
    assert minimum_detectable_change(0.5, 30, 30, population1=61, population2=61) == pytest.approx(
        0.259976, abs=1e-6
    )
    assert minimum_detectable_change(0.5, 30, 30) == pytest.approx(0.361683, abs=1e-6)


def test_minimum_detectable_change_at_the_edges():
    assert minimum_detectable_change(0.5, 0, 30) == 1.0
    assert minimum_detectable_change(0.5, 12, 12, population1=12, population2=12) == 0.0
    assert 0 < minimum_detectable_change(0.0, 30, 30) < 1


def test_the_exact_test_of_two_full_censuses_of_different_sizes_is_certain():
    assert exact_finite_population_test(10, 13, 13, 9, 12, 12) == Test(CERTAIN_Z, 0.0)
    assert exact_finite_population_test(9, 12, 12, 9, 12, 12) == Test(0.0, 1.0)
