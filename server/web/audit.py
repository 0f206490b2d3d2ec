"""The audit log for administrators: /admin/logg (filtered, a page at a time) and /admin/logg.csv."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Stream, Template

from locales import gettext as _
from server import clock
from server.sessions import requires_page, session_account
from surveys.accounts import audit
from surveys.accounts.users import Role

ADMIN = [requires_page(Role.ADMIN)]


def _filters(fran: str, till: str, vem: str, vad: str) -> tuple[audit.Filters, dict[str, str]]:
    """The filters from the query, and a message per filter that could not be read (that one is left out)."""
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name, raw in (("fran", fran), ("till", till)):
        days[name] = None
        if raw.strip():
            try:
                days[name] = date.fromisoformat(raw.strip())
            except ValueError:
                errors[name] = _("Skriv dagen som ÅÅÅÅ-MM-DD, till exempel 2027-03-01.")
    action = vad.strip()
    if action and action not in audit.ACTION_CODES:
        errors["vad"] = _("Välj en händelse i listan.")
        action = ""
    return audit.Filters(days["fran"], days["till"], vem.strip()[:100], action), errors


@get("/admin/logg", guards=ADMIN)
async def audit_page(
    request: Request,
    fran: FromQuery[str] = "",
    till: FromQuery[str] = "",
    vem: FromQuery[str] = "",
    vad: FromQuery[str] = "",
    sida: FromQuery[int] = 1,
) -> Template:
    filters, errors = _filters(fran, till, vem, vad)
    found = await audit.events(filters, sida)
    query = {k: v for k, v in (("fran", fran), ("till", till), ("vem", vem), ("vad", vad)) if v.strip()}
    return Template(
        "account/audit.html",
        context={
            "account": await session_account(request),
            "found": found,
            "errors": errors,
            "values": {"fran": fran, "till": till, "vem": vem, "vad": vad},
            "actors": [(actor, audit.actor_label(actor)) for actor in await audit.actors()],
            "actions": [(action.value, action.label) for action in audit.Action],
            "query": urlencode(query),
            "page_link": lambda number: "/admin/logg?" + urlencode({**query, "sida": number}),
        },
        status_code=400 if errors else 200,
    )


@get("/admin/logg.csv", guards=ADMIN)
async def audit_export(
    request: Request,
    fran: FromQuery[str] = "",
    till: FromQuery[str] = "",
    vem: FromQuery[str] = "",
    vad: FromQuery[str] = "",
) -> Stream:
    filters, _errors = _filters(fran, till, vem, vad)
    me = await session_account(request)
    shown = ", ".join(
        f"{k}={v}" for k, v in (("fran", fran), ("till", till), ("vem", vem), ("vad", vad)) if v
    )
    await audit.record(me, audit.Action.AUDIT_EXPORT, "audit", shown)
    day = clock.now().date().isoformat()
    return Stream(
        audit.csv_lines(filters),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="granskningslogg-{day}.csv"'},
    )


HANDLERS = [audit_page, audit_export]
