"""Raising the minimum group size re-checks what old meeting snapshots show."""

from __future__ import annotations

from datetime import UTC, datetime

from analysis.stats.disclosure import SuppressionReason
from surveys.meetings.records import create_meeting, find_meeting
from surveys.responding.submission import Submission, new_submission_key, store_submission
from surveys.responding.validation import CleanAnswers
from surveys.waves.lookup import find_wave
from tests.support import make_wave, release


async def _answers(count: int, known: str) -> None:
    wave = await find_wave("testomgang")
    for _ in range(count):
        await store_submission(
            wave,
            Submission(
                organisation_id=wave.organisations[0].id,
                target_group_id=wave.target_groups[0].id,
                answers=CleanAnswers({"kannedom": (known,)}, {}),
                submission_key=new_submission_key(),
            ),
            datetime.now(UTC),
        )


def _latest(view):
    return view.results.goals[0].result.waves[-1]


async def test_a_snapshot_made_under_a_smaller_minimum_shows_no_breakdown_once_it_is_raised(database):
    await make_wave()
    await _answers(4, "ja")
    await _answers(2, "nej")
    await release()
    meeting = await create_meeting("testplan", "Möte", "2026-12-10", k=3)
    as_made = _latest(await find_meeting("testplan", meeting, k=3))
    assert any(o.estimate is not None for o in as_made.organisations)

    raised = _latest(await find_meeting("testplan", meeting, k=5))
    assert raised.estimate is not None and raised.estimate.respondents == 6  # a total of six still stands
    assert all(o.estimate is None and o.hidden is SuppressionReason.HIDDEN for o in raised.organisations)
    assert raised.other is None


async def test_a_total_below_the_raised_minimum_is_hidden_with_its_status(database):
    await make_wave()
    await _answers(4, "ja")
    await _answers(2, "nej")
    await release()
    meeting = await create_meeting("testplan", "Möte", "2026-12-10", k=3)
    raised = _latest(await find_meeting("testplan", meeting, k=7))
    assert raised.estimate is None and raised.hidden is SuppressionReason.HIDDEN
    assert raised.status is None
    view = await find_meeting("testplan", meeting, k=7)
    assert all(c.estimate is None for c in view.results.ladder)
    assert view.results.k == 7
