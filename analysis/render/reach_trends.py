"""Reach over time: imported figures per month (or per imported period when coarser), as a chart and a table.

Reach (L0) is an output: how many times something was shown, never an effect, so the chart has its own count
axis and never shares one with the survey's shares. The rules:

- A figure whose period lies inside one calendar month counts for that month (several are added up).
- A figure for a longer period (LinkedIn's half-year export, say) is not split into invented months: the
  table shows it once, for its own period, and the chart draws it as a flat segment over its months at its
  average per month, said so in the legend and the text alternative.
- A month without any figure is *missing*: a gap in the line and "saknas" in the table, never a zero.

The SVG is drawn by hand, not by matplotlib: a line chart with a count axis needs nothing more, and it costs
microseconds instead of the hundreds of milliseconds a matplotlib figure does. Each series has its own
marker shape and dash pattern besides its colour (Okabe–Ito), the legend sits below the plot one entry a line
(labels never overlap, whatever their length), and month labels thin out when there are many.
"""

from __future__ import annotations

import math
import textwrap
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from analysis.render.formatting import format_count, format_month
from analysis.render.report import ReachLines
from locales import babel_locale
from locales import gettext as _

__all__ = [
    "MonthValue",
    "ReachChart",
    "ReachEntry",
    "ReachSeries",
    "WaveMark",
    "month_axis",
    "monthly_series",
    "reach_chart",
]

MAX_MONTHS = 48  # four years on one axis; older figures stay in the API and the import list
_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#999933")
_DASHES = ("", "6 3", "2 2", "8 3 2 3", "1 3", "10 4")
_MARKERS = ("circle", "square", "triangle", "diamond", "cross", "circle-open")


@dataclass(frozen=True)
class ReachEntry:
    """One imported figure: a series (a channel or an activity), a metric, a period and a value."""

    series: str  # the series' key (channel or activity code)
    label: str  # the series' name as the reader knows it
    metric: str
    start: date
    end: date
    value: int


@dataclass(frozen=True)
class MonthValue:
    """A series in one month: its own figure, the longer imported periods that cover it, or missing."""

    value: int | None  # the month's own figure (the sum of the figures that fall in it)
    periods: tuple[tuple[date, date, int], ...] = ()  # longer imported periods that cover this month
    starts: tuple[
        tuple[date, date, int], ...
    ] = ()  # those of them that begin here (the table shows them here)

    @property
    def missing(self) -> bool:
        return self.value is None and not self.periods


@dataclass(frozen=True)
class ReachSeries:
    key: str
    label: str
    metric: str
    months: tuple[MonthValue, ...]  # aligned with the axis from `month_axis`


@dataclass(frozen=True)
class WaveMark:
    """A survey wave on the time axis, so reach can be read beside what the wave measured."""

    label: str
    opens: date
    closes: date
    preliminary: bool = False


@dataclass(frozen=True)
class ReachChart:
    """A chart ready for a page, a document or a slide: SVG, its text alternative and its data table."""

    title: str
    svg: str
    description: str
    table: tuple[tuple[str, ...], ...]  # header row first
    lines: ReachLines | None = None  # the numbers, for a presentation's native chart


def _first(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def month_axis(entries: Sequence[ReachEntry], waves: Sequence[WaveMark] = ()) -> tuple[date, ...]:
    """Every month from the first figure or wave to the last, at most MAX_MONTHS (the latest kept)."""
    days = [e.start for e in entries] + [e.end for e in entries]
    days += [w.opens for w in waves] + [w.closes for w in waves]
    if not days:
        return ()
    month, last = _first(min(days)), _first(max(days))
    months = []
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return tuple(months[-MAX_MONTHS:])


def _own_month(start: date, end: date) -> date | None:
    """The month a figure counts for, when it is a month's figure: inside one calendar month, or at most 31
    days long (exports often run from the last day of one month to the last of the next); else None."""
    if _first(start) == _first(end):
        return _first(start)
    if (end - start).days <= 31:
        return _first(start + (end - start) / 2)
    return None


def monthly_series(
    entries: Sequence[ReachEntry], months: Sequence[date], metric: str
) -> tuple[ReachSeries, ...]:
    """One series per key for ``metric``, month by month along ``months``, in the order keys first appear."""
    index = {month: i for i, month in enumerate(months)}
    own: dict[str, dict[int, int]] = defaultdict(dict)
    longer: dict[str, list[tuple[date, date, int]]] = defaultdict(list)
    labels: dict[str, str] = {}
    for entry in entries:
        if entry.metric != metric:
            continue
        labels.setdefault(entry.series, entry.label)
        month = _own_month(entry.start, entry.end)
        if month is None:
            longer[entry.series].append((entry.start, entry.end, entry.value))
        elif month in index:
            position = index[month]
            own[entry.series][position] = own[entry.series].get(position, 0) + entry.value
    series = []
    for key, label in labels.items():
        periods = sorted(longer[key])
        values = []
        for position, month in enumerate(months):
            covering = tuple(p for p in periods if _first(p[0]) <= month <= _first(p[1]))
            starts = tuple(p for p in covering if _first(p[0]) == month or (position == 0 and p[0] < month))
            values.append(MonthValue(own[key].get(position), covering, starts))
        series.append(ReachSeries(key, label, metric, tuple(values)))
    return tuple(series)


@lru_cache(maxsize=512)
def _month_name(month: date, locale: str) -> str:
    return format_month(month, locale=locale)


def _month(month: date) -> str:
    """ "mars 2026": cached, since a chart names each month several times and Babel is slow at it."""
    return _month_name(month, babel_locale())


def _short_label(month: date) -> str:
    return _month(month).split(" ")[0][:3]


def _nice_top(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 3.2:.1f}" y="{y - 3.2:.1f}" width="6.4" height="6.4" fill="{colour}"/>'
    if kind == "triangle":
        return f'<path d="M{x:.1f} {y - 4.2:.1f}L{x + 4:.1f} {y + 3:.1f}L{x - 4:.1f} {y + 3:.1f}Z" fill="{colour}"/>'
    if kind == "diamond":
        return (
            f'<path d="M{x:.1f} {y - 4.5:.1f}L{x + 4:.1f} {y:.1f}L{x:.1f} {y + 4.5:.1f}L{x - 4:.1f} {y:.1f}Z" '
            f'fill="{colour}"/>'
        )
    if kind == "cross":
        return (
            f'<path d="M{x - 3.5:.1f} {y - 3.5:.1f}L{x + 3.5:.1f} {y + 3.5:.1f}M{x - 3.5:.1f} {y + 3.5:.1f}'
            f'L{x + 3.5:.1f} {y - 3.5:.1f}" stroke="{colour}" stroke-width="2"/>'
        )
    if kind == "circle-open":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#fff" stroke="{colour}" stroke-width="2"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'


def _period_text(period: tuple[date, date, int]) -> str:
    start, end, value = period
    return _("%(value)s under %(start)s–%(end)s") % {
        "value": format_count(value),
        "start": _month(_first(start)),
        "end": _month(_first(end)),
    }


def _per_month(period: tuple[date, date, int]) -> float:
    start, end, value = period
    return value / _months_between(start, end)


def _wrapped(text: str, characters: int) -> list[str]:
    return textwrap.wrap(text, characters, break_long_words=True) or [""]


def reach_chart(
    title: str,
    months: Sequence[date],
    series: Sequence[ReachSeries],
    *,
    metric_label: str,
    waves: Sequence[WaveMark] = (),
    width: int = 720,
) -> ReachChart:
    """A line chart of ``series`` over ``months`` with the waves marked; its text alternative and table.

    The function the pages and the meeting pack call: ``months`` from :func:`month_axis`, ``series`` from
    :func:`monthly_series` (one metric per chart: views and clicks are not the same unit)."""
    left, right, top, plot_h = 72, 16, 30, 200
    plot_w = width - left - right
    count = max(len(months), 1)
    step = plot_w / count
    # The legend: below the plot, one entry a line, wrapped to the chart's width, so no label ever lies on
    # another or runs outside the picture.
    per_line = max(20, int((width - left - 40) / 6.6))
    legend = [(_wrapped(item.label, per_line)) for item in series]
    has_periods = any(m.periods for item in series for m in item.months)
    notes = []
    if has_periods:
        notes.append(_("Tjock blek linje: en längre period, i snitt per månad."))
    if waves:
        notes.append(_("Skuggat och numrerat: mätomgångarna."))
    legend_top = top + plot_h + 46
    height = legend_top + 18 * (sum(len(lines) for lines in legend) + len(notes)) + 6

    def x_of(position: float) -> float:
        return left + step * (position + 0.5)

    heights = [float(m.value) for item in series for m in item.months if m.value is not None]
    heights += [_per_month(p) for item in series for m in item.months for p in m.starts]
    top_value = _nice_top(max(heights, default=0.0))

    def y_of(value: float) -> float:
        return top + plot_h - value / top_value * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label={quoteattr(title)} class="reach-chart" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="12" fill="#4a4a4a">{escape(metric_label)}</text>',
    ]
    # Waves: a light band over the weeks a survey was open, numbered above the plot; a number that would
    # touch another moves up a line rather than lying on it.
    placed: list[tuple[float, int]] = []
    origin = months[0] if months else None
    for number, wave in enumerate(waves, start=1):
        if origin is None:
            break
        start = _months_between(origin, wave.opens) - 1 + (wave.opens.day - 1) / 31
        end = _months_between(origin, wave.closes) - 1 + wave.closes.day / 31
        if end < 0 or start > count:
            continue
        x1, x2 = left + max(start, 0) * step, left + min(end, count) * step
        outline = ' stroke="#7a4d00" stroke-dasharray="3 2"' if wave.preliminary else ""
        parts.append(
            f'<rect x="{x1:.1f}" y="{top}" width="{max(x2 - x1, 2):.1f}" height="{plot_h}" fill="#e8eef2"{outline}/>'
        )
        centre = (x1 + x2) / 2
        line = 0
        while any(abs(centre - other) < 14 and level == line for other, level in placed):
            line += 1
        placed.append((centre, line))
        parts.append(
            f'<text x="{centre:.1f}" y="{top + 14 + line * 13}" text-anchor="middle" fill="#1b1b1b" '
            f'font-weight="bold">{number}</text>'
        )
    for tick in range(5):
        value = top_value * tick / 4
        y = y_of(value)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d0d0"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1b1b1b">'
            f"{escape(format_count(round(value)))}</text>"
        )
    every = max(1, math.ceil(64 / step)) if months else 1  # month labels about 64 px apart at least
    for position, month in enumerate(months):
        if position % every == 0:
            parts.append(
                f'<text x="{x_of(position):.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#1b1b1b">'
                f"{escape(_short_label(month))}</text>"
            )
        if position == 0 or month.month == 1:
            parts.append(
                f'<text x="{x_of(position):.1f}" y="{top + plot_h + 31}" text-anchor="middle" fill="#4a4a4a">'
                f"{month.year}</text>"
            )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#1b1b1b"/>'
    )
    line_y = legend_top
    for number, item in enumerate(series):
        colour = _COLOURS[number % len(_COLOURS)]
        dash = _DASHES[number % len(_DASHES)]
        marker = _MARKERS[number % len(_MARKERS)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for position, month in enumerate(item.months):
            for period in month.starts:
                # A longer period: one flat, pale, thick bar over its months at its average per month.
                last = position + _months_between(max(period[0], months[position]), period[1]) - 1
                y = y_of(_per_month(period))
                parts.append(
                    f'<line x1="{left + step * position + 2:.1f}" x2="{left + step * min(last + 1, count) - 2:.1f}" '
                    f'y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" stroke-width="5" stroke-opacity="0.45"/>'
                )
        # Lines only between neighbouring months that both have their own figure: a missing month is a gap.
        for position in range(1, len(item.months)):
            a, b = item.months[position - 1].value, item.months[position].value
            if a is None or b is None:
                continue
            parts.append(
                f'<line x1="{x_of(position - 1):.1f}" y1="{y_of(a):.1f}" x2="{x_of(position):.1f}" '
                f'y2="{y_of(b):.1f}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            )
        for position, month in enumerate(item.months):
            if month.value is not None:
                parts.append(_marker(marker, x_of(position), y_of(float(month.value)), colour))
        parts.append(
            f'<line x1="{left}" x2="{left + 28}" y1="{line_y - 4}" y2="{line_y - 4}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
        )
        parts.append(_marker(marker, left + 14, line_y - 4, colour))
        for text in legend[number]:
            parts.append(f'<text x="{left + 36}" y="{line_y}" fill="#1b1b1b">{escape(text)}</text>')
            line_y += 18
    for note in notes:
        parts.append(f'<text x="{left}" y="{line_y}" fill="#4a4a4a">{escape(note)}</text>')
        line_y += 18
    parts.append("</svg>")
    return ReachChart(
        title,
        "".join(parts),
        _describe(title, months, series, waves),
        _table(months, series, waves),
        _lines(months, series, metric_label),
    )


def _lines(months: Sequence[date], series: Sequence[ReachSeries], metric_label: str) -> ReachLines:
    """The chart's numbers for a native chart: each series' own figures by month (None where missing), and
    each longer period as a series of its own at its average per month, as the drawing shows it."""
    lines: list[tuple[str, tuple[float | None, ...]]] = []
    for item in series:
        if any(m.value is not None for m in item.months):
            lines.append(
                (item.label, tuple(None if m.value is None else float(m.value) for m in item.months))
            )
        periods = sorted({p for m in item.months for p in m.periods})
        for period in periods:
            name = _("%(series)s, %(start)s–%(end)s i snitt per månad") % {
                "series": item.label,
                "start": _month(_first(period[0])),
                "end": _month(_first(period[1])),
            }
            lines.append(
                (
                    name,
                    tuple(round(_per_month(period), 1) if period in m.periods else None for m in item.months),
                )
            )
    return ReachLines(metric_label, tuple(_month(m) for m in months), tuple(lines))


def _describe(
    title: str, months: Sequence[date], series: Sequence[ReachSeries], waves: Sequence[WaveMark]
) -> str:
    if not series:
        return _("%(title)s: inga siffror är inlästa.") % {"title": title}
    sentences = [title + "."]
    for item in series:
        shown = [
            f"{_month(months[i])}: {format_count(m.value)}"
            for i, m in enumerate(item.months)
            if m.value is not None
        ]
        shown += [_period_text(p) for m in item.months for p in m.starts]
        missing = [_month(months[i]) for i, m in enumerate(item.months) if m.missing]
        text = f"{item.label}: {'; '.join(shown) if shown else _('inga siffror')}."
        if missing:
            text += " " + _("Saknas för %(months)s.") % {"months": ", ".join(missing)}
        sentences.append(text)
    if waves:
        sentences.append(
            _("Mätomgångar: %(waves)s.")
            % {"waves": "; ".join(f"{n}. {w.label}" for n, w in enumerate(waves, start=1))}
        )
    return " ".join(sentences)


def _table(
    months: Sequence[date], series: Sequence[ReachSeries], waves: Sequence[WaveMark]
) -> tuple[tuple[str, ...], ...]:
    rows = [(_("Månad"), *(s.label for s in series), _("Mätomgång"))]
    for position, month in enumerate(months):
        cells = []
        for item in series:
            value = item.months[position]
            parts = []
            if value.value is not None:
                parts.append(format_count(value.value))
            parts += [_period_text(p) for p in value.starts]
            if not parts and value.periods:
                parts.append(_("ingår i en längre period ovan"))
            cells.append("; ".join(parts) if parts else _("saknas"))
        running = [
            f"{n}. {w.label}"
            for n, w in enumerate(waves, start=1)
            if _first(w.opens) <= month <= _first(w.closes)
        ]
        rows.append((_month(month), *cells, ", ".join(running)))
    return tuple(rows)
