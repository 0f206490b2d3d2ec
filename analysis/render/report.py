"""The meeting pack for länsledning: a PDF (A4) and a PowerPoint (16:9) built from the same plain data.

Input is a :class:`MeetingPack` of frozen dataclasses with text that is already formatted (shares, intervals,
verdict sentences) and the charts from :mod:`analysis.render.charts`; out come bytes. Nothing here computes a
statistic, so the pack always says exactly what the dashboard said.

PDF
    A4 portrait through matplotlib's ``PdfPages`` with plain ``Figure`` objects (never pyplot), TrueType fonts
    (``pdf.fonttype`` 42, set at save time) so every word is real, searchable text. Pages, in order: a cover
    with the plan, the meeting, the date and a table of contents; the summary table (over as many pages as it
    needs, header repeated); one section per target group that starts on a new page with its verdict
    sentences and then its charts, continued on following pages when they do not fit; the activities awaiting
    a decision, with boxes to tick; and how the numbers were made. Every page but the cover has a running
    header, and every page says "Sida 3 av 12".

    The charts go into the page as vector graphics: the chart's own figure is drawn into the page's PDF
    content stream inside a saved graphics state with a translation (``q … cm … Q``), so its text stays text
    and its lines stay lines. matplotlib has no public way to place one figure inside another; the drawing
    uses the PDF renderer's graphics-state bookkeeping (``RendererPdf.gc``), and falls back to a 200 dpi image
    when the page is drawn by any other renderer. Tests read the chart text back from the PDF, so a
    matplotlib change that breaks this is noticed. A chart's figure is borrowed while it is drawn (its dpi
    changes for the moment), so each figure has a lock; the PDF and the PowerPoint of one pack can be built
    in parallel threads, they just take turns with each chart.

PowerPoint
    16:9 through python-pptx: a title slide; the summary as native tables (never an image), at most eight
    rows a slide and fewer when rows are tall; one slide per target group with its sentences and its first
    chart, then its other charts two a slide; the activities; the methods. Charts are PNG at 150 dpi and every
    picture has its description as alt text (``descr``); the descriptions and full titles are also in the
    speaker notes. Body text is 14 pt or larger and every run is marked as Swedish (or English).

Speed
    Charts are most of the work (laying one out, drawing it as vector graphics or PNG). A pack may give its
    charts as :class:`~analysis.render.charts.ChartRecipe` instead of built: with worker processes running
    (:mod:`analysis.render.workers`), the PDF's pages are then drawn in consecutive parts at the same time, each part
    building the charts on its pages, and joined with pypdf; the presentation's charts are built and drawn
    as PNG in the workers. The layout is computed once before, from the recipes' sizes, so page numbers and
    the contents are those of the whole document. Without workers (or for a small pack) everything is made
    in this process, with the same result.

Text from users (titles, labels, sentences) is shown literally: control characters are dropped, "$" never
starts mathtext, over-long titles are wrapped and, past a few lines, cut with "…". Neither format runs
anything, so "<script>" or "=cmd|…" is just text.
"""

from __future__ import annotations

import importlib.util
import io
import re
import threading
import unicodedata
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

import matplotlib.image
import numpy as np
from babel.dates import format_date
from babel.numbers import format_percent as babel_format_percent
from lxml.etree import SubElement
from matplotlib.artist import Artist
from matplotlib.backends.backend_pdf import GraphicsContextPdf, Op, PdfPages, RendererPdf
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath
from pptx import Presentation
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from analysis.render import workers
from analysis.render.charts import INK, MUTED, RC, Chart, ChartRecipe, render
from analysis.render.formatting import format_count, format_share
from locales import babel_locale, current_locale, using_locale
from locales import gettext as _

__all__ = [
    "ActivityRow",
    "GroupPage",
    "MeetingPack",
    "MethodsNote",
    "SummaryRow",
    "build_pdf",
    "build_pptx",
    "methods_note",
]

AUTHOR = "effekt"
ELLIPSIS = "\u2026"


# ---------------------------------------------------------------------------------------------------------------
# Input


def _clean(text: object) -> str:
    """Text from users, kept literal and safe for PDF and XML: no control characters, lines kept as lines."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    kept = []
    for c in text:
        category = unicodedata.category(c)
        if c == "\n" or not (
            category in ("Cc", "Cs")
            or c in "\ufffe\uffff"
            or "\u202a" <= c <= "\u202e"
            or "\u2066" <= c <= "\u2069"
        ):
            kept.append(c)
    lines = [re.sub(r"[ ]+", " ", line).strip() for line in "".join(kept).split("\n")]
    return "\n".join(line for line in lines if line)


def _one_line(text: object) -> str:
    return _clean(text).replace("\n", " ")


def _set(instance: object, name: str, value: object) -> None:
    object.__setattr__(instance, name, value)


@dataclass(frozen=True)
class SummaryRow:
    """One effect goal in the summary table, already formatted ("61 %", "55–67 %", a verdict sentence)."""

    target_group: str
    step: str
    latest: str
    interval: str
    target: str
    status: str
    change: str
    respondents: str
    warning: str | None = None

    def __post_init__(self) -> None:
        for name in (
            "target_group",
            "step",
            "latest",
            "interval",
            "target",
            "status",
            "change",
            "respondents",
        ):
            _set(self, name, _clean(getattr(self, name)))
        _set(self, "warning", _clean(self.warning) or None if self.warning is not None else None)


@dataclass(frozen=True)
class GroupPage:
    """A target group's page: its verdict sentences in reading order and its charts (trend, ladder, …).

    A chart may be given built (a :class:`Chart`) or as a :class:`ChartRecipe`; recipes are built while the
    PDF or the presentation is made, in worker processes when they are running (see :mod:`analysis.render.workers`).
    """

    title: str
    sentences: tuple[str, ...] = ()
    charts: tuple[Chart | ChartRecipe, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "title", _one_line(self.title))
        _set(self, "sentences", tuple(s for s in (_clean(s) for s in self.sentences) if s))
        _set(self, "charts", tuple(self.charts))


@dataclass(frozen=True)
class ActivityRow:
    """An activity awaiting the leadership's decision; ``last_decision`` is the history so far, as text."""

    when: str
    title: str
    channels: str
    reach: str
    recall: str
    last_decision: str

    def __post_init__(self) -> None:
        for name in ("when", "title", "channels", "reach", "recall", "last_decision"):
            _set(self, name, _clean(getattr(self, name)))


@dataclass(frozen=True)
class MethodsNote:
    """How the numbers were made, one sentence or short paragraph a line (see :func:`methods_note`)."""

    lines: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "lines", tuple(s for s in (_clean(s) for s in self.lines) if s))


@dataclass(frozen=True)
class MeetingPack:
    plan_title: str
    meeting_title: str
    meeting_date: date
    summary: tuple[SummaryRow, ...] = ()
    groups: tuple[GroupPage, ...] = ()
    activities: tuple[ActivityRow, ...] = ()
    methods: MethodsNote = field(default_factory=MethodsNote)
    generated_note: str = ""

    def __post_init__(self) -> None:
        _set(self, "plan_title", _one_line(self.plan_title))
        _set(self, "meeting_title", _one_line(self.meeting_title))
        _set(self, "generated_note", _clean(self.generated_note))
        for name in ("summary", "groups", "activities"):
            _set(self, name, tuple(getattr(self, name)))


def methods_note(
    respondents: int,
    invited: int | None = None,
    *,
    k: int = 5,
    confidence: float = 0.95,
    alpha: float = 0.05,
    weighted: bool = True,
) -> MethodsNote:
    """The standard methods text in plain Swedish (or English), for the adapter to use or extend."""
    loc = babel_locale()
    values = {"respondents": format_count(respondents, locale=loc)}
    if invited:
        values |= {"invited": format_count(invited, locale=loc), "rate": format_share(respondents / invited)}
        first = _("Svarande: %(respondents)s av %(invited)s inbjudna (svarsfrekvens %(rate)s).") % values
    else:
        first = _("Svarande: %(respondents)s.") % values
    lines = [
        first,
        _(
            "Osäkerhetsintervall: %(level)s. Andelar har Wilsons intervall, med korrektion för ändlig population "
            "när målgruppens storlek är känd. För små grupper där en stor del har svarat används ett exakt "
            "intervall (hypergeometrisk fördelning)."
        )
        % {"level": format_share(confidence, locale=loc)},
        _(
            "Viktning: svaren vägs efter organisationernas kända storlek (poststratifiering), så att en "
            "organisation där många har svarat inte väger för tungt. Osäkerheten räknas på det effektiva "
            "antalet svar (Kish)."
        )
        if weighted
        else _("Viktning: svaren är inte viktade."),
        _(
            "Mål: ett mål är uppnått när hela osäkerhetsintervallet ligger på eller över målet och ej uppnått "
            "när hela intervallet ligger under. Annars är det ej säkerställt."
        ),
        _(
            "Förändring: en skillnad mot förra mätomgången kallas statistiskt säkerställd när testet är "
            "signifikant på %(alpha)s-nivån, justerat för planens alla mål (Holm), och skillnadens "
            "osäkerhetsintervall (Newcombe) inte omfattar noll."
        )
        % {"alpha": babel_format_percent(alpha, locale=loc)},
        _(
            "Skydd av enskilda: grupper med färre än %(k)s svar redovisas inte. Ibland döljs också en annan "
            "grupp, så att en dold grupp inte kan räknas fram genom subtraktion."
        )
        % {"k": k},
    ]
    return MethodsNote(tuple(lines))


# ---------------------------------------------------------------------------------------------------------------
# Text measuring and wrapping (shared by both formats; DejaVu Sans is wider than Calibri, so slides err safe)

_MEASURE = TextToPath()
_FONTS = {
    bold: FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal", size=100)
    for bold in (0, 1)
}


@lru_cache(maxsize=20000)
def _unit_width(text: str, bold: bool) -> float:
    """Width of ``text`` at 1 pt, in points."""
    if not text:
        return 0.0
    width, _height, _descent = _MEASURE.get_text_width_height_descent(text, _FONTS[bold], ismath=False)
    return width / 100


@lru_cache(maxsize=2)
def _space_width(bold: bool) -> float:
    return _unit_width("x x", bold) - _unit_width("xx", bold)


def _width(text: str, size: float, bold: bool = False) -> float:
    return sum(_unit_width(word, bold) for word in text.split(" ")) * size + _space_width(
        bold
    ) * size * text.count(" ")


def _split_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    pieces, current = [], ""
    for c in word:
        if current and _unit_width(current + c, bold) * size > width:
            pieces.append(current)
            current = c
        else:
            current += c
    return [*pieces, current] if current else pieces


def _wrap(
    text: str, width: float, size: float, *, bold: bool = False, max_lines: int | None = None
) -> list[str]:
    """Lines of ``text`` no wider than ``width`` points; paragraphs (\\n) kept, words too long broken."""
    lines: list[str] = []
    space = _space_width(bold) * size
    for paragraph in text.split("\n"):
        current, current_width = "", 0.0
        for word in paragraph.split(" "):
            if not word:
                continue
            word_width = _unit_width(word, bold) * size
            if current and current_width + space + word_width <= width:
                current, current_width = f"{current} {word}", current_width + space + word_width
                continue
            if current:
                lines.append(current)
            if word_width > width:
                *full, word = _split_word(word, width, size, bold)
                lines += full
                word_width = _unit_width(word, bold) * size
            current, current_width = word, word_width
        if current:
            lines.append(current)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and _unit_width(last + ELLIPSIS, bold) * size > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + ELLIPSIS
    return lines


def _date(value: date) -> str:
    return format_date(value, format="long", locale=babel_locale())


def _fit_widths(
    columns: Sequence[Sequence[tuple[str, bool]]],
    preferred: Sequence[float],
    total: float,
    size: float,
    margin: float,
    flex: int,
) -> list[float]:
    """Column widths (inches) summing to ``total``. Each column is at least as wide as its heading's longest
    word and, within reason, its content's longest word (so "säkerställt" is never broken); the ``flex``
    column takes what is left over. The first entry of each column is its heading."""

    def longest(cells: Sequence[tuple[str, bool]]) -> float:
        widths = (_unit_width(word, bold) * size for text, bold in cells for word in text.split() if word)
        return max(widths, default=0.0) / 72 + 2 * margin + 0.02

    hard = [longest(cells[:1]) for cells in columns]
    soft = [
        max(h, min(longest(cells[1:]), p * 1.5)) for cells, h, p in zip(columns, hard, preferred, strict=True)
    ]
    widths = [max(p, s) for p, s in zip(preferred, soft, strict=True)]
    others = sum(w for i, w in enumerate(widths) if i != flex)
    widths[flex] = max(hard[flex], 1.0, total - others)
    excess = sum(widths) - total
    if excess > 1e-9:  # give back from the columns wider than their heading, in proportion
        slack = [0.0 if i == flex else w - h for i, (w, h) in enumerate(zip(widths, hard, strict=True))]
        available = sum(slack)
        if available > 0:
            factor = min(excess / available, 1.0)
            widths = [w - s * factor for w, s in zip(widths, slack, strict=True)]
    return widths


# ---------------------------------------------------------------------------------------------------------------
# PDF: layout in inches from the page's top left, then drawing

PAGE_W = 210 / 25.4
PAGE_H = 297 / 25.4
LEFT = 0.6
CONTENT_W = PAGE_W - 2 * LEFT  # 7.07 in: the charts' 7 in fit at full size
TOP = 0.8
BOTTOM = PAGE_H - 0.65
CONTENT_H = BOTTOM - TOP
ASCENT = 0.8  # baseline below a line's top, in em
LEADING = 1.3  # line height, in em
BODY = 11
TABLE = 10  # the charts' smallest text too
PAD = 0.06
RULE = "#b3b3b3"
BAND = "#f2f2f2"
CHART_DPI = 150  # sharp on a projector at half a slide (7 in × 150 = 1050 px); 200 cost a second per pack

# A figure's dpi is changed while it is drawn or saved, so one figure is drawn by one thread at a time.
# matplotlib's own lock (Figure._render_lock, one for all figures) is held while a figure draws, so these locks
# are always taken *before* drawing starts, never inside a draw: a thread holding a figure lock may wait for
# matplotlib's lock, never the other way round. A PDF takes all of its charts' locks first, in a fixed order.
_locks_guard = threading.Lock()
_figure_locks: weakref.WeakKeyDictionary[Figure, threading.RLock] = weakref.WeakKeyDictionary()


def _figure_lock(figure: Figure) -> threading.RLock:
    with _locks_guard:
        lock = _figure_locks.get(figure)
        if lock is None:
            lock = _figure_locks[figure] = threading.RLock()
        return lock


def _lead(size: float) -> float:
    return size * LEADING / 72


def _size(chart: Chart | ChartRecipe) -> tuple[float, float]:
    """Width and height in inches, without building a recipe."""
    if isinstance(chart, ChartRecipe):
        return chart.size
    width, height = (float(v) for v in chart.figure.get_size_inches())
    return width, height


class _Built:
    """The pack's charts as :class:`Chart` objects: a recipe is built the first time it is drawn."""

    def __init__(self) -> None:
        self._charts: dict[int, Chart] = {}

    def __call__(self, chart: Chart | ChartRecipe) -> Chart:
        if not isinstance(chart, ChartRecipe):
            return chart
        if id(chart) not in self._charts:  # the pack keeps the recipe alive, so its id is not reused
            self._charts[id(chart)] = chart()
        return self._charts[id(chart)]


class _Page:
    """Drawing on one A4 figure in inches from the top left, with text that is never mathtext."""

    def __init__(self, figure: Figure, charts: _Built | None = None) -> None:
        self.figure = figure
        self.charts = charts or _Built()

    def lines(
        self,
        x: float,
        y: float,
        lines: Sequence[str],
        size: float,
        *,
        bold: bool = False,
        italic: bool = False,
        color: str = INK,
        ha: str = "left",
    ) -> float:
        for i, line in enumerate(lines):
            self.figure.text(
                x,
                PAGE_H - (y + ASCENT * size / 72 + i * _lead(size)),
                line,
                transform=self.figure.dpi_scale_trans,
                fontsize=size,
                fontweight="bold" if bold else "normal",
                fontstyle="italic" if italic else "normal",
                color=color,
                ha=ha,
                va="baseline",
                parse_math=False,
            )
        return len(lines) * _lead(size)

    def rect(self, x: float, y: float, width: float, height: float, colour: str) -> None:
        self.figure.add_artist(
            Rectangle(
                (x, PAGE_H - y - height),
                width,
                height,
                transform=self.figure.dpi_scale_trans,
                facecolor=colour,
                edgecolor="none",
                zorder=0,
            )
        )

    def rule(
        self, y: float, x: float = LEFT, width: float = CONTENT_W, colour: str = RULE, weight: float = 0.6
    ) -> None:
        self.rect(x, y - weight / 144, width, weight / 72, colour)


class _EmbeddedChart(Artist):
    """A chart's own figure drawn into a page, as vector graphics when the page is written as PDF."""

    def __init__(self, chart: Chart, x: float, y: float, scale: float) -> None:
        super().__init__()
        self.chart, self.x, self.y, self.scale = chart, x, y, scale  # x, y: bottom left, inches

    def draw(self, renderer) -> None:
        # The caller holds _figure_lock(self.chart.figure) (see build_pdf): taking it here, inside the
        # page's draw, could deadlock against a thread that holds it and waits for matplotlib's lock.
        pdf = getattr(renderer, "_renderer", renderer)
        if isinstance(pdf, RendererPdf) and isinstance(getattr(pdf, "gc", None), GraphicsContextPdf):
            self._draw_pdf(renderer, pdf)
        else:
            self._draw_image(renderer)

    def _draw_pdf(self, renderer, pdf: RendererPdf) -> None:
        figure = self.chart.figure
        # Close every clip the page left open, so the renderer's idea of the graphics state is the real one,
        # then draw the chart in its own saved state, moved (and scaled) into place: PDF units are points.
        pdf.file.output(*pdf.gc.finalize())
        saved = GraphicsContextPdf(pdf.file)
        saved.copy_properties(pdf.gc)
        s = self.scale
        pdf.file.output(Op.gsave, s, 0, 0, s, self.x * 72, self.y * 72, Op.concat_matrix)
        dpi = figure.dpi
        figure.dpi = 72  # one unit a point, as PDF pages are drawn
        try:
            with matplotlib.rc_context(RC):
                figure.draw(renderer)
        finally:
            figure.dpi = dpi
            pdf.file.output(*pdf.gc.finalize(), Op.grestore)
            pdf.gc = saved

    def _draw_image(self, renderer) -> None:
        figure = self.chart.figure
        page_dpi = self.figure.dpi
        buffer = io.BytesIO()
        with matplotlib.rc_context(RC):
            figure.savefig(buffer, format="png", dpi=page_dpi * self.scale, facecolor="white")
        image = (matplotlib.image.imread(io.BytesIO(buffer.getvalue())) * 255).astype(np.uint8)
        gc = renderer.new_gc()
        renderer.draw_image(gc, self.x * page_dpi, self.y * page_dpi, np.ascontiguousarray(image[::-1]))
        gc.restore()


@dataclass
class _Item:
    height: float
    draw: Callable[[_Page, float, bool], None]  # page, top, first item after the page's repeated heading
    gap: float = 0.0
    charts: int = 0  # how many charts it draws: the costly part of a page


@dataclass
class _Placed:
    y: float
    item: _Item
    fresh: bool


class _Flow:
    """Items down the page, a new page when the next one does not fit, with a heading repeated on it."""

    def __init__(self) -> None:
        self.pages: list[list[_Placed]] = []
        self.y = BOTTOM
        self.repeat: list[_Item] = []
        self.fresh = True

    def new_page(self) -> None:
        self.pages.append([])
        self.y = TOP
        for item in self.repeat:
            self._place(item)
        self.fresh = True

    def _place(self, item: _Item) -> None:
        self.pages[-1].append(_Placed(self.y, item, self.fresh))
        self.y += item.height + item.gap

    def section(
        self,
        first: Sequence[_Item],
        repeat: Sequence[_Item] = (),
        *,
        new_page: bool = True,
        space: float = 0.35,
    ) -> None:
        """Start a section: its heading on a new page, or here when it fits with room for some text under it."""
        self.repeat = []
        needed = space + sum(i.height + i.gap for i in first) + 1.2
        if new_page or not self.pages or self.y + needed > BOTTOM:
            self.new_page()
        else:
            self.y += space
        for item in first:
            self._place(item)
        self.repeat = list(repeat)
        self.fresh = True

    def add(self, item: _Item) -> None:
        if self.y + item.height > BOTTOM + 1e-9 and not self.fresh:
            self.new_page()
        self._place(item)
        self.fresh = False

    @property
    def page_number(self) -> int:
        return len(self.pages)


def _text_item(
    text: str,
    size: float = BODY,
    *,
    bold: bool = False,
    italic: bool = False,
    color: str = INK,
    gap: float = 0.0,
    indent: float = 0.0,
    bullet: str = "",
    max_lines: int | None = None,
) -> list[_Item]:
    """A paragraph as one item, or as several when it is taller than a page."""
    lines = _wrap(text, (CONTENT_W - indent) * 72, size, bold=bold, max_lines=max_lines)
    per_page = max(int(CONTENT_H * 0.8 / _lead(size)), 1)
    chunks = [lines[i : i + per_page] for i in range(0, len(lines), per_page)] or [[]]
    items = []
    for number, chunk in enumerate(chunks):

        def draw(page: _Page, y: float, _fresh: bool, chunk=chunk, number=number) -> None:
            if bullet and number == 0:
                page.lines(LEFT + indent - 0.18, y, [bullet], size, color=color)
            page.lines(LEFT + indent, y, chunk, size, bold=bold, italic=italic, color=color)

        items.append(_Item(len(chunk) * _lead(size), draw, gap if number == len(chunks) - 1 else 0.0))
    return items


def _heading(text: str, size: float = 18, gap: float = 0.12) -> _Item:
    lines = _wrap(text, CONTENT_W * 72, size, bold=True, max_lines=3)

    def draw(page: _Page, y: float, _fresh: bool) -> None:
        page.lines(LEFT, y, lines, size, bold=True)

    return _Item(len(lines) * _lead(size), draw, gap)


def _continued(text: str) -> str:
    return _("%(title)s (forts.)") % {"title": text}


@dataclass(frozen=True)
class _Cell:
    text: str
    bold: bool = False


class _Table:
    """Columns with widths in inches; rows become items of the flow, the header repeats on every page."""

    def __init__(self, headers: Sequence[str], widths: Sequence[float], size: float = TABLE) -> None:
        self.headers = tuple(headers)
        self.widths = tuple(widths)
        self.size = size
        self.rows = 0

    def _column_x(self) -> list[float]:
        xs, x = [], LEFT
        for w in self.widths:
            xs.append(x)
            x += w
        return xs

    def _cell_lines(self, cell: _Cell, width: float) -> list[str]:
        return _wrap(cell.text, (width - 2 * PAD) * 72, self.size, bold=cell.bold, max_lines=14)

    def header(self) -> _Item:
        wrapped = [
            self._cell_lines(_Cell(h, True), w) for h, w in zip(self.headers, self.widths, strict=True)
        ]
        height = max(len(lines) for lines in wrapped) * _lead(self.size) + 2 * PAD

        def draw(page: _Page, y: float, _fresh: bool) -> None:
            for x, lines in zip(self._column_x(), wrapped, strict=True):
                page.lines(x + PAD, y + PAD, lines, self.size, bold=True)
            page.rule(y + height, weight=1.2, colour=INK)

        return _Item(height, draw)

    def row(
        self,
        cells: Sequence[_Cell | Sequence[_Cell]],
        note: str | None = None,
        *,
        hide_when_continued: Sequence[int] = (),
        previous_same: bool = False,
        note_column: int = 0,
    ) -> _Item:
        """A row; a cell may hold several paragraphs. ``note`` is a line across the row, under it."""
        xs = self._column_x()
        wrapped: list[list[tuple[list[str], bool]]] = []
        for cell, width in zip(cells, self.widths, strict=True):
            parts = [cell] if isinstance(cell, _Cell) else list(cell)
            wrapped.append([(self._cell_lines(part, width), part.bold) for part in parts if part.text])
        lead = _lead(self.size)
        body = max((sum(len(lines) for lines, _b in parts) for parts in wrapped), default=1) * lead
        note_x = xs[note_column]
        note_width = LEFT + CONTENT_W - note_x
        note_lines = _wrap(note, (note_width - 2 * PAD) * 72, self.size, max_lines=6) if note else []
        note_gap = 0.05 if note_lines else 0.0
        height = max(body, lead) + note_gap + len(note_lines) * lead + 2 * PAD
        banded = self.rows % 2 == 1
        self.rows += 1

        def draw(page: _Page, y: float, fresh: bool) -> None:
            if banded:
                page.rect(LEFT, y, CONTENT_W, height, BAND)
            for index, (x, parts) in enumerate(zip(xs, wrapped, strict=True)):
                if index in hide_when_continued and previous_same and not fresh:
                    continue
                top = y + PAD
                for lines, bold in parts:
                    top += page.lines(x + PAD, top, lines, self.size, bold=bold)
            if note_lines:
                top = y + PAD + max(body, lead) + note_gap
                page.lines(note_x + PAD, top, note_lines, self.size, italic=True)
            page.rule(y + height)

        return _Item(height, draw)


def _chart_item(chart: Chart | ChartRecipe, gap: float = 0.2) -> _Item:
    width, height = _size(chart)
    scale = min(1.0, CONTENT_W / width, (CONTENT_H - 0.6) / height)

    def draw(page: _Page, y: float, _fresh: bool) -> None:
        x = LEFT + (CONTENT_W - width * scale) / 2
        page.figure.add_artist(_EmbeddedChart(page.charts(chart), x, PAGE_H - y - height * scale, scale))

    return _Item(height * scale, draw, gap, charts=1)


def _fitted_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[_Cell | Sequence[_Cell]]],
    preferred: Sequence[float],
    flex: int,
) -> _Table:
    columns: list[list[tuple[str, bool]]] = [[(h, True)] for h in headers]
    for row in rows:
        for index, cell in enumerate(row):
            parts = [cell] if isinstance(cell, _Cell) else cell
            columns[index] += [(part.text, part.bold) for part in parts]
    return _Table(headers, _fit_widths(columns, preferred, CONTENT_W, TABLE, PAD, flex))


def _summary_cells_pdf(row: SummaryRow) -> list[_Cell | list[_Cell]]:
    return [
        _Cell(row.target_group),
        _Cell(row.step),
        [_Cell(row.latest, True), _Cell(row.interval)],
        _Cell(row.target),
        _Cell(row.status, True),
        _Cell(row.change),
        _Cell(row.respondents),
    ]


def _activity_cells_pdf(activity: ActivityRow) -> list[_Cell | list[_Cell]]:
    return [
        _Cell(activity.when),
        _Cell(activity.title, True),
        _Cell(activity.channels),
        _Cell(activity.reach),
        _Cell(activity.recall),
        _Cell(activity.last_decision or _("Inget beslut ännu.")),
    ]


def _summary_headers() -> list[str]:
    return [_("Målgrupp"), _("Steg"), _("Senaste"), _("Mål"), _("Status"), _("Förändring"), _("Svarande")]


def _activity_headers() -> list[str]:
    return [_("När"), _("Aktivitet"), _("Kanaler"), _("Räckvidd"), _("Minns"), _("Tidigare beslut")]


def _warning(text: str | None) -> str | None:
    return _("Obs! %(warning)s") % {"warning": text} if text else None


def _decision_boxes() -> str:
    box = "\u2610"
    return _("Beslut: %(box)s tillräcklig   %(box)s upprepa   %(box)s justera") % {"box": box}


def _layout_pdf(pack: MeetingPack) -> tuple[_Flow, dict[str, int], list[tuple[str, int]]]:
    flow = _Flow()
    sections: dict[str, int] = {}
    group_pages: list[tuple[str, int]] = []

    flow.new_page()  # the cover, drawn on its own

    summary_cells = [_summary_cells_pdf(row) for row in pack.summary]
    summary = _fitted_table(_summary_headers(), summary_cells, [1.25, 0.9, 0.8, 0.5, 1.0, 1.8, 0.8], 5)
    flow.section(
        [
            _heading(_("Sammanfattning")),
            *_text_item(
                _(
                    "Senaste mätomgången för varje effektmål. Ett mål är uppnått först när hela "
                    "osäkerhetsintervallet når målet."
                ),
                gap=0.12,
            ),
            summary.header(),
        ],
        [_heading(_continued(_("Sammanfattning"))), summary.header()],
    )
    sections["summary"] = flow.page_number
    if not pack.summary:
        flow.add(_text_item(_("Det finns inga effektmål med resultat ännu."), italic=True, gap=0.1)[0])
    previous_group = None
    for row, cells in zip(pack.summary, summary_cells, strict=True):
        item = summary.row(
            cells,
            _warning(row.warning),
            hide_when_continued=(0,),
            previous_same=row.target_group == previous_group,
            note_column=1,
        )
        previous_group = row.target_group
        flow.add(item)

    for group in pack.groups:
        flow.section([_heading(group.title)], [_heading(_continued(group.title))])
        group_pages.append((group.title, flow.page_number))
        if not group.sentences and not group.charts:
            flow.add(_text_item(_("Det finns inga resultat att visa för målgruppen."), italic=True)[0])
        for number, sentence in enumerate(group.sentences):
            last = number == len(group.sentences) - 1
            for item in _text_item(sentence, indent=0.22, bullet="\u2022", gap=0.3 if last else 0.06):
                flow.add(item)
        for chart in group.charts:
            flow.add(_chart_item(chart))

    activity_cells = [_activity_cells_pdf(activity) for activity in pack.activities]
    activities = _fitted_table(_activity_headers(), activity_cells, [0.9, 1.6, 1.05, 0.8, 0.7, 2.0], 5)
    flow.section(
        [_heading(_("Aktiviteter som väntar på beslut")), activities.header()],
        [_heading(_continued(_("Aktiviteter som väntar på beslut"))), activities.header()],
    )
    sections["activities"] = flow.page_number
    if not pack.activities:
        flow.add(_text_item(_("Inga aktiviteter väntar på beslut."), italic=True, gap=0.1)[0])
    for cells in activity_cells:
        flow.add(activities.row(cells, _decision_boxes(), note_column=1))

    methods_first = _heading(_("Om siffrorna"), size=14, gap=0.08)
    flow.section([methods_first], [methods_first], new_page=False)
    sections["methods"] = flow.page_number
    lines = pack.methods.lines or (_("Ingen metodbeskrivning finns för det här underlaget."),)
    for line in lines:
        for item in _text_item(line, size=TABLE, gap=0.06):
            flow.add(item)
    return flow, sections, group_pages


def _draw_cover(
    page: _Page, pack: MeetingPack, sections: dict[str, int], groups: list[tuple[str, int]]
) -> None:
    y = 1.4
    y += page.lines(LEFT, y, [_("Underlag till uppföljningsmöte")], 13, color=MUTED) + 0.15
    y += page.lines(
        LEFT, y, _wrap(pack.plan_title, CONTENT_W * 72, 26, bold=True, max_lines=5), 26, bold=True
    )
    y += 0.2
    y += page.lines(LEFT, y, _wrap(pack.meeting_title, CONTENT_W * 72, 18, max_lines=3), 18)
    y += page.lines(LEFT, y, [_date(pack.meeting_date)], 18, color=MUTED)
    y += 0.6
    y += page.lines(LEFT, y, [_("Innehåll")], 13, bold=True) + 0.05
    page.rule(y)
    y += 0.05
    entries = [(_("Sammanfattning"), sections["summary"], 0.0)]
    entries += [(title, number, 0.25) for title, number in groups]
    entries += [
        (_("Aktiviteter som väntar på beslut"), sections["activities"], 0.0),
        (_("Om siffrorna"), sections["methods"], 0.0),
    ]
    size = BODY if len(entries) <= 18 else TABLE
    room = BOTTOM - 1.5 - y
    if len(entries) * _lead(size) > room:  # very many groups: the first ones, then a line saying so
        keep = max(int(room / _lead(size)) - 3, 1)
        entries = [*entries[: keep + 1], (ELLIPSIS, 0, 0.25), *entries[-2:]]
    number_width = 0.5
    for title, number, indent in entries:
        width = (CONTENT_W - indent - number_width) * 72
        page.lines(LEFT + indent, y, _wrap(title, width, size, max_lines=1), size)
        if number:
            page.lines(LEFT + CONTENT_W, y, [str(number)], size, ha="right")
        y += _lead(size)
    if pack.generated_note:
        note = _wrap(pack.generated_note, CONTENT_W * 72, TABLE, max_lines=6)
        page.lines(LEFT, BOTTOM - len(note) * _lead(TABLE), note, TABLE, color=MUTED)


def _draw_frame(page: _Page, pack: MeetingPack, number: int, total: int) -> None:
    size = TABLE
    if number > 1:
        date_text = _date(pack.meeting_date)
        room = CONTENT_W * 72 - _width(date_text, size) - 24
        running = _wrap(f"{pack.plan_title} \u2013 {pack.meeting_title}", room, size, max_lines=1)
        page.lines(LEFT, 0.4, running, size, color=MUTED)
        page.lines(LEFT + CONTENT_W, 0.4, [date_text], size, color=MUTED, ha="right")
        page.rule(0.4 + _lead(size) + 0.02)
    footer = _("Sida %(page)s av %(pages)s") % {"page": number, "pages": total}
    page.lines(LEFT + CONTENT_W, PAGE_H - 0.5, [footer], size, color=MUTED, ha="right")


def _pdf_metadata(pack: MeetingPack) -> dict[str, str]:
    keywords = [_("effektmål"), _("uppföljning"), _("länsledning"), *(g.title for g in pack.groups)]
    return {
        "Title": f"{pack.plan_title} \u2013 {pack.meeting_title}",
        "Author": AUTHOR,
        "Subject": _("Underlag till uppföljningsmöte %(date)s") % {"date": _date(pack.meeting_date)},
        "Keywords": ", ".join(k for k in keywords if k),
        "Creator": AUTHOR,
    }


PARALLEL_CHARTS = 8  # a pack with fewer charts (to build) than this is made in this process alone


def build_pdf(pack: MeetingPack) -> bytes:
    """The meeting pack as an A4 PDF with searchable text (TrueType fonts) and vector charts.

    When the pack's charts are recipes and worker processes are running, the pages are drawn in parts at the
    same time (each part builds the charts on its pages) and the parts joined into one document.
    """
    flow, sections, groups = _layout_pdf(pack)
    charts = [chart for group in pack.groups for chart in group.charts]
    if (
        len(charts) >= PARALLEL_CHARTS
        and all(isinstance(chart, ChartRecipe) for chart in charts)
        and importlib.util.find_spec("pypdf") is not None
    ):
        # Workers still starting begin late: a part more, so that this process can take two while they start.
        ranges = _page_ranges(flow, workers.count() + (1 if workers.ready() else 2))
        locale = current_locale()
        # With workers running or starting (they join in when ready, even while this process draws its part).
        parts = workers.share(_pdf_part, [(pack, locale, first, last) for first, last in ranges])
        if parts is not None:
            return _join_pdf(parts, _pdf_metadata(pack))
    buffer = io.BytesIO()
    figures = {id(chart.figure): chart.figure for chart in charts if isinstance(chart, Chart)}
    with ExitStack() as locks:
        for key in sorted(figures):
            locks.enter_context(_figure_lock(figures[key]))
        _write_pdf(buffer, pack, flow, sections, groups)
    return buffer.getvalue()


def _page_ranges(flow: _Flow, parts: int) -> list[tuple[int, int]]:
    """Consecutive pages in ``parts`` runs of about the same work (a chart costs about three text pages)."""
    costs = [0.3 + sum(placed.item.charts for placed in page) for page in flow.pages]
    total = sum(costs)
    ranges: list[tuple[int, int]] = []
    start, done = 0, 0.0
    for index, cost in enumerate(costs[:-1]):
        done += cost
        if len(ranges) < parts - 1 and done >= total * (len(ranges) + 1) / parts:
            ranges.append((start, index + 1))
            start = index + 1
    return [*ranges, (start, len(costs))]


def _pdf_part(pack: MeetingPack, locale: str, first: int, last: int) -> bytes:
    """Pages ``first`` up to ``last`` (from 0) of the pack's PDF: a task for a worker process."""
    with using_locale(locale):
        flow, sections, groups = _layout_pdf(pack)  # the same layout as the whole document's
        buffer = io.BytesIO()
        _write_pdf(buffer, pack, flow, sections, groups, range(first, last))
        return buffer.getvalue()


def _join_pdf(parts: Sequence[bytes], metadata: dict[str, str]) -> bytes:
    from pypdf import PdfReader, PdfWriter  # only needed when the pages were drawn in parts

    writer = PdfWriter()
    readers = [PdfReader(io.BytesIO(part)) for part in parts]
    for reader in readers:
        writer.append(reader)
    first = readers[0].metadata or {}
    writer.add_metadata({**first, **{f"/{key}": value for key, value in metadata.items()}})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _write_pdf(
    buffer: io.BytesIO,
    pack: MeetingPack,
    flow: _Flow,
    sections: dict[str, int],
    groups: list[tuple[str, int]],
    pages: range | None = None,
) -> None:
    total = len(flow.pages)
    charts = _Built()
    with matplotlib.rc_context(RC), PdfPages(buffer, metadata=_pdf_metadata(pack)) as pdf:
        for number, placed in enumerate(flow.pages, start=1):
            if pages is not None and number - 1 not in pages:
                continue
            figure = Figure(figsize=(PAGE_W, PAGE_H), facecolor="white")
            page = _Page(figure, charts)
            if number == 1:
                _draw_cover(page, pack, sections, groups)
            for entry in placed:
                entry.item.draw(page, entry.y, entry.fresh)
            _draw_frame(page, pack, number, total)
            pdf.savefig(figure)  # inside rc_context: pdf.fonttype 42 is read here


# ---------------------------------------------------------------------------------------------------------------
# PowerPoint

SLIDE_W = 13.333
SLIDE_H = 7.5
MARGIN = 0.5
BODY_TOP = 1.45
BODY_H = SLIDE_H - BODY_TOP - 0.35
SLIDE_BODY = 18
SLIDE_TABLE = 14
MAX_TABLE_ROWS = 8
CELL_MARGIN_X = 0.08
CELL_MARGIN_Y = 0.05
BULLET_INDENT = 0.3


def _language() -> MSO_LANGUAGE_ID:
    return MSO_LANGUAGE_ID.ENGLISH_UK if current_locale() == "en" else MSO_LANGUAGE_ID.SWEDISH


def _write(frame, paragraphs: Sequence[tuple[str, dict]], *, wrap: bool = True) -> None:
    """Fill a text frame: one paragraph per (text, style); style keys size, bold, italic, colour, bullet."""
    frame.word_wrap = wrap
    frame.auto_size = MSO_AUTO_SIZE.NONE
    language = _language()
    for index, (text, style) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = style.get("align", PP_ALIGN.LEFT)
        if style.get("space"):
            paragraph.space_after = Pt(style["space"])
        if style.get("bullet"):  # a real list item with a hanging indent, read as a list by screen readers
            properties = paragraph._p.get_or_add_pPr()
            properties.set("marL", str(Inches(BULLET_INDENT)))
            properties.set("indent", str(-Inches(BULLET_INDENT)))
            SubElement(properties, qn("a:buFont"), typeface="Arial")
            SubElement(properties, qn("a:buChar"), char="\u2022")
        run = paragraph.add_run()
        run.text = text
        font = run.font
        font.size = Pt(style.get("size", SLIDE_BODY))
        font.bold = style.get("bold", False)
        font.italic = style.get("italic", False)
        font.language_id = language


def _title(slide, text: str, *, top: float = 0.3, height: float = 1.0, size: int = 30) -> None:
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = (
        Inches(v) for v in (MARGIN, top, SLIDE_W - 2 * MARGIN, height)
    )
    width = (SLIDE_W - 2 * MARGIN - 0.2) * 72
    lines = max(1, int(height * 72 / (size * 1.2)))
    while size > 20 and len(_wrap(text, width, size, bold=True)) > lines:
        size -= 2
        lines = max(1, int(height * 72 / (size * 1.2)))
    frame = shape.text_frame
    frame.vertical_anchor = MSO_ANCHOR.TOP
    _write(
        frame,
        [(" ".join(_wrap(text, width, size, bold=True, max_lines=lines)), {"size": size, "bold": True})],
    )


def _notes(slide, texts: Sequence[str]) -> None:
    texts = [t for t in texts if t]
    if texts:
        slide.notes_slide.notes_text_frame.text = "\n\n".join(texts)


def _text_height(paragraphs: Sequence[tuple[str, dict]], width: float) -> float:
    """Inches a text box needs, from the same measuring as the PDF (conservative for Calibri)."""
    total = 0.1
    for text, style in paragraphs:
        size = style.get("size", SLIDE_BODY)
        indent = BULLET_INDENT if style.get("bullet") else 0.0
        lines = _wrap(text, (width - 0.2 - indent) * 72, size, bold=style.get("bold", False))
        total += max(len(lines), 1) * size * 1.2 / 72 + style.get("space", 0) / 72
    return total


def _split_paragraphs(
    paragraphs: Sequence[tuple[str, dict]], width: float, height: float
) -> list[list[tuple[str, dict]]]:
    chunks: list[list[tuple[str, dict]]] = [[]]
    for paragraph in paragraphs:
        if chunks[-1] and _text_height([*chunks[-1], paragraph], width) > height:
            chunks.append([])
        chunks[-1].append(paragraph)
    return chunks


def _textbox(slide, left: float, top: float, width: float, height: float, paragraphs) -> None:
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    _write(box.text_frame, paragraphs)


@dataclass(frozen=True)
class _Picture:
    """A chart ready for a slide: PNG bytes, the figure's size in inches and its texts."""

    title: str
    description: str
    size: tuple[float, float]
    png: bytes


def _picture(slide, chart: _Picture, left: float, top: float, width: float, height: float) -> None:
    figure_w, figure_h = chart.size
    scale = min(width / figure_w, height / figure_h)
    w, h = figure_w * scale, figure_h * scale
    picture = slide.shapes.add_picture(
        io.BytesIO(chart.png),
        Inches(left + (width - w) / 2),
        Inches(top),
        Emu(int(Inches(w))),
        Emu(int(Inches(h))),
    )
    properties = picture._element.nvPicPr.cNvPr
    properties.set("descr", _one_line(chart.description) or _one_line(chart.title))
    properties.set("name", _one_line(chart.title)[:120] or "Diagram")


def _table_rows_height(rows: Sequence[Sequence[str]], widths: Sequence[float], size: float) -> list[float]:
    heights = []
    for row in rows:
        lines = max(
            (
                len(_wrap(cell, (w - 2 * CELL_MARGIN_X - 0.02) * 72, size))
                for cell, w in zip(row, widths, strict=True)
            ),
            default=1,
        )
        heights.append(max(lines, 1) * size * 1.2 / 72 + 2 * CELL_MARGIN_Y + 0.04)
    return heights


def _table_chunks(
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    size: float,
    header_height: float,
    room: float,
    limit: int,
) -> list[list[int]]:
    chunks: list[list[int]] = [[]]
    used = header_height
    for index, height in enumerate(_table_rows_height(rows, widths, size)):
        if chunks[-1] and (used + height > room or len(chunks[-1]) >= limit):
            chunks.append([])
            used = header_height
        chunks[-1].append(index)
        used += height
    return chunks


def _table(
    slide, headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], bold: set[int]
):
    heights = _table_rows_height([headers, *rows], widths, SLIDE_TABLE)
    shape = slide.shapes.add_table(
        len(rows) + 1,
        len(headers),
        Inches(MARGIN),
        Inches(BODY_TOP),
        Inches(sum(widths)),
        Inches(sum(heights)),
    )
    table = shape.table
    for column, width in enumerate(widths):
        table.columns[column].width = Inches(width)
    for index, height in enumerate(heights):
        table.rows[index].height = Inches(height)
    for r, row in enumerate([headers, *rows]):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            cell.margin_left = cell.margin_right = Inches(CELL_MARGIN_X)
            cell.margin_top = cell.margin_bottom = Inches(CELL_MARGIN_Y)
            paragraphs = [
                (part, {"size": SLIDE_TABLE, "bold": r == 0 or (c in bold and i == 0)})
                for i, part in enumerate(text.split("\n") or [""])
            ]
            _write(cell.text_frame, paragraphs)
    return table


def _slide_widths(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    preferred: Sequence[float],
    flex: int,
    bold: set[int],
) -> list[float]:
    columns = [[(header, True)] for header in headers]
    for row in rows:
        for index, text in enumerate(row):
            columns[index].append((text, index in bold))
    return _fit_widths(columns, preferred, SLIDE_W - 2 * MARGIN, SLIDE_TABLE, CELL_MARGIN_X + 0.02, flex)


def _png(chart: Chart) -> _Picture:
    with _figure_lock(chart.figure):
        png = render(chart, "png", dpi=CHART_DPI)
    return _Picture(chart.title, chart.description, _size(chart), png)


def _recipe_png(recipe: ChartRecipe, locale: str) -> _Picture:
    """Build a chart and draw it as PNG: a task for a worker process."""
    with using_locale(locale):
        return _png(recipe())


def _pngs(charts: Sequence[Chart | ChartRecipe]) -> dict[int, _Picture]:
    """Every chart as PNG, keyed by id(chart). Recipes go to the worker processes when they are running.
    In this process matplotlib draws one figure at a time (a lock of its own), but PNG compression runs
    outside that lock and outside the GIL, so a second thread saves time."""
    unique = list({id(chart): chart for chart in charts}.values())
    recipes = [chart for chart in unique if isinstance(chart, ChartRecipe)]
    pictures: dict[int, _Picture] = {}
    if len(recipes) >= PARALLEL_CHARTS:
        locale = current_locale()
        shared = workers.share(_recipe_png, [(recipe, locale) for recipe in recipes])
        if shared is not None:
            pictures = {id(recipe): picture for recipe, picture in zip(recipes, shared, strict=True)}
    keys = [id(chart) for chart in unique if id(chart) not in pictures]
    built = [_Built()(chart) for chart in unique if id(chart) not in pictures]
    if len(built) < 4:
        return pictures | {key: _png(chart) for key, chart in zip(keys, built, strict=True)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        return pictures | dict(zip(keys, pool.map(_png, built), strict=True))


def _limit(text: str, length: int = 255) -> str:
    """Document properties hold at most 255 characters."""
    return text if len(text) <= length else text[: length - 1].rstrip() + ELLIPSIS


def _summary_cells(row: SummaryRow) -> list[str]:
    change = row.change + (f"\n{_warning(row.warning)}" if row.warning else "")
    latest = row.latest + (f"\n{row.interval}" if row.interval else "")
    return [row.target_group, row.step, latest, row.target, row.status, change, row.respondents]


def build_pptx(pack: MeetingPack) -> bytes:
    """The meeting pack as a 16:9 presentation: native tables, charts as pictures with alt text."""
    presentation = Presentation()
    presentation.slide_width = Inches(SLIDE_W)
    presentation.slide_height = Inches(SLIDE_H)
    layouts = presentation.slide_layouts
    title_layout, titled = layouts[0], layouts[5]
    date_text = _date(pack.meeting_date)
    content_w = SLIDE_W - 2 * MARGIN

    def titled_slide(title: str):
        slide = presentation.slides.add_slide(titled)
        _title(slide, title)
        return slide

    # Title slide
    slide = presentation.slides.add_slide(title_layout)
    _title(slide, pack.plan_title, top=1.6, height=2.2, size=40)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
        Inches(v) for v in (MARGIN, 4.0, content_w, 3.0)
    )
    subtitle_lines = [
        (" ".join(_wrap(pack.meeting_title, (content_w - 0.2) * 72, 24, max_lines=2)), {"size": 24}),
        (date_text, {"size": 24}),
    ]
    if pack.generated_note:
        note = " ".join(
            _wrap(pack.generated_note.replace("\n", " "), (content_w - 0.2) * 72, 14, max_lines=3)
        )
        subtitle_lines.append((note, {"size": 14, "italic": True}))
    _write(subtitle.text_frame, subtitle_lines)
    _notes(slide, [pack.plan_title, pack.meeting_title])

    # Summary
    headers = _summary_headers()
    rows = [_summary_cells(row) for row in pack.summary]
    widths = _slide_widths(headers, rows, [2.0, 1.55, 1.5, 0.95, 1.55, 3.45, 1.33], 5, {2, 4})
    header_height = _table_rows_height([headers], widths, SLIDE_TABLE)[0]
    chunks = _table_chunks(rows, widths, SLIDE_TABLE, header_height, BODY_H, MAX_TABLE_ROWS) if rows else [[]]
    for number, chunk in enumerate(chunks):
        slide = titled_slide(_("Sammanfattning") if number == 0 else _continued(_("Sammanfattning")))
        if chunk:
            _table(slide, headers, [rows[i] for i in chunk], widths, bold={2, 4})
        else:
            _textbox(
                slide,
                MARGIN,
                BODY_TOP,
                content_w,
                1.0,
                [(_("Det finns inga effektmål med resultat ännu."), {})],
            )

    # One slide per target group (its first chart beside the sentences), then its other charts two a slide
    pngs = _pngs([chart for group in pack.groups for chart in group.charts])
    for group in pack.groups:
        charts = [pngs[id(chart)] for chart in group.charts]
        paragraphs = [(s, {"size": SLIDE_BODY, "bullet": True, "space": 8}) for s in group.sentences]
        if not paragraphs and not charts:
            paragraphs = [(_("Det finns inga resultat att visa för målgruppen."), {"italic": True})]
        text_w = 4.4 if charts else content_w
        size = SLIDE_BODY
        while size > 14 and _text_height(paragraphs, text_w) > BODY_H:
            size -= 2
            paragraphs = [(text, {**style, "size": size}) for text, style in paragraphs]
        chunks_text = _split_paragraphs(paragraphs, text_w, BODY_H)
        slide = titled_slide(group.title)
        if chunks_text[0]:
            _textbox(slide, MARGIN, BODY_TOP, text_w, BODY_H, chunks_text[0])
        notes = [group.title]
        if charts:
            first = charts.pop(0)
            _picture(
                slide,
                first,
                MARGIN + text_w + 0.3,
                BODY_TOP,
                content_w - text_w - 0.3,
                BODY_H,
            )
            notes.append(first.description)
        _notes(slide, notes)
        for extra in chunks_text[1:]:
            slide = titled_slide(_continued(group.title))
            _textbox(slide, MARGIN, BODY_TOP, text_w, BODY_H, extra)
        for start in range(0, len(charts), 2):
            slide = titled_slide(_continued(group.title))
            pair = charts[start : start + 2]
            box_w = (content_w - 0.4) / 2
            for position, chart in enumerate(pair):
                _picture(slide, chart, MARGIN + position * (box_w + 0.4), BODY_TOP, box_w, BODY_H)
            _notes(slide, [group.title, *(chart.description for chart in pair)])

    # Activities awaiting a decision
    headers = _activity_headers()
    rows = [
        [a.when, a.title, a.channels, a.reach, a.recall, a.last_decision or _("Inget beslut ännu.")]
        for a in pack.activities
    ]
    widths = _slide_widths(headers, rows, [1.6, 3.0, 2.1, 1.45, 1.25, 2.93], 5, {1})
    header_height = _table_rows_height([headers], widths, SLIDE_TABLE)[0]
    chunks = _table_chunks(rows, widths, SLIDE_TABLE, header_height, BODY_H, MAX_TABLE_ROWS) if rows else [[]]
    for number, chunk in enumerate(chunks):
        title = _("Aktiviteter som väntar på beslut")
        slide = titled_slide(title if number == 0 else _continued(title))
        if chunk:
            _table(slide, headers, [rows[i] for i in chunk], widths, bold={1})
        else:
            _textbox(slide, MARGIN, BODY_TOP, content_w, 1.0, [(_("Inga aktiviteter väntar på beslut."), {})])

    # Methods
    lines = pack.methods.lines or (_("Ingen metodbeskrivning finns för det här underlaget."),)
    paragraphs = [(line, {"size": 16, "bullet": True, "space": 6}) for line in lines]
    for number, chunk in enumerate(_split_paragraphs(paragraphs, content_w, BODY_H)):
        slide = titled_slide(_("Om siffrorna") if number == 0 else _continued(_("Om siffrorna")))
        _textbox(slide, MARGIN, BODY_TOP, content_w, BODY_H, chunk)

    properties = presentation.core_properties
    metadata = _pdf_metadata(pack)
    properties.title = _limit(metadata["Title"])
    properties.author = AUTHOR
    properties.last_modified_by = AUTHOR
    properties.subject = _limit(metadata["Subject"])
    properties.keywords = _limit(metadata["Keywords"])
    properties.language = babel_locale().replace("_", "-")
    properties.revision = 1
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()
