"""A target group's name in the questionnaires' other languages: given through every door (plan file, Excel,
the plan's page, the API), kept by exports and copies, and shown to a respondent answering in that language.
The walk-through for Västra Götaland found English respondents picking among Swedish group names.
"""

from __future__ import annotations

import copy
import io
import re

import pytest

from surveys.accounts.users import Role
from surveys.db import engine as db
from surveys.errors import Invalid
from surveys.plans.plan_export import plan_definition, plan_toml
from surveys.plans.plan_file import parse_plan, read_plan_text, store_plan
from surveys.plans.plan_update import plan_changes
from surveys.plans.plan_workbook import plan_workbook, read_workbook
from tests.server.test_questionnaire_languages import multilingual
from tests.server.test_respondent import open_form
from tests.support import PLAN, csrf_token, make_wave, sign_in


def two_groups(**english: str) -> dict:
    plan = copy.deepcopy(PLAN)
    plan["target_groups"] = [
        {"code": "chefer", "name": "Chefer", "sizes": {"alby": 40, "region": 60}, **english},
        {"code": "medarbetare", "name": "Medarbetare i vården"},
    ]
    return plan


async def store(plan: dict) -> None:
    async with db.write_transaction():
        await store_plan(parse_plan(plan))


async def test_a_respondent_answering_in_english_picks_the_group_by_its_english_name(client):
    await store(two_groups(name_en="Managers", name_fi="Esihenkilöt"))
    await make_wave(questionnaire=multilingual(), target_groups=["chefer", "medarbetare"])
    english = await open_form(client, "/e/testomgang?lang=en")
    assert re.search(r'for="target_group-chefer"[^>]*>Managers</label>', english), english
    # No English name: the Swedish one, marked as Swedish for screen readers.
    assert re.search(r'for="target_group-medarbetare" lang="sv">Medarbetare i vården</label>', english)
    finnish = await open_form(client, "/e/testomgang?lang=fi")
    assert re.search(r'for="target_group-chefer" lang="fi">Esihenkilöt</label>', finnish)
    swedish = await open_form(client, "/e/testomgang")
    assert re.search(r'for="target_group-chefer"[^>]*>Chefer</label>', swedish)
    assert "Managers" not in swedish


async def test_the_wave_api_gives_the_group_names_in_each_language(client):
    await store(two_groups(name_en="Managers"))
    await make_wave(questionnaire=multilingual(), target_groups=["chefer", "medarbetare"])
    wave = (await client.get("/api/v1/waves/testomgang")).json()
    assert wave["translations"]["en"]["target_groups"] == [
        {"code": "chefer", "text": "Managers", "lang": "en"},
        {"code": "medarbetare", "text": "Medarbetare i vården", "lang": "sv"},
    ]
    assert {"code": "chefer", "name": "Chefer"} in wave["target_groups"]


async def test_the_plan_file_and_the_workbook_keep_the_names_in_other_languages(database):
    await store(two_groups(name_en="Managers"))
    definition = await plan_definition("testplan")
    assert definition.target_groups[0].names == {"en": "Managers"}
    toml = plan_toml(definition)
    assert 'name_en = "Managers"' in toml
    assert read_plan_text(toml).target_groups[0].names == {"en": "Managers"}
    assert read_workbook(plan_workbook(definition)).target_groups[0].names == {"en": "Managers"}


async def test_a_name_in_an_unknown_language_is_refused_with_its_entry(database):
    with pytest.raises(Invalid) as refused:
        parse_plan(two_groups(name_de="Führungskräfte"))
    message = " ".join(refused.value.errors.values())
    assert "de finns inte" in message and "en, fi, fit, se" in message


async def test_loading_a_plan_file_again_shows_a_changed_english_name(database):
    await store(two_groups(name_en="Managers"))
    changed = await plan_changes(parse_plan(two_groups(name_en="Line managers")))
    details = [d for change in changed.changes for d in change.details]
    assert any("Managers" in d and "Line managers" in d for d in details), details


async def test_the_plan_s_page_sets_and_clears_a_group_s_english_name(client):
    await store(two_groups())
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/planer/testplan/malgrupper")
    assert 'id="tg-chefer-name_en"' in page.text and 'lang="en"' in page.text
    fields = {
        "_csrf_token": csrf_token(page.text),
        "name": "Chefer",
        "description": "",
        "name_en": "Managers",
    }
    saved = await client.post("/arbeta/planer/testplan/malgrupper/chefer", data=fields)
    assert saved.status_code == 303, saved.text
    assert (await plan_definition("testplan")).target_groups[0].names == {"en": "Managers"}
    too_long = await client.post(
        "/arbeta/planer/testplan/malgrupper/chefer", data={**fields, "name_en": "x" * 301}
    )
    assert too_long.status_code == 422 and 'id="tg-chefer-name_en-error"' in too_long.text
    assert (await plan_definition("testplan")).target_groups[0].names == {"en": "Managers"}
    cleared = await client.post("/arbeta/planer/testplan/malgrupper/chefer", data={**fields, "name_en": " "})
    assert cleared.status_code == 303
    assert (await plan_definition("testplan")).target_groups[0].names == {}


async def test_the_api_sets_the_names_and_a_change_without_them_keeps_them(client):
    from tests.anonymity.collect import api_key

    await store(two_groups())
    key = await api_key(Role.COMMUNICATOR)
    added = await client.post(
        "/api/v1/plans/testplan/target-groups",
        json={"name": "Undersköterskor", "names": {"en": "Assistant nurses"}},
        headers=key,
    )
    assert added.status_code == 201, added.text
    code = added.json()["code"]
    renamed = await client.put(
        f"/api/v1/plans/testplan/target-groups/{code}",
        json={"name": "Undersköterskor i hemtjänsten"},
        headers=key,
    )
    assert renamed.status_code == 200, renamed.text
    plan = (await client.get("/api/v1/plans/testplan", headers=key)).json()
    group = next(g for g in plan["target_groups"] if g["code"] == code)
    assert group["names"] == {"en": "Assistant nurses"}
    refused = await client.put(
        f"/api/v1/plans/testplan/target-groups/{code}",
        json={"name": "Undersköterskor", "names": {"xx": "?"}},
        headers=key,
    )
    assert refused.status_code == 422 and "xx finns inte" in refused.text


def test_the_excel_template_has_a_column_for_each_language():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(plan_workbook()))
    headings = [c.value for c in book["Målgrupper"][1]]
    assert {"Namn på engelska", "Namn på finska", "Namn på meänkieli", "Namn på nordsamiska"} <= set(headings)
