"""The results API: for signed-in roles only, and never a number that disclosure control hides."""

from __future__ import annotations

import uuid

from surveys.accounts.users import Role, create_token, create_user, revoke_token
from surveys.db.tables import ApiToken

URL = "/api/v1/plans/vasternorrland-2026/results"


async def token_for(role: Role) -> tuple[int, str]:
    account = await create_user(f"{role.value}-{uuid.uuid4().hex[:8]}@example.se", "ett-langt-losenord", role)
    return account.id, await create_token(account.id, "test")


async def test_results_need_an_api_key(demo_client):
    response = await demo_client.get(URL)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "API-nyckel" in response.json()["detail"]


async def test_a_made_up_key_is_refused(demo_client):
    response = await demo_client.get(URL, headers={"authorization": "Bearer ek_nonsense"})
    assert response.status_code == 401


async def test_a_reader_gets_the_results(demo_client):
    _user, token = await token_for(Role.READER)
    response = await demo_client.get(URL, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["plan"] == "vasternorrland-2026"
    assert len(body["goals"]) == 15
    assert {w["slug"] for w in body["waves"]} >= {"omgang-1-2026", "omgang-3-2026"}


async def test_a_revoked_key_stops_working(demo_client):
    user_id, token = await token_for(Role.COMMUNICATOR)
    assert (await demo_client.get(URL, headers={"authorization": f"Bearer {token}"})).status_code == 200
    token_id = (await ApiToken.select(ApiToken.id).where(ApiToken.user == user_id).first())["id"]
    assert await revoke_token(user_id, token_id)
    assert (await demo_client.get(URL, headers={"authorization": f"Bearer {token}"})).status_code == 401


async def test_an_unknown_plan_is_not_found(demo_client):
    _user, token = await token_for(Role.ADMIN)
    response = await demo_client.get(
        "/api/v1/plans/finns-inte/results", headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 404


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


async def test_no_hidden_group_carries_a_number(demo_client):
    _user, token = await token_for(Role.READER)
    body = (await demo_client.get(URL, headers={"authorization": f"Bearer {token}"})).json()
    hidden = 0
    for path, node in _walk(body):
        if node.get("hidden"):
            hidden += 1
            assert node.get("estimate") is None, path
            assert node["hidden"]["text"], path
        estimate = node.get("estimate") if isinstance(node.get("estimate"), dict) else None
        if estimate and estimate["base"]:
            assert estimate["base"] >= body["min_group_size"], path
    assert hidden > 0, "the demo has hidden groups; the check above must have seen some"


async def test_every_goal_status_comes_with_its_response_rate_worst_case_and_verdict(demo_client):
    _user, token = await token_for(Role.READER)
    body = (await demo_client.get(URL, headers={"authorization": f"Bearer {token}"})).json()
    sizes = {g["code"]: g["population"] for g in body["target_groups"]}
    judged = 0
    for goal in body["goals"]:
        for wave in goal["waves"]:
            if wave["status"] is None:
                continue
            judged += 1
            assert wave["verdict"], (goal["id"], wave["wave"])
            assert not wave["preliminary"]
            if sizes[goal["target_group"]]:
                assert 0 < wave["response_rate"] <= 1
                bounds = wave["nonresponse_bounds"]
                assert bounds["low"] <= wave["estimate"]["share"] <= bounds["high"]
                if wave["response_rate"] < 0.6:
                    assert "low_response" in {n["code"] for n in wave["notes"]}
                    assert any(s.startswith("Bara ") for s in wave["verdict"])
            for note in wave["notes"]:
                assert note["code"] and note["text"]
    assert judged > 20


async def test_a_change_across_a_changed_population_says_so_in_the_api(demo_client):
    _user, token = await token_for(Role.READER)
    body = (await demo_client.get(URL, headers={"authorization": f"Bearer {token}"})).json()
    changed = [
        w["change"]
        for g in body["goals"]
        for w in g["waves"]
        if w["change"] and w["change"]["population_changed"]
    ]
    assert changed, "the demo's top management covers 61 people, then 57 when Ånge has no answers"
    for change in changed:
        assert change["since_population"] is not None
    for goal in body["goals"]:
        for wave in goal["waves"]:
            codes = {n["code"] for n in wave["notes"]}
            assert ("population_changed" in codes) == bool(
                wave["change"] and wave["change"]["population_changed"]
            )


async def test_organisations_carry_a_response_rate_from_their_rounded_counts(demo_client):
    _user, token = await token_for(Role.READER)
    body = (await demo_client.get(URL, headers={"authorization": f"Bearer {token}"})).json()
    seen = 0
    for goal in body["goals"]:
        for wave in goal["waves"]:
            for organisation in wave["organisations"]:
                estimate = organisation["estimate"]
                if estimate and estimate["response_rate"] is not None:
                    seen += 1
                    assert estimate["respondents"] % 5 == 0
                    assert 0 <= estimate["response_rate"] <= 1
    assert seen > 0


async def test_the_planning_figures_of_the_next_wave(demo_client):
    _user, token = await token_for(Role.READER)
    response = await demo_client.get(
        "/api/v1/plans/vasternorrland-2026/planning", headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["power"], body["margin"]) == (0.8, 0.1)
    assert len(body["goals"]) == 15
    leaders = next(g for g in body["goals"] if g["target_group"] == "hogsta-ledning" and g["step"] == "L1")
    assert leaders["population"] == 61
    assert leaders["basis_wave"] == "omgang-3-2026"
    assert 0 < leaders["detectable_change"] < 0.5
    assert leaders["needed_for_margin"] <= 61
    assert leaders["needed_to_judge"] is None or leaders["needed_to_judge"] <= 61


async def test_the_planning_figures_need_an_api_key(demo_client):
    response = await demo_client.get("/api/v1/plans/vasternorrland-2026/planning")
    assert response.status_code == 401
