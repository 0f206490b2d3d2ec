"""The one-screen overview and the presentation view on the demo plan with four released waves.

    python bench/overview_page.py [--rounds 20]

The demo has 15 goals in 8 target groups; its open fourth wave gets an interim release here, so every goal
has four waves with numbers (the budget's "14 goals × 4 waves", and preliminary labels on every cell).
Requests go through the whole app in this process (httpx's ASGI transport: routing, session, CSRF,
template), so the times are server time without the network. Prints, with the start page (one small query
and a template) as the in-process baseline, medians of the rounds:
- the overview page cold (results computed for the first time) and warm (results cached), and the
  overview matrix built without its cache (what one new release costs on top of the results);
- the presentation view's first slide (the matrix) and a target group's slide, warm;
- the target group page, warm (its chart texts cached);
- the load average before and after, since the numbers mean little without it on a shared machine.
Budget (issue 16): the overview ≤ 50 ms server time warm, and the presentation view the same.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from server.app import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402
from surveys.accounts.users import Role, create_user  # noqa: E402
from surveys.db import engine as db  # noqa: E402
from surveys.demo import load_demo  # noqa: E402
from surveys.results.overview import forget_matrices, overview_matrix  # noqa: E402
from surveys.results.plan_results import forget_results, plan_results  # noqa: E402
from surveys.results.releases import make_release  # noqa: E402
from surveys.waves.lookup import find_wave  # noqa: E402

PLAN = "vasternorrland-2026"
BUDGET = 0.050


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


async def timed(action) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


async def cpu_timed(action) -> float:
    # The process's CPU time: steadier than the wall clock when other work shares the cores.
    started = time.process_time()
    await action()
    return time.process_time() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    load_before = load()
    folder = Path(tempfile.mkdtemp(prefix="effekt-bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    db.use_database(url)
    await db.migrate()
    today = datetime.now(UTC).date()
    await load_demo(today)
    open_wave = await find_wave("omgang-4-nu")
    await make_release(open_wave.id, today=today, interim=True)
    await create_user("bench@example.se", "ett-langt-losenord", Role.READER)

    results = await plan_results(PLAN, k=5)
    released = sum(1 for w in results.waves if w.released_on is not None)
    goals = len(results.goals)

    app = create_app(Settings(database_url=url, secret_key="x" * 48), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        login = await client.get("/logga-in")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', login.text).group(1)
        await client.post(
            "/logga-in",
            data={"_csrf_token": token, "username": "bench@example.se", "password": "ett-langt-losenord"},
        )

        async def get(path: str) -> httpx.Response:
            response = await client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        cpu: dict[str, float] = {}

        def median(path: str):
            async def run() -> float:
                cpu[path] = statistics.median(
                    [await cpu_timed(lambda: get(path)) for _ in range(args.rounds)]
                )
                return statistics.median([await timed(lambda: get(path)) for _ in range(args.rounds)])

            return run()

        baseline = await median("/")
        overview = f"/resultat/{PLAN}"
        forget_results()
        forget_matrices()
        cold = await timed(lambda: get(overview))
        warm = await median(overview)
        size = len((await get(overview)).content)
        matrix_times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            overview_matrix(results)
            matrix_times.append(time.perf_counter() - started)
        matrix = statistics.median(matrix_times)
        reads = statistics.median([await timed(lambda: plan_results(PLAN, k=5)) for _ in range(args.rounds)])
        slides = await median(f"/resultat/{PLAN}/visning")
        slide = await median(f"/resultat/{PLAN}/visning/kommunala-chefer")
        await get(f"/resultat/{PLAN}/malgrupper/kommunala-chefer")
        group = await median(f"/resultat/{PLAN}/malgrupper/kommunala-chefer")

    def line(label: str, seconds: float, budget: str = "", path: str | None = None) -> None:
        used = f"CPU {cpu[path] * 1000:6.1f} ms" if path in cpu else " " * 13
        print(
            f"{label:52} {seconds * 1000:8.1f} ms  = {seconds / baseline:6.1f} × start page  {used}  {budget}"
        )

    print(f"demo plan: {goals} goals, {len(results.groups)} target groups, {released} released waves")
    line("start page (baseline)", baseline, path="/")
    line("overview page, cold (results computed)", cold)
    line(f"overview page, warm ({size // 1024} KiB)", warm, f"(budget {BUDGET * 1000:.0f} ms)", overview)
    line("  of which the results' reads (every results page)", reads)
    line("  the overview matrix alone, without its cache", matrix)
    line(
        "presentation: first slide (headline and matrix)",
        slides,
        f"(budget {BUDGET * 1000:.0f} ms)",
        f"/resultat/{PLAN}/visning",
    )
    line(
        "presentation: a target group's slide",
        slide,
        f"(budget {BUDGET * 1000:.0f} ms)",
        f"/resultat/{PLAN}/visning/kommunala-chefer",
    )
    line("target group page, chart texts cached", group, path=f"/resultat/{PLAN}/malgrupper/kommunala-chefer")
    verdict = "within" if max(warm, slides, slide) <= BUDGET else "OVER"
    print(f"overview and presentation warm, wall clock: {verdict} the {BUDGET * 1000:.0f} ms budget")
    print(f"load average (1, 5, 15 min) before: {load_before}; after: {load()}; {os.cpu_count()} cores")


if __name__ == "__main__":
    asyncio.run(main())
