"""Forged form posts from other sites: every form carries a signed token that must match the visitor's cookie.

The same double-submit scheme (and token format) as Litestar's CSRF middleware, which this replaces for two
reasons. It reads an HTML form once, with effekt's strict form reader, and hands the fields to the handler;
Litestar's parsed the body leniently and the handler parsed it again, on every survey answer. And a token
that is not ASCII is simply a wrong token here, where Litestar's comparison raised on it.

The JSON API is exempt: it trusts only `Authorization: Bearer`, never a cookie, so a forged request from
another site has nothing to ride on.

A signed-in person's token is bound to their session: its signature covers the session's random id
(server/sessions.py), which lives only inside the encrypted session cookie. A token and cookie pair
planted in the browser (from a sibling site, or a visit of the attacker's own) is therefore refused on every
page of a signed-in person; their forms carry a token made for their session, which needs no cookie of its
own. Visitors who are not signed in (respondents, the sign-in form) keep the double-submit check.
This middleware runs inside the session middleware (server/app.py), so it sees the session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from litestar.connection import Request
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from server.web.forms import FORM_TYPE, read_form

COOKIE = "csrftoken"
FIELD = "_csrf_token"
HEADER = b"x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
EXEMPT_PREFIXES = ("/api/", "/static/")
_SECRET_LENGTH = 64  # hex characters of randomness, followed by their HMAC-SHA256 in hex


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, *, secret: str, secure: bool) -> None:
        self.app = app
        self.key = secret.encode()
        attributes = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
        self.cookie_attributes = attributes.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        state = ScopeState.from_scope(scope)
        session = _session_id(scope)
        if session:
            # Signed in: the token is made for this session and checked against it; no cookie is involved.
            if scope["method"] not in SAFE_METHODS:
                given = await _given_token(scope, receive)
                if given is None or self._secret_of(given, session) is None:
                    raise PermissionDeniedException()
            state.csrf_token = self.new_token(session)
            await self.app(scope, receive, send)
            return
        cookie = _cookie(scope)
        if scope["method"] in SAFE_METHODS:
            if cookie is not None and self._secret_of(cookie) is not None:
                state.csrf_token = cookie
                await self.app(scope, receive, send)
                return
            token = state.csrf_token = self.new_token()
            await self.app(scope, receive, self._sending_cookie(send, token))
            return
        given = await _given_token(scope, receive)
        if not self._same_secret(given, cookie):
            raise PermissionDeniedException()
        state.csrf_token = given
        await self.app(scope, receive, send)

    def new_token(self, session: str = "") -> str:
        secret = secrets.token_hex(_SECRET_LENGTH // 2)
        return secret + self._sign(secret, session)

    def _sign(self, secret: str, session: str = "") -> str:
        # Without a session the signature is Litestar's own, so tokens from before still work.
        message = secret if not session else secret + "\0" + session
        return hmac.new(self.key, message.encode(), hashlib.sha256).hexdigest()

    def _secret_of(self, token: str, session: str = "") -> str | None:
        """The token's random part if it carries our signature (for `session`); None for anything else."""
        if not token.isascii() or len(token) <= _SECRET_LENGTH:
            return None
        secret = token[:_SECRET_LENGTH]
        return secret if hmac.compare_digest(token[_SECRET_LENGTH:], self._sign(secret, session)) else None

    def _same_secret(self, given: str | None, cookie: str | None) -> bool:
        if given is None or cookie is None:
            return False
        ours, theirs = self._secret_of(given), self._secret_of(cookie)
        return ours is not None and theirs is not None and hmac.compare_digest(ours, theirs)

    def _sending_cookie(self, send: Send, token: str) -> Send:
        header = (b"set-cookie", f"{COOKIE}={token}".encode() + self.cookie_attributes)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        return send_with_cookie


def _session_id(scope: Scope) -> str:
    """The signed-in session's random id (server/sessions.py's SESSION_ID), or "" for everyone else."""
    session = scope.get("session")
    value = session.get("sid") if isinstance(session, dict) else None
    return value if isinstance(value, str) else ""


def _cookie(scope: Scope) -> str | None:
    """The visitor's token cookie. Only the name is looked for: a value that is not ours fails the signature."""
    for name, value in scope["headers"]:
        if name == b"cookie":
            for pair in value.decode("latin-1").split(";"):
                key, _, found = pair.partition("=")
                if key.strip() == COOKIE:
                    return found.strip().strip('"')
    return None


async def _given_token(scope: Scope, receive: Receive) -> str | None:
    """The token a state-changing request carries: in a header (scripts), or in the HTML form itself."""
    for name, value in scope["headers"]:
        if name == HEADER:
            return value.decode("latin-1")
    request: Request = scope["litestar_app"].request_class(scope=scope, receive=receive)
    content_type = request.content_type[0]
    if content_type == FORM_TYPE:
        fields = await read_form(request)  # kept for the handler: the body is read and parsed once
        return (fields.get(FIELD) or [None])[0]
    if content_type == "multipart/form-data":
        value = (await request.form()).get(FIELD)  # Litestar keeps the parsed parts for the handler
        return value if isinstance(value, str) else None
    return None
