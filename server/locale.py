"""Choosing the language of a request: ?lang=, then Accept-Language, then the configured default."""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from urllib.parse import parse_qs

import locales

# "lang=en" when the person picked a language with ?lang=, so links and forms keep it; else "".
_lang_query: ContextVar[str] = ContextVar("effekt_lang_query", default="")


def choose_locale(query_string: bytes, accept_language: bytes, default: str) -> str:
    """?lang= first (then kept in links and forms), then Accept-Language, then the configured default."""
    explicit = ""
    if b"lang=" in query_string:
        chosen = parse_qs(query_string.decode("latin-1")).get("lang", [""])[0]
        if chosen in locales.SUPPORTED:
            explicit = chosen
    _lang_query.set(f"lang={explicit}" if explicit else "")
    return explicit or _negotiated(accept_language, default)


@lru_cache(maxsize=256)
def _negotiated(accept_language: bytes, default: str) -> str:
    # Browsers send a handful of distinct headers, so each is parsed once per worker.
    return locales.negotiate(accept_language.decode("latin-1"), default)


def with_lang(path: str) -> str:
    """`path` with the person's explicit language choice kept."""
    query = _lang_query.get()
    if not query:
        return path
    return f"{path}{'&' if '?' in path else '?'}{query}"
