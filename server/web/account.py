"""A signed-in person's API keys, and the administrator's list of users."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from locales import gettext as _
from server.errors import UserError
from server.sessions import requires_page, session_account
from server.web.forms import field_value, field_values, read_form
from surveys.accounts.users import (
    AccountError,
    Role,
    all_users,
    create_token,
    create_user,
    revoke_token,
    set_active,
    tokens_of,
)
from surveys.db.engine import write_transaction

SIGNED_IN = [requires_page(Role.READER)]
ADMIN = [requires_page(Role.ADMIN)]


async def _account_page(
    request: Request, *, new_token: str = "", error: str = "", status: int = 200
) -> Template:
    me = await session_account(request)
    return Template(
        "account/tokens.html",
        context={"account": me, "tokens": await tokens_of(me.id), "new_token": new_token, "error": error},
        status_code=status,
    )


@get("/konto", guards=SIGNED_IN)
async def account_page(request: Request) -> Template:
    return await _account_page(request)


@post("/konto/nycklar", guards=SIGNED_IN, status_code=200)
async def new_token(request: Request) -> Template:
    fields = await read_form(request)
    me = await session_account(request)
    try:
        token = await create_token(me.id, field_value(fields, "name"))
    except AccountError as exc:
        return await _account_page(request, error=str(exc), status=422)
    # Shown once, on this response only: it is never stored in a form a browser might keep.
    return await _account_page(request, new_token=token)


@post("/konto/nycklar/{token:int}/aterkalla", guards=SIGNED_IN, status_code=303)
async def revoke(request: Request, token: FromPath[int]) -> Redirect:
    me = await session_account(request)
    if not await revoke_token(me.id, token):
        raise UserError(404, _("Nyckeln finns inte bland dina nycklar."))
    return Redirect(path="/konto", status_code=303)


async def _users_page(request: Request, *, errors=None, values=None, status: int = 200) -> Template:
    return Template(
        "account/users.html",
        context={
            "account": await session_account(request),
            "users": await all_users(),
            "roles": [(role.value, role.label) for role in Role],
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status,
    )


@get("/admin/anvandare", guards=ADMIN)
async def users_page(request: Request) -> Template:
    return await _users_page(request)


@post("/admin/anvandare", guards=ADMIN, status_code=303)
async def new_user(request: Request) -> Template | Redirect:
    fields = await read_form(request)
    values = field_values(fields, "username", "display_name", "role", "password")
    if values["role"] not in {r.value for r in Role}:
        return await _users_page(request, errors={"role": _("Välj en roll.")}, values=values, status=422)
    try:
        async with write_transaction():
            await create_user(
                values["username"], values["password"], Role(values["role"]), values["display_name"]
            )
    except AccountError as exc:
        values["password"] = ""
        return await _users_page(request, errors={"username": str(exc)}, values=values, status=422)
    return Redirect(path="/admin/anvandare", status_code=303)


@post("/admin/anvandare/{user:int}/{action:str}", guards=ADMIN, status_code=303)
async def change_user(request: Request, user: FromPath[int], action: FromPath[str]) -> Redirect:
    me = await session_account(request)
    if action not in ("inaktivera", "aktivera"):
        raise UserError(404, _("Sidan finns inte."))
    if user == me.id:
        raise UserError(409, _("Du kan inte stänga av ditt eget konto."))
    if not await set_active(user, action == "aktivera"):
        raise UserError(404, _("Användaren finns inte."))
    return Redirect(path="/admin/anvandare", status_code=303)


HANDLERS = [account_page, new_token, revoke, users_page, new_user, change_user]
