"""The API does what the plan pages do: plans from official organisation codes, goals in percent, archiving
and deleting by the same rules, plan files with their changes shown first, waves from a plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveys.accounts.users import Role, create_token
from surveys.db.tables import EffectGoal, Organisation, Plan, TargetGroup, Wave
from tests.support import make_wave, sign_in

API = "/api/v1"


async def headers_for(client) -> dict[str, str]:
    account = await sign_in(client, Role.COMMUNICATOR)
    return {"authorization": f"Bearer {await create_token(account.id, 'planer')}"}


async def stored() -> tuple:
    return (
        await Plan.select().order_by(Plan.id),
        await Organisation.select().order_by(Organisation.id),
        await EffectGoal.select().order_by(EffectGoal.id),
        await TargetGroup.select().order_by(TargetGroup.id),
    )


async def test_a_plan_is_made_from_official_codes_and_an_organisation_outside_the_list(client):
    headers = await headers_for(client)
    body = {
        "code": "vasterbotten-2027",
        "title": "Färdplan Västerbotten 2027",
        "period": "2027",
        "county": "24",
        "organisations": ["24", "2480", {"name": "Kommunalförbundet", "kind": "annan"}],
    }
    response = await client.post(f"{API}/plans", json=body, headers=headers)
    assert response.status_code == 201 and response.json() == {"code": "vasterbotten-2027"}
    plan = (await client.get(f"{API}/plans/vasterbotten-2027", headers=headers)).json()
    assert plan["county"] == "Västerbotten" and plan["period_start"] == "2027-01-01"
    assert [(o["name"], o["official_code"]) for o in plan["organisations"]] == [
        ("Region Västerbotten", "24"),
        ("Kommunalförbundet", ""),
        ("Umeå kommun", "2480"),
    ]


async def test_a_whole_county_is_one_field(client):
    headers = await headers_for(client)
    body = {"title": "VG", "period": "2027", "county": "14", "include_county": True}
    response = await client.post(f"{API}/plans", json=body, headers=headers)
    assert response.status_code == 201 and response.json()["code"] == "vastra-gotaland-2027"
    assert await Organisation.count() == 50


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "Skriv planens namn."),
        ({"period": "nästa år"}, "period", "Skriv perioden som ett år"),
        ({"organisations": ["9999"]}, "official_codes", "9999 finns inte i listan"),
        ({"county": "Atlantis"}, "county", "Välj ett av Sveriges 21 län"),
        ({"code": "Stor Plan"}, "code", "Koden får bara innehålla"),
        ({"copy_from": "finns-inte"}, "copy_from", "Välj en plan som finns"),
        (
            {"organisations": ["14", {"name": " ", "kind": "annan"}]},
            "organisations[1].name",
            "Skriv organisationens namn",
        ),
    ],
)
async def test_a_plan_with_a_bad_value_is_refused_by_field_in_swedish_and_nothing_is_stored(
    client, change, field, message
):
    headers = await headers_for(client)
    before = await stored()
    response = await client.post(
        f"{API}/plans", json={"title": "Planen", "period": "2027", **change}, headers=headers
    )
    assert response.status_code == 422
    assert message in response.json()["errors"][field]
    assert await stored() == before


GOAL = {"target_group": "medarbetare", "step": "L2", "target_percent": 60, "deadline": "2027-12-31",
        "wording": "Medarbetare förstår varför."}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"deadline": "31 december 2027"}, "deadline", "Skriv datumet som ÅÅÅÅ-MM-DD"),
        ({"target_percent": 0.005}, "target", "ett tal mellan 1 och 100"),
        ({"target_percent": 170}, "target", "ett tal mellan 1 och 100"),
        ({"target_percent": "sjuttio"}, "target", "ett tal mellan 1 och 100"),
        ({"step": "L0"}, "step", "använd L1–L4"),
        ({"target_group": "okand"}, "target_group", "Välj en av planens målgrupper."),
        ({"wording": " "}, "wording", "Skriv effektmålet med planens egna ord."),
    ],
)
async def test_a_goal_with_a_bad_value_is_refused_and_nothing_is_stored(client, change, field, message):
    await make_wave()
    headers = await headers_for(client)
    before = await stored()
    response = await client.post(f"{API}/plans/testplan/goals", json={**GOAL, **change}, headers=headers)
    assert response.status_code == 422
    assert message in response.json()["errors"][field]
    assert await stored() == before


async def test_goals_are_added_in_percent_changed_and_deleted(client):
    await make_wave()
    headers = await headers_for(client)
    share = await client.post(
        f"{API}/plans/testplan/goals", json={**GOAL, "target_percent": "0,9"}, headers=headers
    )
    assert share.status_code == 201
    goal = share.json()["id"]
    detail = (await client.get(f"{API}/plans/testplan", headers=headers)).json()["goals"]
    assert [(g["id"], g["target"], g["target_percent"]) for g in detail][-1] == (goal, 0.9, 90.0)
    changed = await client.put(
        f"{API}/plans/testplan/goals/{goal}",
        json={"target_percent": 65, "wording": "Förstå.", "deadline": "2028-06-30", "step": "L3"},
        headers=headers,
    )
    assert changed.status_code == 200
    row = await EffectGoal.select().where(EffectGoal.id == goal).first()
    assert (row["target_share"], row["step"], str(row["deadline"])) == (0.65, "L3", "2028-06-30")
    assert (await client.delete(f"{API}/plans/testplan/goals/{goal}", headers=headers)).status_code == 204
    assert (await client.delete(f"{API}/plans/testplan/goals/{goal}", headers=headers)).status_code == 404


async def test_target_groups_with_answers_or_waves_are_archived_never_deleted(client):
    await make_wave(target_groups=["chefer"])
    headers = await headers_for(client)
    refused = await client.delete(f"{API}/plans/testplan/target-groups/chefer", headers=headers)
    assert refused.status_code == 409 and "Arkivera den i stället" in refused.json()["detail"]
    assert (
        await client.post(f"{API}/plans/testplan/target-groups/chefer/archive", headers=headers)
    ).status_code == 200
    assert (
        await client.delete(f"{API}/plans/testplan/target-groups/medarbetare", headers=headers)
    ).status_code == 204
    groups = (await client.get(f"{API}/plans/testplan", headers=headers)).json()["target_groups"]
    assert [(g["code"], g["archived"]) for g in groups] == [("chefer", True)]


async def test_a_plan_file_through_the_api_shows_its_changes_and_applies_them_when_asked(client):
    await make_wave()
    headers = await headers_for(client)
    exported = await client.get(f"{API}/plans/testplan/file", headers=headers)
    changed = exported.text.replace('title = "Testplanen"', 'title = "Testplanen, reviderad"')
    toml = {**headers, "content-type": "application/toml"}
    preview = await client.post(f"{API}/plan-files", content=changed.encode(), headers=toml)
    assert preview.status_code == 200 and not preview.json()["applied"]
    assert [(c["kind"], c["part"]) for c in preview.json()["changes"]] == [("changed", "Planen")]
    assert (await Plan.select().first())["title"] == "Testplanen"
    applied = await client.post(f"{API}/plan-files?apply=true", content=changed.encode(), headers=toml)
    assert applied.status_code == 200 and applied.json()["applied"]
    assert (await Plan.select().first())["title"] == "Testplanen, reviderad"
    orphaning = changed.replace('sizes = { "alby" = 400, "region" = 900 }', "").split("[[target_groups]]")
    without_medarbetare = "[[target_groups]]".join([orphaning[0], orphaning[1], *orphaning[3:]])
    refused = await client.post(
        f"{API}/plan-files?apply=true", content=without_medarbetare.encode(), headers=toml
    )
    assert refused.status_code == 409 and "Medarbetare" in refused.json()["detail"]
    assert await TargetGroup.count() == 2


async def test_a_bad_plan_file_through_the_api_names_its_lines(client):
    headers = await headers_for(client)
    text = '[plan]\ncode = "x-plan"\ntitle = "X"\n\n[[target_groups]]\ncode = "a"\nname = "A"\n\n' \
           '[[effect_goals]]\ntarget_group = "a"\nstep = "L1"\ntarget = 70\ndeadline = "31 december 2027"\n' \
           'wording = "Känna till."\n'  # fmt: skip
    response = await client.post(
        f"{API}/plan-files", content=text.encode(), headers={**headers, "content-type": "application/toml"}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["effektmål 1 (deadline, rad 13)"]
    assert await Plan.count() == 0


async def test_a_wave_through_the_api_uses_only_the_plans_questionnaire_and_never_closes_before_it_is_made(
    client,
):
    await make_wave()
    headers = await headers_for(client)
    now = datetime.now(UTC)
    body = {
        "questionnaire": "testenkat",
        "slug": "api-omgang",
        "title": "Via API",
        "opens_at": (now - timedelta(days=30)).isoformat(),
        "closes_at": (now - timedelta(days=20)).isoformat(),
    }
    waves = f"{API}/plans/testplan/waves"
    past = await client.post(waves, json=body, headers=headers)
    assert past.status_code == 422 and "redan har varit" in past.json()["errors"]["closes"]
    assert not await Wave.exists().where(Wave.slug == "api-omgang")
    confirmed = await client.post(waves, json={**body, "confirm_past": True}, headers=headers)
    assert confirmed.status_code == 201 and confirmed.json()["form_url"].endswith("/e/api-omgang")
    unknown = await client.post(
        waves, json={**body, "slug": "annan", "questionnaire": "finns-inte"}, headers=headers
    )
    assert unknown.status_code == 422 and "questionnaire" in unknown.json()["errors"]
    assert (
        await client.delete(f"{API}/plans/annan-plan/waves/api-omgang", headers=headers)
    ).status_code == 404
    assert (await client.delete(f"{waves}/api-omgang", headers=headers)).status_code == 204
    assert not await Wave.exists().where(Wave.slug == "api-omgang")


async def test_readers_may_not_make_or_change_plans_through_the_api(client):
    await make_wave()
    account = await sign_in(client, Role.READER)
    headers = {"authorization": f"Bearer {await create_token(account.id, 'lasare')}"}
    goal = (await EffectGoal.select().first())["id"]
    attempts = [
        await client.post(f"{API}/plans", json={"title": "X", "period": "2027"}, headers=headers),
        await client.post(f"{API}/plans/testplan/goals", json=GOAL, headers=headers),
        await client.delete(f"{API}/plans/testplan/goals/{goal}", headers=headers),
        await client.post(f"{API}/plans/testplan/archive", headers=headers),
        await client.delete(f"{API}/plans/testplan/waves/testomgang", headers=headers),
        await client.post(f"{API}/plan-files", content=b"", headers=headers),
    ]
    assert [a.status_code for a in attempts] == [403] * 6
    assert await Plan.count() == 1 and await EffectGoal.count() == 1 and await Wave.count() == 1


async def test_the_plans_own_fields_are_changed_through_the_api_by_the_same_rules(client):
    await make_wave()
    headers = await headers_for(client)
    bad = await client.put(
        f"{API}/plans/testplan", json={"title": "X", "period_start": "i år"}, headers=headers
    )
    assert bad.status_code == 422 and "Skriv datumet som ÅÅÅÅ-MM-DD" in bad.json()["errors"]["period_start"]
    good = await client.put(
        f"{API}/plans/testplan", json={"title": "Nytt namn", "county": "Skåne"}, headers=headers
    )
    assert good.status_code == 200
    assert [(p["title"], p["county"]) for p in await Plan.select(Plan.title, Plan.county)] == [
        ("Nytt namn", "Skåne")
    ]
