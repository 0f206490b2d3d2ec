"""Live progress of a wave: responses and response rates per organisation and target group.

A count below the minimum group size is never given, not even here: the communicator sees "färre än 5".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from analysis.stats.disclosure import Count as Cell
from analysis.stats.disclosure import suppress_table
from surveys.db import tallies
from surveys.db.tables import TargetGroupSize
from surveys.waves.lookup import WaveForm, WaveStatus


@dataclass(frozen=True)
class ProgressCell:
    responses: int | None  # None: fewer than k (shown as "färre än k")
    size: int | None
    rate: float | None

    @property
    def too_few(self) -> bool:
        return self.responses is None


@dataclass(frozen=True)
class ProgressRow:
    label: str
    cells: tuple[ProgressCell, ...]  # one per target group, in the wave's order
    total: ProgressCell


@dataclass(frozen=True)
class WaveProgress:
    status: WaveStatus
    k: int
    groups: tuple[str, ...]  # target group names
    rows: tuple[ProgressRow, ...]  # one per organisation
    totals: tuple[ProgressCell, ...]  # per target group
    total: ProgressCell


def _cell(count: int, size: int | None, hidden: bool) -> ProgressCell:
    if hidden:
        # Neither the count nor a rate (which with a known size would give the count back).
        return ProgressCell(None, size, None)
    return ProgressCell(count, size, count / size if size else None)


async def wave_progress(wave: WaveForm, now: datetime, k: int) -> WaveProgress:
    counts = {(org, group): n for (_, org, group), n in (await tallies.respondents([wave.id])).items()}
    group_ids = [g.id for g in wave.target_groups]
    sizes, sized_groups = await _known_sizes(wave)
    orgs = [o.id for o in wave.organisations]
    # The table publishes row, column and grand totals, so a small cell is protected with complementary
    # suppression: it cannot be recovered by subtraction either.
    table = suppress_table({(o, g): Cell(counts.get((o, g), 0)) for o in orgs for g in group_ids}, k=k)

    def size_of(org: int, group: int) -> int | None:
        return sizes.get((org, group), 0) if group in sized_groups else None

    def total_size(values: list[int | None]) -> int | None:
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)

    progress_rows = tuple(
        ProgressRow(
            org.name,
            tuple(
                _cell(counts.get((org.id, g), 0), size_of(org.id, g), table.is_hidden(org.id, g))
                for g in group_ids
            ),
            _cell(
                sum(counts.get((org.id, g), 0) for g in group_ids),
                total_size([size_of(org.id, g) for g in group_ids]),
                org.id in table.row_totals,
            ),
        )
        for org in wave.organisations
    )
    totals = tuple(
        _cell(
            sum(counts.get((o, g), 0) for o in orgs),
            total_size([size_of(o, g) for o in orgs]),
            g in table.column_totals,
        )
        for g in group_ids
    )
    return WaveProgress(
        status=wave.status(now),
        k=k,
        groups=tuple(g.name for g in wave.target_groups),
        rows=progress_rows,
        totals=totals,
        total=_cell(
            sum(counts.values()),
            total_size([size_of(o, g) for o in orgs for g in group_ids]),
            table.grand_total is not None,
        ),
    )


async def wave_sizes(wave: WaveForm) -> dict[tuple[str, str], int | None]:
    """Known group sizes by (organisation name, target group name); None where the size is unknown."""
    sizes, sized = await _known_sizes(wave)
    return {
        (org.name, group.name): sizes.get((org.id, group.id), 0) if group.id in sized else None
        for org in wave.organisations
        for group in wave.target_groups
    }


async def _known_sizes(wave: WaveForm) -> tuple[dict[tuple[int, int], int], set[int]]:
    """Sizes by (organisation id, group id), and the groups whose sizes are known at all."""
    group_ids = [g.id for g in wave.target_groups]
    rows = (
        await TargetGroupSize.select(
            TargetGroupSize.target_group, TargetGroupSize.organisation, TargetGroupSize.size
        ).where(TargetGroupSize.target_group.is_in(group_ids))
        if group_ids
        else []
    )
    return {(r["organisation"], r["target_group"]): r["size"] for r in rows}, {
        r["target_group"] for r in rows
    }
