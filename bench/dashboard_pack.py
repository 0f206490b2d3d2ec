"""The leadership's pages and the meeting pack, on the demo plan (8 target groups, 4 waves).

    python bench/dashboard_pack.py [--rounds 5]

Prints, with the start page (one small query and a template) as the in-process baseline:
- a target group page and each of its charts, first (charts drawn) and then again (charts cached);
- the overview page;
- the meeting pack as the first one in a fresh process: collecting it from the snapshot (which starts the
  worker processes), then the PDF (in this process: the workers are not ready yet) and the PowerPoint (the
  workers join in when they are ready);
- the meeting pack as clicked on the meeting page, with the workers ready: the whole request per format,
  median of the rounds, each round a first build (the pack cache is emptied), and then the same pack asked
  for again (served from the cache);
- the load average before and after, since the numbers mean little without it on a shared machine.
Budgets (issue 5): a dashboard page whose charts are cached ≤ 200 ms; the meeting pack ≤ 5 s.
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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from analysis.render import workers  # noqa: E402
from analysis.render.charts import clear_render_cache  # noqa: E402
from analysis.render.report import build_pdf, build_pptx  # noqa: E402
from server.app import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402
from surveys.accounts.users import Role, create_user  # noqa: E402
from surveys.db import engine as db  # noqa: E402
from surveys.demo import load_demo  # noqa: E402
from surveys.meetings.pack import forget_made_packs, meeting_pack  # noqa: E402
from surveys.meetings.records import create_meeting, meeting_view  # noqa: E402

PLAN = "vasternorrland-2026"


async def timed(action) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    load_before = load()
    folder = Path(tempfile.mkdtemp(prefix="effekt-bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    db.use_database(url)
    await db.migrate()
    await load_demo(date.today())
    await create_user("bench@example.se", "ett-langt-losenord", Role.READER)
    meeting_id = await create_meeting(PLAN, "Benchmöte", date.today().isoformat(), k=5)

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

        baseline = statistics.median([await timed(lambda: get("/")) for _ in range(args.rounds * 4)])
        group = f"/resultat/{PLAN}/malgrupper/medarbetare"
        clear_render_cache()
        page = await get(group)
        charts = re.findall(r'<img src="([^"]+)"', page.text)
        first_charts = await timed(lambda: asyncio.gather(*(get(src) for src in charts)))
        warm_page = statistics.median([await timed(lambda: get(group)) for _ in range(args.rounds)])
        warm_charts = statistics.median(
            [await timed(lambda: asyncio.gather(*(get(src) for src in charts))) for _ in range(args.rounds)]
        )
        overview = statistics.median(
            [await timed(lambda: get(f"/resultat/{PLAN}")) for _ in range(args.rounds)]
        )

        view = await meeting_view(PLAN, meeting_id)
        started = time.perf_counter()
        pack = await meeting_pack(view)
        collect = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        pdf = build_pdf(pack)
        pdf_time, pdf_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        pptx = build_pptx(pack)
        pptx_time, pptx_cpu = time.perf_counter() - started, time.process_time() - cpu

        await get(f"/resultat/{PLAN}/moten/{meeting_id}")  # where the pack is clicked; starts the workers
        waited = time.perf_counter()
        while not workers.ready() and time.perf_counter() - waited < 120:
            await asyncio.sleep(0.05)
        startup = time.perf_counter() - waited
        clicks: dict[str, float] = {}
        sizes: dict[str, int] = {}
        for fmt in ("pdf", "pptx"):
            path = f"/resultat/{PLAN}/moten/{meeting_id}/motespaket/{fmt}"
            times = []
            for _ in range(args.rounds):
                forget_made_packs()
                times.append(await timed(lambda path=path: get(path)))
            clicks[fmt] = statistics.median(times)
            sizes[fmt] = len((await get(path)).content)
            clicks[f"{fmt} again"] = statistics.median([await timed(lambda p=path: get(p)) for _ in range(3)])

    def line(label: str, seconds: float, budget: str = "") -> None:
        print(f"{label:48} {seconds * 1000:8.1f} ms  = {seconds / baseline:6.1f} × start page  {budget}")

    print(f"start page (baseline)                            {baseline * 1000:8.1f} ms")
    line("overview page (results cached)", overview)
    line(f"target group page + {len(charts)} charts, first time", first_charts)
    line("target group page, charts cached", warm_page, "(budget 200 ms)")
    line(f"its {len(charts)} chart images, cached", warm_charts)
    line("meeting pack: collect + draw charts", collect)
    line(f"meeting pack PDF ({len(pdf) // 1024} KiB)", pdf_time)
    line(f"meeting pack PPTX ({len(pptx) // 1024} KiB)", pptx_time)
    print(
        f"meeting pack as PDF: {collect + pdf_time:.2f} s, as PowerPoint: {collect + pptx_time:.2f} s "
        "(collect + build, first pack in the process; budget 5 s each)"
    )
    print(
        f"  CPU time of this process (steadier when the machine is busy): PDF {pdf_cpu:.2f} s, PPTX {pptx_cpu:.2f} s"
    )
    ready = "ready" if workers.ready() else "NOT ready: the clicks below were made without them"
    print(
        f"worker processes ({workers.count()}) {ready}; waited {startup:.2f} s for them after the first pack"
    )
    line(
        f"click: meeting pack PDF ({sizes['pdf'] // 1024} KiB), whole request", clicks["pdf"], "(budget 5 s)"
    )
    line(
        f"click: meeting pack PPTX ({sizes['pptx'] // 1024} KiB), whole request",
        clicks["pptx"],
        "(budget 5 s)",
    )
    line("the same PDF asked for again (cached)", clicks["pdf again"])
    line("the same PPTX asked for again (cached)", clicks["pptx again"])
    print(f"load average (1, 5, 15 min) before: {load_before}; after: {load()}; {os.cpu_count()} cores")


if __name__ == "__main__":
    asyncio.run(main())
