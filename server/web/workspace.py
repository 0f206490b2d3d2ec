"""The communicator's workspace: plans, waves, links and QR codes, live progress."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import segno
from babel.dates import format_date
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from analysis.stats.linked_tables import rounded_count
from locales import gettext as _
from server import clock
from server.scopes import check_plan, in_scope, narrow_progress, reach_of
from server.sessions import requires_page, session_account
from server.web.forms import field_value, field_values, read_form
from surveys.accounts import scopes
from surveys.accounts.users import Role
from surveys.db.engine import write_transaction
from surveys.errors import Conflict, Invalid, NotFound
from surveys.plans.editing import (
    add_goal,
    delete_goal,
    plan_codes,
    plan_list,
    plan_overview,
    update_goal,
    update_sizes,
)
from surveys.plans.lookup import no_such_plan
from surveys.plans.rules import GOAL_STEPS, code_from_name, free_code
from surveys.plans.usage import wave_uses
from surveys.questionnaires.designer import bank_hints
from surveys.questionnaires.model import STEP_NAMES
from surveys.questionnaires.storage import plan_channels
from surveys.results.planning import wave_planning
from surveys.results.releases import latest_release, release_open_wave
from surveys.waves.codes import code_counts, codes_sheet, issue_codes
from surveys.waves.lookup import WaveForm
from surveys.waves.prestart_check import check_privacy, check_questionnaire
from surveys.waves.progress import ProgressCell, wave_progress, wave_sizes
from surveys.waves.setup import (
    PastWave,
    WaveError,
    archive_wave,
    close_early,
    create_wave,
    delete_wave,
    list_waves,
    plan_questionnaires,
    reopen,
    wave_plan,
    wave_to_manage,
)

COMMUNICATOR = [requires_page(Role.COMMUNICATOR)]
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@get("/arbeta", name="workspace", guards=COMMUNICATOR)
async def workspace(request: Request, meddelande: FromQuery[str] = "") -> Template:
    account = await session_account(request)
    # Only the plans (and their waves) the person's grants cover (server/scopes.py).
    plans = in_scope(account, await plan_list(), lambda p: p.code)
    waves = in_scope(account, await list_waves(), lambda w: w.plan_code)
    return Template(
        "workspace/index.html",
        context={
            "account": account,
            "plans": [(p.code, p.title) for p in plans if not p.archived],
            "plan_listing": [p for p in plans if not p.archived],
            "archived_plans": [p for p in plans if p.archived],
            "waves": waves,
            "answers": await _answers_shown(account, waves, request.app.state.settings.min_group_size),
            "archived_waves": in_scope(account, await list_waves(archived=True), lambda w: w.plan_code),
            "now": clock.now(),
            "message": meddelande,
        },
    )


async def _answers_shown(account, waves: list, k: int) -> dict[str, ProgressCell | None]:
    """Each listed wave's answers as its progress table's grand total shows them: rounded to five, or
    hidden ("dold") when the groups the table hides add up to 1 to k−1. The exact count would give those
    groups back: it minus the groups' exact totals is the hidden group's count. None (not shown) for an
    organisation grant, whose progress table has no totals: the total is the other organisations' sum."""
    shown: dict[str, ProgressCell | None] = {}
    for listed in waves:
        if account is None or scopes.reach(account, listed.plan_code) is not scopes.WHOLE_PLAN:
            shown[listed.slug] = None
        elif not listed.responses:
            shown[listed.slug] = ProgressCell(0, None, None)  # no answers: nothing to hide
        else:
            shown[listed.slug] = (
                await wave_progress(await wave_to_manage(listed.slug), clock.now(), k)
            ).total
    return shown


async def _plan_or_404(code: str):
    plan = await plan_overview(code)
    if plan is None:
        raise no_such_plan(code)
    return plan


async def _plan_page(
    request, plan, account, *, errors=None, values=None, saved: str = "", status: int = 200
) -> Template:
    waves = await list_waves(plan_code=plan.code)
    return Template(
        "workspace/plan.html",
        context={
            "account": account,
            "plan": plan,
            "errors": errors or {},
            "values": values or {},
            "saved": saved,
            "waves": waves,
            "answers": await _answers_shown(account, waves, request.app.state.settings.min_group_size),
            "now": clock.now(),
            "step_choices": [(step, f"{step} {_(STEP_NAMES[step])}") for step in GOAL_STEPS],
            "group_choices": [(g.group.code, g.group.name) for g in plan.active_groups],
        },
        status_code=status,
    )


@get("/arbeta/planer/{code:str}", name="plan", guards=COMMUNICATOR)
async def plan_page(request: Request, code: FromPath[str], sparat: FromQuery[str] = "") -> Template:
    return await _plan_page(request, await _plan_or_404(code), await session_account(request), saved=sparat)


GOAL_FIELDS = ("target_group", "step", "target", "deadline", "wording")


@post("/arbeta/planer/{code:str}/mal", guards=COMMUNICATOR, status_code=303)
async def new_goal(request: Request, code: FromPath[str]) -> Template | Redirect:
    """A new effect goal: target group, step, target in percent, deadline, the plan's wording."""
    plan = await _plan_or_404(code)
    values = field_values(await read_form(request), *GOAL_FIELDS)
    try:
        goal = await add_goal(plan.id, **values)
    except Invalid as error:
        keyed = {f"new-goal-{field}": message for field, message in error.errors.items()}
        return await _plan_page(
            request, plan, await session_account(request), errors=keyed, values={"new": values}, status=422
        )
    return Redirect(path=f"/arbeta/planer/{code}?sparat=mal-{goal}#effektmal", status_code=303)


@post("/arbeta/planer/{code:str}/mal/{goal:int}", guards=COMMUNICATOR, status_code=303)
async def edit_goal(request: Request, code: FromPath[str], goal: FromPath[int]) -> Template | Redirect:
    plan = await _plan_or_404(code)
    fields = await read_form(request)
    values = field_values(fields, "target", "deadline", "wording", "step")
    errors = await update_goal(plan.id, goal, **{**values, "step": values["step"] or None})
    if errors:
        keyed = {f"goal-{goal}-{field}": message for field, message in errors.items()}
        return await _plan_page(
            request, plan, await session_account(request), errors=keyed, values={goal: values}, status=422
        )
    return Redirect(path=f"/arbeta/planer/{code}?sparat=mal-{goal}", status_code=303)


@post("/arbeta/planer/{code:str}/mal/{goal:int}/ta-bort", guards=COMMUNICATOR, status_code=303)
async def remove_goal(request: Request, code: FromPath[str], goal: FromPath[int]) -> Redirect:
    plan = await _plan_or_404(code)
    await read_form(request)
    await delete_goal(plan.id, goal)
    return Redirect(path=f"/arbeta/planer/{code}?sparat=mal-borttaget#effektmal", status_code=303)


@post("/arbeta/planer/{code:str}/malgrupper/{group:str}/storlekar", guards=COMMUNICATOR, status_code=303)
async def edit_sizes(request: Request, code: FromPath[str], group: FromPath[str]) -> Template | Redirect:
    plan = await _plan_or_404(code)
    fields = await read_form(request)
    values = {name.removeprefix("size-"): v[0] for name, v in fields.items() if name.startswith("size-")}
    errors = await update_sizes(plan.id, group, values)
    if errors:
        keyed = {f"size-{group}-{org}": message for org, message in errors.items()}
        return await _plan_page(
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
    # An organisation grant sees only its own organisations' rows (server/scopes.py), with their hidden
    # cells decided from those organisations alone (surveys/waves/progress.py).
    covered = reach_of(request)
    own = None if covered is scopes.WHOLE_PLAN else {o.id for o in wave.organisations if o.code in covered}
    progress = narrow_progress(
        request, wave, await wave_progress(wave, clock.now(), settings.min_group_size, organisations=own)
    )
    issued, used = await code_counts(wave.id)
    plan = await wave_plan(wave.slug)
    # The same check as the designer's: the plan's channels and the bank's conditions and order.
    findings = check_questionnaire(
        wave.questionnaire,
        channels=await plan_channels(plan.id),
        bank=await bank_hints(exclude_version=wave.version_id),
    ) + check_privacy(
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
            # Used codes are the coded answers: shown as the progress table's grand total is (rounded, and
            # not at all where it is hidden or, for an organisation grant, absent), since the exact count
            # minus the groups' exact totals would give back a hidden group's count.
            "codes": (issued, None if progress.total.too_few else rounded_count(used)),
            "release": await latest_release(wave.id),
            # Deleting, archiving and releasing need the whole plan; an organisation grant is not offered
            # them, nor told (by which of delete or archive is offered) whether anyone at all has answered.
            "whole_plan": covered is scopes.WHOLE_PLAN,
            "answered": covered is scopes.WHOLE_PLAN and (await wave_uses(wave.id)).answers > 0,
            "error": None,
            "planning": await wave_planning(plan.code, k=settings.min_group_size),
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


@post(
    ["/arbeta/omgangar/{slug:str}/ta-bort", "/arbeta/omgangar/{slug:str}/arkivera"],
    guards=COMMUNICATOR,
    status_code=303,
)
async def remove_wave(request: Request, slug: FromPath[str]) -> Redirect:
    """ta-bort: a wave nobody answered; arkivera: one with answers, closed and out of the lists. Both only
    with the box ticked that says so: neither can be undone from the page."""
    fields = await read_form(request)
    await wave_to_manage(slug)  # NotFound for an address with no wave
    if field_value(fields, "confirm") != "ja":
        return Redirect(path=f"/arbeta/omgangar/{slug}?meddelande=bekrafta#ta-bort", status_code=303)
    if request.url.path.endswith("/ta-bort"):
        try:
            await delete_wave(slug)
        except Conflict:
            return Redirect(path=f"/arbeta/omgangar/{slug}?meddelande=har-svar", status_code=303)
        return Redirect(path="/arbeta?meddelande=omgang-borttagen", status_code=303)
    await archive_wave(slug)
    return Redirect(path="/arbeta?meddelande=omgang-arkiverad", status_code=303)


HANDLERS = [
    workspace,
    plan_page,
    new_goal,
    edit_goal,
    remove_goal,
    edit_sizes,
    wave_page,
    wave_qr,
    close_wave,
    reopen_wave,
    release_wave,
    make_codes,
    remove_wave,
]

WAVE_FIELDS = ("plan", "questionnaire", "slug", "title", "opens", "closes", "intro", "confirm_past")


def _local(value: datetime) -> str:
    return value.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M")


async def _new_wave_page(
    request: Request, plan_code: str, *, errors=None, values=None, past: bool = False, status=200
) -> Template:
    account = await session_account(request)
    plans = in_scope(account, await plan_codes(in_use=True))
    if not plan_code and len(plans) == 1:
        plan_code = plans[0][0]
    if not plan_code:
        # Several plans (or none): the person chooses, never the first one by chance.
        return Template(
            "workspace/new_wave.html",
            context={"account": account, "plan": None, "plans": plans, "errors": {}, "values": {}},
            status_code=status,
        )
    plan = await plan_overview(plan_code)
    if plan is None:
        raise no_such_plan(plan_code)
    if plan.archived:
        raise NotFound(_("Planen är arkiverad. Återställ den först om den ska få en ny mätomgång."))
    now = clock.now().astimezone(STOCKHOLM)
    # Opens now (nobody has the link until it is sent), closes after two weeks; a title to change or keep,
    # in the plan's language (Swedish) whatever the page's, as the respondents see it.
    opens = now.replace(second=0, microsecond=0)
    defaults = {
        "title": f"Mätomgång {format_date(now.date(), 'LLLL yyyy', locale='sv')}",
        "opens": _local(opens),
        "closes": _local((opens + timedelta(days=14)).replace(hour=17, minute=0)),
        "target_groups": [g.group.code for g in plan.active_groups],
        "organisations": [o.code for o in plan.organisations],
    }
    return Template(
        "workspace/new_wave.html",
        context={
            "account": account,
            "plan": plan,
            "plans": plans,
            "questionnaires": await plan_questionnaires(plan.code),
            "errors": errors or {},
            "values": values or defaults,
            "past": past,
            # How many answers each goal needs, while the wave's groups are chosen (issue 17).
            "planning": await wave_planning(plan.code, k=request.app.state.settings.min_group_size),
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


async def _free_slug(title: str) -> str:
    from surveys.db.tables import Wave

    wanted = (code_from_name(title) or "omgang")[:70].strip("-_") or "omgang"
    wanted = wanted if len(wanted) >= 3 else f"{wanted}-omgang"
    taken = {r["slug"] for r in await Wave.select(Wave.slug).where(Wave.slug.like(f"{wanted}%"))}
    return free_code(wanted, taken)


@post("/arbeta/omgangar/ny", guards=COMMUNICATOR, status_code=303)
async def new_wave(request: Request) -> Template | Redirect:
    fields = await read_form(request)
    values = {
        **field_values(fields, *WAVE_FIELDS),
        "target_groups": fields.get("target_group", []),
        "organisations": fields.get("organisation", []),
    }
    slug = values["slug"].strip() or (await _free_slug(values["title"]) if values["title"].strip() else "")
    if values["plan"].strip():  # the chosen plan must be one of the person's (server/scopes.py)
        check_plan(await session_account(request), Role.COMMUNICATOR, values["plan"].strip())
    try:
        async with write_transaction():
            await create_wave(
                plan_code=values["plan"],
                questionnaire_code=values["questionnaire"],
                slug=slug,
                title=values["title"],
                opens_at=_local_time(values["opens"]),
                closes_at=_local_time(values["closes"]),
                target_groups=values["target_groups"],
                organisations=values["organisations"],
                intro=values["intro"].strip(),
                now=clock.now(),
                past_confirmed=values["confirm_past"] == "ja",
            )
    except WaveError as refused:
        return await _new_wave_page(
            request,
            values["plan"],
            errors=refused.errors,
            values=values,
            past=isinstance(refused, PastWave),
            status=422,
        )
    return Redirect(path=f"/arbeta/omgangar/{slug}", status_code=303)


HANDLERS = [*HANDLERS, new_wave_page, new_wave]
