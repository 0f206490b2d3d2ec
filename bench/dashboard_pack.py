"""The leadership's pages and the meeting pack, on the demo plan (8 target groups, 4 waves, its meetings).

    python bench/dashboard_pack.py [--rounds 5]

Prints, each with the ratio to a baseline measured in the same run:
- pages (in process, the start page as baseline): a target group page and its charts, first and cached;
  the overview page;
- the pack as clicked on the meeting page, with the meeting's charts kept (the pack's own cache emptied
  before each round, so every round typesets the pack anew): PDF, PowerPoint and HTML, the whole request;
- the first pack of a meeting whose charts were never drawn (they are drawn and kept then);
- `effekt report` from a fresh process for the demo's next meeting, as a newcomer runs it after
  `effekt demo`: wall and CPU time per format, with a fresh `effekt migrate` (start Python, import,
  open the database) as the baseline;
- the load average before and after, and the number of cores: the figures mean little without them.
Budgets (issue 16): `effekt report` PDF ≤ 2 s, PowerPoint ≤ 3 s on an idle 2-core machine; the pack on
the meeting page ≤ 1 s once the charts are kept.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from analysis.render.charts import clear_render_cache  # noqa: E402
from server.app import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402
from surveys.accounts.users import Role, create_user  # noqa: E402
from surveys.db import engine as db  # noqa: E402
from surveys.db.tables import MeetingChart  # noqa: E402
from surveys.demo import load_demo  # noqa: E402
from surveys.meetings.pack import forget_made_packs, prepare_charts  # noqa: E402

PLAN = "vasternorrland-2026"
EFFEKT = [sys.executable, "-m", "server.cli"]


async def timed(action) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def fresh(*args: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one `effekt` command in a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([*EFFEKT, *args], env=env, check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    load_before = load()
    folder = Path(tempfile.mkdtemp(prefix="effekt-bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    db.use_database(url)
    await db.migrate()
    counts = await load_demo(date.today())
    meeting = counts["next_meeting"]
    drawn = await prepare_charts(PLAN, meeting, k=5)  # as `effekt demo` does
    await create_user("bench@example.se", "ett-langt-losenord", Role.READER)
    past = meeting - 1  # a meeting whose charts nobody has drawn yet

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
        overview = statistics.median(
            [await timed(lambda: get(f"/resultat/{PLAN}")) for _ in range(args.rounds)]
        )

        clicks: dict[str, float] = {}
        sizes: dict[str, int] = {}
        for fmt in ("pdf", "pptx", "html"):
            path = f"/resultat/{PLAN}/moten/{meeting}/motespaket/{fmt}"
            await get(path)  # the process's first pack: imports Typst or python-pptx once
            times = []
            for _ in range(args.rounds):
                forget_made_packs()
                times.append(await timed(lambda path=path: get(path)))
            clicks[fmt] = statistics.median(times)
            sizes[fmt] = len((await get(path)).content)
        await MeetingChart.delete().where(MeetingChart.meeting == past)
        forget_made_packs()
        cold = await timed(lambda: get(f"/resultat/{PLAN}/moten/{past}/motespaket/pdf"))

    env = {**os.environ, "EFFEKT_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    commands: dict[str, list[tuple[float, float]]] = {"migrate": [], "pdf": [], "pptx": [], "html": []}
    for _ in range(args.rounds):
        commands["migrate"].append(fresh("migrate", env=env))
        for fmt in ("pdf", "pptx", "html"):
            out = folder / f"motespaket.{fmt}"
            commands[fmt].append(
                fresh("report", "--plan", PLAN, "--meeting", str(meeting), "--out", str(out), env=env)
            )

    def line(label: str, seconds: float, budget: str = "") -> None:
        print(f"{label:52} {seconds * 1000:8.1f} ms  = {seconds / baseline:7.1f} × start page  {budget}")

    print(f"{'start page (baseline)':52} {baseline * 1000:8.1f} ms")
    line("overview page (results cached)", overview)
    line(f"target group page + {len(charts)} charts, first time", first_charts)
    line("target group page, charts cached", warm_page)
    for fmt, budget in (("pdf", "(budget 1 s)"), ("pptx", "(budget 1 s)"), ("html", "(budget 1 s)")):
        line(f"click: pack {fmt.upper()} ({sizes[fmt] // 1024} KiB), charts kept", clicks[fmt], budget)
    line("click: first PDF of a meeting, its charts drawn now", cold)
    base_wall = statistics.median(w for w, _c in commands["migrate"])
    base_cpu = statistics.median(c for _w, c in commands["migrate"])
    print(
        f"fresh process, median of {args.rounds} (the demo's next meeting, {drawn} charts kept by `effekt demo`):"
    )
    print(f"  {'effekt migrate (baseline)':50} wall {base_wall:5.2f} s  cpu {base_cpu:5.2f} s")
    for fmt, budget in (("pdf", "(budget 2 s)"), ("pptx", "(budget 3 s)"), ("html", "")):
        wall = statistics.median(w for w, _c in commands[fmt])
        cpu = statistics.median(c for _w, c in commands[fmt])
        print(
            f"  {'effekt report --out motespaket.' + fmt:50} wall {wall:5.2f} s  cpu {cpu:5.2f} s"
            f"  = {wall / base_wall:4.2f} × migrate  {budget}"
        )
    print(f"load average (1, 5, 15 min) before: {load_before}; after: {load()}; {os.cpu_count()} cores")


if __name__ == "__main__":
    asyncio.run(main())
