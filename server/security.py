"""Headers every response carries (docs/security.md, "Säkerhetshuvuden, CSRF och inloggning")."""

from __future__ import annotations

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


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    # Survey pages hold a per-visit key and token; a shared cache must never keep them.
    return _NO_STORE if path.startswith(("/e/", "/api/")) else _ENCODED
