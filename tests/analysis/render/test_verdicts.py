"""Plain-Swedish verdicts (analysis/render/verdicts.py): each case asserted on the exact sentence.

The sentences use a no-break space before %; ``P`` below writes it out so the expected texts stay readable.
"""

import math

import pytest

from analysis.render.verdicts import (
    Direction,
    change_verdict,
    format_percent,
    goal_trend_recipe,
    hidden_explanation,
    hidden_verdict,
    judge,
    response_rate_warning,
    status_verdict,
    trend_points,
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
# "Den lägsta/högsta rimliga nivån" only where at least 80 % of the group answered.


def test_goal_achieved_names_the_lowest_plausible_level_where_nearly_everyone_answered():
    verdict = status_verdict(GoalStatus.ACHIEVED, 0.7, Interval(0.72, 0.86), response_rate=0.85)
    assert verdict == P("Målet (minst 70 %) är uppnått: även den lägsta rimliga nivån, 72 %, når målet.")


def test_goal_not_achieved_names_the_highest_plausible_level_where_nearly_everyone_answered():
    verdict = status_verdict(GoalStatus.NOT_ACHIEVED, 0.7, Interval(0.48, 0.64), response_rate=0.9)
    assert verdict == P(
        "Målet (minst 70 %) är inte uppnått: även den högsta rimliga nivån, 64 %, ligger under målet."
    )


def test_goal_uncertain_gives_the_range_where_nearly_everyone_answered():
    verdict = status_verdict(GoalStatus.UNCERTAIN, 0.7, Interval(0.63, 0.77), response_rate=0.8)
    assert verdict == P(
        "Det går inte att säga om målet (minst 70 %) är uppnått: andelen ligger troligen mellan 63 % och 77 %."
    )


@pytest.mark.parametrize("rate", [0.79, 0.44, None])
def test_with_more_non_response_the_status_says_it_holds_if_those_who_did_not_answer_are_alike(rate):
    achieved = status_verdict(GoalStatus.ACHIEVED, 0.7, Interval(0.72, 0.86), response_rate=rate)
    assert achieved == P(
        "Målet (minst 70 %) är uppnått om de som inte svarade liknar dem som svarade: hela "
        "osäkerhetsintervallet, 72–86 %, ligger på eller över målet."
    )
    assert "rimliga" not in achieved
    missed = status_verdict(GoalStatus.NOT_ACHIEVED, 0.7, Interval(0.48, 0.64), response_rate=rate)
    assert missed == P(
        "Målet (minst 70 %) är inte uppnått om de som inte svarade liknar dem som svarade: hela "
        "osäkerhetsintervallet, 48–64 %, ligger under målet."
    )
    open_question = status_verdict(GoalStatus.UNCERTAIN, 0.7, Interval(0.63, 0.77), response_rate=rate)
    assert open_question == P(
        "Det går inte att säga om målet (minst 70 %) är uppnått: osäkerhetsintervallet, 63–77 %, omfattar målet."
    )


def test_goal_status_without_answers():
    assert status_verdict(None, 0.7, None) == P(
        "Det går inte att bedöma om målet (minst 70 %) är uppnått: det finns inga svar att räkna på."
    )


def test_goal_status_reads_the_response_rate_of_a_share_estimate_and_a_status_string():
    estimate = estimate_share([Stratum("Region", 100, 100, 85, 110)])
    verdict = status_verdict("achieved", 0.7, estimate)
    low = format_percent(estimate.interval.low)
    assert verdict == P(f"Målet (minst 70 %) är uppnått: även den lägsta rimliga nivån, {low}, når målet.")


def test_a_bound_just_below_the_target_never_reads_as_the_target():
    verdict = status_verdict(GoalStatus.NOT_ACHIEVED, 0.7, Interval(0.55, 0.6996), response_rate=0.9)
    assert verdict == P(
        "Målet (minst 70 %) är inte uppnått: även den högsta rimliga nivån, 69,96 %, ligger under målet."
    )
    verdict = status_verdict(GoalStatus.NOT_ACHIEVED, 0.7, Interval(0.55, 0.6996))
    assert P("55,00–69,96 %") in verdict


def test_a_target_with_decimals_keeps_them():
    verdict = status_verdict(GoalStatus.UNCERTAIN, 0.725, Interval(0.6, 0.8), response_rate=0.95)
    assert verdict == P(
        "Det går inte att säga om målet (minst 72,5 %) är uppnått: andelen ligger troligen mellan 60 % och 80 %."
    )


# --- hidden groups and response rate --------------------------------------------------------------


@pytest.mark.parametrize("reason", [*SuppressionReason, "below_minimum", None])
def test_every_hidden_number_is_just_dold(reason):
    assert hidden_verdict(reason, 5) == "dold"


def test_response_under_60_percent_gives_the_worst_case_bounds():
    assert response_rate_warning(0.44, bounds=Interval(0.33, 0.89)) == P(
        "Bara 44 % av gruppen svarade. Om de som inte svarade skiljer sig från dem som svarade kan andelen i "
        "hela gruppen ligga var som helst mellan 33 % och 89 %."
    )


def test_response_under_60_percent_without_bounds_still_warns():
    assert response_rate_warning(0.18) == P("Bara 18 % av gruppen svarade, så resultatet kan vara skevt.")


def test_a_rate_just_below_the_limit_does_not_read_as_the_limit():
    assert response_rate_warning(0.5996) == P(
        "Bara 59,96 % av gruppen svarade, så resultatet kan vara skevt."
    )


@pytest.mark.parametrize(("rate", "low"), [(0.6, 0.6), (0.85, 0.6), (None, 0.6), (0.4, 0.3), (math.nan, 0.6)])
def test_no_warning_when_the_rate_is_fine_or_unknown(rate, low):
    assert response_rate_warning(rate, low=low) is None


def test_the_limit_is_the_callers_choice():
    assert response_rate_warning(0.4, low=0.5) == P(
        "Bara 40 % av gruppen svarade, så resultatet kan vara skevt."
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


# --- one goal in one wave, from the results engine ------------------------------------------------


def measure(name, reached, base, population=None, *, respondents=None, trend_break=False, preliminary=False):
    stratum = Stratum("Region", base if respondents is None else respondents, base, reached, population)
    return Measure(name, (stratum,), trend_break, preliminary=preliminary)


def unmeasured(name):
    return Measure(name, None)


def goal(*measures, target=0.7):
    (result,) = goal_results([GoalSpec("chefer-kannedom", target, tuple(measures))])
    return result


LOW_RESPONSE_400 = "Bara 25 % av gruppen svarade. Om de som inte svarade skiljer sig från dem som svarade kan andelen i hela gruppen ligga var som helst mellan {low} % och {high} %."


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
        P(
            "Målet (minst 70 %) är inte uppnått om de som inte svarade liknar dem som svarade: hela "
            "osäkerhetsintervallet, 34–51 %, ligger under målet."
        ),
        "Det här är den första mätomgången, så det finns inget att jämföra med.",
        P(LOW_RESPONSE_400.format(low=11, high=86)),
    ]


def test_summary_of_a_significant_increase(four_waves):
    assert wave_summary(four_waves, 1) == [
        P(
            "Målet (minst 70 %) är inte uppnått om de som inte svarade liknar dem som svarade: hela "
            "osäkerhetsintervallet, 53–69 %, ligger under målet."
        ),
        P("Ökningen från 42 % till 61 % är statistiskt säkerställd."),
        P(LOW_RESPONSE_400.format(low=15, high=90)),
    ]


def test_summary_of_a_hidden_wave(four_waves):
    assert wave_summary(four_waves, 2) == [hidden_explanation(5)]
    assert "färre än 3 svar" in wave_summary(four_waves, 2, k=3)[0]


def test_summary_of_the_latest_wave_skips_the_hidden_one_and_adds_the_trend(four_waves):
    assert wave_summary(four_waves, -1) == [
        P(
            "Det går inte att säga om målet (minst 70 %) är uppnått: osäkerhetsintervallet, 67–82 %, omfattar målet."
        ),
        P("Ökningen från 61 % till 75 % är statistiskt säkerställd."),
        "Jämförelsen görs med mätomgången Hösten 2025.",
        P(LOW_RESPONSE_400.format(low=19, high=94)),
        P("Andelen har ökat över 3 mätomgångar, från 42 % till 75 %. Trenden är statistiskt säkerställd."),
    ]


def test_summary_names_waves_by_their_titles_when_given(four_waves):
    sentences = wave_summary(four_waves, -1, wave_titles={"Hösten 2025": "Mätomgång 2 – hösten 2025"})
    assert "Jämförelsen görs med mätomgången Mätomgång 2 – hösten 2025." in sentences


def test_summary_of_no_detectable_change_without_a_known_group_size():
    result = goal(measure("Våren", 42, 100), measure("Hösten", 45, 100))
    assert wave_summary(result, 1) == [
        P(
            "Målet (minst 70 %) är inte uppnått om de som inte svarade liknar dem som svarade: hela "
            "osäkerhetsintervallet, 36–55 %, ligger under målet."
        ),
        P("Skillnaden mellan 42 % och 45 % kan bero på slumpen."),
    ]


def test_summary_of_an_achieved_goal_where_nearly_everyone_answered():
    result = goal(measure("Våren", 170, 200, 250), target=0.7)
    low = format_percent(result.waves[0].estimate.interval.low)
    assert result.waves[0].status is GoalStatus.ACHIEVED
    assert wave_summary(result, 0) == [
        P(f"Målet (minst 70 %) är uppnått: även den lägsta rimliga nivån, {low}, når målet."),
        "Det här är den första mätomgången, så det finns inget att jämföra med.",
    ]


def test_summary_between_60_and_80_percent_answering_has_neither_plausible_levels_nor_a_warning():
    result = goal(measure("Våren", 130, 170, 250), target=0.7)  # 68 % answered
    sentences = wave_summary(result, 0)
    assert not any("rimliga" in s for s in sentences)
    assert not any(s.startswith("Bara") for s in sentences)


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


# --- the cases of issue 17 -------------------------------------------------------------------------


def test_a_real_change_in_a_group_of_61_with_30_answering_is_found():
    # 15 → 21 of 30 in a group of 61: without the finite-population correction p = 0.114, "may be chance".
    result = goal(measure("Våren", 15, 30, 61), measure("Hösten", 21, 30, 61), target=0.9)
    assert wave_summary(result, 1)[1] == P("Ökningen från 50 % till 70 % är statistiskt säkerställd.")
    assert judge(result, 1).change is Direction.UP


def test_a_preliminary_wave_gets_no_status_no_verdict_on_the_change_and_no_trend():
    result = goal(
        measure("Våren", 12, 38, 60),
        measure("Sommaren", 17, 40, 60),
        measure("Hösten", 21, 41, 60),
        measure("Nu", 29, 45, 110, preliminary=True),
        target=0.5,
    )
    judgement = judge(result, 3)
    assert judgement.preliminary and judgement.status is None and judgement.trend is None
    assert judgement.change is Direction.NOT_JUDGED
    assert judgement.sentences[:3] == (
        "Preliminärt: mätomgången pågår och alla svar har inte kommit in. Målet och förändringen bedöms när "
        "mätomgången har stängt.",
        P("Hittills är andelen 64 % (osäkerhetsintervall 54–75 %)."),
        P("I Hösten var andelen 51 %. Förändringen bedöms när mätomgången har stängt."),
    )
    text = " ".join(judgement.sentences)
    for claim in ("uppnått", "säkerställd", "trend", "slumpen"):
        assert claim not in text
    # The trend over the final waves stays with the last final wave.
    assert "Trenden är statistiskt säkerställd" in " ".join(wave_summary(result, 2))


def test_an_unweighted_estimate_from_merged_organisations_says_so():
    strata = (
        Stratum("Region", 4, 4, 2, 14),
        Stratum("Kommun A", 3, 3, 2, 10),
        Stratum("Kommun B", 4, 4, 3, 12),
    )
    result = goal(Measure("Våren", strata))
    assert (
        "Andelen är ovägd: varje organisation har för få svar för att redovisas för sig, så de räknas ihop, och "
        "organisationer där många svarade väger tyngre än deras storlek."
    ) in wave_summary(result, 0)


def test_partly_merged_organisations_are_said_to_be_counted_together_unweighted():
    strata = (
        Stratum("Region", 24, 24, 15, 50),
        Stratum("Kommun A", 9, 9, 4, 20),
        Stratum("Kommun B", 3, 3, 2, 10),
        Stratum("Kommun C", 7, 7, 3, 30),
    )
    assert (
        "Organisationer med för få svar räknas ihop utan vägning sinsemellan; de övriga vägs efter sin storlek."
    ) in wave_summary(goal(Measure("Våren", strata)), 0)


def test_a_comparison_across_a_changed_population_says_so_with_the_numbers():
    first = (Stratum("Region", 24, 24, 15, 30), Stratum("Kommun A", 9, 9, 4, 31))
    second = (Stratum("Region", 25, 25, 17, 30), Stratum("Kommun A", 0, 0, 0, 31))
    result = goal(Measure("Våren", first), Measure("Hösten", second))
    sentences = wave_summary(result, 1, organisations={"Kommun A": "Kommun A-stad"})
    assert "Kommun A-stad har inga svar och ingår inte i andelen." in sentences
    assert (
        "Andelen gäller inte samma grupp som i förra mätomgången (61 personer då, 30 nu), så jämförelsen "
        "blandar förändring med att gruppen är en annan."
    ) in sentences


def test_a_trend_across_a_changed_population_says_so():
    waves = [
        (Stratum("Region", 24, 24, 10, 30), Stratum("Kommun A", 9, 9, 4, 31)),
        (Stratum("Region", 25, 25, 15, 30), Stratum("Kommun A", 10, 10, 5, 31)),
        (Stratum("Region", 25, 25, 20, 30), Stratum("Kommun A", 0, 0, 0, 31)),
    ]
    result = goal(*(Measure(f"v{i}", w) for i, w in enumerate(waves)))
    assert wave_summary(result, 2)[-1] == (
        "Mätomgångarna i trenden gäller inte exakt samma grupp: organisationer eller gruppstorlekar har ändrats."
    )


def test_the_judgement_carries_the_response_rate_and_the_worst_case_bounds_next_to_the_status():
    judgement = judge(goal(measure("Våren", 42, 100, 400)), 0)
    assert judgement.status is GoalStatus.NOT_ACHIEVED
    assert judgement.response_rate == pytest.approx(0.25)
    assert (judgement.bounds.low, judgement.bounds.high) == pytest.approx((42 / 400, (42 + 300) / 400))


# --- one source for the words: the trend chart says what the verdict says --------------------------


def test_the_trend_chart_of_a_goal_carries_the_verdict_of_its_latest_wave(four_waves):
    titles = {w.wave: w.wave for w in four_waves.waves}
    chart = goal_trend_recipe("Chefer: kännedom", four_waves, titles)()
    for sentence in wave_summary(four_waves, -1):
        assert sentence in chart.description


def test_a_chance_difference_is_never_called_a_rise_in_the_chart():
    # The audit's case: 28 % → 46 % where the verdict says the change may be chance.
    result = goal(measure("Våren", 7, 25), measure("Hösten", 11, 24))
    assert judge(result, 1).change is Direction.CHANCE
    chart = goal_trend_recipe("Chefer", result, {"Våren": "Våren", "Hösten": "Hösten"})()
    verdict = wave_summary(result, 1)
    neutral = chart.description
    for sentence in verdict:
        neutral = neutral.replace(sentence, "")
    assert "ökade" not in neutral and "minskade" not in neutral
    assert P("Skillnaden mellan 28 % och 46 % kan bero på slumpen.") in chart.description


def test_the_trend_chart_marks_the_preliminary_wave():
    result = goal(measure("Våren", 7, 25), measure("Hösten", 11, 24, preliminary=True))
    points = trend_points(result, {"Våren": "Våren", "Hösten": "Hösten"})
    assert [p.preliminary for p in points] == [False, True]
    chart = goal_trend_recipe("Chefer", result, {"Våren": "Våren", "Hösten": "Hösten"})()
    assert "Hösten är preliminär" in chart.description
