"""The meeting pack as one accessible web page, for publishing on an intranet.

The same content as the PDF, in the same order: headings, tables with header cells (``th`` and ``scope``),
each chart as an image with its text alternative and its data table, the language set on the page. The
page stands alone: its style is inline and the pictures are inside it (``data:`` addresses), so it can be
saved and published as one file. Every value is escaped by the template engine.
"""

from __future__ import annotations

import base64
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from analysis.render.report import MeetingPack, long_date
from locales import gettext as _

__all__ = ["build_html"]

_TYPES = {"svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg"}


@cache
def _template():
    environment = Environment(
        loader=PackageLoader("analysis.render", ""),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("pack.html")


def _data_url(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def build_html(pack: MeetingPack) -> bytes:
    """The pack as one HTML page (UTF-8)."""
    charts = [chart for group in pack.groups for chart in group.charts]
    charts += pack.reach_charts
    images = {c.key: _data_url(c.svg.encode("utf-8"), _TYPES["svg"]) for c in charts if c.svg}
    brand = pack.branding
    logo = _data_url(brand.logo, _TYPES[brand.logo_format]) if brand.logo is not None else ""
    labels = pack.labels() | {"data_table": _("Tabell")}
    page = _template().render(
        pack=pack,
        L=labels,
        images=images,
        logo=logo,
        meeting_date=long_date(pack.meeting_date),
        hidden_note=pack.hidden_note,
    )
    return page.encode("utf-8")
