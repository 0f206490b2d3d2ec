"""Results for a plan's effect goals across waves (analysis/stats/goal_results.py): estimates, changes, trends, Holm,
organisation breakdowns, and disclosure control applied last.

Expected numbers are built from analysis.stats.estimates (the tests here are about wiring and about what is hidden) or
taken from docs/methods.md (TC1, TC4, TC5, TC10).
"""

import pytest

from analysis.stats.disclosure import SuppressionReason
from analysis.stats.effects import Method, Note, Stratum
from analysis.stats.estimates import (
    GoalStatus,
    adjust_p_values,
    beta_binomial_interval,
    cochran_armitage,
    goal_status,
    two_proportion_test,
    wilson_interval,
)
from analysis.stats.goal_results import GoalSpec, Measure, goal_results, protected

# Every hidden number carries one symbol (issue #13): a reason per cell told a reader how small it was.
BELOW = COMPLEMENTARY = HOMOGENEOUS = SuppressionReason.HIDDEN


def approx(*values):
    return pytest.approx(values, abs=1e-6)


def pair(interval):
    return (interval.low, interval.high)


def wave(name, reached, base, *, trend_break=False):
    """One wave of one organisation, without a known size."""
    return Measure(name, (Stratum("Region", base, base, reached),), trend_break)


def unmeasured(name, *, trend_break=False):
    return Measure(name, None, trend_break)


def goal(key, *measures, target=0.5):
    return GoalSpec(key, target, tuple(measures))


def only(spec, **kwargs):
    (result,) = goal_results([spec], **kwargs)
    return result


def p_change(x2, n2, x1, n1):
    return two_proportion_test(x2, n2, x1, n1).p_value


# --- one wave, shown ------------------------------------------------------------------------------


def test_a_shown_wave_has_its_estimate_and_goal_status():
    result = only(goal("känner till", wave("v1", 17, 40), target=0.5))
    (first,) = result.waves
    assert first.measured
    assert first.hidden is None
    assert pair(first.estimate.interval) == approx(0.285094, 0.578049)  # TC1
    assert first.status is goal_status(wilson_interval(17, 40), 0.5)
    assert first.status is GoalStatus.UNCERTAIN
    assert first.change is None  # nothing to compare with
    assert first.change_p_adjusted is None
    assert (result.key, result.target) == ("känner till", 0.5)


def test_goals_come_back_in_the_order_of_the_plan():
    specs = [goal(key, wave("v1", 17, 40)) for key in ("L3", "L1", "L2")]
    assert [r.key for r in goal_results(specs)] == ["L3", "L1", "L2"]


def test_a_measured_wave_with_nobody_in_the_base_has_no_goal_status():
    (only_wave,) = only(goal("g", wave("v1", 0, 0))).waves
    assert only_wave.measured
    assert only_wave.hidden is None
    assert only_wave.estimate.base == 0
    assert only_wave.status is None


# --- whole waves hidden ---------------------------------------------------------------------------


def test_a_wave_with_fewer_than_k_answers_is_hidden_with_nothing_of_it_published():
    (hidden,) = only(goal("g", wave("v1", 2, 4)), k=5).waves
    assert hidden.measured
    assert hidden.hidden is BELOW
    assert hidden.estimate is None
    assert hidden.status is None
    assert hidden.change is None
    assert hidden.change_p_adjusted is None
    assert hidden.organisations == ()
    assert hidden.other is None


def test_the_minimum_group_size_is_the_plans_choice_of_k():
    assert only(goal("g", wave("v1", 2, 4)), k=3).waves[0].hidden is None
    assert only(goal("g", wave("v1", 2, 4)), k=5).waves[0].hidden is BELOW
    assert only(goal("g", wave("v1", 3, 6)), k=7).waves[0].hidden is BELOW


@pytest.mark.parametrize(("reached", "base"), [(8, 8), (0, 8), (9, 9)])
def test_a_small_wave_where_everyone_answered_alike_is_hidden_as_homogeneous(reached, base):
    (hidden,) = only(goal("g", wave("v1", reached, base))).waves
    assert hidden.hidden is HOMOGENEOUS
    assert hidden.estimate is None
    assert hidden.status is None
    assert hidden.organisations == ()


def test_a_unanimous_wave_of_ten_or_more_is_shown():
    (shown,) = only(goal("g", wave("v1", 10, 10))).waves
    assert shown.hidden is None
    assert shown.estimate.share == 1.0


def test_a_change_skips_a_hidden_wave_and_names_the_wave_it_is_measured_from():
    result = only(goal("g", wave("v1", 17, 40), wave("v2", 2, 3), wave("v3", 29, 45)))
    first, hidden, after = result.waves
    assert first.hidden is None and hidden.hidden is BELOW and after.hidden is None
    # Nothing into or out of the hidden wave: v3 is compared with v1, the last wave that was shown.
    assert hidden.change is None
    assert after.change_since == "v1"
    assert after.change.difference == pytest.approx(29 / 45 - 17 / 40)


def test_no_change_is_reported_out_of_a_homogeneous_wave():
    result = only(goal("g", wave("v1", 8, 8), wave("v2", 17, 40)))
    assert result.waves[0].hidden is HOMOGENEOUS
    assert result.waves[1].change is None


def test_the_trend_leaves_hidden_waves_out():
    # The hidden wave comes first, so leaving it out does not change the spacing of the others.
    result = only(
        goal(
            "g",
            wave("v1", 3, 4),
            wave("v2", 12, 38),
            wave("v3", 17, 40),
            wave("v4", 21, 41),
            wave("v5", 29, 45),
        )
    )
    expected = cochran_armitage([12, 17, 21, 29], [38, 40, 41, 45])
    assert result.trend.statistic == pytest.approx(expected.statistic)
    assert result.trend.p_value == pytest.approx(expected.p_value)


# --- changes and trends along the waves -----------------------------------------------------------


def test_the_change_from_the_previous_wave_matches_tc4():
    result = only(goal("g", wave("v1", 17, 40), wave("v2", 29, 45)))
    change = result.waves[1].change
    assert change.difference == pytest.approx(29 / 45 - 17 / 40)
    assert change.test.p_value == pytest.approx(0.042708, abs=1e-6)
    # Alone in its wave, the change's p is its own family: Holm leaves it as it is.
    assert result.waves[1].change_p_adjusted == pytest.approx(0.042708, abs=1e-6)


def test_the_trend_over_four_waves_matches_tc5():
    result = only(goal("g", wave("v1", 12, 38), wave("v2", 17, 40), wave("v3", 21, 41), wave("v4", 29, 45)))
    assert result.trend.statistic == pytest.approx(3.093769, abs=1e-6)
    assert result.trend.p_value == pytest.approx(0.001976, abs=1e-6)
    assert result.trend_p_adjusted == pytest.approx(0.001976, abs=1e-6)


def test_a_trend_break_starts_the_comparison_afresh():
    result = only(
        goal(
            "g",
            wave("v1", 12, 38),
            wave("v2", 17, 40),
            wave("v3", 21, 41, trend_break=True),
            wave("v4", 29, 45),
            wave("v5", 30, 44),
        )
    )
    v1, v2, v3, v4, v5 = result.waves
    assert v1.change is None
    assert v2.change is not None
    assert v3.trend_break
    assert v3.change is None  # the question changed: v2 and v3 are not comparable
    assert v3.estimate is not None and v3.status is not None
    assert v4.change.difference == pytest.approx(29 / 45 - 21 / 41)
    assert v4.change.test.p_value == pytest.approx(p_change(29, 45, 21, 41))
    assert v5.change.difference == pytest.approx(30 / 44 - 29 / 45)
    expected = cochran_armitage([21, 29, 30], [41, 45, 44])
    assert result.trend.statistic == pytest.approx(expected.statistic)
    assert result.trend.p_value == pytest.approx(expected.p_value)


def test_two_waves_since_a_trend_break_are_not_enough_for_a_trend():
    result = only(
        goal(
            "g",
            wave("v1", 12, 38),
            wave("v2", 17, 40),
            wave("v3", 21, 41, trend_break=True),
            wave("v4", 29, 45),
        )
    )
    assert result.trend is None
    assert result.trend_p_adjusted is None


def test_a_wave_that_did_not_ask_the_question_is_unmeasured_and_does_not_break_the_chain():
    result = only(goal("g", wave("v1", 17, 40), unmeasured("v2"), wave("v3", 29, 45), wave("v4", 30, 44)))
    v1, v2, v3, v4 = result.waves
    assert v1.measured and v1.change is None
    assert not v2.measured
    assert (v2.estimate, v2.hidden, v2.status, v2.change, v2.organisations) == (None, None, None, None, ())
    assert v3.change.difference == pytest.approx(29 / 45 - 17 / 40)
    assert v3.change.test.p_value == pytest.approx(p_change(29, 45, 17, 40))
    assert v4.change.difference == pytest.approx(30 / 44 - 29 / 45)
    assert result.trend is not None  # three measured waves


def test_the_latest_wave_is_the_last_one_that_was_measured():
    result = only(goal("g", wave("v1", 17, 40), wave("v2", 2, 4), unmeasured("v3")))
    assert result.latest.wave == "v2"
    assert result.latest.hidden is BELOW  # measured, but hidden: the page says why


def test_a_goal_never_measured_has_no_latest_wave():
    assert only(goal("g", unmeasured("v1"), unmeasured("v2"))).latest is None
    assert only(goal("g")).latest is None


# --- Holm across the screen -----------------------------------------------------------------------


def test_changes_into_the_same_wave_are_holm_adjusted_together_in_plan_order():
    # "Handling" changes little, "Känner till" a lot; the plan lists "Handling" first.
    specs = [
        goal("Handling", wave("v1", 20, 40), wave("v2", 22, 40)),
        goal("Känner till", wave("v1", 17, 40), wave("v2", 29, 45)),
    ]
    handling, knows = goal_results(specs)
    raw = [p_change(22, 40, 20, 40), p_change(29, 45, 17, 40)]
    expected = adjust_p_values(raw, "holm")
    assert handling.waves[1].change_p_adjusted == pytest.approx(expected[0])
    assert knows.waves[1].change_p_adjusted == pytest.approx(expected[1])
    assert knows.waves[1].change_p_adjusted == pytest.approx(2 * 0.042708, abs=1e-5)
    assert knows.waves[1].change.test.p_value == pytest.approx(0.042708, abs=1e-6)  # raw p kept as it is


def test_each_wave_is_its_own_family_for_the_holm_adjustment():
    specs = [
        goal("A", wave("v1", 17, 40), wave("v2", 29, 45), wave("v3", 20, 45)),
        goal("B", wave("v1", 20, 40), wave("v2", 22, 40), unmeasured("v3")),
    ]
    a, b = goal_results(specs)
    in_v2 = adjust_p_values([p_change(29, 45, 17, 40), p_change(22, 40, 20, 40)], "holm")
    assert [a.waves[1].change_p_adjusted, b.waves[1].change_p_adjusted] == pytest.approx(in_v2)
    # Only A changes into v3: a family of one.
    assert a.waves[2].change_p_adjusted == pytest.approx(p_change(20, 45, 29, 45))
    assert b.waves[2].change_p_adjusted is None


def test_a_hidden_change_takes_no_place_in_the_holm_family():
    specs = [
        goal("A", wave("v1", 17, 40), wave("v2", 29, 45)),
        goal("B", wave("v1", 20, 40), wave("v2", 1, 3)),
    ]
    a, b = goal_results(specs)
    assert b.waves[1].change is None
    assert a.waves[1].change_p_adjusted == pytest.approx(p_change(29, 45, 17, 40))


def test_trends_are_holm_adjusted_across_the_goals_that_have_one():
    specs = [
        goal("A", wave("v1", 12, 38), wave("v2", 17, 40), wave("v3", 21, 41)),
        goal("B", wave("v1", 20, 40), wave("v2", 22, 40), wave("v3", 25, 42)),
        goal("C", wave("v1", 20, 40), wave("v2", 22, 40)),
    ]
    a, b, c = goal_results(specs)
    raw = [
        cochran_armitage([12, 17, 21], [38, 40, 41]).p_value,
        cochran_armitage([20, 22, 25], [40, 40, 42]).p_value,
    ]
    assert a.trend.p_value == pytest.approx(raw[0])
    assert [a.trend_p_adjusted, b.trend_p_adjusted] == pytest.approx(adjust_p_values(raw, "holm"))
    assert c.trend is None
    assert c.trend_p_adjusted is None


# --- breakdown per organisation -------------------------------------------------------------------

TC10 = (
    Stratum("Region", 24, 24, 15),
    Stratum("Kommun A", 9, 9, 4),
    Stratum("Kommun B", 3, 3, 2),
    Stratum("Kommun C", 7, 7, 3),
)


def organisations(result_wave):
    return {o.label: o for o in result_wave.organisations}


def test_tc10_hides_the_small_municipality_and_a_complement_so_it_cannot_be_subtracted():
    (shown,) = only(goal("g", Measure("v1", TC10)), k=5).waves
    assert shown.estimate.share == pytest.approx(0.558140, abs=1e-6)
    orgs = organisations(shown)
    assert list(orgs) == ["Region", "Kommun A", "Kommun B", "Kommun C"]
    assert orgs["Kommun B"].hidden is BELOW
    assert orgs["Kommun B"].estimate is None
    assert orgs["Kommun C"].hidden is COMPLEMENTARY
    assert orgs["Kommun C"].estimate is None
    assert orgs["Region"].estimate.share == pytest.approx(0.625000, abs=1e-6)
    assert orgs["Kommun A"].estimate.share == pytest.approx(0.444444, abs=1e-6)
    # What subtraction from the published total gives is the two hidden together, never one of them.
    published = sum(o.estimate.base for o in orgs.values() if o.estimate is not None)
    assert shown.estimate.base - published == 3 + 7


def test_tc10_publishes_the_hidden_municipalities_together_as_other():
    (shown,) = only(goal("g", Measure("v1", TC10)), k=5).waves
    assert shown.other.share == pytest.approx(0.500000, abs=1e-6)
    assert shown.other.base == 10
    assert pair(shown.other.interval) == approx(*pair(wilson_interval(5, 10)))


def test_shown_organisations_get_the_plain_interval_for_their_own_answers():
    (shown,) = only(goal("g", Measure("v1", TC10)), k=5).waves
    region = organisations(shown)["Region"].estimate
    assert region.method is Method.WILSON
    assert (region.base, region.reached) == (24, 15)
    assert pair(region.interval) == approx(*pair(wilson_interval(15, 24)))


def test_organisations_of_known_size_are_not_weighted_but_use_their_own_size():
    strata = (
        Stratum("Region", 16, 14, 11, 30),
        Stratum("Kommun A", 5, 5, 2, 20),
        Stratum("Kommun B", 6, 6, 3, 40),
    )
    (shown,) = only(goal("g", Measure("v1", strata)), k=5).waves
    assert shown.estimate.method is Method.POST_STRATIFIED
    orgs = organisations(shown)
    assert all(o.hidden is None for o in orgs.values())
    for s in strata:
        estimate = orgs[s.label].estimate
        assert estimate.share == pytest.approx(s.reached / s.base)
        assert estimate.method is Method.BETA_BINOMIAL
        assert pair(estimate.interval) == approx(
            *pair(beta_binomial_interval([s.reached], [s.base], [s.population]))
        )
        assert estimate.response_rate == pytest.approx(s.respondents / s.population)
    assert shown.other is None


def test_with_no_organisation_hidden_there_is_no_other_group():
    strata = (Stratum("Region", 24, 24, 15), Stratum("Kommun A", 9, 9, 4))
    (shown,) = only(goal("g", Measure("v1", strata)), k=5).waves
    assert all(o.hidden is None for o in shown.organisations)
    assert shown.other is None


def test_small_organisations_that_together_answered_alike_are_not_published_as_a_group():
    # Kommun B and C (3 + 4, everyone reached) would be "7 of 7" together: that reveals each answer.
    # So Region is hidden too, and "other" is only the merged group that may be shown.
    strata = (
        Stratum("Region", 20, 20, 10),
        Stratum("Kommun B", 3, 3, 3),
        Stratum("Kommun C", 4, 4, 4),
    )
    (shown,) = only(goal("g", Measure("v1", strata)), k=5).waves
    assert shown.hidden is None
    orgs = organisations(shown)
    assert orgs["Kommun B"].hidden is BELOW
    assert orgs["Kommun C"].hidden is BELOW
    assert orgs["Region"].hidden is COMPLEMENTARY
    assert all(o.estimate is None for o in orgs.values())
    assert shown.other.base == 27
    assert shown.other.reached == 17


def test_a_hidden_wave_has_no_breakdown_even_for_organisations_large_enough():
    strata = (Stratum("Region", 9, 9, 9), Stratum("Kommun A", 0, 0, 0))
    (hidden,) = only(goal("g", Measure("v1", strata)), k=5).waves
    assert hidden.hidden is HOMOGENEOUS
    assert hidden.organisations == ()
    assert hidden.other is None


# --- protected() and k ----------------------------------------------------------------------------


def test_protected_gives_the_estimate_or_the_reason_it_may_not_be_shown():
    estimate, reason = protected([Stratum("Region", 40, 40, 17)], 5)
    assert reason is None
    assert pair(estimate.interval) == approx(0.285094, 0.578049)
    assert protected([Stratum("Region", 4, 4, 2)], 5) == (None, BELOW)
    assert protected([Stratum("Region", 6, 6, 6)], 5) == (None, HOMOGENEOUS)


@pytest.mark.parametrize("k", [2, 11, 0])
def test_a_minimum_group_size_outside_3_to_10_is_refused(k):
    with pytest.raises(ValueError, match="3 to 10"):
        goal_results([goal("g", wave("v1", 17, 40))], k=k)
    with pytest.raises(ValueError, match="3 to 10"):
        protected([Stratum("Region", 40, 40, 17)], k)


def test_a_plan_without_goals_gives_no_results_but_still_checks_k():
    assert goal_results([]) == ()
    with pytest.raises(ValueError):
        goal_results([], k=2)


# --- known disclosure gaps (these fail today; see the report) ------------------------------------


TC10_SIZED = (
    Stratum("Region", 24, 24, 15, 50),
    Stratum("Kommun A", 9, 9, 4, 20),
    Stratum("Kommun B", 3, 3, 2, 10),
    Stratum("Kommun C", 7, 7, 3, 30),
)


def _published(strata) -> tuple:
    """Everything a reader sees of one wave: the group's figures, the shown organisations, the 'other' group."""
    (shown,) = only(goal("g", Measure("v1", tuple(strata))), k=5).waves

    def figures(e):
        return None if e is None else (round(e.share, 12), e.base, e.respondents, round(e.effective_n, 9))

    return (
        figures(shown.estimate),
        tuple((o.label, figures(o.estimate), o.hidden) for o in shown.organisations),
        figures(shown.other),
    )


def _splits_publishing_the_same(strata, hidden_labels) -> list[tuple[int, int]]:
    """Every split of the hidden organisations' answers that a reader could not tell from the real one."""
    actual = _published(strata)
    hidden = [s for s in strata if s.label in hidden_labels]
    others = [s for s in strata if s.label not in hidden_labels]
    total_n = sum(s.base for s in hidden)
    total_x = sum(s.reached for s in hidden)
    first, second = hidden
    found = []
    for n_first in range(1, total_n):
        for x_first in range(n_first + 1):
            x_second = total_x - x_first
            n_second = total_n - n_first
            if not 0 <= x_second <= n_second:
                continue
            candidate = [
                *others,
                Stratum(first.label, n_first, n_first, x_first, first.population),
                Stratum(second.label, n_second, n_second, x_second, second.population),
            ]
            order = {s.label: i for i, s in enumerate(strata)}
            if _published(sorted(candidate, key=lambda s: order[s.label])) == actual:
                found.append((n_first, x_first))
    return found


def test_a_hidden_organisation_cannot_be_worked_out_from_the_weighted_figures():
    (shown,) = only(goal("g", Measure("v1", TC10_SIZED)), k=5).waves
    assert organisations(shown)["Kommun B"].hidden is BELOW
    hidden = {label for label, o in organisations(shown).items() if o.hidden}
    assert hidden == {"Kommun B", "Kommun C"}
    found = _splits_publishing_the_same(TC10_SIZED, hidden)
    # Kommun B's real 3 answers (2 reached) must be one of several splits that look the same from outside.
    assert (3, 2) in found
    assert len(found) > 1, f"only {found} fits what is published: Kommun B is disclosed"


def test_an_organisation_whose_few_respondents_all_said_dont_know_does_not_publish_their_number():
    # Kommun B: 3 answered, all "Vet ej" (outside the base). Showing "3 svar, 0 i basen" tells everyone
    # what each of the three answered, and shows a count below k.
    strata = (Stratum("Region", 24, 24, 15), Stratum("Kommun A", 9, 9, 4), Stratum("Kommun B", 3, 0, 0))
    (shown,) = only(goal("g", Measure("v1", strata)), k=5).waves
    kommun_b = organisations(shown)["Kommun B"]
    assert kommun_b.estimate is None or kommun_b.estimate.respondents == 0


# --- what the number is: preliminary, merged, another population -----------------------------------


def sized(name, *parts, preliminary=False, hidden=None):
    """A wave of several organisations of known size: parts are (label, respondents, reached, size)."""
    strata = tuple(Stratum(label, n, n, x, size) for label, n, x, size in parts)
    return Measure(name, strata, hidden=hidden, preliminary=preliminary)


def test_a_preliminary_wave_has_its_share_but_no_goal_status():
    result = only(
        goal("g", wave("v1", 17, 40), Measure("v2", (Stratum("Region", 45, 45, 40),), preliminary=True))
    )
    first, interim = result.waves
    assert first.status is GoalStatus.UNCERTAIN
    assert interim.preliminary
    assert interim.estimate.share == pytest.approx(40 / 45)
    assert interim.status is None
    assert Note.PRELIMINARY in interim.notes
    assert result.latest is interim
    assert result.latest_final is first


def test_a_preliminary_change_takes_no_place_in_the_holm_family():
    interim = Measure("v2", (Stratum("Region", 45, 45, 29),), preliminary=True)
    results = goal_results(
        [goal("a", wave("v1", 17, 40), interim), goal("b", wave("v1", 17, 40), wave("v2", 29, 45))]
    )
    preliminary, final = (r.waves[1] for r in results)
    assert preliminary.change is not None and preliminary.change_p_adjusted is None
    # Alone in its family: Holm leaves the final goal's p as it is.
    assert final.change_p_adjusted == pytest.approx(final.change.test.p_value)


def test_the_trend_is_over_final_waves_only():
    final = [wave("v1", 12, 38), wave("v2", 17, 40), wave("v3", 21, 41)]
    interim = Measure("v4", (Stratum("Region", 45, 45, 29),), preliminary=True)
    result = only(goal("g", *final, interim))
    expected = cochran_armitage([12, 17, 21], [38, 40, 41])
    assert result.trend.statistic == pytest.approx(expected.statistic)
    assert result.trend_waves == ("v1", "v2", "v3")


def test_hidden_organisations_merged_before_weighting_are_said_to_be():
    parts = [("Region", 24, 15, 50), ("Kommun A", 9, 4, 20), ("Kommun B", 3, 2, 10), ("Kommun C", 7, 3, 30)]
    (shown,) = only(goal("g", sized("v1", *parts)), k=5).waves
    assert shown.estimate.method is Method.POST_STRATIFIED
    assert Note.MERGED in shown.notes and Note.UNWEIGHTED not in shown.notes


def test_a_group_whose_every_organisation_is_hidden_is_said_to_be_unweighted():
    parts = [("Region", 4, 2, 14), ("Kommun A", 3, 2, 10), ("Kommun B", 4, 3, 12)]
    (shown,) = only(goal("g", sized("v1", *parts)), k=5).waves
    assert shown.estimate is not None
    assert shown.estimate.method is Method.BETA_BINOMIAL  # one merged group: no weights
    assert Note.UNWEIGHTED in shown.notes


def test_one_organisation_of_known_size_is_not_called_unweighted():
    (shown,) = only(goal("g", sized("v1", ("Region", 40, 17, 60)))).waves
    assert not {Note.MERGED, Note.UNWEIGHTED} & set(shown.notes)


def test_a_change_between_waves_covering_different_populations_says_so():
    first = sized("v1", ("Region", 24, 15, 30), ("Kommun A", 9, 4, 31))
    second = sized("v2", ("Region", 25, 17, 30), ("Kommun A", 0, 0, 31))  # nobody in Kommun A: 61 → 30
    result = only(goal("g", first, second))
    changed = result.waves[1]
    assert changed.change is not None
    assert Note.POPULATION_CHANGED in changed.notes
    assert (changed.compared_population, changed.estimate.population) == (61, 30)
    assert Note.POPULATION_CHANGED not in result.waves[0].notes


def test_a_trend_across_different_populations_says_so():
    waves = [
        sized("v1", ("Region", 24, 10, 30), ("Kommun A", 9, 4, 31)),
        sized("v2", ("Region", 25, 15, 30), ("Kommun A", 10, 5, 31)),
        sized("v3", ("Region", 25, 20, 30), ("Kommun A", 0, 0, 31)),
    ]
    result = only(goal("g", *waves))
    assert result.trend is not None
    assert result.trend_notes == (Note.POPULATION_CHANGED,)


def test_results_with_notes_and_certain_changes_survive_a_frozen_snapshot():
    import msgspec

    from analysis.stats.goal_results import GoalResult

    census = [
        sized(f"v{i}", ("Region", 12, x, 12), ("Kommun A", 9, y, 9))
        for i, (x, y) in enumerate([(3, 2), (6, 4), (9, 8)])
    ]
    interim = sized(
        "v9", ("Region", 4, 2, 14), ("Kommun A", 3, 2, 10), ("Kommun B", 4, 3, 12), preliminary=True
    )
    result = only(goal("g", *census, interim))
    assert result.waves[1].change.test.p_value == 0.0  # everyone answered: the change is known exactly
    copy = msgspec.json.decode(msgspec.json.encode(result), type=GoalResult)
    assert copy == result
