"""The meeting pack (analysis/render/report.py and its three formats) for a large plan, read back.

The plan is generated: 16 organisations, 12 target groups with long names, two goals each, 40 activities
with long titles, decisions changed and asked for, comments, a preliminary wave. Its charts are the real
ones (analysis/render/charts.py), drawn as the pages draw them. The demo's pack is read back the same way in
tests/surveys/meetings/test_pack.py.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from pptx import Presentation

from analysis.render.charts import SharePoint, breakdown_chart, recipe, render, trend_chart
from analysis.render.pack_html import build_html
from analysis.render.pack_pptx import build_pptx
from analysis.render.pack_typst import ASKED_IN_SUMMARY, build_pdf
from analysis.render.report import (
    ActivityRow,
    Branding,
    GoalRow,
    GroupSection,
    MatrixCell,
    MatrixRow,
    MeetingPack,
    PackChart,
    Status,
    methods_note,
    native_chart,
)
from locales import using_locale
from tests.analysis.render.pack_checks import (
    broken_words,
    expected_headings,
    html_facts,
    pdf_facts,
    pdf_table_rows,
    pdf_text,
    pptx_charts,
    pptx_problems,
    pptx_titles,
    source_words,
)

KOMMUNER = (
    "Härnösands", "Kramfors", "Sollefteå", "Sundsvalls", "Timrå", "Ånge", "Örnsköldsviks", "Bergs",
    "Bräcke", "Härjedalens", "Krokoms", "Ragunda", "Strömsunds", "Åre", "Östersunds",
)  # fmt: skip
ORGANISATIONS = (
    *(f"{name} kommun" for name in KOMMUNER),
    "Kommunalförbundet Samordningsförbundskommunikationsavdelningen i Jämtland och Västernorrland",
)
GROUPS = tuple(
    f"{name} grupp {i + 1}"
    for i, name in enumerate(
        (
            "Medarbetare inom skola, socialtjänst och hälso- och sjukvård i kommunerna",
            "Kommunala chefer och verksamhetsansvariga inom äldreomsorg och funktionsstöd",
            "Chefer i Region Västernorrland inom primärvård och specialistvård",
            "Lokala samverkansgrupper (LSG) HälSam med representanter från brukarorganisationer",
            "Samordnare och lokala kontaktpersoner för nära vård",
            "Politiskt förtroendevalda i kommunfullmäktige och regionfullmäktige",
            "Invånare och intresseföreningar",
            "Högsta tjänsteledning",
            "Primärvårdens medarbetare",
            "Socialtjänstens utvecklingsledare",
            "Kommunikatörer",
            "Patientnämndens ledamöter",
        )
    )
)
WAVES = (
    "Mätomgång 1 – våren 2026",
    "Mätomgång 2 – hösten 2026",
    "Mätomgång 3 – våren 2027",
    "Mätomgång 4 – pågår",
)
STEPS = ("L1 Kännedom", "L2 Förståelse", "L3 Acceptans", "L4 Handling")
MEETING_DAY = date(2027, 4, 20)
INJECTION = '#pagebreak() *fett* $x$ <script>alert("x")</script> =cmd|x'


def _point(label: str, share: float, half: float = 0.06) -> SharePoint:
    return SharePoint(label, share, max(share - half, 0.0), min(share + half, 1.0))


def _chart(key: str, made) -> PackChart:
    chart = made()
    return PackChart(
        key, chart.title, chart.description, chart.table, render(chart, "svg").decode(), native_chart(made)
    )


def _status(index: int) -> Status:
    return (
        Status("achieved", "Uppnått"),
        Status("uncertain", "Ej säkerställt"),
        Status("not_achieved", "Ej uppnått"),
        Status("preliminary", "Preliminärt"),
    )[index % 4]


def large_pack() -> MeetingPack:
    groups, matrix = [], []
    for g, name in enumerate(GROUPS):
        base = 0.2 + 0.05 * (g % 10)
        trend = recipe(
            trend_chart,
            f"{name}: kännedom",
            tuple(
                SharePoint.hidden(w, "för få svar") if g == 4 and i == 1 else _point(w, base + 0.08 * i)
                for i, w in enumerate(WAVES)
            ),
            0.7,
        )
        organisations = recipe(
            breakdown_chart,
            f"Per organisation: kännedom, {WAVES[2]}",
            tuple(
                SharePoint.hidden(o, "för få svar för att redovisa")
                if i % 7 == 3
                else _point(o, base + 0.02 * (i % 5), 0.1)
                for i, o in enumerate(ORGANISATIONS)
            ),
            base + 0.1,
        )
        charts = (_chart(f"{g}/trend", trend), _chart(f"{g}/organisations", organisations))
        goals = tuple(
            GoalRow(
                goal_id=g * 10 + s,
                step=STEPS[s],
                wording="Känna till vilka utvecklingsåtgärder i färdplanen som berör dem och varför omställningen görs.",
                latest=f"{20 + 5 * g + s} %",
                interval=f"{15 + 5 * g + s}–{25 + 5 * g + s} %",
                target="70 %",
                status=_status(g + s),
                wave=WAVES[3] if _status(g + s).key == "preliminary" else WAVES[2],
                respondents=str(40 + g),
                sentences=(
                    "Det går inte att säga om målet (minst 70 %) är uppnått: andelen ligger troligen mellan 45 % och 58 %.",
                    "Ökningen från 38 % till 51 % är statistiskt säkerställd.",
                ),
                comment=INJECTION
                if g == 0 and s == 0
                else ("Samordningsförbundskommunikationsavdelningen har bytt kanal." if s else ""),
            )
            for s in (0, 3)
        )
        groups.append(GroupSection(name, goals, charts))
        matrix.append(
            MatrixRow(
                name,
                tuple(
                    MatrixCell(f"{20 + g + s} %", f"{15 + g + s}–{25 + g + s} %", _status(g + s))
                    if s in (0, 3)
                    else MatrixCell(f"{10 + g} %", "", Status("none", "Inget mål"))
                    for s in range(4)
                ),
            )
        )
    activities = tuple(
        ActivityRow(
            code=f"aktivitet-{a}",
            title=f"Nyhet {a + 1}: sammanfattning av länsledningens samverkansdag om utvecklingsområdena i färdplanen",
            when="Löpande efter varje länsledning" if a % 3 else f"{a % 28 + 1} mars 2027",
            channels="Intranätet, GNV webb, extern webb, LinkedIn",
            reach="Visningar 4 210; unika besökare 1 180",
            decision=(
                "Justera: Gör om nyheten till en film för arbetsplatsträffar. (ändrat 22 april 2027, tidigare upprepa)"
                if a % 5 == 0
                else ""
            ),
            earlier="Upprepa (10 december 2026): Nådde för få chefer." if a % 4 == 1 else "",
            comment="Publicerades i två omgångar." if a % 6 == 2 else "",
            asked=a % 5 != 4,
        )
        for a in range(40)
    )
    return MeetingPack(
        plan_title="Färdplan Nära vård i Jämtland och Västernorrland – gemensam kommunikationsplan 2026–2027",
        meeting_title="Länsledningens uppföljningsmöte om kommunikationsplanen i april",
        meeting_date=MEETING_DAY,
        taken_on=date(2027, 4, 6),
        branding=Branding("Region Jämtland Härjedalen och Region Västernorrland", "#6a1b4d"),
        headline="4 av 24 mål uppnådda, 6 ej säkerställda, 8 ej uppnådda, 6 utan slutligt resultat.",
        notes=("Svarsfrekvens i Mätomgång 3 – våren 2027: 31 % (2 345 svar av 7 560 personer).",),
        steps=STEPS,
        matrix=tuple(matrix),
        changes=(
            "Medarbetare grupp 1, kännedom: Ökningen från 28 % till 40 % är statistiskt säkerställd.",
            "Politiskt förtroendevalda grupp 6, kännedom: Ökningen från 50 % till 59 % är statistiskt säkerställd.",
            "Kommunikatörer grupp 11, handling: Skillnaden mellan 30 % och 38 % kan bero på slumpen.",
        ),
        groups=tuple(groups),
        activities=activities,
        methods=methods_note(2345, 7560, k=5),
    )


@pytest.fixture(scope="module")
def pack() -> MeetingPack:
    with using_locale("sv"):
        return large_pack()


@pytest.fixture(scope="module")
def pdf(pack) -> bytes:
    with using_locale("sv"):
        return build_pdf(pack)


@pytest.fixture(scope="module")
def pptx(pack) -> bytes:
    with using_locale("sv"):
        return build_pptx(pack)


@pytest.fixture(scope="module")
def html(pack) -> bytes:
    with using_locale("sv"):
        return build_html(pack)


def test_the_pdf_is_tagged_swedish_pdf_ua_with_a_text_alternative_for_every_chart(pdf, pack):
    facts = pdf_facts(pdf)
    assert facts.lang == "sv" and facts.marked and facts.ua_part == "1"
    charts = sum(len(group.charts) for group in pack.groups)
    assert len(facts.figures) == charts and all(alt.strip() for alt in facts.figures)
    assert facts.tables >= 2 + len(pack.groups) and facts.header_cells > 0


def test_each_table_row_is_announced_by_its_first_cell_a_row_header(pdf, pack):
    rows = pdf_table_rows(pdf)
    # the matrix (one row a target group), each group's goals, the activities
    groups = sum(len(group.goals) for group in pack.groups)
    assert len(rows) == len(pack.matrix) + groups + len(pack.activities)
    assert all(row.cells[0] == "TH" and set(row.cells[1:]) == {"TD"} for row in rows)
    assert all(row.scope == "Row" and row.found_by_id and row.named_by_all for row in rows)


def test_the_pdf_reads_in_the_order_of_its_headings_which_are_its_bookmarks(pdf, pack):
    facts = pdf_facts(pdf)
    assert facts.headings == expected_headings(pack)
    assert facts.outline == [text for _level, text in facts.headings]
    assert facts.outline_pages == sorted(facts.outline_pages)


def test_the_summary_takes_at_most_two_pages(pdf, pack):
    facts = pdf_facts(pdf)
    assert facts.outline_pages[facts.outline.index(pack.groups[0].title)] <= 3
    summary = " ".join(pdf_text(pdf)[:2])
    assert f"Ytterligare {len(pack.asked) - ASKED_IN_SUMMARY} aktiviteter" in summary  # the rest referred to


def test_no_word_in_the_pdf_is_broken_inside(pdf, pack):
    assert broken_words(pdf_text(pdf), source_words(pack, "Sida av")) == []


def test_the_check_finds_a_word_broken_without_a_hyphen_or_at_a_wrong_point(pack):
    words = source_words(pack)
    assert broken_words(["Baspresenta\ntion"], words | {"Baspresentation"}) != []
    assert broken_words(["Kommunika\u00ad\ntörer"], words) == []
    assert broken_words(["Kommun\u00ad\nikatörer"], words) != []


def test_text_from_users_is_printed_literally_never_as_markup(pdf, html):
    text = " ".join(" ".join(pdf_text(pdf)).split())
    assert "#pagebreak() *fett* $x$" in text and '<script>alert("x")</script>' in text
    assert b"<script>" not in html and b"&lt;script&gt;" in html


def test_every_slide_keeps_to_the_slide_with_text_of_14_pt_or_more(pptx):
    assert pptx_problems(pptx) == []


def test_the_charts_are_native_and_editable_one_a_slide(pptx, pack):
    native, pictures = pptx_charts(pptx)
    assert native == sum(len(group.charts) for group in pack.groups) and pictures == 0
    deck = Presentation(io.BytesIO(pptx))
    frames = [s for slide in deck.slides for s in slide.shapes if s.has_chart]
    assert all(frame.chart.plots[0].categories for frame in frames)
    trend = next(f for f in frames if f.chart.chart_type is not None and len(f.chart.plots[0].series) == 2)
    assert [s.name for s in trend.chart.plots[0].series] == ["Andel", "Mål"]
    assert b"c:errBars" in trend.chart._chartSpace.xml.encode()


def test_long_tables_continue_on_the_next_slide(pptx, pack):
    titles = pptx_titles(pptx)
    assert "Aktiviteter och beslut (forts.)" in titles
    assert "Läget per målgrupp och steg (forts.)" in titles
    deck = Presentation(io.BytesIO(pptx))
    rows = [
        row.cells[0].text_frame.text
        for slide in deck.slides
        if slide.shapes.title.text_frame.text.startswith("Aktiviteter och beslut")
        for shape in slide.shapes
        if shape.has_table
        for row in list(shape.table.rows)[1:]
    ]
    assert rows == [a.title for a in pack.activities]  # every activity once, in order


def test_activities_decided_at_the_meeting_are_not_awaiting_a_decision(pack, pdf, pptx):
    asked = {a.code for a in pack.asked}
    assert asked and not asked & {a.code for a in pack.decided}
    summary = " ".join(" ".join(pdf_text(pdf)[:2]).split())
    assert "Beslut vid mötet" in summary


def test_the_html_version_has_the_same_headings_tables_with_header_cells_and_alternative_texts(html, pack):
    facts = html_facts(html)
    assert facts.lang == "sv"
    assert [h for h in facts.headings if h != ("H2", "Innehåll")] == expected_headings(pack)
    assert facts.images and all(alt for alt in facts.images)
    assert facts.header_cells and all(scope in ("col", "row") for scope in facts.header_cells)


def test_a_preliminary_goal_is_said_to_be_preliminary_without_a_status(pack, pdf):
    preliminary = [g for group in pack.groups for g in group.goals if g.status.key == "preliminary"]
    assert preliminary
    text = " ".join(pdf_text(pdf))
    assert "Preliminärt" in text


def test_the_pack_in_english_says_so_to_screen_readers():
    with using_locale("en"):
        small = MeetingPack("Plan", "Meeting", MEETING_DAY, MEETING_DAY, steps=STEPS)
        facts = pdf_facts(build_pdf(small))
        page = html_facts(build_html(small))
    assert facts.lang == "en" and page.lang == "en"
    assert facts.headings[1] == ("H2", "Summary")


def test_the_installations_logo_is_on_the_first_page_with_its_name(tmp_path):
    logo = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#6a1b4d"/></svg>'
    with using_locale("sv"):
        small = MeetingPack(
            "Plan",
            "Möte",
            MEETING_DAY,
            MEETING_DAY,
            branding=Branding("Region Exempel", "#6a1b4d", logo, "svg"),
        )
        facts = pdf_facts(build_pdf(small))
        deck = build_pptx(small)
    assert facts.figures == ["Region Exempel"]
    assert "Region Exempel" in " ".join(pdf_text(build_pdf(small)))
    assert pptx_problems(deck) == []


def test_a_colour_that_is_not_hex_is_refused():
    with pytest.raises(ValueError):
        Branding("Region", "red")


def test_a_pdf_ua_machine_check_finds_nothing(pdf, tmp_path):
    import pdfua  # the machine-checkable part of PDF/UA-1, on pikepdf

    path = tmp_path / "paket.pdf"
    path.write_bytes(pdf)
    report = pdfua.validate(str(path))
    assert [(f.rule_id, f.message) for f in report.findings] == []


def test_a_step_no_question_measured_reads_not_measured_in_every_format(pack):
    first = pack.matrix[0]
    unmeasured = replace(first, cells=(None, *first.cells[1:]))
    small = replace(pack, matrix=(unmeasured,), groups=pack.groups[:1], activities=pack.activities[:2])
    with using_locale("sv"):
        pdf_words = " ".join(" ".join(pdf_text(build_pdf(small))[:2]).split())
        deck = Presentation(io.BytesIO(build_pptx(small)))
        slides = " ".join(
            cell.text
            for slide in deck.slides
            for shape in slide.shapes
            if shape.has_table
            for row in shape.table.rows
            for cell in row.cells
        )
        page = build_html(small).decode()
    assert "Inte mätt" in pdf_words and "Inte mätt" in slides and "Inte mätt" in page
