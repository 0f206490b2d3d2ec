"""Meetings and decisions in the domain's own words: what does not exist, and what needs correcting."""

from __future__ import annotations

import pytest

from surveys.db.tables import Activity, Decision, Meeting, Plan
from surveys.errors import Invalid, NotFound
from surveys.meetings.records import create_meeting, find_meeting, meeting_view, record_decision
from tests.support import make_wave


async def test_a_meeting_for_an_unknown_plan_says_there_is_no_such_plan(database):
    with pytest.raises(NotFound) as missing:
        await create_meeting("finns-inte", "Länsledningens möte", "2026-12-10", k=5)
    assert missing.value.message == "Det finns ingen plan med koden finns-inte."


async def test_a_meeting_without_a_title_or_a_readable_date_stores_nothing(database):
    await make_wave()
    with pytest.raises(Invalid) as refused:
        await create_meeting("testplan", " ", "10 december", k=5)
    assert list(refused.value.errors) == ["title", "held_on"]
    assert await Meeting.count() == 0


async def test_a_meeting_belongs_to_its_own_plan_only(database):
    await make_wave()
    meeting_id = await create_meeting("testplan", "Länsledningens möte", "2026-12-10", k=5)
    assert (await find_meeting("testplan", meeting_id)).title == "Länsledningens möte"
    with pytest.raises(NotFound) as missing:
        await find_meeting("en-annan-plan", meeting_id)
    assert missing.value.message == "Mötet finns inte."
    assert await meeting_view("testplan", meeting_id + 1) is None


async def test_a_decision_at_an_unknown_meeting_is_not_found_before_its_fields_are_read(database):
    await make_wave()
    with pytest.raises(NotFound):
        await record_decision("testplan", 12345, "nyhet", "inget-sadant", "")


async def test_a_decision_names_each_field_to_correct(database):
    await make_wave()
    meeting_id = await create_meeting("testplan", "Länsledningens möte", "2026-12-10", k=5)
    with pytest.raises(Invalid) as refused:
        await record_decision("testplan", meeting_id, "finns-inte", "justera", " ")
    assert list(refused.value.errors) == ["motivation", "activity"]
    assert await Decision.count() == 0


async def test_a_decision_is_stored_for_an_activity_of_the_meetings_plan(database):
    await make_wave()
    plan = await Plan.select(Plan.id).first()
    await Activity(plan=plan["id"], code="nyhet", title="Nyhet på intranätet", timing="Mars").save()
    meeting_id = await create_meeting("testplan", "Länsledningens möte", "2026-12-10", k=5)
    await record_decision("testplan", meeting_id, "nyhet", "tillracklig", "")
    view = await find_meeting("testplan", meeting_id)
    assert [(d.activity, d.verdict) for d in view.decisions] == [("nyhet", "tillracklig")]
