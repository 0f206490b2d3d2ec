"""The intruder: a curious reader or communicator who solves for hidden groups from what they may fetch.

Run it as the tests do (``tests/anonymity/test_intruder.py``): collect a ``Publication`` over HTTP
(``collect.as_reader`` or ``collect.as_communicator``), read it into ``Facts`` (``facts.read_facts``, the one
place that knows the published formats) and ``attack`` it: for every hidden group, the bounds on its
respondent count and on each hidden share over all whole-number solutions (``solver``).

What the rules allow
--------------------
A hidden group is **recovered** when either

1. its respondent count is pinned to one value, or
2. for a step it was hidden for, the share of its respondents who reached the step is confined to an
   interval narrower than ``MIN_SHARE_WIDTH`` (one half).

Why one half: a group with fewer than k (≤ 9) respondents has only a few possible shares (0, 1/n, …, 1).
An interval narrower than a half leaves at most two neighbouring values for n ≤ 4, i.e. "all but at most
one reached" or "at most one reached" — close enough to each person's answer that it is what the rules
forbid. An interval at least half wide ("at least half reached") is what a correctly published union of
hidden groups (at least k respondents, not unanimous) may leave, and tells nothing certain about anyone.
A group of one or two keeps [0, 1] under this rule, i.e. everything stays possible.

One exception: a share pinned to 0 or 1 because a published group that contains the hidden one (the whole
target group that wave, or the hidden organisations together) is shown as unanimous with at least 10
respondents. The rules allow publishing that group, and what it says holds for every member whether their
organisation is hidden or not, so it is not a recovery of the hidden group (``Finding.inherited``).

Three more attacks compare two publications around a change the intruder knows of: ``changes`` (two reads
of an open wave, or two meeting snapshots, around one answer) and the padding attack (``attack`` with
``known`` contributions: answers the intruder made up and sent into a small group through the open link).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from tests.anonymity.facts import B, Between, Cell, Facts, Hidden, N, ShareBetween, X
from tests.anonymity.solver import HOMOGENEITY_LIMIT, Program, Range

MIN_SHARE_WIDTH = 0.5
_memo: dict[tuple, Attack] = {}


@dataclass(frozen=True)
class Finding:
    """What the intruder can say about one hidden group."""

    cells: frozenset[Cell]
    steps: tuple[str, ...]  # the steps it was hidden for
    reasons: tuple[str, ...]  # the published reasons (sources), e.g. "api:organisation:hidden-below_minimum"
    count: Range
    shares: Mapping[str, Range | None]
    inherited: Mapping[str, float] = field(
        default_factory=dict
    )  # step → 0 or 1 of a published unanimous whole

    @property
    def narrowed(self) -> dict[str, Range]:
        return {
            s: r
            for s, r in self.shares.items()
            if r is not None
            and r.width < MIN_SHARE_WIDTH - 1e-9
            and not (r.pinned and s in self.inherited and abs(r.low - self.inherited[s]) < 1e-6)
        }

    @property
    def recovered(self) -> bool:
        return self.count.pinned or bool(self.narrowed)

    def label(self) -> str:
        first = min(self.cells)
        where = first.org if len(self.cells) == 1 else f"{len(self.cells)} organisationer"
        text = f"{first.wave} / {first.group} / {where}: "
        text += (
            f"N = {self.count.low:g}"
            if self.count.pinned
            else f"N ∈ [{self.count.low:g}, {self.count.high:g}]"
        )
        for step, share in self.shares.items():
            if share is not None:
                text += f", {step} ∈ [{share.low:.3f}, {share.high:.3f}]"
        return text


@dataclass
class Attack:
    findings: list[Finding]
    seconds: float
    facts: int

    @property
    def recovered(self) -> list[Finding]:
        return [f for f in self.findings if f.recovered]


@dataclass(frozen=True)
class Own:
    """What the intruder itself put into one cell: its respondents, and per step (reached, base)."""

    respondents: int
    steps: Mapping[str, tuple[int, int]] = field(default_factory=dict)


def attack(
    facts: Facts, *, own: Mapping[Cell, Own] | None = None, thorough: bool = False, memo: bool = True
) -> Attack:
    """Bounds for every hidden group, and for the others' part of every cell the intruder added answers to.

    Bounds are exact only when `thorough` (for reports: "3 respondents, 2 of whom reached L1"). Otherwise a
    group whose count is pinned is recovered whatever its shares, which are then not worked out, and ranges
    that solutions already found show to be wide enough are reported as those solutions show them.
    """
    own = dict(own or {})
    key = (
        facts.key(),
        thorough,
        tuple(sorted((c, o.respondents, tuple(sorted(o.steps.items()))) for c, o in own.items())),
    )
    if memo and key in _memo:
        return _memo[key]
    started = time.perf_counter()
    program = Program(facts)
    hidden_groups = facts.hidden_groups()
    targets: dict[frozenset[Cell], list[Hidden]] = dict(hidden_groups)
    for cell in own:
        targets.setdefault(frozenset({cell}), [])
    wholes = _wholes(facts)
    unanimous: dict[tuple[frozenset[Cell], str], float | None] = {}
    findings = []
    for cells, hidden in sorted(targets.items(), key=lambda item: sorted(item[0])):
        mine = own.get(min(cells)) if len(cells) == 1 else None
        steps = sorted({h.step for h in hidden if h.step} | set(mine.steps if mine else ()))
        count = program.count_range(cells, mine.respondents if mine else 0, exact=thorough)
        shares: dict[str, Range | None] = {}
        inherited: dict[str, float] = {}
        if count.high >= 1 and (thorough or mine or not count.pinned):
            for step in steps:
                part = mine.steps.get(step, (0, 0)) if mine else (0, 0)
                shares[step] = share = program.share_range(
                    cells, step, part, enough=None if thorough else MIN_SHARE_WIDTH
                )
                if share is None or not _at_an_end(share):
                    continue
                for whole in wholes.get((min(cells).wave, min(cells).group), ()):
                    if not whole > cells or _hidden_for(hidden_groups, whole, step):
                        continue
                    if (whole, step) not in unanimous:
                        unanimous[(whole, step)] = _unanimous(program, whole, step)
                    if unanimous[(whole, step)] is not None:
                        inherited[step] = unanimous[(whole, step)]
        sources = tuple(sorted({h.source for h in hidden})) or ("own answers",)
        findings.append(Finding(cells, tuple(steps), sources, count, shares, inherited))
    result = Attack(findings, time.perf_counter() - started, len(facts.facts))
    if memo:
        _memo[key] = result
    return result


def _wholes(facts: Facts) -> dict[tuple[str, str], set[frozenset[Cell]]]:
    """Per (wave, target group): the groups of several cells that a published number speaks of directly
    (the whole target group, the hidden organisations together)."""
    wholes: dict[tuple[str, str], set[frozenset[Cell]]] = {}
    for fact in facts.facts:
        if isinstance(fact, Hidden):
            continue
        cells = fact.term.cells if isinstance(fact, Between) else fact.reached.cells
        if len(cells) > 1 and len({(c.wave, c.group) for c in cells}) == 1:
            first = min(cells)
            wholes.setdefault((first.wave, first.group), set()).add(cells)
    return wholes


def _hidden_for(hidden: Mapping[frozenset[Cell], list[Hidden]], cells: frozenset[Cell], step: str) -> bool:
    return any(h.step in (step, None) for h in hidden.get(cells, []))


def _unanimous(program: Program, whole: frozenset[Cell], step: str) -> float | None:
    """0 or 1 where a published group's share is unanimous and it may be (≥ 10 respondents)."""
    if program.count_range(whole).low < HOMOGENEITY_LIMIT:
        return None
    share = program.share_range(whole, step)
    return float(round(share.low)) if share is not None and _at_an_end(share) else None


def _at_an_end(share: Range) -> bool:
    return share.pinned and min(abs(share.low), abs(share.low - 1)) < 1e-9


# --- the difference attacks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    place: str  # the published number's source and cell, e.g. "api:organisation:respondents N  w/chefer/alby"
    before: float | None
    after: float | None

    def __str__(self) -> str:
        return f"{self.place}: {self.before} → {self.after}"


def published_numbers(facts: Facts) -> dict[str, float]:
    """Every published number by its place (hidden: −1): what two reads are compared on."""
    numbers: dict[str, float] = {}
    for fact in facts.facts:
        if isinstance(fact, Between):
            place = f"{fact.source} {fact.term.quantity} {fact.term.step or ''} {_where(fact.term.cells)}"
            numbers[place] = (fact.low + fact.high) / 2
        elif isinstance(fact, ShareBetween):
            numbers[f"{fact.source} {fact.reached.step} {_where(fact.reached.cells)}"] = (
                fact.low + fact.high
            ) / 2
        elif isinstance(fact, Hidden):
            numbers[f"{fact.source} {fact.step or ''} {_where(fact.cells)}"] = -1.0
    return numbers


def _where(cells: frozenset[Cell]) -> str:
    first = min(cells)
    orgs = ",".join(sorted({c.org for c in cells}))
    groups = ",".join(sorted({c.group for c in cells}))
    return f"{first.wave}/{groups}/{orgs}"


def changes(before: Mapping[str, object], after: Mapping[str, object]) -> list[Change]:
    """Published numbers (by place) that differ between two reads, or appear in only one of them."""
    out = []
    for place in sorted(set(before) | set(after)):
        old, new = before.get(place), after.get(place)
        if old != new and not (isinstance(old, float) and isinstance(new, float) and abs(old - new) < 1e-9):
            out.append(Change(place, old, new))
    return out


def revealed(found: list[Change]) -> list[str]:
    """What the changes say about one new answer: counts that grew by fewer than… one, by place."""
    said = []
    for change in found:
        if isinstance(change.before, float | int) and isinstance(change.after, float | int):
            delta = change.after - change.before
            quantity = change.place.split(" ")[1] if " " in change.place else ""
            if quantity in (N, X, B) and 0 < abs(delta) < 2 and delta == int(delta):
                said.append(f"{change.place} {'+' if delta > 0 else ''}{delta:g}")
    return said
