"""Roles granted per plan and per organisation: what a curious insider of another plan or organisation
tries, through pages, the API and keys, and how grants are given (command line, administrator's page)."""

from __future__ import annotations

import copy
import uuid

import pytest

from surveys.accounts.users import Role, create_token, create_user, grants_of, set_active
from surveys.db import engine as db
from surveys.db.tables import EffectGoal, Plan, User, Wave
from surveys.plans.plan_file import parse_plan, store_plan
from tests.support import PLAN, QUESTIONNAIRE, csrf_token, make_wave, release

PASSWORD = "ett-langt-losenord"


async def make_plan_b() -> None:
    other = copy.deepcopy(PLAN)
    other["plan"] = {"code": "planb", "title": "Plan B"}
    async with db.write_transaction():
        await store_plan(parse_plan(other))


async def scoped_user(role: Role, plans=(), organisations=()) -> tuple[str, int]:
    name = f"{role.value}-{uuid.uuid4().hex[:8]}@example.se"
    async with db.write_transaction():
        account = await create_user(
            name, PASSWORD, role, plans=list(plans), organisations=list(organisations)
        )
    return name, account.id


async def sign_in_as(client, name: str, next_page: str = "/arbeta"):
    page = await client.get("/logga-in")
    return await client.post(
        "/logga-in",
        data={
            "_csrf_token": csrf_token(page.text),
            "username": name,
            "password": PASSWORD,
            "next": next_page,
        },
    )


async def signed_in(client, role: Role, plans=(), organisations=()) -> tuple[int, str]:
    """A scoped user signed in on `client`; returns their id and a CSRF token of their session."""
    name, user_id = await scoped_user(role, plans, organisations)
    assert (await sign_in_as(client, name)).status_code == 303
    return user_id, csrf_token((await client.get("/konto")).text)


@pytest.fixture
async def two_plans():
    await make_wave()
    await make_plan_b()
    await release()


async def test_a_communicator_of_plan_b_cannot_edit_plan_a_through_a_page(client, two_plans):
    _user, token = await signed_in(client, Role.COMMUNICATOR, ["planb"])
    before = await EffectGoal.count().where(EffectGoal.plan.code == "testplan")
    response = await client.post(
        "/arbeta/planer/testplan/mal",
        data={
            "_csrf_token": token,
            "target_group": "chefer",
            "step": "L1",
            "target": "50",
            "wording": "Nytt",
        },
    )
    assert response.status_code == 404
    assert await EffectGoal.count().where(EffectGoal.plan.code == "testplan") == before
    assert (await client.get("/arbeta/planer/testplan")).status_code == 404
    # … and gets exactly what a plan that does not exist gets: nothing tells A exists.
    assert (await client.get("/arbeta/planer/finns-inte")).text.count("ingår det inte") == 1
    assert (await client.get("/arbeta/planer/planb")).status_code == 200


async def test_a_communicator_of_plan_b_cannot_edit_or_run_plan_a_through_the_api(client, two_plans):
    _name, user_id = await scoped_user(Role.COMMUNICATOR, ["planb"])
    key = {"authorization": f"Bearer {await create_token(user_id, 'b')}"}
    response = await client.put("/api/v1/plans/testplan", json={"title": "Kapad"}, headers=key)
    assert response.status_code == 404
    assert (await Plan.select(Plan.title).where(Plan.code == "testplan").first())["title"] == "Testplanen"
    assert (await client.post("/api/v1/waves/testomgang/releases", headers=key)).status_code == 404
    assert (await client.delete("/api/v1/plans/testplan/waves/testomgang", headers=key)).status_code == 404
    assert await Wave.exists().where(Wave.slug == "testomgang")


async def test_a_communicator_of_plan_b_cannot_close_plan_a_s_wave(client, two_plans):
    _user, token = await signed_in(client, Role.COMMUNICATOR, ["planb"])
    response = await client.post("/arbeta/omgangar/testomgang/stang", data={"_csrf_token": token})
    assert response.status_code == 404
    assert not (await Wave.select(Wave.closed_early).where(Wave.slug == "testomgang").first())["closed_early"]
    assert (await client.get("/arbeta/omgangar/testomgang")).status_code == 404


async def test_a_reader_of_plan_b_reads_nothing_of_plan_a(client, two_plans):
    await signed_in(client, Role.READER, ["planb"])
    for path in (
        "/resultat/testplan",
        "/resultat/testplan/fragor",
        "/resultat/testplan/malgrupper/chefer",
        "/resultat/testplan/moten",
        "/resultat/testplan/export/xlsx",
        "/resultat/testplan/aktiviteter",
    ):
        assert (await client.get(path)).status_code == 404, path
    assert (await client.get("/resultat/planb")).status_code == 200


async def test_a_reader_of_plan_b_cannot_open_plan_a_s_meeting_or_pack(client, two_plans):
    from surveys.db.tables import Meeting

    async with db.write_transaction():
        meeting = await Meeting.insert(
            Meeting(
                plan=(await Plan.select(Plan.id).where(Plan.code == "testplan").first())["id"], title="Möte"
            )
        ).returning(Meeting.id)
    meeting_id = meeting[0]["id"]
    await signed_in(client, Role.READER, ["planb"])
    assert (await client.get(f"/resultat/testplan/moten/{meeting_id}")).status_code == 404
    assert (await client.get(f"/resultat/testplan/moten/{meeting_id}/motespaket/html")).status_code == 404
    # Plan A's meeting under plan B's address is not plan B's meeting either.
    assert (await client.get(f"/resultat/planb/moten/{meeting_id}")).status_code == 404


async def test_a_communicator_of_plan_b_reads_no_free_text_of_plan_a(client, two_plans):
    await signed_in(client, Role.COMMUNICATOR, ["planb"])
    assert (await client.get("/resultat/testplan/fragor/fritext/fritext")).status_code == 404


async def test_an_api_key_carries_its_owner_s_plans(client, two_plans):
    _name, user_id = await scoped_user(Role.READER, ["planb"])
    key = {"authorization": f"Bearer {await create_token(user_id, 'b')}"}
    plans = (await client.get("/api/v1/plans", headers=key)).json()
    assert [p["code"] for p in plans] == ["planb"]
    assert (await client.get("/api/v1/plans/testplan/results", headers=key)).status_code == 404
    assert (await client.get("/api/v1/plans/testplan/questions", headers=key)).status_code == 404
    assert (await client.get("/api/v1/plans/planb/results", headers=key)).status_code == 200
    # … and a script can ask which plans its key covers.
    me = (await client.get("/api/v1/me", headers=key)).json()
    assert me["grants"] == [{"plan": "planb", "organisation": None}]


async def test_the_api_tells_a_key_of_no_grants_that_it_covers_every_plan(client, two_plans):
    _name, user_id = await scoped_user(Role.READER)
    key = {"authorization": f"Bearer {await create_token(user_id, 'alla')}"}
    assert (await client.get("/api/v1/me", headers=key)).json()["grants"] == []


async def test_lists_show_only_the_plans_in_scope(client, two_plans):
    await signed_in(client, Role.COMMUNICATOR, ["planb"])
    workspace = (await client.get("/arbeta")).text
    assert "Plan B" in workspace
    assert "Testplanen" not in workspace and "testomgang" not in workspace
    response = await client.get("/resultat")
    assert response.status_code == 303 and response.headers["location"] == "/resultat/planb"


async def test_a_communicator_of_plan_b_sees_none_of_plan_a_s_questionnaires(client, two_plans):
    from surveys.plans.lookup import plan_row
    from surveys.questionnaires.model import parse_questionnaire
    from surveys.questionnaires.storage import store_questionnaire

    own = {**QUESTIONNAIRE, "code": "b-enkat", "title": "Plan B:s enkät"}
    async with db.write_transaction():
        await store_questionnaire(parse_questionnaire(own), plan_id=(await plan_row("planb"))["id"])
    await signed_in(client, Role.COMMUNICATOR, ["planb"])
    for page in ("/arbeta/enkater", "/arbeta/enkater/ny", "/arbeta/fragebank"):
        text = (await client.get(page)).text
        assert "Plan B:s enkät" in text, page
        assert "Testenkäten" not in text and "testenkat" not in text, page
    # The bank page adds to a questionnaire named in its address: another plan's is not found.
    assert (await client.get("/arbeta/fragebank?enkat=testenkat")).status_code == 404
    assert (await client.get("/arbeta/fragebank?enkat=b-enkat")).status_code == 200
    # Reading in a file may reach any plan's questionnaire: the form is not offered.
    assert 'action="/arbeta/enkater"' not in (await client.get("/arbeta/enkater")).text


async def test_an_unscoped_role_still_covers_every_plan(client, two_plans):
    await signed_in(client, Role.READER)
    assert (await client.get("/resultat/testplan")).status_code == 200
    assert (await client.get("/resultat/planb")).status_code == 200


async def test_a_scoped_person_lands_on_the_start_page_not_on_another_plan(client, two_plans):
    name, _user = await scoped_user(Role.COMMUNICATOR, ["planb"])
    response = await sign_in_as(client, name, "/arbeta/planer/testplan")
    assert response.headers["location"] == "/"
    await client.post("/logga-ut", data={"_csrf_token": csrf_token((await client.get("/konto")).text)})
    response = await sign_in_as(client, name, "/arbeta/planer/planb")
    assert response.headers["location"] == "/arbeta/planer/planb"


async def test_a_scoped_communicator_may_not_make_or_import_plans(client, two_plans):
    _user, token = await signed_in(client, Role.COMMUNICATOR, ["planb"])
    assert (await client.get("/arbeta/planer/ny")).status_code == 403
    response = await client.post(
        "/arbeta/planer/ny", data={"_csrf_token": token, "code": "ny", "title": "Ny"}
    )
    assert response.status_code == 403
    assert not await Plan.exists().where(Plan.code == "ny")


async def test_a_scoped_communicator_may_not_start_a_wave_in_another_plan(client, two_plans):
    _user, token = await signed_in(client, Role.COMMUNICATOR, ["planb"])
    assert (await client.get("/arbeta/omgangar/ny?plan=testplan")).status_code == 404
    response = await client.post(
        "/arbeta/omgangar/ny",
        data={"_csrf_token": token, "plan": "testplan", "questionnaire": "testenkat", "slug": "kapad"},
    )
    assert response.status_code == 404
    assert not await Wave.exists().where(Wave.slug == "kapad")


# --- organisation grants ---------------------------------------------------------------------------


async def test_an_organisation_communicator_may_not_edit_the_plan_s_goals(client, two_plans):
    _user, token = await signed_in(client, Role.COMMUNICATOR, ["testplan"], ["alby"])
    goal = (await EffectGoal.select(EffectGoal.id).where(EffectGoal.plan.code == "testplan").first())["id"]
    response = await client.post(
        f"/arbeta/planer/testplan/mal/{goal}",
        data={
            "_csrf_token": token,
            "target_group": "chefer",
            "step": "L1",
            "target": "10",
            "wording": "Ändrat",
        },
    )
    assert response.status_code == 403
    assert (await EffectGoal.select(EffectGoal.wording).where(EffectGoal.id == goal).first())[
        "wording"
    ] == "Känna till planen."
    assert (await client.get("/arbeta/planer/testplan/organisationer")).status_code == 403


async def test_an_organisation_communicator_runs_the_plan_s_waves(client, two_plans):
    _user, token = await signed_in(client, Role.COMMUNICATOR, ["testplan"], ["alby"])
    page = await client.get("/arbeta/omgangar/testomgang")
    assert page.status_code == 200
    assert '<th scope="row">Alby kommun</th>' in page.text
    assert '<th scope="row">Regionen</th>' not in page.text  # the other organisation's progress is hidden
    response = await client.post("/arbeta/omgangar/testomgang/stang", data={"_csrf_token": token})
    assert response.status_code == 303
    assert (await Wave.select(Wave.closed_early).where(Wave.slug == "testomgang").first())["closed_early"]


async def test_an_organisation_communicator_reads_only_its_own_organisation_s_free_text(client, two_plans):
    await signed_in(client, Role.COMMUNICATOR, ["testplan"], ["alby"])
    assert (
        await client.get("/resultat/testplan/fragor/fritext/fritext?organisation=region")
    ).status_code == 403
    assert (await client.get("/resultat/testplan/fragor/fritext/fritext")).status_code == 403
    own = await client.get("/resultat/testplan/fragor/fritext/fritext?organisation=alby")
    assert own.status_code != 403
    assert (await client.get("/resultat/testplan/fragor/korstabell?organisation=region")).status_code == 403


async def test_an_organisation_reader_reads_the_plan_s_published_results(client, two_plans):
    user_id, _token = await signed_in(client, Role.READER, ["testplan"], ["alby"])
    assert (await client.get("/resultat/testplan")).status_code == 200
    key = {"authorization": f"Bearer {await create_token(user_id, 'org')}"}
    assert (await client.get("/api/v1/plans/testplan/results", headers=key)).status_code == 200
    texts = "/api/v1/plans/testplan/questions/fritext/texts"
    assert (await client.get(f"{texts}?organisation=region", headers=key)).status_code == 403
    assert (await client.get("/resultat/planb")).status_code == 404


# --- giving grants ---------------------------------------------------------------------------------


async def test_grants_survive_switching_the_account_off_and_on(client, two_plans):
    _name, user_id = await scoped_user(Role.READER, ["planb"])
    await set_active(user_id, False)
    await set_active(user_id, True)
    assert [g.plan for g in (await grants_of([user_id]))[user_id]] == ["planb"]


async def test_a_deleted_plan_leaves_its_people_with_nothing_not_everything(client, two_plans):
    from surveys.plans.creation import delete_plan

    _name, whole = await scoped_user(Role.READER, ["planb"])
    _name, local = await scoped_user(Role.READER, ["planb"], ["alby"])
    await delete_plan("planb")
    grants = await grants_of([whole, local])
    assert [g.gone for g in grants[whole]] == [True]
    assert [g.gone for g in grants[local]] == [True]


async def test_an_administrator_gets_no_grants(client, two_plans):
    from surveys.errors import Invalid

    with pytest.raises(Invalid) as refused:
        await scoped_user(Role.ADMIN, ["planb"])
    assert "alla planer" in refused.value.errors["plans"]


async def test_an_administrator_grants_and_lifts_plans_on_the_user_s_page(client, two_plans):
    from tests.support import sign_in

    await sign_in(client, Role.ADMIN)
    token = csrf_token((await client.get("/konto")).text)
    _name, user_id = await scoped_user(Role.COMMUNICATOR)
    page = f"/admin/anvandare/{user_id}"
    response = await client.post(
        f"{page}/behorighet", data={"_csrf_token": token, "plans": "testplan", "organisations": "alby region"}
    )
    assert response.status_code == 303
    assert [(g.plan, g.organisation) for g in (await grants_of([user_id]))[user_id]] == [
        ("testplan", "alby"),
        ("testplan", "region"),
    ]
    assert "plan testplan: alby, region" in (await client.get("/admin/anvandare")).text
    refused = await client.post(f"{page}/behorighet", data={"_csrf_token": token, "plans": "finns-inte"})
    assert refused.status_code == 422
    assert "Det finns ingen plan med koden finns-inte" in refused.text
    assert len((await grants_of([user_id]))[user_id]) == 2  # unchanged
    lifted = await client.post(f"{page}/behorighet", data={"_csrf_token": token, "plans": ""})
    assert lifted.status_code == 303
    assert await grants_of([user_id]) == {}


async def test_an_administrator_makes_a_user_for_one_plan(client, two_plans):
    from tests.support import sign_in

    await sign_in(client, Role.ADMIN)
    token = csrf_token((await client.get("/konto")).text)
    fields = {"_csrf_token": token, "username": "lan@example.se", "role": "lasare", "password": PASSWORD}
    refused = await client.post("/admin/anvandare", data={**fields, "plans": "planb", "organisations": "x"})
    assert refused.status_code == 422
    assert "ingen organisation med koden x" in refused.text
    assert not await User.exists().where(User.username == "lan@example.se")
    made = await client.post("/admin/anvandare", data={**fields, "plans": "planb"})
    assert made.status_code == 303
    user = await User.select(User.id).where(User.username == "lan@example.se").first()
    assert [g.plan for g in (await grants_of([user["id"]]))[user["id"]]] == ["planb"]
