"""Pages and meeting packs, read as text: nothing in them may say more about an organisation than the API does.

The intruder (``facts``, ``solver``) attacks the numbers of the results API, the exports and the progress
pages. The results pages, the meeting pages and the packs (PDF, PowerPoint, HTML) are drawn from the same
released counts; this module checks that they stay that way, in whatever layout they have: each document is
cut into *segments* (a table row, a paragraph, an alternative text's sentence, a PDF line, a slide's
paragraph), and in every segment that names an organisation

- a percentage must be one the API publishes for that organisation (its share or an interval end, in any
  goal and wave, or the merged share of the hidden organisations it belongs to), a goal's target, or the
  confidence level; so a hidden organisation's share, which the API does not publish, shows nowhere;
- a respondent count (a table column headed "svar…") must be rounded as the API's breakdowns are.

If a document holds nothing the API does not, the intruder's attack on the API covers it too.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser

PERCENT = re.compile(r"(?<![\d,.])(\d{1,3}(?:[,.]\d+)?)\s?%")
# An interval written once with its sign at the end ("38–54 %"): its lower end is a percentage too.
INTERVAL_LOW = re.compile(r"(?<![\d,.])(\d{1,3}(?:[,.]\d+)?)\s?[–-]\s?\d{1,3}(?:[,.]\d+)?\s?%")
COUNT = re.compile(r"(?<![\d,.−-])(\d[\d\u00a0 ]*)(?![\d,.]|\s?%)")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")


@dataclass(frozen=True)
class Segment:
    """A piece of a document read as one statement: a sentence, a line, or a table row's cells."""

    source: str
    cells: tuple[str, ...]
    headers: tuple[str, ...] = ()  # a table row's column headings, where it has them
    group: str | None = None  # the target group the document is about (a group's page), where one is
    ticks: bool = False  # a chart's text: its axis ticks (0 %, 10 % … 100 %) say nothing of anyone

    @property
    def text(self) -> str:
        return " | ".join(self.cells)


@dataclass
class ApiView:
    """What the results API publishes per organisation, as percentages."""

    names: dict[str, str] = field(default_factory=dict)  # organisation name → code
    group_names: set[str] = field(default_factory=set)
    allowed: dict[str, set[float]] = field(default_factory=dict)  # organisation code → percentages
    general: set[float] = field(default_factory=set)  # targets, the confidence level
    shown: set[str] = field(default_factory=set)  # organisations with a share of their own somewhere
    by_group: dict[tuple[str, str], set[float]] = field(default_factory=dict)  # (group, organisation) → %
    rounding: int = 5


def api_view(results: dict, waves: Iterable[dict] = ()) -> ApiView:
    view = ApiView()
    view.general.add(round(100 * results.get("confidence", 0.95), 6))
    for group in results.get("target_groups", []):
        view.group_names.add(group["name"])
    for wave in waves:
        for org in wave.get("organisations", []):
            view.names[org["name"]] = org["code"]
            view.allowed.setdefault(org["code"], set())
    for goal in results.get("goals", []):
        view.general.add(round(100 * goal["target"], 6))
        group = goal["target_group"]
        for wave in goal.get("waves", []):
            hidden = []
            for org in wave.get("organisations") or []:
                view.names[org["name"]] = org["code"]
                allowed = view.allowed.setdefault(org["code"], set())
                in_group = view.by_group.setdefault((group, org["code"]), set())
                estimate = org.get("estimate")
                if isinstance(estimate, dict):
                    allowed |= _percentages(estimate)
                    in_group |= _percentages(estimate)
                    view.shown.add(org["code"])
                    view.rounding = max(view.rounding, estimate.get("respondents_rounding") or 1)
                else:
                    hidden.append(org["code"])
            merged = wave.get("other_organisations")
            if isinstance(merged, dict):
                for code in hidden:
                    view.allowed[code] |= _percentages(merged)
                    view.by_group[(group, code)] |= _percentages(merged)
    return view


def _percentages(estimate: dict) -> set[float]:
    return {
        round(100 * estimate[key], 6)
        for key in ("share", "low", "high")
        if isinstance(estimate.get(key), float | int)
    }


# --- reading documents into segments ----------------------------------------------------------------

BLOCKS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "caption",
    "figcaption",
    "dt",
    "dd",
    "summary",
    "title",
    "desc",
    "text",
    "div",
    "section",
    "td",
    "th",
    "tr",
}


class _Html(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.segments: list[Segment] = []
        self.text: list[str] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.headers: tuple[str, ...] = ()
        self.skip = 0

    def _flush(self) -> None:
        text = " ".join("".join(self.text).split())
        self.text = []
        for sentence in SENTENCE.split(text) if text else ():
            self.segments.append(Segment(self.source, (sentence,)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
            return
        for name, value in attrs:
            if name in ("alt", "aria-label", "title") and value:
                for sentence in SENTENCE.split(" ".join(value.split())):
                    self.segments.append(Segment(f"{self.source} [{name}]", (sentence,)))
        if tag == "table":
            self.headers = ()
        if tag == "tr":
            self._flush()
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag in BLOCKS and self.row is None:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            row = tuple(self.row)
            self.row = None
            if row and not self.headers and not any(PERCENT.search(c) for c in row):
                self.headers = row  # the first row of a table heads its columns
            self.segments.append(Segment(self.source, row, self.headers))
        elif tag in BLOCKS and self.row is None:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.row is None:
            self.text.append(data)


def html_segments(page: str, source: str, group: str | None = None) -> list[Segment]:
    parser = _Html(source)
    parser.feed(page)
    parser.close()
    parser._flush()
    return [replace(segment, group=group) for segment in parser.segments]


def svg_segments(svg: str, source: str, group: str) -> list[Segment]:
    """A chart as one statement: its labels stand in separate <text> elements, so any percentage in it
    must be one the API publishes for some organisation the chart names (or an axis tick, every 10 %)."""
    texts = [" ".join(t.split()) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)]
    texts += [" ".join(t.split()) for t in re.findall(r"<title>(.*?)</title>", svg, flags=re.S)]
    words = [t for t in (html.unescape(t) for t in texts) if t]
    return [Segment(f"{source} [chart]", (" · ".join(words),), group=group, ticks=True)] if words else []


def pdf_segments(data: bytes, source: str) -> list[Segment]:
    from pypdf import PdfReader

    segments = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages, 1):
        for line in (page.extract_text() or "").splitlines():
            if line.strip():
                segments.append(Segment(f"{source} p. {number}", (" ".join(line.split()),)))
    return segments


def pptx_segments(data: bytes, source: str) -> list[Segment]:
    from pptx import Presentation

    segments = []
    for number, slide in enumerate(Presentation(io.BytesIO(data)).slides, 1):
        where = f"{source} slide {number}"
        for shape in _shapes(slide.shapes):
            described = shape._element.xpath("./*[1]/p:cNvPr/@descr")
            for text in described:
                segments += [Segment(f"{where} [alt]", (s,)) for s in SENTENCE.split(" ".join(text.split()))]
            if getattr(shape, "has_table", False) and shape.has_table:
                rows = [tuple(" ".join(c.text.split()) for c in row.cells) for row in shape.table.rows]
                headers = rows[0] if rows else ()
                segments += [Segment(where, row, headers) for row in rows]
            elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
                for paragraph in shape.text_frame.paragraphs:
                    text = " ".join("".join(run.text for run in paragraph.runs).split())
                    segments += [Segment(where, (s,)) for s in SENTENCE.split(text) if s]
    return segments


def _shapes(shapes) -> Iterator:
    for shape in shapes:
        yield shape
        if hasattr(shape, "shapes"):
            yield from _shapes(shape.shapes)


# --- the check -------------------------------------------------------------------------------------------


def _number(text: str) -> float:
    return float(text.replace(",", ".").replace("\u00a0", "").replace(" ", ""))


def _decimals(text: str) -> int:
    return len(re.split(r"[,.]", text)[1]) if re.search(r"[,.]", text) else 0


def named_organisations(text: str, view: ApiView) -> set[str]:
    # A target group may carry an organisation's name ("Chefer i Region Västernorrland"): read without them.
    for name in sorted(view.group_names, key=len, reverse=True):
        text = text.replace(name, " ")
    found = set()
    for name in sorted(view.names, key=len, reverse=True):
        pattern = r"(?<!\w)" + re.escape(name) + r"(?!\w)"
        if re.search(pattern, text):
            found.add(view.names[name])
            text = re.sub(pattern, " ", text)
    return found


def leaks(segments: Iterable[Segment], view: ApiView) -> list[str]:
    """Every statement about an organisation that the API does not make."""
    found = []
    for segment in segments:
        orgs = named_organisations(segment.text, view)
        if not orgs:
            continue
        if segment.group is None:
            allowed = view.general.union(*(view.allowed.get(code, set()) for code in orgs))
        else:  # on a group's own page, only what the API says of the organisation within that group
            allowed = view.general.union(*(view.by_group.get((segment.group, code), set()) for code in orgs))
        if segment.ticks:
            allowed = allowed | {float(tick) for tick in range(0, 101, 10)}
        for match in [*PERCENT.finditer(segment.text), *INTERVAL_LOW.finditer(segment.text)]:
            value, tolerance = _number(match.group(1)), 0.5 * 10 ** -_decimals(match.group(1)) + 1e-6
            if not any(abs(value - a) <= tolerance for a in allowed):
                found.append(f"{segment.source}: {match.group(0)} for {sorted(orgs)} in «{segment.text}»")
        for heading, cell in zip(segment.headers, segment.cells, strict=False):
            if "svar" not in heading.lower() or "%" in cell:
                continue
            for match in COUNT.finditer(cell):
                count = int(_number(match.group(1)))
                if count % view.rounding:
                    found.append(f"{segment.source}: {count} respondents, not rounded, for {sorted(orgs)}")
    return found


def statements_about(segments: Iterable[Segment], view: ApiView, code: str) -> list[Segment]:
    """The segments that name one organisation: what shows a check looked where it should."""
    return [s for s in segments if code in named_organisations(s.text, view)]
