"""Signing in and out. One message for every wrong combination, and guessing is slowed down."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from locales import gettext as _
from server import clock
from server.sessions import EPOCH, USER_ID, safe_next, session_account
from server.web.forms import field_value, read_form
from surveys.accounts.users import (
    authenticate,
    clear_failures,
    end_sessions,
    is_locked_out,
    record_failure,
    session_epoch,
)


@get("/logga-in", name="login")
async def login_form(request: Request, next: FromQuery[str | None] = None) -> Template | Redirect:
    if await session_account(request) is not None:
        return Redirect(path=safe_next(next), status_code=303)
    return Template("login.html", context={"next": safe_next(next), "username": "", "error": None})


@post("/logga-in", status_code=303)
async def login(request: Request) -> Template | Redirect:
    fields = await read_form(request)
    username = field_value(fields, "username").strip()
    password = field_value(fields, "password")
    target = safe_next((fields.get("next") or [None])[0])
    client = request.client.host if request.client else "unknown"
    now = clock.now()
    if await is_locked_out(username, client, now):
        return Template(
            "login.html",
            context={
                "next": target,
                "username": username,
                "error": _("För många misslyckade försök. Vänta en kvart och försök igen."),
            },
            status_code=429,
        )
    found = await authenticate(username, password) if username and password else None
    if found is None:
        await record_failure(username, client, now)
        return Template(
            "login.html",
            context={"next": target, "username": username, "error": _("Fel användarnamn eller lösenord.")},
            status_code=401,
        )
    await clear_failures(username)
    # A fresh session at sign-in: nothing from before (e.g. a planted cookie) carries over.
    request.clear_session()
    request.set_session({USER_ID: found.id, EPOCH: await session_epoch(found.id)})
    return Redirect(path=target, status_code=303)


@post("/logga-ut", status_code=303)
async def logout(request: Request) -> Redirect:
    signed_in = await session_account(request)
    if signed_in is not None:
        # The cookie is all there is to a session: without this, a copy of it would still sign in.
        await end_sessions(signed_in.id)
    request.clear_session()
    return Redirect(path="/", status_code=303)


HANDLERS = [login_form, login, logout]
