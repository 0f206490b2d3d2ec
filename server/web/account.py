"""A signed-in person's API keys, and the administrator's list of users."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from locales import gettext as _
from server.sessions import requires_page, session_account
from server.web.forms import field_value, field_values, read_form
from surveys.accounts.users import (
    Role,
    all_users,
    create_token,
    create_user,
    revoke_token,
    set_active,
    tokens_of,
)
from surveys.db.engine import write_transaction
from surveys.errors import Invalid, NotFound

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
    except Invalid as exc:
        return await _account_page(request, error=exc.message, status=422)
    # Shown once, on this response only: it is never stored in a form a browser might keep.
    return await _account_page(request, new_token=token)


@post("/konto/nycklar/{token:int}/aterkalla", guards=SIGNED_IN, status_code=303)
async def revoke(request: Request, token: FromPath[int]) -> Redirect:
    me = await session_account(request)
    await revoke_token(me.id, token)
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
    try:
        async with write_transaction():
            await create_user(values["username"], values["password"], values["role"], values["display_name"])
    except Invalid as exc:
        values["password"] = ""
        return await _users_page(request, errors=exc.errors, values=values, status=422)
    return Redirect(path="/admin/anvandare", status_code=303)


@post("/admin/anvandare/{user:int}/{action:str}", guards=ADMIN, status_code=303)
async def change_user(request: Request, user: FromPath[int], action: FromPath[str]) -> Redirect:
    me = await session_account(request)
    if action not in ("inaktivera", "aktivera"):
        raise NotFound(_("Sidan finns inte."))
    await set_active(user, action == "aktivera", by=me.id)
    return Redirect(path="/admin/anvandare", status_code=303)


HANDLERS = [account_page, new_token, revoke, users_page, new_user, change_user]
