"""Each organisation to its plan: the data move after the columns of the migration before this one.

An organisation used by one plan (linked to it, or in its waves, answers or known sizes) becomes that plan's.
One that several plans shared by its code stays with the first of them, and every other plan gets a copy
of its own: that plan's links, waves, answers, tallies, sizes and released counts move to the copy, so its
results stay as they were. An organisation that names a municipality or region exactly as the official list
does ("Härnösands kommun", "Region Västernorrland") gets its official code (surveys/plans/official.py).
"""

import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from surveys.plans.official import match

ID = "2026-12-06T02:40:44:000000"
VERSION = "1.38.0"
DESCRIPTION = "Each organisation belongs to its plan; shared ones copied per plan"

# (table, how a row of it reaches its plan): every table that refers to an organisation.
_WAVE_PLAN = "(SELECT plan FROM wave WHERE wave.id = {table}.wave)"
USES = (
    ("plan_organisation", "plan_organisation.plan"),
    (
        "target_group_size",
        "(SELECT plan FROM target_group WHERE target_group.id = target_group_size.target_group)",
    ),
    ("wave_organisation", _WAVE_PLAN.format(table="wave_organisation")),
    ("response", _WAVE_PLAN.format(table="response")),
    ("answer", _WAVE_PLAN.format(table="answer")),
    ("response_tally", _WAVE_PLAN.format(table="response_tally")),
    ("answer_tally", _WAVE_PLAN.format(table="answer_tally")),
)


async def _run(statement: str):
    return await engine_finder().run_ddl(statement)


async def _plans_of(organisation: int) -> list[int]:
    plans: set[int] = set()
    for table, plan in USES:
        rows = await _run(
            f"SELECT DISTINCT {plan} AS plan FROM {table} WHERE organisation = {int(organisation)}"
        )
        plans |= {row["plan"] for row in rows if row["plan"] is not None}
    return sorted(plans)


async def _move(organisation: int, plan: int, copy: int) -> None:
    """Point everything of `plan` that names `organisation` at `copy` instead."""
    old, new = int(organisation), int(copy)
    for table, owner in USES:
        await _run(
            f"UPDATE {table} SET organisation = {new} WHERE organisation = {old} AND {owner} = {int(plan)}"
        )
    releases = await _run(
        f"SELECT id, counts FROM wave_release WHERE wave IN (SELECT id FROM wave WHERE plan = {int(plan)})"
    )
    for release in releases:
        counts = release["counts"]
        counts = json.loads(counts) if isinstance(counts, str) else counts
        for row in counts.get("respondents", []):
            row[0] = new if row[0] == old else row[0]
        for row in counts.get("answers", []):
            row[2] = new if row[2] == old else row[2]
        text = json.dumps(counts).replace("'", "''")
        await _run(f"UPDATE wave_release SET counts = '{text}' WHERE id = {int(release['id'])}")


async def organisations_to_their_plans():
    for row in await _run("SELECT id, name, kind, official_code FROM organisation ORDER BY id"):
        organisation = row["id"]
        found = match(row["name"], row["kind"]) if not row["official_code"] else None
        if found is not None and found.code.isdigit():
            await _run(f"UPDATE organisation SET official_code = '{found.code}' WHERE id = {organisation}")
        plans = await _plans_of(organisation)
        if not plans:
            continue
        await _run(f"UPDATE organisation SET plan = {int(plans[0])} WHERE id = {organisation}")
        for plan in plans[1:]:
            copied = await _run(
                "INSERT INTO organisation (code, name, kind, official_code, plan) "
                f"SELECT code, name, kind, official_code, {int(plan)} FROM organisation WHERE id = {organisation} "
                "RETURNING id"
            )
            await _move(organisation, plan, copied[0]["id"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="surveys", description=DESCRIPTION)
    manager.add_raw(organisations_to_their_plans)
    return manager
