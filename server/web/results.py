"""Länsledning's pages: the plan overview, a target group's charts, and the charts themselves."""

from __future__ import annotations

import anyio
from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

import locales
from analysis.render.charts import render_cached, text_cached
from analysis.render.export import to_csv, to_xlsx
from analysis.render.verdicts import hidden_note
from locales import gettext as _
from server.scopes import in_scope
from server.sessions import requires_page, session_account
from surveys.accounts.users import Role
from surveys.errors import NotFound
from surveys.plans.editing import plan_codes
from surveys.plans.lookup import plan_row
from surveys.results.exports import export_tables
from surveys.results.overview import (
    ReachTrend,
    group_charts,
    group_summary,
    overview_matrix_cached,
    reach_trend,
    share_text,
    span_text,
    target_group,
)
from surveys.results.plan_results import PlanResults, plan_results
from surveys.results.raw_export import raw_rows

READER = [requires_page(Role.READER)]


async def _results(request: Request, code: str) -> PlanResults:
    return await plan_results(code, k=request.app.state.settings.min_group_size)


@get("/resultat", name="results_home", guards=READER)
async def results_home(request: Request) -> Template | Redirect:
    account = await session_account(request)
    plans = in_scope(account, await plan_codes())  # only the plans the person's grants cover
    if len(plans) == 1:
        return Redirect(path=f"/resultat/{plans[0][0]}", status_code=303)
    return Template("dashboard/plans.html", context={"account": account, "plans": plans})


@get("/resultat/{code:str}", name="overview", guards=READER)
async def overview_page(request: Request, code: FromPath[str]) -> Template:
    results = await _results(request, code)
    return Template(
        "dashboard/overview.html",
        context={
            "account": await session_account(request),
            "results": results,
            "matrix": overview_matrix_cached(results),
            "share_text": share_text,
            "span_text": span_text,
            "hidden_note": hidden_note(results.k),
        },
    )


# The presentation view's large trend lines: 16:9 slides read from the back of a meeting room.
_SLIDE_TREND = {"trend_width": 280, "trend_height": 56}


@get("/resultat/{code:str}/visning", name="presentation", guards=READER)
async def presentation_start(request: Request, code: FromPath[str]) -> Template:
    """The first slide: the plan's headline and the matrix; the target groups follow, one per slide."""
    results = await _results(request, code)
    return _slide(request, results, None)


@get("/resultat/{code:str}/visning/{group:str}", guards=READER)
async def presentation_group(request: Request, code: FromPath[str], group: FromPath[str]) -> Template:
    results = await _results(request, code)
    target_group(results, group)  # NotFound for a group the plan does not have
    return _slide(request, results, group)


def _slide(request: Request, results: PlanResults, group: str | None) -> Template:
    order = [None, *(g.code for g in results.groups)]
    position = order.index(group)
    base = f"/resultat/{results.plan_code}/visning"

    def address(code: str | None) -> str:
        return base if code is None else f"{base}/{code}"

    names = {g.code: g.name for g in results.groups}
    context = {
        "results": results,
        "matrix": overview_matrix_cached(results),
        "share_text": share_text,
        "span_text": span_text,
        "hidden_note": hidden_note(results.k),
        "position": position + 1,
        "count": len(order),
        "first": address(order[0]),
        "last": address(order[-1]),
        "previous": (address(order[position - 1]), names.get(order[position - 1])) if position > 0 else None,
        "next": (address(order[position + 1]), names.get(order[position + 1]))
        if position + 1 < len(order)
        else None,
        "exit": f"/resultat/{results.plan_code}"
        if group is None
        else f"/resultat/{results.plan_code}/malgrupper/{group}",
    }
    if group is not None:
        context["summary"] = group_summary(results, group, **_SLIDE_TREND)
    return Template("dashboard/presentation.html", context=context)


@get("/resultat/{code:str}/malgrupper/{group:str}", name="group", guards=READER)
async def group_page(request: Request, code: FromPath[str], group: FromPath[str]) -> Template:
    results = await _results(request, code)
    found = target_group(results, group)
    # Building a chart lays it out (matplotlib): off the event loop, and only once per version of the data.
    specs = group_charts(results, group)
    locale = locales.current_locale()

    def texts():
        with locales.using_locale(locale):
            return [
                (spec, text_cached(_chart_key(code, group, spec.key, results.stamp), spec.build))
                for spec in specs
            ]

    charts = await anyio.to_thread.run_sync(texts)
    return Template(
        "dashboard/group.html",
        context={
            "account": await session_account(request),
            "results": results,
            "group": found,
            "summary": group_summary(results, group),
            "charts": charts,
            "stamp": results.stamp,
            "share_text": share_text,
            "span_text": span_text,
            "hidden_note": hidden_note(results.k),
        },
    )


@get("/resultat/{code:str}/rackvidd", name="reach_trend", guards=READER)
async def reach_page(
    request: Request, code: FromPath[str], malgrupp: FromQuery[str | None] = None
) -> Template:
    """Reach per month beside each wave's channel recall and L1–L2 (the same section as on the activities page)."""
    results = await _results(request, code)
    trend = reach_trend(results, malgrupp or None)
    return Template(
        "dashboard/reach_trend.html",
        context={
            "account": await session_account(request),
            "results": results,
            **reach_context(trend, results.k),
        },
    )


def reach_context(trend: ReachTrend, k: int) -> dict:
    """What `dashboard/_reach_trend.html` needs, for any page that shows it."""
    return {
        "reach_trend": trend,
        "reach_charts": trend.charts("channel"),
        "activity_charts": trend.charts("activity"),
        "hidden_note": hidden_note(k),
    }


def _chart_key(code: str, group: str, name: str, stamp: str) -> str:
    """Everything a chart depends on, so any worker can rebuild the same chart from the same key."""
    return f"{code}/{group}/{name}/{stamp}/{locales.current_locale()}"


@get("/resultat/{code:str}/malgrupper/{group:str}/diagram/{chart:str}", guards=READER)
async def chart_image(
    request: Request, code: FromPath[str], group: FromPath[str], chart: FromPath[str]
) -> Response:
    name, _dot, fmt = chart.rpartition(".")
    if fmt not in ("svg", "png"):
        raise NotFound(_("Diagrammet finns som svg och png."))
    results = await _results(request, code)
    spec = next((s for s in group_charts(results, group) if s.key == name), None)
    if spec is None:
        raise NotFound(_("Diagrammet finns inte."))
    key = _chart_key(code, group, name, results.stamp)
    locale = locales.current_locale()

    def draw() -> bytes:
        with locales.using_locale(locale):
            return render_cached(key, spec.build, fmt)

    data = await anyio.to_thread.run_sync(draw)
    return Response(
        data,
        media_type="image/svg+xml" if fmt == "svg" else "image/png",
        headers={"cache-control": "private, max-age=300"},
    )


HANDLERS = [
    results_home,
    overview_page,
    presentation_start,
    presentation_group,
    group_page,
    reach_page,
    chart_image,
]


@get("/resultat/{code:str}/export/{fmt:str}", guards=READER)
async def export(request: Request, code: FromPath[str], fmt: FromPath[str]) -> Response:
    if fmt not in ("xlsx", "csv"):
        raise NotFound(_("Resultaten kan hämtas som xlsx och csv."))
    results = await _results(request, code)
    tables = export_tables(results)
    data = await anyio.to_thread.run_sync(
        lambda: to_xlsx(tables, title=results.plan_title) if fmt == "xlsx" else to_csv(tables)
    )
    media = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "text/csv; charset=utf-8"
    )
    return Response(
        data,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="resultat-{code}.{fmt}"'},
    )


HANDLERS = [*HANDLERS, export]


@get("/resultat/{code:str}/svar.csv", guards=[requires_page(Role.ADMIN)])
async def raw_responses(request: Request, code: FromPath[str]) -> Stream:
    from surveys.accounts import audit

    plan = await plan_row(code)  # a plain 404 for an unknown plan, before the file starts
    await audit.record(
        await session_account(request), audit.Action.RAW_EXPORT, audit.named("Plan", code, plan["title"])
    )
    return Stream(
        raw_rows(code, request.app.state.settings.min_group_size),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="svar-{code}.csv"'},
    )


HANDLERS = [*HANDLERS, raw_responses]
