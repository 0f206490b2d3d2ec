"""Disclosure control for single cells: minimum size, homogeneity, free text, and the checks on k.

Complementary suppression across linked tables is tested in test_linked_tables.py, and TC10 through the
goal results in test_goal_results.py (docs/methods.md §3.3–§3.4).
"""

import pytest

from analysis.stats.disclosure import (
    HOMOGENEITY_LIMIT,
    Count,
    SuppressionReason,
    check_minimum,
    free_text_reason,
    may_show_free_text,
    primary_reason,
)

BELOW = SuppressionReason.BELOW_MINIMUM
HOMOGENEOUS = SuppressionReason.HOMOGENEOUS


# --- rule 1: minimum size --------------------------------------------------------------------------


def test_a_cell_with_one_to_k_minus_one_respondents_is_hidden():
    assert primary_reason(1) is BELOW
    assert primary_reason(4) is BELOW
    assert primary_reason(5) is None


def test_a_cell_with_no_respondents_is_shown():
    assert primary_reason(0) is None
    assert primary_reason(Count(0, 0)) is None


def test_k_changes_what_counts_as_small():
    assert primary_reason(3, k=3) is None
    assert primary_reason(9, k=10) is BELOW


# --- rule 2: homogeneity ---------------------------------------------------------------------------


def test_it_hides_a_small_cell_where_everyone_answered_the_same():
    assert primary_reason(Count(7, 7)) is HOMOGENEOUS
    assert primary_reason(Count(7, 0)) is HOMOGENEOUS
    assert primary_reason(Count(7, 3)) is None
    assert primary_reason(Count(HOMOGENEITY_LIMIT, HOMOGENEITY_LIMIT)) is None
    assert primary_reason(Count(7)) is None


def test_below_minimum_wins_over_homogeneous():
    assert primary_reason(Count(3, 3)) is BELOW


# --- free text -------------------------------------------------------------------------------------


def test_free_text_is_shown_only_from_k_respondents():
    assert not may_show_free_text(4)
    assert may_show_free_text(5)
    assert may_show_free_text(9, k=9)
    assert not may_show_free_text(8, k=9)
    assert free_text_reason(2) is SuppressionReason.FREE_TEXT_BELOW_MINIMUM
    assert free_text_reason(5) is None


# --- k and input checks ----------------------------------------------------------------------------


@pytest.mark.parametrize("k", [2, 11, 0, -5, 5.5, True, "5"])
def test_k_outside_three_to_ten_is_refused(k):
    with pytest.raises(ValueError, match="from 3 to 10"):
        check_minimum(k)
    with pytest.raises(ValueError):
        primary_reason(10, k=k)


def test_k_from_three_to_ten_is_accepted():
    assert [check_minimum(k) for k in range(3, 11)] == list(range(3, 11))


@pytest.mark.parametrize(("n", "successes"), [(-1, None), (3, 4), (3, -1), (2.5, None), (True, None)])
def test_impossible_counts_are_refused(n, successes):
    with pytest.raises(ValueError):
        Count(n, successes)


@pytest.mark.parametrize("n", [-1, 2.5, True])
def test_an_impossible_number_of_free_text_respondents_is_refused(n):
    with pytest.raises(ValueError):
        free_text_reason(n)
