"""Small trend lines for the overview matrix and the presentation view: inline SVG, drawn without matplotlib.

A page with 14 goals × 4 waves draws 30 or more of these per view, so they are plain strings built in a
few microseconds each (the overview's budget is 50 ms). Each line carries its text alternative in a
``<title>`` and ``aria-label``, so the picture is never the only place a number is.

What a line shows: one dot per wave with a published share, joined where consecutive waves both have one
(a wave without a number leaves a gap, never a zero); a preliminary share (an interim release of an open
wave) is a hollow dot on a dashed segment; the goal's target is a dotted horizontal line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

__all__ = ["TrendPoint", "sparkline_svg"]

# Presentation attributes rather than a stylesheet: the same SVG works inline, in a file and in the pack.
# The line meets 3:1 against white (WCAG 1.4.11); the target and the frame are context, not content.
_LINE = "#00557a"
_TARGET = "#4a4a4a"
_FRAME = "#c8c8c8"


@dataclass(frozen=True)
class TrendPoint:
    label: str  # the wave, as the reader knows it
    share: float | None  # None: not asked, hidden or not yet published
    preliminary: bool = False


def _y(share: float, top: float, height: float) -> float:
    return round(top + (1.0 - min(max(share, 0.0), 1.0)) * height, 1)


def sparkline_svg(
    points: Sequence[TrendPoint],
    *,
    target: float | None,
    description: str,
    width: int = 96,
    height: int = 28,
    css_class: str = "spark",
) -> str:
    """An inline SVG trend line; ``description`` is its text alternative (the numbers in words).

    The y axis is always 0–100 %, so two lines side by side compare honestly."""
    pad = 3.0
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    step = inner_w / (len(points) - 1) if len(points) > 1 else 0.0
    xs = [round(pad + i * step if len(points) > 1 else width / 2, 1) for i in range(len(points))]
    parts = [
        f'<svg class={quoteattr(css_class)} xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label={quoteattr(description)} focusable="false">',
        f"<title>{escape(description)}</title>",
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="none" stroke="{_FRAME}"/>',
    ]
    if target is not None:
        ty = _y(target, pad, inner_h)
        parts.append(
            f'<line x1="{pad}" x2="{width - pad}" y1="{ty}" y2="{ty}" stroke="{_TARGET}" '
            'stroke-width="1" stroke-dasharray="1 2"/>'
        )
    for i in range(1, len(points)):
        a, b = points[i - 1], points[i]
        if a.share is None or b.share is None:
            continue
        dashed = ' stroke-dasharray="3 2"' if a.preliminary or b.preliminary else ""
        parts.append(
            f'<line x1="{xs[i - 1]}" y1="{_y(a.share, pad, inner_h)}" x2="{xs[i]}" '
            f'y2="{_y(b.share, pad, inner_h)}" stroke="{_LINE}" stroke-width="1.6"{dashed}/>'
        )
    for x, point in zip(xs, points, strict=True):
        if point.share is None:
            continue
        fill = "#fff" if point.preliminary else _LINE
        parts.append(
            f'<circle cx="{x}" cy="{_y(point.share, pad, inner_h)}" r="2.6" fill="{fill}" '
            f'stroke="{_LINE}" stroke-width="1.2"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
