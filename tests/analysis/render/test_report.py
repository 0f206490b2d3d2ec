"""The meeting pack (analysis/render/report.py): PDF and PowerPoint built from plain data and read back.

Timing is not asserted here; measure with `python -m tests.analysis.test_report [folder]` (8 groups × 4 waves).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from pptx import Presentation
from pptx.util import Emu, Pt
from pypdf import PdfReader

from analysis.render import report, workers
from analysis.render.charts import (
    Chart,
    ChartRecipe,
    SharePoint,
    breakdown_chart,
    ladder_chart,
    recall_chart,
    recipe,
    trend_chart,
)
from analysis.render.report import (
    ActivityRow,
    GroupPage,
    MeetingPack,
    MethodsNote,
    SummaryRow,
    build_pdf,
    build_pptx,
    methods_note,
)
from locales import using_locale

NBSP = "\u00a0"
ROOT = Path(__file__).resolve().parents[3]
MEETING_DAY = date(2026, 11, 24)
PLAN = "Kommunikationsplan Nära vård Västernorrland 2026"
MEETING = "Länsledningens uppföljningsmöte"

GROUPS = (
    "Kommunala chefer",
    "Chefer i regionen",
    "Medarbetare i kommunerna",
    "Medarbetare i regionen",
    "Förtroendevalda",
    "Invånare i Västernorrland",
    "Primärvårdens medarbetare",
    "Socialtjänstens medarbetare",
)
ORGANISATIONS = (
    "Region Västernorrland",
    "Härnösands kommun",
    "Kramfors kommun",
    "Sollefteå kommun",
    "Sundsvalls kommun",
    "Timrå kommun",
    "Ånge kommun",
    "Örnsköldsviks kommun",
)
CHANNELS = ("Intranätet", "GNV webb", "Extern webb", "LinkedIn", "Infoblad", "Dialogmöte")
WAVES = ("mars 2026", "juni 2026", "september 2026", "november 2026", "februari 2027")


# --- Building packs ---------------------------------------------------------------------------------------------


def point(label: str, share: float, half_width: float = 0.06) -> SharePoint:
    return SharePoint(label, share, max(share - half_width, 0.0), min(share + half_width, 1.0))


def built(builder, *args):
    return builder(*args)


def group_charts(name: str, index: int, waves: int, make=built) -> tuple[Chart | ChartRecipe, ...]:
    """The group's charts, built, or as recipes with ``make=recipe``."""
    base = 0.30 + 0.04 * index
    trend = make(
        trend_chart,
        f"{name} som känner till färdplanen",
        [
            SharePoint.hidden(label, "för få svar")
            if index == 2 and wave == 1
            else point(label, base + 0.08 * wave)
            for wave, label in enumerate(WAVES[:waves])
        ],
        0.70,
    )
    understanding = make(
        trend_chart,
        f"{name} som förstår vad Nära vård innebär",
        [point(label, base - 0.05 + 0.05 * wave) for wave, label in enumerate(WAVES[:waves])],
        0.50,
    )
    ladder = make(
        ladder_chart,
        f"Effekttrappan för {name.lower()}, {WAVES[waves - 1]}",
        [
            point("L1 kännedom", base + 0.2),
            point("L2 förståelse", base + 0.05),
            point("L3 acceptans", base - 0.05),
            SharePoint.hidden("L4 handling", "för få svar"),
        ],
    )
    breakdown = make(
        breakdown_chart,
        f"{name} per organisation",
        [
            SharePoint.hidden(org, "") if org == "Ånge kommun" else point(org, base + 0.03 * (i % 4), 0.1)
            for i, org in enumerate(ORGANISATIONS)
        ],
        base + 0.04,
    )
    recall = make(
        recall_chart,
        f"Var {name.lower()} har sett budskapet",
        [point(channel, 0.6 - 0.08 * i, 0.05) for i, channel in enumerate(CHANNELS)],
        {channel: 12000 - 1500 * i for i, channel in enumerate(CHANNELS[:-1])},
    )
    return (
        (trend, understanding, ladder, breakdown, recall)
        if index % 2 == 0
        else (trend, ladder, breakdown, recall)
    )


def summary_rows(name: str, index: int) -> list[SummaryRow]:
    latest = 30 + 4 * index + 24
    return [
        SummaryRow(
            name,
            "L1 kännedom",
            f"{latest}{NBSP}%",
            f"{latest - 6}–{latest + 6}{NBSP}%",
            f"70{NBSP}%",
            "Ej uppnått" if latest + 6 < 70 else "Ej säkerställt",
            f"Ökningen från {latest - 8}{NBSP}% till {latest}{NBSP}% är statistiskt säkerställd.",
            f"{212 + index} av 640",
            f"Svarsfrekvensen är låg (18{NBSP}%): resultatet kan vara skevt." if index == 3 else None,
        ),
        SummaryRow(
            name,
            "L2 förståelse",
            "För få svar" if index == 5 else f"{latest - 10}{NBSP}%",
            "" if index == 5 else f"{latest - 16}–{latest - 4}{NBSP}%",
            f"50{NBSP}%",
            "–" if index == 5 else "Ej säkerställt",
            "Skillnaden kan bero på slumpen.",
            f"{212 + index} av 640",
        ),
    ]


def sentences(name: str) -> tuple[str, ...]:
    return (
        f"Målet (minst 70{NBSP}%) är inte uppnått: även den högsta rimliga nivån, 64{NBSP}%, ligger under målet.",
        f"Ökningen från 42{NBSP}% till 58{NBSP}% är statistiskt säkerställd.",
        f"Andelen {name.lower()} som förstår vad Nära vård innebär har ökat över 4 mätomgångar. Trenden är "
        "statistiskt säkerställd.",
    )


def activities(count: int = 4) -> tuple[ActivityRow, ...]:
    rows = [
        ActivityRow(
            "vecka 12",
            "Nyhet om färdplanen på intranätet",
            "Intranät, GNV webb",
            f"8{NBSP}430 visningar",
            f"64{NBSP}%",
            "10 september 2026: upprepa – nå fler chefer i kommunerna.",
        ),
        ActivityRow(
            "april 2026",
            "Dialogmöten med förvaltningschefer",
            "Möte",
            "–",
            "För få svar",
            "",
        ),
        ActivityRow(
            "maj 2026",
            "Infoblad om Nära vård till alla medarbetare",
            "Infoblad, Extern webb",
            f"2{NBSP}100 utdelade",
            f"31{NBSP}%",
            "10 september 2026: justera – kortare text.\n15 oktober 2026: tillräcklig.",
        ),
        ActivityRow(
            "juni 2026", "LinkedIn-serie om Nära vård", "LinkedIn", f"15{NBSP}200 visningar", f"12{NBSP}%", ""
        ),
    ]
    return tuple(rows[i % len(rows)] for i in range(count))


def make_pack(
    groups: int = 2, waves: int = 3, *, summary_extra: int = 0, activity_count: int = 4, make=built
) -> MeetingPack:
    names = GROUPS[:groups]
    rows = [row for i, name in enumerate(names) for row in summary_rows(name, i)]
    rows += [summary_rows(f"Extra målgrupp {i}", i % 8)[0] for i in range(summary_extra)]
    return MeetingPack(
        plan_title=PLAN,
        meeting_title=MEETING,
        meeting_date=MEETING_DAY,
        summary=tuple(rows),
        groups=tuple(
            GroupPage(name, sentences(name), group_charts(name, i, waves, make))
            for i, name in enumerate(names)
        ),
        activities=activities(activity_count),
        methods=methods_note(1712, 5120),
        generated_note="Underlaget skapades 20 november 2026 av effekt. Resultaten är frysta vid mötet.",
    )


# --- Reading back -----------------------------------------------------------------------------------------------


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace(NBSP, " ")).strip()


def pdf_pages(data: bytes) -> list[str]:
    return [normal(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages]


def slide_texts(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return normal(" ".join(parts))


def tables(presentation) -> list:
    return [shape.table for slide in presentation.slides for shape in slide.shapes if shape.has_table]


def pictures(slide) -> list:
    return [shape for shape in slide.shapes if shape.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE


@pytest.fixture(scope="module")
def pack() -> MeetingPack:
    return make_pack()


@pytest.fixture(scope="module")
def pdf(pack) -> bytes:
    return build_pdf(pack)


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    return pdf_pages(pdf)


@pytest.fixture(scope="module")
def pptx(pack):
    return Presentation(io.BytesIO(build_pptx(pack)))


# --- PDF --------------------------------------------------------------------------------------------------------


def test_the_pdf_is_a4_on_every_page(pdf):
    for page in PdfReader(io.BytesIO(pdf)).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # 210 × 297 mm in points


def test_the_cover_names_the_plan_the_meeting_and_the_swedish_date(pages):
    cover = pages[0]
    assert PLAN in cover
    assert MEETING in cover
    assert "24 november 2026" in cover
    assert "Underlaget skapades 20 november 2026" in cover


def test_the_cover_lists_the_contents_with_page_numbers(pages):
    cover = pages[0]
    assert "Innehåll" in cover
    for name in GROUPS[:2]:
        first_page = next(i for i, text in enumerate(pages[2:], start=3) if name in text[:200])
        assert re.search(rf"{name} {first_page}\b", cover)
    assert re.search(r"Sammanfattning 2\b", cover)


def test_every_page_says_which_page_it_is_of_how_many(pages):
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Sida {number} av {total}" in text


def test_the_pages_come_in_order_cover_summary_groups_activities_methods(pages):
    assert pages[1].find("Sammanfattning") < 200
    starts = [
        next(i for i, text in enumerate(pages) if text.find(name) != -1 and i > 1) for name in GROUPS[:2]
    ]
    assert starts == sorted(starts) and starts[0] == 2
    activities_page = next(
        i for i, text in enumerate(pages) if "Aktiviteter som väntar på beslut" in text and i > 0
    )
    assert activities_page > starts[-1]
    assert "Om siffrorna" in pages[-1]


def test_a_minimal_pack_has_cover_summary_one_group_page_and_activities_with_methods():
    minimal = MeetingPack(
        PLAN,
        MEETING,
        MEETING_DAY,
        summary=tuple(summary_rows("Kommunala chefer", 0)),
        groups=(
            GroupPage(
                "Kommunala chefer",
                sentences("Kommunala chefer"),
                (trend_chart("Kommunala chefer som känner till färdplanen", [point("mars 2026", 0.4)], 0.7),),
            ),
        ),
        activities=activities(1),
        methods=methods_note(300),
    )
    pages = pdf_pages(build_pdf(minimal))
    assert len(pages) == 4
    assert "Kommunala chefer som känner till färdplanen" in pages[2]
    assert "Aktiviteter som väntar på beslut" in pages[3] and "Om siffrorna" in pages[3]


def test_the_summary_rows_are_in_the_table(pages):
    summary = pages[1]
    for header in ("Målgrupp", "Steg", "Senaste", "Mål", "Status", "Förändring", "Svarande"):
        assert header in summary
    assert "L1 kännedom" in summary and "L2 förståelse" in summary
    assert "54 %" in summary and "48–60 %" in summary
    assert "Ej uppnått" in summary
    assert "Ökningen från 46 % till 54 % är statistiskt säkerställd." in summary
    assert "212 av 640" in summary


def test_a_low_response_warning_is_written_under_its_row():
    rows = tuple(summary_rows("Medarbetare i regionen", 3))
    pages = pdf_pages(build_pdf(MeetingPack(PLAN, MEETING, MEETING_DAY, summary=rows)))
    assert "Obs! Svarsfrekvensen är låg (18 %): resultatet kan vara skevt." in pages[1]


def test_a_long_summary_continues_on_more_pages_with_the_header_repeated():
    long_pack = make_pack(groups=0, summary_extra=40, activity_count=0)
    pages = pdf_pages(build_pdf(long_pack))
    summary_pages = [text for text in pages[1:] if "Sammanfattning" in text[:200]]
    assert len(summary_pages) >= 2
    assert all("Förändring" in text for text in summary_pages)
    assert all("Sammanfattning (forts.)" in text for text in summary_pages[1:])
    for i in range(40):
        assert sum(f"Extra målgrupp {i} " in text + " " for text in summary_pages) == 1


def test_a_group_page_has_its_sentences_and_its_charts_as_searchable_text(pages):
    group = " ".join(text for text in pages[2:] if "Kommunala chefer" in text)
    assert "Ökningen från 42 % till 58 % är statistiskt säkerställd." in group
    assert "Kommunala chefer som känner till färdplanen" in group  # the chart's own title
    assert "Mål 70 %" in group  # the target line's label inside the chart
    assert "Härnösands kommun" in group and "Örnsköldsviks kommun" in group  # breakdown labels
    assert "för få svar för att redovisa" in group  # a hidden organisation keeps its row


def test_charts_are_vector_graphics_not_images(pdf):
    for page in PdfReader(io.BytesIO(pdf)).pages:
        objects = page["/Resources"].get_object().get("/XObject", {})
        for reference in objects.values():
            assert reference.get_object().get("/Subtype") != "/Image"


def test_every_font_is_truetype_and_none_is_type3(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    subtypes = set()
    for page in reader.pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            font = font.get_object()
            subtypes.add(font["/Subtype"])
            for descendant in font.get("/DescendantFonts", []):
                subtypes.add(descendant.get_object()["/Subtype"])
    assert subtypes and "/Type3" not in subtypes
    assert subtypes <= {"/Type0", "/CIDFontType2", "/TrueType"}
    assert b"/Type3" not in pdf


def test_the_metadata_has_title_author_subject_and_keywords_with_swedish_letters(pdf):
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == f"{PLAN} – {MEETING}"
    assert meta.author == "effekt"
    assert meta.subject == "Underlag till uppföljningsmöte 24 november 2026"
    assert "länsledning" in meta["/Keywords"] and "Kommunala chefer" in meta["/Keywords"]


def test_the_activities_awaiting_decision_have_their_history_and_boxes_to_tick(pages):
    text = " ".join(pages)
    assert "Nyhet om färdplanen på intranätet" in text
    assert "10 september 2026: upprepa – nå fler chefer i kommunerna." in text
    assert "15 oktober 2026: tillräcklig." in text
    assert "Inget beslut ännu." in text
    assert "☐ tillräcklig ☐ upprepa ☐ justera" in text


def test_the_methods_text_is_on_the_last_page(pages):
    methods = pages[-1]
    assert "Svarande: 1 712 av 5 120 inbjudna (svarsfrekvens 33 %)." in methods
    assert "Wilson" in methods and "ändlig population" in methods and "hypergeometrisk" in methods
    assert "poststratifiering" in methods and "Kish" in methods
    assert "färre än 5 svar redovisas inte" in methods


def test_swedish_letters_are_intact_in_the_pdf_text(pages):
    text = " ".join(pages)
    for word in (
        "Sammanfattning",
        "Förändring",
        "Örnsköldsviks",
        "Härnösands",
        "Ånge",
        "mätomgång",
        "uppnått",
    ):
        assert word.lower() in text.lower()


def test_drawing_the_charts_into_the_pdf_leaves_them_unchanged(pack):
    chart = pack.groups[0].charts[0]
    before = (chart.figure.dpi, tuple(chart.figure.get_size_inches()))
    build_pdf(pack)
    assert (chart.figure.dpi, tuple(chart.figure.get_size_inches())) == before


# --- PowerPoint -------------------------------------------------------------------------------------------------


def test_the_presentation_is_16_by_9(pptx):
    assert (pptx.slide_width, pptx.slide_height) == (Emu(12191695), Emu(6858000)) or round(
        pptx.slide_width / pptx.slide_height, 3
    ) == round(16 / 9, 3)


def test_the_title_slide_names_the_plan_the_meeting_and_the_date(pptx):
    text = slide_texts(pptx.slides[0])
    assert PLAN in text and MEETING in text and "24 november 2026" in text


def test_the_slides_come_in_order_one_per_group_plus_its_other_charts(pptx, pack):
    titles = [slide.shapes.title.text_frame.text for slide in pptx.slides]
    # title, summary, per group: 1 slide with the first chart + the rest two a slide, activities, methods
    expected = 1 + 1 + sum(1 + (len(g.charts) - 1 + 1) // 2 for g in pack.groups) + 1 + 1
    assert len(pptx.slides) == expected
    assert titles[1] == "Sammanfattning"
    assert titles[2] == GROUPS[0] and titles[3] == f"{GROUPS[0]} (forts.)"
    assert titles[-2] == "Aktiviteter som väntar på beslut"
    assert titles[-1] == "Om siffrorna"


def test_the_summary_is_a_native_table_with_the_rows_cells(pptx, pack):
    table = tables(pptx)[0]
    header = [cell.text for cell in table.rows[0].cells]
    assert header == ["Målgrupp", "Steg", "Senaste", "Mål", "Status", "Förändring", "Svarande"]
    first = [cell.text for cell in table.rows[1].cells]
    row = pack.summary[0]
    assert first[0] == row.target_group and first[1] == row.step
    assert (
        first[2] == f"{row.latest}\n{row.interval}"
        or first[2].replace("\v", "\n") == f"{row.latest}\n{row.interval}"
    )
    assert first[3:6] == [row.target, row.status, row.change]
    assert first[6] == row.respondents
    assert not pictures(pptx.slides[1])


def test_a_long_summary_is_split_over_slides_of_at_most_eight_rows():
    presentation = Presentation(
        io.BytesIO(build_pptx(make_pack(groups=0, summary_extra=20, activity_count=0)))
    )
    summary_tables = [
        shape.table
        for slide in presentation.slides
        if "Sammanfattning" in slide.shapes.title.text_frame.text
        for shape in slide.shapes
        if shape.has_table
    ]
    assert len(summary_tables) >= 3
    assert all(len(table.rows) - 1 <= 8 for table in summary_tables)
    assert sum(len(table.rows) - 1 for table in summary_tables) == 20


def test_every_picture_has_the_chart_description_as_alt_text(pptx, pack):
    descriptions = {chart.description for group in pack.groups for chart in group.charts}
    found = []
    for slide in pptx.slides:
        for picture in pictures(slide):
            alt = picture._element.nvPicPr.cNvPr.get("descr")
            assert alt
            found.append(alt)
    assert set(found) == descriptions and len(found) == len(descriptions)


def test_the_chart_descriptions_are_also_in_the_speaker_notes(pptx, pack):
    notes = " ".join(
        slide.notes_slide.notes_text_frame.text for slide in pptx.slides if slide.has_notes_slide
    )
    for chart in pack.groups[0].charts:
        assert chart.description in notes


def test_body_text_on_slides_is_14_pt_or_larger(pptx):
    sizes = []
    for slide in pptx.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    for run in paragraph.runs:
                        assert run.font.size is not None and run.font.size >= Pt(14), run.text
                        sizes.append(run.font.size)
    assert sizes


def test_the_core_properties_name_the_pack(pptx):
    properties = pptx.core_properties
    assert properties.title == f"{PLAN} – {MEETING}"
    assert properties.author == "effekt"
    assert properties.subject == "Underlag till uppföljningsmöte 24 november 2026"
    assert properties.language == "sv-SE"


def test_the_activities_and_methods_slides_carry_their_text(pptx):
    activities_slide = next(
        s for s in pptx.slides if s.shapes.title.text_frame.text == "Aktiviteter som väntar på beslut"
    )
    text = slide_texts(activities_slide)
    assert "Dialogmöten med förvaltningschefer" in text and "Inget beslut ännu." in text
    assert "Wilson" in slide_texts(pptx.slides[-1])


def test_a_page_drawn_as_an_image_still_shows_its_chart(pack):
    from matplotlib.figure import Figure
    from matplotlib.image import imread

    from analysis.render.report import PAGE_H, PAGE_W, _EmbeddedChart

    page = Figure(figsize=(PAGE_W, PAGE_H), facecolor="white")
    page.add_artist(_EmbeddedChart(pack.groups[0].charts[0], 0.6, 1.0, 1.0))
    buffer = io.BytesIO()
    page.savefig(buffer, format="png", dpi=20)
    pixels = (imread(io.BytesIO(buffer.getvalue())) * 255).astype(np.uint8)
    chart_rows = pixels[round((PAGE_H - 5.0) * 20) : round((PAGE_H - 1.0) * 20)]
    assert (chart_rows[..., :3] < 128).any()  # ink where the chart is …
    assert (pixels[: round((PAGE_H - 5.2) * 20), ..., :3] == 255).all()  # … and nothing above it


# --- Both ----------------------------------------------------------------------------------------------------


def test_the_pdf_and_the_presentation_can_be_built_at_the_same_time_from_one_pack(pack, pages):
    with ThreadPoolExecutor(max_workers=2) as pool:
        pdf_job = pool.submit(build_pdf, pack)
        pptx_job = pool.submit(build_pptx, pack)
        pdf, pptx = pdf_job.result(), pptx_job.result()
    assert pdf_pages(pdf) == pages
    presentation = Presentation(io.BytesIO(pptx))
    assert sum(len(pictures(slide)) for slide in presentation.slides) == sum(
        len(g.charts) for g in pack.groups
    )


def test_an_empty_pack_still_builds_both_formats():
    empty = MeetingPack(PLAN, MEETING, MEETING_DAY)
    pages = pdf_pages(build_pdf(empty))
    assert len(pages) == 3
    assert "Det finns inga effektmål med resultat ännu." in pages[1]
    assert "Inga aktiviteter väntar på beslut." in pages[2]
    assert "Ingen metodbeskrivning" in pages[2]
    presentation = Presentation(io.BytesIO(build_pptx(empty)))
    assert len(presentation.slides) == 4
    assert "Det finns inga effektmål med resultat ännu." in slide_texts(presentation.slides[1])


def test_a_group_without_charts_or_sentences_still_gets_its_page():
    lonely = MeetingPack(PLAN, MEETING, MEETING_DAY, groups=(GroupPage("Förtroendevalda"),))
    pages = pdf_pages(build_pdf(lonely))
    assert "Det finns inga resultat att visa för målgruppen." in pages[2]
    presentation = Presentation(io.BytesIO(build_pptx(lonely)))
    assert "Det finns inga resultat att visa för målgruppen." in slide_texts(presentation.slides[2])


HOSTILE = (
    "<script>alert('å')</script>",
    "=cmd|' /C calc'!A0",
    "Kostnad $5 och $6 i ränta",
)


def test_hostile_and_odd_text_comes_through_inert_and_readable():
    long_title = "Målgruppen med ett mycket långt namn " * 12
    long_word = "Ö" * 260
    hostile = MeetingPack(
        plan_title=f"{HOSTILE[0]} {long_title}",
        meeting_title=f"{HOSTILE[1]}\x00\x1b[31m möte\u202e",
        meeting_date=MEETING_DAY,
        summary=(
            SummaryRow(HOSTILE[0], HOSTILE[1], "61 %", "55–67 %", "70 %", "Ej säkerställt", long_word, "12"),
        ),
        groups=(GroupPage(f"{HOSTILE[2]} {long_word}", (HOSTILE[0], HOSTILE[2], long_title), ()),),
        activities=(ActivityRow(HOSTILE[1], HOSTILE[0], HOSTILE[2], "=1+1", "@SUM(A1)", long_word),),
        methods=MethodsNote((HOSTILE[1], "\x07")),
        generated_note=HOSTILE[0],
    )
    text = " ".join(pdf_pages(build_pdf(hostile)))
    for piece in HOSTILE:
        assert normal(piece) in text
    assert "\x1b" not in text and "\u202e" not in text
    assert "ÖÖÖÖÖÖÖÖÖÖ" in text
    presentation = Presentation(io.BytesIO(build_pptx(hostile)))
    slides = " ".join(slide_texts(slide) for slide in presentation.slides)
    for piece in HOSTILE:
        assert normal(piece) in slides
    assert presentation.core_properties.title.startswith(HOSTILE[0])


def test_a_pack_in_english_dates_the_meeting_in_english():
    with using_locale("en"):
        pages = pdf_pages(build_pdf(MeetingPack(PLAN, MEETING, MEETING_DAY)))
    assert "24 November 2026" in pages[0]


def test_the_standard_methods_note_says_how_the_numbers_were_made():
    lines = methods_note(40, None, k=7, weighted=False).lines
    assert lines[0] == "Svarande: 40."
    assert any("färre än 7 svar" in line for line in lines)
    assert any("inte viktade" in line for line in lines)
    assert any("Holm" in line and "Newcombe" in line for line in lines)


def test_the_demo_sized_pack_of_eight_groups_and_four_waves_builds_both_formats():
    full = make_pack(groups=8, waves=4)
    pdf = build_pdf(full)
    pages = pdf_pages(pdf)
    assert all(f"av {len(pages)}" in text for text in pages)
    for name in GROUPS:
        assert any(text.find(name) != -1 for text in pages[2:])
    presentation = Presentation(io.BytesIO(build_pptx(full)))
    alts = [p._element.nvPicPr.cNvPr.get("descr") for s in presentation.slides for p in pictures(s)]
    assert len(alts) == sum(len(g.charts) for g in full.groups) and all(alts)


# --- Recipes and worker processes -------------------------------------------------------------------------------


def pptx_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def test_a_pack_of_chart_recipes_comes_out_as_one_of_built_charts():
    made, given = make_pack(make=recipe), make_pack()
    assert pdf_pages(build_pdf(made)) == pdf_pages(build_pdf(given))
    assert pptx_parts(build_pptx(made)) == pptx_parts(build_pptx(given))


def test_the_pages_are_shared_out_in_consecutive_runs_of_about_the_same_work():
    flow, _sections, _groups = report._layout_pdf(make_pack(groups=4, make=recipe))
    ranges = report._page_ranges(flow, 2)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(flow.pages)
    assert all(first < last for first, last in ranges)
    assert all(a[1] == b[0] for a, b in pairwise(ranges))
    charts = [sum(p.item.charts for page in flow.pages[first:last] for p in page) for first, last in ranges]
    assert abs(charts[0] - charts[1]) <= 3


def test_without_worker_processes_nothing_is_shared_out():
    workers.stop()
    assert workers.share(pow, [(2, 2)]) is None


def test_work_asked_for_while_the_workers_start_is_all_done_and_in_order():
    workers.stop()
    workers.start()
    assert workers.share(pow, [(i, 3) for i in range(40)]) == [i**3 for i in range(40)]
    assert workers.share(pow, [(2, 2), (3, 2)], late=False) in (None, [4, 9])


def test_a_pdf_asked_for_while_the_workers_start_says_exactly_the_same():
    made = make_pack(make=recipe)
    alone = build_pdf(made)
    workers.stop()
    workers.start()
    assert pdf_pages(build_pdf(made)) == pdf_pages(alone)


@pytest.fixture(scope="module")
def running_workers():
    workers.start()
    deadline = time.monotonic() + 120
    while not workers.ready() and time.monotonic() < deadline:
        time.sleep(0.1)
    if not workers.ready():
        pytest.fail("The worker processes did not start within two minutes.")
    yield
    workers.stop()


def test_with_worker_processes_the_pack_says_exactly_the_same(running_workers, monkeypatch):
    made = make_pack(make=recipe)
    alone = (build_pdf(made), build_pptx(made))
    shared = []
    share = workers.share
    monkeypatch.setattr(workers, "share", lambda *a, **k: shared.append(share(*a, **k)) or shared[-1])
    together = (build_pdf(made), build_pptx(made))
    assert len(shared) == 2 and all(result is not None for result in shared)  # both went to the workers
    assert pdf_pages(together[0]) == pdf_pages(alone[0])
    reader = PdfReader(io.BytesIO(together[0]))
    assert reader.metadata["/Title"] == f"{PLAN} – {MEETING}" and reader.metadata["/Author"] == "effekt"
    assert pptx_parts(together[1]) == pptx_parts(alone[1])


def test_work_shared_with_the_workers_comes_back_complete_and_in_order(running_workers):
    assert workers.share(pow, [(i, 2) for i in range(30)]) == [i * i for i in range(30)]
    assert workers.share(pow, []) == []


def test_an_error_in_a_worker_is_raised_here_as_usual(running_workers):
    with pytest.raises(ValueError, match="invalid literal"):
        workers.share(int, [("1",), ("x",), ("3",), ("4",), ("5",)])


def test_the_workers_go_away_when_the_process_that_started_them_is_killed(tmp_path):
    script = tmp_path / "killed.py"
    script.write_text(
        "import os, time\n"
        "from analysis.render import workers\n"
        "if __name__ == '__main__':\n"
        "    workers.start()\n"
        "    while not workers.ready():\n"
        "        time.sleep(0.1)\n"
        "    print(workers._pool.submit(os.getpid).result(), flush=True)\n"
        "    os._exit(0)  # no clean-up, as when killed\n"
    )
    ran = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    worker = int(ran.stdout.split()[0])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    pytest.fail(f"Worker {worker} is still running.")


# --- Measuring (not a test) -------------------------------------------------------------------------------------


def measure(folder: Path | None = None) -> dict[str, float]:
    """Seconds (wall clock, and CPU of this process) to build the charts, the PDF and the PowerPoint for
    8 groups × 4 waves. CPU time is the steadier number on a shared machine."""
    clocks = [(time.perf_counter(), time.process_time())]
    full = make_pack(groups=8, waves=4)
    clocks.append((time.perf_counter(), time.process_time()))
    pdf = build_pdf(full)
    clocks.append((time.perf_counter(), time.process_time()))
    pptx = build_pptx(full)
    clocks.append((time.perf_counter(), time.process_time()))
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "pack.pdf").write_bytes(pdf)
        (folder / "pack.pptx").write_bytes(pptx)
    result: dict[str, float] = {}
    for name, (start, end) in zip(("charts", "pdf", "pptx"), pairwise(clocks), strict=True):
        result[f"{name} wall"] = end[0] - start[0]
        result[f"{name} cpu"] = end[1] - start[1]
    result["pages"] = len(PdfReader(io.BytesIO(pdf)).pages)
    result["slides"] = len(Presentation(io.BytesIO(pptx)).slides)
    return result


if __name__ == "__main__":
    result = measure(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(", ".join(f"{k} {v:.2f} s" if isinstance(v, float) else f"{k} {v}" for k, v in result.items()))
