"""Choosing the language of a request: ?lang=, then Accept-Language, then the configured default."""

from __future__ import annotations

from contextvars import ContextVar
from urllib.parse import parse_qs

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Scopes, Send

import locales

# "lang=en" when the person picked a language with ?lang=, so links and forms keep it; else "".
_lang_query: ContextVar[str] = ContextVar("effekt_lang_query", default="")


def locale_for(scope: Scope) -> tuple[str, bool]:
    """The request's locale, and whether the person chose it explicitly with ?lang= (kept in links)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    chosen = query.get("lang", [""])[0]
    if chosen in locales.SUPPORTED:
        return chosen, True
    headers = dict(scope.get("headers", ()))
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    state = scope.get("app").state if scope.get("app") else None
    default = state.settings.default_locale if state is not None and "settings" in state else locales.DEFAULT
    return locales.negotiate(accept, default), False


def apply_locale(scope: Scope) -> str:
    locale, explicit = locale_for(scope)
    locales.set_locale(locale)
    scope.setdefault("state", {})["locale"] = locale
    _lang_query.set(f"lang={locale}" if explicit else "")
    return locale


def with_lang(path: str) -> str:
    """`path` with the person's explicit language choice kept."""
    query = _lang_query.get()
    if not query:
        return path
    return f"{path}{'&' if '?' in path else '?'}{query}"


class LocaleMiddleware(ASGIMiddleware):
    scopes: Scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        apply_locale(scope)
        await next_app(scope, receive, send)
