"""The disclosure rules of the per-question pages, on plain numbers: parts, merged hidden parts, cross-tabs."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.optimize import linprog

from surveys.results.crosstab_cells import Pattern, _flow_range, _lines, primary_cells, suppress
from surveys.results.question_cells import Dist, alike, part_fails, union_fails

K = 5


def single(respondents: int, *counts: int) -> Dist:
    return Dist(respondents, sum(counts), dict(enumerate(counts)), True)


def several(respondents: int, asked: int, *counts: int) -> Dist:
    return Dist(respondents, asked, dict(enumerate(counts)), False)


# --- one question's parts ---------------------------------------------------------------------------


def test_a_part_with_fewer_than_k_in_the_base_fails():
    assert part_fails(single(20, 2, 1, 1), K)
    assert not part_fails(single(20, 8, 6, 6), K)
    assert not part_fails(single(0, 0, 0, 0), K)


def test_a_small_part_that_answered_alike_fails():
    assert alike(single(7, 7, 0, 0))  # one option of three holds everyone
    assert not alike(single(7, 5, 2, 0))  # a zero among three options is not "alike"
    assert alike(single(7, 0, 7))  # yes/no: all the same
    assert alike(several(7, 7, 7, 3))  # everyone chose the first of several
    assert alike(several(7, 7, 0, 3))  # nobody chose it: alike, as for a step's share
    assert not alike(single(12, 12, 0, 0))  # from ten on, a unanimous group may be shown


def test_a_gain_is_checked_like_a_part():
    later, earlier = single(30, 14, 10, 6), single(27, 12, 9, 6)
    assert part_fails(later.minus(earlier), K)  # three new answers


def test_hidden_parts_together_must_have_k_and_not_answer_alike():
    assert union_fails([single(2, 1, 1, 0), single(2, 1, 0, 1)], K)
    assert union_fails([single(3, 3, 0, 0), single(6, 6, 0, 0)], K)
    assert not union_fails([single(3, 1, 2, 0), single(6, 3, 2, 1)], K)


def test_a_small_hidden_member_may_not_be_forced_to_a_majority_answer():
    # Nine of ten in the union chose the first option: the member of three has at least two of them.
    assert union_fails([single(3, 3, 0, 0), single(7, 6, 1, 0)], K)


def test_a_small_hidden_member_keeps_half_the_range_on_a_yes_no_item():
    # Yes/no: the union says 1 of 8 said yes, so the member of three said yes at most once (a third).
    assert union_fails([single(3, 0, 3), single(5, 1, 4)], K)
    assert not union_fails([single(3, 2, 1), single(5, 2, 3)], K)


def test_an_option_none_of_a_union_of_ten_or_more_chose_says_nothing_of_a_member_it_would_not_say_of_all():
    assert not union_fails([several(3, 3, 2, 0), several(8, 8, 4, 0)], K)


def test_an_option_all_of_a_union_of_ten_or_more_chose_would_pin_its_small_member():
    # All eleven chose the first option: so did each of the member's three (the release's rule,
    # linked_tables.union_fails, hides such a union too).
    assert union_fails([several(3, 3, 3, 1), several(8, 8, 8, 4)], K)
    assert union_fails([single(2, 2, 0), single(8, 8, 0)], K)


def test_nothing_hidden_passes():
    assert not union_fails([], K)
    assert not union_fails([single(0, 0, 0)], K)


# --- cross-tabulations --------------------------------------------------------------------------------


def _lp_range(table, hidden, cell):
    """The reader's bounds by a linear program: the check of the flow method."""
    index = {p: i for i, p in enumerate(sorted(hidden))}
    rows, columns, _ = _lines(table)
    equalities, bounds = [], []
    for i in range(len(rows)):
        row = np.zeros(len(index))
        known = 0
        for j in range(len(columns)):
            if (i, j) in index:
                row[index[(i, j)]] = 1
            else:
                known += table[i][j]
        equalities.append(row)
        bounds.append(rows[i] - known)
    for j in range(len(columns)):
        column = np.zeros(len(index))
        known = 0
        for i in range(len(rows)):
            if (i, j) in index:
                column[index[(i, j)]] = 1
            else:
                known += table[i][j]
        equalities.append(column)
        bounds.append(columns[j] - known)
    objective = np.zeros(len(index))
    objective[index[cell]] = 1
    low = linprog(objective, A_eq=np.array(equalities), b_eq=bounds, bounds=(0, None), method="highs").fun
    high = -linprog(-objective, A_eq=np.array(equalities), b_eq=bounds, bounds=(0, None), method="highs").fun
    return low, high


def test_the_flow_bounds_are_the_linear_programs_bounds():
    rng = random.Random(7)
    for _ in range(60):
        table = [[max(0, int(rng.gauss(5, 5))) for _ in range(rng.randint(2, 5))]]
        table += [[max(0, int(rng.gauss(5, 5))) for _ in table[0]] for _ in range(rng.randint(1, 4))]
        cells = [(i, j) for i in range(len(table)) for j in range(len(table[0]))]
        hidden = set(rng.sample(cells, rng.randint(1, len(cells))))
        for cell in hidden:
            assert _flow_range(table, hidden, cell) == pytest.approx(_lp_range(table, hidden, cell))


def test_small_cells_and_whole_small_lines_are_primary():
    table = [[20, 3, 0], [15, 12, 0], [0, 0, 7]]
    assert primary_cells(table, K) == {(0, 1), (2, 2)}  # 3 is small; 7 is its whole row (and column)


@pytest.mark.parametrize("seed", range(12))
def test_no_hidden_small_cell_follows_from_the_totals(seed):
    rng = random.Random(seed)
    width = rng.randint(2, 5)
    table = [[max(0, int(rng.gauss(7, 6))) for _ in range(width)] for _ in range(rng.randint(2, 5))]
    pattern = suppress(table, K)
    rows, columns, grand = _lines(table)
    for cell in primary_cells(table, K):
        assert cell in pattern.hidden
        low, high = _lp_range(table, pattern.hidden, cell)
        frechet = min(rows[cell[0]], columns[cell[1]]) - max(0, rows[cell[0]] + columns[cell[1]] - grand)
        assert high - low >= min(K, frechet) - 1e-6, (table, sorted(pattern.hidden), cell)


def test_one_small_cell_costs_a_rectangle():
    table = [[30, 2, 25], [28, 31, 27], [26, 29, 33]]
    pattern = suppress(table, K)
    assert len(pattern.hidden) == 4 and (0, 1) in pattern.hidden


def test_a_table_that_changed_since_a_reader_saw_it_protects_what_came_in():
    earlier = [[30, 20], [25, 28]]
    later = [[32, 20], [25, 28]]  # two new answers in one cell: its gain may not be pinned
    before = suppress(earlier, K)
    assert not before.hidden
    pattern = suppress(later, K, [(earlier, before)])
    assert (0, 0) in pattern.hidden


def test_a_table_hides_a_gain_of_one_since_a_release_whose_totals_fixed_its_cells():
    # The interim release published the two questions, not their table: all twelve in the first row, six
    # and six in the columns. That fixes its cells, so the closing table's 7 in the first row would say
    # that one of the three who came in since and answered so chose the first column.
    interim = [[6, 6], [0, 0]]
    final = [[7, 8], [5, 6]]
    every = frozenset((i, j) for i in range(2) for j in range(2))
    assert suppress(final, K).hidden == frozenset()
    pattern = suppress(final, K, [(interim, Pattern(every, frozenset(), margins_only=True))])
    assert {(0, 0), (0, 1)} & pattern.hidden
    # Totals that leave the earlier cells open give nothing away: nothing more is hidden.
    open_totals = [[3, 3], [3, 3]]
    assert suppress(final, K, [(open_totals, Pattern(every, frozenset(), margins_only=True))]).hidden == set()
