"""Signing in through the organisation's identity provider (OpenID Connect), and out of both again.

The sign-in is the authorization code flow with PKCE: `/logga-in/sso` sends the person to the provider
with a fresh state, nonce and code verifier; the provider sends them back to `/logga-in/sso/svar` (the
redirect URI registered at the provider), which takes the sign-in it began (once: a replayed answer finds
nothing), exchanges the code, checks the ID token (server/oidc/client.py) and lets
`surveys/accounts/federated.py` decide the role. The state also sits in a cookie of the browser that
began, so an answer meant for someone else's browser (login CSRF) is refused.

`/logga-ut/sso` ends the effekt session and then the provider's (RP-initiated logout), which sends the
person back to `/logga-ut/sso/klar`. effekt's Content-Security-Policy allows forms to post only to
effekt (`form-action 'self'`), and browsers apply that to the redirects after a form too, so the step to
the provider is a page of effekt's that moves on by itself (and has a link), not a redirect.

Every route answers 404 while single sign-on is not configured (no EFFEKT_OIDC_ISSUER).
"""

from __future__ import annotations

import logging
import secrets

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from locales import gettext as _
from server import clock, sessions
from server.oidc.client import OidcClient, ProviderUnavailable, TokenRefused
from server.oidc.settings import OidcConfig
from surveys.accounts import federated
from surveys.accounts.users import MAX_DISPLAY_NAME_LENGTH
from surveys.errors import Forbidden, Invalid

STATE_COOKIE = "effekt_sso"
START = "/logga-in/sso"
CALLBACK = "/logga-in/sso/svar"
SIGNED_OUT = "/logga-ut/sso/klar"
log = logging.getLogger("effekt.sso")


def oidc_client(settings) -> OidcClient | None:
    """The app's client of the configured provider (create_app keeps it in app state), or None when off."""
    config = OidcConfig.of(settings)
    return OidcClient(config) if config is not None else None


def _client(request: Request) -> OidcClient:
    client = request.app.state.get("oidc")
    if client is None:
        raise NotFoundException()
    return client


def _base_url(request: Request) -> str:
    """effekt's own address as the person's browser sees it: the redirect URIs registered at the provider."""
    scheme = "https" if request.app.state.settings.https else request.url.scheme
    return f"{scheme}://{request.url.netloc}"


def _problem(status: int, title: str, message: str, *, retry: bool = True) -> Template:
    return Template(
        "sso_problem.html",
        context={"title": title, "message": message, "retry": retry},
        status_code=status,
    )


def _unavailable() -> Template:
    return _problem(
        503,
        _("Din organisations inloggning svarar inte"),
        _(
            "effekt får inget svar från din organisations inloggningstjänst just nu. Försök igen om en stund. "
            "Fungerar det fortfarande inte, kontakta er IT-support."
        ),
    )


def _not_finished() -> Template:
    return _problem(
        400,
        _("Inloggningen gick inte att slutföra"),
        _(
            "Inloggningen tog för lång tid, påbörjades i en annan webbläsare eller flik, eller har redan "
            "använts. Börja om från början."
        ),
    )


@get(START, name="sso_start")
async def start(request: Request, next: FromQuery[str | None] = None) -> Redirect | Template:
    client = _client(request)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    try:
        url = await client.authorization_url(
            redirect_uri=_base_url(request) + CALLBACK, state=state, nonce=nonce, code_verifier=verifier
        )
    except ProviderUnavailable as exc:
        log.warning("single sign-on: the provider is unavailable: %s", exc)
        return _unavailable()
    await federated.begin_sign_in(
        state, federated.PendingSignIn(nonce, verifier, sessions.safe_next(next)), clock.now()
    )
    response = Redirect(path=url, status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        state,
        path=START,
        max_age=federated.SIGN_IN_MINUTES * 60,
        httponly=True,
        secure=request.app.state.settings.https,
        samesite="lax",
    )
    return response


@get(CALLBACK, name="sso_callback")
async def callback(request: Request) -> Redirect | Template:
    client = _client(request)
    query = request.query_params
    state = query.get("state") or ""
    cookie = request.cookies.get(STATE_COOKIE) or ""
    # The sign-in is taken (used up) before anything else, so a second try with the same answer finds nothing.
    pending = await federated.finish_sign_in(state, clock.now()) if state else None
    if pending is None or not cookie or not secrets.compare_digest(cookie.encode(), state.encode()):
        log.warning("single sign-on refused: unknown, used or foreign state")
        return _forget_state(_not_finished())
    if query.get("error"):
        log.info("single sign-on: the provider answered %s", query.get("error"))
        return _forget_state(
            _problem(
                400,
                _("Inloggningen avbröts"),
                _(
                    "Inloggningen hos din organisation avbröts eller nekades, så du är inte inloggad i effekt."
                ),
            )
        )
    if query.get("iss") is not None and query.get("iss") != client.config.issuer:
        # The answer names another provider than the one this sign-in went to (a mix-up attack).
        log.warning("single sign-on refused: the answer names the issuer %r", query.get("iss"))
        return _forget_state(_not_finished())
    code = query.get("code") or ""
    try:
        token = await client.exchange(
            code=code, redirect_uri=_base_url(request) + CALLBACK, code_verifier=pending.code_verifier
        )
        claims = await client.verified_claims(token, nonce=pending.nonce, now=clock.now())
        account = await federated.sign_in(_identity(client.config, claims), token["id_token"], clock.now())
    except ProviderUnavailable as exc:
        log.warning("single sign-on: the provider is unavailable: %s", exc)
        return _forget_state(_unavailable())
    except (TokenRefused, Invalid) as exc:
        log.warning("single sign-on refused: %s", exc)
        return _forget_state(
            _problem(
                502,
                _("Inloggningen kunde inte godkännas"),
                _(
                    "Svaret från din organisations inloggningstjänst gick inte att godkänna, så du är inte "
                    "inloggad. Försök igen. Händer det igen, kontakta er IT-support och berätta när det hände."
                ),
            )
        )
    except Forbidden as exc:
        log.info("single sign-on: signed in at the provider, but refused here: %s", type(exc).__name__)
        return _forget_state(_problem(403, _("Du har inte behörighet till effekt"), str(exc), retry=False))
    await sessions.sign_in(request, account, method=_("med organisationens konto (OpenID Connect)"))
    return _forget_state(
        Redirect(path=sessions.next_page(request, account, pending.next_path), status_code=303)
    )


def _identity(config: OidcConfig, claims: dict) -> federated.Identity:
    name = next(
        (claims[key].strip() for key in ("name", "preferred_username", "email") if _text(claims.get(key))),
        "",
    )
    hint = next((claims[key] for key in ("preferred_username", "email") if _text(claims.get(key))), "")
    values = federated.claim_values(claims, config.role_claim)
    role = federated.role_granted(values, config.roles)
    return federated.Identity(
        issuer=claims["iss"],
        subject=claims["sub"],
        display_name=name[:MAX_DISPLAY_NAME_LENGTH] or _("Namnlös användare"),
        username_hint=hint,
        role=role,
        grants=federated.grants_granted(values, role, config.roles, config.grants),
    )


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _forget_state(response: Redirect | Template) -> Redirect | Template:
    response.delete_cookie(STATE_COOKIE, path=START)
    return response


async def provider_sign_out(request: Request, user_id: int) -> Template | None:
    """For a person who signed in through the provider: the page that takes them on to the provider's
    sign-out (call it after ending their effekt session). None for local users, or without single sign-on."""
    client = request.app.state.get("oidc")
    if client is None:
        return None
    hint = await federated.sign_out_hint(user_id)
    if hint is None:
        return None
    try:
        url = await client.end_session_url(
            id_token_hint=hint,
            post_logout_redirect_uri=_base_url(request) + SIGNED_OUT,
            state=secrets.token_urlsafe(16),
        )
    except ProviderUnavailable as exc:
        log.warning("single sign-on: the provider is unavailable for signing out: %s", exc)
        url = None
    return Template("sso_signed_out.html", context={"provider_url": url, "done": False}, status_code=200)


@post("/logga-ut/sso", status_code=303)
async def sign_out(request: Request) -> Redirect | Template:
    _client(request)
    signed_out = await sessions.sign_out(request)
    page = await provider_sign_out(request, signed_out.id) if signed_out is not None else None
    return page or Redirect(path="/", status_code=303)


@get(SIGNED_OUT, name="sso_signed_out")
async def signed_out(request: Request) -> Template:
    _client(request)
    return Template("sso_signed_out.html", context={"provider_url": None, "done": True})


HANDLERS = [start, callback, sign_out, signed_out]
