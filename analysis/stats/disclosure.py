"""Disclosure control for single cells shown to users (docs/methods.md §3.2–§3.3).

A cell is a group of respondents: ``Count(n, successes)``, where ``successes`` (optional) is how many reached
the step. The rules for a cell on its own, applied after all statistics are computed:

1. **Minimum size** (``BELOW_MINIMUM``): a cell with 0 < n < k respondents is hidden; k defaults to 5 and may
   be 3–10. A cell with n = 0 is shown: "no answers" tells nothing about anyone's answer, and hiding it would
   not protect other cells either.
2. **Homogeneity** (``HOMOGENEOUS``): a cell with fewer than 10 respondents where everyone gave the same
   answer (successes 0 or n) is hidden, since "100 %" reveals each person's answer. (A "≥ 90 %" rule would
   mean the same thing below 10 respondents: everyone.)
3. **Complementary suppression**: what a published total would reveal by subtraction, across the tables
   linked through the same respondents and between releases, is decided once per release in
   analysis/stats/linked_tables.py (docs/methods.md §3.4).
4. **Free text** (``FREE_TEXT_BELOW_MINIMUM``): shown only for groups of at least k respondents.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np

__all__ = [
    "DEFAULT_K",
    "HOMOGENEITY_LIMIT",
    "MAXIMUM_K",
    "MINIMUM_K",
    "Count",
    "SuppressionReason",
    "check_minimum",
    "free_text_reason",
    "may_show_free_text",
    "primary_reason",
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
