"""Signed-in people: an encrypted session cookie holding only a user id, and guards for pages."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.session.client_side import CookieBackendConfig

from locales import gettext as _
from server.auth import ACCOUNT_KEY
from server.settings import Settings
from surveys.accounts.users import Account, Role
from surveys.accounts.users import session_account as account_of_session
from surveys.errors import Forbidden

SESSION_HOURS = 8
USER_ID = "uid"
EPOCH = "epoch"


def session_config(settings: Settings) -> CookieBackendConfig:
    # Respondents never get a session cookie: their pages are outside the session's reach.
    return CookieBackendConfig(
        secret=hashlib.sha256(b"effekt-session:" + settings.secret_key.encode()).digest(),
        key="effekt_session",
        max_age=SESSION_HOURS * 3600,
        secure=settings.https,
        httponly=True,
        samesite="lax",
        exclude=["^/e/", "^/api/", "^/static/"],
    )


async def session_account(connection: ASGIConnection) -> Account | None:
    state = connection.scope.setdefault("state", {})
    if ACCOUNT_KEY in state:
        return state[ACCOUNT_KEY]
    found = None
    session = connection.scope.get("session")
    if (
        isinstance(session, dict)
        and isinstance(session.get(USER_ID), int)
        and isinstance(session.get(EPOCH), int)
    ):
        found = await account_of_session(session[USER_ID], session[EPOCH])
    state[ACCOUNT_KEY] = found
    return found


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

    return guard


def safe_next(value: str | None) -> str:
    """Only a local path: never an open redirect to another site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/arbeta"
    return value
