"""The facts as one integer program, and the bounds it leaves on every hidden group.

Variables (whole numbers ≥ 0): per cell N, and per step of its wave X and B, with X ≤ B ≤ N. The
questionnaire adds (from the public wave API): B = N where "Vet ej" does not leave the base and everyone is
counted; a question asked only of those who reached step C (show-if) has X + (N − B) ≤ X_C when "Vet ej"
leaves the base, else X ≤ X_C. A published reason for hiding a group with N respondents of whom X reached
the step says:

- ``below_minimum``: 1 ≤ N ≤ k − 1;
- ``homogeneous``: k ≤ N ≤ 9 and X ∈ {0, N} (one binary);
- ``complementary``: N ≥ k, and N ≥ 10 or 1 ≤ X ≤ N − 1 (one binary);
- none ("dold"): nothing, or N ≥ 1 where the format says the group is not empty.

Bounds over all *integer* solutions come from scipy's ``milp`` (HiGHS): a count's minimum and maximum, and a
share's minimum and maximum by Dinkelbach's method (maximise X − t·B, move t to the solution's X/B, repeat).
The program is split into its connected parts first (waves do not share counts; without the progress table
neither do target groups), so each solve is small.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from tests.anonymity.facts import B, Between, Cell, Facts, Hidden, N, OneOf, ShareBetween, Sum, X

BIG = 10**6
HOMOGENEITY_LIMIT = 10
TIME_LIMIT = 2.0  # seconds per solve; a solve that runs out counts as "not narrowed" (in the reader's favour)
TOLERANCE = 1e-6
WITNESSES = 3  # random-objective solutions per part, before any bound is sought


@dataclass(frozen=True)
class Range:
    low: float
    high: float

    @property
    def pinned(self) -> bool:
        return self.high - self.low < TOLERANCE

    @property
    def width(self) -> float:
        return self.high - self.low


class Infeasible(Exception):
    """The facts contradict each other: a fact was read wrongly (or the truth is not what was published)."""


class Program:
    def __init__(self, facts: Facts):
        self.k = facts.k
        self.index: dict[tuple, int] = {}
        self.upper: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self._seen: set[tuple] = set()
        self.facts = facts
        cells = facts.cells()
        for cell in sorted(cells):
            self._cell(cell)
        for fact in facts.facts:
            self._fact(fact)
        self._parts: list[int] = []
        self._sub: dict[int, tuple] = {}
        self._pool: dict[int, list[np.ndarray]] = {}  # whole-number solutions found so far, per part

    # --- building ---

    def _var(self, key: tuple, upper: float = BIG) -> int:
        if key not in self.index:
            self.index[key] = len(self.upper)
            self.upper.append(upper)
        return self.index[key]

    def _binary(self) -> int:
        return self._var(("binary", len(self.upper)), 1)

    def _add(self, coefficients: Mapping[int, float], low: float, high: float) -> None:
        row = {i: c for i, c in coefficients.items() if c}
        # The API, the CSV and the XLSX repeat the same numbers: one row each is enough.
        key = (tuple(sorted(row.items())), low, high)
        if row and key not in self._seen:
            self._seen.add(key)
            self.rows.append((row, low, high))

    def _cell(self, cell: Cell) -> None:
        n = self._var((N, cell))
        questions = self.facts.steps.get(cell.wave, ())
        for q in questions:
            x, b = self._var((X, cell, q.step)), self._var((B, cell, q.step))
            self._add({x: 1, b: -1}, -np.inf, 0)
            if not q.excluded and (q.conditional or q.required):
                self._add({b: 1, n: -1}, 0, 0)
            else:
                self._add({b: 1, n: -1}, -np.inf, 0)
            if q.condition and q.condition != q.step:
                opener = self._var((X, cell, q.condition))
                if q.excluded and q.conditional:
                    # Reached and "Vet ej" (N − B of them) were all asked, so all reached the opening step.
                    self._add({x: 1, n: 1, b: -1, opener: -1}, -np.inf, 0)
                else:
                    self._add({x: 1, opener: -1}, -np.inf, 0)

    def _terms(self, term: Sum) -> dict[int, float]:
        if term.quantity == N:
            keys = [(N, c) for c in term.cells]
        else:
            keys = [(term.quantity, c, term.step) for c in term.cells]
        coefficients: dict[int, float] = {}
        for key in keys:
            if key not in self.index and key[0] != N:
                # A step this wave's questionnaire was not read for: X ≤ B ≤ N still holds.
                cell = key[1]
                x, b, n = self._var((X, cell, key[2])), self._var((B, cell, key[2])), self._var((N, cell))
                self._add({x: 1, b: -1}, -np.inf, 0)
                self._add({b: 1, n: -1}, -np.inf, 0)
            coefficients[self._var(key)] = 1.0
        return coefficients

    def _fact(self, fact) -> None:
        if isinstance(fact, Between):
            self._add(self._terms(fact.term), fact.low, fact.high)
        elif isinstance(fact, ShareBetween):
            x, b = self._terms(fact.reached), self._terms(fact.base)
            self._add(_combine(x, b, -fact.low), 0, np.inf)
            self._add(_combine(x, b, -fact.high), -np.inf, 0)
        elif isinstance(fact, OneOf):
            x, b = self._terms(fact.reached), self._terms(fact.base)
            choices = [self._binary() for _ in fact.pairs]
            self._add(dict.fromkeys(choices, 1.0), 1, 1)
            self._add({**x, **{c: -float(r) for c, (_b, r) in zip(choices, fact.pairs, strict=True)}}, 0, 0)
            self._add({**b, **{c: -float(s) for c, (s, _r) in zip(choices, fact.pairs, strict=True)}}, 0, 0)
        elif isinstance(fact, Hidden):
            self._hidden(fact)

    def _hidden(self, fact: Hidden) -> None:
        n = self._terms(Sum(N, fact.cells))
        k = self.k
        x = self._terms(Sum(X, fact.cells, fact.step)) if fact.step else None
        if fact.reason == "below_minimum":
            self._add(n, 1, k - 1)
        elif fact.reason == "homogeneous":
            self._add(n, k, HOMOGENEITY_LIMIT - 1)
            if x is not None:
                z = self._binary()
                limit = HOMOGENEITY_LIMIT - 1
                self._add({**x, z: -limit}, -np.inf, 0)  # z = 0: X = 0
                self._add(_combine(x, n, -1.0) | {z: -limit}, -limit, np.inf)  # z = 1: X ≥ N
        elif fact.reason == "complementary":
            self._add(n, k, np.inf)
            if x is not None:
                w = self._binary()  # w = 1: N ≥ 10; w = 0: 1 ≤ X ≤ N − 1
                self._add({**n, w: -HOMOGENEITY_LIMIT}, 0, np.inf)
                self._add({**x, w: 1}, 1, np.inf)
                self._add(_combine(x, n, -1.0) | {w: -1}, -np.inf, -1)
        elif fact.nonempty:
            self._add(n, 1, np.inf)

    # --- solving ---

    def _subprogram(self, variables: Iterable[int]) -> tuple:
        if len(self._parts) != len(self.upper):
            self._parts = _components(len(self.upper), self.rows)
            self._sub.clear()
        # The independent parts these variables lie in, solved together (one part, in the usual case).
        part = tuple(sorted({self._parts[v] for v in variables}))
        if part not in self._sub:
            members = [i for i, p in enumerate(self._parts) if p in part]
            local = {v: j for j, v in enumerate(members)}
            rows = [r for r in self.rows if self._parts[next(iter(r[0]))] in part]
            data, row_ids, col_ids = [], [], []
            for r, (coefficients, _lo, _hi) in enumerate(rows):
                for v, c in coefficients.items():
                    data.append(c)
                    row_ids.append(r)
                    col_ids.append(local[v])
            matrix = csr_array((data, (row_ids, col_ids)), shape=(len(rows), len(members)))
            self._sub[part] = (
                local,
                matrix,
                np.array([r[1] for r in rows], dtype=float),
                np.array([r[2] for r in rows], dtype=float),
                np.array([self.upper[v] for v in members], dtype=float),
                part,
            )
            self._pool[part] = []
            # A few solutions of random objectives: witnesses that often prove a group safe with no more solves.
            rng = np.random.default_rng(len(members))
            for _ in range(WITNESSES):
                self._solve(dict(zip(members, rng.uniform(-1, 1, len(members)), strict=True)))
        return self._sub[part]

    def _solve(self, objective: Mapping[int, float], extra: list[tuple[dict[int, float], float, float]] = ()):
        local, matrix, low, high, upper, part = self._subprogram(list(objective))
        c = np.zeros(len(local))
        for v, coefficient in objective.items():
            c[local[v]] += coefficient
        constraints = [LinearConstraint(matrix, low, high)] if matrix.shape[0] else []
        for coefficients, lo, hi in extra:
            row = np.zeros(len(local))
            for v, coefficient in coefficients.items():
                row[local[v]] += coefficient
            constraints.append(LinearConstraint(row.reshape(1, -1), lo, hi))
        result = milp(
            c,
            integrality=np.ones(len(local)),
            bounds=Bounds(np.zeros(len(local)), upper),
            constraints=constraints,
            options={"time_limit": TIME_LIMIT},
        )
        if result.status == 2:
            raise Infeasible(f"no whole-number solution ({result.message})")
        if result.x is None:
            return None
        self._pool[part].append(np.round(result.x))
        return result, local

    def _witnessed(
        self, numerator: Mapping[int, float], denominator: Mapping[int, float] | None, own
    ) -> list[float]:
        local, *_rest, part = self._subprogram([*numerator, *(denominator or ())])
        values = []
        for x in self._pool[part]:
            top = sum(x[local[v]] for v in numerator) - own[0]
            if denominator is None:
                values.append(top)
                continue
            bottom = sum(x[local[v]] for v in denominator) - own[1]
            if bottom >= 1:
                values.append(top / bottom)
        return values

    def count_range(self, cells: frozenset[Cell], own: int = 0, *, exact: bool = True) -> Range:
        """ΣN less `own` (respondents the intruder added itself) over every whole-number solution.

        Not `exact`: solutions already found that show two different counts are answer enough (the range
        returned is then what they show, inside the true one)."""
        n = self._terms(Sum(N, cells))
        if not exact:
            seen = self._witnessed(n, None, (own, 0))
            if seen and max(seen) > min(seen):
                return Range(min(seen), max(seen))
        low = self._solve(n)
        high = self._solve({v: -c for v, c in n.items()})
        lo = low[0].fun if low and low[0].status == 0 else 0.0
        hi = -high[0].fun if high and high[0].status == 0 else BIG
        return Range(round(lo) - own, round(hi) - own)

    def share_range(
        self, cells: frozenset[Cell], step: str, own: tuple[int, int] = (0, 0), *, enough: float | None = None
    ) -> Range | None:
        """(ΣX − x)/(ΣB − b) over every whole-number solution with ΣB − b ≥ 1, where (x, b) = `own` is the
        intruder's own part. None: that base is always empty.

        With `enough`: solutions already found that show shares at least that far apart are answer enough
        (the range returned is then what they show, inside the true one)."""
        x, b = self._terms(Sum(X, cells, step)), self._terms(Sum(B, cells, step))

        def witnessed() -> Range | None:
            seen = self._witnessed(x, b, own) if enough is not None else []
            return Range(min(seen), max(seen)) if seen and max(seen) - min(seen) >= enough - 1e-9 else None

        if found := witnessed():
            return found
        extra = [(b, own[1] + 1, np.inf)]
        low = self._ratio(x, b, own, extra, maximise=False)
        if low is None:
            return None
        if found := witnessed():
            return found
        high = self._ratio(x, b, own, extra, maximise=True)
        return Range(low, high if high is not None else 1.0)

    def _ratio(self, x, b, own, extra, *, maximise: bool) -> float | None:
        # Dinkelbach: optimise X − t·B (the own part only shifts it by a constant), move t to the ratio found.
        sign = -1.0 if maximise else 1.0
        t = None
        for _ in range(30):
            objective = {v: sign for v in x} if t is None else _combine({v: sign for v in x}, b, -sign * t)
            try:
                solved = self._solve(objective, extra)
            except Infeasible:
                if t is None:
                    return None
                raise
            if solved is None or solved[0].status != 0:
                return 1.0 if maximise else 0.0  # out of time: the widest range, in the reader's favour
            result, local = solved
            reached = sum(result.x[local[v]] for v in x) - own[0]
            value = reached / (sum(result.x[local[v]] for v in b) - own[1])
            if t is not None and (value <= t + 1e-9 if maximise else value >= t - 1e-9):
                return t
            t = value
            if (maximise and t >= 1 - 1e-12) or (not maximise and t <= 1e-12):
                return t
        return t

    def violated(self, truth: Mapping[tuple, int]) -> list[str]:
        """Which rows the true counts break (binaries aside): a check of the reading, for tests."""
        names = {v: key for key, v in self.index.items()}
        broken = []
        for coefficients, lo, hi in self.rows:
            if any(names[v][0] == "binary" for v in coefficients):
                continue
            if not all(names[v] in truth for v in coefficients):
                continue
            value = sum(c * truth[names[v]] for v, c in coefficients.items())
            if value < lo - 1e-6 or value > hi + 1e-6:
                broken.append(f"{[names[v] for v in coefficients]}: {value} not in [{lo}, {hi}]")
        return broken


def _combine(left: Mapping[int, float], right: Mapping[int, float], factor: float) -> dict[int, float]:
    out = dict(left)
    for v, c in right.items():
        out[v] = out.get(v, 0.0) + factor * c
    return out


def _components(size: int, rows) -> list[int]:
    parent = list(range(size))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for coefficients, _lo, _hi in rows:
        first, *rest = coefficients
        for other in rest:
            a, b = find(first), find(other)
            if a != b:
                parent[a] = b
    return [find(i) for i in range(size)]
