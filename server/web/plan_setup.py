"""Whole plans in the browser: a new plan (or next year's from this year's), its settings, archiving and
deleting, and plan files: the templates, an export, loading a file (new, or changes shown first)."""

from __future__ import annotations

import base64
import zlib
from datetime import date

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from locales import gettext as _
from server import clock
from server.errors import UserError
from server.sessions import requires_page, session_account
from server.web.forms import field_values, read_form
from surveys.accounts.users import Role
from surveys.errors import Conflict, Invalid
from surveys.plans.creation import (
    NONE,
    REGION_ONLY,
    WHOLE_COUNTY,
    NewPlan,
    archive_plan,
    change_plan,
    create_plan,
    delete_plan,
)
from surveys.plans.editing import plan_for_editing, plan_list
from surveys.plans.lookup import plan_row
from surveys.plans.official import counties
from surveys.plans.plan_export import plan_definition, plan_toml
from surveys.plans.plan_file import (
    MAX_FILE_BYTES,
    PlanDef,
    PlanFileError,
    load_plan,
    read_plan_text,
    read_plan_upload,
)
from surveys.plans.plan_update import apply_plan_file, plan_changes
from surveys.plans.plan_workbook import plan_workbook

COMMUNICATOR = [requires_page(Role.COMMUNICATOR)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEW_FIELDS = (
    "title",
    "county",
    "period_start",
    "period_end",
    "organisations",
    "target_groups",
    "channels",
    "copy_from",
    "code",
)


async def _page(request: Request, template: str, status: int = 200, **context) -> Template:
    return Template(
        f"workspace/{template}",
        context={"account": await session_account(request), "errors": {}, "values": {}, **context},
        status_code=status,
    )


def _county_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in counties()]


# --- a new plan ---------------------------------------------------------------------------------------------


async def _new_plan_page(request: Request, values: dict, errors: dict | None = None, status: int = 200):
    plans = [p for p in await plan_list()]
    return await _page(
        request,
        "plan_new.html",
        status,
        values=values,
        errors=errors or {},
        county_choices=_county_choices(),
        plan_choices=[(p.code, p.title) for p in plans],
        organisation_choices=[
            (WHOLE_COUNTY, _("Regionen och alla kommuner i länet")),
            (REGION_ONLY, _("Bara regionen")),
            (NONE, _("Inga än, jag väljer dem sedan")),
        ],
    )


@get("/arbeta/planer/ny", guards=COMMUNICATOR)
async def new_plan_page(request: Request) -> Template:
    year = clock.now().year
    copy_from = request.query_params.get("fran", "")
    return await _new_plan_page(
        request,
        {
            "period_start": date(year, 1, 1).isoformat(),
            "period_end": date(year, 12, 31).isoformat(),
            "organisations": WHOLE_COUNTY,
            "copy_from": copy_from,
        },
    )


@post("/arbeta/planer/ny", guards=COMMUNICATOR, status_code=303)
async def new_plan(request: Request) -> Template | Redirect:
    values = field_values(await read_form(request), *NEW_FIELDS)
    try:
        code = await create_plan(
            NewPlan(
                title=values["title"],
                county=values["county"],
                period_start=values["period_start"],
                period_end=values["period_end"],
                code=values["code"],
                organisations=values["organisations"] or WHOLE_COUNTY,
                copy_from=values["copy_from"],
                target_groups=values["target_groups"],
                channels=values["channels"],
            )
        )
    except Invalid as error:
        return await _new_plan_page(request, values, dict(error.errors), status=422)
    return Redirect(path=f"/arbeta/planer/{code}?sparat=ny", status_code=303)


# --- the plan's own settings: name, county, period; archive and delete ------------------------------------


SETTINGS_FIELDS = ("title", "county", "period_start", "period_end", "description")


async def _settings_page(request: Request, code: str, values=None, errors=None, status: int = 200, **context):
    plan = await plan_for_editing(code)
    row = await plan_row(code)
    county = next((c.code for c in counties() if c.short == row["county"]), "")
    return await _page(
        request,
        "plan_settings.html",
        status,
        plan=plan,
        values=values
        or {
            "title": row["title"],
            "county": county,
            "period_start": row["period_start"].isoformat() if row["period_start"] else "",
            "period_end": row["period_end"].isoformat() if row["period_end"] else "",
            "description": row["description"],
        },
        errors=errors or {},
        county_choices=_county_choices(),
        saved=request.query_params.get("sparat", "") if request.method == "GET" else "",
        **context,
    )


@get("/arbeta/planer/{code:str}/installningar", guards=COMMUNICATOR)
async def settings_page(request: Request, code: FromPath[str]) -> Template:
    return await _settings_page(request, code)


@post("/arbeta/planer/{code:str}/installningar", guards=COMMUNICATOR, status_code=303)
async def settings_save(request: Request, code: FromPath[str]) -> Template | Redirect:
    values = field_values(await read_form(request), *SETTINGS_FIELDS)
    try:
        await change_plan(code, **values)
    except Invalid as error:
        return await _settings_page(request, code, values, dict(error.errors), status=422)
    return Redirect(path=f"/arbeta/planer/{code}/installningar?sparat=ja", status_code=303)


@post(
    [
        "/arbeta/planer/{code:str}/arkivera",
        "/arbeta/planer/{code:str}/aterstall",
        "/arbeta/planer/{code:str}/ta-bort",
    ],
    guards=COMMUNICATOR,
    status_code=303,
)
async def plan_action(request: Request, code: FromPath[str]) -> Template | Redirect:
    """arkivera, aterstall, ta-bort: a plan's end, or its return."""
    fields = await read_form(request)
    action = request.url.path.rstrip("/").rsplit("/", 1)[1]
    try:
        if action == "ta-bort":
            if field_values(fields, "confirm")["confirm"] != "ja":
                message = _("Kryssa i att du vill ta bort planen. Det går inte att ångra.")
                return await _settings_page(request, code, errors={"confirm": message}, status=422)
            await delete_plan(code)
            return Redirect(path="/arbeta?meddelande=plan-borttagen", status_code=303)
        await archive_plan(code, action == "arkivera", now=clock.now())
    except Conflict as refused:
        return await _settings_page(request, code, errors={"plan": refused.message}, status=409)
    return Redirect(path=f"/arbeta/planer/{code}/installningar?sparat={action}", status_code=303)


# --- plan files: templates, export, loading ------------------------------------------------------------------


def _download(body: bytes | str, filename: str, media_type: str) -> Response:
    return Response(
        body.encode("utf-8") if isinstance(body, str) else body,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@get("/arbeta/planer/mall.xlsx", guards=COMMUNICATOR)
async def workbook_template(request: Request) -> Response:
    return _download(plan_workbook(), "planmall.xlsx", XLSX)


@get("/arbeta/planer/mall.toml", guards=COMMUNICATOR)
async def toml_template(request: Request) -> Response:
    from surveys.plans.plan_file import TEMPLATE_FILE

    return _download(
        TEMPLATE_FILE.read_text(encoding="utf-8"), "planmall.toml", "application/toml; charset=utf-8"
    )


@get("/arbeta/planer/{code:str}/plan.toml", guards=COMMUNICATOR)
async def export_toml(request: Request, code: FromPath[str]) -> Response:
    return _download(
        plan_toml(await plan_definition(code)), f"plan-{code}.toml", "application/toml; charset=utf-8"
    )


@get("/arbeta/planer/{code:str}/plan.xlsx", guards=COMMUNICATOR)
async def export_workbook(request: Request, code: FromPath[str]) -> Response:
    return _download(plan_workbook(await plan_definition(code)), f"plan-{code}.xlsx", XLSX)


def _packed(definition: PlanDef) -> str:
    """The file as read, carried from the change page to its confirmation (checked again on arrival)."""
    return base64.urlsafe_b64encode(zlib.compress(plan_toml(definition).encode("utf-8"), 9)).decode("ascii")


def _unpacked(text: str) -> PlanDef:
    unreadable = UserError(400, _("Förhandsgranskningen kunde inte läsas. Läs in filen igen."))
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.urlsafe_b64decode(text.encode("ascii")), MAX_FILE_BYTES)
    except (ValueError, zlib.error):
        raise unreadable from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise unreadable
    return read_plan_text(raw)


async def _import_page(request: Request, status: int = 200, **context) -> Template:
    context.setdefault("problems", {})
    context.setdefault("error", "")
    return await _page(request, "plan_import.html", status, **context)


@get("/arbeta/planer/las-in", guards=COMMUNICATOR)
async def import_page(request: Request) -> Template:
    code = request.query_params.get("plan", "")
    return await _import_page(request, plan=await plan_for_editing(code) if code else None)


@post(
    "/arbeta/planer/las-in",
    guards=COMMUNICATOR,
    status_code=200,
    request_max_body_size=MAX_FILE_BYTES + 64 * 1024,
)
async def import_file(request: Request) -> Template | Redirect:
    """A new plan is stored at once; a file for a plan that exists shows its changes first."""
    if request.content_type[0] != "multipart/form-data":
        raise UserError(415, _("Välj en fil att läsa in."))
    form = await request.form()
    upload = form.get("file")
    expected = str(form.get("plan") or "")
    plan = await plan_for_editing(expected) if expected else None
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _import_page(request, 422, plan=plan, error=_("Välj en planfil, TOML eller Excel."))
    try:
        definition = read_plan_upload(await upload.read(), upload.filename)
    except PlanFileError as refused:
        return await _import_page(request, 422, plan=plan, error=refused.message, problems=refused.errors)
    if expected and definition.code != expected:
        return await _import_page(
            request,
            422,
            plan=plan,
            error=_(
                "Filen gäller planen med koden %(file)s, inte %(plan)s. Ändra koden i filen, eller läs in "
                "den från arbetsytan om den är en ny plan."
            )
            % {"file": definition.code, "plan": expected},
        )
    exists = await _exists(definition.code)
    if not exists:
        await load_plan(definition)
        return Redirect(path=f"/arbeta/planer/{definition.code}?sparat=fil", status_code=303)
    changes = await plan_changes(definition)
    return await _page(
        request,
        "plan_changes.html",
        409 if changes.refusals else 200,
        plan=await plan_for_editing(definition.code),
        changes=changes,
        packed=_packed(definition),
    )


async def _exists(code: str) -> bool:
    from surveys.db.tables import Plan

    return await Plan.exists().where(Plan.code == code)


@post(
    "/arbeta/planer/las-in/genomfor",
    guards=COMMUNICATOR,
    status_code=303,
    request_max_body_size=MAX_FILE_BYTES + 64 * 1024,
)
async def import_apply(request: Request) -> Template | Redirect:
    values = field_values(await read_form(request), "file")
    definition = _unpacked(values["file"])
    try:
        await apply_plan_file(definition)
    except Conflict:
        changes = await plan_changes(definition)
        return await _page(
            request,
            "plan_changes.html",
            409,
            plan=await plan_for_editing(definition.code),
            changes=changes,
            packed=_packed(definition),
        )
    return Redirect(path=f"/arbeta/planer/{definition.code}?sparat=fil", status_code=303)


HANDLERS = [
    new_plan_page,
    new_plan,
    workbook_template,
    toml_template,
    import_page,
    import_file,
    import_apply,
    settings_page,
    settings_save,
    export_toml,
    export_workbook,
    plan_action,
]
