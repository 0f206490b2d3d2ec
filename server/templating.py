"""Jinja environment: autoescaping, per-request gettext, and Swedish number and date formatting."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

import locales
from analysis.render.formatting import format_share
from locales import gettext as _
from server.locale import with_lang
from surveys.plans.reach import METRIC_LABELS
from surveys.questionnaires.model import STEP_NAMES

TEMPLATES = Path(__file__).resolve().parent / "templates"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        # Templates ship with the code; checking their files on every render costs a stat() per template.
        auto_reload=False,
    )
    env.policies["ext.i18n.trimmed"] = True
    # The locale lives in a context variable set per request, so one shared environment serves
    # concurrent Swedish and English requests correctly (Jinja's installed translations are global).
    env.install_gettext_callables(locales.gettext, locales.ngettext, newstyle=True)
    env.filters.update(
        datetime=format_when,
        date=format_day,
        pct=format_share,
        num=format_number,
    )
    env.globals["current_locale"] = locales.current_locale
    # The plan's own words (titles, group names, goal wordings, activities) are Swedish whatever the page's
    # language; on an English page they are marked so that a screen reader reads them as Swedish (WCAG 3.1.2).
    env.globals["plan_lang"] = lambda: Markup(' lang="sv"') if locales.current_locale() != "sv" else ""
    env.globals["with_lang"] = with_lang
    env.globals["metric_label"] = lambda metric: (
        _(METRIC_LABELS[metric]) if metric in METRIC_LABELS else metric
    )
    env.globals["step_name"] = lambda code: _(STEP_NAMES[code]) if code in STEP_NAMES else code
    return env


def format_when(value: datetime) -> str:
    """'24 november 2026 kl. 14:05' in Swedish time, whatever the reader's own time zone."""
    local = value.astimezone(STOCKHOLM)
    loc = locales.babel_locale()
    return _("%(date)s kl. %(time)s") % {
        "date": format_date(local.date(), "long", locale=loc),
        "time": format_time(local.time(), "HH:mm", locale=loc),
    }


def format_day(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(STOCKHOLM).date()
    return format_date(value, "long", locale=locales.babel_locale())


def format_number(value: float, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locales.babel_locale())
