"""The demo plan is Västernorrland's, and its synthetic responses behave like the real thing."""

from __future__ import annotations

from datetime import UTC, datetime

from piccolo.query.functions.aggregate import Count

from surveys.db.tables import (
    Activity,
    Answer,
    EffectGoal,
    Organisation,
    Plan,
    Response,
    TargetGroup,
    Wave,
)
from surveys.demo import synthetic
from surveys.waves.lookup import open_waves


async def test_it_holds_the_plans_eight_organisations_target_groups_and_activities(demo_database):
    plan = await Plan.select().where(Plan.code == "vasternorrland-2026").first()
    assert plan["county"] == "Västernorrland"
    names = {r["name"] for r in await Organisation.select(Organisation.name)}
    assert len(names) == 8 and "Region Västernorrland" in names and "Örnsköldsviks kommun" in names
    groups = [r["name"] for r in await TargetGroup.select(TargetGroup.name).order_by(TargetGroup.position)]
    assert len(groups) == 8 and groups[0] == "Högsta tjänsteledning"
    assert await EffectGoal.count() == 15
    assert await Activity.count() == 8


async def test_it_has_three_answered_waves_and_one_open_now(demo_database):
    assert await Wave.count() == 4
    open_now = await open_waves(datetime.now(UTC))
    assert [w.slug for w in open_now] == ["omgang-4-nu"]


async def _aware_share_by_wave() -> dict[str, float]:
    rows = (
        await Answer.select(
            Answer.wave.slug.as_alias("wave"),
            Answer.option.reaches_step.as_alias("reached"),
            Count(alias="n"),
        )
        .where(Answer.question.code == "kannedom")
        .group_by(Answer.wave.slug, Answer.option.reaches_step)
    )
    totals: dict[str, list[int]] = {}
    for r in rows:
        totals.setdefault(r["wave"], [0, 0])[1 if r["reached"] else 0] += r["n"]
    return {wave: reached / (reached + not_reached) for wave, (not_reached, reached) in totals.items()}


async def test_awareness_rises_from_wave_to_wave(demo_database):
    shares = await _aware_share_by_wave()
    assert shares["omgang-1-2026"] < shares["omgang-2-2026"] < shares["omgang-3-2026"]


async def test_organisations_respond_unevenly(demo_database):
    rows = (
        await Response.select(Response.organisation.code.as_alias("org"), Count(alias="n"))
        .where((Response.wave.slug == "omgang-3-2026") & (Response.target_group.code == "medarbetare"))
        .group_by(Response.organisation.code)
    )
    counts = {r["org"]: r["n"] for r in rows}
    sizes = {"sundsvall": 5200, "ange": 600}
    assert counts["sundsvall"] / sizes["sundsvall"] > 2 * counts["ange"] / sizes["ange"]


async def test_at_least_one_group_is_under_the_minimum_size(demo_database):
    rows = (
        await Response.select(
            Response.organisation.code.as_alias("org"),
            Response.target_group.code.as_alias("group"),
            Count(alias="n"),
        )
        .where(Response.wave.slug == "omgang-1-2026")
        .group_by(Response.organisation.code, Response.target_group.code)
    )
    assert any(0 < r["n"] < 5 for r in rows)


def test_the_synthetic_responses_are_reproducible():
    groups = {"medarbetare": {"sundsvall": 5200, "ange": 600}, "samordnare": {"ange": 2}}
    first = list(synthetic.responses(2026, 1, groups))
    second = list(synthetic.responses(2026, 1, groups))
    assert first == second
    assert first != list(synthetic.responses(2027, 1, groups))


def test_only_those_who_know_the_plan_are_asked_about_understanding():
    groups = {"medarbetare": {"sundsvall": 5200}}
    for response in synthetic.responses(2026, 0, groups):
        knows = response.chosen["kannedom"][0] in ("ja_val", "ja_viss")
        assert ("forstaelse" in response.chosen) == knows


async def test_reach_figures_come_with_the_plan_and_reach_the_results(demo_database):
    from surveys.results.plan_results import plan_results

    results = await plan_results("vasternorrland-2026")
    linkedin = [r for r in results.reach if r.channel == "linkedin"]
    assert {(r.metric, r.value) for r in linkedin} == {("impressions", 18400), ("clicks", 512)}
    assert all(r.activity == "noterat-lansledning" for r in linkedin)
