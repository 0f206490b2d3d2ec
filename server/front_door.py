"""What every request passes first and last: its id and language on the way in; the security headers, the
request id and the access line on the way out.

This sits in front of Litestar's routing (an app subclass, not a route middleware), so 404s for unknown
paths, 405s and errors raised before a handler get the same treatment as pages. It is one wrapper for all
of it because it runs on every request, and the respondent's pages are the busiest there are.
"""

from __future__ import annotations

import time

from litestar import Litestar
from litestar.types import Message, Receive, Scope, Send

import locales
from server.locale import choose_locale
from server.request_log import log_request, request_ids
from server.security import headers_for


class EffektApp(Litestar):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        started = time.perf_counter()
        given_id = accept_language = b""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                given_id = value
            elif name == b"accept-language":
                accept_language = value
        request_id, sent_id = request_ids(given_id, scope["path"])
        locale = choose_locale(scope["query_string"], accept_language, self.state.settings.default_locale)
        locales.set_locale(locale)
        extra = [*headers_for(scope["path"]), (b"x-request-id", sent_id.encode())]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _merged(message.get("headers", ()), extra)
                log_request(request_id, scope, message["status"], started)
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def _merged(headers, extra: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Ours replace any of the same name a handler set, so a response never carries two policies."""
    names = {name for name, _value in extra}
    return [h for h in headers if h[0].lower() not in names] + extra
