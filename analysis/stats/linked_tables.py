"""One suppression decision per release over every table published from the same respondents.

A wave's respondents are published many times over: every effect goal's organisation breakdown, the
effect ladder, channel recall, the communicator's progress table, the exports, the API, the charts, the
meeting pack and its frozen snapshot. A cell hidden in one of them but shown in another is not hidden, and
tables that share respondent counts can be solved together (docs/methods.md, "Länkade tabeller"). So the
unit that is shown or hidden here is one *organisation within one target group* of one wave, and the
decision holds for every table of that wave: a hidden organisation is hidden in every goal, every step and
every channel, and the hidden organisations of a group are published only together, as one merged group
that must itself pass the rules.

The rules for one wave (k is the minimum group size, 3–10):

1. **A cell that may not stand alone** (`cell_fails`): fewer than k respondents, or a published share
   whose base is under k, or a share of a small base (under ``HOMOGENEITY_LIMIT``) where everyone answered
   the same way.
2. **A merged group that protects its members** (`union_fails`): the hidden organisations of a group are
   published together (the group's total minus its shown parts is their union anyway). The union must have
   at least k respondents, and for every published share, each member that failed rule 1 must keep its own
   share uncertain: a member with fewer than k respondents must keep a feasible share interval at least
   ``PROTECTION_WIDTH`` wide given the union's count, and a member hidden because everyone in it answered
   alike must not be pinned to one value. One hidden member alone never passes (its range is a point).
   When a union fails, the smallest shown organisation of the group joins it; when none is left, the whole
   group is hidden for that wave.
3. **Releases** (`previous`): an open wave is published at release points. The *gain* since the previous
   release is itself a table a reader can compute (this release minus the last one), so it must pass rules
   1–2 too: an organisation that gained 1 to k−1 respondents since the previous release is hidden, and so
   on. A group whose total gained 1 to k−1 respondents is not released anew: it keeps the previous
   release's numbers (``stale_groups``).
4. **The smallest first** (`_smallest_first`): an organisation is hidden only together with every smaller
   one (fewer respondents; ties in the order of their keys). Which organisations fail rule 1 depends on
   what is published by organisation (the plan's goals, k, the wave's kind), and all of those can change
   between two reads of the same release. Two patterns that each hid a different partner (one read merging
   a small organisation with B and showing C, the next merging it with C and showing B) would give the
   small one by subtraction (tests/anonymity/test_plan_changes.py). Hidden sets that are always the
   smallest organisations of the same counts are nested: whatever two reads hide, one merged group is
   the other's plus organisations the other read shows, so together they tell nothing either does not.

Respondent counts of organisations and of organisation totals across groups are published rounded
(`rounded_count`), never exactly, so the progress table's rows add no equation a reader could solve.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from analysis.stats.disclosure import HOMOGENEITY_LIMIT, check_minimum

__all__ = [
    "PROTECTION_WIDTH",
    "ROUNDING_BASE",
    "GroupCounts",
    "Part",
    "ReleasePattern",
    "cell_fails",
    "open_link_minimum",
    "release_pattern",
    "rounded_count",
    "union_fails",
]

#: A hidden small group's share must stay feasible over at least this much of the 0–1 range.
PROTECTION_WIDTH: Final = 0.5
#: Organisation-level respondent counts are published to the nearest multiple of this.
ROUNDING_BASE: Final = 5


@dataclass(frozen=True, slots=True)
class Part:
    """One organisation's part of one published share: who is in the denominator, and who reached it."""

    base: int
    reached: int

    def __post_init__(self) -> None:
        if not 0 <= self.reached <= self.base:
            raise ValueError(f"reached must lie between 0 and the base ({self.base}), got {self.reached}")


@dataclass(frozen=True)
class GroupCounts:
    """One target group in one wave: respondents per organisation, and each published share's parts.

    ``shares`` maps a measure (a goal's step, a ladder rung, a channel's recall …) to its parts per
    organisation. Organisations missing from a measure count as having no base in it.
    """

    group: Hashable
    respondents: Mapping[Hashable, int]
    shares: Mapping[Hashable, Mapping[Hashable, Part]] = field(default_factory=dict)

    def part(self, measure: Hashable, organisation: Hashable) -> Part:
        return self.shares[measure].get(organisation, Part(0, 0))

    def minus(self, earlier: GroupCounts) -> GroupCounts:
        """What was added since ``earlier``: the table a reader gets by subtracting two releases."""
        respondents = {o: n - earlier.respondents.get(o, 0) for o, n in self.respondents.items()}
        shares = {
            measure: {
                o: Part(p.base - earlier.part(measure, o).base, p.reached - earlier.part(measure, o).reached)
                if measure in earlier.shares
                else p
                for o, p in parts.items()
            }
            for measure, parts in self.shares.items()
        }
        for o, n in respondents.items():
            if n < 0:
                raise ValueError(f"{o!r} has fewer respondents than at the previous release")
        return GroupCounts(self.group, respondents, shares)


@dataclass(frozen=True)
class ReleasePattern:
    """Which organisations of which groups are hidden in every table of one wave's release."""

    k: int
    hidden: frozenset[tuple[Hashable, Hashable]]  # (group, organisation)
    hidden_groups: frozenset[Hashable]  # the group's total and every part are hidden
    stale_groups: frozenset[Hashable] = frozenset()  # keep the previous release's numbers
    merged: Mapping[Hashable, tuple[Hashable, ...]] = field(default_factory=lambda: MappingProxyType({}))

    def is_hidden(self, group: Hashable, organisation: Hashable) -> bool:
        return group in self.hidden_groups or (group, organisation) in self.hidden

    def group_hidden(self, group: Hashable) -> bool:
        return group in self.hidden_groups


def open_link_minimum(k: int) -> int:
    """The smallest organisation part an open-link wave publishes: one more than k.

    Anyone with an open link can send made-up answers into a small group until it is published, and then
    take their own answers away from the published share to see the real person's. One-time codes stop
    that, and the pre-start check says so; the higher minimum makes it cost more made-up answers. It is
    only one more than k so that the demo plan still publishes all but about 14 % of the organisation
    cells it did before (docs/methods.md §3.4, where the figures are).
    """
    return check_minimum(k) + 1


def rounded_count(n: int, base: int = ROUNDING_BASE) -> int:
    """A respondent count as published in breakdowns: to the nearest multiple of ``base`` (halves up)."""
    if n < 0:
        raise ValueError(f"a count is never negative, got {n}")
    return (2 * n + base) // (2 * base) * base


def _homogeneous(part: Part) -> bool:
    return 0 < part.base < HOMOGENEITY_LIMIT and part.reached in (0, part.base)


def cell_fails(counts: GroupCounts, organisation: Hashable, k: int) -> bool:
    """Rule 1: may this organisation's cells not stand alone in this group's tables?"""
    n = counts.respondents.get(organisation, 0)
    if 0 < n < k:
        return True
    for measure in counts.shares:
        part = counts.part(measure, organisation)
        if 0 < part.base < k or _homogeneous(part):
            return True
    return False


def _share_range(member: Part, union: Part) -> tuple[float, float]:
    """What a reader who knows the union's base and reached count can tell about one member's share."""
    not_reached = union.base - union.reached
    low = max(0, member.base - not_reached)
    high = min(member.base, union.reached)
    return low / member.base, high / member.base


def union_fails(counts: GroupCounts, members: Iterable[Hashable], k: int) -> bool:
    """Rule 2: may these hidden organisations not be published together, as one merged group?"""
    members = [m for m in members if counts.respondents.get(m, 0) > 0]
    if not members:
        return False
    if sum(counts.respondents[m] for m in members) < k:
        return True
    protected = [m for m in members if cell_fails(counts, m, k)]
    for measure in counts.shares:
        parts = [counts.part(measure, m) for m in members]
        union = Part(sum(p.base for p in parts), sum(p.reached for p in parts))
        if union.base == 0:
            continue
        if 0 < union.base < k or _homogeneous(union):
            return True
        for m in protected:
            member = counts.part(measure, m)
            if member.base == 0:
                continue
            low, high = _share_range(member, union)
            small = counts.respondents[m] < k or member.base < k
            if (small and high - low < PROTECTION_WIDTH - 1e-12) or (not small and high - low < 1e-12):
                return True
    return False


def _tie_order(counts: GroupCounts) -> dict[Hashable, int]:
    """Organisations of equal size in an order of their own keys, not of how they were listed: the
    listing comes from database rows without an order, and a tie broken one way in one read and the other
    way in the next would merge a small organisation with different partners (rule 4)."""
    try:
        ordered = sorted(counts.respondents)
    except TypeError:
        ordered = sorted(counts.respondents, key=repr)
    return {o: i for i, o in enumerate(ordered)}


def _smallest_shown(counts: GroupCounts, hidden: set[Hashable]) -> Hashable | None:
    shown = [o for o, n in counts.respondents.items() if n > 0 and o not in hidden]
    order = _tie_order(counts)
    return min(shown, key=lambda o: (counts.respondents[o], order[o])) if shown else None


def _smallest_first(counts: GroupCounts, hidden: set[Hashable]) -> set[Hashable]:
    """The hidden organisations and every organisation with answers that is smaller (rule 4)."""
    order = _tie_order(counts)

    def rank(o: Hashable) -> tuple[int, int]:
        return counts.respondents.get(o, 0), order.get(o, len(order))

    answered = [o for o in hidden if counts.respondents.get(o, 0) > 0]
    if not answered:
        return hidden
    largest = max(rank(o) for o in answered)
    return hidden | {o for o, n in counts.respondents.items() if n > 0 and rank(o) <= largest}


def _group_pattern(
    layers: Sequence[GroupCounts], k: int, parts_k: int, already: Iterable[Hashable] = ()
) -> tuple[set[Hashable], bool]:
    """The hidden organisations of one group, satisfying rules 1–2 in every layer; True: hide the group."""
    hidden = set(already) | {
        o for layer in layers for o in layer.respondents if cell_fails(layer, o, parts_k)
    }
    current = layers[0]
    if 0 < sum(current.respondents.values()) < k:
        return set(current.respondents), True
    hidden = _smallest_first(current, hidden)
    while any(union_fails(layer, hidden, parts_k) for layer in layers):
        extra = _smallest_shown(current, hidden)
        if extra is None:
            return set(current.respondents), True
        hidden.add(extra)
    return hidden, False


def release_pattern(
    groups: Sequence[GroupCounts],
    *,
    k: int,
    previous: Mapping[Hashable, GroupCounts] | None = None,
    previous_pattern: ReleasePattern | None = None,
    parts_k: int | None = None,
) -> ReleasePattern:
    """The one suppression pattern for every table of one wave's release.

    ``parts_k`` is the minimum for an organisation's part (and for the merged hidden ones) when it is
    higher than the group's k: a wave anyone can answer through an open link uses `open_link_minimum`.

    ``previous`` holds each group's counts as published at the previous release of the same wave, and
    ``previous_pattern`` what that release hid (both absent: this is the wave's first release).

    - A group whose total gained 1 to k−1 respondents since then is *stale*: it keeps the previous
      release's numbers and pattern, since a fresh release would publish those few answers by subtraction.
    - Otherwise the gain must pass rules 1–2 as well as the new counts.
    - An organisation hidden at the previous release stays hidden: showing it now would give a reader its
      new value and, through the previous merged group, a way back to its old one. A group that was hidden
      whole published nothing to subtract from, so it starts afresh.
    """
    k = check_minimum(k)
    parts_k = max(k, parts_k or k)
    hidden: set[tuple[Hashable, Hashable]] = set()
    hidden_groups: set[Hashable] = set()
    stale: set[Hashable] = set()
    merged: dict[Hashable, tuple[Hashable, ...]] = {}
    for counts in groups:
        earlier = (previous or {}).get(counts.group)
        before: set[Hashable] = set()
        if previous_pattern is not None and not previous_pattern.group_hidden(counts.group):
            before = {o for g, o in previous_pattern.hidden if g == counts.group}
        layers: list[GroupCounts] = [counts]
        if earlier is not None and not (previous_pattern and previous_pattern.group_hidden(counts.group)):
            gain = counts.minus(earlier)
            gained = sum(gain.respondents.values())
            if gained < k:
                # Nothing new, or too little to publish on its own: the previous release stands.
                if gained > 0:
                    stale.add(counts.group)
                layers = [earlier]
            else:
                layers.append(gain)
        members, whole = _group_pattern(layers, k, parts_k, before)
        if whole:
            hidden_groups.add(counts.group)
        hidden.update((counts.group, o) for o in members)
        merged[counts.group] = tuple(o for o in counts.respondents if o in members)
    return ReleasePattern(
        k=k,
        hidden=frozenset(hidden),
        hidden_groups=frozenset(hidden_groups),
        stale_groups=frozenset(stale),
        merged=MappingProxyType(merged),
    )
