"""Disclosure control: TC10, the four rules, tables and hierarchies, and random tables (hypothesis)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats.disclosure import (
    HOMOGENEITY_LIMIT,
    UNASSIGNED,
    Count,
    Line,
    SuppressionReason,
    check_minimum,
    free_text_reason,
    may_show_free_text,
    primary_reason,
    suppress,
    suppress_breakdown,
    suppress_table,
)

BELOW = SuppressionReason.BELOW_MINIMUM
COMPLEMENTARY = SuppressionReason.COMPLEMENTARY
HOMOGENEOUS = SuppressionReason.HOMOGENEOUS

TC10 = {
    "Region": Count(24, 15),
    "Kommun A": Count(9, 4),
    "Kommun B": Count(3, 2),
    "Kommun C": Count(7, 3),
}


# --- TC10 ------------------------------------------------------------------------------------------


def test_it_hides_kommun_b_below_k_and_kommun_c_as_its_complement_in_tc10():
    result = suppress_breakdown(TC10, k=5)
    assert dict(result.hidden) == {"Kommun B": BELOW, "Kommun C": COMPLEMENTARY}
    assert result.shown == ("Region", "Kommun A")
    assert result.total_reason is None


def test_it_publishes_the_tc10_shares_with_the_hidden_municipalities_merged():
    result = suppress_breakdown(TC10, k=5)
    published = {label: TC10[label].successes / TC10[label].n for label in result.shown}
    assert published["Region"] == pytest.approx(0.625000, abs=1e-6)
    assert published["Kommun A"] == pytest.approx(0.444444, abs=1e-6)
    assert result.other_parts == ("Kommun B", "Kommun C")
    assert result.other == Count(10, 5)
    assert result.other.successes / result.other.n == pytest.approx(0.500000, abs=1e-6)
    assert result.total == Count(43, 24)
    assert result.total.successes / result.total.n == pytest.approx(0.558140, abs=1e-6)


# --- rule 1: minimum size --------------------------------------------------------------------------


def test_it_hides_the_second_smallest_cell_when_one_is_below_k():
    result = suppress_breakdown({"a": 40, "b": 12, "c": 2, "d": 8, "e": 30})
    assert dict(result.hidden) == {"c": BELOW, "d": COMPLEMENTARY}


def test_it_shows_cells_with_no_respondents():
    result = suppress_breakdown({"a": 40, "b": 0, "c": 12})
    assert dict(result.hidden) == {}
    assert primary_reason(0) is None


def test_it_never_uses_an_empty_cell_as_the_complement():
    result = suppress_breakdown({"a": 40, "b": 0, "c": 2, "d": 12})
    assert dict(result.hidden) == {"c": BELOW, "d": COMPLEMENTARY}


def test_two_cells_below_k_are_not_enough_when_together_they_are_still_below_k():
    # 2 + 2 = 4 respondents could be recovered together as total minus the rest.
    result = suppress_breakdown({"a": 40, "b": 2, "c": 2, "d": 9})
    assert dict(result.hidden) == {"b": BELOW, "c": BELOW, "d": COMPLEMENTARY}
    assert result.other == Count(13)


def test_two_cells_below_k_protect_each_other_when_together_they_reach_k():
    result = suppress_breakdown({"a": 40, "b": 3, "c": 4, "d": 9})
    assert dict(result.hidden) == {"b": BELOW, "c": BELOW}


def test_it_hides_the_whole_breakdown_when_the_total_is_below_k():
    result = suppress_breakdown({"a": 1, "b": 2})
    assert dict(result.hidden) == {"a": BELOW, "b": BELOW}
    assert result.total_reason is BELOW
    assert result.other is None


def test_without_a_published_total_only_small_cells_are_hidden():
    result = suppress_breakdown({"a": 40, "b": 3, "c": 9}, total_published=False)
    assert dict(result.hidden) == {"b": BELOW}


def test_k_changes_what_counts_as_small():
    assert dict(suppress_breakdown({"a": 40, "b": 3, "c": 9}, k=3).hidden) == {}
    assert dict(suppress_breakdown({"a": 40, "b": 9, "c": 12}, k=10).hidden) == {
        "b": BELOW,
        "c": COMPLEMENTARY,
    }


def test_ties_between_equally_small_complements_go_to_the_first_listed():
    result = suppress_breakdown({"a": 3, "b": 8, "c": 8})
    assert dict(result.hidden) == {"a": BELOW, "b": COMPLEMENTARY}


# --- rule 2: homogeneity ---------------------------------------------------------------------------


def test_it_hides_a_small_cell_where_everyone_answered_the_same():
    assert primary_reason(Count(7, 7)) is HOMOGENEOUS
    assert primary_reason(Count(7, 0)) is HOMOGENEOUS
    assert primary_reason(Count(7, 3)) is None
    assert primary_reason(Count(HOMOGENEITY_LIMIT, HOMOGENEITY_LIMIT)) is None
    assert primary_reason(Count(7)) is None


def test_below_minimum_wins_over_homogeneous():
    assert primary_reason(Count(3, 3)) is BELOW


def test_a_homogeneous_cell_gets_a_complement_too():
    result = suppress_breakdown({"a": Count(40, 20), "b": Count(6, 6), "c": Count(12, 5), "d": Count(30, 3)})
    assert dict(result.hidden) == {"b": HOMOGENEOUS, "c": COMPLEMENTARY}


def test_the_merged_hidden_cells_must_not_be_homogeneous_either():
    # b and c together are 9 people who all said yes: that would reveal each of them.
    result = suppress_breakdown({"a": Count(40, 20), "b": Count(3, 3), "c": Count(6, 6), "d": Count(12, 5)})
    assert dict(result.hidden) == {"b": BELOW, "c": HOMOGENEOUS, "d": COMPLEMENTARY}
    assert result.other == Count(21, 14)


# --- unassigned respondents ------------------------------------------------------------------------


def test_respondents_outside_every_part_are_protected_as_their_own_part():
    result = suppress_breakdown({"a": 40, "b": 12, "c": 9}, total=63)
    assert result.hidden == {UNASSIGNED: BELOW, "c": COMPLEMENTARY}
    assert result.total == Count(63)


def test_a_large_unassigned_group_may_be_shown():
    result = suppress_breakdown({"a": Count(40, 10), "b": Count(12, 5)}, total=Count(70, 20))
    assert dict(result.hidden) == {}
    assert UNASSIGNED in result.shown


def test_a_total_smaller_than_its_parts_is_refused():
    with pytest.raises(ValueError, match="smaller than the sum"):
        suppress_breakdown({"a": 40, "b": 12}, total=50)


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
        suppress_breakdown({"a": 10}, k=k)


def test_k_from_three_to_ten_is_accepted():
    assert [check_minimum(k) for k in range(3, 11)] == list(range(3, 11))


@pytest.mark.parametrize(("n", "successes"), [(-1, None), (3, 4), (3, -1), (2.5, None), (True, None)])
def test_impossible_counts_are_refused(n, successes):
    with pytest.raises(ValueError):
        Count(n, successes)


def test_a_total_that_is_not_the_sum_of_its_parts_is_refused():
    with pytest.raises(ValueError, match="not the sum"):
        suppress({"t": 10, "a": 4, "b": 5}, [Line("t", ("a", "b"))])
    with pytest.raises(ValueError, match="has no count"):
        suppress({"t": 10, "a": 10}, [Line("t", ("a", "b"))])


# --- tables and hierarchies ------------------------------------------------------------------------


def test_a_table_never_leaves_a_hidden_cell_alone_in_a_row_or_column():
    cells = {
        ("Region", "chefer"): 30, ("Region", "medarbetare"): 50, ("Region", "politiker"): 12,
        ("Kommun A", "chefer"): 3, ("Kommun A", "medarbetare"): 20, ("Kommun A", "politiker"): 9,
        ("Kommun B", "chefer"): 11, ("Kommun B", "medarbetare"): 14, ("Kommun B", "politiker"): 6,
    }  # fmt: skip
    result = suppress_table(cells)
    assert result.reason("Kommun A", "chefer") is BELOW
    assert_table_is_safe(cells, result, row_totals=True, column_totals=True)
    assert not result.row_totals
    assert not result.column_totals
    assert result.grand_total is None


def test_a_one_row_table_hides_the_column_totals_that_equal_hidden_cells():
    result = suppress_table({("Region", "x"): 3, ("Region", "y"): 20, ("Region", "z"): 30})
    assert dict(result.cells) == {("Region", "x"): BELOW, ("Region", "y"): COMPLEMENTARY}
    assert dict(result.column_totals) == {"x": BELOW, "y": COMPLEMENTARY}


def test_it_closes_a_chain_of_complements_across_rows_and_columns():
    cells = {(r, c): 20 for r in "abcd" for c in "wxyz"}
    cells[("a", "w")] = 2
    result = suppress_table(cells)
    assert result.reason("a", "w") is BELOW
    assert len(result.cells) == 4
    assert_table_is_safe(cells, result, row_totals=True, column_totals=True)


def test_a_parent_and_child_hierarchy_is_protected_at_both_levels():
    # county = region + municipalities; each municipality = its units.
    counts = {
        "län": 90,
        "Region": 50, "Kommun A": 25, "Kommun B": 15,
        "A1": 12, "A2": 10, "A3": 3,
        "B1": 8, "B2": 7,
    }  # fmt: skip
    lines = [
        Line("län", ("Region", "Kommun A", "Kommun B")),
        Line("Kommun A", ("A1", "A2", "A3")),
        Line("Kommun B", ("B1", "B2")),
    ]
    result = suppress(counts, lines)
    assert result.reason("A3") is BELOW
    assert result.reason("A2") is COMPLEMENTARY
    assert_no_recoverable_cell(counts, lines, result.hidden)
    assert_lines_are_safe(counts, lines, result.hidden, result.k)


def test_hiding_a_child_does_not_hide_its_parent_when_siblings_protect_it():
    counts = {"län": 60, "A": 30, "B": 30, "A1": 2, "A2": 28}
    lines = [Line("län", ("A", "B")), Line("A", ("A1", "A2"))]
    result = suppress(counts, lines)
    assert dict(result.hidden) == {"A1": BELOW, "A2": COMPLEMENTARY}


# --- independent checks used above and by the property tests ---------------------------------------


def fails_rules(cell, k):
    return 0 < cell.n < k or (
        cell.successes is not None and 0 < cell.n < HOMOGENEITY_LIMIT and cell.successes in (0, cell.n)
    )


def merged(cells):
    n = sum(c.n for c in cells)
    if any(c.successes is None for c in cells):
        return Count(n)
    return Count(n, sum(c.successes for c in cells))


def as_count(value):
    return value if isinstance(value, Count) else Count(value)


def assert_lines_are_safe(counts, lines, hidden, k):
    counts = {key: as_count(value) for key, value in counts.items()}
    for key, cell in counts.items():
        if key not in hidden:
            assert not fails_rules(cell, k), f"{key!r} is shown but fails the rules"
    for line in lines:
        if line.total in hidden:
            continue
        concealed = [p for p in line.parts if p in hidden]
        assert len(concealed) != 1, f"{concealed[0]!r} is the only hidden part of a published total"
        if concealed:
            assert not fails_rules(merged([counts[p] for p in concealed]), k)


def assert_no_recoverable_cell(counts, lines, hidden):
    keys = list(hidden)
    if not keys:
        return
    a = np.array(
        [[(key == line.total) - (key in line.parts) for key in keys] for line in lines] or [[0] * len(keys)]
    )
    rank = np.linalg.matrix_rank(a)
    for j, key in enumerate(keys):
        unit = np.zeros(len(keys))
        unit[j] = 1
        assert np.linalg.matrix_rank(np.vstack([a, unit])) > rank, f"{key!r} can be computed from the totals"


def table_lines(cells, row_totals, column_totals):
    rows = list(dict.fromkeys(r for r, _ in cells))
    columns = list(dict.fromkeys(c for _, c in cells))
    counts = {("cell", key): as_count(value) for key, value in cells.items()}
    lines = []
    if row_totals:
        for r in rows:
            parts = tuple(("cell", key) for key in cells if key[0] == r)
            counts[("row", r)] = merged([counts[p] for p in parts])
            lines.append(Line(("row", r), parts))
    if column_totals:
        for c in columns:
            parts = tuple(("cell", key) for key in cells if key[1] == c)
            counts[("column", c)] = merged([counts[p] for p in parts])
            lines.append(Line(("column", c), parts))
    counts[("grand",)] = merged([as_count(v) for v in cells.values()])
    if row_totals:
        lines.append(Line(("grand",), tuple(("row", r) for r in rows)))
    if column_totals:
        lines.append(Line(("grand",), tuple(("column", c) for c in columns)))
    if not row_totals and not column_totals:
        lines.append(Line(("grand",), tuple(("cell", key) for key in cells)))
    return counts, lines


def assert_table_is_safe(cells, result, *, row_totals, column_totals):
    counts, lines = table_lines(cells, row_totals, column_totals)
    hidden = {("cell", key): reason for key, reason in result.cells.items()}
    hidden.update({("row", r): reason for r, reason in result.row_totals.items()})
    hidden.update({("column", c): reason for c, reason in result.column_totals.items()})
    if result.grand_total is not None:
        hidden[("grand",)] = result.grand_total
    assert_lines_are_safe(counts, lines, hidden, result.k)
    assert_no_recoverable_cell(counts, lines, hidden)


# --- random tables ---------------------------------------------------------------------------------

small_counts = st.one_of(st.integers(0, 4), st.integers(0, 12), st.integers(0, 40))


@st.composite
def cell_counts(draw, with_successes):
    n = draw(small_counts)
    if with_successes:
        return Count(n, draw(st.integers(0, n)))
    return Count(n)


@st.composite
def tables(draw):
    rows = draw(st.integers(1, 4))
    columns = draw(st.integers(1, 4))
    with_successes = draw(st.booleans())
    return {
        (f"r{r}", f"c{c}"): draw(cell_counts(with_successes)) for r in range(rows) for c in range(columns)
    }


@settings(max_examples=150, deadline=None)
@given(tables(), st.integers(3, 10), st.booleans(), st.booleans())
def test_random_tables_never_leave_a_recoverable_or_small_cell(cells, k, row_totals, column_totals):
    result = suppress_table(cells, k=k, row_totals=row_totals, column_totals=column_totals)
    assert_table_is_safe(cells, result, row_totals=row_totals, column_totals=column_totals)


@settings(max_examples=150, deadline=None)
@given(st.lists(cell_counts(True), min_size=1, max_size=8), st.integers(3, 10))
def test_random_breakdowns_never_leave_a_recoverable_or_small_cell(parts, k):
    labels = {f"org{i}": cell for i, cell in enumerate(parts)}
    result = suppress_breakdown(labels, k=k)
    counts = {**labels, "total": result.total}
    hidden = dict(result.hidden)
    if result.total_reason is not None:
        hidden["total"] = result.total_reason
    lines = [Line("total", tuple(labels))]
    assert_lines_are_safe(counts, lines, hidden, k)
    assert_no_recoverable_cell(counts, lines, hidden)
    if result.other is not None:
        assert not fails_rules(result.other, k)


@settings(max_examples=50, deadline=None)
@given(tables(), st.integers(3, 10))
def test_suppression_is_deterministic(cells, k):
    assert suppress_table(cells, k=k) == suppress_table(dict(cells), k=k)
