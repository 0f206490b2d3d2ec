"""The administrator's raw file: no row from a group under k, and no order that tells when anyone answered."""

from __future__ import annotations

from datetime import UTC, datetime

from surveys.responding.submission import Submission, new_submission_key, store_submission
from surveys.responding.validation import CleanAnswers
from surveys.results.raw_export import raw_rows
from surveys.waves.lookup import find_wave
from tests.support import make_wave


async def _answers(count: int, organisation: int, text: str) -> None:
    wave = await find_wave("testomgang")
    for _ in range(count):
        await store_submission(
            wave,
            Submission(
                organisation_id=wave.organisations[organisation].id,
                target_group_id=wave.target_groups[0].id,
                answers=CleanAnswers({"kannedom": ("ja",)}, {"fritext": text} if text else {}),
                submission_key=new_submission_key(),
            ),
            datetime.now(UTC),
        )


async def _raw(k: int = 5) -> list[str]:
    return "".join([chunk async for chunk in raw_rows("testplan", k)]).strip().split("\r\n")


async def test_a_group_under_k_gives_no_row_and_the_file_says_rows_were_left_out(database):
    await make_wave()
    await _answers(6, 0, "stor grupp")
    await _answers(2, 1, "liten grupp")
    lines = await _raw()
    assert sum("stor grupp" in line for line in lines) == 6
    assert not any("liten grupp" in line for line in lines)
    assert "färre än 5 svarande ingår inte" in lines[-1]
    assert len(lines) == 1 + 6 + 1  # header, the six, the note


async def test_a_file_of_large_groups_only_has_no_note(database):
    await make_wave()
    await _answers(5, 0, "")
    lines = await _raw()
    assert len(lines) == 1 + 5
    assert "ingår inte" not in lines[-1]
