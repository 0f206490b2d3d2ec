"""Charts for the leadership: trend, effect ladder, breakdown per organisation and channel recall.

Pure and headless: plain frozen dataclasses in, a :class:`Chart` out (a matplotlib ``Figure``, a generated text
description for screen readers and a data table, WCAG 1.1.1), then bytes from :func:`render`.

Rules kept here:

* The ``Agg`` backend and ``matplotlib.figure.Figure`` directly, never pyplot, so nothing is kept in a global
  figure registry; a figure is freed when the last reference to it goes.
* ``svg.fonttype`` and ``pdf.fonttype`` are read when a figure is *saved*, so :func:`render` wraps ``savefig`` in
  the same ``rc_context`` as the build (and the values are also set once for the process at import). Real
  ``<text>`` in SVG, TrueType fonts in PDF.
* Numbers through Babel in the locale of the current request (``locales.babel_locale()``), captured when the
  chart is built: "42 %" with a no-break space in Swedish, "42%" in British English, ties rounded half up,
  U+2212 for minus on axes. Never ``locale.setlocale`` (process-global, not thread-safe).
* Nothing depends on colour alone: markers, line styles, hatching and direct labels carry the meaning, and the
  palette is Okabe–Ito. Text is 10 pt or larger.
* Text from users (titles, labels, notes) is shown literally: ``$`` never starts mathtext, control characters are
  dropped, and everything written into SVG is XML-escaped.
"""

from __future__ import annotations

import inspect
import io
import math
import re
import textwrap
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

import matplotlib

matplotlib.use("Agg")  # before anything could import pyplot; this module never does

from babel.lists import format_list
from babel.numbers import get_minus_sign_symbol
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, Formatter, MultipleLocator
from matplotlib.transforms import blended_transform_factory

from analysis.render.formatting import (
    format_count,
    format_month,
    format_share,
    format_span,
)
from analysis.stats.estimates import Interval
from locales import babel_locale, ngettext
from locales import gettext as _

__all__ = [
    "Chart",
    "ChartRecipe",
    "Format",
    "SharePoint",
    "breakdown_chart",
    "clear_render_cache",
    "format_count",
    "format_month",
    "format_share",
    "format_span",
    "ladder_chart",
    "recall_chart",
    "recipe",
    "render",
    "render_cached",
    "trend_chart",
]

Format = Literal["svg", "png", "pdf"]

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
SHARE_COLOUR = OKABE_ITO["blue"]  # 5.1:1 against white: enough for graphics (WCAG 1.4.11)
TARGET_COLOUR = OKABE_ITO["vermillion"]
OVERALL_COLOUR = OKABE_ITO["black"]
INK = "#1a1a1a"
MUTED = "#4d4d4d"  # 8.5:1 against white, for notes

TITLE_SIZE = 14
TEXT_SIZE = 11
SMALL_SIZE = 10  # nothing smaller than this

WIDTH = 7.0  # inches: fits an A4 page with margins and a 16:9 slide; 1050 px wide at 150 dpi
HEIGHT = 4.0

RC: dict[str, object] = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: å ä ö, U+00A0 and U+2212 are all in it
    "font.size": TEXT_SIZE,
    "axes.titlesize": TITLE_SIZE,
    "axes.labelsize": TEXT_SIZE,
    "xtick.labelsize": SMALL_SIZE,
    "ytick.labelsize": TEXT_SIZE,
    "legend.fontsize": SMALL_SIZE,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.grid": False,
    "grid.color": "#b3b3b3",
    "grid.linewidth": 0.6,
    "axes.unicode_minus": True,
    "axes.formatter.use_locale": False,
    "svg.fonttype": "none",  # real <text>: selectable, searchable, smaller
    "svg.hashsalt": "effekt",  # stable element ids, so the same chart gives the same bytes
    "pdf.fonttype": 42,  # TrueType, not Type 3
    "text.usetex": False,
}
matplotlib.rcParams.update(RC)

CACHE_SIZE = 128
CROWDED = 6  # more waves than this: slanted wave labels, and only the first and last value written out


# ---------------------------------------------------------------------------------------------------------------
# Formatting (shared helpers live in analysis.render.formatting)


class _PercentFormatter(Formatter):
    """Axis values as shares in the chart's locale ("40 %"), with U+2212 for minus.

    A class rather than a closure, so that a built figure can be pickled (sent to or from a worker process).
    """

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.minus = get_minus_sign_symbol(locale)

    def __call__(self, value: float, pos: object = None) -> str:
        return _axis_share(float(value), self.locale, self.minus)


@lru_cache(maxsize=512)
def _axis_share(value: float, locale: str, minus: str) -> str:
    # Laying a chart out formats the same few tick values many times over; Babel is not quick about it.
    return format_share(value, locale=locale).replace("-", minus)


class _LabelFormatter(Formatter):
    """Category labels at the whole-number positions 0, 1, 2 …; nothing anywhere else (picklable)."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.labels = tuple(labels)

    def __call__(self, value: float, pos: object = None) -> str:
        index = int(value)
        return self.labels[index] if value == index and 0 <= index < len(self.labels) else ""


def _axis_percent(locale: str) -> Formatter:
    return _PercentFormatter(locale)


# ---------------------------------------------------------------------------------------------------------------
# Input and output


def _clean(text: str) -> str:
    """Text from users on one line, without control characters (invalid in XML)."""
    kept = "".join(c for c in str(text) if c in "\n\t" or unicodedata.category(c) != "Cc")
    # Line breaks are the chart's business (wrapping); no-break spaces ("42 %") are kept.
    return re.sub(r"[ \t\n\u2028\u2029]+", " ", kept).strip()


def _plain(text: str) -> str:
    """Text for a matplotlib label that is shown literally: a "$" never starts mathtext."""
    return text.replace("$", r"\$")


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) or text


def _check_share(value: float | None, name: str) -> float | None:
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value) or not -1e-9 <= value <= 1 + 1e-9:
        raise ValueError(f"{name} must be a share between 0 and 1, got {value!r}.")
    return min(max(value, 0.0), 1.0)


@dataclass(frozen=True)
class SharePoint:
    """One bar, dot or wave: a share with its interval, or nothing shown and a note saying why.

    ``share`` None means the value is not shown (hidden by disclosure control, or not measured); ``note`` then
    says why in plain words ("för få svar"). A shown point may carry a note too; it goes into the table.
    ``preliminary`` marks a value from an interim release of an open wave: drawn hollow, labelled and said so.
    """

    label: str
    share: float | None
    low: float | None = None
    high: float | None = None
    note: str = ""
    preliminary: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", _clean(self.label))
        object.__setattr__(self, "note", _clean(self.note))
        for name in ("share", "low", "high"):
            object.__setattr__(self, name, _check_share(getattr(self, name), name))
        if (self.low is None) != (self.high is None):
            raise ValueError("An interval needs both its low and its high end.")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("The interval's low end is above its high end.")

    @classmethod
    def measured(
        cls,
        label: str,
        share: float,
        interval: Interval | None = None,
        note: str = "",
        *,
        preliminary: bool = False,
    ) -> SharePoint:
        """A shown share, e.g. from a ``ShareEstimate``: ``SharePoint.measured(w, e.share, e.interval)``."""
        if interval is None:
            return cls(label, share, note=note, preliminary=preliminary)
        return cls(label, share, interval.low, interval.high, note, preliminary)

    @classmethod
    def hidden(cls, label: str, note: str) -> SharePoint:
        """A value that is not shown, with the reason in plain words."""
        return cls(label, None, note=note)

    @property
    def shown(self) -> bool:
        return self.share is not None

    @property
    def has_interval(self) -> bool:
        return self.low is not None and self.high is not None


@dataclass(frozen=True)
class Chart:
    """A built chart: the figure, its text alternative and its data table (header row first)."""

    title: str
    figure: Figure
    description: str
    table: tuple[tuple[str, ...], ...]


# ---------------------------------------------------------------------------------------------------------------
# Shared pieces


@contextmanager
def _style() -> Iterator[None]:
    # rcParams are process-global; the module sets the same values at import, so concurrent renders restore
    # identical values and never see each other's settings.
    with matplotlib.rc_context(RC):
        yield


def _figure(height: float = HEIGHT, width: float = WIDTH) -> Figure:
    return Figure(figsize=(width, height), layout="constrained", facecolor="white")


def _settle(figure: Figure) -> None:
    """Lay the figure out now and freeze it: every render then gives the same bytes, and renders are faster.

    Constrained layout starts from the previous positions, so it would move things by tiny amounts on every
    draw; after this one pass it is switched off. Only the layout runs, not a whole draw (which would lay out
    and then draw into nothing): that is a third of the time it takes to build a chart, for the same result.
    """
    with _style():  # ticks and their labels are made while the layout measures them, from rcParams
        figure.get_layout_engine().execute(figure)
    figure.set_layout_engine("none")


def _suptitle(figure: Figure, title: str) -> None:
    figure.suptitle(
        _plain(_wrap(title, 56)), x=0.01, ha="left", fontsize=TITLE_SIZE, fontweight="bold", color=INK
    )


def _percent_axis(axis, locale: str) -> None:
    axis.set_major_locator(MultipleLocator(0.2))
    axis.set_minor_locator(MultipleLocator(0.1))
    axis.set_major_formatter(_axis_percent(locale))


def _note(point: SharePoint, default: str) -> str:
    return point.note or default


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _hidden_sentences(points: Sequence[SharePoint], locale: str, default: str) -> list[str]:
    """'Mätomgång 2 visas inte: för få svar.' — one sentence per reason, labels in a list."""
    by_note: dict[str, list[str]] = {}
    for point in points:
        if not point.shown:
            by_note.setdefault(_note(point, default).rstrip("."), []).append(point.label)
    sentences = []
    for note, labels in by_note.items():
        sentences.append(
            ngettext("%(labels)s visas inte: %(note)s.", "%(labels)s visas inte: %(note)s.", len(labels))
            % {"labels": format_list(labels, locale=locale), "note": note}
        )
    return sentences


def _share_table(
    first_header: str, points: Sequence[SharePoint], locale: str, default_note: str
) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [(first_header, _("Andel"), _("Osäkerhetsintervall"), _("Kommentar"))]
    for p in points:
        if p.share is None:
            rows.append((p.label, "", "", _note(p, default_note)))
        else:
            span = (
                format_span(p.low, p.high, locale=locale) if p.low is not None and p.high is not None else ""
            )
            note = "; ".join(n for n in (_("preliminär") if p.preliminary else "", p.note) if n)
            rows.append((p.label, format_share(p.share, locale=locale), span, note))
    return rows


def _preliminary_title(title: str, points: Sequence[SharePoint]) -> str:
    """A chart of one wave whose numbers are preliminary says so in its title."""
    if any(p.preliminary for p in points):
        return _("%(title)s (preliminärt)") % {"title": title}
    return title


def _preliminary_wave(points: Sequence[SharePoint]) -> list[str]:
    """For a chart of one wave: its numbers are preliminary, in one sentence."""
    if not any(p.preliminary for p in points):
        return []
    return [_("Siffrorna är preliminära: mätomgången pågår och alla svar har inte kommit in.")]


def _preliminary_sentence(points: Sequence[SharePoint], locale: str) -> list[str]:
    labels = [p.label for p in points if p.preliminary and p.shown]
    if not labels:
        return []
    return [
        ngettext(
            "%(labels)s är preliminär: mätomgången pågår och alla svar har inte kommit in.",
            "%(labels)s är preliminära: mätomgångarna pågår och alla svar har inte kommit in.",
            len(labels),
        )
        % {"labels": format_list(labels, locale=locale)}
    ]


def _interval_label(confidence: float, locale: str) -> str:
    return _("Osäkerhetsintervall (%(level)s)") % {"level": format_share(confidence, locale=locale)}


def _errors(points: Sequence[SharePoint]) -> tuple[list[float], list[float], list[float]]:
    values, below, above = [], [], []
    for p in points:
        if p.share is None:
            values.append(math.nan)
            below.append(math.nan)
            above.append(math.nan)
        elif p.low is None or p.high is None:
            values.append(p.share)
            below.append(0.0)
            above.append(0.0)
        else:
            values.append(p.share)
            below.append(max(p.share - p.low, 0.0))
            above.append(max(p.high - p.share, 0.0))
    return values, below, above


def _category_axis(ax, labels: Sequence[str], width: int) -> None:
    positions = list(range(len(labels)))
    ax.yaxis.set_major_locator(FixedLocator(positions))
    wrapped = [_plain(_wrap(label, width)) for label in labels]
    ax.yaxis.set_major_formatter(_LabelFormatter(wrapped))
    ax.set_ylim(max(len(labels), 1) - 0.5, -0.5)  # first item at the top
    if not labels:
        _empty_notice(ax)
    ax.tick_params(axis="y", length=0)


def _empty_notice(ax) -> None:
    ax.text(
        0.5,
        0.5,
        _("Det finns inget att visa."),
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=TEXT_SIZE,
        fontstyle="italic",
        color=MUTED,
    )


def _bars_with_whiskers(ax, points: Sequence[SharePoint], locale: str, *, dots: bool) -> None:
    """Horizontal bars (or dots) with interval whiskers and the value written beside each."""
    values, below, above = _errors(points)
    positions = list(range(len(points)))
    if dots:
        ax.errorbar(
            values,
            positions,
            xerr=[below, above],
            fmt="o",
            color=SHARE_COLOUR,
            ecolor=INK,
            elinewidth=1.5,
            capsize=5,
            markersize=8,
            markeredgecolor="white",
            markeredgewidth=1,
            zorder=3,
            clip_on=False,
        )
    else:
        shown = [v if not math.isnan(v) else 0.0 for v in values]
        ax.barh(positions, shown, height=0.6, color=SHARE_COLOUR, edgecolor=SHARE_COLOUR, zorder=2)
        ax.errorbar(
            values,
            positions,
            xerr=[below, above],
            fmt="none",
            ecolor=INK,
            elinewidth=1.5,
            capsize=5,
            zorder=3,
            clip_on=False,
        )
    for y, p in zip(positions, points, strict=True):
        if p.share is None:
            continue
        end = p.high if p.high is not None else p.share
        ax.text(
            end + 0.015,
            y,
            format_share(p.share, locale=locale),
            va="center",
            ha="left",
            fontsize=TEXT_SIZE,
            fontweight="bold",
            color=INK,
            zorder=4,
        )


def _hidden_rows(ax, points: Sequence[SharePoint], default: str) -> None:
    for y, p in enumerate(points):
        if p.share is None:
            ax.text(
                0.01,
                y,
                _plain(_wrap(_note(p, default), 60)),
                va="center",
                ha="left",
                fontsize=SMALL_SIZE,
                fontstyle="italic",
                color=MUTED,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},
                zorder=4,
            )


def _rows_height(rows: int) -> float:
    return max(3.2, 1.5 + 0.42 * rows)


def _ladder_height(steps: int) -> float:
    return _rows_height(steps) if steps > 5 else HEIGHT


# ---------------------------------------------------------------------------------------------------------------
# Charts


def trend_chart(
    title: str,
    points: Sequence[SharePoint],
    target: float | None,
    *,
    confidence: float = 0.95,
    verdict: Sequence[str] = (),
) -> Chart:
    """The share per wave: a line with markers, the interval as a band and whiskers, the target dashed.

    A hidden wave leaves a gap in the line and is marked with its note where its point would be; a
    preliminary wave has a hollow marker and "(preliminär)" under its label. The text description gives
    the values and the target and makes no judgement of its own: ``verdict`` are the sentences of the
    goal's judgement (analysis/render/verdicts.py, ``goal_trend_recipe``), added as they are, so the chart
    and the verdict beside it say the same thing.
    """
    title = _clean(title)
    target = _check_share(target, "target")
    loc = babel_locale()
    points = tuple(points)
    hidden_default = _("visas inte")
    with _style():
        figure = _figure()
        ax = figure.add_subplot()
        _suptitle(figure, title)
        x = list(range(len(points)))
        values, below, above = _errors(points)
        lows = [v - b for v, b in zip(values, below, strict=True)]
        highs = [v + a for v, a in zip(values, above, strict=True)]
        present = [not math.isnan(v) for v in values]
        if any(p.has_interval for p in points):
            ax.fill_between(
                x,
                lows,
                highs,
                where=present,
                color=SHARE_COLOUR,
                alpha=0.18,
                linewidth=0,
                zorder=1,
                clip_on=False,
            )
            ax.errorbar(
                x,
                values,
                yerr=[below, above],
                fmt="none",
                ecolor=SHARE_COLOUR,
                capsize=4,
                zorder=2,
                clip_on=False,  # a whisker ending at 0 % or 100 % keeps its cap
            )
        ax.plot(
            x,
            values,
            color=SHARE_COLOUR,
            linestyle="-",
            linewidth=2.2,
            marker="o",
            markersize=8,
            markeredgecolor="white",
            markeredgewidth=1.2,
            zorder=3,
            clip_on=False,
        )
        for xi, p in zip(x, points, strict=True):
            if p.preliminary and p.share is not None:  # hollow: not all answers are in
                ax.plot(
                    [xi],
                    [p.share],
                    linestyle="none",
                    marker="o",
                    markersize=8,
                    markerfacecolor="white",
                    markeredgecolor=SHARE_COLOUR,
                    markeredgewidth=2.2,
                    zorder=4,
                    clip_on=False,
                )
        shown_at = [xi for xi, p in zip(x, points, strict=True) if p.share is not None]
        # Many waves: only the first and the last value are written on the chart; the table has them all.
        labelled = (
            set(shown_at) if len(points) <= CROWDED else {shown_at[0], shown_at[-1]} if shown_at else set()
        )
        for xi, p in zip(x, points, strict=True):
            if p.share is None or xi not in labelled:
                continue
            anchor, offset, va, ha = _value_label_place(p, target)
            ax.annotate(
                format_share(p.share, locale=loc),
                (xi, anchor),
                xytext=offset,
                textcoords="offset points",
                va=va,
                ha=ha,
                fontsize=TEXT_SIZE,
                fontweight="bold",
                color=INK,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
                zorder=5,
            )
        if target is not None:
            ax.axhline(target, color=TARGET_COLOUR, linestyle=(0, (6, 3)), linewidth=1.8, zorder=2)
            ax.text(
                1.01,
                target,
                _("Mål %(target)s") % {"target": format_share(target, locale=loc)},
                transform=blended_transform_factory(ax.transAxes, ax.transData),
                va="center",
                ha="left",
                fontsize=TEXT_SIZE,
                fontweight="bold",
                color=TARGET_COLOUR,
                clip_on=False,
            )
        for xi, p in zip(x, points, strict=True):
            if p.share is not None:
                continue
            ax.axvspan(xi - 0.3, xi + 0.3, facecolor="#f5f5f5", edgecolor="#c4c4c4", hatch="//", zorder=0)
            ax.text(
                xi,
                _free_height(xi, values, lows, highs, target),
                _plain(_wrap(_note(p, hidden_default), max(10, 60 // max(len(points), 1)))),
                ha="center",
                va="center",
                fontsize=SMALL_SIZE,
                fontstyle="italic",
                color=MUTED,
                bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "#9a9a9a"},
                zorder=4,
            )
        ax.set_xlim(-0.5, max(len(points), 1) - 0.5)
        if not points:
            _empty_notice(ax)
        crowded = len(points) > CROWDED
        width = 24 if crowded else min(18, 64 // max(len(points), 1))  # characters per line under a wave
        labels = [
            _plain(
                _wrap(_("%(label)s (preliminär)") % {"label": p.label} if p.preliminary else p.label, width)
            )
            for p in points
        ]
        ax.xaxis.set_major_locator(FixedLocator(x))
        ax.xaxis.set_major_formatter(_LabelFormatter(labels))
        if crowded:  # slanted, so that each label keeps one line and its own room
            ax.tick_params(axis="x", labelrotation=35)
            for label in ax.get_xticklabels():
                label.set_horizontalalignment("right")
                label.set_rotation_mode("anchor")
        ax.set_ylim(0, 1)
        _percent_axis(ax.yaxis, loc)
        ax.grid(axis="y", which="major", zorder=0)
        ax.set_ylabel(_("Andel"))
        handles = [
            Line2D([], [], color=SHARE_COLOUR, marker="o", linewidth=2.2, label=_("Andel")),
            Patch(facecolor=SHARE_COLOUR, alpha=0.18, label=_interval_label(confidence, loc)),
        ]
        if target is not None:
            handles.append(
                Line2D([], [], color=TARGET_COLOUR, linestyle=(0, (6, 3)), linewidth=1.8, label=_("Mål"))
            )
        if any(p.preliminary and p.shown for p in points):
            handles.append(
                Line2D(
                    [],
                    [],
                    color=SHARE_COLOUR,
                    marker="o",
                    markerfacecolor="white",
                    markeredgewidth=2.2,
                    linestyle="none",
                    label=_("Preliminär"),
                )
            )
        if not all(present):
            handles.append(Patch(facecolor="#f5f5f5", edgecolor="#9a9a9a", hatch="//", label=_("Visas inte")))
        figure.legend(handles=handles, loc="outside lower left", ncols=min(len(handles), 4), frameon=False)
    description = _describe_trend(title, points, target, loc, hidden_default, verdict)
    table = _share_table(_("Mätomgång"), points, loc, hidden_default)
    _settle(figure)
    return Chart(title, figure, description, tuple(table))


def _value_label_place(
    point: SharePoint, target: float | None
) -> tuple[float, tuple[float, float], str, str]:
    """Above the whisker, else below it, else beside the point: clear of the line, the target and the frame."""
    share = point.share if point.share is not None else 0.0
    high = point.high if point.high is not None else share
    low = point.low if point.low is not None else share
    room = 0.09  # the label's height in data units, with a margin

    def clear(start: float, end: float) -> bool:
        return start >= 0.0 and end <= 1.0 and (target is None or not start - 0.01 <= target <= end + 0.01)

    if clear(high, high + room):
        return high, (0, 4), "bottom", "center"
    if clear(low - room, low):
        return low, (0, -4), "top", "center"
    return share, (9, 0), "center", "left"


def _free_height(
    xi: int, values: Sequence[float], lows: Sequence[float], highs: Sequence[float], target: float | None
) -> float:
    """Where a hidden wave's note stands clear of its neighbours' points and the target line."""
    taken = [target] if target is not None else []
    for j in (xi - 1, xi + 1):
        if 0 <= j < len(values) and not math.isnan(values[j]):
            taken += [values[j], lows[j], highs[j]]
    if not taken:
        return 0.5
    return max((0.5, 0.3, 0.7, 0.15, 0.85), key=lambda y: min(abs(y - t) for t in taken))


def _describe_trend(
    title: str,
    points: Sequence[SharePoint],
    target: float | None,
    loc: str,
    hidden_default: str,
    verdict: Sequence[str] = (),
) -> str:
    """Values, target and hidden waves; whether the share rose or the goal is met is the verdict's to say."""
    parts = [_sentence(_("Linjediagram: %(title)s") % {"title": title})]
    shown = [p for p in points if p.share is not None]
    if not shown:
        parts.append(_("Ingen mätomgång kan redovisas."))
    elif len(shown) == 1:
        parts.append(
            _("Andelen var %(share)s i %(label)s.")
            % {"share": format_share(shown[0].share, locale=loc), "label": shown[0].label}
        )
    else:
        values = "; ".join(f"{p.label} {format_share(p.share, locale=loc)}" for p in shown)
        parts.append(_("Andel per mätomgång: %(values)s.") % {"values": values})
    if target is not None:
        parts.append(_("Målet är %(target)s.") % {"target": format_share(target, locale=loc)})
    parts += _preliminary_sentence(points, loc)
    parts += _hidden_sentences(points, loc, hidden_default)
    parts += [_sentence(_clean(sentence)) for sentence in verdict]
    return " ".join(parts)


def ladder_chart(title: str, steps: Sequence[SharePoint], *, confidence: float = 0.95) -> Chart:
    """The effect ladder for one wave: a horizontal bar per step (L1 kännedom at the top → L4 handling)."""
    loc = babel_locale()
    steps = tuple(steps)
    title = _preliminary_title(_clean(title), steps)
    hidden_default = _("för få svar för att redovisa")
    with _style():
        figure = _figure(_ladder_height(len(steps)))
        ax = figure.add_subplot()
        _suptitle(figure, title)
        _bars_with_whiskers(ax, steps, loc, dots=False)
        _hidden_rows(ax, steps, hidden_default)
        _category_axis(ax, [s.label for s in steps], 22)
        ax.set_xlim(0, 1)
        _percent_axis(ax.xaxis, loc)
        ax.grid(axis="x", which="major", zorder=0)
        ax.set_xlabel(_("Andel som nått steget"))
        figure.legend(
            handles=[
                Patch(facecolor=SHARE_COLOUR, label=_("Andel")),
                Line2D([], [], color=INK, marker="|", markersize=10, label=_interval_label(confidence, loc)),
            ],
            loc="outside lower left",
            ncols=2,
            frameon=False,
        )
    parts = [_sentence(_("Stapeldiagram: %(title)s") % {"title": title})]
    values = [f"{s.label} {format_share(s.share, locale=loc)}" for s in steps if s.share is not None]
    if values:
        parts.append(_("Andel per steg: %(values)s.") % {"values": "; ".join(values)})
    else:
        parts.append(_("Inget steg kan redovisas."))
    parts += _preliminary_wave(steps)
    parts += _hidden_sentences(steps, loc, hidden_default)
    table = _share_table(_("Steg"), steps, loc, hidden_default)
    _settle(figure)
    return Chart(title, figure, " ".join(parts), tuple(table))


def breakdown_chart(
    title: str,
    points: Sequence[SharePoint],
    overall: float | SharePoint | None,
    *,
    confidence: float = 0.95,
) -> Chart:
    """The share per organisation, in the order given, as dots with whiskers and a line for all together.

    A hidden organisation keeps its row, with its note ("för få svar för att redovisa") in place of the dot.
    """
    loc = babel_locale()
    points = tuple(points)
    total = overall if isinstance(overall, SharePoint) else None
    title = _preliminary_title(_clean(title), (*points, *((total,) if total else ())))
    overall_share = total.share if total is not None else _check_share(overall, "overall")
    hidden_default = _("för få svar för att redovisa")
    with _style():
        figure = _figure(_rows_height(len(points)))
        ax = figure.add_subplot()
        _suptitle(figure, title)
        _bars_with_whiskers(ax, points, loc, dots=True)
        _hidden_rows(ax, points, hidden_default)
        _category_axis(ax, [p.label for p in points], 26)
        for y in range(0, len(points), 2):  # banded rows help the eye follow a row across
            ax.axhspan(y - 0.5, y + 0.5, facecolor="#f4f4f4", edgecolor="none", zorder=0)
        handles = [
            Line2D([], [], color=SHARE_COLOUR, marker="o", linestyle="none", markersize=8, label=_("Andel")),
            Line2D([], [], color=INK, marker="|", markersize=10, label=_interval_label(confidence, loc)),
        ]
        if overall_share is not None:
            overall_text = _("Alla %(share)s") % {"share": format_share(overall_share, locale=loc)}
            ax.axvline(overall_share, color=OVERALL_COLOUR, linestyle=(0, (5, 3)), linewidth=1.5, zorder=1)
            ax.text(
                overall_share,
                1.01,
                overall_text,
                transform=blended_transform_factory(ax.transData, ax.transAxes),
                ha="center",
                va="bottom",
                fontsize=TEXT_SIZE,
                fontweight="bold",
                clip_on=False,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    color=OVERALL_COLOUR,
                    linestyle=(0, (5, 3)),
                    linewidth=1.5,
                    label=_("Alla organisationer"),
                )
            )
        ax.set_xlim(0, 1)
        _percent_axis(ax.xaxis, loc)
        ax.grid(axis="x", which="major", zorder=0)
        ax.set_xlabel(_("Andel"))
        figure.legend(handles=handles, loc="outside lower left", ncols=len(handles), frameon=False)
    table = _share_table(_("Organisation"), points, loc, hidden_default)
    if overall_share is not None:
        span = (
            format_span(total.low, total.high, locale=loc) if total is not None and total.has_interval else ""
        )
        table.append((_("Alla organisationer"), format_share(overall_share, locale=loc), span, ""))
    parts = [_sentence(_("Punktdiagram: %(title)s") % {"title": title})]
    shown = [p for p in points if p.share is not None]
    if len(shown) >= 2:
        low = min(shown, key=lambda p: p.share)
        high = max(shown, key=lambda p: p.share)
        parts.append(
            _(
                "Andelen per organisation är lägst i %(low_label)s, %(low)s, och högst i %(high_label)s, %(high)s."
            )
            % {
                "low_label": low.label,
                "low": format_share(low.share, locale=loc),
                "high_label": high.label,
                "high": format_share(high.share, locale=loc),
            }
        )
    elif shown:
        parts.append(
            _("Andelen i %(label)s är %(share)s.")
            % {"label": shown[0].label, "share": format_share(shown[0].share, locale=loc)}
        )
    else:
        parts.append(_("Ingen organisation kan redovisas för sig."))
    if overall_share is not None:
        parts.append(
            _("För alla organisationer tillsammans är andelen %(share)s.")
            % {"share": format_share(overall_share, locale=loc)}
        )
    parts += _preliminary_wave((*points, *((total,) if total else ())))
    parts += _hidden_sentences(points, loc, hidden_default)
    _settle(figure)
    return Chart(title, figure, " ".join(parts), tuple(table))


def recall_chart(
    title: str,
    recall: Sequence[SharePoint],
    reach: Mapping[str, int] | None,
    *,
    reach_label: str | None = None,
    confidence: float = 0.95,
) -> Chart:
    """Who recalls each channel (bars with whiskers), with the channel's reach written beside it as text.

    Reach is an output, not an effect: it gets its own column with its own heading, never the percentage axis.
    ``reach`` is keyed by the points' labels; a channel without a figure shows "–".
    """
    loc = babel_locale()
    recall = tuple(recall)
    title = _preliminary_title(_clean(title), recall)
    reach_heading = _clean(reach_label) if reach_label else _("Räckvidd (visningar)")
    hidden_default = _("för få svar för att redovisa")
    missing = "\u2013"
    with _style():
        figure = _figure(_rows_height(len(recall)))
        _suptitle(figure, title)
        if reach is not None:
            ax, side = figure.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [4, 1]})
        else:
            ax, side = figure.add_subplot(), None
        _bars_with_whiskers(ax, recall, loc, dots=False)
        _hidden_rows(ax, recall, hidden_default)
        _category_axis(ax, [p.label for p in recall], 22)
        ax.set_xlim(0, 1)
        _percent_axis(ax.xaxis, loc)
        ax.grid(axis="x", which="major", zorder=0)
        ax.set_xlabel(_("Andel som minns kanalen"))
        if side is not None and reach is not None:
            side.set_axis_off()
            side.set_xlim(0, 1)
            side.set_title(_plain(_wrap(reach_heading, 16)), fontsize=SMALL_SIZE, color=MUTED, loc="right")
            for y, p in enumerate(recall):
                figure_value = reach.get(p.label)
                side.text(
                    1.0,
                    y,
                    format_count(figure_value, locale=loc) if figure_value is not None else missing,
                    ha="right",
                    va="center",
                    fontsize=TEXT_SIZE,
                    color=INK,
                )
        figure.legend(
            handles=[
                Patch(facecolor=SHARE_COLOUR, label=_("Andel som minns kanalen")),
                Line2D([], [], color=INK, marker="|", markersize=10, label=_interval_label(confidence, loc)),
            ],
            loc="outside lower left",
            ncols=2,
            frameon=False,
        )
    table = _share_table(_("Kanal"), recall, loc, hidden_default)
    if reach is not None:
        table[0] = (*table[0], reach_heading)
        for i, p in enumerate(recall, start=1):
            value = reach.get(p.label)
            table[i] = (*table[i], format_count(value, locale=loc) if value is not None else missing)
    parts = [_sentence(_("Stapeldiagram: %(title)s") % {"title": title})]
    shown = [p for p in recall if p.share is not None]
    if len(shown) >= 2:
        high = max(shown, key=lambda p: p.share)
        low = min(shown, key=lambda p: p.share)
        parts.append(
            _("Flest minns %(high_label)s, %(high)s, och färst %(low_label)s, %(low)s.")
            % {
                "high_label": high.label,
                "high": format_share(high.share, locale=loc),
                "low_label": low.label,
                "low": format_share(low.share, locale=loc),
            }
        )
    elif shown:
        parts.append(
            _("%(share)s minns %(label)s.")
            % {"label": shown[0].label, "share": format_share(shown[0].share, locale=loc)}
        )
    else:
        parts.append(_("Ingen kanal kan redovisas."))
    if reach is not None:
        parts.append(
            _(
                "%(label)s står som siffror bredvid staplarna. Räckvidd visar hur många som kunde nås av "
                "budskapet, inte vilken effekt det fick."
            )
            % {"label": reach_heading}
        )
    parts += _preliminary_wave(recall)
    parts += _hidden_sentences(recall, loc, hidden_default)
    _settle(figure)
    return Chart(title, figure, " ".join(parts), tuple(table))


# ---------------------------------------------------------------------------------------------------------------
# Recipes: a chart described but not built yet

_BUILDERS: dict[str, Callable[..., Chart]] = {
    "trend_chart": trend_chart,
    "ladder_chart": ladder_chart,
    "breakdown_chart": breakdown_chart,
    "recall_chart": recall_chart,
}
# Each builder's figure height from the number of rows (points, steps, organisations, channels) it is given.
_HEIGHTS: dict[str, Callable[[int], float]] = {
    "trend_chart": lambda _rows: HEIGHT,
    "ladder_chart": _ladder_height,
    "breakdown_chart": _rows_height,
    "recall_chart": _rows_height,
}


@dataclass(frozen=True)
class ChartRecipe:
    """A chart described, not built: one of this module's chart builders and its arguments.

    Calling it builds the chart (in the current locale, like calling the builder). It is plain data, so it can
    be pickled and built in a worker process, and its :attr:`size` is known without building it, so a page
    can be laid out before its charts are drawn. Make one with :func:`recipe`.
    """

    builder: str
    args: tuple[object, ...]
    kwargs: tuple[tuple[str, object], ...] = ()

    def __post_init__(self) -> None:
        if self.builder not in _BUILDERS:
            raise ValueError(f"Unknown chart builder {self.builder!r}.")

    def __call__(self) -> Chart:
        return _BUILDERS[self.builder](*self.args, **dict(self.kwargs))

    @property
    def size(self) -> tuple[float, float]:
        """The built figure's width and height in inches."""
        builder = _BUILDERS[self.builder]
        bound = inspect.signature(builder).bind(*self.args, **dict(self.kwargs))
        rows = list(bound.arguments.values())[1]  # every builder: (title, its rows, …)
        return WIDTH, _HEIGHTS[self.builder](len(tuple(rows)))


def recipe(builder: Callable[..., Chart], *args: object, **kwargs: object) -> ChartRecipe:
    """``recipe(trend_chart, title, points, target)``: the chart that call would build, built later."""
    name = getattr(builder, "__name__", "")
    if _BUILDERS.get(name) is not builder:
        raise ValueError(f"{builder!r} is not one of the chart builders.")
    frozen = tuple(tuple(a) if isinstance(a, list) else a for a in args)
    return ChartRecipe(name, frozen, tuple(sorted(kwargs.items())))


# ---------------------------------------------------------------------------------------------------------------
# Rendering


def render(chart: Chart, fmt: Format, *, dpi: int = 150) -> bytes:
    """The chart as SVG (real text, with the description as its accessible name), PNG or PDF (TrueType)."""
    if fmt not in ("svg", "png", "pdf"):
        raise ValueError(f"Unknown chart format {fmt!r}: use svg, png or pdf.")
    if fmt == "svg":
        metadata: dict[str, object] = {"Title": chart.title, "Description": chart.description, "Date": None}
    elif fmt == "pdf":
        metadata = {
            "Title": chart.title,
            "Subject": chart.description,
            "Creator": "effekt",
            "CreationDate": None,
        }
    else:
        metadata = {"Title": chart.title, "Description": chart.description}
    buffer = io.BytesIO()
    with _style():  # svg.fonttype and pdf.fonttype are read here, at save time
        chart.figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    data = buffer.getvalue()
    return _accessible_svg(data, chart.description) if fmt == "svg" else data


_SVG_OPEN = re.compile(rb"<svg\b[^>]*>")


def _accessible_svg(data: bytes, description: str) -> bytes:
    """Give the SVG root role="img", an aria-label and a <title> as its first child, all XML-escaped."""
    match = _SVG_OPEN.search(data)
    if match is None:  # pragma: no cover - matplotlib always writes an <svg> root
        return data
    text = _clean(description).replace("\n", " ")
    opening = match.group(0)
    attributes = f' role="img" aria-label={quoteattr(text)}'.encode()
    tagged = opening[:-1].rstrip(b"/") + attributes + b">"
    title = f"\n <title>{escape(text)}</title>".encode()
    return data[: match.start()] + tagged + title + data[match.end() :]


_cache: OrderedDict[tuple[str, str, int], bytes] = OrderedDict()
_cache_lock = threading.Lock()


def render_cached(chart_key: str, build: Callable[[], Chart], fmt: Format, *, dpi: int = 150) -> bytes:
    """Rendered bytes for a chart, built and rendered only when the key has not been seen recently.

    The caller's key must say everything the chart depends on (plan, data stamp, locale), so any worker can
    rebuild the same bytes; at most ``CACHE_SIZE`` renders are kept, the least recently used dropped first.
    Two threads missing the same key at once may both render; the bytes are the same.
    """
    key = (chart_key, fmt, dpi)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = render(build(), fmt, dpi=dpi)
    with _cache_lock:
        _cache[key] = data
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return data


@dataclass(frozen=True)
class ChartText:
    """What a page shows beside a chart image: its title, its description and its data table."""

    title: str
    description: str
    table: tuple[tuple[str, ...], ...]


_texts: OrderedDict[str, ChartText] = OrderedDict()


def text_cached(chart_key: str, build: Callable[[], Chart]) -> ChartText:
    """A chart's texts, built (which lays the chart out) only when the key has not been seen recently."""
    with _cache_lock:
        if chart_key in _texts:
            _texts.move_to_end(chart_key)
            return _texts[chart_key]
    chart = build()
    text = ChartText(chart.title, chart.description, chart.table)
    with _cache_lock:
        _texts[chart_key] = text
        while len(_texts) > CACHE_SIZE:
            _texts.popitem(last=False)
    return text


def clear_render_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _texts.clear()
