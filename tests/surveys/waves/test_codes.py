"""Issuing one-time codes: one domain function for every door, in the domain's error vocabulary."""

from __future__ import annotations

import csv
import io

import pytest

from surveys.db.tables import AccessCode
from surveys.errors import Invalid, NotFound
from surveys.waves.codes import MAX_CODES, codes_sheet, issue_codes
from surveys.waves.lookup import find_wave
from tests.support import make_wave


@pytest.mark.parametrize("count", [0, MAX_CODES + 1])
async def test_a_count_outside_one_to_the_maximum_is_invalid_and_issues_nothing(database, count):
    await make_wave()
    with pytest.raises(Invalid) as refused:
        await issue_codes("testomgang", count)
    assert "count" in refused.value.errors and str(MAX_CODES) in refused.value.message
    assert await AccessCode.count() == 0
    assert not (await find_wave("testomgang")).uses_codes


async def test_codes_for_an_unknown_wave_are_not_found(database):
    with pytest.raises(NotFound):
        await issue_codes("finns-inte", 3)


async def test_issued_codes_make_the_wave_ask_for_one_and_come_as_a_sheet(database):
    await make_wave()
    await find_wave("testomgang")  # held by this worker before the codes
    issued = await issue_codes("testomgang", 3)
    assert len(set(issued.codes)) == 3 and await AccessCode.count() == 3
    assert (await find_wave("testomgang")).uses_codes
    rows = list(csv.reader(io.StringIO(codes_sheet(issued).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Engångskoder för Omgång testomgang"] and [r[0] for r in rows[1:]] == list(
        issued.codes
    )
