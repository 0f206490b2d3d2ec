"""Reach over time: months that have figures, longer periods never split, missing months never zero."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from datetime import date

from analysis.render.reach_trends import ReachEntry, WaveMark, month_axis, monthly_series, reach_chart

SVG = "{http://www.w3.org/2000/svg}"


def entry(series: str, start: date, end: date, value: int, metric: str = "views") -> ReachEntry:
    return ReachEntry(series, series.title(), metric, start, end, value)


FIGURES = [
    entry("intranat", date(2026, 3, 1), date(2026, 3, 31), 500),
    entry("intranat", date(2026, 3, 10), date(2026, 3, 20), 25),
    entry("intranat", date(2026, 5, 31), date(2026, 6, 30), 700),  # an export "one month back" from the 31st
    entry("linkedin", date(2026, 1, 1), date(2026, 6, 30), 18_400),
    entry("linkedin", date(2026, 3, 1), date(2026, 3, 31), 90, "clicks"),
]


def test_the_axis_runs_month_by_month_over_the_figures_and_the_waves():
    waves = [WaveMark("Omgång 1", date(2026, 9, 1), date(2026, 9, 20))]
    months = month_axis(FIGURES, waves)
    assert months[0] == date(2026, 1, 1) and months[-1] == date(2026, 9, 1) and len(months) == 9


def test_figures_inside_a_month_add_up_and_a_missing_month_is_missing():
    months = month_axis(FIGURES)
    (intranat, _linkedin) = monthly_series(FIGURES, months, "views")
    by_month = dict(zip(months, intranat.months, strict=True))
    assert by_month[date(2026, 3, 1)].value == 525
    assert by_month[date(2026, 6, 1)].value == 700
    assert by_month[date(2026, 4, 1)].value is None and by_month[date(2026, 4, 1)].missing


def test_a_longer_period_is_kept_whole_not_split_into_months():
    months = month_axis(FIGURES)
    linkedin = monthly_series(FIGURES, months, "views")[1]
    assert all(m.value is None and not m.missing for m in linkedin.months)
    assert [len(m.starts) for m in linkedin.months] == [1, 0, 0, 0, 0, 0]


def test_the_chart_says_what_is_missing_and_its_table_says_saknas():
    months = month_axis(FIGURES)
    chart = reach_chart(
        "Visningar per kanal", months, monthly_series(FIGURES, months, "views"), metric_label="Visningar"
    )
    assert "Saknas för januari 2026, februari 2026, april 2026, maj 2026." in chart.description
    assert "18\u00a0400 under januari 2026–juni 2026" in chart.description
    header, *rows = chart.table
    assert header[:3] == ("Månad", "Intranat", "Linkedin")
    april = next(r for r in rows if r[0] == "april 2026")
    assert april[1] == "saknas" and april[2] == "ingår i en längre period ovan"
    root = ElementTree.fromstring(chart.svg)
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == "Visningar per kanal"


def test_the_legend_gives_every_label_its_own_line_inside_the_picture():
    long_names = [entry(f"kanal{i}", date(2026, 3, 1), date(2026, 3, 31), 100 * i) for i in range(1, 7)] + [
        ReachEntry(
            "lang",
            "Organisationernas externa webbplatser " * 4,
            "views",
            date(2026, 4, 1),
            date(2026, 4, 30),
            5,
        )
    ]
    months = month_axis(long_names)
    chart = reach_chart(
        "x", months, monthly_series(long_names, months, "views"), metric_label="Visningar", width=480
    )
    root = ElementTree.fromstring(chart.svg)
    height = float(root.get("height"))
    legend = [t for t in root.findall(f"{SVG}text") if float(t.get("y")) >= 276]  # below the axis labels
    ys = [float(t.get("y")) for t in legend]
    assert len(ys) == len(set(ys)), "two legend lines share a line"
    assert max(ys) < height
    assert all(len(t.text) * 6.6 < 480 - 72 - 36 + 10 for t in legend)


def test_wave_numbers_that_would_touch_move_apart():
    waves = [
        WaveMark("A", date(2026, 3, 2), date(2026, 3, 6)),
        WaveMark("B", date(2026, 3, 9), date(2026, 3, 13)),
    ]
    months = month_axis(FIGURES, waves)
    root = ElementTree.fromstring(
        reach_chart("x", months, monthly_series(FIGURES, months, "views"), metric_label="V", waves=waves).svg
    )
    numbers = [
        t for t in root.findall(f"{SVG}text") if t.text in ("1", "2") and t.get("font-weight") == "bold"
    ]
    (a, b) = numbers
    assert abs(float(a.get("x")) - float(b.get("x"))) >= 14 or a.get("y") != b.get("y")


def test_no_figures_gives_a_chart_that_says_so():
    chart = reach_chart("Visningar", (), (), metric_label="Visningar")
    assert "inga siffror" in chart.description and re.search(r"<svg", chart.svg)
