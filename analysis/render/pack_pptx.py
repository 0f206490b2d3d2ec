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

import importlib.util
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from lxml import etree
from PIL import ImageFont
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE, XL_TICK_LABEL_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from analysis.render.formatting import format_share, format_span
from analysis.render.report import AUTHOR, MeetingPack, NativeChart, PackChart, long_date
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


def _language():
    return MSO_LANGUAGE_ID.ENGLISH_UK if current_locale() == "en" else MSO_LANGUAGE_ID.SWEDISH


def _write(frame, paragraphs: Sequence[tuple[str, dict]]) -> None:
    """Fill a text frame: one paragraph per (text, style); style keys size, bold, italic, bullet, space."""
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    language = _language()
    for index, (text, style) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = style.get("align", PP_ALIGN.LEFT)
        if style.get("space"):
            paragraph.space_after = Pt(style["space"])
        if style.get("bullet"):  # a real list item with a hanging indent, read as a list by screen readers
            properties = paragraph._p.get_or_add_pPr()
            properties.set("marL", str(Inches(0.3)))
            properties.set("indent", str(-Inches(0.3)))
            etree.SubElement(properties, qn("a:buFont"), typeface="Arial")
            etree.SubElement(properties, qn("a:buChar"), char="\u2022")
        for number, line in enumerate(text.split("\n")):
            if number:
                paragraph.add_line_break()
            run = paragraph.add_run()
            run.text = line
            font = run.font
            font.size = Pt(max(style.get("size", BODY_PT), MIN_PT))
            font.bold = style.get("bold", False)
            font.italic = style.get("italic", False)
            font.language_id = language


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

    def slide(self, title: str):
        slide = self.presentation.slides.add_slide(self.presentation.slide_layouts[5])
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
            table = shape.table
            for c, width in enumerate(widths):
                table.columns[c].width = Inches(width)
            for r, height in enumerate(row_heights):
                table.rows[r].height = Inches(height)
            for r, row in enumerate([headers, *chosen]):
                for c, text in enumerate(row):
                    cell = table.cell(r, c)
                    cell.margin_left = cell.margin_right = Inches(CELL_X)
                    cell.margin_top = cell.margin_bottom = Inches(CELL_Y)
                    _write(cell.text_frame, [(text, {"size": TABLE_PT, "bold": r == 0})])
            last = (slide, top - BODY_TOP + sum(row_heights))
        return last

    def chart(self, title: str, chart: PackChart) -> None:
        """One chart on its own slide: native where the chart type allows, a picture otherwise."""
        hidden = _hidden_points(chart.native)
        note = ""
        if hidden:
            note = _("Visas inte: %(points)s.") % {"points": "; ".join(hidden)}
        note_h = text_height([(note, {"size": 14})], CONTENT_W) if note else 0.0
        description = chart.description if chart.svg else (_describe(chart) or chart.description)
        slide = self.slide(title)
        room = BODY_H - note_h
        native = _native(chart.native)
        if native is not None:
            chart_type, data, errors, target = native
            frame = slide.shapes.add_chart(
                chart_type, Inches(MARGIN), Inches(BODY_TOP), Inches(CONTENT_W), Inches(room), data
            )
            _style_chart(frame.chart, chart_type, errors, target)
            properties = frame._element.nvGraphicFramePr.cNvPr
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
                else labels["no_goal"]
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
