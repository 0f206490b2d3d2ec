"""The meeting pack as a 16:9 PowerPoint that fits: for the projector and for editing.

Rules kept here, and checked by the tests on every slide:

* Nothing outside the slide. Every text is measured before it is placed (DejaVu Sans, which is wider than
  the Calibri a viewer shows, so the estimate errs on the safe side); a table or a list that does not fit
  continues on the next slide, titled "… (forts.)".
* No text under 14 pt, in text boxes, tables and charts alike.
* One chart per slide, native (a python-pptx chart, editable in PowerPoint, its numbers in the file) where
  the chart type allows: trends as lines with the interval as error bars and the target as a line, the
  other charts as bars. A chart that has no native form is a picture. Every chart and picture has its text
  alternative (``descr``), and hidden values are said in words under the chart.
* Every slide has a title (a screen reader lists slides by it) and every run is marked with the language.
"""

from __future__ import annotations

import copy
import importlib.util
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from lxml import etree
from PIL import ImageFont
from pptx import Presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE, XL_TICK_LABEL_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from pptx.opc.packuri import PackURI
from pptx.oxml import parse_xml
from pptx.oxml.ns import qn
from pptx.parts.chart import ChartPart
from pptx.table import _Cell
from pptx.util import Emu, Inches, Pt

from analysis.render.formatting import format_share, format_span
from analysis.render.report import AUTHOR, MeetingPack, NativeChart, PackChart, ReachLines, long_date
from locales import babel_locale, current_locale
from locales import gettext as _

__all__ = ["MIN_PT", "SLIDE_H", "SLIDE_W", "build_pptx", "cell_height", "text_height"]

SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
MARGIN = 0.5
TITLE_TOP, TITLE_H = 0.3, 1.0
BODY_TOP = 1.45
BODY_H = SLIDE_H - BODY_TOP - 0.45
CONTENT_W = SLIDE_W - 2 * MARGIN
MIN_PT = 14
BODY_PT = 18
TABLE_PT = 14
TITLE_PT = 28
CELL_X, CELL_Y = 0.08, 0.05  # table cell margins, inches
BOX_X, BOX_Y = 0.1, 0.05  # text box insets, inches (python-pptx's defaults)
LINE = 1.2  # line height per point of font size
INK = RGBColor(0x1A, 0x1A, 0x1A)


# --- measuring ------------------------------------------------------------------------------------------------


@cache
def _face(bold: bool) -> ImageFont.FreeTypeFont:
    # DejaVu Sans as matplotlib ships it (the charts' font), found without importing matplotlib.
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    package = Path(importlib.util.find_spec("matplotlib").origin).parent
    return ImageFont.truetype(str(package / "mpl-data" / "fonts" / "ttf" / name), 100)


@lru_cache(maxsize=4096)
def _advance(char: str, bold: bool) -> float:
    """A glyph's advance at 1 pt, in points."""
    return _face(bold).getlength(char) / 100


@lru_cache(maxsize=50000)
def _unit(word: str, bold: bool) -> float:
    """Width of ``word`` at 1 pt, in points: the glyphs' advances added up (no kerning, so a little wide)."""
    return sum(_advance(char, bold) for char in word)


def _lines(text: str, width_in: float, size: float, bold: bool = False) -> int:
    """How many lines ``text`` takes in a box ``width_in`` wide (words are not broken, paragraphs kept)."""
    width = width_in * 72
    space = _unit("x x", bold) - _unit("xx", bold)
    count = 0
    for paragraph in text.split("\n"):
        used, lines = 0.0, 1
        for word in paragraph.split():
            w = _unit(word, bold) * size
            if used and used + space * size + w > width:
                lines += 1 + int(w // width)  # an over-long word wraps inside itself
                used = w % width
            elif not used and w > width:
                lines += int(w // width)
                used = w % width
            else:
                used += (space * size if used else 0) + w
        count += lines
    return max(count, 1)


def text_height(paragraphs: Sequence[tuple[str, dict]], width_in: float) -> float:
    """Inches a text box of ``width_in`` needs for these paragraphs, insets included."""
    total = 2 * BOX_Y + 0.05
    inner = width_in - 2 * BOX_X
    for text, style in paragraphs:
        size = style.get("size", BODY_PT)
        indent = 0.3 if style.get("bullet") else 0.0
        total += _lines(text, inner - indent, size, style.get("bold", False)) * size * LINE / 72
        total += style.get("space", 0) / 72
    return total


def cell_height(texts: Sequence[str], widths: Sequence[float], size: float, bold: bool = False) -> float:
    lines = max(_lines(t, w - 2 * CELL_X, size, bold) for t, w in zip(texts, widths, strict=True))
    return lines * size * LINE / 72 + 2 * CELL_Y + 0.04


# --- writing --------------------------------------------------------------------------------------------------


def _language() -> str:
    return (MSO_LANGUAGE_ID.ENGLISH_UK if current_locale() == "en" else MSO_LANGUAGE_ID.SWEDISH).xml_value


_A_P, _A_PPR, _A_R, _A_RPR, _A_T, _A_BR = (qn(f"a:{n}") for n in ("p", "pPr", "r", "rPr", "t", "br"))
_A_SPC_AFT, _A_SPC_PTS, _A_BU_FONT, _A_BU_CHAR = (
    qn(f"a:{n}") for n in ("spcAft", "spcPts", "buFont", "buChar")
)
_ALIGN = {PP_ALIGN.LEFT: "l", PP_ALIGN.CENTER: "ctr", PP_ALIGN.RIGHT: "r"}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # XML cannot hold these


def _write(frame, paragraphs: Sequence[tuple[str, dict]]) -> None:
    """Fill a text frame: one paragraph per (text, style); style keys size, bold, italic, bullet, space.

    The paragraphs and runs are written as DrawingML directly: python-pptx's proxies, one per property,
    took a third of the deck's time."""
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    language = _language()
    body = frame._txBody
    first = body.find(_A_P)
    for index, (text, style) in enumerate(paragraphs):
        if index == 0 and first is not None:  # the frame's own empty paragraph
            paragraph = first
            for child in list(paragraph):
                paragraph.remove(child)
        else:
            paragraph = etree.SubElement(body, _A_P)
        properties = etree.SubElement(paragraph, _A_PPR, algn=_ALIGN[style.get("align", PP_ALIGN.LEFT)])
        if style.get("bullet"):  # a real list item with a hanging indent, read as a list by screen readers
            properties.set("marL", str(Inches(0.3)))
            properties.set("indent", str(-Inches(0.3)))
        if style.get("space"):
            after = etree.SubElement(properties, _A_SPC_AFT)
            etree.SubElement(after, _A_SPC_PTS, val=str(int(style["space"] * 100)))
        if style.get("bullet"):
            etree.SubElement(properties, _A_BU_FONT, typeface="Arial")
            etree.SubElement(properties, _A_BU_CHAR, char="\u2022")
        size = str(int(max(style.get("size", BODY_PT), MIN_PT) * 100))
        bold = "1" if style.get("bold", False) else "0"
        italic = "1" if style.get("italic", False) else "0"
        for number, line in enumerate(_CONTROL.sub("", text).split("\n")):
            if number:
                etree.SubElement(paragraph, _A_BR)
            run = etree.SubElement(paragraph, _A_R)
            etree.SubElement(run, _A_RPR, lang=language, sz=size, b=bold, i=italic)
            etree.SubElement(run, _A_T).text = line


def _fit_title(text: str) -> tuple[str, int]:
    width = CONTENT_W - 2 * BOX_X
    for size in range(TITLE_PT, 19, -2):
        if _lines(text, width, size, True) * size * LINE / 72 + 2 * BOX_Y <= TITLE_H:
            return text, size
    words, kept = text.split(), ""
    for word in words:  # cut at a word, with an ellipsis; the whole title is in the notes
        trial = f"{kept} {word}".strip()
        if _lines(trial + " \u2026", width, 20, True) * 20 * LINE / 72 + 2 * BOX_Y > TITLE_H:
            break
        kept = trial
    return (kept or text[:40]) + " \u2026", 20


def _limit(text: str, length: int = 255) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "\u2026"


@dataclass
class _Deck:
    pack: MeetingPack

    def __post_init__(self) -> None:
        self.presentation = Presentation()
        self.presentation.slide_width = Inches(SLIDE_W)
        self.presentation.slide_height = Inches(SLIDE_H)
        _quick_partnames(self.presentation.part.package)
        self.slides = self.presentation.slides  # each use of the property renames every slide part
        self.layout = self.presentation.slide_layouts[5]  # "Title Only"
        self.title_shape = None  # the layout's title placeholder as cloned onto a slide, still empty

    def slide(self, title: str):
        if self.title_shape is None:
            slide = self.slides.add_slide(self.layout)
            self.title_shape = copy.deepcopy(slide.shapes.title._element)
        else:  # what add_slide does, with the title placeholder copied instead of cloned from the layout
            number, slide = self.presentation.part.add_slide(self.layout)
            slide.shapes._spTree.append(copy.deepcopy(self.title_shape))
            self.slides._sldIdLst.add_sldId(number)
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = (
            Inches(MARGIN),
            Inches(TITLE_TOP),
            Inches(CONTENT_W),
            Inches(TITLE_H),
        )
        shown, size = _fit_title(title)
        shape.text_frame.vertical_anchor = MSO_ANCHOR.TOP
        _write(shape.text_frame, [(shown, {"size": size, "bold": True})])
        if shown != title:  # a title too long for the slide: the whole of it in the speaker notes
            slide.notes_slide.notes_text_frame.text = title
        return slide

    def text(
        self,
        slide,
        paragraphs,
        *,
        top: float = BODY_TOP,
        height: float = BODY_H,
        left=MARGIN,
        width=CONTENT_W,
    ):
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        _write(box.text_frame, paragraphs)
        return box

    def flowing(self, title: str, paragraphs: Sequence[tuple[str, dict]], *, after=None) -> None:
        """Paragraphs over as many slides as they need; with ``after`` (a slide and the height used on
        it), first into the room left on that slide."""
        slide, used = after if after is not None else (None, 0.0)
        room = BODY_H - used - 0.15 if slide is not None else BODY_H
        chunks: list[list[tuple[str, dict]]] = [[]]
        rooms = [room]
        for paragraph in paragraphs:
            too_tall = text_height([*chunks[-1], paragraph], CONTENT_W) > rooms[-1]
            if too_tall and (chunks[-1] or rooms[-1] < BODY_H):
                chunks.append([])
                rooms.append(BODY_H)
            chunks[-1].append(paragraph)
        for number, chunk in enumerate(chunks):
            if not chunk:
                continue
            if number == 0 and slide is not None:
                top = BODY_TOP + used + 0.15
            else:
                first = number == 0 and after is None
                slide = self.slide(title if first else _continued(title))
                top = BODY_TOP
            self.text(slide, chunk, top=top, height=min(rooms[number], text_height(chunk, CONTENT_W)))

    def table(
        self,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        fractions: Sequence[float],
        *,
        empty: str,
        intro: str = "",
    ):
        """A native table over as many slides as it needs, its header repeated on each. Returns the last
        slide and the height used on it, for text that may follow on the same slide."""
        total = sum(fractions)
        widths = [CONTENT_W * f / total for f in fractions]
        header_h = cell_height(headers, widths, TABLE_PT, True)
        heights = [cell_height(row, widths, TABLE_PT) for row in rows]
        intro_h = text_height([(intro, {"size": 16})], CONTENT_W) if intro else 0.0
        chunks: list[list[int]] = [[]]
        used = header_h + intro_h
        for index, height in enumerate(heights):
            if height + header_h > BODY_H:  # one row taller than a slide: shorten its longest cell
                rows = [*rows]
                rows[index] = _shorten(rows[index], widths, BODY_H - header_h - 0.1)
                heights[index] = cell_height(rows[index], widths, TABLE_PT)
                height = heights[index]
            if chunks[-1] and used + height > BODY_H:
                chunks.append([])
                used = header_h
            chunks[-1].append(index)
            used += height
        last = None
        for number, chunk in enumerate(chunks):
            slide = self.slide(title if number == 0 else _continued(title))
            top = BODY_TOP
            if intro and number == 0:
                self.text(slide, [(intro, {"size": 16})], height=intro_h)
                top += intro_h
            if not chunk:
                empty_h = text_height([(empty, {})], CONTENT_W)
                self.text(slide, [(empty, {})], top=top, height=empty_h)
                last = (slide, top - BODY_TOP + empty_h)
                continue
            chosen = [rows[i] for i in chunk]
            row_heights = [header_h] + [heights[i] for i in chunk]
            shape = slide.shapes.add_table(
                len(chosen) + 1,
                len(headers),
                Inches(MARGIN),
                Inches(top),
                Inches(CONTENT_W),
                Inches(sum(row_heights)),
            )
            # Sizes and margins set on the table's XML at once: python-pptx's setters resize the frame
            # after each column and row.
            table = shape.table
            grid = table._tbl.tblGrid.gridCol_lst
            for column, width in zip(grid, widths, strict=True):
                column.set("w", str(int(Inches(width))))
            for tr, height in zip(table._tbl.tr_lst, row_heights, strict=True):
                tr.set("h", str(int(Inches(height))))
            shape.width = Emu(sum(int(column.get("w")) for column in grid))
            shape.height = Emu(sum(int(Inches(height)) for height in row_heights))
            margins = {"marL": str(int(Inches(CELL_X))), "marR": str(int(Inches(CELL_X)))}
            margins |= {"marT": str(int(Inches(CELL_Y))), "marB": str(int(Inches(CELL_Y)))}
            for r, (tr, row) in enumerate(zip(table._tbl.tr_lst, [headers, *chosen], strict=True)):
                for tc, text in zip(tr.tc_lst, row, strict=True):
                    properties = tc.get_or_add_tcPr()
                    for name, value in margins.items():
                        properties.set(name, value)
                    _write(_Cell(tc, table).text_frame, [(text, {"size": TABLE_PT, "bold": r == 0})])
            last = (slide, top - BODY_TOP + sum(row_heights))
        return last

    def chart(self, title: str, chart: PackChart) -> None:
        """One chart on its own slide: native where the chart type allows, a picture otherwise; reach over
        time as a native line chart, or as its table when there are no figures to draw."""
        if (chart.reach is not None and chart.reach.empty) or (not chart.svg and chart.native is None):
            if chart.table:
                headers, *rows = chart.table
                self.table(title, headers, rows, [1.4, *(1.0 for _ in headers[1:])], empty="")
            return
        hidden = _hidden_points(chart.native)
        note = ""
        if hidden:
            note = _("Visas inte: %(points)s.") % {"points": "; ".join(hidden)}
        elif chart.reach is not None:
            note = _("En månad utan siffror är ett glapp i linjen, inte noll.")
        note_h = text_height([(note, {"size": 14})], CONTENT_W) if note else 0.0
        description = (
            chart.description if chart.svg or chart.reach else (_describe(chart) or chart.description)
        )
        slide = self.slide(title)
        room = BODY_H - note_h
        kept = (
            _reach_chart(chart.reach, _language())
            if chart.reach
            else _native_chart(chart.native, _language())
        )
        if kept is not None:
            frame = _add_chart(slide, kept, Inches(MARGIN), Inches(BODY_TOP), Inches(CONTENT_W), Inches(room))
            properties = frame.nvGraphicFramePr.cNvPr
        else:
            png, (w, h) = _png(chart)
            scale = min(CONTENT_W / w, room / h)
            picture = slide.shapes.add_picture(
                io.BytesIO(png),
                Inches(MARGIN + (CONTENT_W - w * scale) / 2),
                Inches(BODY_TOP),
                Emu(int(Inches(w * scale))),
                Emu(int(Inches(h * scale))),
            )
            properties = picture._element.nvPicPr.cNvPr
        properties.set("descr", _limit(description, 2000))
        properties.set("name", _limit(chart.title, 120) or "Diagram")
        if note:
            self.text(slide, [(note, {"size": 14})], top=BODY_TOP + room, height=note_h)

    def save(self) -> bytes:
        pack = self.pack
        properties = self.presentation.core_properties
        properties.title = _limit(pack.title)
        properties.author = AUTHOR
        properties.last_modified_by = AUTHOR
        properties.subject = _limit(
            _("Underlag till uppföljningsmöte %(date)s") % {"date": long_date(pack.meeting_date)}
        )
        properties.keywords = _limit(", ".join((_("uppföljning"), _("effektmål"), _("länsledning"))))
        properties.language = babel_locale().replace("_", "-")
        properties.revision = 1
        buffer = io.BytesIO()
        self.presentation.save(buffer)
        return buffer.getvalue()


def _continued(title: str) -> str:
    return _("%(title)s (forts.)") % {"title": title}


def _shorten(row: Sequence[str], widths: Sequence[float], room: float) -> list[str]:
    """A row whose cells fit ``room``: the longest cells cut at a word with "…" (the rest is in the PDF)."""
    row = list(row)
    while cell_height(row, widths, TABLE_PT) > room:
        longest = max(range(len(row)), key=lambda i: len(row[i]))
        words = row[longest].split()
        if len(words) <= 1:
            break
        row[longest] = " ".join(words[: max(1, len(words) * 3 // 4)]) + " \u2026"
    return row


# --- charts ---------------------------------------------------------------------------------------------------


def _hidden_points(native: NativeChart | None) -> list[str]:
    if native is None:
        return []
    return [
        f"{label} ({note})" if note else label
        for label, share, note in zip(native.categories, native.shares, native.notes, strict=True)
        if share is None
    ]


def _describe(chart: PackChart) -> str:
    """A text alternative from the chart's numbers, for a native chart whose drawing was never made."""
    native = chart.native
    if native is None:
        return ""
    parts = []
    for label, share, low, high, note in zip(
        native.categories, native.shares, native.lows, native.highs, native.notes, strict=True
    ):
        if share is None:
            parts.append(f"{label}: {note or _('visas inte')}")
        elif low is not None and high is not None:
            parts.append(f"{label}: {format_share(share)} ({format_span(low, high)})")
        else:
            parts.append(f"{label}: {format_share(share)}")
    text = f"{chart.title}. " + "; ".join(parts) + "."
    if native.target is not None:
        text += " " + _("Mål: %(target)s.") % {"target": format_share(native.target)}
    return text


def _quick_partnames(package) -> None:
    """Give this package's new parts their names from a set kept up to date, instead of python-pptx's walk
    over every part of the package for each new chart, workbook and notes page (quadratic in the slides)."""
    taken = {str(part.partname) for part in package.iter_parts()}
    after: dict[str, int] = {}

    def next_partname(template: str) -> PackURI:
        number = after.get(template, 0) + 1
        while template % number in taken:
            number += 1
        after[template] = number
        taken.add(template % number)
        return PackURI(template % number)

    package.next_partname = next_partname


@dataclass(frozen=True)
class _KeptChart:
    """A native chart ready to place: its styled chart XML and its embedded workbook (the numbers that
    PowerPoint's "Edit data" opens). A meeting's charts never change, so each is made once per process."""

    xml: bytes
    workbook: bytes


def _kept(chart_type, data: CategoryChartData, style) -> _KeptChart:
    space = parse_xml(data.xml_bytes(chart_type))
    style(Chart(space, None))
    return _KeptChart(etree.tostring(space), data.xlsx_blob)


@lru_cache(maxsize=512)
def _native_chart(native: NativeChart | None, language: str) -> _KeptChart | None:
    found = _native(native)
    if found is None:
        return None
    chart_type, data, errors, target = found
    return _kept(chart_type, data, lambda chart: _style_chart(chart, chart_type, errors, target))


@lru_cache(maxsize=64)
def _reach_chart(lines: ReachLines, language: str) -> _KeptChart:
    """Reach per month as lines, one per channel (and per longer period), on a count axis of its own."""
    data = CategoryChartData(number_format="#,##0")
    data.categories = list(lines.months)
    for name, values in lines.series:
        data.add_series(name, list(values))
    return _kept(XL_CHART_TYPE.LINE_MARKERS, data, _style_reach)


def _add_chart(slide, kept: _KeptChart, x, y, cx, cy):
    """A chart part from kept XML and workbook, related to the slide, in a frame: what python-pptx's
    ``add_chart`` does, without building and styling the chart again."""
    package = slide.part.package
    part = ChartPart.load(
        package.next_partname(ChartPart.partname_template), CONTENT_TYPE.DML_CHART, package, kept.xml
    )
    part.chart_workbook.update_from_xlsx_blob(kept.workbook)
    shapes = slide.shapes
    frame = shapes._add_chart_graphicFrame(slide.part.relate_to(part, RELATIONSHIP_TYPE.CHART), x, y, cx, cy)
    shapes._recalculate_extents()
    return frame


def _native(native: NativeChart | None):
    """(chart type, data, error bars, has a target) for python-pptx, or None."""
    if native is None or not native.categories:
        return None
    data = CategoryChartData(number_format="0%")
    data.categories = list(native.categories)
    data.add_series(_("Andel"), list(native.shares))
    rows = list(zip(native.shares, native.lows, native.highs, strict=True))
    errors = [
        [(s - lo) if s is not None and lo is not None else 0.0 for s, lo, _hi in rows],
        [(hi - s) if s is not None and hi is not None else 0.0 for s, _lo, hi in rows],
    ]
    if native.kind == "line":
        if native.target is not None:
            data.add_series(_("Mål"), [native.target] * len(native.categories))
        return XL_CHART_TYPE.LINE_MARKERS, data, errors, native.target is not None
    return XL_CHART_TYPE.BAR_CLUSTERED, data, errors, False


def _style_chart(chart, chart_type, errors, has_target: bool) -> None:
    chart.font.size = Pt(MIN_PT)
    chart.has_title = False
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(MIN_PT)
    values = chart.value_axis
    values.minimum_scale, values.maximum_scale = 0.0, 1.0
    values.major_unit = 0.2
    values.has_major_gridlines = True
    values.tick_labels.font.size = Pt(MIN_PT)
    values.tick_labels.number_format = "0%"
    values.tick_labels.number_format_is_linked = False
    categories = chart.category_axis
    categories.tick_labels.font.size = Pt(MIN_PT)
    categories.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    if chart_type == XL_CHART_TYPE.BAR_CLUSTERED:
        categories.reverse_order = True  # the first row at the top, as in the drawing
    plot = chart.plots[0]
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.font.size = Pt(MIN_PT)
    labels.number_format = "0%"
    labels.number_format_is_linked = False
    series = plot.series[0]
    _error_bars(series._element, *errors)
    if has_target and len(plot.series) > 1:
        goal = plot.series[1]
        goal.marker.style = XL_MARKER_STYLE.NONE
        goal.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH  # told apart by its line, not its colour
        goal.format.line.color.rgb = RGBColor(0xD5, 0x5E, 0x00)
        no_labels = etree.Element(qn("c:dLbls"))
        etree.SubElement(no_labels, qn("c:delete"), val="1")
        goal._element.insert(_position(goal._element), no_labels)


def _style_reach(chart) -> None:
    """Reach counts: its own count axis from zero, the legend below, no labels on the points (too many)."""
    chart.font.size = Pt(MIN_PT)
    chart.has_title = False
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(MIN_PT)
    values = chart.value_axis
    values.minimum_scale = 0.0
    values.has_major_gridlines = True
    values.tick_labels.font.size = Pt(MIN_PT)
    values.tick_labels.number_format = "#,##0"
    values.tick_labels.number_format_is_linked = False
    categories = chart.category_axis
    categories.tick_labels.font.size = Pt(MIN_PT)
    categories.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    for number, series in enumerate(chart.plots[0].series):
        # Told apart by marker and dash as well as colour, as in the drawing.
        series.marker.style = _REACH_MARKERS[number % len(_REACH_MARKERS)]
        series.format.line.dash_style = _REACH_DASHES[number % len(_REACH_DASHES)]
        series.smooth = False


_REACH_MARKERS = (
    XL_MARKER_STYLE.CIRCLE,
    XL_MARKER_STYLE.SQUARE,
    XL_MARKER_STYLE.TRIANGLE,
    XL_MARKER_STYLE.DIAMOND,
    XL_MARKER_STYLE.X,
    XL_MARKER_STYLE.PLUS,
)
_REACH_DASHES = (
    MSO_LINE_DASH_STYLE.SOLID,
    MSO_LINE_DASH_STYLE.DASH,
    MSO_LINE_DASH_STYLE.ROUND_DOT,
    MSO_LINE_DASH_STYLE.DASH_DOT,
    MSO_LINE_DASH_STYLE.LONG_DASH,
    MSO_LINE_DASH_STYLE.SQUARE_DOT,
)

_ORDER = (
    "c:idx",
    "c:order",
    "c:tx",
    "c:spPr",
    "c:invertIfNegative",
    "c:marker",
    "c:dPt",
    "c:dLbls",
    "c:trendline",
)


def _position(series) -> int:
    """Where an element after the data labels goes in a series (the schema fixes the order)."""
    index = 0
    for number, child in enumerate(series):
        if etree.QName(child).localname in {name.split(":")[1] for name in _ORDER}:
            index = number + 1
    return index


def _error_bars(series, minus: Sequence[float], plus: Sequence[float]) -> None:
    """The interval as custom error bars: the numbers stay in the file and move with the chart."""
    if not any(minus) and not any(plus):
        return
    bars = etree.Element(qn("c:errBars"))  # along the value axis (no direction: that is for scatter charts)
    etree.SubElement(bars, qn("c:errBarType"), val="both")
    etree.SubElement(bars, qn("c:errValType"), val="cust")
    etree.SubElement(bars, qn("c:noEndCap"), val="0")
    for name, values in (("c:plus", plus), ("c:minus", minus)):
        holder = etree.SubElement(bars, qn(name))
        literal = etree.SubElement(holder, qn("c:numLit"))
        etree.SubElement(literal, qn("c:formatCode")).text = "General"
        etree.SubElement(literal, qn("c:ptCount"), val=str(len(values)))
        for index, value in enumerate(values):
            point = etree.SubElement(literal, qn("c:pt"), idx=str(index))
            etree.SubElement(point, qn("c:v")).text = repr(round(max(value, 0.0), 6))
    series.insert(_position(series), bars)


def _png(chart: PackChart) -> tuple[bytes, tuple[float, float]]:
    """A picture for a chart without a native form: its SVG drawn as PNG (by Typst)."""
    from analysis.render.pack_typst import svg_to_png

    return svg_to_png(chart.svg)


# --- the deck -------------------------------------------------------------------------------------------------


def build_pptx(pack: MeetingPack) -> bytes:
    """The meeting pack as a 16:9 presentation that fits the slide, with native tables and charts."""
    labels = pack.labels()
    deck = _Deck(pack)

    # Title slide
    title_slide = deck.slide(pack.meeting_title)
    lines = [
        (pack.plan_title, {"size": 24, "bold": True, "space": 6}),
        (long_date(pack.meeting_date), {"size": 20, "space": 6}),
        (pack.taken_note, {"size": 16, "space": 6}),
        (pack.branding.name, {"size": 16}),
    ]
    logo_h = 1.2 if pack.branding.logo is not None and pack.branding.logo_format in ("png", "jpg") else 0.0
    height = min(text_height(lines, CONTENT_W), BODY_H - logo_h)
    deck.text(title_slide, lines, height=height)
    if logo_h:
        picture = title_slide.shapes.add_picture(
            io.BytesIO(pack.branding.logo),
            Inches(MARGIN),
            Inches(BODY_TOP + height + 0.2),
            height=Inches(logo_h - 0.2),
        )
        if picture.left + picture.width > Inches(SLIDE_W - MARGIN):
            ratio = picture.height / picture.width
            picture.width = Inches(CONTENT_W)
            picture.height = int(picture.width * ratio)
        picture._element.nvPicPr.cNvPr.set("descr", pack.branding.name)

    # The summary: the headline, the matrix, the largest changes, the decisions asked for
    summary = [(pack.headline, {"size": 24, "bold": True, "space": 12})]
    summary += [(note, {"size": 16, "space": 8}) for note in pack.notes]
    deck.flowing(labels["summary"], summary)
    rows = [
        [
            row.group,
            *(
                "\n".join((c.share, c.interval, f"{c.status.shape} {c.status.word}")).replace("\n\n", "\n")
                if c is not None
                else labels["not_measured"]
                for c in row.cells
            ),
        ]
        for row in pack.matrix
    ]
    deck.table(
        labels["matrix"],
        [labels["group"], *pack.steps],
        rows,
        [1.6, *(1.0 for _ in pack.steps)],
        empty=_("Det finns inga effektmål med resultat ännu."),
    )
    deck.flowing(
        labels["changes"],
        [(c, {"bullet": True, "space": 10}) for c in pack.changes] or [(labels["no_changes"], {})],
    )
    deck.table(
        labels["asked"],
        [labels["activity"], labels["when"], labels["earlier"], labels["comment"]],
        [[a.title, a.when, a.earlier or "–", a.comment] for a in pack.asked],
        [2.2, 1.1, 1.8, 1.8],
        empty=labels["none_asked"],
    )
    if pack.decided:
        deck.table(
            labels["decided"],
            [labels["activity"], labels["decision"], labels["comment"]],
            [[a.title, a.decision, a.comment] for a in pack.decided],
            [2.2, 2.6, 1.8],
            empty="",
        )

    # One section per target group: its goals, its verdicts and comments, then one chart a slide
    for group in pack.groups:
        after = deck.table(
            group.title,
            [
                labels["step"],
                labels["latest"],
                labels["interval"],
                labels["target"],
                labels["status"],
                labels["wave"],
            ],
            [
                [g.step, g.latest, g.interval, g.target, f"{g.status.shape} {g.status.word}", g.wave]
                for g in group.goals
            ],
            [1.5, 1.0, 1.1, 0.8, 1.6, 1.8],
            empty=labels["no_goals"],
        )
        paragraphs = []
        for goal in group.goals:
            paragraphs.append((f"{goal.step}: {goal.wording}", {"bold": True, "space": 4}))
            paragraphs += [(s, {"bullet": True, "space": 4, "size": 16}) for s in goal.sentences]
            if goal.comment:
                paragraphs.append(
                    (f"{labels['comment']}: {goal.comment}", {"italic": True, "space": 8, "size": 16})
                )
        if paragraphs:
            deck.flowing(group.title, paragraphs, after=after)
        for chart in group.charts:
            title = chart.title if group.title in chart.title else f"{group.title} – {chart.title}"
            deck.chart(title, chart)

    # Activities and decisions
    deck.table(
        labels["activities"],
        [labels["activity"], labels["when"], labels["reach"], labels["decision"], labels["comment"]],
        [
            [
                a.title,
                a.when,
                a.reach,
                (a.decision or (labels["awaiting"] if a.asked else "–"))
                + (f"\n{labels['earlier']}: {a.earlier}" if a.earlier else ""),
                a.comment,
            ]
            for a in pack.activities
        ],
        [2.3, 1.1, 1.4, 2.3, 1.7],
        empty=labels["no_activities"],
    )
    for chart in pack.reach_charts:
        deck.chart(chart.title or labels["reach_trend"], chart)

    # Methods
    deck.flowing(
        labels["methods"],
        [(line, {"bullet": True, "space": 6, "size": 16}) for line in pack.methods.lines]
        or [(_("Ingen metodbeskrivning finns för det här underlaget."), {})],
    )
    return deck.save()
