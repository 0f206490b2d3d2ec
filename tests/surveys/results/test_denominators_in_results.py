"""The published shares count Vet ej, skipped and not-asked questions as analysis.stats.denominators says,
on both engines; an unknown plan or target group is not found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveys.errors import NotFound
from surveys.responding.submission import Submission, store_submission
from surveys.responding.validation import CleanAnswers
from surveys.results.overview import target_group
from surveys.results.plan_results import plan_results
from surveys.results.releases import make_release
from surveys.waves.lookup import find_wave
from tests.support import make_wave


async def _answer(chosen: list[dict[str, tuple[str, ...]]]) -> None:
    wave = await find_wave("testomgang")
    for i, answers in enumerate(chosen):
        await store_submission(
            wave,
            Submission(
                organisation_id=wave.organisations[0].id,
                target_group_id=wave.target_groups[0].id,
                answers=CleanAnswers(chosen=answers, texts={}),
                submission_key=f"denominator-{i:012d}",
            ),
            datetime.now(UTC),
        )


def _ladder(results, step: str):
    return next(c for c in results.ladder if c.target_group == "chefer" and c.key == step).estimate


async def test_vet_ej_and_those_not_asked_are_counted_as_each_question_says(database):
    wave_id = await make_wave()
    await _answer(
        [
            {"kannedom": ("ja",), "forstaelse": ("5",)},
            {"kannedom": ("ja",), "forstaelse": ("4",)},
            {"kannedom": ("ja",), "forstaelse": ("2",)},
            {"kannedom": ("ja",), "forstaelse": ("vet_ej",)},
            {"kannedom": ("nej",)},  # not asked about understanding
            {"kannedom": ("vet_ej",)},  # not asked either
        ]
    )
    await make_release(wave_id, today=datetime.now(UTC).date() + timedelta(days=1), interim=True)
    results = await plan_results("testplan", k=3)
    # Awareness: Vet ej counts as not reached, so all six are in the base.
    assert (_ladder(results, "L1").base, _ladder(results, "L1").reached) == (6, 4)
    # Understanding (show-if, Vet ej excluded): the Vet ej leaves, the two not asked stay as not reached.
    assert (_ladder(results, "L2").base, _ladder(results, "L2").reached) == (5, 2)


async def test_results_of_an_unknown_plan_say_there_is_no_such_plan(database):
    with pytest.raises(NotFound) as missing:
        await plan_results("finns-inte")
    assert missing.value.message == "Det finns ingen plan med koden finns-inte."


async def test_an_unknown_target_group_is_not_found(database):
    await make_wave()
    results = await plan_results("testplan")
    assert target_group(results, "chefer").name == "Chefer"
    with pytest.raises(NotFound) as missing:
        target_group(results, "finns-inte")
    assert missing.value.message == "Planen har ingen målgrupp med koden finns-inte."
