"""Planning the next wave (surveys/results/planning.py): the smallest change it can detect and the answers
needed to judge each goal, from the released results (docs/methods.md §2.9, TC11 and TC16)."""

from __future__ import annotations

import pytest
from jinja2 import Environment

from analysis.stats.effects import Stratum
from analysis.stats.goal_results import GoalSpec, Measure, goal_results
from server.templating import make_environment
from surveys.results.plan_results import GoalView, GroupInfo, PlanResults
from surveys.results.planning import planning_of


def results_with(*measures, population=61, target=0.9) -> PlanResults:
    (result,) = goal_results([GoalSpec("1", target, tuple(measures))])
    goal = GoalView(1, "ledning", "L1", target, None, "Känna till planen.", result)
    return PlanResults(
        plan_code="plan",
        plan_title="Planen",
        k=5,
        confidence=0.95,
        waves=(),
        groups=(GroupInfo("ledning", "Högsta ledningen", population),),
        organisations={},
        channels={},
        activities={},
        goals=(goal,),
        ladder=(),
        recall=(),
        reach=(),
        respondents={},
    )


def wave(name, reached, base, population=61, *, preliminary=False):
    return Measure(name, (Stratum("Region", base, base, reached, population),), preliminary=preliminary)


def test_the_detectable_change_of_30_answers_in_a_group_of_61_is_tc16():
    (found,) = planning_of(results_with(wave("v1", 15, 30), target=0.7)).goals
    assert found.basis_wave == "v1"
    assert found.detectable_change == pytest.approx(0.259976, abs=1e-6)
    assert found.respondents == 30
    assert found.response_rate == pytest.approx(30 / 61)


def test_answers_needed_for_a_margin_of_ten_points_are_tc11():
    (found,) = planning_of(results_with(wave("v1", 15, 30, population=60), population=60)).goals
    assert found.needed_for_margin == 38  # TC11: N = 60, E = 0.10 at p = 0.5


def test_answers_needed_to_judge_the_goal_follow_the_distance_to_the_target():
    # 50 % against a target of 70 %: ±20 points at p = 0.5 in a group of 61.
    # n₀ = 1.959964² · 0.25 / 0.04 = 24.009; n = 24.009 / (1 + 23.009/61) = 17.43 → 18.
    (found,) = planning_of(results_with(wave("v1", 15, 30), target=0.7)).goals
    assert found.judgeable
    assert found.needed_to_judge == 18
    assert found.needed_rate == pytest.approx(18 / 61)


def test_a_share_at_the_target_cannot_be_judged():
    (found,) = planning_of(results_with(wave("v1", 21, 30), target=0.7)).goals
    assert not found.judgeable and found.needed_to_judge is None


def test_planning_starts_from_the_latest_final_wave_not_a_preliminary_one():
    found = planning_of(results_with(wave("v1", 15, 30), wave("v2", 25, 28, preliminary=True))).goals[0]
    assert found.basis_wave == "v1"


def test_without_any_wave_the_planning_assumes_the_most_demanding_share():
    (found,) = planning_of(results_with(Measure("v1", None))).goals
    assert found.basis_wave is None and found.share == 0.5
    assert found.detectable_change is None and not found.judgeable
    assert found.needed_for_margin == 38


def test_the_wave_setup_include_shows_one_row_per_goal():
    env: Environment = make_environment()
    planning = planning_of(results_with(wave("v1", 15, 30), target=0.7))
    html = env.get_template("workspace/_wave_planning.html").render(planning=planning)
    assert "Hur många svar behövs?" in html
    assert "Högsta ledningen" in html
    assert "26 procentenheter" in html  # 0.26 detectable change
    assert html.count("<tr>") == 2  # heading and one goal


def test_the_include_is_empty_without_planning():
    env = make_environment()
    assert env.get_template("workspace/_wave_planning.html").render(planning=None).strip() == ""
