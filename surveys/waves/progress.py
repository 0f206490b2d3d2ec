"""Live progress of a wave: responses and response rates per organisation and target group.

The progress table is one more table from the same respondents as the results, so it hides what the
wave's latest release hides and protects its own small cells by the same rules
(analysis/stats/linked_tables.py); what it shows of an organisation is rounded to the nearest five, so its
rows add no equation a reader could solve together with the results. Hidden cells read "dold".
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from analysis.stats.linked_tables import GroupCounts, ReleasePattern, release_pattern, rounded_count
from surveys.db import tallies
from surveys.db.tables import TargetGroupSize, Wave
from surveys.waves.lookup import WaveForm, WaveStatus


@dataclass(frozen=True)
class ProgressCell:
    responses: int | None  # None: hidden ("dold")
    size: int | None
    rate: float | None
    rounded: bool = False  # responses rounded to the nearest five

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


def _cell(count: int, size: int | None, hidden: bool, *, rounded: bool = False) -> ProgressCell:
    if hidden:
        # Neither the count nor a rate (which with a known size would give the count back).
        return ProgressCell(None, size, None)
    shown = rounded_count(count) if rounded else count
    return ProgressCell(shown, size, shown / size if size else None, rounded)


async def _released_pattern(wave: WaveForm, k: int) -> ReleasePattern:
    """What the wave's latest release hides, as (group id, organisation id) pairs."""
    from surveys.results.plan_results import plan_results

    row = await Wave.select(Wave.plan.code.as_alias("plan")).where(Wave.id == wave.id).first()
    results = await plan_results(row["plan"], k=k)
    group_id = {g.code: g.id for g in wave.target_groups}
    org_id = {o.code: o.id for o in wave.organisations}
    hidden = {
        (group_id[group], org_id[org])
        for key, orgs in results.hidden.items()
        for group, slug in [key.rsplit("/", 1)]
        if slug == wave.slug and group in group_id and orgs
        for org in orgs
        if org in org_id
    }
    return ReleasePattern(k=k, hidden=frozenset(hidden), hidden_groups=frozenset())


async def wave_progress(
    wave: WaveForm, now: datetime, k: int, *, organisations: Collection[int] | None = None
) -> WaveProgress:
    """The progress table; with `organisations` (ids), as someone granted only those sees it.

    Such a person sees only those rows and no totals (server/scopes.py, narrow_progress), so the rows'
    hidden cells are decided from those organisations' counts alone: a cell hidden to complement another
    organisation's would change when the other organisation's count does, and so tell them about it."""
    counts = {(org, group): n for (_, org, group), n in (await tallies.respondents([wave.id])).items()}
    group_ids = [g.id for g in wave.target_groups]
    sizes, sized_groups = await _known_sizes(wave)
    orgs = [o.id for o in wave.organisations]
    decided_by = orgs if organisations is None else [o for o in orgs if o in organisations]
    # The release's hidden organisations stay hidden here, and the live counts' small cells are hidden
    # with complements so that a group's total minus its shown cells is never one small cell.
    pattern = release_pattern(
        [GroupCounts(g, {o: counts.get((o, g), 0) for o in decided_by}) for g in group_ids],
        k=k,
        previous_pattern=await _released_pattern(wave, k),
    )

    def size_of(org: int, group: int) -> int | None:
        return sizes.get((org, group), 0) if group in sized_groups else None

    def total_size(values: list[int | None]) -> int | None:
        return None if any(v is None for v in values) else sum(v for v in values if v is not None)

    def small_hidden(cells: list[tuple[int, int]]) -> bool:
        """A total whose hidden parts add up to 1 to k−1: even rounded, it would show them nearly."""
        hidden = sum(counts.get((o, g), 0) for o, g in cells if pattern.is_hidden(g, o))
        return 0 < hidden < k

    progress_rows = tuple(
        ProgressRow(
            org.name,
            tuple(
                _cell(
                    counts.get((org.id, g), 0), size_of(org.id, g), pattern.is_hidden(g, org.id), rounded=True
                )
                for g in group_ids
            ),
            _cell(
                sum(counts.get((org.id, g), 0) for g in group_ids),
                total_size([size_of(org.id, g) for g in group_ids]),
                small_hidden([(org.id, g) for g in group_ids]),
                rounded=True,
            ),
        )
        for org in wave.organisations
    )
    totals = tuple(
        _cell(
            sum(counts.get((o, g), 0) for o in orgs),
            total_size([size_of(o, g) for o in orgs]),
            pattern.group_hidden(g),
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
            small_hidden([(o, g) for o in orgs for g in group_ids]),
            rounded=True,
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
