"""Meetings and decisions: frozen results, decisions per activity, and the activities' history."""

from __future__ import annotations

import anyio
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

import locales
from analysis.render import workers
from locales import gettext as _
from server import clock
from server.sessions import requires_page, session_account
from server.web.forms import field_values, read_form
from surveys.accounts.users import Role
from surveys.errors import Invalid, NotFound
from surveys.meetings.pack import meeting_pack, render_pack
from surveys.meetings.records import (
    VERDICTS,
    create_meeting,
    decisions,
    find_meeting,
    list_meetings,
    record_decision,
    verdict_label,
)
from surveys.plans.editing import PlanOverview, plan_overview
from surveys.plans.lookup import no_such_plan
from surveys.results.overview import activity_recall, overview, share_text, span_text
from surveys.results.plan_results import plan_results

READER = [requires_page(Role.READER)]
COMMUNICATOR = [requires_page(Role.COMMUNICATOR)]


async def _plan(code: str) -> PlanOverview:
    plan = await plan_overview(code)
    if plan is None:
        raise no_such_plan(code)
    return plan


async def _meetings_page(request: Request, code: str, *, errors=None, values=None, status=200) -> Template:
    plan = await _plan(code)
    return Template(
        "dashboard/meetings.html",
        context={
            "account": await session_account(request),
            "plan": plan,
            "meetings": await list_meetings(code),
            "errors": errors or {},
            "values": values or {"held_on": clock.now().date().isoformat()},
        },
        status_code=status,
    )


@get("/resultat/{code:str}/moten", guards=READER)
async def meetings_page(request: Request, code: FromPath[str]) -> Template:
    return await _meetings_page(request, code)


@post("/resultat/{code:str}/moten", guards=COMMUNICATOR, status_code=303)
async def new_meeting(request: Request, code: FromPath[str]) -> Template | Redirect:
    fields = await read_form(request)
    values = field_values(fields, "title", "held_on")
    try:
        meeting_id = await create_meeting(
            code, values["title"], values["held_on"], k=request.app.state.settings.min_group_size
        )
    except Invalid as exc:
        return await _meetings_page(request, code, errors=exc.errors, values=values, status=422)
    return Redirect(path=f"/resultat/{code}/moten/{meeting_id}", status_code=303)


async def _meeting_page(request: Request, code: str, meeting: int, *, errors=None, status=200) -> Template:
    view = await find_meeting(code, meeting, k=request.app.state.settings.min_group_size)
    plan = await _plan(code)
    history: dict[str, list] = {}
    for decision in await decisions(code):
        history.setdefault(decision.activity, []).append(decision)
    return Template(
        "dashboard/meeting.html",
        context={
            "account": await session_account(request),
            "meeting": view,
            "results": view.results,
            "rows": overview(view.results),
            "activities": plan.activities,
            "history": history,
            "verdicts": [(key, verdict_label(key)) for key in VERDICTS],
            "errors": errors or {},
            "share_text": share_text,
            "span_text": span_text,
        },
        status_code=status,
    )


@get("/resultat/{code:str}/moten/{meeting:int}", guards=READER)
async def meeting_page(request: Request, code: FromPath[str], meeting: FromPath[int]) -> Template:
    # The pack is downloaded from this page: its worker processes start now (once), ready for the click.
    workers.start()
    return await _meeting_page(request, code, meeting)


@post("/resultat/{code:str}/moten/{meeting:int}/beslut", guards=COMMUNICATOR, status_code=303)
async def decide(request: Request, code: FromPath[str], meeting: FromPath[int]) -> Template | Redirect:
    fields = await read_form(request)
    value = field_values(fields, "activity", "verdict", "motivation")
    try:
        await record_decision(code, meeting, value["activity"], value["verdict"], value["motivation"])
    except Invalid as exc:
        keyed = {f"{value['activity']}-{field}": message for field, message in exc.errors.items()}
        return await _meeting_page(request, code, meeting, errors=keyed, status=422)
    return Redirect(path=f"/resultat/{code}/moten/{meeting}#aktivitet-{value['activity']}", status_code=303)


@get("/resultat/{code:str}/aktiviteter", guards=READER)
async def activities_page(request: Request, code: FromPath[str]) -> Template:
    plan = await _plan(code)
    results = await plan_results(code, k=request.app.state.settings.min_group_size)
    reach: dict[str, list] = {}
    for figure in results.reach:
        if figure.activity:
            reach.setdefault(figure.activity, []).append(figure)
    history: dict[str, list] = {}
    for decision in await decisions(code):
        history.setdefault(decision.activity, []).append(decision)
    return Template(
        "dashboard/activities.html",
        context={
            "account": await session_account(request),
            "plan": plan,
            "results": results,
            "reach": reach,
            "recall": {
                a.code: activity_recall(results, a.channel_codes, a.group_codes) for a in plan.activities
            },
            "history": history,
        },
    )


HANDLERS = [meetings_page, new_meeting, meeting_page, decide, activities_page]


PACK_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@get("/resultat/{code:str}/moten/{meeting:int}/motespaket/{fmt:str}", guards=READER)
async def pack(request: Request, code: FromPath[str], meeting: FromPath[int], fmt: FromPath[str]) -> Response:
    if fmt not in PACK_TYPES:
        raise NotFound(_("Mötespaketet finns som pdf och pptx."))
    view = await find_meeting(code, meeting, k=request.app.state.settings.min_group_size)
    workers.start()  # for the next pack, if this process has not shown a meeting page yet
    contents = await meeting_pack(view)
    locale = locales.current_locale()

    def build() -> bytes:
        with locales.using_locale(locale):
            return render_pack(contents, fmt)

    data = await anyio.to_thread.run_sync(build)
    filename = f"motespaket-{code}-{view.held_on.isoformat()}.{fmt}"
    return Response(
        data,
        media_type=PACK_TYPES[fmt],
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


HANDLERS = [*HANDLERS, pack]
