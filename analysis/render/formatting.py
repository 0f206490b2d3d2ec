"""Numbers, shares and dates as Swedish (or English) readers expect them, for pages, charts and reports.

Shares round half up (42.5 % → 43 %), unlike Babel's half-even, because that is what readers check by
hand; Swedish percentages have a no-break space before %, and English ones none (Babel's own patterns).
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent, get_minus_sign_symbol

from locales import babel_locale


def quantized_percent(value: float, decimals: int) -> Decimal:
    """The share as a percentage rounded half up (42.5 → 43), not Babel's half-even (42.5 → 42)."""
    if not math.isfinite(value):
        raise ValueError("A share must be a finite number.")
    # repr() gives the shortest decimal that reads back as the float, so 0.425 is 42.5 and not 42.4999…
    percent = Decimal(repr(float(value))) * 100
    quantized = percent.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return quantized.copy_abs() if quantized == 0 else quantized  # never "-0 %"


def _decimal_pattern(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def _percent_pattern(locale: str, decimals: int) -> str:
    pattern = Locale.parse(locale).percent_formats[None].pattern  # "#,##0\xa0%" (sv), "#,##0%" (en_GB)
    if "#,##0" not in pattern:
        pattern = "#,##0\u00a0%"
    return pattern.replace("#,##0", _decimal_pattern(decimals), 1)


def format_share(value: float, decimals: int = 0, *, locale: str | None = None) -> str:
    """A share (0–1) as a percentage in the current locale: "42 %" (sv, no-break space), "42%" (en_GB).

    Ties round half up: 0.425 → "43 %".
    """
    if decimals < 0:
        raise ValueError("decimals must be 0 or more")
    loc = locale or babel_locale()
    percent = quantized_percent(value, decimals)
    text = format_percent(percent / 100, format=_percent_pattern(loc, decimals), locale=loc)
    # Babel writes an ASCII hyphen; Swedish typography (and CLDR) uses the real minus sign.
    return text.replace("-", get_minus_sign_symbol(loc))


def format_span(low: float, high: float, decimals: int = 0, *, locale: str | None = None) -> str:
    """An interval as "35–49 %" (sv) or "35–49%" (en_GB), with an en dash and the unit once."""
    loc = locale or babel_locale()
    first = format_decimal(quantized_percent(low, decimals), format=_decimal_pattern(decimals), locale=loc)
    return f"{first}\u2013{format_share(high, decimals, locale=loc)}"


def format_count(value: int, *, locale: str | None = None) -> str:
    """A whole number with the locale's grouping: "12 345" (sv, no-break space), "12,345" (en_GB)."""
    return format_decimal(value, format="#,##0", locale=locale or babel_locale())


def format_month(value: date, *, locale: str | None = None) -> str:
    """A wave's month as a label: "mars 2026" (sv), "March 2026" (en_GB)."""
    return format_date(value, "LLLL y", locale=locale or babel_locale())
