"""The start page: the surveys that are open now, and for a signed-in person what their role lets them use.

Which pages a role may open is the pages' own guards' to say (`server.sessions.may_open`, the same rule
that decides where a person lands after signing in), so the links here never lead to "Din roll får inte
se den här sidan".
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request, get
from litestar.response import Template

from locales import N_
from locales import gettext as _
from server import clock
from server.sessions import may_open, session_account
from surveys.accounts.users import Account
from surveys.waves.lookup import open_waves


@dataclass(frozen=True)
class Place:
    path: str
    title: str
    description: str


_PLACES = (
    (
        "/resultat",
        N_("Resultat"),
        N_("Effektmålen, effekttrappan, varje fråga och svar per målgrupp och organisation, och mötena."),
    ),
    (
        "/arbeta",
        N_("Arbetsyta"),
        N_("Planer, enkäter, mätomgångar med länkar och QR-koder, och svaren som kommer in."),
    ),
    ("/admin/anvandare", N_("Användare"), N_("Konton, roller och API-nycklar.")),
    ("/admin/logg", N_("Händelselogg"), N_("Vem som har ändrat vad.")),
)


def places_for(request: Request, account: Account | None) -> list[Place]:
    """What a signed-in person's role lets them use, in the order they most likely want it."""
    if account is None:
        return []
    return [
        Place(path, _(title), _(text)) for path, title, text in _PLACES if may_open(request, account, path)
    ]


@get("/", name="home")
async def start_page(request: Request) -> Template:
    waves = await open_waves(clock.now())
    account = await session_account(request)
    return Template(
        "home.html", context={"waves": waves, "account": account, "places": places_for(request, account)}
    )
