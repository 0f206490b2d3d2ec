"""The meeting pack as a tagged, accessible PDF (PDF/UA-1), typeset by Typst.

The layout is ``pack.typ`` beside this module; everything it prints is handed over as one JSON value in
``sys.inputs``, so text from users is data, never markup. Typst writes the structure tree (headings,
paragraphs, lists, tables with header cells, figures with their alternative text), the document language,
bookmarks from the headings and the PDF/UA identification in the XMP metadata. Fonts are DejaVu Sans, which
matplotlib ships and the charts' SVG text uses, so the document needs no system fonts.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import threading
from datetime import UTC, datetime, time
from functools import cache
from importlib import resources
from pathlib import Path

import typst

from analysis.render.report import AUTHOR, MeetingPack, Status, long_date
from locales import gettext as _
from locales import ngettext

__all__ = ["build_pdf", "pdf_data"]

# The summary stays within two pages: the rest are in the section on activities and decisions.
ASKED_IN_SUMMARY = 6
DECIDED_IN_SUMMARY = 4
_lock = threading.Lock()  # one compiler, one compilation at a time


@cache
def _compiler() -> typst.Compiler:
    # DejaVu Sans as matplotlib ships it (the font of the charts' SVG text), found without importing it.
    fonts = Path(importlib.util.find_spec("matplotlib").origin).parent / "mpl-data" / "fonts" / "ttf"
    return typst.Compiler(font_paths=[str(fonts)], ignore_system_fonts=True)


@cache
def _template() -> bytes:
    return resources.files("analysis.render").joinpath("pack.typ").read_bytes()


def _status(status: Status) -> dict:
    return {"shape": status.shape, "word": status.word}


def asked_more(pack: MeetingPack) -> str:
    more = len(pack.asked) - ASKED_IN_SUMMARY
    if more <= 0:
        return ""
    return ngettext(
        "Ytterligare %(num)s aktivitet väntar på beslut, se ”%(section)s”.",
        "Ytterligare %(num)s aktiviteter väntar på beslut, se ”%(section)s”.",
        more,
    ) % {"num": more, "section": pack.labels()["activities"]}


def decided_more(pack: MeetingPack) -> str:
    more = len(pack.decided) - DECIDED_IN_SUMMARY
    if more <= 0:
        return ""
    return ngettext(
        "Ytterligare %(num)s beslut fattades vid mötet, se ”%(section)s”.",
        "Ytterligare %(num)s beslut fattades vid mötet, se ”%(section)s”.",
        more,
    ) % {"num": more, "section": pack.labels()["activities"]}


def pdf_data(pack: MeetingPack) -> dict:
    """What the template prints, as plain JSON values."""
    labels = pack.labels()
    brand = pack.branding
    logo = None
    if brand.logo is not None:
        logo = brand.logo.decode("utf-8") if brand.logo_format == "svg" else list(brand.logo)
    awaiting = labels["awaiting"]
    return {
        "lang": pack.language,
        "title": pack.title,
        "author": AUTHOR,
        "subject": _("Underlag till uppföljningsmöte %(date)s") % {"date": long_date(pack.meeting_date)},
        "keywords": [_("uppföljning"), _("effektmål"), _("länsledning")],
        "running": f"{pack.meeting_title} · {long_date(pack.meeting_date)}",
        "labels": labels,
        "brand": {"name": brand.name, "colour": brand.colour, "logo": logo, "logo_format": brand.logo_format},
        "meeting": {
            "title": pack.meeting_title,
            "plan": pack.plan_title,
            "date": long_date(pack.meeting_date),
            "taken": pack.taken_note,
        },
        "headline": pack.headline,
        "notes": list(pack.notes),
        "steps": list(pack.steps),
        "matrix": [
            {
                "group": row.group,
                "cells": [
                    None
                    if cell is None
                    else {"share": cell.share, "interval": cell.interval, "status": _status(cell.status)}
                    for cell in row.cells
                ],
            }
            for row in pack.matrix
        ],
        "changes": list(pack.changes),
        "asked": [
            {"title": a.title, "when": a.when, "earlier": a.earlier or "–", "comment": a.comment}
            for a in pack.asked[:ASKED_IN_SUMMARY]
        ],
        "asked_more": asked_more(pack),
        "decided": [{"title": a.title, "decision": a.decision} for a in pack.decided[:DECIDED_IN_SUMMARY]],
        "decided_more": decided_more(pack),
        "groups": [
            {
                "title": group.title,
                "goals": [
                    {
                        "step": goal.step,
                        "wording": goal.wording,
                        "latest": goal.latest,
                        "interval": goal.interval,
                        "target": goal.target,
                        "status": _status(goal.status),
                        "wave": goal.wave,
                        "respondents": goal.respondents,
                        "sentences": list(goal.sentences),
                        "comment": goal.comment,
                    }
                    for goal in group.goals
                ],
                "charts": [{"svg": c.svg, "alt": c.description} for c in group.charts if c.svg],
            }
            for group in pack.groups
        ],
        "activities": [
            {
                "title": a.title,
                "channels": a.channels,
                "when": a.when,
                "reach": a.reach,
                "decision_text": a.decision or (awaiting if a.asked else "–"),
                "earlier": a.earlier,
                "comment": a.comment,
            }
            for a in pack.activities
        ],
        "reach_charts": [{"svg": c.svg, "alt": c.description} for c in pack.reach_charts if c.svg],
        "methods": list(pack.methods.lines),
        "hidden_note": pack.hidden_note,
    }


_PICTURE = b"""#let d = json(bytes(sys.inputs.data))
#set page(width: auto, height: auto, margin: 0pt)
#set text(font: "DejaVu Sans")
#image(bytes(d.svg), format: "svg", alt: d.alt)
"""


def svg_to_png(svg: str, ppi: int = 150) -> tuple[bytes, tuple[float, float]]:
    """An SVG chart as a PNG picture (for a slide), with its size in inches."""
    import struct

    data = json.dumps({"svg": svg, "alt": ""}, ensure_ascii=False)
    with _lock:
        png = _compiler().compile(input=_PICTURE, format="png", ppi=ppi, sys_inputs={"data": data})
    if isinstance(png, list):
        png = png[0]
    width, height = struct.unpack(">II", png[16:24])
    return png, (width / ppi, height / ppi)


def build_pdf(pack: MeetingPack) -> bytes:
    """The pack as an A4 PDF/UA-1 document."""
    data = json.dumps(pdf_data(pack), ensure_ascii=False)
    # The document's date is the day the results were saved: the same pack gives the same bytes.
    stamp = datetime.combine(pack.taken_on, time(12, 0), UTC)
    with _lock:
        pdf = _compiler().compile(
            input=_template(),
            format="pdf",
            sys_inputs={"data": data},
            pdf_standards=["ua-1"],
            timestamp=stamp,
        )
    return with_row_headers(pdf)


# --- row headers ------------------------------------------------------------------------------------------------
#
# Every table in the pack names its row in its first column (the target group, the step, the activity), so a
# screen reader should say that name with each cell of the row. Typst 0.15.1 (the typst package 0.15.2) tags the
# cells of `table.header` as TH with /Scope /Column and every other cell as TD; a row header needs
# `pdf.header-cell(scope: "row")`, which Typst only has behind its `a11y-extras` feature flag, and the typst
# package's Compiler cannot turn feature flags on ("module `pdf` does not contain `header-cell`"). So the first
# cell of each body row is made a TH with /Scope /Row here, given an ID, and named in the /Headers of the other
# cells of its row: in an incremental update appended to Typst's file (a few kilobytes; nothing Typst wrote is
# rewritten). When the typst package can enable the flag, `pdf.header-cell` in pack.typ replaces this.


def with_row_headers(pdf: bytes) -> bytes:
    """The PDF with the first cell of every table body row tagged as a row header (TH, /Scope /Row)."""
    from pypdf import PdfReader
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
    )

    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"].get_object()
    tree_ref = root.raw_get("/StructTreeRoot")
    tree = tree_ref.get_object()
    changed: dict[int, tuple[int, DictionaryObject]] = {}  # number → (generation, object) to write again

    def children(element, owner):
        """(child, the indirect object that holds it) for each structure element below ``element``."""
        kids = element.raw_get("/K") if "/K" in element else None
        if isinstance(kids, IndirectObject):
            owner, kids = kids, kids.get_object()
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            if isinstance(kid, IndirectObject):
                found = kid.get_object()
                if isinstance(found, DictionaryObject) and "/S" in found:
                    yield found, kid
            elif isinstance(kid, DictionaryObject) and "/S" in kid:
                yield kid, owner

    def touch(owner) -> None:
        changed[owner.idnum] = (owner.generation, owner.get_object())

    names: list = []

    def mark(table, owner, number: int) -> None:
        for part, part_owner in children(table, owner):
            if part["/S"] == "/THead":
                continue
            rows = [(part, part_owner)] if part["/S"] == "/TR" else list(children(part, part_owner))
            for y, (row, row_owner) in enumerate(rows, start=1):
                cells = list(children(row, row_owner))
                if not cells or cells[0][0]["/S"] != "/TD":
                    continue
                (first, first_owner), *others = cells
                if first_owner.get_object() is not first:  # only an object of its own can have an ID
                    continue
                key = ByteStringObject(f"R{number}y{y}".encode())
                attributes = _table_attributes(first)
                attributes[NameObject("/Scope")] = NameObject("/Row")
                first[NameObject("/S")] = NameObject("/TH")
                first[NameObject("/ID")] = key
                touch(first_owner)
                names.append((key, first_owner))
                for cell, cell_owner in others:
                    headers = _table_attributes(cell).setdefault(NameObject("/Headers"), ArrayObject())
                    headers.append(key)
                    touch(cell_owner)

    # The tables are found in Typst's plain object syntax rather than by walking the whole structure tree:
    # pypdf parses a thousand elements in half a second, the tables' few hundred in a tenth of that.
    for number, found in enumerate(_TABLE.finditer(pdf), start=1):
        table = IndirectObject(int(found.group(1)), 0, reader)
        mark(table.get_object(), table, number)
    if not names:
        return pdf
    ids_ref = tree.raw_get("/IDTree")
    ids = ids_ref.get_object() if ids_ref is not None else None
    if ids is None or "/Names" not in ids:  # a name tree Typst did not write as one flat list: leave it
        return pdf
    pairs = list(zip(ids["/Names"][::2], ids["/Names"][1::2], strict=True))
    pairs += names
    pairs.sort(
        key=lambda pair: bytes(pair[0].original_bytes if hasattr(pair[0], "original_bytes") else pair[0])
    )
    ids[NameObject("/Names")] = ArrayObject(item for pair in pairs for item in pair)
    touch(ids_ref if isinstance(ids_ref, IndirectObject) else tree_ref)
    return _append_update(pdf, reader, changed)


_TABLE = re.compile(rb"(?m)^(\d+) 0 obj\s*<</Type/StructElem/S/Table\b")


def _table_attributes(cell) -> dict:
    """The cell's attribute dictionary for tables (/O /Table), added when it has none."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    found = cell.get("/A")
    found = found.get_object() if found is not None else None
    items = found if isinstance(found, ArrayObject) else ([found] if found is not None else [])
    for item in items:
        item = item.get_object() if hasattr(item, "get_object") else item
        if isinstance(item, DictionaryObject) and item.get("/O") == "/Table":
            return item
    table = DictionaryObject({NameObject("/O"): NameObject("/Table")})
    cell[NameObject("/A")] = ArrayObject([*items, table])
    return table


def _append_update(pdf: bytes, reader, changed: dict) -> bytes:
    """``pdf`` with the changed objects appended as an incremental update (ISO 32000-1, 7.5.6)."""
    from pypdf.generic import DictionaryObject, NameObject, NumberObject

    start = re.findall(rb"startxref\s+(\d+)", pdf[-1024:])
    if not start:
        return pdf
    out = io.BytesIO()
    out.write(pdf)
    if not pdf.endswith(b"\n"):
        out.write(b"\n")
    offsets = []
    for number, (generation, obj) in sorted(changed.items()):
        offsets.append((number, generation, out.tell()))
        out.write(f"{number} {generation} obj\n".encode())
        obj.write_to_stream(out)
        out.write(b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 1\n0000000000 65535 f\r\n")
    for number, generation, offset in offsets:
        out.write(f"{number} 1\n{offset:010d} {generation:05d} n\r\n".encode())
    trailer = reader.trailer
    keep = {key: trailer.raw_get(key) for key in ("/Root", "/Info", "/ID") if key in trailer}
    out.write(b"trailer\n")
    update = {NameObject(k): v for k, v in keep.items()}
    update[NameObject("/Size")] = NumberObject(int(trailer["/Size"]))
    update[NameObject("/Prev")] = NumberObject(int(start[-1]))
    DictionaryObject(update).write_to_stream(out)
    out.write(f"\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()
