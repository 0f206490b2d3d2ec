"""Translations: Swedish is the source language of every message; English comes from a catalogue.

The catalogues (`<lang>/LC_MESSAGES/messages.po`) are compiled in memory on first use, so an
installed effekt needs no build step and no writable folder; a container image compiles them once at
build time (`python -m locales.compile`) and a .mo newer than its .po is loaded instead. The locale of the current request or
command lives in a context variable, so concurrent requests never see each other's language.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

HERE = Path(__file__).resolve().parent
SUPPORTED = ("sv", "en")
DEFAULT = "sv"
BABEL_LOCALES = {"sv": "sv_SE", "en": "en_GB"}

_current: ContextVar[str] = ContextVar("effekt_locale", default=DEFAULT)


@cache
def translations(locale: str) -> NullTranslations:
    po = HERE / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()  # Swedish msgids are the Swedish text
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as handle:  # compiled at image build (python -m locales.compile)
            return Translations(fp=handle)
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    _current.set(locale if locale in SUPPORTED else DEFAULT)


@contextmanager
def using_locale(locale: str) -> Iterator[None]:
    token = _current.set(locale if locale in SUPPORTED else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for extraction where it must be translated later, when it is shown."""
    return message


def babel_locale(locale: str | None = None) -> str:
    return BABEL_LOCALES.get(locale or _current.get(), "sv_SE")


def negotiate(accept_language: str | None, default: str = DEFAULT) -> str:
    """Pick sv or en from an Accept-Language header, honouring q-values."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        tag, *params = part.strip().split(";")
        quality = 1.0
        for param in params:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in SUPPORTED and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else default
