"""The same rules at every door: what a plan file may not hold, the plan pages and the API refuse too,
with a Swedish message on the field and nothing stored; and a plan loaded from a file shows on every page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from surveys.accounts.users import Role, create_token
from surveys.db.tables import Activity, EffectGoal, TargetGroupSize
from surveys.plans.plan_file import load_plan, load_plan_file
from tests.support import csrf_token, make_wave, sign_in
from tests.surveys.plans.test_plan_rules import BAD_VALUES, write

ROOT = Path(__file__).resolve().parents[2]
API = "/api/v1/plans/testplan"
PLAN = "/arbeta/planer/testplan"


async def api_headers(client) -> dict[str, str]:
    await make_wave()
    account = await sign_in(client, Role.COMMUNICATOR)
    return {"authorization": f"Bearer {await create_token(account.id, 'regler')}"}


async def stored() -> tuple:
    return (
        await Activity.select().order_by(Activity.id),
        await EffectGoal.select().order_by(EffectGoal.id),
        await TargetGroupSize.select().order_by(TargetGroupSize.id),
    )


ACTIVITY = {"title": "Nyhet", "starts_on": "2026-03-01", "step": "L1", "status": "planerad"}

# The editor's twin of each value the file door refuses (tests/surveys/plans/test_plan_rules.py).
ACTIVITY_CASES = [
    ({"step": "L9"}, "step", "Välj vilket steg aktiviteten ska påverka."),
    ({"status": "whatever"}, "status", "Välj planerad, pågår, genomförd eller inställd."),
    ({"starts_on": "31 mars 2026"}, "starts_on", "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ({"ends_on": "2026-02-01"}, "ends_on", "Slutdatumet kan inte vara före startdatumet."),
    ({"code": "Nyhet om planen"}, "code", "Koden får bara innehålla små bokstäver"),
]
GOAL_CASES = [
    ({"deadline": "31 december 2027"}, "deadline", "Skriv datumet som ÅÅÅÅ-MM-DD"),
    ({"target": "0,005"}, "target", "Skriv målet i procent, ett tal mellan 1 och 100"),
    ({"target": 101}, "target", "Skriv målet i procent, ett tal mellan 1 och 100"),
    ({"target": "sjuttio"}, "target", "Skriv målet i procent, ett tal mellan 1 och 100"),
]


@pytest.mark.parametrize(("change", "field", "message"), ACTIVITY_CASES)
async def test_the_api_refuses_an_activity_value_a_plan_file_may_not_hold(client, change, field, message):
    headers = await api_headers(client)
    before = await stored()
    response = await client.post(f"{API}/activities", json={**ACTIVITY, **change}, headers=headers)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert message in response.json()["errors"][field]
    assert await stored() == before


@pytest.mark.parametrize(("change", "field", "message"), ACTIVITY_CASES)
async def test_the_activity_page_refuses_a_value_a_plan_file_may_not_hold(client, change, field, message):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    token = csrf_token((await client.get(f"{PLAN}/aktiviteter/ny")).text)
    before = await stored()
    response = await client.post(f"{PLAN}/aktiviteter", data={"_csrf_token": token, **ACTIVITY, **change})
    assert response.status_code == 422
    assert message in response.text
    assert await stored() == before


@pytest.mark.parametrize(("change", "field", "message"), GOAL_CASES)
async def test_the_api_refuses_a_goal_value_a_plan_file_may_not_hold(client, change, field, message):
    headers = await api_headers(client)
    goal = await EffectGoal.select().first()
    before = await stored()
    body = {"target": 70, "wording": "Känna till planen.", "deadline": "2027-12-31", **change}
    response = await client.put(f"{API}/goals/{goal['id']}", json=body, headers=headers)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert message in response.json()["errors"][field]
    assert await stored() == before


async def test_the_goal_form_refuses_a_target_below_one_percent_as_a_file_does(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get(PLAN)
    goal = await EffectGoal.select().first()
    response = await client.post(
        f"{PLAN}/mal/{goal['id']}",
        data={
            "_csrf_token": csrf_token(page.text),
            "target": "0,005",
            "deadline": "",
            "wording": "Känna till.",
        },
    )
    assert response.status_code == 422 and "Skriv målet i procent" in response.text
    assert (await EffectGoal.select().first())["target_share"] == goal["target_share"]


async def test_the_api_refuses_a_size_larger_than_a_plan_file_may_hold(client):
    headers = await api_headers(client)
    before = await stored()
    response = await client.put(
        f"{API}/target-groups/chefer/sizes",
        json={"sizes": {"alby": 20_000_000, "region": 60}},
        headers=headers,
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["alby"]
    assert "Skriv antalet som ett heltal" in response.json()["errors"]["alby"]
    assert await stored() == before


async def test_a_goal_that_is_not_in_the_plan_is_a_json_not_found(client):
    headers = await api_headers(client)
    body = {"target": 70, "wording": "Känna till planen."}
    response = await client.put(f"{API}/goals/999999", json=body, headers=headers)
    assert response.status_code == 404
    assert response.json()["detail"] == "Effektmålet finns inte i den här planen."


async def test_an_unknown_plan_is_named_by_the_api_and_the_pages(client):
    headers = await api_headers(client)
    api = await client.get("/api/v1/plans/finns-inte", headers=headers)
    assert api.status_code == 404 and api.json()["detail"] == "Det finns ingen plan med koden finns-inte."
    for path in ("/arbeta/planer/finns-inte/kanaler", "/arbeta/planer/finns-inte/rackvidd"):
        page = await client.get(path)
        assert page.status_code == 404 and "Det finns ingen plan med koden finns-inte." in page.text


async def test_every_page_of_a_plan_loaded_from_a_valid_file_answers(client, tmp_path):
    await load_plan(load_plan_file(write(tmp_path)))
    account = await sign_in(client, Role.ADMIN)
    headers = {"authorization": f"Bearer {await create_token(account.id, 'sidor')}"}
    base = "/arbeta/planer/filplan"
    pages = [
        base,
        *(
            f"{base}/{page}"
            for page in (
                "organisationer",
                "kanaler",
                "aktiviteter/ny",
                "aktiviteter/nyhet",
                "malgrupper",
                "storlekar",
                "storlekar/mall.csv",
                "rackvidd/poster",
                "rackvidd",
            )
        ),
        "/resultat/filplan",
        "/resultat/filplan/moten",
        "/resultat/filplan/aktiviteter",
        "/resultat/filplan/malgrupper/chefer",
    ]
    for path in pages:
        response = await client.get(path)
        assert response.status_code == 200, path
    assert "Nyhet om planen" in (await client.get(base)).text
    detail = await client.get("/api/v1/plans/filplan", headers=headers)
    assert detail.status_code == 200 and detail.json()["goals"][0]["deadline"] == "2027-12-31"


def effekt(*args: str, database: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EFFEKT_", "LANG", "LC_"))}
    env.update({"EFFEKT_DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT)})
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_the_command_line_names_each_problem_of_a_plan_file_on_its_own_line_and_stores_nothing(tmp_path):
    database = tmp_path / "cli.sqlite"
    changes = {
        **BAD_VALUES["an activity status that does not exist"][0],
        **BAD_VALUES["a deadline in words"][0],
    }
    refused = effekt("load-plan", str(write(tmp_path, **changes)), database=database)
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert lines[0] == "effekt: Planfilen har fel och lästes inte in. Inget sparades."
    assert lines[1].startswith(
        "  effektmål 1 (deadline, rad 21): Skriv datumet som ÅÅÅÅ-MM-DD utan citattecken"
    )
    assert lines[2] == "  aktivitet 1 (status, rad 36): Välj planerad, pågår, genomförd eller inställd."
    loaded = effekt("load-plan", str(write(tmp_path)), database=database)
    assert loaded.returncode == 0, loaded.stderr
    again = effekt("load-plan", str(write(tmp_path)), database=database)
    assert again.returncode == 0
    assert again.stdout.strip() == "Planen filplan finns redan och filen ändrar ingenting."


def test_the_command_line_shows_a_changed_plan_file_first_and_applies_it_with_apply(tmp_path):
    database = tmp_path / "cli.sqlite"
    assert effekt("load-plan", str(write(tmp_path)), database=database).returncode == 0
    changed = tmp_path / "andrad.toml"
    changed.write_text(
        write(tmp_path).read_text(encoding="utf-8").replace('name = "Chefer"', 'name = "Alla chefer"'),
        encoding="utf-8",
    )
    shown = effekt("load-plan", str(changed), database=database)
    assert shown.returncode == 0, shown.stderr
    assert "Ändras:\n  Målgrupp: Alla chefer\n    Namn: Chefer → Alla chefer" in shown.stdout
    assert "--apply" in shown.stdout
    exported = effekt("export-plan", "filplan", database=database)
    assert 'name = "Chefer"' in exported.stdout  # nothing changed yet
    applied = effekt("load-plan", str(changed), "--apply", database=database)
    assert applied.returncode == 0 and "Planen filplan är ändrad." in applied.stdout
    assert 'name = "Alla chefer"' in effekt("export-plan", "filplan", database=database).stdout
    workbook = tmp_path / "plan.xlsx"
    assert effekt("export-plan", "filplan", "--output", str(workbook), database=database).returncode == 0
    assert workbook.read_bytes()[:2] == b"PK"
    assert "ändrar ingenting" in effekt("load-plan", str(workbook), database=database).stdout
