"""How many goal × organisation cells the demo plan publishes: what disclosure control costs a reader.

    python bench/published_cells.py

Loads the demo into a fresh SQLite file and counts, over the closed waves, the organisation cells of every
goal that have respondents, and how many of them are shown. docs/methods.md §3.4 gives the figures
before and after one suppression pattern per release, and for each open-link minimum considered.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from surveys import demo
from surveys.db import engine as db
from surveys.results.plan_results import plan_results


async def main() -> None:
    db.use_database(f"sqlite:///{tempfile.mkdtemp()}/demo.sqlite")
    await db.migrate()
    await demo.load_demo(date.today())
    results = await plan_results("vasternorrland-2026")
    closed = {w.slug for w in results.waves if w.released_on is not None and not w.interim}
    cells = shown = whole = 0
    for goal in results.goals:
        for wave in goal.result.waves:
            if wave.wave not in closed or not wave.measured:
                continue
            whole += wave.estimate is None
            for organisation in wave.organisations:
                if organisation.estimate is not None and organisation.estimate.respondents == 0:
                    continue
                cells += 1
                shown += organisation.estimate is not None
    print(f"closed waves: {len(closed)}")
    print(f"goal × organisation cells with respondents: {cells}, shown {shown}, hidden {cells - shown}")
    print(f"goal × wave totals hidden whole (their organisations not counted above): {whole}")


if __name__ == "__main__":
    asyncio.run(main())
