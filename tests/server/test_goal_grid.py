"""Effect goals for several target groups and steps in one form: the plan page's grid. Every filled cell is
checked by the one goal rule; one bad cell refuses them all, says so next to the cell, and stores nothing."""

from __future__ import annotations

from urllib.parse import urlencode

from surveys.accounts.users import Role
from surveys.db.tables import EffectGoal
from tests.support import csrf_token, make_wave, sign_in

GRID = "/arbeta/planer/testplan/effektmal"


async def post(client, url: str, fields: dict) -> object:
    return await client.post(
        url, content=urlencode(fields), headers={"content-type": "application/x-www-form-urlencoded"}
    )


async def goals() -> list[tuple]:
    rows = await EffectGoal.select(
        EffectGoal.target_group.code.as_alias("group"),
        EffectGoal.step,
        EffectGoal.target_share,
        EffectGoal.deadline,
        EffectGoal.wording,
    ).order_by(EffectGoal.id)
    return [(r["group"], r["step"], r["target_share"], str(r["deadline"]), r["wording"]) for r in rows]


async def signed_in(client) -> str:
    await make_wave()  # testplan: chefer and medarbetare, one goal (chefer L1)
    await sign_in(client, Role.COMMUNICATOR)
    return csrf_token((await client.get("/arbeta/planer/testplan")).text)


async def test_the_plan_page_offers_a_cell_per_target_group_and_step(client):
    await signed_in(client)
    page = (await client.get("/arbeta/planer/testplan")).text
    grid = page.split('action="/arbeta/planer/testplan/effektmal"')[1].split("</form>")[0]
    assert 'name="_csrf_token" value="' in grid  # the form can be sent as the browser has it
    for cell in ("medarbetare-L1", "chefer-L4", "medarbetare-L2"):
        assert f'id="grid-{cell}" name="target-{cell}"' in page
    # The goal the plan has already is shown, not offered again.
    assert 'name="target-chefer-L1"' not in page and "Mål finns: 70 %" in page


async def test_every_filled_cell_becomes_a_goal_with_one_deadline_and_a_wording_that_reads_well(client):
    csrf = await signed_in(client)
    before = await goals()
    added = await post(
        client,
        GRID,
        {
            "_csrf_token": csrf,
            "target-medarbetare-L1": "70",
            "target-chefer-L4": "40 %",
            "target-medarbetare-L2": "0,5",
            "target-medarbetare-L3": "",
            "deadline": "2027-12-31",
        },
    )
    assert added.status_code == 303 and added.headers["location"].endswith("sparat=mal-flera#effektmal")
    assert (await goals())[len(before) :] == [
        ("chefer", "L4", 0.4, "2027-12-31", "Chefer bidrar aktivt i arbetet med planen."),
        ("medarbetare", "L1", 0.7, "2027-12-31", "Medarbetare känner till planen."),
        ("medarbetare", "L2", 0.5, "2027-12-31", "Medarbetare förstår vad planen innebär för dem."),
    ]
    page = (await client.get("/arbeta/planer/testplan?sparat=mal-flera")).text
    assert "Effektmålen är sparade" in page
    assert (
        'value="Medarbetare känner till planen."' in page
    )  # the wording, to rewrite in the plan's own words


async def test_one_bad_cell_refuses_the_whole_grid_and_says_so_next_to_the_cell(client):
    csrf = await signed_in(client)
    before = await goals()
    refused = await post(
        client,
        GRID,
        {
            "_csrf_token": csrf,
            "target-medarbetare-L1": "70",
            "target-chefer-L2": "sjuttio",
            "target-medarbetare-L4": "150",
            "deadline": "2027-12-31",
        },
    )
    assert refused.status_code == 422
    assert await goals() == before
    page = refused.text
    assert "Inga effektmål sparades" in page
    assert 'id="grid-chefer-L2-error"' in page and 'id="grid-medarbetare-L4-error"' in page
    assert 'href="#grid-chefer-L2"' in page  # the error summary links to the cell
    assert 'id="grid-medarbetare-L1-error"' not in page
    # What was typed is still there to correct.
    assert (
        'name="target-medarbetare-L1" value="70"' in page
        and 'name="target-chefer-L2" value="sjuttio"' in page
    )


async def test_a_bad_deadline_an_empty_grid_and_a_goal_the_plan_has_are_refused(client):
    csrf = await signed_in(client)
    before = await goals()
    bad_day = await post(
        client, GRID, {"_csrf_token": csrf, "target-chefer-L2": "70", "deadline": "31 december 2027"}
    )
    assert bad_day.status_code == 422 and 'id="grid-deadline-error"' in bad_day.text
    assert "ÅÅÅÅ-MM-DD" in bad_day.text
    empty = await post(client, GRID, {"_csrf_token": csrf, "deadline": "2027-12-31"})
    assert empty.status_code == 422 and "Skriv ett mål i procent i minst en ruta" in empty.text
    twice = await post(client, GRID, {"_csrf_token": csrf, "target-chefer-L1": "80", "deadline": ""})
    assert twice.status_code == 422 and "Chefer har redan ett effektmål för L1" in twice.text
    assert await goals() == before


async def test_the_goal_grid_has_its_own_page(client):
    await signed_in(client)
    page = await client.get(GRID)
    assert page.status_code == 200 and "Mål i procent per målgrupp och steg" in page.text
    assert 'name="_csrf_token" value="' in page.text.split('action="/arbeta/planer/testplan/effektmal"')[1]
    sent = await post(
        client, GRID, {"_csrf_token": csrf_token(page.text), "target-chefer-L2": "55", "deadline": ""}
    )
    assert sent.status_code == 303
