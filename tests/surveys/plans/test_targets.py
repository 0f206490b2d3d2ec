"""Percent means percent: one rule for an effect goal's target, whichever door it comes through."""

from __future__ import annotations

import pytest

from surveys.plans.rules import parse_target, target_percent


@pytest.mark.parametrize(
    ("written", "share"),
    [
        (70, 0.7),
        ("70", 0.7),
        ("70 %", 0.7),
        ("70%", 0.7),
        ("70,5", 0.705),
        ("70.5 %", 0.705),
        (0.7, 0.7),
        ("0,7", 0.7),
        ("0,9", 0.9),  # a share: 90 %, never 0.9 %
        (1, 1.0),  # a share: 100 %
        ("1 %", 0.01),  # with the sign it is percent
        ("0,5 %", None),  # half a percent is below what a goal may aim at
        (100, 1.0),
        ("100 procent", 1.0),
        ("\u00a070\u00a0%", 0.7),
    ],
)
def test_a_number_above_one_is_percent_and_one_at_most_is_a_share(written, share):
    assert parse_target(written) == share


@pytest.mark.parametrize("written", [0, 0.005, 101, "150", "sjuttio", "", None, True, "-5", "70 %%", [70]])
def test_what_is_not_a_target_from_1_to_100_percent_is_refused(written):
    assert parse_target(written) is None


@pytest.mark.parametrize("share", [0.7, 0.705, 0.01, 1.0, 0.333])
def test_a_stored_share_shown_in_percent_reads_back_as_the_same_share(share):
    assert parse_target(target_percent(share)) == round(share, 3)
