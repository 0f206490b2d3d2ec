"""Which cells of a cross-tabulation are hidden: primary and complementary suppression (pure).

A cross-tabulation of two questions counts, in one group of respondents, how many answered option a to
the first question and option b to the second. Its row and column totals are the two questions' own
distributions, which the per-question pages publish anyway, so a reader always knows them.

- **Primary**: a cell with 1 to k−1 respondents is hidden, and so is a cell that holds a whole small row or
  column (under ``HOMOGENEITY_LIMIT``): "all who answered a also answered b".
- **Complementary**: a hidden cell must not be derivable from the totals and the shown cells. For every
  primary cell the reader's feasible range (a linear program over the hidden cells, given every total and
  shown cell exactly, each cell at least 0) must be at least k wide, or as wide as the row and column
  totals alone leave it (the Fréchet bounds) when that is narrower. While a primary cell is too narrowly
  bounded, the shown cell in its row or column that widens its range most (the smallest of those) is
  hidden as well. Hiding every cell always passes, so this ends.
- **Earlier versions**: when a reader may have seen the same table at an earlier release, the gain between
  the two is a table too; its cells of 1 to k−1 are primary cells of the same program.
- **Earlier margins**: a release that published the two questions but not their table (an interim
  release) still gave the reader its row and column totals, and those can fix its cells (everyone chose
  one option of the first question, say). Such a version enters the program with every cell unknown, and
  no cell of the table may then be pinned to a gain of 1 to k−1 since it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from analysis.stats.disclosure import HOMOGENEITY_LIMIT

Table = Sequence[Sequence[int]]  # rows × columns of respondents
Position = tuple[int, int]


@dataclass(frozen=True)
class Pattern:
    hidden: frozenset[Position]
    primary: frozenset[Position]
    withheld: bool = False  # not even hiding every cell protects it: the table is not published
    margins_only: bool = False  # an earlier release that published only the table's row and column totals

    def shown(self, position: Position) -> bool:
        return position not in self.hidden


def _lines(table: Table) -> tuple[list[int], list[int], int]:
    rows = [sum(r) for r in table]
    columns = [sum(c) for c in zip(*table, strict=True)] if table else []
    return rows, columns, sum(rows)


def primary_cells(table: Table, k: int) -> set[Position]:
    rows, columns, _ = _lines(table)
    found = set()
    for i, row in enumerate(table):
        for j, n in enumerate(row):
            small_line = (n == rows[i] and rows[i] < HOMOGENEITY_LIMIT) or (
                n == columns[j] and columns[j] < HOMOGENEITY_LIMIT
            )
            if 0 < n < k or (n > 0 and small_line):
                found.add((i, j))
    return found


class _Program:
    """The reader's view of one table (and the versions before it): hidden cells are the unknowns."""

    def __init__(self, versions: Sequence[Table], patterns: Sequence[set[Position]]):
        self.versions = versions
        self.patterns = patterns
        # Unknowns: every hidden cell of every version (the earlier versions' cells are also linked to
        # the later ones: a later cell is at least the earlier one, as answers only come in).
        self.index: dict[tuple[int, Position], int] = {}
        for v, hidden in enumerate(patterns):
            for position in sorted(hidden):
                self.index[(v, position)] = len(self.index)

    def _value(self, v: int, position: Position) -> tuple[dict[int, float], float]:
        """A cell as (coefficients of unknowns, constant)."""
        if (v, position) in self.index:
            return {self.index[(v, position)]: 1.0}, 0.0
        i, j = position
        return {}, float(self.versions[v][i][j])

    def _constraints(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        equalities: list[tuple[dict[int, float], float]] = []
        inequalities: list[tuple[dict[int, float], float]] = []  # Σ coef·x ≤ bound
        for v, table in enumerate(self.versions):
            rows, columns, _ = _lines(table)
            for i, row_total in enumerate(rows):
                coefficients: dict[int, float] = {}
                constant = 0.0
                for j in range(len(columns)):
                    c, const = self._value(v, (i, j))
                    for key, value in c.items():
                        coefficients[key] = coefficients.get(key, 0.0) + value
                    constant += const
                if coefficients:
                    equalities.append((coefficients, row_total - constant))
            for j, column_total in enumerate(columns):
                coefficients = {}
                constant = 0.0
                for i in range(len(rows)):
                    c, const = self._value(v, (i, j))
                    for key, value in c.items():
                        coefficients[key] = coefficients.get(key, 0.0) + value
                    constant += const
                if coefficients:
                    equalities.append((coefficients, column_total - constant))
            if v > 0:
                # earlier ≤ later, cell by cell
                for i in range(len(rows)):
                    for j in range(len(columns)):
                        before, b_const = self._value(v - 1, (i, j))
                        after, a_const = self._value(v, (i, j))
                        coefficients = dict(before)
                        for key, value in after.items():
                            coefficients[key] = coefficients.get(key, 0.0) - value
                        if coefficients:
                            inequalities.append((coefficients, a_const - b_const))
        size = len(self.index)

        def matrix(rows_: list[tuple[dict[int, float], float]]) -> tuple[np.ndarray, np.ndarray]:
            a = np.zeros((len(rows_), size))
            b = np.zeros(len(rows_))
            for r, (coefficients, bound) in enumerate(rows_):
                for key, value in coefficients.items():
                    a[r, key] = value
                b[r] = bound
            return a, b

        a_eq, b_eq = matrix(equalities)
        a_ub, b_ub = matrix(inequalities)
        return a_eq, b_eq, a_ub, b_ub

    def ranges(self, targets: Sequence[tuple[dict[int, float], float]]) -> list[tuple[float, float]]:
        """The reader's bounds on each target (coefficients of unknowns plus a constant)."""
        size = len(self.index)
        if size == 0:
            return [(const, const) for _c, const in targets]
        if len(self.versions) == 1 and all(
            len(c) == 1 and next(iter(c.values())) == 1.0 for c, _k in targets if c
        ):
            cell = {i: position for (_v, position), i in self.index.items()}
            return [
                (const, const)
                if not c
                else _flow_range(self.versions[0], self.patterns[0], cell[next(iter(c))])
                for c, const in targets
            ]
        a_eq, b_eq, a_ub, b_ub = self._constraints()
        found = []
        for coefficients, constant in targets:
            if not coefficients:
                found.append((constant, constant))
                continue
            objective = np.zeros(size)
            for key, value in coefficients.items():
                objective[key] = value
            bounds = []
            for sign in (1.0, -1.0):
                result = linprog(
                    sign * objective,
                    A_ub=a_ub if len(b_ub) else None,
                    b_ub=b_ub if len(b_ub) else None,
                    A_eq=a_eq if len(b_eq) else None,
                    b_eq=b_eq if len(b_eq) else None,
                    bounds=(0, None),
                    method="highs",
                )
                if result.status != 0:  # cannot happen with the true table feasible; be careful anyway
                    bounds.append(None)
                else:
                    bounds.append(sign * result.fun + constant)
            low, high = bounds
            found.append((low if low is not None else -np.inf, high if high is not None else np.inf))
        return found


def _flow_range(table: Table, hidden: set[Position], position: Position) -> tuple[float, float]:
    """A hidden cell's bounds in one table whose totals are known: the same as the linear program's,
    found by flows, which is much cheaper for the many small tables of a page.

    The hidden cells are edges between their rows and columns; what is left of each row and column total
    after the shown cells must flow through them. A value t for the cell is possible exactly when the
    other hidden cells can carry the rest, and the possible values form an interval around the true one."""
    rows, columns, _ = _lines(table)
    left_rows = [
        rows[i] - sum(n for j, n in enumerate(r) if (i, j) not in hidden) for i, r in enumerate(table)
    ]
    left_columns = [
        columns[j] - sum(table[i][j] for i in range(len(table)) if (i, j) not in hidden)
        for j in range(len(columns))
    ]
    others = [p for p in hidden if p != position]
    i0, j0 = position

    def feasible(t: int) -> bool:
        supply = list(left_rows)
        demand = list(left_columns)
        supply[i0] -= t
        demand[j0] -= t
        if supply[i0] < 0 or demand[j0] < 0:
            return False
        return _saturates(supply, demand, others)

    value = table[i0][j0]
    high_bound = min(left_rows[i0], left_columns[j0])
    low, high = value, value
    a, b = value, high_bound  # largest feasible in [value, high_bound]
    while a < b:
        middle = (a + b + 1) // 2
        if feasible(middle):
            a = middle
        else:
            b = middle - 1
    high = a
    a, b = 0, value  # smallest feasible in [0, value]
    while a < b:
        middle = (a + b) // 2
        if feasible(middle):
            b = middle
        else:
            a = middle + 1
    low = a
    return float(low), float(high)


def _saturates(supply: list[int], demand: list[int], edges: list[Position]) -> bool:
    """Can the supplies of the rows reach the demands of the columns exactly through these edges?"""
    if sum(supply) != sum(demand):
        return False
    need = sum(supply)
    if need == 0:
        return True
    # Residual capacities: source → row (supply), row → column (unbounded), column → sink (demand).
    by_row: dict[int, list[int]] = {}
    for i, j in edges:
        by_row.setdefault(i, []).append(j)
    flow: dict[Position, int] = {}
    sent_row = [0] * len(supply)
    got_column = [0] * len(demand)
    total_flow = 0
    while True:
        # Breadth-first search for an augmenting path from a row with supply left to a column with demand left.
        parent: dict[tuple[str, int], tuple[str, int] | None] = {}
        queue = []
        for i in range(len(supply)):
            if sent_row[i] < supply[i]:
                parent[("r", i)] = None
                queue.append(("r", i))
        found = None
        while queue and found is None:
            kind, node = queue.pop(0)
            if kind == "r":
                for j in by_row.get(node, ()):
                    if ("c", j) not in parent:
                        parent[("c", j)] = ("r", node)
                        if got_column[j] < demand[j]:
                            found = ("c", j)
                            break
                        queue.append(("c", j))
            else:
                for (i, j), f in flow.items():
                    if j == node and f > 0 and ("r", i) not in parent:
                        parent[("r", i)] = ("c", node)
                        queue.append(("r", i))
        if found is None:
            return total_flow == need
        path = []
        node = found
        while parent[node] is not None:
            path.append((parent[node], node))
            node = parent[node]
        start = node[1]
        amount = min(supply[start] - sent_row[start], demand[found[1]] - got_column[found[1]])
        for before, after in path:
            if before[0] == "c":  # a backward step: undo flow on (row, column)
                amount = min(amount, flow[(after[1], before[1])])
        for before, after in path:
            if before[0] == "r":
                flow[(before[1], after[1])] = flow.get((before[1], after[1]), 0) + amount
            else:
                flow[(after[1], before[1])] -= amount
        sent_row[start] += amount
        got_column[found[1]] += amount
        total_flow += amount


def _frechet(table: Table, position: Position) -> tuple[int, int]:
    rows, columns, grand = _lines(table)
    i, j = position
    return max(0, rows[i] + columns[j] - grand), min(rows[i], columns[j])


Sensitive = tuple[int, Position, int | None, bool]  # version, cell, gain since which version, pin only


def _sensitive(versions: Sequence[Table], k: int, margins: frozenset[int]) -> list[Sensitive]:
    """Every cell that must not be narrowly bounded: (version, position, the version a gain is counted
    from or None, whether only a pin to 1 to k−1 counts). Versions in `margins` published only their
    totals: their cells are the reader's unknowns, not the truth, so they have no primary cells of their
    own, and the newest table's gains since them must not be pinned to 1 to k−1."""
    found: list[Sensitive] = [
        (v, p, None, False)
        for v, table in enumerate(versions)
        if v not in margins
        for p in sorted(primary_cells(table, k))
    ]
    for v in range(1, len(versions)):
        if v in margins or v - 1 in margins:
            continue
        for i, row in enumerate(versions[v]):
            for j, n in enumerate(row):
                gained = n - versions[v - 1][i][j]
                if 0 < gained < k:
                    found.append((v, (i, j), v - 1, False))
    last = len(versions) - 1
    for since in sorted(margins):
        for i, row in enumerate(versions[last]):
            for j in range(len(row)):
                found.append((last, (i, j), since, True))
    return found


def _target(
    program: _Program, v: int, position: Position, since: int | None
) -> tuple[dict[int, float], float]:
    coefficients, constant = program._value(v, position)
    if since is None:
        return coefficients, constant
    before, b_const = program._value(since, position)
    combined = dict(coefficients)
    for key, value in before.items():
        combined[key] = combined.get(key, 0.0) - value
    return combined, constant - b_const


def _required(versions: Sequence[Table], v: int, position: Position, since: int | None, k: int) -> float:
    if since is not None:
        return 1.0  # a gain is not pinned
    low, high = _frechet(versions[v], position)
    return min(k, high - low)


def _failing(
    versions: Sequence[Table], patterns: list[set[Position]], k: int, margins: frozenset[int] = frozenset()
) -> Sensitive | None:
    program = _Program(versions, patterns)
    sensitive = _sensitive(versions, k, margins)
    ranges = program.ranges([_target(program, v, p, since) for v, p, since, _pin in sensitive])
    for (v, position, since, pin), (low, high) in zip(sensitive, ranges, strict=True):
        if high - low >= _required(versions, v, position, since, k) - 1e-6:
            continue
        if pin and not 0.5 < low < k - 0.5:
            continue  # pinned to no gain, or to k or more: what any published table may say
        return v, position, since, pin
    return None


def suppress(table: Table, k: int, earlier: Sequence[tuple[Table, Pattern]] = ()) -> Pattern:
    """The hidden cells of ``table``, given the versions a reader may have seen before (with their
    patterns, which are fixed: they were published; a `margins_only` one published only its totals, and
    its table need only have the right totals)."""
    versions = [t for t, _p in earlier] + [table]
    patterns: list[set[Position]] = [
        {(i, j) for i, row in enumerate(t) for j in range(len(row))} if p.margins_only else set(p.hidden)
        for t, p in earlier
    ]
    margins = frozenset(v for v, (_t, p) in enumerate(earlier) if p.margins_only)
    primary = primary_cells(table, k)
    current = set(primary)
    # A cell hidden before stays hidden: showing it now would give its gain by subtraction.
    for _t, p in [e for e in earlier if not e[1].margins_only][-1:]:
        current |= set(p.hidden)
    all_cells = {(i, j) for i, row in enumerate(table) for j in range(len(row))}
    while True:
        failing = _failing(versions, [*patterns, current], k, margins)
        if failing is None:
            return Pattern(frozenset(current), frozenset(primary))
        extra = _best_rectangle(versions, patterns, current, failing, k)
        if not extra:
            return Pattern(frozenset(all_cells), frozenset(primary), withheld=current == all_cells)
        current |= extra


def _best_rectangle(
    versions: Sequence[Table],
    patterns: list[set[Position]],
    current: set[Position],
    failing: Sensitive,
    k: int,
) -> set[Position]:
    """The cells to hide next for the failing cell: the other three corners of a rectangle through it.

    A hidden rectangle lets a reader move counts around its corners without changing any total, which is
    what keeps a hidden cell uncertain. Of the rectangles that make the failing cell's range wide enough,
    the one that hides the fewest respondents; when none does, the one that widens it most."""
    v, (i, j), since, _pin = failing
    table = versions[-1]
    needed = _required(versions, v, (i, j), since, k)
    best: tuple[tuple, set[Position]] | None = None
    for other_row in range(len(table)):
        for other_column in range(len(table[0]) if table else 0):
            if other_row == i or other_column == j:
                continue
            corners = {(i, other_column), (other_row, j), (other_row, other_column)} - current
            if not corners:
                continue
            program = _Program(versions, [*patterns, current | corners])
            ((low, high),) = program.ranges([_target(program, v, (i, j), since)])
            width = high - low
            cost = sum(table[a][b] for a, b in corners)
            key = (0, len(corners), cost) if width >= needed - 1e-6 else (1, -width, cost)
            if best is None or key < best[0]:
                best = (key, corners)
    if best is None:
        # One row or one column, or every rectangle hidden already: the whole line goes.
        rest = {(a, b) for a in range(len(table)) for b in range(len(table[0]))} - current
        return {p for p in rest if p[0] == i or p[1] == j} or rest
    return best[1]
