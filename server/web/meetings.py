"""Meetings and decisions: frozen results, decisions per activity, and the activities' history."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

import locales
from analysis.render.report import taken_note
from locales import gettext as _
from server import clock
from server.sessions import requires_page, session_account
from server.settings import Settings
from server.web.forms import field_values, read_form
from server.web.results import reach_context
from surveys.accounts.users import Role
from surveys.errors import Invalid, NotFound
from surveys.meetings.pack import FORMATS, pack_branding, pack_file, prepare_charts
from surveys.meetings.records import (
    COMMENT_LENGTH,
    VERDICTS,
    create_meeting,
    decisions,
    find_meeting,
    list_meetings,
    record_decision,
    save_comments,
    verdict_label,
)
from surveys.plans.editing import PlanOverview, plan_overview
from surveys.plans.lookup import no_such_plan
from surveys.results.overview import activity_recall, overview, reach_trend, share_text, span_text
from surveys.results.plan_results import plan_results

READER = [requires_page(Role.READER)]
COMMUNICATOR = [requires_page(Role.COMMUNICATOR)]


async def _plan(code: str) -> PlanOverview:
    plan = await plan_overview(code)
    if plan is None:
        raise no_such_plan(code)
    return plan


def proposed_meeting(day: date) -> dict[str, str]:
    """The new-meeting form as it starts: today, and a title the person may keep or change. The title is
    the plan's own words, which are Swedish whatever the page's language (as the pack shows them)."""
    return {"title": f"Uppföljningsmöte {format_date(day, 'long', locale='sv')}", "held_on": day.isoformat()}


async def _meetings_page(request: Request, code: str, *, errors=None, values=None, status=200) -> Template:
    plan = await _plan(code)
    return Template(
        "dashboard/meetings.html",
        context={
            "account": await session_account(request),
            "plan": plan,
            "meetings": await list_meetings(code),
            "errors": errors or {},
            "values": values or proposed_meeting(clock.now().date()),
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
    # The meeting's charts are drawn now, after the answer, so that its pack is ready when it is asked for.
    task = BackgroundTask(
        prepare_charts,
        code,
        meeting_id,
        k=request.app.state.settings.min_group_size,
        locale=locales.current_locale(),
    )
    return Redirect(path=f"/resultat/{code}/moten/{meeting_id}", status_code=303, background=task)


async def _meeting_page(
    request: Request, code: str, meeting: int, *, errors=None, values=None, status=200
) -> Template:
    view = await find_meeting(code, meeting, k=request.app.state.settings.min_group_size)
    plan = await _plan(code)
    history: dict[str, list] = {}
    for decision in await decisions(code):
        history.setdefault(decision.activity, []).append(decision)
    rows = overview(view.results)
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.group_name, []).append(row)
    return Template(
        "dashboard/meeting.html",
        context={
            "account": await session_account(request),
            "meeting": view,
            "taken_note": taken_note(view.taken_on, view.held_on) if view.taken_on else "",
            "results": view.results,
            "rows": rows,
            "goal_groups": groups,
            "activities": plan.activities,
            "history": history,
            "verdicts": [(key, verdict_label(key)) for key in VERDICTS],
            "errors": errors or {},
            "values": values or {},
            "comment_length": COMMENT_LENGTH,
            "share_text": share_text,
            "span_text": span_text,
        },
        status_code=status,
    )


@get("/resultat/{code:str}/moten/{meeting:int}", guards=READER)
async def meeting_page(request: Request, code: FromPath[str], meeting: FromPath[int]) -> Template:
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


@post("/resultat/{code:str}/moten/{meeting:int}/kommentarer", guards=COMMUNICATOR, status_code=303)
async def comment(request: Request, code: FromPath[str], meeting: FromPath[int]) -> Template | Redirect:
    """Comments for the pack: the fields are named "goal:<id>" and "activity:<code>"."""
    fields = await read_form(request)
    sent = {
        name: values[-1]
        for name, values in fields.items()
        if name.startswith(("goal:", "activity:")) and values
    }
    anchor = field_values(fields, "anchor")["anchor"]
    try:
        await save_comments(code, meeting, sent)
    except Invalid as exc:
        keyed = {f"comment-{field.replace(':', '-')}": message for field, message in exc.errors.items()}
        return await _meeting_page(request, code, meeting, errors=keyed, values=sent, status=422)
    target = f"#{anchor}" if anchor.replace("-", "").isalnum() else ""
    return Redirect(path=f"/resultat/{code}/moten/{meeting}{target}", status_code=303)


@get("/resultat/{code:str}/aktiviteter", guards=READER)
async def activities_page(
    request: Request, code: FromPath[str], malgrupp: FromQuery[str | None] = None
) -> Template:
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
            # Reach over time beside the chosen target group's recall and L1–L2 (issue 16).
            **reach_context(reach_trend(results, malgrupp or None), results.k),
        },
    )


HANDLERS = [meetings_page, new_meeting, meeting_page, decide, comment, activities_page]


PACK_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "html": "text/html",  # Litestar adds "; charset=utf-8" to text types itself
}


def branding(settings: Settings):
    return pack_branding(settings.installation_name, settings.logo, settings.colour)


@get("/resultat/{code:str}/moten/{meeting:int}/motespaket/{fmt:str}", guards=READER)
async def pack(request: Request, code: FromPath[str], meeting: FromPath[int], fmt: FromPath[str]) -> Response:
    if fmt not in FORMATS:
        raise NotFound(_("Mötespaketet finns som pdf, pptx och html."))
    settings = request.app.state.settings
    data, held_on = await pack_file(code, meeting, fmt, branding(settings), k=settings.min_group_size)
    filename = f"motespaket-{code}-{held_on.isoformat()}.{fmt}"
    return Response(
        data,
        media_type=PACK_TYPES[fmt],
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


HANDLERS = [*HANDLERS, pack]
