"""Plain-Swedish verdicts (analysis/render/verdicts.py): each case asserted on the exact sentence.

The sentences use a no-break space before %; ``P`` below writes it out so the expected texts stay readable.
"""

import math

import pytest

from analysis.render.verdicts import (
    change_verdict,
    format_percent,
    hidden_explanation,
    hidden_verdict,
    response_rate_warning,
    status_verdict,
    trend_verdict,
    wave_summary,
)
from analysis.stats.disclosure import SuppressionReason
from analysis.stats.effects import Change, Stratum, estimate_share
from analysis.stats.estimates import GoalStatus, Interval, Test
from analysis.stats.goal_results import GoalSpec, Measure, goal_results
from locales import using_locale

NBSP = "\u00a0"


def P(text: str) -> str:
    """Expected text with the no-break space put in: "42 %" → "42\u00a0%"."""
    return text.replace(" %", NBSP + "%")


def change(difference, low, high, p_value, z=None):
    return Change(
        difference, Interval(low, high), Test(z if z is not None else math.copysign(2.0, difference), p_value)
    )


# --- percentages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "decimals", "expected"),
    [
        (0.42, 0, "42 %"),
        (0.425, 0, "43 %"),  # half up, although 0.425 is a little below in binary
        (0.415, 0, "42 %"),
        (0.445, 0, "45 %"),  # Babel's half-even would give 44
        (0.005, 0, "1 %"),
        (0.0049, 0, "0 %"),
        (1.0, 0, "100 %"),
        (0.0, 0, "0 %"),
        (0.4245, 1, "42,5 %"),
        (0.42449, 1, "42,4 %"),
        (0.7, 2, "70,00 %"),
        (-0.05, 0, "−5 %"),
        (-0.001, 0, "0 %"),  # never "−0 %"
    ],
)
def test_format_percent_rounds_half_up_with_a_decimal_comma(share, decimals, expected):
    assert format_percent(share, decimals) == P(expected)


def test_format_percent_has_a_no_break_space_and_no_ordinary_space():
    text = format_percent(0.42)
    assert text == "42\u00a0%"
    assert " " not in text


def test_format_percent_uses_the_current_locales_decimal_sign_and_spacing():
    with using_locale("en"):
        assert format_percent(0.4245, 1) == "42.5%"


@pytest.mark.parametrize("decimals", [-1, 1.5, True])
def test_format_percent_refuses_odd_decimals(decimals):
    with pytest.raises(ValueError):
        format_percent(0.5, decimals)


@pytest.mark.parametrize("share", [math.nan, math.inf])
def test_format_percent_refuses_non_numbers(share):
    with pytest.raises(ValueError):
        format_percent(share)


# --- change since the previous wave ---------------------------------------------------------------


def test_a_significant_increase():
    verdict = change_verdict(0.42, 0.61, change(0.19, 0.05, 0.32, 0.004), None)
    assert verdict == P("Ökningen från 42 % till 61 % är statistiskt säkerställd.")


def test_a_significant_decrease():
    verdict = change_verdict(0.61, 0.42, change(-0.19, -0.32, -0.05, 0.004), None)
    assert verdict == P("Minskningen från 61 % till 42 % är statistiskt säkerställd.")


def test_no_detectable_change():
    verdict = change_verdict(0.42, 0.45, change(0.03, -0.10, 0.16, 0.66), None)
    assert verdict == P("Skillnaden mellan 42 % och 45 % kan bero på slumpen.")


def test_the_adjusted_p_decides_when_it_is_given():
    raw_significant = change(0.14, 0.01, 0.26, 0.034)
    assert change_verdict(0.61, 0.75, raw_significant, None) == P(
        "Ökningen från 61 % till 75 % är statistiskt säkerställd."
    )
    assert change_verdict(0.61, 0.75, raw_significant, 0.068) == P(
        "Skillnaden mellan 61 % och 75 % kan bero på slumpen."
    )


def test_both_the_test_and_the_interval_must_agree():
    # p just below alpha but the Newcombe interval still touches 0: not called certain.
    assert change_verdict(0.42, 0.55, change(0.13, -0.001, 0.26, 0.049), None) == P(
        "Skillnaden mellan 42 % och 55 % kan bero på slumpen."
    )
    # The interval excludes 0 but p is not below alpha.
    assert change_verdict(0.42, 0.55, change(0.13, 0.001, 0.26, 0.05), None) == P(
        "Skillnaden mellan 42 % och 55 % kan bero på slumpen."
    )


def test_alpha_is_the_callers_choice():
    assert change_verdict(0.42, 0.55, change(0.13, 0.02, 0.26, 0.02), None, alpha=0.01) == P(
        "Skillnaden mellan 42 % och 55 % kan bero på slumpen."
    )


@pytest.mark.parametrize(
    ("previous", "current", "the_change"),
    [(None, 0.5, None), (0.4, 0.5, None), (None, 0.5, Change(0.1, Interval(0.05, 0.15), Test(3.0, 0.001)))],
)
def test_not_comparable(previous, current, the_change):
    assert (
        change_verdict(previous, current, the_change, None)
        == "Det går inte att jämföra med förra mätomgången."
    )


def test_shares_that_round_alike_get_one_more_decimal():
    verdict = change_verdict(0.421, 0.424, change(0.003, 0.001, 0.005, 0.001), None)
    assert verdict == P("Ökningen från 42,1 % till 42,4 % är statistiskt säkerställd.")


def test_equal_shares_are_said_to_be_the_same():
    verdict = change_verdict(0.42, 0.42, change(0.0, -0.1, 0.1, 1.0, z=0.0), None)
    assert verdict == P("Andelen är densamma som förra mätomgången: 42 %.")


# --- goal status ----------------------------------------------------------------------------------


def test_goal_achieved_names_the_lowest_plausible_level():
    verdict = status_verdict(GoalStatus.ACHIEVED, 0.7, Interval(0.72, 0.86))
    assert verdict == P("Målet (minst 70 %) är uppnått: även den lägsta rimliga nivån, 72 %, når målet.")


def test_goal_not_achieved_names_the_highest_plausible_level():
    verdict = status_verdict(GoalStatus.NOT_ACHIEVED, 0.7, Interval(0.48, 0.64))
    assert verdict == P(
        "Målet (minst 70 %) är inte uppnått: även den högsta rimliga nivån, 64 %, ligger under målet."
    )


def test_goal_uncertain_gives_the_range():
    verdict = status_verdict(GoalStatus.UNCERTAIN, 0.7, Interval(0.63, 0.77))
    assert verdict == P(
        "Det går inte att säga om målet (minst 70 %) är uppnått: andelen ligger troligen mellan 63 % och 77 %."
    )


def test_goal_status_without_answers():
    assert status_verdict(None, 0.7, None) == P(
        "Det går inte att bedöma om målet (minst 70 %) är uppnått: det finns inga svar att räkna på."
    )


def test_goal_status_reads_a_share_estimate_and_a_status_string():
    estimate = estimate_share([Stratum("Region", 100, 100, 85)])
    verdict = status_verdict("achieved", 0.7, estimate)
    low = format_percent(estimate.interval.low)
    assert verdict == P(f"Målet (minst 70 %) är uppnått: även den lägsta rimliga nivån, {low}, når målet.")


def test_a_bound_just_below_the_target_never_reads_as_the_target():
    verdict = status_verdict(GoalStatus.NOT_ACHIEVED, 0.7, Interval(0.55, 0.6996))
    assert verdict == P(
        "Målet (minst 70 %) är inte uppnått: även den högsta rimliga nivån, 69,96 %, ligger under målet."
    )


def test_a_target_with_decimals_keeps_them():
    verdict = status_verdict(GoalStatus.UNCERTAIN, 0.725, Interval(0.6, 0.8))
    assert verdict == P(
        "Det går inte att säga om målet (minst 72,5 %) är uppnått: andelen ligger troligen mellan 60 % och 80 %."
    )


# --- hidden groups and response rate --------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "k", "expected"),
    [
        (SuppressionReason.BELOW_MINIMUM, 5, "För få svar för att redovisa (färre än 5)."),
        (SuppressionReason.BELOW_MINIMUM, 3, "För få svar för att redovisa (färre än 3)."),
        ("below_minimum", 7, "För få svar för att redovisa (färre än 7)."),
        (
            SuppressionReason.COMPLEMENTARY,
            5,
            "Redovisas inte, så att svaren i en annan liten grupp inte kan räknas fram.",
        ),
        (
            SuppressionReason.HOMOGENEOUS,
            5,
            "Redovisas inte: alla i den lilla gruppen svarade likadant, så varje persons svar skulle synas.",
        ),
        (
            SuppressionReason.FREE_TEXT_BELOW_MINIMUM,
            5,
            "Fritextsvar visas först när minst 5 personer har svarat.",
        ),
    ],
)
def test_hidden_verdicts(reason, k, expected):
    assert hidden_verdict(reason, k) == expected


def test_every_suppression_reason_has_a_sentence():
    sentences = {hidden_verdict(reason, 5) for reason in SuppressionReason}
    assert len(sentences) == len(SuppressionReason)


def test_low_response_rate_warns():
    assert response_rate_warning(0.18) == P("Svarsfrekvensen är låg (18 %): resultatet kan vara skevt.")


def test_a_rate_just_below_the_limit_does_not_read_as_the_limit():
    assert response_rate_warning(0.2996) == P("Svarsfrekvensen är låg (29,96 %): resultatet kan vara skevt.")


@pytest.mark.parametrize(("rate", "low"), [(0.3, 0.3), (0.85, 0.3), (None, 0.3), (0.4, 0.3), (math.nan, 0.3)])
def test_no_warning_when_the_rate_is_fine_or_unknown(rate, low):
    assert response_rate_warning(rate, low=low) is None


def test_the_limit_is_the_callers_choice():
    assert response_rate_warning(0.4, low=0.5) == P(
        "Svarsfrekvensen är låg (40 %): resultatet kan vara skevt."
    )


# --- trend ----------------------------------------------------------------------------------------


def test_a_significant_upward_trend():
    verdict = trend_verdict(Test(3.1, 0.002), None, 0.42, 0.75, 4)
    assert verdict == P(
        "Andelen har ökat över 4 mätomgångar, från 42 % till 75 %. Trenden är statistiskt säkerställd."
    )


def test_a_significant_downward_trend():
    verdict = trend_verdict(Test(-3.1, 0.002), 0.006, 0.75, 0.42, 3)
    assert verdict == P(
        "Andelen har minskat över 3 mätomgångar, från 75 % till 42 %. Trenden är statistiskt säkerställd."
    )


def test_no_detectable_trend():
    verdict = trend_verdict(Test(1.2, 0.23), None, 0.42, 0.47, 3)
    assert verdict == P(
        "Över 3 mätomgångar syns ingen säkerställd trend: förändringen från 42 % till 47 % kan bero på slumpen."
    )


def test_the_adjusted_p_decides_the_trend():
    verdict = trend_verdict(Test(2.2, 0.03), 0.09, 0.42, 0.55, 3)
    assert verdict == P(
        "Över 3 mätomgångar syns ingen säkerställd trend: förändringen från 42 % till 55 % kan bero på slumpen."
    )


def test_a_trend_against_the_end_points_says_so():
    verdict = trend_verdict(Test(2.5, 0.01), None, 0.50, 0.48, 5)
    assert verdict == P(
        "Trenden över 5 mätomgångar är statistiskt säkerställd uppåt, men den senaste andelen (48 %) "
        "är inte högre än den första (50 %)."
    )


def test_no_trend_with_equal_end_points():
    verdict = trend_verdict(Test(0.0, 1.0), None, 0.5, 0.5, 3)
    assert verdict == P(
        "Över 3 mätomgångar syns ingen säkerställd trend: andelen är 50 % i den första och i den senaste."
    )


@pytest.mark.parametrize(("test", "waves"), [(None, 3), (Test(3.0, 0.001), 2)])
def test_no_trend_without_three_waves(test, waves):
    assert (
        trend_verdict(test, None, 0.4, 0.6, waves)
        == "Det behövs minst tre mätomgångar med svar för att se en trend."
    )


# --- one row of the overview, from the results engine ---------------------------------------------


def measure(name, reached, base, population=None, *, respondents=None, trend_break=False):
    stratum = Stratum("Region", base if respondents is None else respondents, base, reached, population)
    return Measure(name, (stratum,), trend_break)


def unmeasured(name):
    return Measure(name, None)


def goal(*measures, target=0.7):
    (result,) = goal_results([GoalSpec("chefer-kannedom", target, tuple(measures))])
    return result


@pytest.fixture(scope="module")
def four_waves():
    return goal(
        measure("Våren 2025", 42, 100, 400),
        measure("Hösten 2025", 61, 100, 400),
        measure("Våren 2026", 3, 3),  # too few answers: hidden
        measure("Hösten 2026", 75, 100, 400),
    )


def test_summary_of_the_first_wave(four_waves):
    assert wave_summary(four_waves, 0) == [
        P("Målet (minst 70 %) är inte uppnått: även den högsta rimliga nivån, 50 %, ligger under målet."),
        "Det här är den första mätomgången, så det finns inget att jämföra med.",
        P("Svarsfrekvensen är låg (25 %): resultatet kan vara skevt."),
    ]


def test_summary_of_a_significant_increase(four_waves):
    assert wave_summary(four_waves, 1) == [
        P("Målet (minst 70 %) är inte uppnått: även den högsta rimliga nivån, 69 %, ligger under målet."),
        P("Ökningen från 42 % till 61 % är statistiskt säkerställd."),
        P("Svarsfrekvensen är låg (25 %): resultatet kan vara skevt."),
    ]


def test_summary_of_a_hidden_wave(four_waves):
    assert wave_summary(four_waves, 2) == [hidden_explanation(5)]
    assert "färre än 3 svar" in wave_summary(four_waves, 2, k=3)[0]


def test_summary_of_the_latest_wave_skips_the_hidden_one_and_adds_the_trend(four_waves):
    assert wave_summary(four_waves, -1) == [
        P(
            "Det går inte att säga om målet (minst 70 %) är uppnått: "
            "andelen ligger troligen mellan 67 % och 82 %."
        ),
        P("Ökningen från 61 % till 75 % är statistiskt säkerställd."),
        "Jämförelsen görs med mätomgången Hösten 2025.",
        P("Svarsfrekvensen är låg (25 %): resultatet kan vara skevt."),
        P("Andelen har ökat över 3 mätomgångar, från 42 % till 75 %. Trenden är statistiskt säkerställd."),
    ]


def test_summary_of_no_detectable_change_without_a_known_group_size():
    result = goal(measure("Våren", 42, 100), measure("Hösten", 45, 100))
    assert wave_summary(result, 1) == [
        P("Målet (minst 70 %) är inte uppnått: även den högsta rimliga nivån, 55 %, ligger under målet."),
        P("Skillnaden mellan 42 % och 45 % kan bero på slumpen."),
    ]


def test_summary_of_an_achieved_goal_with_a_good_response_rate():
    result = goal(measure("Våren", 170, 200, 250), target=0.7)
    low = format_percent(result.waves[0].estimate.interval.low)
    assert result.waves[0].status is GoalStatus.ACHIEVED
    assert wave_summary(result, 0) == [
        P(f"Målet (minst 70 %) är uppnått: även den lägsta rimliga nivån, {low}, når målet."),
        "Det här är den första mätomgången, så det finns inget att jämföra med.",
    ]


def test_summary_after_the_question_changed():
    result = goal(measure("Våren", 42, 100), measure("Hösten", 60, 100, trend_break=True))
    assert wave_summary(result, 1)[1] == (
        "Frågan har ändrats sedan förra mätomgången, så resultaten går inte att jämföra."
    )


def test_summary_when_the_previous_wave_is_hidden_is_not_comparable():
    result = goal(measure("Våren", 3, 3), measure("Hösten", 60, 100))
    assert wave_summary(result, 1)[1] == "Det går inte att jämföra med förra mätomgången."


def test_summary_of_a_wave_that_did_not_ask():
    result = goal(measure("Våren", 42, 100), unmeasured("Hösten"))
    assert wave_summary(result, 1) == ["Frågan ställdes inte i den här mätomgången."]


def test_summary_when_nobody_is_in_the_base():
    result = goal(measure("Våren", 0, 0, respondents=12))
    assert wave_summary(result, 0) == ["Det finns inga svar att räkna en andel på i den här mätomgången."]


def test_summary_index_out_of_range():
    result = goal(measure("Våren", 42, 100))
    with pytest.raises(IndexError):
        wave_summary(result, 3)
