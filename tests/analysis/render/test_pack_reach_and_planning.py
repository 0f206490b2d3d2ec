"""Two parts of the meeting pack read back: reach over time as a native, editable line chart in the
PowerPoint (its table where there are no figures to draw), and the methods section's paragraph on what the
next wave can show, in the PDF, the PowerPoint and the web page alike."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from analysis.render.pack_html import build_html
from analysis.render.pack_pptx import build_pptx
from analysis.render.pack_typst import build_pdf
from analysis.render.reach_trends import ReachEntry, month_axis, monthly_series, reach_chart
from analysis.render.report import MeetingPack, MethodsNote, PackChart, methods_note
from locales import using_locale
from surveys.meetings.pack import planning_note
from surveys.results.planning import GoalPlanning, WavePlanning
from tests.analysis.render.pack_checks import pdf_text, pptx_problems

DAY = date(2026, 12, 10)
FIGURES = [
    ReachEntry("intranat", "Intranät", "views", date(2026, 1, 1), date(2026, 1, 31), 1200),
    ReachEntry("intranat", "Intranät", "views", date(2026, 2, 1), date(2026, 2, 28), 1500),
    # March has no figure: a gap, never a zero
    ReachEntry("intranat", "Intranät", "views", date(2026, 4, 1), date(2026, 4, 30), 900),
    ReachEntry("linkedin", "LinkedIn", "views", date(2026, 1, 1), date(2026, 4, 30), 4000),
]


def _reach(entries) -> PackChart:
    with using_locale("sv"):
        months = month_axis(entries) or (date(2026, 1, 1),)
        drawn = reach_chart(
            "Räckvidd per kanal över tid: visningar",
            months,
            monthly_series(entries, months, "views"),
            metric_label="Visningar",
        )
    return PackChart("reach/0", drawn.title, drawn.description, drawn.table, drawn.svg, reach=drawn.lines)


def _deck(*charts: PackChart) -> Presentation:
    with using_locale("sv"):
        data = build_pptx(MeetingPack("Plan", "Möte", DAY, DAY, reach_charts=charts))
    assert pptx_problems(data) == []
    return Presentation(io.BytesIO(data))


def _slides(deck: Presentation, title: str) -> list:
    return [s for s in deck.slides if s.shapes.title.text_frame.text.startswith(title)]


def test_reach_over_time_is_a_native_line_chart_with_a_series_per_channel_and_gaps_for_missing_months():
    chart = _reach(FIGURES)
    (slide,) = _slides(_deck(chart), "Räckvidd per kanal över tid")
    (frame,) = [shape for shape in slide.shapes if shape.has_chart]
    plot = frame.chart.plots[0]
    assert frame.chart.chart_type == XL_CHART_TYPE.LINE_MARKERS
    assert list(plot.categories) == ["januari 2026", "februari 2026", "mars 2026", "april 2026"]
    series = {s.name: tuple(s.values) for s in plot.series}
    assert series["Intranät"] == (1200, 1500, None, 900)  # March is missing, not zero
    # LinkedIn's four-month figure is not split into invented months: its average, said so in its name
    assert series["LinkedIn, januari 2026–april 2026 i snitt per månad"] == (1000, 1000, 1000, 1000)
    assert frame._element.nvGraphicFramePr.cNvPr.get("descr") == chart.description
    assert "Saknas för mars 2026" in chart.description


def test_a_reach_chart_without_figures_is_shown_as_its_table():
    chart = _reach([])
    assert chart.reach is not None and chart.reach.empty
    deck = _deck(chart)
    (slide,) = _slides(deck, "Räckvidd per kanal över tid")
    assert not any(shape.has_chart or shape.shape_type == 13 for shape in slide.shapes)
    (table,) = [shape.table for shape in slide.shapes if shape.has_table]
    assert [c.text_frame.text for c in table.rows[0].cells] == list(chart.table[0])


def _goal(goal_id: int, group: str, change: float | None, needed: int) -> GoalPlanning:
    return GoalPlanning(
        goal_id=goal_id,
        target_group=group.lower(),
        group_name=group,
        step="L1",
        target=0.7,
        population=120,
        basis_wave="Mätomgång 2" if change is not None else None,
        share=0.55,
        respondents=48 if change is not None else None,
        response_rate=0.4 if change is not None else None,
        detectable_change=change,
        needed_for_margin=needed,
        needed_to_judge=None,
        judgeable=False,
    )


PLANNING = WavePlanning(
    "plan",
    0.95,
    0.8,
    0.1,
    (
        _goal(1, "Chefer", 0.182, 54),
        _goal(2, "Medarbetare", 0.071, 88),
        _goal(3, "Politiker", None, 60),
    ),
)


def test_the_methods_say_in_plain_swedish_what_change_the_next_wave_can_show():
    with using_locale("sv"):
        text = planning_note(PLANNING)
    assert "minst 7 till 18 procentenheter" in text
    assert "minst för Medarbetare (L1) och störst för Chefer (L1)" in text
    assert "80\u00a0%" in text and "mellan 54 och 88 svar" in text
    assert "För 1 mål finns ännu ingen stängd mätomgång" in text


def test_without_a_closed_wave_the_methods_say_it_cannot_be_told_yet():
    only_open = WavePlanning("plan", 0.95, 0.8, 0.1, (_goal(3, "Politiker", None, 60),))
    with using_locale("sv"):
        text = planning_note(only_open)
    assert "procentenheter" not in text and "ingen stängd mätomgång" in text
    assert planning_note(WavePlanning("plan", 0.95, 0.8, 0.1, ())) == ""


@pytest.mark.parametrize("fmt", ["pdf", "pptx", "html"])
def test_the_paragraph_on_the_next_wave_is_in_every_format(fmt):
    with using_locale("sv"):
        paragraph = planning_note(PLANNING)
        methods = MethodsNote((*methods_note(120, k=5).lines, paragraph))
        pack = MeetingPack("Plan", "Möte", DAY, DAY, methods=methods)
        if fmt == "pdf":
            text = " ".join(pdf_text(build_pdf(pack)))
        elif fmt == "pptx":
            deck = Presentation(io.BytesIO(build_pptx(pack)))
            text = " ".join(
                shape.text_frame.text
                for slide in deck.slides
                for shape in slide.shapes
                if shape.has_text_frame
            )
        else:
            text = build_html(pack).decode()
    assert "minst 7 till 18 procentenheter" in " ".join(text.split())
