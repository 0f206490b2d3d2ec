"""Importing reach figures from a web-analytics or LinkedIn export: preview first, save on request."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Template

from locales import gettext as _
from server.errors import UserError
from server.sessions import requires_page, session_account
from surveys.accounts.users import Role
from surveys.errors import Invalid
from surveys.plans.editing import plan_for_editing
from surveys.plans.reach import (
    MAX_BYTES,
    ImportDefaults,
    import_reach,
    parse_reach_csv,
    plan_vocabulary,
)

COMMUNICATOR = [requires_page(Role.COMMUNICATOR)]
SHOWN_ROWS = 50
SHOWN_ERRORS = 100


async def _page(request: Request, code: str, **context) -> Template:
    plan = await plan_for_editing(code)
    status = context.pop("status", 200)
    return Template(
        "workspace/reach.html",
        context={
            "account": await session_account(request),
            "plan": plan,
            "preview": None,
            "saved": None,
            "error": None,
            "choice": {},
            "shown_rows": SHOWN_ROWS,
            "shown_errors": SHOWN_ERRORS,
            **context,
        },
        status_code=status,
    )


@get("/arbeta/planer/{code:str}/rackvidd", guards=COMMUNICATOR)
async def reach_page(request: Request, code: FromPath[str]) -> Template:
    return await _page(request, code)


@post(
    "/arbeta/planer/{code:str}/rackvidd",
    guards=COMMUNICATOR,
    status_code=200,
    request_max_body_size=MAX_BYTES + 64 * 1024,
)
async def reach_upload(request: Request, code: FromPath[str]) -> Template:
    plan = await plan_for_editing(code)
    if request.content_type[0] != "multipart/form-data":
        raise UserError(415, _("Välj en fil att läsa in."))
    form = await request.form()
    upload = form.get("file")
    channel = str(form.get("channel") or "") or None
    activity = str(form.get("activity") or "") or None
    choice = {"channel": channel or "", "activity": activity or "", "skip": form.get("skip") == "ja"}
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _page(request, code, error=_("Välj en CSV-fil att läsa in."), choice=choice, status=422)
    data = await upload.read()
    channels, activities = await plan_vocabulary(plan.id)
    if (channel and channel not in channels) or (activity and activity not in activities):
        return await _page(
            request, code, error=_("Välj en kanal och aktivitet ur listorna."), choice=choice, status=422
        )
    preview = parse_reach_csv(
        data,
        channels=channels,
        activities=activities,
        defaults=ImportDefaults(channel=channel, activity=activity),
    )
    if form.get("action") != "save":
        return await _page(request, code, preview=preview, choice=choice)
    try:
        saved = await import_reach(plan.id, preview, skip_bad_rows=choice["skip"])
    except Invalid as refused:
        return await _page(request, code, preview=preview, error=refused.message, choice=choice, status=422)
    return await _page(request, code, saved=saved, choice=choice)


HANDLERS = [reach_page, reach_upload]
