"""The meeting pack as a tagged, accessible PDF (PDF/UA-1), typeset by Typst.

The layout is ``pack.typ`` beside this module; everything it prints is handed over as one JSON value in
``sys.inputs``, so text from users is data, never markup. Typst writes the structure tree (headings,
paragraphs, lists, tables with header cells, figures with their alternative text), the document language,
bookmarks from the headings and the PDF/UA identification in the XMP metadata. Fonts are DejaVu Sans, which
matplotlib ships and the charts' SVG text uses, so the document needs no system fonts.
"""

from __future__ import annotations

import importlib.util
import json
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
        return _compiler().compile(
            input=_template(),
            format="pdf",
            sys_inputs={"data": data},
            pdf_standards=["ua-1"],
            timestamp=stamp,
        )
