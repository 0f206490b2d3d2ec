"""Editing a plan: what is refused, what is kept, and that a refused change stores nothing."""

from __future__ import annotations

from datetime import date

import pytest

from surveys.db.tables import Activity, Organisation, ReachFigure, TargetGroupSize
from surveys.errors import Conflict, DomainError
from surveys.plans.editing import (
    ActivityInput,
    add_manual_reach,
    add_organisation,
    code_from_name,
    delete_activity,
    delete_channel,
    parse_sizes_csv,
    plan_organisations,
    plan_overview,
    remove_organisation,
    save_activity,
    save_channel,
    save_target_group,
    set_organisation_active,
    store_sizes,
    update_sizes,
)
from surveys.waves.lookup import Choice
from tests.support import make_wave

ORGANISATIONS = [Choice(1, "alby", "Alby kommun"), Choice(2, "region", "Regionen")]
GROUPS = [Choice(1, "chefer", "Chefer"), Choice(2, "medarbetare", "Medarbetare")]


async def plan():
    await make_wave()
    return await plan_overview("testplan")


def test_codes_are_made_from_swedish_names():
    assert code_from_name("Härnösands kommun") == "harnosands-kommun"
    assert code_from_name("  Örnsköldsvik / Region  ") == "ornskoldsvik-region"


def test_a_sizes_file_may_use_names_or_codes_any_case_and_swedish_thousands():
    preview = parse_sizes_csv(
        "Organisation;Målgrupp;Antal\nALBY;chefer;1 200\nRegionen;Medarbetare;\u00a0900\n".encode(),
        organisations=ORGANISATIONS,
        groups=GROUPS,
    )
    assert preview.ok
    assert [(r.organisation, r.group, r.size) for r in preview.rows] == [
        ("alby", "chefer", 1200),
        ("region", "medarbetare", 900),
    ]


def test_a_sizes_file_from_excel_in_windows_1252_with_a_sep_line_is_read():
    data = "sep=;\r\norganisation;målgrupp;antal\r\nAlby kommun;Chefer;7\r\n".encode("cp1252")
    preview = parse_sizes_csv(data, organisations=ORGANISATIONS, groups=GROUPS)
    assert preview.ok and preview.rows[0].size == 7


def test_every_bad_row_of_a_sizes_file_is_named_with_its_line():
    data = (
        "organisation,målgrupp,antal\nalby,chefer,10\nalby,chefer,11\n,chefer,3\nregion,styrelse,-4\n"
    ).encode()
    preview = parse_sizes_csv(data, organisations=ORGANISATIONS, groups=GROUPS)
    assert not preview.ok
    assert preview.errors == (
        "Rad 3: organisationen och målgruppen finns redan på rad 2.",
        "Rad 4: organisation saknas.",
        "Rad 5: målgruppen ”styrelse” finns inte i planen; antalet ”-4” är inte ett heltal, 0 eller mer.",
    )


def test_an_excel_workbook_is_not_taken_for_a_csv_file():
    preview = parse_sizes_csv(b"PK\x03\x04rest", organisations=ORGANISATIONS, groups=GROUPS)
    assert "Excel-fil" in preview.file_errors[0]


async def test_stored_sizes_replace_only_the_pairs_in_the_file(database):
    overview = await plan()
    preview = parse_sizes_csv(
        b"organisation;malgrupp;antal\nalby;chefer;45\n",
        organisations=list(overview.organisations),
        groups=[g.group for g in overview.groups],
    )
    assert await store_sizes(overview.id, preview.rows, source="HR") == 1
    groups = {g.group.code: g.sizes for g in (await plan_overview("testplan")).groups}
    assert groups["chefer"] == {"alby": 45, "region": 60}
    assert groups["medarbetare"] == {"alby": 400, "region": 900}


async def test_a_deactivated_organisation_keeps_its_sizes_and_comes_back_with_them(database):
    overview = await plan()
    await set_organisation_active(overview.id, "alby", False)
    after = await plan_overview("testplan")
    assert [o.code for o in after.organisations] == ["region"]
    assert [(o.code, o.active) for o in await plan_organisations(overview.id)] == [
        ("region", True),
        ("alby", False),
    ]
    assert await TargetGroupSize.count() == 4
    assert await update_sizes(overview.id, "chefer", {"region": "61"}) == {}  # the form without Alby
    await set_organisation_active(overview.id, "alby", True)
    assert (await plan_overview("testplan")).groups[0].sizes == {"alby": 40, "region": 61}


async def test_an_organisation_in_a_wave_cannot_be_removed(database):
    overview = await plan()
    with pytest.raises(DomainError) as refused:
        await remove_organisation(overview.id, "alby")
    assert isinstance(refused.value, Conflict)
    assert "Omgång testomgang" in refused.value.errors["organisation"]
    assert await Organisation.exists().where(Organisation.code == "alby")


async def test_an_organisation_code_used_by_another_organisation_is_refused(database):
    overview = await plan()
    with pytest.raises(DomainError) as refused:
        await add_organisation(overview.id, name="Alby församling", code="alby")
    assert "används redan av Alby kommun" in refused.value.errors["code"]


async def test_a_channel_used_by_a_question_is_not_deleted(database):
    overview = await plan()
    with pytest.raises(DomainError) as refused:
        await delete_channel(overview.id, "intranat")
    assert "frågor i enkäten ”Testenkäten”" in refused.value.errors["channel"]
    assert await save_channel(overview.id, name="Poddar") == "poddar"
    await delete_channel(overview.id, "poddar")


async def test_an_activity_gets_a_unique_code_and_its_period_as_timing(database):
    overview = await plan()
    given = ActivityInput(title="Nyhet", starts_on="2026-03-01", ends_on="2026-03-31", channels=("intranat",))
    assert await save_activity(overview.id, given) == "nyhet"
    assert await save_activity(overview.id, ActivityInput(title="Nyhet", timing="Löpande")) == "nyhet-2"
    activities = (await plan_overview("testplan")).activities
    assert [(a.code, a.timing, a.channels) for a in activities] == [
        ("nyhet", "2026-03-01 – 2026-03-31", ("Intranät",)),
        ("nyhet-2", "Löpande", ()),
    ]
    assert activities[0].ends_on == date(2026, 3, 31)


async def test_a_refused_activity_stores_nothing(database):
    overview = await plan()
    with pytest.raises(DomainError) as refused:
        await save_activity(
            overview.id, ActivityInput(title="Nyhet", starts_on="2026-03-01", channels=("tv",))
        )
    assert refused.value.errors == {"channels": "Välj kanaler som finns i planen."}
    assert await Activity.count() == 0


async def test_an_activity_with_reach_is_kept_and_the_refusal_suggests_cancelling(database):
    overview = await plan()
    await save_activity(overview.id, ActivityInput(title="Film", timing="Maj"))
    await add_manual_reach(overview.id, {"period_start": "2026-05", "activity": "film", "views": "300"})
    with pytest.raises(DomainError) as refused:
        await delete_activity(overview.id, "film")
    assert "1 räckviddssiffra" in refused.value.errors["activity"]
    assert "inställd" in refused.value.errors["activity"]


async def test_manual_reach_stores_one_row_per_measure_or_none(database):
    overview = await plan()
    with pytest.raises(DomainError) as refused:
        await add_manual_reach(
            overview.id, {"period_start": "2026-03-01", "channel": "intranat", "views": "10", "clicks": "1,5"}
        )
    assert set(refused.value.errors) == {"clicks"}
    assert await ReachFigure.count() == 0
    stored = await add_manual_reach(
        overview.id, {"period_start": "2026-03-01", "channel": "Intranät", "views": "10", "clicks": "2"}
    )
    assert stored == 2


async def test_target_groups_get_the_next_position_and_keep_their_code_when_renamed(database):
    overview = await plan()
    assert await save_target_group(overview.id, name="Invånare") == "invanare"
    await save_target_group(overview.id, name="Alla chefer", existing="chefer")
    groups = (await plan_overview("testplan")).groups
    assert [(g.group.code, g.group.name) for g in groups] == [
        ("chefer", "Alla chefer"),
        ("medarbetare", "Medarbetare"),
        ("invanare", "Invånare"),
    ]
