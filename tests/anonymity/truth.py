"""The true counts behind every cell, straight from the database: the oracle the intruder is judged by.

The intruder never sees these. They say which hidden groups really have fewer than k respondents, and they
check the reading of the published facts: the truth must satisfy every one of them.
"""

from __future__ import annotations

from surveys.db import tallies
from surveys.db.tables import Option, Organisation, Plan, Question, TargetGroup, Wave, WaveOrganisation
from tests.anonymity.facts import B, Cell, N, X


async def true_counts(plan_code: str) -> dict[tuple, int]:
    """N, and X and B per step, for every (wave, target group, organisation) of the plan, by solver key."""
    plan = await Plan.select(Plan.id).where(Plan.code == plan_code).first()
    waves = await Wave.select(Wave.id, Wave.slug, Wave.version).where(Wave.plan == plan["id"])
    groups = {
        r["id"]: r["code"]
        for r in await TargetGroup.select(TargetGroup.id, TargetGroup.code).where(
            TargetGroup.plan == plan["id"]
        )
    }
    orgs = {r["id"]: r["code"] for r in await Organisation.select(Organisation.id, Organisation.code)}
    wave_ids = [w["id"] for w in waves]
    wave_orgs: dict[int, list[int]] = {}
    for r in await WaveOrganisation.select(WaveOrganisation.wave, WaveOrganisation.organisation).where(
        WaveOrganisation.wave.is_in(wave_ids)
    ):
        wave_orgs.setdefault(r["wave"], []).append(r["organisation"])
    versions = sorted({w["version"] for w in waves})
    questions = await Question.select(
        Question.id, Question.version, Question.step, Question.dont_know, Question.show_if
    ).where(Question.version.is_in(versions) & Question.step.is_not_null())
    options = await Option.select(Option.id, Option.question, Option.reaches_step, Option.dont_know).where(
        Option.question.is_in([q["id"] for q in questions])
    )
    respondents = await tallies.respondents(wave_ids)
    chosen = await tallies.chosen_options(wave_ids, [q["id"] for q in questions])
    truth: dict[tuple, int] = {}
    for wave in waves:
        for org in wave_orgs.get(wave["id"], []):
            for group_id, group in groups.items():
                cell = Cell(wave["slug"], group, orgs[org])
                n = respondents.get((wave["id"], org, group_id), 0)
                truth[(N, cell)] = n
                for q in (q for q in questions if q["version"] == wave["version"]):
                    mine = [o for o in options if o["question"] == q["id"]]
                    per_option = chosen.get((wave["id"], q["id"], org, group_id), {})
                    answered = sum(per_option.values())
                    reached = sum(
                        c for o, c in per_option.items() if o in {m["id"] for m in mine if m["reaches_step"]}
                    )
                    dont_know = sum(
                        c for o, c in per_option.items() if o in {m["id"] for m in mine if m["dont_know"]}
                    )
                    unasked = max(0, n - answered) if q["show_if"] else 0
                    base = answered - (dont_know if q["dont_know"] == "excluded" else 0) + unasked
                    truth[(X, cell, q["step"])] = reached
                    truth[(B, cell, q["step"])] = base
    return truth


def true_sum(truth: dict[tuple, int], quantity: str, cells, step: str | None = None) -> int:
    if quantity == N:
        return sum(truth.get((N, c), 0) for c in cells)
    return sum(truth.get((quantity, c, step), 0) for c in cells)
