"""Signing in and out. One message for every wrong combination, and guessing is slowed down.

Each attempt is reserved before the password is checked (surveys/accounts/throttle.py): under the user name
from this client, the client, and the account, or, from a browser where the person has signed in before,
under that browser's device cookie instead of the account. The device cookie is what keeps a person able to
sign in while others guess at their account from many places; it names no one (an HMAC over a random
number, a date and the user name) and is sent only to the sign-in page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from locales import gettext as _
from server import clock
from server.sessions import next_page, safe_next, session_account, sign_in, sign_out
from server.web import sso
from server.web.forms import field_value, read_form
from surveys.accounts import throttle
from surveys.accounts.users import check_password, normalise_username, wait_message

DEVICE_COOKIE = "effekt_device"
DEVICE_DAYS = 180
LOGIN_PATH = "/logga-in"


def _secret(request: Request, purpose: bytes) -> bytes:
    return hashlib.sha256(purpose + request.app.state.settings.secret_key.encode()).digest()


def _device_mac(request: Request, nonce: str, expires: int, username: str) -> str:
    message = f"{nonce}|{expires}|{normalise_username(username)}".encode()
    return hmac.new(_secret(request, b"effekt-device:"), message, hashlib.sha256).hexdigest()


def _device(request: Request, username: str) -> str | None:
    """The device cookie's random number if it is ours, unexpired and made for this user name."""
    nonce, _sep, rest = request.cookies.get(DEVICE_COOKIE, "").partition(".")
    expires, _sep, mac = rest.partition(".")
    if not (nonce.isascii() and nonce.isalnum() and expires.isdigit() and mac.isascii()):
        return None
    if int(expires) < clock.now().timestamp():
        return None
    return nonce if hmac.compare_digest(mac, _device_mac(request, nonce, int(expires), username)) else None


def _device_cookie(request: Request, username: str) -> Cookie:
    nonce = secrets.token_hex(16)
    expires = int(clock.now().timestamp()) + DEVICE_DAYS * 86400
    return Cookie(
        key=DEVICE_COOKIE,
        value=f"{nonce}.{expires}.{_device_mac(request, nonce, expires, username)}",
        path=LOGIN_PATH,
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        secure=request.app.state.settings.https,
        samesite="strict",
    )


def throttle_keys(request: Request, username: str) -> list[throttle.Key]:
    """The keys an attempt of `username` from this request counts under (also for a password change)."""
    client = request.client.host if request.client else "unknown"
    return throttle.keys_for(
        _secret(request, b"effekt-throttle:"), username, client, _device(request, username)
    )


def _form(target: str, username: str, error: str | None, status: int, headers=None) -> Template:
    return Template(
        "login.html",
        context={"next": target, "username": username, "error": error},
        status_code=status,
        headers=headers or {},
    )


@get(LOGIN_PATH, name="login")
async def login_form(
    request: Request, next: FromQuery[str | None] = None, error: FromQuery[str | None] = None
) -> Template | Redirect:
    signed_in = await session_account(request)
    if signed_in is not None:
        return Redirect(path=next_page(request, signed_in, next), status_code=303)
    target = safe_next(next)
    only_sso = not request.app.state.settings.local_passwords and request.app.state.get("oidc") is not None
    if only_sso and error is None:
        # The organisation's sign-in is the only way in: no page with a single button to click first.
        return Redirect(path=f"{sso.START}?{urlencode({'next': target})}", status_code=303)
    if error is not None:
        # A provider (or a sign-out) that sends the person back here with an error gets this page with the
        # message and the button, never another trip to the provider that could end here again.
        message = _(
            "Inloggningen hos din organisation gick inte att slutföra. Försök igen med knappen nedan."
        )
        return _form(target, "", message, 400)
    return _form(target, "", None, 200)


@post(LOGIN_PATH, status_code=303)
async def login(request: Request) -> Template | Redirect:
    fields = await read_form(request)
    if not request.app.state.settings.local_passwords:  # everyone signs in with their organisation's account
        raise NotFoundException()
    username = field_value(fields, "username").strip()
    password = field_value(fields, "password")
    target = safe_next((fields.get("next") or [None])[0])
    wrong = _("Fel användarnamn eller lösenord.")
    if not username or not password:
        return _form(target, username, wrong, 401)
    result = await check_password(username, password, throttle_keys(request, username), clock.now())
    if result.wait_seconds:
        message = wait_message(result.wait_seconds)
        if result.account_capped:
            message = _(
                "Det har gjorts för många misslyckade försök att logga in på det här kontot den senaste timmen. "
                "Logga in från en webbläsare där du har loggat in förut, eller vänta och försök igen."
            )
        return _form(target, username, message, 429, {"retry-after": str(result.wait_seconds)})
    if result.account is None:
        return _form(target, username, wrong, 401)
    await sign_in(request, result.account)
    return Redirect(
        path=next_page(request, result.account, target),
        status_code=303,
        cookies=[_device_cookie(request, result.account.username)],
    )


@post("/logga-ut", status_code=303)
async def logout(request: Request) -> Redirect | Template:
    signed_out = await sign_out(request)
    # Someone who signed in through the organisation's sign-in service is signed out there too; that takes
    # a page rather than a redirect (docs/drift.md, "Inloggning med organisationens konto").
    page = await sso.provider_sign_out(request, signed_out.id) if signed_out else None
    return page or Redirect(path="/", status_code=303)


HANDLERS = [login_form, login, logout]
