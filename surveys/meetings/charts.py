"""A meeting's charts, drawn once and kept with the meeting.

A meeting's results never change, so neither do its charts: each is drawn (SVG, with its text alternative
and data table) the first time a pack needs it, by whichever process that is, and kept in `meeting_chart`.
Every later pack, in any worker or on the command line, reads the drawings instead of drawing again; that
is what makes a pack a fraction of a second instead of seconds. The key says everything a drawing depends
on (the results' stamp and minimum group size, the chart, the language), so a kept drawing is never stale.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

from analysis.render.report import MeetingPack
from locales import current_locale, using_locale
from surveys.db.engine import write_transaction
from surveys.db.tables import MeetingChart


@dataclass(frozen=True)
class KeptChart:
    title: str
    description: str
    table: tuple[tuple[str, ...], ...]
    svg: str


def draw_chart(spec) -> KeptChart:
    """Build one chart and draw it as SVG (CPU-bound: run it off the event loop)."""
    from analysis.render.charts import render  # matplotlib, only when a chart is drawn

    chart = spec.build()
    svg = render(chart, "svg").decode("utf-8")
    return KeptChart(chart.title, chart.description, tuple(tuple(row) for row in chart.table), svg)


async def meeting_charts(
    meeting_id: int, specs: Sequence[tuple[str, str, object]], *, draw: bool = True
) -> dict[str, KeptChart]:
    """The meeting's charts by key; with `draw`, those not yet kept are drawn now (in a thread) and kept."""
    keys = [key for key, _group, _spec in specs]
    found: dict[str, KeptChart] = {}
    if keys:
        for row in await MeetingChart.select(
            MeetingChart.chart_key,
            MeetingChart.title,
            MeetingChart.description,
            MeetingChart.data,
            MeetingChart.svg,
        ).where((MeetingChart.meeting == meeting_id) & MeetingChart.chart_key.is_in(keys)):
            found[row["chart_key"]] = KeptChart(
                row["title"], row["description"], tuple(tuple(r) for r in json.loads(row["data"])), row["svg"]
            )
    missing = [(key, spec) for key, _group, spec in specs if key not in found]
    if not draw or not missing:
        return found
    locale = current_locale()

    def draw_all() -> list[tuple[str, KeptChart]]:
        with using_locale(locale):
            return [(key, draw_chart(spec)) for key, spec in missing]

    drawn = await asyncio.to_thread(draw_all)
    async with write_transaction():
        already = {
            r["chart_key"]
            for r in await MeetingChart.select(MeetingChart.chart_key).where(
                (MeetingChart.meeting == meeting_id) & MeetingChart.chart_key.is_in([k for k, _c in drawn])
            )
        }  # another process may have drawn the same charts meanwhile: the drawings are the same
        new = [
            MeetingChart(
                meeting=meeting_id,
                chart_key=key,
                title=chart.title,
                description=chart.description,
                data=json.dumps(chart.table, ensure_ascii=False),
                svg=chart.svg,
            )
            for key, chart in drawn
            if key not in already
        ]
        if new:
            await MeetingChart.insert(*new)
    return found | dict(drawn)


# The pack's part that comes from the frozen results (everything but the activities, decisions, comments and
# the installation's branding) is kept beside the charts under this prefix: a pack made from it needs
# neither the results nor the statistics and charts modules.
PACK_PREFIX = "pack/"


async def kept_pack(meeting_id: int, key: str) -> MeetingPack | None:
    row = (
        await MeetingChart.select(MeetingChart.data)
        .where((MeetingChart.meeting == meeting_id) & (MeetingChart.chart_key == PACK_PREFIX + key))
        .first()
    )
    return msgspec.json.decode(row["data"], type=MeetingPack) if row else None


async def keep_pack(meeting_id: int, key: str, pack: MeetingPack) -> None:
    async with write_transaction():
        found = await MeetingChart.exists().where(
            (MeetingChart.meeting == meeting_id) & (MeetingChart.chart_key == PACK_PREFIX + key)
        )
        if not found:
            await MeetingChart(
                meeting=meeting_id, chart_key=PACK_PREFIX + key, data=msgspec.json.encode(pack).decode()
            ).save()
