"""Reading a meeting pack back as its readers' tools do, and saying what is wrong with it.

PDF (pikepdf for the structure, pypdf for the text): the structure tree, the language, the marked-content
flag, the PDF/UA identification in the XMP metadata, a text alternative on every figure, the headings in
reading order, and no word broken inside (a line may end in a hyphen only where Swedish hyphenates).
PowerPoint: every shape inside the slide, every text at 14 pt or more and fitting its box (measured the
way the deck is laid out), one chart a slide, native charts, pictures and charts with alternative text.
HTML: the language, headings, tables with header cells and scope, images with alternative text.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from html.parser import HTMLParser

import pikepdf
import pyphen
from pptx import Presentation
from pptx.util import Emu
from pypdf import PdfReader

from analysis.render import pack_pptx
from analysis.render.report import MeetingPack

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # letters only: numbers are never hyphenated
SOFT_HYPHEN = "\u00ad"


# --- PDF --------------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class PdfFacts:
    pages: int
    lang: str
    marked: bool
    ua_part: str | None
    headings: list[tuple[str, str]]  # (H1/H2/H3, text) in the structure tree's order
    outline: list[str]  # bookmark titles, depth first
    outline_pages: list[int]  # the page (1-based) each bookmark points to
    figures: list[str]  # each figure's alternative text ("" when missing)
    tables: int
    header_cells: int


def pdf_facts(data: bytes) -> PdfFacts:
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    headings: list[tuple[str, str]] = []
    figures: list[str] = []
    counts = {"/Table": 0, "/TH": 0}

    def walk(element) -> None:
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            return
        kind = str(element.S)
        if kind in ("/H1", "/H2", "/H3", "/H4"):
            headings.append((kind[1:], str(element.get("/T", ""))))
        if kind == "/Figure":
            figures.append(str(element.get("/Alt", "")))
        if kind in counts:
            counts[kind] += 1
        children = element.get("/K")
        for child in children if isinstance(children, pikepdf.Array) else [children]:
            walk(child)

    tree = root.get("/StructTreeRoot")
    if tree is not None:
        kids = tree.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid)
    outline, outline_pages = [], []
    pages = {page.objgen: number for number, page in enumerate(pdf.pages, 1)}
    with pdf.open_outline() as found:

        def visit(items) -> None:
            for item in items:
                outline.append(item.title)
                target = item.destination if item.destination is not None else item.action.get("/D")
                outline_pages.append(pages.get(target[0].objgen, 0) if target is not None else 0)
                visit(item.children)

        visit(found.root)
    metadata = pdf.open_metadata()
    mark = root.get("/MarkInfo")
    return PdfFacts(
        pages=len(pdf.pages),
        lang=str(root.get("/Lang", "")),
        marked=bool(mark is not None and mark.get("/Marked", False)),
        ua_part=metadata.get("pdfuaid:part"),
        headings=headings,
        outline=outline,
        outline_pages=outline_pages,
        figures=figures,
        tables=counts["/Table"],
        header_cells=counts["/TH"],
    )


@dataclasses.dataclass
class PdfRow:
    """One body row of a table in the structure tree, as a screen reader meets it."""

    cells: list[str]  # the cells' tags, "TH" or "TD"
    scope: str  # the first cell's /Scope ("" when it has none)
    found_by_id: bool  # the first cell's /ID leads back to it through the /IDTree
    named_by_all: bool  # every other cell names the first in its /Headers


def _table_attributes(element) -> pikepdf.Dictionary:
    found = element.get("/A")
    for item in found if isinstance(found, pikepdf.Array) else [found]:
        if isinstance(item, pikepdf.Dictionary) and item.get("/O") == "/Table":
            return item
    return pikepdf.Dictionary()


def pdf_table_rows(data: bytes) -> list[PdfRow]:
    """Every body row of every table, in the order of the structure tree."""
    pdf = pikepdf.open(io.BytesIO(data))
    tree = pdf.Root.StructTreeRoot
    names = tree.get("/IDTree", pikepdf.Dictionary()).get("/Names", pikepdf.Array())
    ids = {bytes(names[i]): names[i + 1] for i in range(0, len(names), 2)}
    rows: list[PdfRow] = []

    def kids(element) -> list:
        found = element.get("/K")
        items = found if isinstance(found, pikepdf.Array) else [found]
        return [k for k in items if isinstance(k, pikepdf.Dictionary) and "/S" in k]

    def walk(element, in_body: bool) -> None:
        kind = str(element.S)
        if kind == "/TR" and in_body:
            cells = kids(element)
            first = cells[0]
            key = bytes(first.get("/ID", b""))
            target = ids.get(key)
            rows.append(
                PdfRow(
                    cells=[str(c.S)[1:] for c in cells],
                    scope=str(_table_attributes(first).get("/Scope", ""))[1:],
                    found_by_id=bool(key) and target is not None and target.objgen == first.objgen,
                    named_by_all=bool(key)
                    and all(
                        key in [bytes(h) for h in _table_attributes(c).get("/Headers", [])] for c in cells[1:]
                    ),
                )
            )
            return
        for kid in kids(element):
            walk(kid, in_body or kind == "/TBody")

    for kid in tree.K if isinstance(tree.K, pikepdf.Array) else [tree.K]:
        walk(kid, False)
    return rows


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def source_words(pack: MeetingPack, *extra: str) -> set[str]:
    """Every word the pack was given: its texts, the fixed labels, and the words drawn in its charts."""
    from analysis.render.pack_typst import pdf_data

    texts = [json.dumps(pdf_data(pack), ensure_ascii=False), *extra]
    for group in pack.groups:
        for chart in group.charts:
            texts += re.findall(r"<text\b[^>]*>(.*?)</text>", chart.svg, flags=re.S)
    words = set()
    for text in texts:
        words.update(WORD.findall(text.replace("\\n", " ")))
    return words


VOWELS = set("aeiouyåäöéAEIOUYÅÄÖÉ")


def _hyphenation_point(word: str, at: int, hyphenator: pyphen.Pyphen) -> bool:
    """Whether Swedish hyphenates ``word`` before position ``at``. The pattern sets differ inside a run of
    consonants ("arbetsplats-träffar" or "arbetsplat-sträffar"): anywhere in the run is a syllable boundary."""
    positions = set(hyphenator.positions(word))
    if at in positions:
        return True
    near = [p for p in positions if abs(p - at) <= 2]
    return any(not (set(word[min(p, at) - 1 : max(p, at) + 1]) & VOWELS) for p in near)


def broken_words(pages: list[str], words: set[str], language: str = "sv") -> list[str]:
    """Words the PDF breaks inside: a fragment that is no word of the source, or a hyphen at a line end
    where the language does not hyphenate. A real hyphen ("hälso- och") may end a line.

    Text is read in the content's order, which in a table runs across the cells of a row, so the rest of a
    hyphenated word is looked for at the start of any line on the same page or the next."""
    hyphenator = pyphen.Pyphen(lang=language)
    found = []
    for number, page in enumerate(pages, 1):
        following = pages[number] if number < len(pages) else ""
        starts = {m.group(1) for m in re.finditer(r"(?:^|\n)\W*(\w+)", page + "\n" + following)}
        used: set[str] = set()
        text = page.replace("\u2011", "-")
        for match in re.finditer(rf"(\w+)[{SOFT_HYPHEN}-][ ]*(?=\n|$)", text):
            before = match.group(1)
            if not WORD.fullmatch(before):
                continue
            wholes = [
                w
                for w in words
                if w.startswith(before) and len(w) > len(before) and w[len(before) :] in starts
            ]
            if wholes:
                whole = min(wholes, key=len)
                used.add(whole[len(before) :])
                if not _hyphenation_point(whole, len(before), hyphenator):
                    found.append(
                        f"p. {number}: {before}-{whole[len(before) :]} is not a Swedish hyphenation point"
                    )
            elif before not in words:
                found.append(f"p. {number}: «{before}-» ends a line and is no word")
        for word in WORD.findall(text):
            if (
                word not in words
                and word not in used
                and not any(word == w[: len(word)] and w[len(word) :] in used for w in words)
            ):
                found.append(f"p. {number}: «{word}»")
    return found


# --- PowerPoint -------------------------------------------------------------------------------------------------


def _shapes(shapes):
    for shape in shapes:
        yield shape
        if hasattr(shape, "shapes"):
            yield from _shapes(shape.shapes)


def _paragraphs(frame) -> list[tuple[str, dict]]:
    result = []
    for paragraph in frame.paragraphs:
        sizes = [run.font.size.pt for run in paragraph.runs if run.font.size is not None]
        text = "".join(run.text for run in paragraph.runs)
        bullet = (
            paragraph._p.pPr is not None
            and paragraph._p.pPr.find("{http://schemas.openxmlformats.org/drawingml/2006/main}buChar")
            is not None
        )
        bold = any(run.font.bold for run in paragraph.runs)
        space = paragraph.space_after.pt if paragraph.space_after is not None else 0
        text = "\n".join(text.split("\v")) if "\v" in text else text
        result.append(
            (text, {"size": max(sizes, default=18), "bullet": bullet, "bold": bold, "space": space})
        )
    return result


def pptx_problems(data: bytes) -> list[str]:
    """Every way a slide breaks the deck's rules, as sentences; [] when it keeps them all."""
    deck = Presentation(io.BytesIO(data))
    width, height = deck.slide_width, deck.slide_height
    problems = []
    for number, slide in enumerate(deck.slides, 1):
        where = f"slide {number}"
        if slide.shapes.title is None or not slide.shapes.title.text_frame.text.strip():
            problems.append(f"{where}: no title")
        charts = 0
        for shape in _shapes(slide.shapes):
            name = f"{where} «{shape.name}»"
            if (
                shape.left < 0
                or shape.top < 0
                or shape.left + shape.width > width
                or shape.top + shape.height > height
            ):
                problems.append(f"{name}: outside the slide")
            if shape.has_text_frame:
                for run in (r for p in shape.text_frame.paragraphs for r in p.runs):
                    if run.font.size is None or run.font.size.pt < 14:
                        problems.append(f"{name}: text «{run.text[:30]}» under 14 pt")
                paragraphs = [p for p in _paragraphs(shape.text_frame) if p[0]]
                if paragraphs:
                    needed = pack_pptx.text_height(paragraphs, Emu(shape.width).inches)
                    if needed > Emu(shape.height).inches + 0.02:
                        problems.append(
                            f"{name}: text needs {needed:.2f} in, the box is {Emu(shape.height).inches:.2f}"
                        )
            if getattr(shape, "has_table", False) and shape.has_table:
                table = shape.table
                total = sum(row.height for row in table.rows)
                if shape.top + total > height:
                    problems.append(f"{name}: the table ends below the slide")
                for r, row in enumerate(table.rows):
                    texts = [cell.text_frame.text for cell in row.cells]
                    widths = [Emu(column.width).inches for column in table.columns]
                    bold = r == 0
                    need = pack_pptx.cell_height(texts, widths, pack_pptx.TABLE_PT, bold)
                    if need > Emu(row.height).inches + 0.02:
                        problems.append(
                            f"{name}: row {r} needs {need:.2f} in, has {Emu(row.height).inches:.2f}"
                        )
                    for cell in row.cells:
                        for run in (x for p in cell.text_frame.paragraphs for x in p.runs):
                            if run.font.size is None or run.font.size.pt < 14:
                                problems.append(f"{name}: table text «{run.text[:30]}» under 14 pt")
            if getattr(shape, "has_chart", False) and shape.has_chart:
                charts += 1
                xml = shape.chart._chartSpace.xml
                sizes = [int(s) for s in re.findall(r'\bsz="(\d+)"', xml)]
                if not sizes or min(sizes) < 1400:
                    problems.append(f"{name}: chart text under 14 pt")
                if not shape._element.nvGraphicFramePr.cNvPr.get("descr"):
                    problems.append(f"{name}: chart without alternative text")
            if shape.shape_type == 13:  # a picture
                charts += 1
                if not shape._element.nvPicPr.cNvPr.get("descr"):
                    problems.append(f"{name}: picture without alternative text")
        if charts > 1:
            problems.append(f"{where}: {charts} charts on one slide")
    return problems


def pptx_charts(data: bytes) -> tuple[int, int]:
    """(native charts, pictures) in the deck."""
    deck = Presentation(io.BytesIO(data))
    shapes = [s for slide in deck.slides for s in _shapes(slide.shapes)]
    return sum(1 for s in shapes if getattr(s, "has_chart", False) and s.has_chart), sum(
        1 for s in shapes if s.shape_type == 13
    )


def pptx_titles(data: bytes) -> list[str]:
    return [slide.shapes.title.text_frame.text for slide in Presentation(io.BytesIO(data)).slides]


# --- HTML -------------------------------------------------------------------------------------------------------


class HtmlFacts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.headings: list[tuple[str, str]] = []
        self.images: list[str | None] = []
        self.header_cells: list[str | None] = []
        self.tables = 0
        self._heading: str | None = None
        self._text: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang", "")
        elif tag in ("h1", "h2", "h3", "h4"):
            self._heading, self._text = tag, []
        elif tag == "img":
            self.images.append(found.get("alt"))
        elif tag == "th":
            self.header_cells.append(found.get("scope"))
        elif tag == "table":
            self.tables += 1

    def handle_endtag(self, tag):
        if tag == self._heading:
            self.headings.append((tag.upper(), " ".join("".join(self._text).split())))
            self._heading = None

    def handle_data(self, data):
        if self._heading:
            self._text.append(data)
        self.text.append(data)


def html_facts(data: bytes) -> HtmlFacts:
    parser = HtmlFacts()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser


def expected_headings(pack: MeetingPack) -> list[tuple[str, str]]:
    """The headings every format has, in reading order (the PDF's and the HTML's are compared with it)."""
    labels = pack.labels()
    found = [("H1", pack.meeting_title), ("H2", labels["summary"]), ("H3", labels["matrix"])]
    found += [("H3", labels["changes"]), ("H3", labels["asked"])]
    if pack.decided:
        found.append(("H3", labels["decided"]))
    found += [("H2", group.title) for group in pack.groups]
    found.append(("H2", labels["activities"]))
    if any(chart.svg for chart in pack.reach_charts):
        found.append(("H3", labels["reach_trend"]))
    found.append(("H2", labels["methods"]))
    return found
