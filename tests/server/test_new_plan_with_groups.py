"""A new plan can start with its target groups and channels, typed one per line in the new-plan form: one
form instead of three. Every name is checked as the plan's own pages check it; a bad line refuses the
whole plan and stores nothing."""

from __future__ import annotations

from urllib.parse import urlencode

from surveys.accounts.users import Role
from surveys.db.tables import Channel, Plan, TargetGroup
from tests.support import csrf_token, sign_in


async def new_plan(client, **fields):
    page = await client.get("/arbeta/planer/ny")
    values = {
        "_csrf_token": csrf_token(page.text),
        "title": "Färdplan nära vård Västra Götaland",
        "county": "14",
        "organisations": "region",
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "copy_from": "",
        "code": "",
        **fields,
    }
    return await client.post(
        "/arbeta/planer/ny",
        content=urlencode(values),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


async def test_the_new_plan_form_offers_target_groups_and_channels(client):
    await sign_in(client, Role.COMMUNICATOR)
    page = (await client.get("/arbeta/planer/ny")).text
    assert '<textarea id="target_groups" name="target_groups"' in page
    assert '<textarea id="channels" name="channels"' in page


async def test_a_plan_starts_with_the_target_groups_and_channels_typed_in_its_form(client):
    await sign_in(client, Role.COMMUNICATOR)
    created = await new_plan(
        client,
        target_groups="Chefer i vård och omsorg\n\nMedarbetare i vård och omsorg\n",
        channels="Presentationsmaterial\nFilm",
    )
    assert created.status_code == 303
    groups = await TargetGroup.select(TargetGroup.code, TargetGroup.name).order_by(TargetGroup.id)
    assert [(g["code"], g["name"]) for g in groups] == [
        ("chefer-i-vard-och-omsorg", "Chefer i vård och omsorg"),
        ("medarbetare-i-vard-och-omsorg", "Medarbetare i vård och omsorg"),
    ]
    channels = await Channel.select(Channel.code).order_by(Channel.id)
    assert [c["code"] for c in channels] == ["presentationsmaterial", "film"]
    page = (await client.get(created.headers["location"])).text
    assert 'id="grid-chefer-i-vard-och-omsorg-L1"' in page  # the goals can be typed in at once


async def test_a_bad_or_repeated_line_refuses_the_plan_and_stores_nothing(client):
    await sign_in(client, Role.COMMUNICATOR)
    repeated = await new_plan(client, target_groups="Chefer\nchefer", channels="Film")
    assert repeated.status_code == 422
    assert "Rad 2: chefer finns redan i listan." in repeated.text
    assert 'id="target_groups-error"' in repeated.text and "Chefer\nchefer</textarea>" in repeated.text
    too_long = await new_plan(client, channels="Film\n" + "x" * 201)
    assert too_long.status_code == 422 and 'id="channels-error"' in too_long.text and "Rad 2" in too_long.text
    assert await Plan.count() == 0 and await TargetGroup.count() == 0 and await Channel.count() == 0
