"""Signed-in people: an encrypted session cookie, the one way to start and end a session, and guards for pages.

The cookie holds a user id, the user's session epoch (bumped when they sign out everywhere, change their
password or are switched off), when the session started, and a random session id the CSRF token is bound to
(server/csrf.py). A session ends after `IDLE_MINUTES` without a page (the cookie's own expiry, which Litestar
checks inside the encryption, so a copied cookie cannot be kept alive by hand) and at the latest
`MAX_HOURS` after signing in, however busy (docs/security.md, "Konton och inloggning").
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.session.client_side import CookieBackendConfig

from locales import gettext as _
from server import clock
from server.auth import ACCOUNT_KEY
from server.scopes import check_connection, may_open_sync
from server.settings import Settings
from surveys.accounts import audit
from surveys.accounts.users import Account, Role, end_sessions, session_epoch
from surveys.accounts.users import session_account as account_of_session
from surveys.errors import Forbidden

IDLE_MINUTES = 60
MAX_HOURS = 12
USER_ID = "uid"
EPOCH = "epoch"
STARTED = "started"  # whole seconds since 1970, when the person signed in
SESSION_ID = "sid"
HOME = "/"


def session_config(settings: Settings) -> CookieBackendConfig:
    # Respondents never get a session cookie: their pages are outside the session's reach.
    return CookieBackendConfig(
        secret=hashlib.sha256(b"effekt-session:" + settings.secret_key.encode()).digest(),
        key="effekt_session",
        max_age=IDLE_MINUTES * 60,
        secure=settings.https,
        httponly=True,
        samesite="lax",
        exclude=["^/e/", "^/api/", "^/static/"],
    )


async def sign_in(request: Request, account: Account, *, method: str = "") -> None:
    """Start a new session for `account`: the one way anyone is signed in (password, OpenID Connect).

    Nothing of the session before carries over (a planted cookie, another person's CSRF token), the sign-in
    is logged (`method` says how, e.g. "OpenID Connect"; the password page leaves it empty), and the page
    being rendered sees the person as signed in."""
    await _start(request, account, await session_epoch(account.id))
    await audit.record(account, audit.Action.SIGNED_IN, detail=method or _("med lösenord"))


async def renew(request: Request, account: Account, epoch: int) -> None:
    """Keep the person in hand signed in with their new epoch, after they ended their other sessions."""
    await _start(request, account, epoch)


async def _start(request: Request, account: Account, epoch: int) -> None:
    request.clear_session()
    request.set_session(
        {
            USER_ID: account.id,
            EPOCH: epoch,
            STARTED: int(clock.now().timestamp()),
            SESSION_ID: secrets.token_hex(16),
        }
    )
    request.scope.setdefault("state", {})[ACCOUNT_KEY] = account


async def sign_out(request: Request) -> Account | None:
    """End the session in hand and every copy of it (the person's sessions everywhere); returns who it was."""
    signed_in = await session_account(request)
    if signed_in is not None:
        # The cookie is all there is to a session: without this, a copy of it would still sign in.
        await end_sessions(signed_in.id)
        await audit.record(signed_in, audit.Action.SIGNED_OUT)
    request.clear_session()
    request.scope.setdefault("state", {})[ACCOUNT_KEY] = None
    return signed_in


def session_id(connection: ASGIConnection) -> str:
    """The random id of the signed-in session in hand, or "" (server/csrf.py binds its token to it)."""
    session = connection.scope.get("session")
    value = session.get(SESSION_ID) if isinstance(session, dict) else None
    return value if isinstance(value, str) else ""


async def session_account(connection: ASGIConnection) -> Account | None:
    state = connection.scope.setdefault("state", {})
    if ACCOUNT_KEY in state:
        return state[ACCOUNT_KEY]
    found = None
    session = connection.scope.get("session")
    if isinstance(session, dict) and _current(session):
        found = await account_of_session(session[USER_ID], session[EPOCH])
    state[ACCOUNT_KEY] = found
    return found


def _current(session: dict) -> bool:
    """The session has what a signed-in session has, and began less than `MAX_HOURS` ago."""
    if not all(isinstance(session.get(key), int) for key in (USER_ID, EPOCH, STARTED)):
        return False
    if not isinstance(session.get(SESSION_ID), str):
        return False
    age = clock.now().timestamp() - session[STARTED]
    return 0 <= age < MAX_HOURS * 3600


class SignInRequired(HTTPException):
    status_code = 401


def requires_page(role: Role) -> Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]:
    """A guard for HTML pages: anonymous people are sent to sign in, others need the role."""

    async def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        found = await session_account(connection)
        if found is None:
            raise SignInRequired(headers={"location": "/logga-in?next=" + quote(connection.url.path)})
        if not found.role.may(role):
            raise Forbidden(_("Din roll får inte se den här sidan. Be en administratör om behörighet."))
        await check_connection(connection, found, role)
        audit.set_actor(found)  # what the handler changes is recorded as done by this person

    guard.needed_role = role  # read by may_open: where a person may be sent after signing in
    return guard


def local_path(value: str | None) -> str | None:
    """`value` if it is a path on this site (never an open redirect to another site), else None."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    return value


def may_open(connection: ASGIConnection, account: Account, path: str) -> bool:
    """True when `path` is a page (GET) of this site that the account's role (and grants) may see."""
    page = urlsplit(path).path
    if page.startswith(("/api/", "/static/", "/logga-in", "/logga-ut")):
        return False
    try:
        _app, handler, _path, params, template = connection.app.asgi_router.handle_routing(
            path=page, method="GET"
        )
    except (NotFoundException, MethodNotAllowedException):
        return False
    for guard in handler.resolve_guards():
        needed = getattr(guard, "needed_role", None)
        if needed is not None and not account.role.may(needed):
            return False
        if needed is not None and not may_open_sync(account, "GET", template, params):
            return False
    return True


def next_page(connection: ASGIConnection, account: Account, value: str | None) -> str:
    """Where a person lands after signing in: `value` if it is a local page their role may see, else the
    start page (which shows each role its own way in)."""
    path = local_path(value)
    return path if path is not None and may_open(connection, account, path) else HOME


def safe_next(value: str | None) -> str:
    """A local path to carry through the sign-in form; the role check comes after signing in."""
    return local_path(value) or HOME
