"""The demo: Västernorrland's communication plan 2026, its follow-up questionnaire, three answered
waves and one that is open now, reach month by month, and the follow-up meetings with their decisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from surveys.db.engine import write_transaction
from surveys.db.tables import Answer, Organisation, Plan, Response, TargetGroup
from surveys.demo import meetings, synthetic
from surveys.plans.plan_file import PlanDef, load_plan_file, store_plan
from surveys.questionnaires.model import load_questionnaire_file
from surveys.questionnaires.storage import load_version, store_questionnaire
from surveys.waves.lookup import clear_caches
from surveys.waves.setup import create_wave

HERE = Path(__file__).resolve().parent
PLAN_FILE = HERE / "vasternorrland.toml"
QUESTIONNAIRE_FILE = HERE / "uppfoljning.toml"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
SEED = 2026
_CHUNK = 1000

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoWave:
    slug: str
    title: str
    opens_on: date
    closes_on: date
    completeness: float = 1.0  # share of the eventual responses already in


def demo_waves(today: date) -> tuple[DemoWave, ...]:
    # The open wave is placed around today, so the demo always has a survey to answer.
    return (
        DemoWave("omgang-1-2026", "Mätomgång 1 – våren 2026", date(2026, 3, 2), date(2026, 3, 20)),
        DemoWave("omgang-2-2026", "Mätomgång 2 – försommaren 2026", date(2026, 6, 8), date(2026, 6, 26)),
        DemoWave("omgang-3-2026", "Mätomgång 3 – hösten 2026", date(2026, 10, 5), date(2026, 10, 23)),
        DemoWave(
            "omgang-4-nu",
            "Mätomgång 4 – pågår nu",
            today - timedelta(days=7),
            today + timedelta(days=28),
            0.4,
        ),
    )


async def demo_exists() -> bool:
    return await Plan.exists().where(Plan.code == load_plan_file(PLAN_FILE).code)


async def load_demo(today: date, progress: Progress | None = None) -> dict[str, int]:
    """Load the demo plan, questionnaire, waves and synthetic responses; returns counts."""
    report = progress or (lambda _step, _done, _total: None)
    plan = load_plan_file(PLAN_FILE)
    questionnaire = load_questionnaire_file(QUESTIONNAIRE_FILE)
    waves = demo_waves(today)
    async with write_transaction():
        report("plan", 0, 1)
        plan_id = await store_plan(plan)
        version_id = await store_questionnaire(questionnaire, plan_id=plan_id, frozen=True)
        wave_ids = []
        for wave in waves:
            wave_ids.append(
                await create_wave(
                    plan_code=plan.code,
                    questionnaire_code=questionnaire.code,
                    slug=wave.slug,
                    title=wave.title,
                    opens_at=datetime.combine(wave.opens_on, time(8, 0), STOCKHOLM),
                    closes_at=datetime.combine(wave.closes_on, time(17, 0), STOCKHOLM),
                )
            )
        report("plan", 1, 1)
    definition = await load_version(version_id)
    groups = _group_sizes(plan)
    orgs = {
        r["code"]: r["id"]
        for r in await Organisation.select(Organisation.id, Organisation.code).where(
            Organisation.plan == plan_id
        )
    }
    group_ids = {
        r["code"]: r["id"]
        for r in await TargetGroup.select(TargetGroup.id, TargetGroup.code).where(TargetGroup.plan == plan_id)
    }
    totals = {"responses": 0, "answers": 0}
    for index, (wave, wave_id) in enumerate(zip(waves, wave_ids, strict=True)):
        batch = list(synthetic.responses(SEED, index, groups, wave.completeness))
        span = max(0, (min(wave.closes_on, today) - wave.opens_on).days)
        for start in range(0, len(batch), _CHUNK):
            chunk = batch[start : start + _CHUNK]
            async with write_transaction():
                inserted = await Response.insert(
                    *(
                        Response(
                            wave=wave_id,
                            organisation=orgs[r.organisation],
                            target_group=group_ids[r.target_group],
                            submitted_on=wave.opens_on + timedelta(days=round(r.day_offset * span)),
                            submission_key=f"demo-{wave.slug}-{start + i:06d}",
                        )
                        for i, r in enumerate(chunk)
                    )
                ).returning(Response.id)
                answers = []
                for row, r in zip(inserted, chunk, strict=True):
                    common = {
                        "response": row["id"],
                        "wave": wave_id,
                        "organisation": orgs[r.organisation],
                        "target_group": group_ids[r.target_group],
                    }
                    for code, chosen in r.chosen.items():
                        question = definition.question(code)
                        for option_code in chosen:
                            answers.append(
                                Answer(**common, question=question.id, option=question.option(option_code).id)
                            )
                    for code, text in r.texts.items():
                        answers.append(Answer(**common, question=definition.question(code).id, text=text))
                for a in range(0, len(answers), 4000):
                    await Answer.insert(*answers[a : a + 4000])
            totals["responses"] += len(chunk)
            totals["answers"] += len(answers)
            report(wave.slug, min(start + _CHUNK, len(batch)), len(batch))
    clear_caches()
    totals["waves"] = len(waves)
    totals["reach"] = await meetings.monthly_reach(plan.code, today, SEED)
    made = await meetings.add_meetings(plan.code, today)
    totals["meetings"], totals["next_meeting"] = len(made), made[-1]
    return totals


def _group_sizes(plan: PlanDef) -> dict[str, dict[str, int | None]]:
    """Target group → organisation → known size (None where unknown, e.g. residents), in file order.

    File order, not database order, so that the seeded responses are the same on every engine.
    """
    everyone = dict.fromkeys(o.code for o in plan.organisations)
    return {g.code: dict(g.sizes) if g.sizes else dict(everyone) for g in plan.target_groups}
