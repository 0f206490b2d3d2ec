"""A questionnaire started from a plan's page: the plan chosen, a bank question ticked for each step its
goals measure, a code made from the title; and nobody makes or copies a questionnaire outside their plans."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from surveys.accounts.users import Role
from surveys.db.tables import Questionnaire
from surveys.questionnaires.designer import bank_entries
from tests.server.test_scopes import make_plan_b, signed_in
from tests.support import csrf_token, make_wave, sign_in


def ticked(page: str) -> list[str]:
    return re.findall(r'<input type="checkbox" id="bank-([^"]+)" name="bank" value="[^"]+" checked>', page)


async def test_a_plan_s_new_questionnaire_has_a_bank_question_for_each_step_of_its_goals(client):
    await make_wave()  # the test plan has one goal, on L1
    await sign_in(client, Role.COMMUNICATOR)
    page = (await client.get("/arbeta/enkater/ny", params={"plan": "testplan"})).text
    first_l1 = next(e.code for e in await bank_entries() if e.step == "L1" and e.template is not None)
    assert ticked(page) == [first_l1]
    assert 'value="testplan" selected' in page
    assert "redan vald" in page


async def test_a_new_questionnaire_without_a_code_gets_one_from_its_title(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = (await client.get("/arbeta/enkater/ny", params={"plan": "testplan"})).text
    form = {"_csrf_token": csrf_token(page), "title": "Uppföljning våren 2027", "plan": "testplan"}
    made = []
    for _ in range(2):
        response = await client.post("/arbeta/enkater/ny", data={**form, "bank": ticked(page)})
        assert response.status_code == 303, response.text
        made.append(response.headers["location"])
    assert made == [
        "/arbeta/enkater/uppfoljning-varen-2027/redigera?sparat=skapad",
        "/arbeta/enkater/uppfoljning-varen-2027-2/redigera?sparat=skapad",
    ]


async def test_a_communicator_of_plan_b_makes_questionnaires_for_plan_b_only(client):
    await make_wave()
    await make_plan_b()
    _user, token = await signed_in(client, Role.COMMUNICATOR, ["planb"])
    page = await client.get("/arbeta/enkater/ny", params={"plan": "planb"})
    assert page.status_code == 200 and "Plan B" in page.text and 'value="testplan"' not in page.text
    assert (await client.get("/arbeta/enkater/ny", params={"plan": "testplan"})).status_code == 404
    assert (await client.get("/arbeta/enkater/ny", params={"kopia": "testenkat"})).status_code == 404
    form = {"_csrf_token": token, "title": "Kapad", "bank": ticked(page.text) or ["x"]}
    refused = [
        await client.post("/arbeta/enkater/ny", data={**form, "plan": "testplan"}),
        await client.post("/arbeta/enkater/ny", data={**form, "plan": "planb", "copy_of": "testenkat"}),
    ]
    assert [r.status_code for r in refused] == [404, 404]
    assert not await Questionnaire.exists().where(Questionnaire.title.like("Kapad%"))
    own = await client.post("/arbeta/enkater/ny", data={**form, "plan": "planb", "code": "egen"})
    assert own.status_code == 303, own.text
    assert await Questionnaire.exists().where(Questionnaire.code == "egen")


async def test_a_new_wave_opens_now_with_a_title_to_keep(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = (await client.get("/arbeta/omgangar/ny", params={"plan": "testplan"})).text
    title = re.search(r'id="title" name="title"[^>]*value="([^"]*)"', page)
    assert title and title.group(1).startswith("Mätomgång ")
    opens = re.search(r'id="opens" name="opens"[^>]*value="([^"]*)"', page).group(1)
    closes = re.search(r'id="closes" name="closes"[^>]*value="([^"]*)"', page).group(1)
    assert opens < closes and closes.endswith("T17:00")
    now = datetime.now(ZoneInfo("Europe/Stockholm"))
    assert abs(datetime.fromisoformat(opens).replace(tzinfo=now.tzinfo) - now) < timedelta(minutes=2)
