"""Headers every response carries (see DESIGN.md, "Rules that come from our peers' failures")."""

from __future__ import annotations

from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
}


# Encoded once: this runs for every response, and the respondent's pages are the busiest there are.
_ENCODED = [(name.encode(), value.encode()) for name, value in HEADERS.items()]
_NO_STORE = [*_ENCODED, (b"cache-control", b"no-store")]
_NAMES = {name for name, _ in _ENCODED}
_NAMES_NO_STORE = {name for name, _ in _NO_STORE}


async def security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    # Survey pages hold a per-visit key and token; a shared cache must never keep them.
    no_store = scope.get("path", "").startswith(("/e/", "/api/"))
    replaced = _NAMES_NO_STORE if no_store else _NAMES
    headers = [h for h in message.get("headers", ()) if h[0].lower() not in replaced]
    headers.extend(_NO_STORE if no_store else _ENCODED)
    message["headers"] = headers
