"""Who is asking: API tokens (Authorization: Bearer …) and role guards, which also check the plan a route
names against the account's grants (server/scopes.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from locales import gettext as _
from server import clock
from server.errors import UserError
from server.scopes import check_connection
from surveys.accounts import audit
from surveys.accounts.users import Account, Role, token_account
from surveys.errors import Forbidden

ACCOUNT_KEY = "effekt_account"


def bearer_token(connection: ASGIConnection) -> str:
    scheme, _sep, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def current_account(connection: ASGIConnection) -> Account | None:
    state = connection.scope.setdefault("state", {})
    if ACCOUNT_KEY in state:
        return state[ACCOUNT_KEY]
    token = bearer_token(connection)
    found = await token_account(token, clock.now()) if token else None
    state[ACCOUNT_KEY] = found
    return found


def requires(role: Role) -> Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]:
    async def guard(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
        account = await current_account(connection)
        if account is None:
            # Not signed in at all is HTTP's own 401 with its challenge header, not a domain error.
            error = UserError(
                401,
                _(
                    "Ange en giltig API-nyckel: Authorization: Bearer <nyckel>. En nyckel som har gått ut "
                    "eller återkallats gäller inte; skapa en ny under Mitt konto."
                ),
            )
            error.headers = {"www-authenticate": 'Bearer realm="effekt"'}
            raise error
        if not account.role.may(role):
            raise Forbidden(_("Din roll får inte göra det här."))
        # The plan the route names must be among the account's (a key acts with its owner's grants).
        await check_connection(connection, account, role)
        audit.set_actor(account)  # what the handler changes is recorded as done by this key's owner

    guard.needed_role = role  # read by the route walk of tests/server/test_scopes_routes.py
    return guard


def account_of(connection: ASGIConnection) -> Account:
    """The account a guard already checked."""
    return connection.scope["state"][ACCOUNT_KEY]
