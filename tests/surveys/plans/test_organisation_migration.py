"""The migration that gives every organisation its plan keeps existing data working, on both engines.

A database from before it, where two plans shared the organisation "region" by its code, with waves,
answers, known sizes, tallies and a release each: after it, each plan has an organisation of its own,
everything of the second plan points at its copy, the results' frozen counts too, and a new name in one
plan no longer reaches the other.
"""

from __future__ import annotations

import json
import uuid

import pytest
from piccolo.apps.migrations.commands.forwards import run_forwards

from surveys.db import engine as db
from surveys.plans.editing import rename_organisation
from tests.conftest import REQUIRE_POSTGRES, _postgres_admin, _postgres_available, _postgres_url

FIRST_OF_OURS = "2026-12-06T02:40:43:108680"


@pytest.fixture
async def old_database(engine_name, tmp_path):
    """A fresh database migrated up to the migration before this change; yields nothing else."""
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite'}"
        name = None
    else:
        if not await _postgres_available():
            if REQUIRE_POSTGRES:  # CI: the PostgreSQL half must run, never skip
                pytest.fail("PostgreSQL is not reachable")
            pytest.skip("PostgreSQL is not reachable")
        name = f"effekt_test_old_{uuid.uuid4().hex[:10]}"
        await _postgres_admin(f'CREATE DATABASE "{name}"')
        url = _postgres_url(name)
    db.use_database(url)
    await db.prepare_database()
    known = await db.known_migrations()
    before = known[known.index(FIRST_OF_OURS) - 1]
    result = await run_forwards(app_name="surveys", migration_id=before)
    assert result.success, result.message
    yield url
    if name:
        await _postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run(statement: str):
    return await db.current_engine().run_ddl(statement)


async def shared_region() -> None:
    """Two plans sharing "region" (and "alby" only in the first), each with a wave, answers and more."""
    statements = [
        "INSERT INTO plan (id, code, title) VALUES (1, 'vasternorrland', 'Västernorrland'), "
        "(2, 'vastra-gotaland', 'Västra Götaland')",
        "INSERT INTO organisation (id, code, name, kind) VALUES (1, 'region', 'Region Västernorrland', 'region'), "
        "(2, 'alby', 'Alby kommun', 'kommun')",
        "INSERT INTO plan_organisation (plan, organisation) VALUES (1, 1), (1, 2), (2, 1)",
        "INSERT INTO target_group (id, plan, code, name) VALUES (1, 1, 'chefer', 'Chefer'), (2, 2, 'chefer', 'Chefer')",
        "INSERT INTO target_group_size (target_group, organisation, size) VALUES (1, 1, 40), (2, 1, 90)",
        "INSERT INTO questionnaire (id, code, title, plan) VALUES (1, 'enkat', 'Enkät', 1)",
        "INSERT INTO questionnaire_version (id, questionnaire, number, title) VALUES (1, 1, 1, 'Enkät')",
        "INSERT INTO question (id, version, position, code, kind, text) VALUES (1, 1, 1, 'fri', 'text', 'Något?')",
        "INSERT INTO wave (id, slug, title, plan, version, opens_at, closes_at) VALUES "
        "(1, 'vn-1', 'VN 1', 1, 1, '2026-03-01 08:00:00+00', '2026-03-20 17:00:00+00'), "
        "(2, 'vg-1', 'VG 1', 2, 1, '2026-03-01 08:00:00+00', '2026-03-20 17:00:00+00')",
        "INSERT INTO wave_organisation (wave, organisation) VALUES (1, 1), (1, 2), (2, 1)",
        "INSERT INTO wave_target_group (wave, target_group) VALUES (1, 1), (2, 2)",
        "INSERT INTO response (id, wave, organisation, target_group, submitted_on, submission_key) VALUES "
        "(1024, 1, 1, 1, '2026-03-02', 'nyckel-a'), (2048, 2, 1, 2, '2026-03-02', 'nyckel-b')",
        "INSERT INTO answer (id, response, wave, organisation, target_group, question, text) VALUES "
        "(1025, 1024, 1, 1, 1, 1, 'A'), (2049, 2048, 2, 1, 2, 1, 'B')",
        "INSERT INTO response_tally (wave, organisation, target_group, respondents) VALUES (2, 1, 2, 7)",
        "INSERT INTO wave_release (wave, number, released_on, counts) VALUES "
        "(1, 1, '2026-03-21', '{\"respondents\": [[1, 1, 1]], \"answers\": []}'), "
        "(2, 1, '2026-03-21', '{\"respondents\": [[1, 2, 1]], \"answers\": [[1, 5, 1, 2, 1]]}')",
    ]
    for statement in statements:
        await run(statement)
    if db.current_engine().engine_type == "postgres":  # rows given their ids leave the counter behind
        await run("SELECT setval('organisation_id_seq', (SELECT MAX(id) FROM organisation))")


async def test_a_shared_organisation_becomes_one_per_plan_and_everything_follows_it(old_database):
    await shared_region()
    await db.migrate()
    rows = await run("SELECT id, code, name, plan, official_code FROM organisation ORDER BY id")
    assert [(r["code"], r["plan"], r["official_code"]) for r in rows] == [
        ("region", 1, "22"),  # named as the official list names it: its code, too
        ("alby", 1, ""),
        ("region", 2, "22"),
    ]
    copy = rows[2]["id"]
    assert copy not in (1, 2)
    for table in ("response", "answer", "response_tally", "wave_organisation"):
        second = await run(f"SELECT organisation FROM {table} WHERE wave = 2")
        assert {r["organisation"] for r in second} == {copy}, table
        first = await run(f"SELECT DISTINCT organisation FROM {table} WHERE wave = 1")
        assert copy not in {r["organisation"] for r in first}, table
    sizes = await run("SELECT target_group, organisation FROM target_group_size ORDER BY target_group")
    assert [(r["target_group"], r["organisation"]) for r in sizes] == [(1, 1), (2, copy)]
    links = await run("SELECT plan, organisation FROM plan_organisation ORDER BY plan, organisation")
    assert [(r["plan"], r["organisation"]) for r in links] == [(1, 1), (1, 2), (2, copy)]
    releases = {
        r["wave"]: r["counts"] if isinstance(r["counts"], dict) else json.loads(r["counts"])
        for r in await run("SELECT wave, counts FROM wave_release")
    }
    assert releases[1]["respondents"] == [[1, 1, 1]]
    assert releases[2] == {"respondents": [[copy, 2, 1]], "answers": [[1, 5, copy, 2, 1]]}

    await rename_organisation(2, "region", name="Västra Götalandsregionen", kind="region")
    names = await run("SELECT plan, name FROM organisation WHERE code = 'region' ORDER BY plan")
    assert [(r["plan"], r["name"]) for r in names] == [
        (1, "Region Västernorrland"),
        (2, "Västra Götalandsregionen"),
    ]


async def test_the_migrated_code_is_unique_only_within_its_plan(old_database):
    await db.migrate()
    await run("INSERT INTO plan (id, code, title) VALUES (1, 'a', 'A'), (2, 'b', 'B')")
    await run("INSERT INTO organisation (code, name, kind, plan) VALUES ('region', 'R1', 'region', 1)")
    await run("INSERT INTO organisation (code, name, kind, plan) VALUES ('region', 'R2', 'region', 2)")
    assert len(await run("SELECT id FROM organisation WHERE code = 'region'")) == 2
