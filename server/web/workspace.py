"""The communicator's workspace: plans, waves, links and QR codes, live progress."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import segno
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from locales import gettext as _
from server import clock
from server.sessions import requires_page, session_account
from server.web.forms import field_value, field_values, read_form
from surveys.accounts.users import Role
from surveys.db.engine import write_transaction
from surveys.errors import NotFound
from surveys.plans.editing import plan_codes, plan_overview, update_goal, update_sizes
from surveys.plans.lookup import no_such_plan
from surveys.questionnaires.storage import questionnaire_list
from surveys.results.releases import latest_release, release_open_wave
from surveys.waves.codes import code_counts, codes_sheet, issue_codes
from surveys.waves.lookup import WaveForm
from surveys.waves.prestart_check import check_privacy, check_questionnaire
from surveys.waves.progress import wave_progress, wave_sizes
from surveys.waves.setup import WaveError, close_early, create_wave, list_waves, reopen, wave_to_manage

COMMUNICATOR = [requires_page(Role.COMMUNICATOR)]
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@get("/arbeta", name="workspace", guards=COMMUNICATOR)
async def workspace(request: Request) -> Template:
    return Template(
        "workspace/index.html",
        context={
            "account": await session_account(request),
            "plans": await plan_codes(),
            "waves": await list_waves(),
            "now": clock.now(),
        },
    )


async def _plan_or_404(code: str):
    plan = await plan_overview(code)
    if plan is None:
        raise no_such_plan(code)
    return plan


def _plan_page(
    request, plan, account, *, errors=None, values=None, saved: str = "", status: int = 200
) -> Template:
    return Template(
        "workspace/plan.html",
        context={
            "account": account,
            "plan": plan,
            "errors": errors or {},
            "values": values or {},
            "saved": saved,
        },
        status_code=status,
    )


@get("/arbeta/planer/{code:str}", name="plan", guards=COMMUNICATOR)
async def plan_page(request: Request, code: FromPath[str], sparat: FromQuery[str] = "") -> Template:
    return _plan_page(request, await _plan_or_404(code), await session_account(request), saved=sparat)


@post("/arbeta/planer/{code:str}/mal/{goal:int}", guards=COMMUNICATOR, status_code=303)
async def edit_goal(request: Request, code: FromPath[str], goal: FromPath[int]) -> Template | Redirect:
    plan = await _plan_or_404(code)
    fields = await read_form(request)
    values = field_values(fields, "target", "deadline", "wording")
    errors = await update_goal(plan.id, goal, **values)
    if errors:
        keyed = {f"goal-{goal}-{field}": message for field, message in errors.items()}
        return _plan_page(
            request, plan, await session_account(request), errors=keyed, values={goal: values}, status=422
        )
    return Redirect(path=f"/arbeta/planer/{code}?sparat=mal-{goal}", status_code=303)


@post("/arbeta/planer/{code:str}/malgrupper/{group:str}/storlekar", guards=COMMUNICATOR, status_code=303)
async def edit_sizes(request: Request, code: FromPath[str], group: FromPath[str]) -> Template | Redirect:
    plan = await _plan_or_404(code)
    fields = await read_form(request)
    values = {name.removeprefix("size-"): v[0] for name, v in fields.items() if name.startswith("size-")}
    errors = await update_sizes(plan.id, group, values)
    if errors:
        keyed = {f"size-{group}-{org}": message for org, message in errors.items()}
        return _plan_page(
            request, plan, await session_account(request), errors=keyed, values={group: values}, status=422
        )
    return Redirect(path=f"/arbeta/planer/{code}?sparat=storlekar-{group}", status_code=303)


def _links(request: Request, wave: WaveForm) -> list[tuple[str, str, str]]:
    """(label, url, organisation code) for the open link and one per organisation."""
    base = str(request.base_url).rstrip("/")
    links = [(_("Öppen länk (alla organisationer)"), f"{base}/e/{wave.slug}", "")]
    links += [(org.name, f"{base}/e/{wave.slug}/o/{org.code}", org.code) for org in wave.organisations]
    return links


@get("/arbeta/omgangar/{slug:str}", name="wave", guards=COMMUNICATOR)
async def wave_page(request: Request, slug: FromPath[str], meddelande: FromQuery[str] = "") -> Template:
    wave = await wave_to_manage(slug)
    settings = request.app.state.settings
    progress = await wave_progress(wave, clock.now(), settings.min_group_size)
    findings = check_questionnaire(wave.questionnaire) + check_privacy(
        wave.questionnaire, await wave_sizes(wave), settings.min_group_size, open_link=not wave.uses_codes
    )
    return Template(
        "workspace/wave.html",
        context={
            "account": await session_account(request),
            "wave": wave,
            "progress": progress,
            "links": _links(request, wave),
            "message": meddelande,
            "findings": findings,
            "codes": await code_counts(wave.id),
            "release": await latest_release(wave.id),
            "error": None,
        },
    )


@get("/arbeta/omgangar/{slug:str}/qr/{fmt:str}", guards=COMMUNICATOR)
async def wave_qr(
    request: Request, slug: FromPath[str], fmt: FromPath[str], o: FromQuery[str] = ""
) -> Response:
    wave = await wave_to_manage(slug)
    if fmt not in ("png", "svg"):
        raise NotFound(_("QR-koden finns som png och svg."))
    if o and wave.organisation(o) is None:
        raise NotFound(_("Organisationen är inte med i mätomgången."))
    url = next(link for _label, link, code in _links(request, wave) if code == o)
    buffer = io.BytesIO()
    code = segno.make(url, error="m")
    # Large modules and a quiet zone: readable on a poster and on a projected slide.
    code.save(
        buffer,
        kind=fmt,
        scale=12 if fmt == "png" else 10,
        border=4,
        **({"title": url} if fmt == "svg" else {}),
    )
    filename = f"qr-{wave.slug}{'-' + o if o else ''}.{fmt}"
    return Response(
        buffer.getvalue(),
        media_type="image/png" if fmt == "png" else "image/svg+xml",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@post("/arbeta/omgangar/{slug:str}/stang", guards=COMMUNICATOR, status_code=303)
async def close_wave(request: Request, slug: FromPath[str]) -> Redirect:
    await close_early(slug)
    return Redirect(path=f"/arbeta/omgangar/{slug}?meddelande=stangd", status_code=303)


@post("/arbeta/omgangar/{slug:str}/ateroppna", guards=COMMUNICATOR, status_code=303)
async def reopen_wave(request: Request, slug: FromPath[str]) -> Redirect:
    await reopen(slug, clock.now())
    return Redirect(path=f"/arbeta/omgangar/{slug}?meddelande=oppnad", status_code=303)


@post("/arbeta/omgangar/{slug:str}/redovisa", guards=COMMUNICATOR, status_code=303)
async def release_wave(request: Request, slug: FromPath[str]) -> Redirect:
    await release_open_wave(slug, clock.now())
    return Redirect(path=f"/arbeta/omgangar/{slug}?meddelande=redovisad", status_code=303)


@post("/arbeta/omgangar/{slug:str}/koder", guards=COMMUNICATOR, status_code=200)
async def make_codes(request: Request, slug: FromPath[str]) -> Response:
    fields = await read_form(request)
    text = field_value(fields, "count").strip()
    issued = await issue_codes(slug, int(text) if text.isdigit() else 0)
    # The codes exist only in this download: the database keeps their hashes.
    return Response(
        codes_sheet(issued),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="koder-{issued.wave_slug}.csv"',
            "cache-control": "no-store",
        },
    )


HANDLERS = [
    workspace,
    plan_page,
    edit_goal,
    edit_sizes,
    wave_page,
    wave_qr,
    close_wave,
    reopen_wave,
    release_wave,
    make_codes,
]


async def _new_wave_page(
    request: Request, plan_code: str, *, problems=(), values=None, status=200
) -> Template:
    plans = await plan_codes()
    plan = await plan_overview(plan_code or (plans[0][0] if plans else ""))
    if plan is None:
        raise NotFound(_("Det finns ingen plan att skapa en mätomgång för."))
    return Template(
        "workspace/new_wave.html",
        context={
            "account": await session_account(request),
            "plan": plan,
            "questionnaires": await questionnaire_list(),
            "problems": list(problems),
            "values": values or {},
        },
        status_code=status,
    )


@get("/arbeta/omgangar/ny", guards=COMMUNICATOR)
async def new_wave_page(request: Request, plan: FromQuery[str] = "") -> Template:
    return await _new_wave_page(request, plan)


def _local_time(text: str) -> datetime | None:
    """A datetime-local field ('2027-03-01T08:00'), read as Swedish time."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=STOCKHOLM)


@post("/arbeta/omgangar/ny", guards=COMMUNICATOR, status_code=303)
async def new_wave(request: Request) -> Template | Redirect:
    fields = await read_form(request)
    values = {
        **field_values(fields, "plan", "questionnaire", "slug", "title", "opens", "closes", "intro"),
        "target_groups": fields.get("target_group", []),
        "organisations": fields.get("organisation", []),
    }
    problems = []
    try:
        async with write_transaction():
            await create_wave(
                plan_code=values["plan"],
                questionnaire_code=values["questionnaire"],
                slug=values["slug"].strip(),
                title=values["title"],
                opens_at=_local_time(values["opens"]),
                closes_at=_local_time(values["closes"]),
                target_groups=values["target_groups"],
                organisations=values["organisations"],
                intro=values["intro"].strip(),
            )
    except WaveError as exc:
        problems = exc.problems
    if problems:
        return await _new_wave_page(request, values["plan"], problems=problems, values=values, status=422)
    return Redirect(path=f"/arbeta/omgangar/{values['slug'].strip()}", status_code=303)


HANDLERS = [*HANDLERS, new_wave_page, new_wave]
