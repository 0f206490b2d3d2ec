"""The leadership's pages and the meeting pack, on the demo plan (8 target groups, 4 waves).

    python bench/dashboard_pack.py [--rounds 5]

Prints, with the start page (one small query and a template) as the in-process baseline:
- a target group page and each of its charts, first (charts drawn) and then again (charts cached);
- the overview page;
- the meeting pack: collecting it from the snapshot, the PDF, and the PowerPoint.
Budgets (issue 5): a dashboard page whose charts are cached ≤ 200 ms; the meeting pack ≤ 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
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

from analysis.charts import clear_render_cache  # noqa: E402
from analysis.report import build_pdf, build_pptx  # noqa: E402
from server.app import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402
from surveys import db  # noqa: E402
from surveys.accounts import Role, create_user  # noqa: E402
from surveys.demo import load_demo  # noqa: E402
from surveys.meeting_pack import meeting_pack  # noqa: E402
from surveys.meetings import create_meeting, meeting_view  # noqa: E402

PLAN = "vasternorrland-2026"


async def timed(action) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
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
    started = time.perf_counter()
    pdf = build_pdf(pack)
    pdf_time = time.perf_counter() - started
    started = time.perf_counter()
    pptx = build_pptx(pack)
    pptx_time = time.perf_counter() - started

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
        "(collect + build; budget 5 s each)"
    )


if __name__ == "__main__":
    asyncio.run(main())
