"""Disclosure control for tables of counts shown to users (docs/methods.md §3.3, TC10).

A cell is a group of respondents: ``Count(n, successes)``, where ``successes`` (optional) is how many reached
the step. The rules, applied after all statistics are computed:

1. **Minimum size** (``BELOW_MINIMUM``): a cell with 0 < n < k respondents is hidden; k defaults to 5 and may
   be 3–10. A cell with n = 0 is shown: "no answers" tells nothing about anyone's answer, and hiding it would
   not protect other cells either.
2. **Homogeneity** (``HOMOGENEOUS``): a cell with fewer than 10 respondents where everyone gave the same
   answer (successes 0 or n) is hidden, since "100 %" reveals each person's answer. (A "≥ 90 %" rule would
   mean the same thing below 10 respondents: everyone.)
3. **Complementary suppression** (``COMPLEMENTARY``): a published total must not let anyone recover a hidden
   cell by subtraction. For each published total, its hidden parts are either none or at least two whose
   union itself passes rules 1–2 (the union is as good as published: total minus the shown parts). Beyond
   single totals, no hidden cell may be computable by any combination of sums and differences of the published
   numbers (rows with columns, parents with children); this is checked exactly with linear algebra. The cells
   hidden to achieve this are the smallest shown ones, so that as little as possible is lost. Totals count
   hidden cells too; a total is hidden only when it fails rules 1–2 itself or nothing smaller is left.
4. **Free text** (``FREE_TEXT_BELOW_MINIMUM``): shown only for groups of at least k respondents.

Not covered here: tables linked through the same respondents (every goal of a wave, the progress table),
differencing between releases, and bounds narrower than exact recovery. Those are decided once per release
in analysis/stats/linked_tables.py (docs/methods.md §3.3, rules 5–6, and §3.4).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

import numpy as np
from scipy.linalg import null_space

__all__ = [
    "DEFAULT_K",
    "HOMOGENEITY_LIMIT",
    "MAXIMUM_K",
    "MINIMUM_K",
    "UNASSIGNED",
    "BreakdownSuppression",
    "Count",
    "Line",
    "Suppression",
    "SuppressionReason",
    "TableSuppression",
    "check_minimum",
    "free_text_reason",
    "may_show_free_text",
    "primary_reason",
    "suppress",
    "suppress_breakdown",
    "suppress_table",
]

DEFAULT_K: Final = 5
MINIMUM_K: Final = 3
MAXIMUM_K: Final = 10
# Below this many respondents a unanimous answer is each person's answer.
HOMOGENEITY_LIMIT: Final = 10


class SuppressionReason(StrEnum):
    """Why a number is not shown; pages and reports use it to say why a group is missing."""

    BELOW_MINIMUM = "below_minimum"  # färre än k svar
    COMPLEMENTARY = "complementary"  # dold så att en annan dold grupp inte kan räknas fram
    HOMOGENEOUS = "homogeneous"  # alla i en liten grupp svarade likadant
    FREE_TEXT_BELOW_MINIMUM = "free_text_below_minimum"  # fritextsvar visas först vid k svar
    # What every published table says of a hidden number since one pattern covers a whole release
    # (analysis/stats/linked_tables.py): a reason per cell told a reader how small the cell was.
    HIDDEN = "hidden"  # dold


class _Unassigned:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNASSIGNED"


#: The part of a breakdown's total that belongs to none of its labelled parts (e.g. no organisation given).
UNASSIGNED: Final = _Unassigned()


@dataclass(frozen=True, slots=True)
class Count:
    """Respondents in a cell, and optionally how many of them reached the step."""

    n: int
    successes: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, int | np.integer) or self.n < 0:
            raise ValueError(f"a cell's respondent count must be a whole number ≥ 0, got {self.n!r}")
        if self.successes is not None:
            s = self.successes
            if isinstance(s, bool) or not isinstance(s, int | np.integer) or not 0 <= s <= self.n:
                raise ValueError(f"successes must be a whole number between 0 and n ({self.n}), got {s!r}")


@dataclass(frozen=True, slots=True)
class Line:
    """A total that is the sum of its parts (a row, a column, or a parent and its children)."""

    total: Hashable
    parts: tuple[Hashable, ...]


@dataclass(frozen=True)
class Suppression:
    """Which cells (keys) are hidden, and why. Cells not in ``hidden`` may be shown."""

    k: int
    hidden: Mapping[Any, SuppressionReason] = field(default_factory=lambda: MappingProxyType({}))

    def is_hidden(self, key: Hashable) -> bool:
        return key in self.hidden

    def reason(self, key: Hashable) -> SuppressionReason | None:
        return self.hidden.get(key)


@dataclass(frozen=True)
class BreakdownSuppression:
    """Result for one breakdown: hidden parts, the total's status, and the hidden parts merged.

    ``other`` is the hidden parts together (TC10's "Övriga kommuner"); it is set only when it passes the
    rules, so it may be published as one group. ``shown`` keeps the parts' order.
    """

    k: int
    hidden: Mapping[Any, SuppressionReason]
    total: Count
    total_reason: SuppressionReason | None
    shown: tuple[Any, ...]
    other: Count | None
    other_parts: tuple[Any, ...]

    def is_hidden(self, label: Hashable) -> bool:
        return label in self.hidden

    def reason(self, label: Hashable) -> SuppressionReason | None:
        return self.hidden.get(label)


@dataclass(frozen=True)
class TableSuppression:
    """Result for a two-way table (e.g. organisation × target group) with its totals."""

    k: int
    cells: Mapping[tuple[Any, Any], SuppressionReason]
    row_totals: Mapping[Any, SuppressionReason]
    column_totals: Mapping[Any, SuppressionReason]
    grand_total: SuppressionReason | None

    def is_hidden(self, row: Hashable, column: Hashable) -> bool:
        return (row, column) in self.cells

    def reason(self, row: Hashable, column: Hashable) -> SuppressionReason | None:
        return self.cells.get((row, column))


@dataclass(frozen=True, slots=True)
class _Key:
    """Internal keys for totals, so they never collide with the caller's labels."""

    kind: str
    label: Any = None


# --- single cells ---------------------------------------------------------------------------------


def check_minimum(k: int) -> int:
    """Return k if it is an allowed minimum group size (3–10), else raise ValueError."""
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not MINIMUM_K <= k <= MAXIMUM_K:
        raise ValueError(
            f"the minimum group size k must be a whole number from {MINIMUM_K} to {MAXIMUM_K}, got {k!r}"
        )
    return int(k)


def _as_count(value: Count | int) -> Count:
    return value if isinstance(value, Count) else Count(value)


def primary_reason(count: Count | int, k: int = DEFAULT_K) -> SuppressionReason | None:
    """Why this cell may not be shown on its own (rules 1–2), or None if it may."""
    k = check_minimum(k)
    cell = _as_count(count)
    if cell.n == 0:
        return None
    if cell.n < k:
        return SuppressionReason.BELOW_MINIMUM
    if cell.n < HOMOGENEITY_LIMIT and cell.successes in (0, cell.n):
        return SuppressionReason.HOMOGENEOUS
    return None


def free_text_reason(n: int, k: int = DEFAULT_K) -> SuppressionReason | None:
    """Why free-text answers from a group of n respondents may not be shown, or None if they may."""
    k = check_minimum(k)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise ValueError(f"the number of respondents must be a whole number ≥ 0, got {n!r}")
    return None if n >= k else SuppressionReason.FREE_TEXT_BELOW_MINIMUM


def may_show_free_text(n: int, k: int = DEFAULT_K) -> bool:
    """True if free-text answers from a group of n respondents may be shown (n ≥ k)."""
    return free_text_reason(n, k) is None


# --- the general case -----------------------------------------------------------------------------


def _union(cells: Iterable[Count]) -> Count:
    items = list(cells)
    n = sum(int(c.n) for c in items)
    if any(c.successes is None for c in items):
        return Count(n)
    return Count(n, sum(int(c.successes) for c in items))  # type: ignore[arg-type]


def suppress(
    counts: Mapping[Any, Count | int], lines: Iterable[Line] = (), *, k: int = DEFAULT_K
) -> Suppression:
    """Apply rules 1–3 to any set of cells linked by published totals (rows, columns, hierarchy levels).

    ``counts`` holds every cell, totals included; each ``Line`` says that ``total`` is the sum of ``parts``.
    Returns the hidden cells (in the order of ``counts``) with their reasons. Deterministic: ties between
    equally small candidates go to the one first in ``counts``.
    """
    k = check_minimum(k)
    cells = {key: _as_count(value) for key, value in counts.items()}
    order = {key: i for i, key in enumerate(cells)}
    checked: list[Line] = []
    for line in lines:
        parts = tuple(line.parts)
        for key in (line.total, *parts):
            if key not in cells:
                raise ValueError(f"{key!r} is in a total but has no count")
        summed = _union(cells[p] for p in parts)
        total = cells[line.total]
        both_known = summed.successes is not None and total.successes is not None
        if summed.n != total.n or (both_known and summed.successes != total.successes):
            raise ValueError(f"the total {line.total!r} is not the sum of its parts")
        checked.append(Line(line.total, parts))

    hidden: dict[Any, SuppressionReason] = {}
    for key, cell in cells.items():
        reason = primary_reason(cell, k)
        if reason is not None:
            hidden[key] = reason

    def smallest(candidates: Iterable[Any]) -> Any | None:
        open_ = [key for key in candidates if key not in hidden and cells[key].n > 0]
        return min(open_, key=lambda key: (cells[key].n, order[key])) if open_ else None

    def line_complement() -> Any | None:
        for line in checked:
            if line.total in hidden:
                continue
            concealed = [p for p in line.parts if p in hidden]
            if not concealed:
                continue
            if len(concealed) >= 2 and primary_reason(_union(cells[p] for p in concealed), k) is None:
                continue
            choice = smallest(line.parts)
            return choice if choice is not None else line.total
        return None

    def recovery_complement() -> Any | None:
        exposed = _recoverable(hidden, checked)
        if not exposed:
            return None
        target = min(exposed, key=order.__getitem__)
        touching = [line for line in checked if target == line.total or target in line.parts]
        choice = smallest(key for line in touching for key in (*line.parts, line.total))
        if choice is None:
            linked = [line for line in checked if any(key in hidden for key in (line.total, *line.parts))]
            choice = smallest(key for line in linked for key in (*line.parts, line.total))
        return choice

    while True:
        extra = line_complement()
        if extra is None:
            extra = recovery_complement()
        if extra is None:
            break
        hidden[extra] = SuppressionReason.COMPLEMENTARY

    ordered = dict(sorted(hidden.items(), key=lambda item: order[item[0]]))
    return Suppression(k, MappingProxyType(ordered))


def _recoverable(hidden: Mapping[Any, SuppressionReason], lines: list[Line]) -> list[Any]:
    """Hidden cells whose value follows from the published numbers through the totals' equations.

    Each line gives total − Σparts = 0; with the shown cells known, the hidden ones solve A·h = b. A hidden
    cell is determined exactly when it does not vary over A's null space.
    """
    keys = list(hidden)
    if not keys or not lines:
        return []
    column = {key: i for i, key in enumerate(keys)}
    rows = []
    for line in lines:
        row = np.zeros(len(keys))
        if line.total in column:
            row[column[line.total]] += 1.0
        for part in line.parts:
            if part in column:
                row[column[part]] -= 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return []
    free = null_space(np.array(rows))
    if free.shape[1] == 0:
        return keys
    spread = np.linalg.norm(free, axis=1)
    return [key for key, size in zip(keys, spread, strict=True) if size < 1e-9]


# --- breakdowns and tables ------------------------------------------------------------------------


def suppress_breakdown(
    parts: Mapping[Any, Count | int],
    *,
    total: Count | int | None = None,
    total_published: bool = True,
    k: int = DEFAULT_K,
) -> BreakdownSuppression:
    """One breakdown of a total into parts, e.g. a target group's respondents per organisation (TC10).

    ``total`` defaults to the sum of the parts. If it is larger, the difference becomes the part
    ``UNASSIGNED`` (respondents in no listed part), which is protected like any other part, because it could
    otherwise be recovered as total minus the parts. With ``total_published=False`` only rules 1–2 apply.
    """
    k = check_minimum(k)
    cells: dict[Any, Count] = {label: _as_count(value) for label, value in parts.items()}
    summed = _union(cells.values())
    whole = summed if total is None else _as_count(total)
    if whole.n < summed.n:
        raise ValueError(f"the total ({whole.n}) is smaller than the sum of the parts ({summed.n})")
    if whole.n > summed.n:
        rest = None
        if whole.successes is not None and summed.successes is not None:
            rest = whole.successes - summed.successes
            if not 0 <= rest <= whole.n - summed.n:
                raise ValueError("the total's successes do not fit the parts' successes")
        cells[UNASSIGNED] = Count(whole.n - summed.n, rest)

    total_key = _Key("total")
    counts: dict[Any, Count] = {**cells, total_key: whole}
    lines = [Line(total_key, tuple(cells))] if total_published else []
    result = suppress(counts, lines, k=k)

    hidden = {label: reason for label, reason in result.hidden.items() if label is not total_key}
    other_parts = tuple(label for label in cells if label in hidden)
    other: Count | None = None
    if other_parts:
        merged = _union(cells[label] for label in other_parts)
        if primary_reason(merged, k) is None:
            other = merged
    return BreakdownSuppression(
        k=k,
        hidden=MappingProxyType(hidden),
        total=whole,
        total_reason=result.reason(total_key),
        shown=tuple(label for label in cells if label not in hidden),
        other=other,
        other_parts=other_parts,
    )


def suppress_table(
    cells: Mapping[tuple[Any, Any], Count | int],
    *,
    row_totals: bool = True,
    column_totals: bool = True,
    grand_total: bool = True,
    k: int = DEFAULT_K,
) -> TableSuppression:
    """A two-way table, e.g. organisation (rows) × target group (columns), with its published totals.

    Totals are the sums of the given cells (a missing cell counts as empty). A hidden cell is never alone in a
    published row or column, and no hidden cell or total can be worked out from the published ones.
    """
    k = check_minimum(k)
    table = {key: _as_count(value) for key, value in cells.items()}
    for key in table:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"table cells must be keyed by (row, column), got {key!r}")
    rows = list(dict.fromkeys(row for row, _ in table))
    columns = list(dict.fromkeys(column for _, column in table))

    counts: dict[Any, Count] = {_Key("cell", key): cell for key, cell in table.items()}
    lines: list[Line] = []
    row_keys = {row: _Key("row", row) for row in rows}
    column_keys = {column: _Key("column", column) for column in columns}
    grand = _Key("grand")

    def add_total(key: _Key, parts: list[Any]) -> None:
        counts[key] = _union(counts[p] for p in parts)
        lines.append(Line(key, tuple(parts)))

    if row_totals:
        for row in rows:
            add_total(row_keys[row], [_Key("cell", key) for key in table if key[0] == row])
    if column_totals:
        for column in columns:
            add_total(column_keys[column], [_Key("cell", key) for key in table if key[1] == column])
    if grand_total:
        if row_totals:
            add_total(grand, [row_keys[row] for row in rows])
            if column_totals:
                lines.append(Line(grand, tuple(column_keys[column] for column in columns)))
        elif column_totals:
            add_total(grand, [column_keys[column] for column in columns])
        else:
            add_total(grand, [_Key("cell", key) for key in table])

    result = suppress(counts, lines, k=k)
    by_kind: dict[str, dict[Any, SuppressionReason]] = {"cell": {}, "row": {}, "column": {}, "grand": {}}
    for key, reason in result.hidden.items():
        by_kind[key.kind][key.label] = reason
    return TableSuppression(
        k=k,
        cells=MappingProxyType(by_kind["cell"]),
        row_totals=MappingProxyType(by_kind["row"]),
        column_totals=MappingProxyType(by_kind["column"]),
        grand_total=by_kind["grand"].get(None),
    )
