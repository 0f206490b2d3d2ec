"""Editing a plan in the browser: effect goals for several target groups and steps at once, organisations,
channels, activities, target groups, sizes from a file, reach typed in by hand. Every form posts, then redirects (303) back to a page that shows the change."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from locales import gettext as _
from server.errors import UserError
from server.sessions import requires_page, session_account
from server.web.forms import field_values, read_form
from surveys.accounts.users import Role
from surveys.errors import Conflict, DomainError, Invalid, NotFound
from surveys.plans.editing import (
    MANUAL_METRICS,
    SIZES_MAX_BYTES,
    ActivityInput,
    PlanOverview,
    add_channels,
    add_manual_reach,
    add_official_organisations,
    add_organisation,
    add_target_groups,
    archive_activity,
    archive_channel,
    archive_target_group,
    delete_activity,
    delete_channel,
    delete_reach,
    delete_target_group,
    parse_sizes_csv,
    plan_channels,
    plan_for_editing,
    plan_organisations,
    reach_entries,
    remove_organisation,
    rename_organisation,
    save_activity,
    save_channel,
    save_target_group,
    set_organisation_active,
    sizes_template,
    store_sizes,
)
from surveys.plans.goal_grid import add_goals, cells_from_form
from surveys.plans.official import counties, county
from surveys.plans.rules import (
    ACTIVITY_STATUSES,
    ACTIVITY_STEPS,
    GOAL_STEPS,
    ORGANISATION_KINDS,
    STATUS_NAMES,
)
from surveys.questionnaires.model import LANGUAGE_NAMES, OTHER_LANGUAGES, STEP_NAMES

COMMUNICATOR = [requires_page(Role.COMMUNICATOR)]
BASE = "/arbeta/planer/{code:str}"


def _saved(path: str) -> Redirect:
    return Redirect(path=f"{path}?sparat=ja", status_code=303)


async def _render(
    request: Request, template: str, plan: PlanOverview, status: int = 200, **context
) -> Template:
    return Template(
        f"workspace/{template}",
        context={
            "account": await session_account(request),
            "plan": plan,
            "errors": {},
            "values": {},
            "saved": request.query_params.get("sparat", "") if request.method == "GET" else "",
            **context,
        },
        status_code=status,
    )


def _keyed(prefix: str, error: DomainError) -> dict[str, str]:
    """Field errors keyed by the id of the input on the page, so the summary can link to it."""
    return {f"{prefix}{field}": message for field, message in error.errors.items()}


# --- effect goals: several target groups and steps in one form ------------------------------------------------


def goal_steps() -> list[tuple[str, str]]:
    """The grid's columns: ("L1", "L1 kännedom") …"""
    return [(step, f"{step} {_(STEP_NAMES[step])}") for step in GOAL_STEPS]


async def _goals_page(request: Request, plan: PlanOverview, typed=None, **context) -> Template:
    return await _render(request, "plan_goals.html", plan, steps=goal_steps(), typed=typed or {}, **context)


@get(f"{BASE}/effektmal", guards=COMMUNICATOR)
async def goals_page(request: Request, code: FromPath[str]) -> Template:
    return await _goals_page(request, await plan_for_editing(code))


@post(f"{BASE}/effektmal", guards=COMMUNICATOR, status_code=303)
async def goals_add(request: Request, code: FromPath[str]) -> Template | Redirect:
    """Every filled cell of the grid as a goal, or none of them (surveys/plans/goal_grid.py)."""
    plan = await plan_for_editing(code)
    fields = await read_form(request)
    deadline = field_values(fields, "deadline")["deadline"]
    try:
        await add_goals(
            plan.id, cells_from_form(fields, [g.group.code for g in plan.active_groups]), deadline=deadline
        )
    except Invalid as error:
        typed = {name: values[0] for name, values in fields.items() if name.startswith("target-") and values}
        return await _goals_page(
            request, plan, errors=_keyed("grid-", error), typed={**typed, "deadline": deadline}, status=422
        )
    return Redirect(path=f"/arbeta/planer/{code}?sparat=mal-flera#effektmal", status_code=303)


# --- organisations ------------------------------------------------------------------------------------------


async def _organisations_page(request: Request, plan: PlanOverview, **context) -> Template:
    organisations = await plan_organisations(plan.id)
    home = county(plan.county) if plan.county else None
    return await _render(
        request,
        "plan_organisations.html",
        plan,
        organisations=organisations,
        kinds=ORGANISATION_KINDS,
        counties=counties(),
        have={o.official_code for o in organisations if o.official_code},
        home_county=home.code if home else "",
        **context,
    )


@get(f"{BASE}/organisationer", guards=COMMUNICATOR)
async def organisations_page(request: Request, code: FromPath[str]) -> Template:
    return await _organisations_page(request, await plan_for_editing(code))


@post(f"{BASE}/organisationer", guards=COMMUNICATOR, status_code=303)
async def organisation_add(request: Request, code: FromPath[str]) -> Template | Redirect:
    plan = await plan_for_editing(code)
    values = field_values(await read_form(request), "name", "code", "kind")
    try:
        await add_organisation(plan.id, **values)
    except Invalid as error:
        return await _organisations_page(
            request, plan, errors=_keyed("new-", error), values={"new": values}, status=422
        )
    return _saved(f"/arbeta/planer/{code}/organisationer")


@post(f"{BASE}/organisationer/officiella", guards=COMMUNICATOR, status_code=303)
async def organisations_official_add(request: Request, code: FromPath[str]) -> Template | Redirect:
    """Municipalities and regions from SCB's list: the ticked ones, or a whole county in one press."""
    plan = await plan_for_editing(code)
    fields = await read_form(request)
    chosen = list(fields.get("official", []))
    whole = field_values(fields, "county")["county"]
    if whole:
        found = county(whole)
        chosen += [o.code for o in found.members] if found else [whole]
    if not chosen:
        message = _("Kryssa för kommuner eller regioner, eller välj ett helt län.")
        return await _organisations_page(request, plan, errors={"official": message}, status=422)
    try:
        await add_official_organisations(plan.id, chosen)
    except Invalid as error:
        return await _organisations_page(request, plan, errors=dict(error.errors), status=422)
    return _saved(f"/arbeta/planer/{code}/organisationer")


@post(f"{BASE}/organisationer/{{organisation:str}}", guards=COMMUNICATOR, status_code=303)
async def organisation_edit(
    request: Request, code: FromPath[str], organisation: FromPath[str]
) -> Template | Redirect:
    plan = await plan_for_editing(code)
    values = field_values(await read_form(request), "name", "kind")
    try:
        await rename_organisation(plan.id, organisation, **values)
    except Invalid as error:
        return await _organisations_page(
            request,
            plan,
            errors=_keyed(f"org-{organisation}-", error),
            values={organisation: values},
            status=422,
        )
    return _saved(f"/arbeta/planer/{code}/organisationer")


ORGANISATION_ACTIONS = {"inaktivera", "aktivera", "ta-bort"}


@post(f"{BASE}/organisationer/{{organisation:str}}/{{action:str}}", guards=COMMUNICATOR, status_code=303)
async def organisation_action(
    request: Request, code: FromPath[str], organisation: FromPath[str], action: FromPath[str]
) -> Template | Redirect:
    plan = await plan_for_editing(code)
    if action not in ORGANISATION_ACTIONS:
        raise NotFound(_("Sidan finns inte. Kontrollera adressen eller gå till startsidan."))
    await read_form(request)
    try:
        if action == "ta-bort":
            await remove_organisation(plan.id, organisation)
        else:
            await set_organisation_active(plan.id, organisation, action == "aktivera")
    except Conflict as refused:
        # A removal that answers or waves refuse is shown beside the organisation, not on an error page.
        return await _organisations_page(
            request, plan, errors=_keyed(f"org-{organisation}-", refused), status=409
        )
    return _saved(f"/arbeta/planer/{code}/organisationer")


# --- channels -----------------------------------------------------------------------------------------------


async def _channels_page(request: Request, plan: PlanOverview, **context) -> Template:
    return await _render(
        request, "plan_channels.html", plan, channels=await plan_channels(plan.id), **context
    )


@get(f"{BASE}/kanaler", guards=COMMUNICATOR)
async def channels_page(request: Request, code: FromPath[str]) -> Template:
    return await _channels_page(request, await plan_for_editing(code))


@post(f"{BASE}/kanaler", guards=COMMUNICATOR, status_code=303)
async def channel_add(request: Request, code: FromPath[str]) -> Template | Redirect:
    """One channel with its kind and code, or (`names`) several, one name per line."""
    plan = await plan_for_editing(code)
    fields = await read_form(request)
    values = field_values(fields, "name", "code", "kind")
    many = field_values(fields, "names")["names"]
    try:
        if "names" in fields:
            await add_channels(plan.id, many)
        else:
            await save_channel(plan.id, **values)
    except Invalid as error:
        return await _channels_page(
            request, plan, errors=_keyed("new-", error), values={"new": {**values, "names": many}}, status=422
        )
    return _saved(f"/arbeta/planer/{code}/kanaler")


@post(f"{BASE}/kanaler/{{channel:str}}", guards=COMMUNICATOR, status_code=303)
async def channel_edit(request: Request, code: FromPath[str], channel: FromPath[str]) -> Template | Redirect:
    plan = await plan_for_editing(code)
    values = field_values(await read_form(request), "name", "kind")
    try:
        await save_channel(plan.id, existing=channel, **values)
    except Invalid as error:
        return await _channels_page(
            request,
            plan,
            errors=_keyed(f"ch-{channel}-", error),
            values={channel: values},
            status=422,
        )
    return _saved(f"/arbeta/planer/{code}/kanaler")


@post(f"{BASE}/kanaler/{{channel:str}}/ta-bort", guards=COMMUNICATOR, status_code=303)
async def channel_delete(
    request: Request, code: FromPath[str], channel: FromPath[str]
) -> Template | Redirect:
    plan = await plan_for_editing(code)
    await read_form(request)
    try:
        await delete_channel(plan.id, channel)
    except Conflict as refused:  # used by activities or options: shown beside the channel
        return await _channels_page(request, plan, errors=_keyed(f"ch-{channel}-", refused), status=409)
    return _saved(f"/arbeta/planer/{code}/kanaler")


@post(
    [f"{BASE}/kanaler/{{channel:str}}/arkivera", f"{BASE}/kanaler/{{channel:str}}/aterstall"],
    guards=COMMUNICATOR,
    status_code=303,
)
async def channel_archive(request: Request, code: FromPath[str], channel: FromPath[str]) -> Redirect:
    plan = await plan_for_editing(code)
    await read_form(request)
    await archive_channel(plan.id, channel, request.url.path.endswith("/arkivera"))
    return _saved(f"/arbeta/planer/{code}/kanaler")


# --- activities ---------------------------------------------------------------------------------------------


def _activity_input(fields: dict[str, list[str]]) -> ActivityInput:
    one = field_values(
        fields, "title", "code", "starts_on", "ends_on", "timing", "step", "responsible", "status"
    )
    return ActivityInput(
        **one,
        channels=tuple(fields.get("channel", [])),
        target_groups=tuple(fields.get("target_group", [])),
    )


async def _activity_page(request: Request, plan: PlanOverview, activity, given, **context) -> Template:
    return await _render(
        request,
        "plan_activity.html",
        plan,
        activity=activity,
        given=given,
        # Archived channels and groups are offered only to an activity that already has them.
        channel_choices=[(c.code, c.name) for c in plan.channels]
        + [
            (code, name)
            for code, name in zip(
                activity.channel_codes if activity else (), activity.channels if activity else (), strict=True
            )
            if code not in {c.code for c in plan.channels}
        ],
        group_choices=[
            (g.group.code, g.group.name)
            for g in plan.groups
            if not g.archived or (activity and g.group.code in activity.group_codes)
        ],
        step_choices=[(step, f"{step} {_(STEP_NAMES[step])}") for step in ACTIVITY_STEPS],
        status_choices=[(status, _(STATUS_NAMES[status])) for status in ACTIVITY_STATUSES],
        **context,
    )


def _find_activity(plan: PlanOverview, code: str):
    found = next((a for a in plan.activities if a.code == code), None)
    if found is None:
        raise NotFound(_("Aktiviteten finns inte i den här planen."))
    return found


def _as_input(activity) -> ActivityInput:
    dated = activity.starts_on is not None and activity.timing.startswith(activity.starts_on.isoformat())
    return ActivityInput(
        title=activity.title,
        code=activity.code,
        starts_on=activity.starts_on.isoformat() if activity.starts_on else "",
        ends_on=activity.ends_on.isoformat()
        if activity.ends_on and activity.ends_on != activity.starts_on
        else "",
        timing="" if dated else activity.timing,
        channels=activity.channel_codes,
        target_groups=activity.group_codes,
        step=activity.step,
        responsible=activity.responsible,
        status=activity.status,
    )


@get(f"{BASE}/aktiviteter/ny", guards=COMMUNICATOR)
async def activity_new_page(request: Request, code: FromPath[str]) -> Template:
    return await _activity_page(request, await plan_for_editing(code), None, ActivityInput(title=""))


@post(f"{BASE}/aktiviteter", guards=COMMUNICATOR, status_code=303)
async def activity_add(request: Request, code: FromPath[str]) -> Template | Redirect:
    plan = await plan_for_editing(code)
    given = _activity_input(await read_form(request))
    try:
        await save_activity(plan.id, given)
    except Invalid as error:
        return await _activity_page(request, plan, None, given, errors=_keyed("", error), status=422)
    return Redirect(path=f"/arbeta/planer/{code}?sparat=aktivitet#aktiviteter", status_code=303)


@get(f"{BASE}/aktiviteter/{{activity:str}}", guards=COMMUNICATOR)
async def activity_page(request: Request, code: FromPath[str], activity: FromPath[str]) -> Template:
    plan = await plan_for_editing(code)
    found = _find_activity(plan, activity)
    return await _activity_page(request, plan, found, _as_input(found))


@post(f"{BASE}/aktiviteter/{{activity:str}}", guards=COMMUNICATOR, status_code=303)
async def activity_edit(
    request: Request, code: FromPath[str], activity: FromPath[str]
) -> Template | Redirect:
    plan = await plan_for_editing(code)
    found = _find_activity(plan, activity)
    given = _activity_input(await read_form(request))
    try:
        await save_activity(plan.id, given, existing=activity)
    except Invalid as error:
        return await _activity_page(request, plan, found, given, errors=_keyed("", error), status=422)
    return Redirect(path=f"/arbeta/planer/{code}?sparat=aktivitet#aktiviteter", status_code=303)


@post(f"{BASE}/aktiviteter/{{activity:str}}/ta-bort", guards=COMMUNICATOR, status_code=303)
async def activity_delete(
    request: Request, code: FromPath[str], activity: FromPath[str]
) -> Template | Redirect:
    plan = await plan_for_editing(code)
    found = _find_activity(plan, activity)
    await read_form(request)
    try:
        await delete_activity(plan.id, activity)
    except Conflict as refused:  # decisions or reach figures refer to it: shown on its page
        return await _activity_page(
            request, plan, found, _as_input(found), errors={"delete": refused.message}, status=409
        )
    return Redirect(path=f"/arbeta/planer/{code}?sparat=aktivitet#aktiviteter", status_code=303)


@post(
    [f"{BASE}/aktiviteter/{{activity:str}}/arkivera", f"{BASE}/aktiviteter/{{activity:str}}/aterstall"],
    guards=COMMUNICATOR,
    status_code=303,
)
async def activity_archive(request: Request, code: FromPath[str], activity: FromPath[str]) -> Redirect:
    plan = await plan_for_editing(code)
    await read_form(request)
    await archive_activity(plan.id, activity, request.url.path.endswith("/arkivera"))
    return Redirect(path=f"/arbeta/planer/{code}?sparat=aktivitet#aktiviteter", status_code=303)


# --- target groups and their sizes ----------------------------------------------------------------------------


async def _groups_page(request: Request, plan: PlanOverview, **context) -> Template:
    languages = [(lang, _(LANGUAGE_NAMES[lang])) for lang in OTHER_LANGUAGES]
    return await _render(request, "plan_groups.html", plan, languages=languages, **context)


GROUP_NAME_FIELDS = tuple(f"name_{lang}" for lang in OTHER_LANGUAGES)


def _group_values(values: dict[str, str]) -> dict:
    """The form's fields as save_target_group takes them: the names in other languages as one dict."""
    names = {field.removeprefix("name_"): values.get(field, "") for field in GROUP_NAME_FIELDS}
    return {key: value for key, value in values.items() if key not in GROUP_NAME_FIELDS} | {"names": names}


@get(f"{BASE}/malgrupper", guards=COMMUNICATOR)
async def groups_page(request: Request, code: FromPath[str]) -> Template:
    return await _groups_page(request, await plan_for_editing(code))


@post(f"{BASE}/malgrupper", guards=COMMUNICATOR, status_code=303)
async def group_add(request: Request, code: FromPath[str]) -> Template | Redirect:
    """One target group with its description and code, or (`names`) several, one name per line."""
    plan = await plan_for_editing(code)
    fields = await read_form(request)
    values = field_values(fields, "name", "code", "description", *GROUP_NAME_FIELDS)
    many = field_values(fields, "names")["names"]
    try:
        if "names" in fields:
            await add_target_groups(plan.id, many)
        else:
            await save_target_group(plan.id, **_group_values(values))
    except Invalid as error:
        return await _groups_page(
            request, plan, errors=_keyed("new-", error), values={"new": {**values, "names": many}}, status=422
        )
    return _saved(f"/arbeta/planer/{code}/malgrupper")


@post(f"{BASE}/malgrupper/{{group:str}}", guards=COMMUNICATOR, status_code=303)
async def group_edit(request: Request, code: FromPath[str], group: FromPath[str]) -> Template | Redirect:
    plan = await plan_for_editing(code)
    values = field_values(await read_form(request), "name", "description", *GROUP_NAME_FIELDS)
    try:
        await save_target_group(plan.id, existing=group, **_group_values(values))
    except Invalid as error:
        return await _groups_page(
            request, plan, errors=_keyed(f"tg-{group}-", error), values={group: values}, status=422
        )
    return _saved(f"/arbeta/planer/{code}/malgrupper")


@post(
    [
        f"{BASE}/malgrupper/{{group:str}}/ta-bort",
        f"{BASE}/malgrupper/{{group:str}}/arkivera",
        f"{BASE}/malgrupper/{{group:str}}/aterstall",
    ],
    guards=COMMUNICATOR,
    status_code=303,
)
async def group_action(request: Request, code: FromPath[str], group: FromPath[str]) -> Template | Redirect:
    """ta-bort: a group nothing has asked; arkivera: one with answers or waves; aterstall: back in use."""
    plan = await plan_for_editing(code)
    await read_form(request)
    action = request.url.path.rsplit("/", 1)[1]
    try:
        if action == "ta-bort":
            await delete_target_group(plan.id, group)
        else:
            await archive_target_group(plan.id, group, action == "arkivera")
    except Conflict as refused:  # answers or waves: shown beside the group, with what to do instead
        return await _groups_page(request, plan, errors=_keyed(f"tg-{group}-", refused), status=409)
    return _saved(f"/arbeta/planer/{code}/malgrupper")


async def _sizes_page(request: Request, plan: PlanOverview, **context) -> Template:
    return await _render(request, "plan_sizes.html", plan, **{"preview": None, "error": "", **context})


@get(f"{BASE}/storlekar", guards=COMMUNICATOR)
async def sizes_page(request: Request, code: FromPath[str]) -> Template:
    return await _sizes_page(request, await plan_for_editing(code))


@get(f"{BASE}/storlekar/mall.csv", guards=COMMUNICATOR)
async def sizes_template_file(request: Request, code: FromPath[str]) -> Response:
    plan = await plan_for_editing(code)
    return Response(
        sizes_template(list(plan.organisations), list(plan.groups)),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="malgruppsstorlekar-{plan.code}.csv"'},
    )


@post(
    f"{BASE}/storlekar",
    guards=COMMUNICATOR,
    status_code=200,
    request_max_body_size=SIZES_MAX_BYTES + 64 * 1024,
)
async def sizes_preview(request: Request, code: FromPath[str]) -> Template:
    """Shows what the file would change; saving is a second step, with the checked rows in the form."""
    plan = await plan_for_editing(code)
    if request.content_type[0] != "multipart/form-data":
        raise UserError(415, _("Välj en fil att läsa in."))
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _sizes_page(request, plan, error=_("Välj en CSV-fil att läsa in."), status=422)
    preview = parse_sizes_csv(
        await upload.read(), organisations=list(plan.organisations), groups=[g.group for g in plan.groups]
    )
    return await _sizes_page(request, plan, preview=preview, status=200 if preview.ok else 422)


@post(f"{BASE}/storlekar/spara", guards=COMMUNICATOR, status_code=303)
async def sizes_save(request: Request, code: FromPath[str]) -> Template | Redirect:
    plan = await plan_for_editing(code)
    rows = (await read_form(request)).get("row", [])
    text = "organisation;målgrupp;antal\n" + "\n".join(rows)
    preview = parse_sizes_csv(
        text.encode("utf-8"), organisations=list(plan.organisations), groups=[g.group for g in plan.groups]
    )
    if not preview.ok:
        return await _sizes_page(request, plan, preview=preview, status=422)
    try:
        await store_sizes(plan.id, preview.rows, source=_("CSV-fil"))
    except Invalid as error:
        return await _sizes_page(request, plan, error=error.message, status=422)
    return Redirect(path=f"/arbeta/planer/{code}?sparat=storlekar#malgrupper", status_code=303)


# --- reach typed in by hand -----------------------------------------------------------------------------------

REACH_FIELDS = ("period_start", "period_end", "channel", "activity", "url", *MANUAL_METRICS)


async def _reach_page(request: Request, plan: PlanOverview, **context) -> Template:
    return await _render(
        request,
        "plan_reach_entries.html",
        plan,
        entries=await reach_entries(plan.id),
        metrics=MANUAL_METRICS,
        channel_choices=[(c.code, c.name) for c in plan.channels],
        activity_choices=[(a.code, a.title) for a in plan.activities],
        **context,
    )


@get(f"{BASE}/rackvidd/poster", guards=COMMUNICATOR)
async def reach_entries_page(request: Request, code: FromPath[str]) -> Template:
    return await _reach_page(request, await plan_for_editing(code))


@post(f"{BASE}/rackvidd/poster", guards=COMMUNICATOR, status_code=303)
async def reach_add(request: Request, code: FromPath[str]) -> Template | Redirect:
    plan = await plan_for_editing(code)
    values = field_values(await read_form(request), *REACH_FIELDS)
    try:
        await add_manual_reach(plan.id, values)
    except Invalid as error:
        return await _reach_page(request, plan, errors=_keyed("", error), values=values, status=422)
    return _saved(f"/arbeta/planer/{code}/rackvidd/poster")


@post(f"{BASE}/rackvidd/poster/{{figure:int}}/ta-bort", guards=COMMUNICATOR, status_code=303)
async def reach_delete(request: Request, code: FromPath[str], figure: FromPath[int]) -> Template | Redirect:
    plan = await plan_for_editing(code)
    await read_form(request)
    try:
        await delete_reach(plan.id, figure)
    except Conflict as refused:
        return await _reach_page(request, plan, errors={"entries": refused.message}, status=409)
    return _saved(f"/arbeta/planer/{code}/rackvidd/poster")


HANDLERS = [
    goals_page,
    goals_add,
    organisations_page,
    organisations_official_add,
    organisation_add,
    organisation_edit,
    organisation_action,
    channels_page,
    channel_add,
    channel_edit,
    channel_delete,
    channel_archive,
    activity_new_page,
    activity_add,
    activity_page,
    activity_edit,
    activity_delete,
    activity_archive,
    groups_page,
    group_add,
    group_edit,
    group_action,
    sizes_page,
    sizes_template_file,
    sizes_preview,
    sizes_save,
    reach_entries_page,
    reach_add,
    reach_delete,
]
