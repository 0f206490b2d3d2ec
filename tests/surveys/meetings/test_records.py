"""Meetings and decisions in the domain's own words: what does not exist, and what needs correcting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from analysis.render.report import taken_note
from locales import using_locale
from surveys.db.tables import Activity, Decision, Meeting, MeetingComment, Plan
from surveys.errors import Invalid, NotFound
from surveys.meetings.records import (
    create_meeting,
    decisions,
    find_meeting,
    list_meetings,
    meeting_view,
    record_decision,
    save_comments,
)
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


async def _meeting_with_an_activity(held_on: str = "2026-12-10", **kwargs) -> int:
    await make_wave()
    plan = await Plan.select(Plan.id).first()
    await Activity(plan=plan["id"], code="nyhet", title="Nyhet på intranätet", timing="Mars").save()
    return await create_meeting("testplan", "Länsledningens möte", held_on, k=5, **kwargs)


async def test_changing_a_decision_keeps_the_earlier_one_as_history_and_the_latest_counts(database):
    meeting_id = await _meeting_with_an_activity()
    await record_decision("testplan", meeting_id, "nyhet", "upprepa", "Nådde för få.")
    await record_decision("testplan", meeting_id, "nyhet", "justera", "Gör en film i stället.")
    view = await find_meeting("testplan", meeting_id)
    assert [(d.activity, d.verdict, d.motivation) for d in view.decisions] == [
        ("nyhet", "justera", "Gör en film i stället.")
    ]
    (decision,) = view.decisions
    assert decision.changed and [(e.verdict, e.motivation) for e in decision.earlier] == [
        ("upprepa", "Nådde för få.")
    ]
    assert await Decision.count() == 2  # nothing is thrown away
    assert [d.verdict for d in await decisions("testplan")] == ["justera"]
    summary = (await list_meetings("testplan"))[0]
    assert summary.decisions == 1  # one decision, changed once


async def test_the_same_decision_sent_again_stores_nothing(database):
    meeting_id = await _meeting_with_an_activity()
    for _ in range(2):
        await record_decision("testplan", meeting_id, "nyhet", "tillracklig", " Räckte. ")
    assert await Decision.count() == 1
    assert not (await find_meeting("testplan", meeting_id)).decisions[0].changed


async def test_a_snapshot_says_the_day_it_was_taken_not_the_meeting_day(database):
    saved = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    meeting_id = await _meeting_with_an_activity("2026-12-17", now=saved)
    view = await find_meeting("testplan", meeting_id)
    assert (view.taken_on, view.held_on) == (date(2026, 12, 5), date(2026, 12, 17))
    with using_locale("sv"):
        assert taken_note(view.taken_on, view.held_on) == (
            "Resultaten sparades 5 december 2026 inför mötet 17 december 2026."
        )
    assert (await list_meetings("testplan"))[0].taken_on == date(2026, 12, 5)


async def test_comments_are_kept_per_goal_and_activity_replaced_and_removed(database):
    meeting_id = await _meeting_with_an_activity()
    goal = (await find_meeting("testplan", meeting_id)).results.goals[0].id
    await save_comments(
        "testplan", meeting_id, {f"goal:{goal}": "Före nyheten.", "activity:nyhet": "I mars."}
    )
    await save_comments("testplan", meeting_id, {f"goal:{goal}": "Mätt före nyheten."})
    view = await find_meeting("testplan", meeting_id)
    assert view.comments == {f"goal:{goal}": "Mätt före nyheten.", "activity:nyhet": "I mars."}
    await save_comments("testplan", meeting_id, {"activity:nyhet": "  "})
    assert (await find_meeting("testplan", meeting_id)).comments == {f"goal:{goal}": "Mätt före nyheten."}


async def test_a_comment_too_long_or_on_something_the_meeting_lacks_stores_nothing(database):
    meeting_id = await _meeting_with_an_activity()
    with pytest.raises(Invalid) as refused:
        await save_comments(
            "testplan", meeting_id, {"activity:nyhet": "x" * 2001, "goal:99999": "?", "activity:ok": "Bra."}
        )
    assert set(refused.value.errors) == {"activity:nyhet", "goal:99999", "activity:ok"}
    assert await MeetingComment.count() == 0
