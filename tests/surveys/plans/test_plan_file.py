"""Plan files: what a communicator writes, and the clear messages when something is off."""

from __future__ import annotations

import copy

import pytest

from surveys.demo import PLAN_FILE
from surveys.plans.plan_file import PlanFileError, load_plan_file, parse_plan
from tests.support import PLAN


def test_the_demo_plan_file_holds_the_plans_content():
    plan = load_plan_file(PLAN_FILE)
    assert plan.county == "Västernorrland"
    assert len(plan.organisations) == 8 and len(plan.target_groups) == 8
    assert {g.step for g in plan.effect_goals} == {"L1", "L4"}
    assert len(plan.reach) >= 5


def test_a_goal_for_an_unknown_target_group_is_refused():
    data = copy.deepcopy(PLAN)
    data["effect_goals"][0]["target_group"] = "okand"
    with pytest.raises(PlanFileError) as error:
        parse_plan(data)
    assert "okänd målgrupp okand" in str(error.value)


def test_a_target_is_percent_above_one_and_a_share_up_to_one():
    data = copy.deepcopy(PLAN)
    for written in (70, 0.7, "70", "0,7", "70 %"):
        data["effect_goals"][0]["target"] = written
        assert parse_plan(data).effect_goals[0].target == 0.7
    data["effect_goals"][0]["target"] = 700
    with pytest.raises(PlanFileError) as error:
        parse_plan(data)
    assert "mellan 1 och 100" in str(error.value)


def test_a_size_for_an_unknown_organisation_is_refused():
    data = copy.deepcopy(PLAN)
    data["target_groups"][0]["sizes"]["okand"] = 5
    with pytest.raises(PlanFileError) as error:
        parse_plan(data)
    assert "okänd organisation okand" in str(error.value)


def test_a_reach_row_with_a_wrong_metric_or_period_is_refused():
    from datetime import date

    data = copy.deepcopy(PLAN)
    data["reach"] = [
        {
            "channel": "intranat",
            "period_start": date(2026, 3, 1),
            "period_end": date(2026, 2, 1),
            "metric": "views",
            "value": 5,
        },
        {
            "channel": "intranat",
            "period_start": date(2026, 3, 1),
            "period_end": date(2026, 3, 2),
            "metric": "likes",
            "value": 5,
        },
    ]
    with pytest.raises(PlanFileError) as error:
        parse_plan(data)
    assert len(error.value.problems) == 2
    assert "Räckviddsrad 1" in error.value.problems[0] and "Räckviddsrad 2" in error.value.problems[1]


def test_every_problem_is_reported_at_once():
    data = copy.deepcopy(PLAN)
    data["plan"]["title"] = ""
    data["effect_goals"][0]["step"] = "L9"
    with pytest.raises(PlanFileError) as error:
        parse_plan(data)
    assert len(error.value.problems) == 2
