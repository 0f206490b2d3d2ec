"""Plan files that round-trip: a stored plan exported (TOML or Excel) and read back is the same plan; a
changed file shows its changes and applies them; a change that would orphan answers is refused whole."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from openpyxl import load_workbook

from surveys.db.tables import Activity, EffectGoal, Organisation, ReachFigure, TargetGroup, TargetGroupSize
from surveys.demo import PLAN_FILE
from surveys.errors import Conflict
from surveys.plans.editing import archive_target_group
from surveys.plans.lookup import plan_row
from surveys.plans.plan_export import plan_definition, plan_toml
from surveys.plans.plan_file import PlanFileError, load_plan, load_plan_file, read_plan_text
from surveys.plans.plan_update import apply_plan_file, plan_changes
from surveys.plans.plan_workbook import plan_workbook, read_workbook
from tests.support import make_wave


async def stored_demo():
    await load_plan(load_plan_file(PLAN_FILE))
    return await plan_definition("vasternorrland-2026")


async def everything() -> tuple:
    tables = (Organisation, TargetGroup, TargetGroupSize, EffectGoal, Activity, ReachFigure)
    return tuple([await table.select().order_by(table.id) for table in tables])


async def test_the_demo_plan_is_stored_as_its_file_says(database):
    assert await stored_demo() == load_plan_file(PLAN_FILE)


async def test_an_exported_toml_file_reads_back_as_the_same_plan_and_changes_nothing(database):
    stored = await stored_demo()
    again = read_plan_text(plan_toml(stored))
    assert again == stored
    changes = await plan_changes(again)
    assert changes.none and not changes.refusals


async def test_an_exported_workbook_reads_back_as_the_same_plan(database):
    stored = await stored_demo()
    assert read_workbook(plan_workbook(stored)) == stored


async def test_archived_and_inactive_parts_survive_the_round_trip(database):
    await make_wave()
    plan = await plan_row("testplan")
    await archive_target_group(plan["id"], "medarbetare")
    stored = await plan_definition("testplan")
    assert stored.archived_groups == {"medarbetare"}
    assert read_plan_text(plan_toml(stored)) == stored
    assert read_workbook(plan_workbook(stored)) == stored


async def test_a_goal_of_one_percent_round_trips_as_one_percent(database):
    stored = await stored_demo()
    tiny = replace(stored, effect_goals=(replace(stored.effect_goals[0], target=0.01),))
    assert read_plan_text(plan_toml(tiny)).effect_goals[0].target == 0.01
    assert read_workbook(plan_workbook(tiny)).effect_goals[0].target == 0.01


async def test_a_changed_file_shows_what_changes_and_applies_it(database):
    stored = await stored_demo()
    text = (
        plan_toml(stored)
        .replace('name = "Intranät"', 'name = "Intranätet"')
        .replace('code = "timra"\nname = "Timrå kommun"', 'code = "timra"\nname = "Timrå"')
    )
    text += '\n[[channels]]\ncode = "podd"\nname = "Poddar"\n'
    changed = read_plan_text(text)
    found = await plan_changes(changed)
    assert not found.refusals
    assert [(c.part, c.name) for c in found.of("added")] == [("Kanal", "Poddar")]
    assert ("Kanal", "Intranätet", ("Namn: Intranät → Intranätet",)) in [
        (c.part, c.name, c.details) for c in found.of("changed")
    ]
    assert any(c.name == "Timrå" for c in found.of("changed"))
    await apply_plan_file(changed)
    assert await plan_definition("vasternorrland-2026") == changed
    assert (await plan_changes(changed)).none


async def test_a_file_that_removes_a_target_group_with_a_wave_is_refused_and_changes_nothing(database):
    await make_wave()
    stored = await plan_definition("testplan")
    without = replace(
        stored,
        title="Nytt namn",
        target_groups=tuple(g for g in stored.target_groups if g.code != "medarbetare"),
    )
    found = await plan_changes(without)
    assert found.refusals and "Medarbetare (medarbetare)" in found.refusals[0]
    before = await everything()
    with pytest.raises(Conflict) as refused:
        await apply_plan_file(without)
    assert "archived = true" in refused.value.message
    assert await everything() == before
    assert (await plan_row("testplan"))["title"] == "Testplanen"


async def test_a_file_that_removes_an_organisation_with_answers_is_refused(database):
    await make_wave()
    stored = await plan_definition("testplan")
    found = await plan_changes(
        replace(stored, organisations=tuple(o for o in stored.organisations if o.code != "alby"),
                target_groups=tuple(replace(g, sizes={"region": g.sizes["region"]}) for g in stored.target_groups))
    )  # fmt: skip
    assert found.refusals and "active = false" in found.refusals[0]


async def test_a_removed_part_nothing_depends_on_is_removed(database):
    stored = await stored_demo()
    fewer = replace(
        stored,
        effect_goals=stored.effect_goals[1:],
        reach=stored.reach[1:],
    )
    await apply_plan_file(fewer)
    assert await plan_definition("vasternorrland-2026") == fewer


def workbook_with(change) -> bytes:
    """The Excel template filled with the demo plan, then `change(book)` as a person would edit it."""
    book = load_workbook(io.BytesIO(plan_workbook(load_plan_file(PLAN_FILE))))
    change(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_bad_cells_in_the_excel_file_are_named_by_sheet_and_cell_and_nothing_is_read():
    def spoil(book):
        book["Effektmål"]["D2"] = "31 december 2027"
        book["Effektmål"]["C3"] = 700
        book["Aktiviteter"]["J2"] = "klar"
        book["Storlekar"]["C2"] = "många"

    with pytest.raises(PlanFileError) as refused:
        read_workbook(workbook_with(spoil))
    errors = refused.value.errors
    assert "Skriv datumet som ÅÅÅÅ-MM-DD" in errors["bladet Effektmål, cell D2"]
    assert "mellan 1 och 100" in errors["bladet Effektmål, cell C3"]
    assert "Välj planerad, pågår" in errors["bladet Aktiviteter, cell J2"]
    assert "heltal" in errors["bladet Storlekar, cell C2"]


def test_an_excel_file_may_write_targets_in_percent_dates_as_text_and_codes_as_numbers():
    def edit(book):
        book["Effektmål"]["C2"] = 85  # percent typed into the cell
        book["Effektmål"]["D2"] = "2027-06-30"  # a date typed as text
        book["Organisationer"]["D2"] = 2280  # the municipality's code, as Excel keeps a number

    plan = read_workbook(workbook_with(edit))
    assert plan.effect_goals[0].target == 0.85
    assert plan.effect_goals[0].deadline == date(2027, 6, 30)
    assert plan.organisations[0].official_code == "2280"


def test_a_file_that_is_not_a_workbook_is_refused_in_swedish():
    with pytest.raises(PlanFileError) as refused:
        read_workbook(b"PK\x03\x04 not really", "plan.xlsx")
    assert "kunde inte läsas som en Excel-fil" in refused.value.problems[0]


async def test_the_empty_excel_template_with_a_plan_filled_in_loads_as_a_new_plan(database):
    def fill(book):
        sheet = book["Plan"]
        sheet["B2"], sheet["B3"], sheet["B4"] = "excelplan", "Planen ur Excel", "Västra Götaland"
        book["Organisationer"].append(["", "", "", "14", "ja"])
        book["Målgrupper"].append(["chefer", "Chefer", "", ""])
        book["Effektmål"].append(["chefer", "L1", 0.7, date(2027, 12, 31), "Känna till planen."])

    book = load_workbook(io.BytesIO(plan_workbook()))
    fill(book)
    buffer = io.BytesIO()
    book.save(buffer)
    plan = read_workbook(buffer.getvalue())
    await load_plan(plan)
    assert [(o.code, o.name) for o in (await plan_definition("excelplan")).organisations] == [
        ("region-vastra-gotaland", "Västra Götalandsregionen")
    ]
