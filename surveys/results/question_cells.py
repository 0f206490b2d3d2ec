"""The disclosure rules for one question's answer distribution, in one group of respondents (pure).

The per-question pages publish, for a wave's released counts, how every question was answered: by each
target group, and within it by each organisation the release shows. They add tables to those the release's
one suppression pattern covers (analysis/stats/linked_tables.py), so they follow its rules for every
option of every question, never a weaker one:

- **An organisation the release hides stays hidden**, and the hidden organisations of a group can be
  worked out together (the group's total minus the shown ones): their merged distribution must pass the
  union rule below for the question, or no organisation of the group is shown for that question.
- **A shown part** (an organisation, or the group's total) needs at least k in the question's base, and a
  base under ``HOMOGENEITY_LIMIT`` must not have answered alike.
- **Alike**, for a question with one answer of three or more options: everyone chose the same option.
  For a yes/no question and for each option of a question with several answers (chose it, or not): all
  or none chose it, as for a step's share.
- **The union protects its small members** as in linked_tables.union_fails: given the union's counts, a
  member with fewer than k respondents (or a base under k) must not be forced to have mostly chosen one
  option, and on a yes/no item its share must stay uncertain over at least half the range; no member is
  pinned to one distribution. This holds for a union of any size: a union of ten that all chose one
  option says so of its member of three, whose count of it is then pinned (the release's rule,
  linked_tables.union_fails, makes no exception either). Only an option none of a union of at least
  ``HOMOGENEITY_LIMIT`` chose is left out: that pins a member's count to zero, which says of it no more
  than any published group of that size may.
- **Releases**: what a question gained between two releases is a table too (one release minus the
  other) and passes the same rules.

The result is all or nothing per question and group: either exactly the organisations the release shows,
or none (only the group's total). A question-by-question pattern of its own would let the pages be
combined into cells the release never checked.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from analysis.stats.disclosure import HOMOGENEITY_LIMIT
from analysis.stats.linked_tables import PROTECTION_WIDTH

#: A hidden small member must not be forced to have chosen one option this often (a majority).
MAJORITY: float = 0.5


@dataclass(frozen=True)
class Dist:
    """One group's answers to one question.

    ``base``: who the shares are of (those who answered a one-answer question; those who were asked a
    question with several answers). ``counts``: option → chosen. ``single``: one answer per respondent.
    """

    respondents: int
    base: int
    counts: Mapping[Hashable, int] = field(default_factory=dict)
    single: bool = True

    def __add__(self, other: Dist) -> Dist:
        keys = set(self.counts) | set(other.counts)
        return Dist(
            self.respondents + other.respondents,
            self.base + other.base,
            {o: self.counts.get(o, 0) + other.counts.get(o, 0) for o in keys},
            self.single,
        )

    def minus(self, earlier: Dist) -> Dist:
        """What came in since ``earlier``: the table a reader gets by subtracting two releases."""
        keys = set(self.counts) | set(earlier.counts)
        return Dist(
            self.respondents - earlier.respondents,
            self.base - earlier.base,
            {o: self.counts.get(o, 0) - earlier.counts.get(o, 0) for o in keys},
            self.single,
        )

    @property
    def binary(self) -> bool:
        """Each option is its own yes/no item: several answers, or only two options."""
        return not self.single or len(self.counts) <= 2


def total(parts: Iterable[Dist], single: bool = True) -> Dist:
    result = Dist(0, 0, {}, single)
    for part in parts:
        result = result + part
    return result


def alike(d: Dist) -> bool:
    """Did a small base (under HOMOGENEITY_LIMIT) all answer alike?"""
    if not 0 < d.base < HOMOGENEITY_LIMIT:
        return False
    if d.binary:
        return any(n in (0, d.base) for n in d.counts.values()) if d.counts else False
    return max(d.counts.values(), default=0) == d.base


def part_fails(d: Dist, k: int) -> bool:
    """May this part (an organisation, a group's total, a gain) not stand alone?"""
    return 0 < d.respondents < k or 0 < d.base < k or alike(d)


def _range(member: Dist, union: Dist, chose: int) -> tuple[int, int]:
    """What a reader who knows the union's base and count can tell of a member's count of one option."""
    return max(0, member.base - (union.base - chose)), min(member.base, chose)


def union_fails(members: Iterable[Dist], k: int) -> bool:
    """May these hidden parts not be published together, as one merged group, for this question?"""
    members = [m for m in members if m.respondents > 0]
    if not members:
        return False
    union = total(members, members[0].single)
    if union.respondents < k or 0 < union.base < k or alike(union):
        return True
    for m in members:
        if m.base <= 0 or not union.counts:
            continue
        small = m.respondents < k or m.base < k
        # An option none of a union of at least HOMOGENEITY_LIMIT chose pins every member's count of it to
        # zero, which a published group of that size may say. One all of it chose is no such exception: it
        # pins the member's count to its base (tests/anonymity/test_crosstab_intruder.py found a hidden
        # organisation of two given away so, by an interim and a final release together).
        ranges = {
            option: _range(m, union, chose)
            for option, chose in union.counts.items()
            if not (union.base >= HOMOGENEITY_LIMIT and chose == 0)
        }
        if ranges and all(low == high for low, high in ranges.values()):
            return True  # the member's whole distribution follows from the union's
        for option, (low, high) in ranges.items():
            chose = union.counts[option]
            if union.binary:
                width = (high - low) / m.base
                if (small and width < PROTECTION_WIDTH - 1e-12) or (not small and low == high):
                    return True
            elif small and chose > 0 and low / m.base >= MAJORITY - 1e-12:
                return True
    return False
