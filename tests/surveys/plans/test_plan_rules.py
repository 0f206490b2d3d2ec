"""One rule per part of a plan, through the file door: a plan file that a page could not show is refused
whole, each problem named by its entry and field, and nothing of it is stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.db.tables import (
    Activity,
    Channel,
    EffectGoal,
    Organisation,
    Plan,
    ReachFigure,
    TargetGroup,
    TargetGroupSize,
)
from surveys.errors import Conflict
from surveys.plans.plan_file import PlanFileError, load_plan, load_plan_file

PLAN_FILE = """\
[plan]
code = "filplan"
title = "Planen från en fil"
period_start = 2026-01-01
period_end = 2026-12-31

[[organisations]]
code = "alby"
name = "Alby kommun"
kind = "kommun"

[[target_groups]]
code = "chefer"
name = "Chefer"
sizes = {{ alby = {size} }}

[[effect_goals]]
target_group = "chefer"
step = {goal_step}
target = {target}
deadline = {deadline}
wording = "Känna till planen."

[[channels]]
code = "intranat"
name = "Intranät"

[[activities]]
code = {activity_code}
title = "Nyhet om planen"
starts_on = {starts_on}
ends_on = {ends_on}
channels = ["intranat"]
target_groups = ["chefer"]
step = {activity_step}
status = {status}

[[reach]]
channel = "intranat"
period_start = 2026-03-01
period_end = 2026-03-31
metric = "views"
value = 120
"""

GOOD = {
    "size": "40",
    "goal_step": '"L1"',
    "target": "0.7",
    "deadline": "2027-12-31",
    "activity_code": '"nyhet"',
    "starts_on": "2026-03-01",
    "ends_on": "2026-03-31",
    "activity_step": '"L1"',
    "status": '"pågår"',
}

# (what is written, the entry and field named, part of the message)
BAD_VALUES = {
    "an activity step that does not exist": (
        {"activity_step": '"L9"'},
        "aktivitet 1 (step)",
        "Välj vilket steg aktiviteten ska påverka.",
    ),
    "an activity status that does not exist": (
        {"status": '"whatever"'},
        "aktivitet 1 (status)",
        "Välj planerad, pågår, genomförd eller inställd.",
    ),
    "a deadline in words": ({"deadline": '"31 december 2027"'}, "effektmål 1 (deadline)", "utan citattecken"),
    "a quoted activity date": ({"starts_on": '"2026-03-01"'}, "aktivitet 1 (starts_on)", "utan citattecken"),
    "a date with a time of day": (
        {"deadline": "2027-12-31T12:00:00"},
        "effektmål 1 (deadline)",
        "ÅÅÅÅ-MM-DD",
    ),
    "an activity that ends before it starts": (
        {"ends_on": "2026-02-01"},
        "aktivitet 1 (ends_on)",
        "Slutdatumet kan inte vara före startdatumet.",
    ),
    "a goal step that does not exist": ({"goal_step": '"L9"'}, "effektmål 1 (step)", "använd L1–L4"),
    "a target of yes": ({"target": "true"}, "effektmål 1 (target)", "mellan 1 och 100"),
    "a target below one percent": ({"target": "0.005"}, "effektmål 1 (target)", "mellan 1 och 100"),
    "a target above a hundred percent": ({"target": "700"}, "effektmål 1 (target)", "mellan 1 och 100"),
    "a target in words": ({"target": '"sjuttio"'}, "effektmål 1 (target)", "mellan 1 och 100"),
    "a size larger than any organisation": (
        {"size": "20000000"},
        "målgrupp 1 (sizes.alby)",
        "måste vara ett heltal",
    ),
    "a code with capitals and spaces": (
        {"activity_code": '"Nyhet om planen"'},
        "aktivitet 1 (code)",
        "Koden får bara innehålla små bokstäver",
    ),
}


def write(tmp_path: Path, **changes: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(PLAN_FILE.format(**{**GOOD, **changes}), encoding="utf-8")
    return path


async def everything() -> tuple:
    """Every table a plan file fills, to show that a refused file changed nothing."""
    tables = (Plan, Organisation, TargetGroup, TargetGroupSize, EffectGoal, Channel, Activity, ReachFigure)
    return tuple([await table.select().order_by(table.id) for table in tables])


def test_a_complete_plan_file_is_read_with_its_dates_and_sizes(tmp_path):
    plan = load_plan_file(write(tmp_path))
    assert plan.target_groups[0].sizes == {"alby": 40}
    assert plan.effect_goals[0].target == 0.7 and str(plan.effect_goals[0].deadline) == "2027-12-31"
    [activity] = plan.activities
    assert activity.timing == "2026-03-01 – 2026-03-31" and activity.status == "pågår"


def place(errors: dict[str, str], where: str) -> str:
    """The one place named, checked to be `where` ("effektmål 1 (deadline)") with its line in the file."""
    [found] = errors
    assert found.startswith(where[:-1] + ", rad "), found
    return found


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_a_value_a_page_could_not_show_is_refused_with_its_entry_field_and_line(tmp_path, case):
    changes, where, message = BAD_VALUES[case]
    with pytest.raises(PlanFileError) as refused:
        load_plan_file(write(tmp_path, **changes))
    found = place(refused.value.errors, where)
    assert message in refused.value.errors[found]


def test_the_line_named_is_the_line_of_the_value(tmp_path):
    path = write(tmp_path, deadline='"31 december 2027"')
    with pytest.raises(PlanFileError) as refused:
        load_plan_file(path)
    [found] = refused.value.errors
    line = int(found.rsplit("rad ", 1)[1].rstrip(")"))
    assert path.read_text(encoding="utf-8").splitlines()[line - 1] == 'deadline = "31 december 2027"'


@pytest.mark.parametrize("written", ["70", "0.7", '"70 %"', '"70,0"', '"0,7"'])
def test_a_target_in_percent_or_as_a_share_is_the_same_goal(tmp_path, written):
    assert load_plan_file(write(tmp_path, target=written)).effect_goals[0].target == 0.7


def test_a_file_that_is_not_toml_names_its_line(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text('[plan]\ncode = "x"\ntitle = Planen\n', encoding="utf-8")
    with pytest.raises(PlanFileError) as refused:
        load_plan_file(path)
    assert list(refused.value.errors) == ["rad 3"]
    assert "rad 3" in refused.value.errors["rad 3"] and "inte giltig TOML" in refused.value.errors["rad 3"]


def test_an_activity_without_a_date_or_words_for_when_is_refused_as_on_the_page(tmp_path):
    text = write(tmp_path).read_text(encoding="utf-8")
    path = tmp_path / "utan-tid.toml"
    path.write_text(text.replace("starts_on = 2026-03-01\nends_on = 2026-03-31\n", ""), encoding="utf-8")
    with pytest.raises(PlanFileError) as refused:
        load_plan_file(path)
    found = place(refused.value.errors, "aktivitet 1 (starts_on)")
    assert (
        refused.value.errors[found]
        == "Ange ett datum, en period eller med egna ord när, till exempel Löpande."
    )


def test_two_target_groups_with_one_code_are_refused_before_the_database_sees_them(tmp_path):
    text = write(tmp_path).read_text(encoding="utf-8")
    second = '[[target_groups]]\ncode = "chefer"\nname = "Chefer igen"\n\n[[effect_goals]]'
    path = tmp_path / "dubbel.toml"
    path.write_text(text.replace("[[effect_goals]]", second, 1), encoding="utf-8")
    with pytest.raises(PlanFileError) as refused:
        load_plan_file(path)
    found = place(refused.value.errors, "målgrupp 2 (code)")
    assert refused.value.errors[found] == "Planen har redan en målgrupp med koden chefer."


@pytest.mark.parametrize(
    "case", ["a deadline in words", "a quoted activity date", "an activity step that does not exist"]
)
async def test_a_refused_file_leaves_the_database_as_it_was(database, tmp_path, case):
    await load_plan(load_plan_file(write(tmp_path)))
    before = await everything()
    changes, _where, _message = BAD_VALUES[case]
    with pytest.raises(PlanFileError):
        await load_plan(load_plan_file(write(tmp_path, **changes)))
    assert await everything() == before


async def test_two_plans_with_one_organisation_code_each_keep_their_own_organisation(database, tmp_path):
    await load_plan(load_plan_file(write(tmp_path)))
    text = write(tmp_path).read_text(encoding="utf-8")
    other = tmp_path / "annan.toml"
    other.write_text(
        text.replace('code = "filplan"', 'code = "annan-plan"').replace("Alby kommun", "Alby församling"),
        encoding="utf-8",
    )
    await load_plan(load_plan_file(other))
    names = {
        r["plan.code"]: r["name"]
        for r in await Organisation.select(Organisation.plan.code, Organisation.name).where(
            Organisation.code == "alby"
        )
    }
    assert names == {"filplan": "Alby kommun", "annan-plan": "Alby församling"}


async def test_a_plan_code_that_exists_is_a_conflict_and_stores_nothing(database, tmp_path):
    await load_plan(load_plan_file(write(tmp_path)))
    before = await everything()
    with pytest.raises(Conflict, match="Det finns redan en plan med koden filplan"):
        await load_plan(load_plan_file(write(tmp_path)))
    assert await everything() == before
