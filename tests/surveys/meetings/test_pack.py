"""The demo's meeting packs, built from the database as the page and the command build them, read back.

The demo holds the follow-up cycle its plan implies: past meetings whose frozen results hold only the
waves closed before them, decisions (one changed), comments, and the next meeting being prepared.
"""

from __future__ import annotations

from datetime import date

from locales import using_locale
from surveys.db.tables import Activity, MeetingChart, Plan
from surveys.meetings.pack import forget_made_packs, meeting_pack, pack_file, render_pack
from surveys.meetings.records import (
    create_meeting,
    find_meeting,
    list_meetings,
    record_decision,
    save_comments,
)
from tests.analysis.render.pack_checks import (
    broken_words,
    expected_headings,
    html_facts,
    pdf_facts,
    pdf_text,
    pptx_charts,
    pptx_problems,
    source_words,
)
from tests.support import make_wave, release
from tests.surveys.meetings.test_stricter_minimum import _answers

DEMO = "vasternorrland-2026"


async def _demo_meetings() -> dict[str, int]:
    return {m.title: m.id for m in await list_meetings(DEMO)}


async def test_the_demo_has_the_meetings_its_timetable_implies_each_with_the_waves_closed_before_it(
    demo_database,
):
    meetings = {m.title: m for m in await list_meetings(DEMO)}
    assert "Länsledning HälSam 5 juni" in meetings and "Länsledning HälSam – nästa möte" in meetings
    june = await find_meeting(DEMO, meetings["Länsledning HälSam 5 juni"].id)
    assert june.taken_on == date(2026, 5, 29) and june.held_on == date(2026, 6, 5)
    assert [w.slug for w in june.results.waves if w.released_on] == ["omgang-1-2026"]
    assert {d.activity for d in june.decisions} == {
        "nyhet-halsam-uppdraget",
        "nyhet-fardplanen-2026",
        "infomaterial-sip",
    }
    september = await find_meeting(DEMO, meetings["Länsledning HälSam 11 september"].id)
    changed = september.decision_on("nyhet-fardplanen-2026")
    assert changed.verdict == "justera" and [e.verdict for e in changed.earlier] == ["upprepa"]
    upcoming = await find_meeting(DEMO, meetings["Länsledning HälSam – nästa möte"].id)
    assert not upcoming.decisions and upcoming.comments and upcoming.held_on > upcoming.taken_on


async def test_the_next_meetings_pack_reads_back_in_every_format(demo_database):
    meeting = (await _demo_meetings())["Länsledning HälSam – nästa möte"]
    with using_locale("sv"):
        view = await find_meeting(DEMO, meeting, k=5)
        pack = await meeting_pack(view)
        pdf, pptx, html = (render_pack(pack, fmt) for fmt in ("pdf", "pptx", "html"))
    charts = [c for group in pack.groups for c in group.charts]
    assert charts and all(c.svg and c.description for c in charts)
    kept = MeetingChart.select(MeetingChart.chart_key).where(MeetingChart.meeting == meeting)
    assert len([r for r in await kept if not r["chart_key"].startswith("pack/")]) == len(charts)

    facts = pdf_facts(pdf)
    assert facts.lang == "sv" and facts.marked and facts.ua_part == "1"
    assert pack.reach_charts  # the demo's reach month by month, as a chart per metric
    assert len(facts.figures) == len(charts) + len(pack.reach_charts) and all(facts.figures)
    assert facts.headings == expected_headings(pack) and facts.outline == [t for _l, t in facts.headings]
    assert facts.outline_pages[facts.outline.index(pack.groups[0].title)] <= 3  # a two-page summary
    assert broken_words(pdf_text(pdf), source_words(pack, "Sida av")) == []
    text = " ".join(" ".join(pdf_text(pdf)).split())
    assert "Resultaten sparades" in text and "Filmen om färdplanen visades" in text  # the comment

    assert pptx_problems(pptx) == []
    assert pptx_charts(pptx) == (len(charts) + len(pack.reach_charts), 0)  # reach as native line charts

    page = html_facts(html)
    assert page.lang == "sv" and [h for h in page.headings if h[1] != "Innehåll"] == expected_headings(pack)
    assert all(page.images) and all(scope in ("col", "row") for scope in page.header_cells)


async def test_activities_decided_at_a_meeting_are_not_awaiting_a_decision_in_its_pack(demo_database):
    meeting = (await _demo_meetings())["Länsledning HälSam 11 september"]
    with using_locale("sv"):
        pack = await meeting_pack(await find_meeting(DEMO, meeting, k=5), drawn=False)
    decided = {a.code for a in pack.decided}
    assert decided == {"noterat-lansledning", "nyhet-fardplanen-2026", "noterat-kommunikationsplan"}
    assert not decided & {a.code for a in pack.asked}
    film = next(a for a in pack.activities if a.code == "nyhet-fardplanen-2026")
    assert (
        film.decision.startswith("Justera: Gör om nyheten till en film")
        and "tidigare upprepa" in film.decision
    )
    assert film.earlier.startswith("Upprepa (5 juni 2026)")  # the decision at the meeting before


async def test_numbers_from_an_interim_release_are_preliminary_and_get_no_goal_status(database):
    await make_wave()
    await _answers(8, "ja")
    await _answers(4, "nej")
    await release()

    meeting = await create_meeting("testplan", "Decembermötet", "2026-12-17", k=5)
    with using_locale("sv"):
        pack = await meeting_pack(await find_meeting("testplan", meeting, k=5))
        pdf = render_pack(pack, "pdf")
    goals = [g for group in pack.groups for g in group.goals]
    assert goals and all(g.status.key == "preliminary" and g.status.word == "Preliminärt" for g in goals)
    cells = [c for row in pack.matrix for c in row.cells if c is not None and c.status.key != "none"]
    assert cells and all(c.status.word == "Preliminärt" for c in cells)
    summary = " ".join(" ".join(pdf_text(pdf)[:2]).split())
    assert "Preliminärt" in summary
    assert not any(word in summary for word in ("Uppnått", "Ej uppnått", "Ej säkerställt"))


async def test_a_pack_made_from_what_is_kept_is_the_same_and_has_todays_comments_and_decisions(database):
    await make_wave()
    await _answers(8, "ja")
    await _answers(4, "nej")
    await release()
    plan = await Plan.select(Plan.id).first()
    await Activity(plan=plan["id"], code="nyhet", title="Nyhet på intranätet", timing="Mars").save()
    meeting = await create_meeting("testplan", "Decembermötet", "2026-12-17", k=5)
    with using_locale("sv"):
        first, held_on = await pack_file("testplan", meeting, "pdf", k=5)
        assert held_on == date(2026, 12, 17)
        assert await MeetingChart.exists().where(MeetingChart.chart_key.like("pack/%"))
        forget_made_packs()
        again, _ = await pack_file("testplan", meeting, "pdf", k=5)
        assert again == first  # made from what was kept: the same document, byte for byte
        await record_decision("testplan", meeting, "nyhet", "justera", "Gör en film.")
        await save_comments("testplan", meeting, {"activity:nyhet": "Publicerades i mars."})
        page, _ = await pack_file("testplan", meeting, "html", k=5)
    text = page.decode()
    assert "Justera: Gör en film." in text and "Publicerades i mars." in text
    stricter, _ = await pack_file("testplan", meeting, "html", k=10)  # a raised minimum: not what was kept
    assert "Decembermötet" in stricter.decode()
