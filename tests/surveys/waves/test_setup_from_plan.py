"""Waves are created from a plan: only that plan's questionnaires, its current target groups and organisations,
never a wave that has already closed by mistake; one without answers can be deleted, one with answers archived."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from surveys.db import engine as db
from surveys.db.tables import Questionnaire, Wave, WaveTargetGroup
from surveys.errors import Conflict
from surveys.plans.editing import archive_target_group
from surveys.plans.lookup import plan_row
from surveys.plans.plan_file import parse_plan, store_plan
from surveys.questionnaires.model import parse_questionnaire
from surveys.questionnaires.storage import store_questionnaire
from surveys.waves.lookup import find_wave
from surveys.waves.setup import (
    PastWave,
    WaveError,
    archive_wave,
    create_wave,
    delete_wave,
    list_waves,
    plan_questionnaires,
)
from tests.support import PLAN, QUESTIONNAIRE, VALID_ANSWERS, make_wave

NOW = datetime.now(UTC)


async def new_wave(slug: str = "ny-omgang", **changes):
    values = {
        "plan_code": "testplan",
        "questionnaire_code": "testenkat",
        "slug": slug,
        "title": "Ny omgång",
        "opens_at": NOW + timedelta(days=1),
        "closes_at": NOW + timedelta(days=10),
        "now": NOW,
        **changes,
    }
    async with db.write_transaction():
        return await create_wave(**values)


async def other_plan_with_questionnaire() -> None:
    other = copy.deepcopy(PLAN)
    other["plan"] = {"code": "annan", "title": "Den andra planen"}
    questionnaire = {**copy.deepcopy(QUESTIONNAIRE), "code": "annan-enkat", "title": "Den andras enkät"}
    async with db.write_transaction():
        plan_id = await store_plan(parse_plan(other))
        await store_questionnaire(parse_questionnaire(questionnaire), plan_id=plan_id)


async def test_a_wave_offers_and_takes_only_its_own_plans_questionnaires(database):
    await make_wave()
    await other_plan_with_questionnaire()
    assert [q.code for q in await plan_questionnaires("testplan")] == ["testenkat"]
    with pytest.raises(WaveError) as refused:
        await new_wave(questionnaire_code="annan-enkat")
    assert "hör till en annan plan" in refused.value.errors["questionnaire"]
    assert await Wave.count() == 1


async def test_a_questionnaire_of_no_plan_is_offered_and_becomes_the_plans_with_its_first_wave(database):
    await make_wave()
    free = {**copy.deepcopy(QUESTIONNAIRE), "code": "fri", "title": "Fri enkät"}
    for question in free["questions"]:  # no plan, so no channels
        for option in question.get("options", []):
            option.pop("channel", None)
    async with db.write_transaction():
        await store_questionnaire(parse_questionnaire(free))
    assert [(q.code, q.own) for q in await plan_questionnaires("testplan")] == [
        ("testenkat", True),
        ("fri", False),
    ]
    await new_wave(questionnaire_code="fri")
    plan = await plan_row("testplan")
    assert (await Questionnaire.select().where(Questionnaire.code == "fri").first())["plan"] == plan["id"]


async def test_a_wave_that_has_already_closed_is_refused_unless_confirmed(database):
    await make_wave()
    past = {"opens_at": NOW - timedelta(days=20), "closes_at": NOW - timedelta(days=10)}
    with pytest.raises(PastWave) as refused:
        await new_wave(**past)
    assert "som redan har varit" in refused.value.errors["closes"]
    assert not await Wave.exists().where(Wave.slug == "ny-omgang")
    await new_wave(**past, past_confirmed=True)
    assert await Wave.exists().where(Wave.slug == "ny-omgang")


async def test_every_problem_of_a_new_wave_is_named_by_its_field(database):
    await make_wave()
    with pytest.raises(WaveError) as refused:
        await new_wave(slug="X", title=" ", closes_at=NOW, target_groups=["okand"], organisations=[])
    assert list(refused.value.errors) == ["title", "slug", "closes", "target_group", "organisation"]


async def test_an_archived_target_group_or_plan_gets_no_new_wave(database):
    await make_wave()
    plan = await plan_row("testplan")
    await archive_target_group(plan["id"], "medarbetare")
    with pytest.raises(WaveError) as refused:
        await new_wave(target_groups=["medarbetare"])
    assert refused.value.errors["target_group"] == "Målgruppen medarbetare är arkiverad."
    await new_wave()  # all groups: the ones in use
    wave = await Wave.select(Wave.id).where(Wave.slug == "ny-omgang").first()
    asked = await WaveTargetGroup.select(WaveTargetGroup.target_group.code).where(
        WaveTargetGroup.wave == wave["id"]
    )
    assert [r["target_group.code"] for r in asked] == ["chefer"]


async def test_a_wave_without_answers_is_deleted_and_one_with_answers_only_archived(database):
    from surveys.responding.submission import Sent, submit

    await make_wave()
    await new_wave()
    await delete_wave("ny-omgang")
    assert not await Wave.exists().where(Wave.slug == "ny-omgang")
    wave = await find_wave("testomgang")
    answers = {code: values for code, values in VALID_ANSWERS.items()}
    await submit(wave, Sent(answers, "alby", "chefer", None, "nyckel-for-test-0001"), NOW)
    with pytest.raises(Conflict) as refused:
        await delete_wave("testomgang")
    assert (
        "har svar" in refused.value.message
        and "1 svar" not in refused.value.message
        and "Arkivera den i stället" in refused.value.message
    )
    await archive_wave("testomgang")
    row = await Wave.select().where(Wave.slug == "testomgang").first()
    assert row["archived"] and row["closed_early"]
    assert [w.slug for w in await list_waves()] == []
    assert [w.slug for w in await list_waves(archived=True)] == ["testomgang"]
