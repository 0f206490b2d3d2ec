"""Charts (analysis/render/charts.py): Swedish formatting, text alternatives, and real SVG/PNG/PDF files read back."""

import pickle
import struct
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import matplotlib
import pytest
from matplotlib.text import Text

from analysis.render import charts
from analysis.render.charts import (
    Chart,
    SharePoint,
    breakdown_chart,
    format_count,
    format_month,
    format_share,
    format_span,
    ladder_chart,
    recall_chart,
    render,
    render_cached,
    trend_chart,
)
from analysis.stats.estimates import Interval
from locales import using_locale

NBSP = "\u00a0"
MINUS = "\u2212"
ROOT = Path(__file__).resolve().parents[3]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"


def waves():
    return [
        SharePoint("Mätomgång 1", 0.42, 0.35, 0.49),
        SharePoint.hidden("Mätomgång 2", "för få svar"),
        SharePoint("Mätomgång 3", 0.61, 0.55, 0.67),
    ]


def steps():
    return [
        SharePoint("L1 kännedom", 0.61, 0.55, 0.67),
        SharePoint("L2 förståelse", 0.44, 0.37, 0.51),
        SharePoint("L3 acceptans", 0.38, 0.31, 0.45),
        SharePoint.hidden("L4 handling", "för få svar"),
    ]


def organisations():
    return [
        SharePoint("Region Västernorrland", 0.58, 0.50, 0.66),
        SharePoint("Härnösands kommun", 0.47, 0.33, 0.61),
        SharePoint.hidden("Kramfors kommun", ""),
        SharePoint("Ånge kommun", 0.71, 0.55, 0.83),
    ]


def channels():
    return [
        SharePoint("Intranätet", 0.64, 0.58, 0.70),
        SharePoint("LinkedIn", 0.12, 0.08, 0.17),
        SharePoint.hidden("Dialogmöte", "för få svar"),
    ]


def svg_root(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def svg_texts(data: bytes) -> list[str]:
    return ["".join(element.itertext()) for element in svg_root(data).iter(f"{SVG}text")]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def trend() -> Chart:
    return trend_chart("Kommunala chefer som känner till färdplanen", waves(), 0.70)


@pytest.fixture(scope="module")
def trend_svg(trend, tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("charts") / "trend.svg"
    path.write_bytes(render(trend, "svg"))
    return path.read_bytes()


# --- Formatting -------------------------------------------------------------------------------------------------


def test_a_share_is_written_as_whole_percent_with_a_no_break_space_in_swedish():
    assert format_share(0.42) == f"42{NBSP}%"
    assert format_share(0.0) == f"0{NBSP}%"
    assert format_share(1.0) == f"100{NBSP}%"


def test_a_share_exactly_between_two_percents_rounds_up_not_to_even():
    assert format_share(0.425) == f"43{NBSP}%"  # Babel alone gives 42 (half-even)
    assert format_share(0.415) == f"42{NBSP}%"
    assert format_share(0.445) == f"45{NBSP}%"
    assert format_share(0.4249) == f"42{NBSP}%"


def test_a_share_with_decimals_uses_the_decimal_comma_and_rounds_half_up():
    assert format_share(0.4251, 1) == f"42,5{NBSP}%"
    assert format_share(0.42449, 1) == f"42,4{NBSP}%"
    assert format_share(0.12345, 2) == f"12,35{NBSP}%"


def test_a_tiny_negative_share_is_never_written_as_minus_zero():
    assert format_share(-0.001) == f"0{NBSP}%"


def test_an_interval_is_written_with_an_en_dash_and_the_unit_once():
    assert format_span(0.35, 0.49) == f"35–49{NBSP}%"
    assert format_span(0.0215, 0.1) == f"2–10{NBSP}%"
    assert format_span(0.355, 0.4951, 1) == f"35,5–49,5{NBSP}%"


def test_counts_and_months_follow_the_swedish_locale():
    assert format_count(12345) == f"12{NBSP}345"
    assert format_month(date(2026, 3, 5)) == "mars 2026"


def test_english_uses_british_formatting_from_babel():
    with using_locale("en"):
        assert format_share(0.42) == "42%"
        assert format_share(0.425) == "43%"
        assert format_share(0.4251, 1) == "42.5%"
        assert format_span(0.35, 0.49) == "35–49%"
        assert format_count(12345) == "12,345"
        assert format_month(date(2026, 3, 5)) == "March 2026"


# --- Inputs -----------------------------------------------------------------------------------------------------


def test_a_point_can_be_made_from_a_share_and_its_interval():
    point = SharePoint.measured("Mätomgång 1", 0.42, Interval(0.35, 0.49))
    assert (point.share, point.low, point.high, point.shown) == (0.42, 0.35, 0.49, True)
    assert not SharePoint.hidden("Mätomgång 2", "för få svar").shown


@pytest.mark.parametrize(
    "arguments",
    [
        ("x", 1.5, None, None),
        ("x", 0.5, 0.6, 0.4),
        ("x", 0.5, 0.4, None),
        ("x", float("nan"), None, None),
    ],
)
def test_an_impossible_point_is_refused(arguments):
    with pytest.raises(ValueError):
        SharePoint(*arguments)


def test_labels_lose_control_characters_and_line_breaks():
    point = SharePoint("Mät\x00omgång\n 1", 0.5)
    assert point.label == "Mätomgång 1"


# --- Trend chart ------------------------------------------------------------------------------------------------


def test_the_trend_chart_svg_is_valid_xml_with_real_swedish_text(trend_svg):
    texts = svg_texts(trend_svg)
    assert f"40{NBSP}%" in texts and f"100{NBSP}%" in texts  # y axis ticks
    assert f"Mål 70{NBSP}%" in texts
    assert "Mätomgång 1" in texts
    assert f"42{NBSP}%" in texts and f"61{NBSP}%" in texts  # direct labels


def test_a_hidden_wave_is_marked_with_its_note_in_the_trend_chart(trend_svg):
    assert "för få svar" in svg_texts(trend_svg)


def test_the_svg_carries_the_description_as_its_accessible_name(trend, trend_svg):
    root = svg_root(trend_svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == trend.description
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == trend.description
    assert next(iter(root)) is title  # the first child, where assistive technology looks


def test_the_trend_description_gives_the_values_and_which_wave_is_not_shown_but_judges_nothing(trend):
    # Whether the share rose or the goal is met is the verdict's to say (one judgement for both).
    assert trend.description == (
        "Linjediagram: Kommunala chefer som känner till färdplanen. "
        f"Andel per mätomgång: Mätomgång 1 42{NBSP}%; Mätomgång 3 61{NBSP}%. "
        f"Målet är 70{NBSP}%. "
        "Mätomgång 2 visas inte: för få svar."
    )


@pytest.mark.parametrize("word", ["ökade", "minskade", "ökat", "minskat", "säkerställd", "uppnått"])
def test_the_trend_description_makes_no_claim_of_its_own(word):
    points = [SharePoint("Våren", 0.28, 0.2, 0.37), SharePoint("Hösten", 0.46, 0.37, 0.56)]
    assert word not in trend_chart("Chefer", points, 0.7).description


def test_the_trend_description_carries_the_verdict_it_is_given():
    points = [SharePoint("Våren", 0.28, 0.2, 0.37), SharePoint("Hösten", 0.46, 0.37, 0.56)]
    verdict = (f"Skillnaden mellan 28{NBSP}% och 46{NBSP}% kan bero på slumpen.",)
    description = trend_chart("Chefer", points, 0.7, verdict=verdict).description
    assert description.endswith(verdict[0])


def test_a_preliminary_wave_is_labelled_in_the_trend_chart_its_text_and_its_table():
    points = [SharePoint("Våren", 0.61, 0.55, 0.67), SharePoint("Hösten", 0.48, 0.42, 0.54, preliminary=True)]
    chart = trend_chart("Chefer", points, None)
    assert "Hösten är preliminär: mätomgången pågår och alla svar har inte kommit in." in chart.description
    assert chart.table[2][3] == "preliminär"
    texts = svg_texts(render(chart, "svg"))
    assert "(preliminär)" in texts  # under the wave's label
    assert "Preliminär" in texts  # the legend


def test_a_chart_of_one_preliminary_wave_says_so_in_its_title():
    steps = [SharePoint("L1 Kännedom", 0.7, 0.6, 0.8, preliminary=True)]
    chart = ladder_chart("Effekttrappan", steps)
    assert chart.title == "Effekttrappan (preliminärt)"
    assert "Siffrorna är preliminära" in chart.description


def test_the_trend_description_of_one_wave_gives_its_value():
    points = [SharePoint("Omgång 1", 0.80, 0.74, 0.85)]
    description = trend_chart("Chefer", points, 0.7).description
    assert f"Andelen var 80{NBSP}% i Omgång 1." in description


def test_the_trend_description_groups_hidden_waves_by_their_reason():
    points = [
        SharePoint.hidden("Omgång 1", "för få svar"),
        SharePoint.hidden("Omgång 2", "för få svar"),
        SharePoint.hidden("Omgång 3", "inte mätt"),
    ]
    description = trend_chart("Chefer", points, 0.7).description
    assert "Ingen mätomgång kan redovisas." in description
    assert "Omgång 1 och Omgång 2 visas inte: för få svar." in description
    assert "Omgång 3 visas inte: inte mätt." in description


def test_the_trend_table_has_swedish_values_and_the_note_for_a_hidden_wave(trend):
    assert trend.table == (
        ("Mätomgång", "Andel", "Osäkerhetsintervall", "Kommentar"),
        ("Mätomgång 1", f"42{NBSP}%", f"35–49{NBSP}%", ""),
        ("Mätomgång 2", "", "", "för få svar"),
        ("Mätomgång 3", f"61{NBSP}%", f"55–67{NBSP}%", ""),
    )


def test_the_trend_axis_uses_the_true_minus_sign(trend):
    formatter = trend.figure.axes[0].yaxis.get_major_formatter()
    assert formatter(-0.05, 0) == f"{MINUS}5{NBSP}%"
    assert formatter(0.4, 0) == f"40{NBSP}%"


def test_the_trend_chart_in_english_formats_numbers_the_british_way(tmp_path):
    with using_locale("en"):
        chart = trend_chart("Managers", waves(), 0.7)
    path = tmp_path / "trend-en.svg"
    path.write_bytes(render(chart, "svg"))  # rendered outside the locale: the chart keeps its own
    texts = svg_texts(path.read_bytes())
    assert "40%" in texts and "42%" in texts
    assert chart.table[1][1:3] == ("42%", "35–49%")


def test_no_text_in_any_chart_is_smaller_than_10_points(trend):
    built = [
        trend,
        ladder_chart("Trappan", steps()),
        breakdown_chart("Per organisation", organisations(), 0.55),
        recall_chart("Kanaler", channels(), {"Intranätet": 12345}),
    ]
    for chart in built:
        sizes = [t.get_fontsize() for t in chart.figure.findobj(Text) if t.get_text().strip()]
        assert sizes and min(sizes) >= 10, chart.title


# --- Other charts -----------------------------------------------------------------------------------------------


def test_the_ladder_chart_shows_each_step_with_its_share_and_the_hidden_step_as_text(tmp_path):
    chart = ladder_chart("Effekttrappan, mätomgång 3", steps())
    path = tmp_path / "ladder.svg"
    path.write_bytes(render(chart, "svg"))
    texts = svg_texts(path.read_bytes())
    assert {"L1 kännedom", "L4 handling", f"61{NBSP}%", f"38{NBSP}%", "för få svar"} <= set(texts)
    assert chart.description == (
        "Stapeldiagram: Effekttrappan, mätomgång 3. "
        f"Andel per steg: L1 kännedom 61{NBSP}%; L2 förståelse 44{NBSP}%; L3 acceptans 38{NBSP}%. "
        "L4 handling visas inte: för få svar."
    )
    assert chart.table[0] == ("Steg", "Andel", "Osäkerhetsintervall", "Kommentar")
    assert chart.table[4] == ("L4 handling", "", "", "för få svar")


def test_the_breakdown_chart_keeps_a_row_for_a_hidden_organisation_and_draws_the_overall_share(tmp_path):
    chart = breakdown_chart("Per organisation", organisations(), SharePoint("Alla", 0.55, 0.50, 0.60))
    path = tmp_path / "breakdown.svg"
    path.write_bytes(render(chart, "svg"))
    texts = svg_texts(path.read_bytes())
    assert "Kramfors kommun" in texts
    assert "för få svar för att redovisa" in texts
    assert f"Alla 55{NBSP}%" in texts
    labels = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    assert labels == ["Region Västernorrland", "Härnösands kommun", "Kramfors kommun", "Ånge kommun"]
    assert chart.table[3] == ("Kramfors kommun", "", "", "för få svar för att redovisa")
    assert chart.table[-1] == ("Alla organisationer", f"55{NBSP}%", f"50–60{NBSP}%", "")
    assert (
        f"Andelen per organisation är lägst i Härnösands kommun, 47{NBSP}%, och högst i Ånge kommun, 71{NBSP}%."
        in chart.description
    )
    assert "Kramfors kommun visas inte: för få svar för att redovisa." in chart.description


def test_the_recall_chart_prints_reach_beside_the_bars_and_not_on_the_percentage_axis(tmp_path):
    chart = recall_chart(
        "Vilka kanaler minns cheferna?", channels(), {"Intranätet": 12345, "LinkedIn": 48200}
    )
    path = tmp_path / "recall.svg"
    path.write_bytes(render(chart, "svg"))
    texts = svg_texts(path.read_bytes())
    assert f"12{NBSP}345" in texts and f"48{NBSP}200" in texts
    assert "Räckvidd" in texts and "(visningar)" in texts  # the heading, wrapped over two lines
    percent_axis, reach_column = chart.figure.axes
    assert percent_axis.get_xlim() == (0.0, 1.0)
    assert not reach_column.axison  # reach is text in its own column, never a scale
    assert chart.table[0][-1] == "Räckvidd (visningar)"
    assert chart.table[1][-1] == f"12{NBSP}345"
    assert chart.table[3][-1] == "–"
    assert chart.description.startswith(
        f"Stapeldiagram: Vilka kanaler minns cheferna? Flest minns Intranätet, 64{NBSP}%, och färst LinkedIn, 12{NBSP}%."
    )
    assert "inte vilken effekt det fick" in chart.description


def test_the_recall_chart_without_reach_has_only_the_percentage_axis():
    chart = recall_chart("Kanaler", channels(), None)
    assert len(chart.figure.axes) == 1
    assert len(chart.table[0]) == 4


# --- Hostile text -----------------------------------------------------------------------------------------------


def test_a_hostile_title_appears_only_escaped_in_the_svg(tmp_path):
    hostile = "<script>alert(1)</script>"
    chart = trend_chart(hostile, [SharePoint('Omgång "1" & <2>', 0.5, 0.4, 0.6)], 0.7)
    path = tmp_path / "hostile.svg"
    path.write_bytes(render(chart, "svg"))
    data = path.read_bytes()
    assert b"<script" not in data
    assert b"&lt;script&gt;" in data
    root = svg_root(data)  # still well-formed
    assert hostile in root.find(f"{SVG}title").text
    assert not list(root.iter(f"{SVG}script"))
    assert 'Omgång "1" & <2>' in svg_texts(data)


def test_dollar_signs_in_labels_are_shown_literally_not_as_mathtext(tmp_path):
    chart = ladder_chart("Kostnad $5 och $6", [SharePoint("$x$ steg", 0.5, 0.4, 0.6)])
    data = render(chart, "svg")
    texts = svg_texts(data)
    assert "$x$ steg" in texts
    assert any("Kostnad $5 och $6" in t for t in texts)


# --- Files ------------------------------------------------------------------------------------------------------


def test_png_has_the_signature_and_the_size_of_the_figure_at_the_asked_resolution(trend, tmp_path):
    path = tmp_path / "trend.png"
    path.write_bytes(render(trend, "png"))
    assert png_size(path.read_bytes()) == (1050, 600)  # 7 × 4 inches at 150 dpi
    assert png_size(render(trend, "png", dpi=100)) == (700, 400)


def test_pdf_embeds_truetype_fonts_not_type3(trend, tmp_path):
    path = tmp_path / "trend.pdf"
    path.write_bytes(render(trend, "pdf"))
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data
    assert b"/Type3" not in data


def test_svg_keeps_real_text_even_when_someone_changed_the_global_settings(trend):
    with matplotlib.rc_context({"svg.fonttype": "path"}):
        data = render(trend, "svg")
    assert f"40{NBSP}%" in svg_texts(data)


def test_the_same_chart_renders_to_the_same_svg_bytes(trend):
    assert render(trend, "svg") == render(trend, "svg")


def test_an_unknown_format_is_refused(trend):
    with pytest.raises(ValueError, match="svg, png or pdf"):
        render(trend, "gif")  # type: ignore[arg-type]


def test_a_built_chart_survives_pickling_and_renders_the_same_svg(trend):
    # A worker process builds charts and sends them back: nothing in a figure may be a closure.
    copy = pickle.loads(pickle.dumps(trend))
    assert render(copy, "svg") == render(trend, "svg")
    assert copy.description == trend.description and copy.table == trend.table


# --- Recipes ----------------------------------------------------------------------------------------------------


many_steps = [SharePoint(f"Steg {i}", 0.1 * i, 0.1 * i - 0.05, 0.1 * i + 0.05) for i in range(1, 8)]


@pytest.mark.parametrize(
    ("builder", "args", "kwargs"),
    [
        (trend_chart, ("Chefer", waves(), 0.7), {}),
        (ladder_chart, ("Trappan", steps()), {}),
        (ladder_chart, ("Lång trappa", many_steps), {"confidence": 0.9}),
        (breakdown_chart, ("Per organisation", organisations(), 0.55), {}),
        (recall_chart, ("Kanaler", channels(), {"Intranätet": 1200}), {"reach_label": "Visningar"}),
    ],
)
def test_a_recipe_builds_the_same_chart_as_its_builder_and_knows_its_size_beforehand(builder, args, kwargs):
    made = charts.recipe(builder, *args, **kwargs)
    copy = pickle.loads(pickle.dumps(made))
    built, direct = copy(), builder(*args, **kwargs)
    assert render(built, "svg") == render(direct, "svg")
    assert built.description == direct.description and built.table == direct.table
    assert made.size == tuple(float(v) for v in direct.figure.get_size_inches())


def test_a_recipe_is_only_made_from_a_chart_builder():
    with pytest.raises(ValueError, match="chart builders"):
        charts.recipe(render, "x")


def test_a_recipe_builds_in_the_locale_it_is_called_in():
    made = charts.recipe(trend_chart, "Chefer", waves(), 0.7)
    with using_locale("en"):
        english = made()
    assert english.table[1][1] == "42%"
    assert made().table[1][1] == f"42{NBSP}%"


# --- Cache ------------------------------------------------------------------------------------------------------


@pytest.fixture()
def empty_cache():
    charts.clear_render_cache()
    yield
    charts.clear_render_cache()


def counted_build():
    calls = []

    def build() -> Chart:
        calls.append(1)
        return ladder_chart("Trappan", steps()[:2])

    return build, calls


def test_a_cached_chart_is_built_once_and_returns_the_same_bytes(empty_cache):
    build, calls = counted_build()
    first = render_cached("plan-1:stamp-7:sv:ladder", build, "svg")
    second = render_cached("plan-1:stamp-7:sv:ladder", build, "svg")
    assert first == second and len(calls) == 1
    render_cached("plan-1:stamp-7:sv:ladder", build, "png")
    render_cached("plan-1:stamp-8:sv:ladder", build, "svg")
    assert len(calls) == 3  # another format or another data stamp is another render


def test_the_cache_forgets_the_least_recently_used_chart_first(empty_cache, monkeypatch):
    monkeypatch.setattr(charts, "CACHE_SIZE", 2)
    build, calls = counted_build()
    render_cached("a", build, "svg")
    render_cached("b", build, "svg")
    render_cached("a", build, "svg")  # a is now the most recent
    render_cached("c", build, "svg")  # b goes
    assert len(calls) == 3
    render_cached("a", build, "svg")
    assert len(calls) == 3
    render_cached("b", build, "svg")
    assert len(calls) == 4


def test_the_cache_gives_every_thread_the_same_bytes(empty_cache):
    build, _calls = counted_build()
    results: list[bytes] = []
    lock = threading.Lock()

    def work() -> None:
        data = render_cached("shared", build, "svg")
        with lock:
            results.append(data)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6 and len(set(results)) == 1


# --- Boundaries -------------------------------------------------------------------------------------------------


def test_importing_the_charts_never_loads_pyplot_or_the_web_layers():
    code = (
        "import sys, analysis.render.charts\n"
        "bad = [m for m in ('matplotlib.pyplot', 'litestar', 'piccolo', 'server', 'surveys') if m in sys.modules]\n"
        "print(bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_a_long_trend_writes_only_the_first_and_last_value_but_tabulates_every_wave():
    points = [SharePoint(f"Omgång {i}", 0.40 + i / 100, 0.30 + i / 100, 0.50 + i / 100) for i in range(1, 9)]
    chart = trend_chart("Chefer", points, None)
    written = {t.get_text() for t in chart.figure.axes[0].texts}
    assert f"41{NBSP}%" in written and f"48{NBSP}%" in written
    assert f"44{NBSP}%" not in written
    assert [row[1] for row in chart.table[1:]] == [f"{40 + i}{NBSP}%" for i in range(1, 9)]
