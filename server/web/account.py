"""A signed-in person's own account (password, API keys), and the administrator's users."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from locales import gettext as _
from server import clock
from server.sessions import renew, requires_page, session_account
from server.web.forms import field_value, field_values, read_form
from server.web.login import throttle_keys
from surveys.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from surveys.accounts.users import (
    TOKEN_DAY_CHOICES,
    TOKEN_DAYS,
    Role,
    all_users,
    change_password,
    create_token,
    create_user,
    reset_password,
    revoke_token,
    set_active,
    set_grants,
    set_role,
    tokens_of,
    user,
)
from surveys.db.engine import write_transaction
from surveys.errors import Invalid, NotFound

SIGNED_IN = [requires_page(Role.READER)]
ADMIN = [requires_page(Role.ADMIN)]


def _password_rules() -> str:
    return _("Minst %(min)s och högst %(max)s tecken. Gärna några ord som bara du sätter ihop.") % {
        "min": MIN_PASSWORD_LENGTH,
        "max": MAX_PASSWORD_LENGTH,
    }


async def _account_page(
    request: Request,
    *,
    new_token: str = "",
    token_errors=None,
    password_errors=None,
    done: str = "",
    status: int = 200,
) -> Template:
    me = await session_account(request)
    return Template(
        "account/tokens.html",
        context={
            "account": me,
            "tokens": await tokens_of(me.id),
            "now": clock.now(),
            "new_token": new_token,
            "token_errors": token_errors or {},
            "password_errors": password_errors or {},
            "day_choices": TOKEN_DAY_CHOICES,
            "default_days": TOKEN_DAYS,
            "password_rules": _password_rules(),
            "done": _("Ditt lösenord är bytt. Du är utloggad överallt utom här.")
            if done == "losenord"
            else "",
        },
        status_code=status,
    )


@get("/konto", guards=SIGNED_IN)
async def account_page(request: Request, klart: FromQuery[str] = "") -> Template:
    return await _account_page(request, done=klart)


@post("/konto/losenord", guards=SIGNED_IN, status_code=303)
async def new_password(request: Request) -> Template | Redirect:
    if not request.app.state.settings.local_passwords:  # passwords are the organisation's sign-in service's
        raise NotFoundException()
    fields = await read_form(request)
    me = await session_account(request)
    values = field_values(fields, "current_password", "new_password", "new_password_again")
    try:
        epoch = await change_password(
            me,
            values["current_password"],
            values["new_password"],
            values["new_password_again"],
            throttle_keys(request, me.username),
            clock.now(),
        )
    except Invalid as exc:
        return await _account_page(request, password_errors=exc.errors, status=422)
    await renew(request, me, epoch)
    return Redirect(path="/konto?klart=losenord", status_code=303)


@post("/konto/nycklar", guards=SIGNED_IN, status_code=200)
async def new_token(request: Request) -> Template:
    fields = await read_form(request)
    me = await session_account(request)
    try:
        token = await create_token(
            me.id, field_value(fields, "name"), field_value(fields, "days") or TOKEN_DAYS, now=clock.now()
        )
    except Invalid as exc:
        return await _account_page(request, token_errors=exc.errors, status=422)
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
            "password_rules": _password_rules(),
        },
        status_code=status,
    )


@get("/admin/anvandare", guards=ADMIN)
async def users_page(request: Request) -> Template:
    return await _users_page(request)


@post("/admin/anvandare", guards=ADMIN, status_code=303)
async def new_user(request: Request) -> Template | Redirect:
    fields = await read_form(request)
    values = field_values(fields, "username", "display_name", "role", "password", "plans", "organisations")
    me = await session_account(request)
    try:
        async with write_transaction():
            await create_user(
                values["username"],
                values["password"],
                values["role"],
                values["display_name"],
                by=me,
                plans=values["plans"],
                organisations=values["organisations"],
            )
    except Invalid as exc:
        values["password"] = ""
        return await _users_page(request, errors=exc.errors, values=values, status=422)
    return Redirect(path="/admin/anvandare", status_code=303)


async def _user_page(
    request: Request, user_id: int, *, errors=None, done: str = "", status: int = 200
) -> Template:
    shown = await user(user_id)
    messages = {
        "losenord": _("Lösenordet är bytt. Alla personens inloggningar har avslutats."),
        "roll": _("Rollen är ändrad."),
        "behorighet": _(
            "Behörigheten är ändrad. Den gäller från personens nästa sida och för API-nycklarna."
        ),
        "aktivera": _("Kontot är aktiverat. Personen loggar in på nytt och skapar nya API-nycklar."),
        "inaktivera": _(
            "Kontot är avstängt. Personens inloggningar har avslutats och API-nycklarna återkallats."
        ),
    }
    return Template(
        "account/user.html",
        context={
            "account": await session_account(request),
            "user": shown,
            "roles": [(role.value, role.label) for role in Role],
            "errors": errors or {},
            "done": messages.get(done, ""),
            "password_rules": _password_rules(),
        },
        status_code=status,
    )


@get("/admin/anvandare/{user:int}", guards=ADMIN)
async def user_page(request: Request, user: FromPath[int], klart: FromQuery[str] = "") -> Template:
    return await _user_page(request, user, done=klart)


@post("/admin/anvandare/{user:int}/{action:str}", guards=ADMIN, status_code=303)
async def change_user(request: Request, user: FromPath[int], action: FromPath[str]) -> Template | Redirect:
    """Switch a user off or on, give them a new password, another role, or other plans."""
    me = await session_account(request)
    if action not in ("inaktivera", "aktivera", "losenord", "roll", "behorighet"):
        raise NotFound(_("Sidan finns inte."))
    fields = await read_form(request)
    try:
        if action == "losenord":
            await reset_password(user, field_value(fields, "password"), by=me)
        elif action == "roll":
            await set_role(user, field_value(fields, "role"), by=me)
        elif action == "behorighet":  # the same rule as `effekt grant`
            await set_grants(user, field_value(fields, "plans"), field_value(fields, "organisations"), by=me)
        else:
            await set_active(user, action == "aktivera", by=me)
    except Invalid as exc:
        return await _user_page(request, user, errors=exc.errors, status=422)
    return Redirect(path=f"/admin/anvandare/{user}?klart={action}", status_code=303)


HANDLERS = [account_page, new_password, new_token, revoke, users_page, new_user, user_page, change_user]
