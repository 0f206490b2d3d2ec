"""Results for a plan with a million responses: cold, warm, after a new response, and memory.

    python bench/results_1m.py [--responses 1000000] [--database PATH]

Builds the demo plan's structure (8 target groups, 8 organisations, the demo questionnaire) on a fresh
SQLite file, adds synthetic responses with 8 answers each in four waves, and times `plan_results`:

- first: the first request after the waves closed, which makes their releases (the counts are frozen
  once, by the same GROUP BY as the baseline, surveys/results/releases.py);
- cold: nothing cached (each worker's first request after a release), from the frozen counts;
- warm: cached, the next request;
- after a new response: unchanged and warm, since results follow releases, never single answers;
- baseline: the raw answer GROUP BY over the same data, run directly in the same process, so the
  figures are ratios against this machine's speed at this moment, not absolute promises.

Memory: the peak Python allocation (tracemalloc) during a cold computation at a tenth of the responses
and at all of them; it must not grow with the number of responses (counts, not rows, reach Python).

The bulk data is written with sqlite3's executemany for speed; the application never builds SQL itself.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from surveys.db import engine as db  # noqa: E402
from surveys.db.tables import Organisation, TargetGroup, Wave  # noqa: E402
from surveys.demo import PLAN_FILE, QUESTIONNAIRE_FILE  # noqa: E402
from surveys.plans.plan_file import load_plan_file, store_plan  # noqa: E402
from surveys.questionnaires.model import load_questionnaire_file  # noqa: E402
from surveys.questionnaires.storage import load_version, store_questionnaire  # noqa: E402
from surveys.responding.submission import Submission, store_submission  # noqa: E402
from surveys.responding.validation import CleanAnswers  # noqa: E402
from surveys.results.plan_results import forget_results, plan_results  # noqa: E402
from surveys.waves.lookup import find_wave  # noqa: E402
from surveys.waves.setup import create_wave  # noqa: E402

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WAVES = 4


async def build_structure() -> dict:
    plan = load_plan_file(PLAN_FILE)
    questionnaire = load_questionnaire_file(QUESTIONNAIRE_FILE)
    async with db.write_transaction():
        plan_id = await store_plan(plan)
        version_id = await store_questionnaire(questionnaire, plan_id=plan_id, frozen=True)
        for i in range(WAVES):
            opens = date(2026, 1 + 3 * i, 5)
            await create_wave(
                plan_code=plan.code,
                questionnaire_code=questionnaire.code,
                slug=f"bench-{i + 1}",
                title=f"Bench {i + 1}",
                opens_at=datetime.combine(opens, clock_time(8), STOCKHOLM),
                closes_at=datetime.combine(opens + timedelta(days=18), clock_time(17), STOCKHOLM),
            )
    definition = await load_version(version_id)
    waves = [r["id"] for r in await Wave.select(Wave.id).order_by(Wave.opens_at)]
    orgs = [r["id"] for r in await Organisation.select(Organisation.id)]
    groups = [r["id"] for r in await TargetGroup.select(TargetGroup.id).order_by(TargetGroup.position)]
    return {"definition": definition, "waves": waves, "orgs": orgs, "groups": groups, "plan": plan.code}


def add_responses(path: Path, structure: dict, count: int, first_id: int, seed: int) -> None:
    """`count` responses spread over the waves, each with 8 answers (closed questions only)."""
    rng = random.Random(seed)
    definition = structure["definition"]
    closed = [q for q in definition.questions if q.kind != "text"][:8]
    options = [[o.id for o in q.options] for q in closed]
    connection = sqlite3.connect(path)
    responses, answers = [], []
    for i in range(count):
        rid = first_id + i
        wave_index = i % WAVES
        wave = structure["waves"][wave_index]
        org = rng.choice(structure["orgs"])
        group = rng.choice(structure["groups"])
        responses.append(
            (rid, wave, org, group, date(2026, 1 + 3 * wave_index, 10).isoformat(), f"bench-{rid:09d}")
        )
        awareness = 0.2 + 0.15 * wave_index
        for question, choices in zip(closed, options, strict=True):
            if question.kind == "multiple":
                picked = {c for c in choices if rng.random() < 0.3} or {choices[-1]}
            elif question.step:
                reaching = [o.id for o in question.options if o.reaches_step]
                other = [o.id for o in question.options if not o.reaches_step]
                picked = {rng.choice(reaching) if rng.random() < awareness else rng.choice(other)}
            else:
                picked = {rng.choice(choices)}
            answers.extend((rid, wave, org, group, question.id, option) for option in picked)
        if len(answers) > 200_000:
            _flush(connection, responses, answers)
    _flush(connection, responses, answers)
    connection.close()


def _flush(connection: sqlite3.Connection, responses: list, answers: list) -> None:
    with connection:
        connection.executemany(
            "INSERT INTO response (id, wave, organisation, target_group, submitted_on, submission_key)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            responses,
        )
        connection.executemany(
            "INSERT INTO answer (response, wave, organisation, target_group, question, option, text)"
            " VALUES (?, ?, ?, ?, ?, ?, NULL)",
            answers,
        )
    responses.clear()
    answers.clear()


def raw_group_by(path: Path, waves: list[int]) -> float:
    """The baseline: the same GROUP BY the results run, straight through sqlite3."""
    connection = sqlite3.connect(path)
    marks = ",".join("?" * len(waves))
    started = time.perf_counter()
    connection.execute(
        f"SELECT wave, question, option, organisation, target_group, COUNT(*) FROM answer "
        f"WHERE wave IN ({marks}) AND option IS NOT NULL "
        f"GROUP BY wave, question, option, organisation, target_group",
        waves,
    ).fetchall()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


async def timed(plan: str) -> float:
    started = time.perf_counter()
    await plan_results(plan)
    return time.perf_counter() - started


async def cold_with_memory(plan: str) -> tuple[float, int]:
    forget_results()
    gc.collect()
    tracemalloc.start()
    elapsed = await timed(plan)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--database", type=Path, help="keep the database here (default: a temporary file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="effekt-bench-"))
    path = args.database or folder / "bench.sqlite"
    path.unlink(missing_ok=True)
    db.use_database(f"sqlite:///{path}")
    await db.migrate()
    structure = await build_structure()

    tenth = args.responses // 10
    started = time.perf_counter()
    add_responses(path, structure, tenth, first_id=1, seed=1)
    forget_results()
    small_cold = await timed(structure["plan"])
    _elapsed, small_peak = await cold_with_memory(structure["plan"])
    add_responses(path, structure, args.responses - tenth, first_id=tenth + 1, seed=2)
    print(f"generated {args.responses:,} responses (8 answers each) in {time.perf_counter() - started:.0f} s")
    sqlite3.connect(path).execute("ANALYZE").connection.close()

    first = await timed(structure["plan"])
    cold_runs = []
    for _ in range(3):
        forget_results()
        cold_runs.append(await timed(structure["plan"]))
    # Memory separately: tracemalloc slows Python down several times, so it must not touch the timings.
    peaks = [(await cold_with_memory(structure["plan"]))[1] for _ in range(2)]
    warm_runs = [await timed(structure["plan"]) for _ in range(20)]
    baseline_runs = [raw_group_by(path, structure["waves"]) for _ in range(3)]

    wave = await find_wave("bench-4")
    submission = Submission(
        organisation_id=wave.organisations[0].id,
        target_group_id=wave.target_groups[0].id,
        answers=CleanAnswers(chosen={"kannedom": ("ja_val",)}, texts={}),
        submission_key="bench-new-response-0001",
    )
    await store_submission(wave, submission, datetime.now(UTC))
    after_new = await timed(structure["plan"])
    warm_again = await timed(structure["plan"])

    cold, warm, baseline = (
        statistics.median(cold_runs),
        statistics.median(warm_runs),
        statistics.median(baseline_runs),
    )
    print(f"raw GROUP BY (baseline):    {baseline * 1000:8.1f} ms")
    print(f"first, making the releases: {first * 1000:8.1f} ms  = {first / baseline:4.2f} × baseline")
    print(
        f"results, cold:              {cold * 1000:8.1f} ms  = {cold / baseline:4.2f} × baseline  (budget 2000 ms)"
    )
    print(
        f"results, warm:              {warm * 1000:8.1f} ms  = {warm / baseline:4.2f} × baseline  (budget 100 ms)"
    )
    print(
        f"after one new response:     {after_new * 1000:8.1f} ms  (unchanged until a release), then {warm_again * 1000:.1f} ms"
    )
    print(
        f"peak Python memory, cold:   {small_peak / 1e6:8.2f} MB at {tenth:,} responses, "
        f"{statistics.median(peaks) / 1e6:.2f} MB at {args.responses:,} (ratio {statistics.median(peaks) / small_peak:.2f})"
    )
    print(f"(cold at {tenth:,} responses: {small_cold * 1000:.1f} ms)")
    if args.database is None:
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    asyncio.run(main())
