"""The overview's small trend lines: numbers in words, a gap for a missing wave, a preliminary point that says so."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from analysis.render.matrix import TrendPoint, sparkline_svg

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_the_line_carries_its_numbers_as_a_text_alternative():
    svg = sparkline_svg(
        [TrendPoint("V1", 0.4), TrendPoint("V2", 0.5)], target=0.7, description="V1: 40 %; V2: 50 %"
    )
    root = _parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "V1: 40 %; V2: 50 %"
    assert root.find(f"{SVG}title").text == "V1: 40 %; V2: 50 %"


def test_a_wave_without_a_number_leaves_a_gap_never_a_zero():
    points = [TrendPoint("V1", 0.4), TrendPoint("V2", None), TrendPoint("V3", 0.6)]
    root = _parse(sparkline_svg(points, target=None, description="x", height=28))
    dots = root.findall(f"{SVG}circle")
    assert len(dots) == 2
    segments = [line for line in root.findall(f"{SVG}line") if line.get("stroke-dasharray") != "1 2"]
    assert segments == []  # no line through the missing wave
    assert all(float(d.get("cy")) < 25 for d in dots)  # nothing drawn at the bottom as if it were 0 %


def test_a_preliminary_point_is_hollow_on_a_dashed_segment():
    points = [TrendPoint("V1", 0.4), TrendPoint("V2 (preliminärt)", 0.5, preliminary=True)]
    root = _parse(sparkline_svg(points, target=None, description="x"))
    first, second = root.findall(f"{SVG}circle")
    assert first.get("fill") != "#fff" and second.get("fill") == "#fff"
    (segment,) = root.findall(f"{SVG}line")
    assert segment.get("stroke-dasharray")


def test_the_target_is_a_dotted_line_at_its_height_on_a_0_to_100_scale():
    root = _parse(sparkline_svg([TrendPoint("V1", 0.5)], target=0.75, description="x", height=28))
    (target,) = [line for line in root.findall(f"{SVG}line") if line.get("stroke-dasharray") == "1 2"]
    assert float(target.get("y1")) == 3 + 0.25 * 22


def test_text_from_the_plan_is_escaped():
    svg = sparkline_svg([TrendPoint("<b>", 0.5)], target=None, description='"<script>" & co')
    assert "<script>" not in svg and _parse(svg).get("aria-label") == '"<script>" & co'
