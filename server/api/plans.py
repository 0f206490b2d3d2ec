"""/api/v1/plans/{code}/…: the JSON twins of the plan editing pages, for a kommunikatör's API token.

Errors come back as {"status", "detail", "errors": {field: message}}: 422 for bad input, 404 for something
that is not in the plan, 409 when something depends on what was to be removed. Nothing is saved on error.
"""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Request, Response, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from locales import gettext as _
from server import clock
from server.auth import requires
from surveys.accounts.users import Role
from surveys.errors import Invalid, NotFound
from surveys.plans.creation import (
    NONE,
    WHOLE_COUNTY,
    NewPlan,
    archive_plan,
    change_plan,
    create_plan,
    delete_plan,
    period_from_text,
)
from surveys.plans.editing import (
    SIZES_MAX_BYTES,
    ActivityInput,
    ReachEntry,
    add_goal,
    add_manual_reach,
    add_official_organisations,
    add_organisation,
    archive_activity,
    archive_channel,
    archive_target_group,
    change_goal,
    change_sizes,
    delete_activity,
    delete_channel,
    delete_goal,
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
    store_sizes,
)
from surveys.plans.official import county as find_county
from surveys.plans.plan_export import plan_definition, plan_toml
from surveys.plans.plan_file import MAX_FILE_BYTES, load_plan, read_plan_upload
from surveys.plans.plan_update import apply_plan_file, plan_changes
from surveys.plans.plan_workbook import plan_workbook
from surveys.plans.rules import OrganisationDef

GUARDS = [requires(Role.COMMUNICATOR)]
PLAN = "/plans/{code:str}"
Text = str | int | float | None


class Saved(msgspec.Struct):
    code: str


class Done(msgspec.Struct):
    status: str = "ok"


class OrganisationIn(msgspec.Struct, forbid_unknown_fields=True):
    """An organisation of the plan's own: by official code (name and kind from SCB's list unless given),
    or by name."""

    name: str = ""
    kind: str = "kommun"
    code: str = ""
    official_code: str = ""


class OfficialIn(msgspec.Struct, forbid_unknown_fields=True):
    """Municipalities and regions by SCB code; `county` adds a county's region and all its municipalities."""

    codes: list[str] = msgspec.field(default_factory=list)
    county: str = ""


class PlanIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new plan. `organisations`: an official code ("24" Region Västerbotten, "2480" Umeå kommun) or an
    organisation outside the list ({"name": "VästKom", "kind": "annan"}). `period`: "2027", or
    "2027-01-01/2027-12-31" (or give period_start and period_end). `copy_from`: an earlier plan to start
    from (its target groups, goals, channels, activities and organisations)."""

    title: str
    code: str = ""
    period: str = ""
    period_start: str = ""
    period_end: str = ""
    county: str = ""
    description: str = ""
    organisations: list[str | OrganisationIn] = msgspec.field(default_factory=list)
    include_county: bool = False
    copy_from: str = ""


class OrganisationChange(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    kind: str = "kommun"


class ChannelIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    kind: str = ""
    code: str = ""


class ActivityIn(msgspec.Struct, forbid_unknown_fields=True):
    """A whole activity: PUT replaces every field, so a missing list means none."""

    title: str
    code: str = ""
    starts_on: str = ""
    ends_on: str = ""
    timing: str = ""
    channels: list[str] = msgspec.field(default_factory=list)
    target_groups: list[str] = msgspec.field(default_factory=list)
    step: str = "L1"
    responsible: str = ""
    status: str = "planerad"


class TargetGroupIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    description: str = ""
    code: str = ""
    # The name in the questionnaires' other languages ({"en": "Managers"}); left out, a change keeps them.
    names: dict[str, str] | None = None


class SizesIn(msgspec.Struct, forbid_unknown_fields=True):
    """Known sizes by organisation code; null or "" for unknown. Organisations left out become unknown."""

    sizes: dict[str, Text]


class GoalIn(msgspec.Struct, forbid_unknown_fields=True):
    """A goal's new values. The target in percent (70, "70,5"; 0–1 is a share: 0.7 is 70 %), as
    `target_percent` or `target`; a step only to change it."""

    wording: str
    target: Text = None
    target_percent: Text = None
    deadline: str = ""
    step: str = ""


class NewGoalIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new effect goal: target group code, step L1–L4, target in percent, deadline ÅÅÅÅ-MM-DD, wording."""

    target_group: str
    step: str
    wording: str
    target_percent: Text = None
    target: Text = None
    deadline: str = ""


class GoalSaved(msgspec.Struct):
    id: int


class ChangeOut(msgspec.Struct):
    kind: str  # added | changed | removed
    part: str
    name: str
    details: list[str]


class FileOut(msgspec.Struct):
    code: str
    created: bool
    applied: bool
    changes: list[ChangeOut]
    refusals: list[str]


class ReachIn(msgspec.Struct, forbid_unknown_fields=True):
    period_start: str
    period_end: str = ""
    channel: str = ""
    activity: str = ""
    url: str = ""
    views: Text = None
    unique_visitors: Text = None
    impressions: Text = None
    clicks: Text = None


class SizeOut(msgspec.Struct):
    line: int
    organisation: str
    target_group: str
    size: int


class SizesOut(msgspec.Struct):
    rows: list[SizeOut]
    skipped: int
    saved: int


class ReachList(msgspec.Struct):
    figures: list[ReachEntry]  # the domain's own dataclass: msgspec encodes it as it is


class OrganisationOut(msgspec.Struct):
    code: str
    name: str
    kind: str
    active: bool
    official_code: str


class ChannelOut(msgspec.Struct):
    code: str
    name: str
    kind: str
    archived: bool


class TargetGroupOut(msgspec.Struct):
    code: str
    name: str
    description: str
    sizes: dict[str, int]  # organisation code → known size
    archived: bool
    names: dict[str, str]  # the name in other languages, by language


class GoalOut(msgspec.Struct):
    id: int
    target_group: str
    step: str
    target: float  # a proportion, 0–1
    target_percent: float
    deadline: date | None
    wording: str


class ActivityOut(msgspec.Struct):
    code: str
    title: str
    timing: str
    starts_on: date | None
    ends_on: date | None
    channels: list[str]
    target_groups: list[str]
    step: str
    responsible: str
    status: str
    archived: bool


class PlanOut(msgspec.Struct):
    code: str
    title: str
    county: str
    period_start: date | None
    period_end: date | None
    archived: bool
    organisations: list[OrganisationOut]
    target_groups: list[TargetGroupOut]
    goals: list[GoalOut]
    channels: list[ChannelOut]
    activities: list[ActivityOut]


def _text(value: Text) -> str:
    return "" if value is None else str(value)


@get(
    PLAN,
    guards=GUARDS,
    summary="Planen som den kan ändras: organisationer, målgrupper, mål, kanaler, aktiviteter",
)
async def plan_detail(code: FromPath[str]) -> PlanOut:
    plan = await plan_for_editing(code)
    return PlanOut(
        code=plan.code,
        title=plan.title,
        county=plan.county,
        period_start=plan.period_start,
        period_end=plan.period_end,
        archived=plan.archived,
        organisations=[
            OrganisationOut(o.code, o.name, o.kind, o.active, o.official_code)
            for o in await plan_organisations(plan.id)
        ],
        target_groups=[
            TargetGroupOut(
                g.group.code, g.group.name, g.description, dict(g.sizes), g.archived, dict(g.group.names)
            )
            for g in plan.groups
        ],
        goals=[
            GoalOut(g.id, g.group.code, g.step, g.target, round(g.target * 100, 4), g.deadline, g.wording)
            for g in plan.goals
        ],
        channels=[ChannelOut(c.code, c.name, c.kind, c.archived) for c in await plan_channels(plan.id)],
        activities=[
            ActivityOut(
                a.code,
                a.title,
                a.timing,
                a.starts_on,
                a.ends_on,
                list(a.channel_codes),
                list(a.group_codes),
                a.step,
                a.responsible,
                a.status,
                a.archived,
            )
            for a in plan.activities
        ],
    )


@post("/plans", guards=GUARDS, status_code=201, summary="Skapa en plan (eller nästa års från en tidigare)")
async def plan_create(data: JSONBody[PlanIn]) -> Saved:
    starts, ends = data.period_start, data.period_end
    if data.period.strip():
        period = period_from_text(data.period)
        if period is None:
            message = _("Skriv perioden som ett år, till exempel 2027, eller som 2027-01-01/2027-12-31.")
            raise Invalid(message, errors={"period": message})
        starts, ends = period[0].isoformat(), period[1].isoformat()
    officials = tuple(o for o in data.organisations if isinstance(o, str))
    officials += tuple(
        o.official_code for o in data.organisations if isinstance(o, OrganisationIn) and o.official_code
    )
    others = tuple(
        OrganisationDef(o.code, o.name, o.kind)
        for o in data.organisations
        if isinstance(o, OrganisationIn) and not o.official_code
    )
    if data.include_county and not find_county(data.county):
        message = _("Ange länet (county) för att ta med regionen och alla kommuner i länet.")
        raise Invalid(message, errors={"county": message})
    code = await create_plan(
        NewPlan(
            title=data.title,
            county=data.county,
            period_start=starts,
            period_end=ends,
            code=data.code,
            description=data.description,
            organisations=WHOLE_COUNTY if data.include_county else NONE,
            official_codes=officials,
            others=others,
            copy_from=data.copy_from,
        )
    )
    return Saved(code)


@post(
    [f"{PLAN}/archive", f"{PLAN}/restore"],
    guards=GUARDS,
    status_code=200,
    summary="Arkivera en plan (archive) eller använd den igen (restore)",
)
async def plan_archive(request: Request, code: FromPath[str]) -> Saved:
    await archive_plan(code, request.url.path.endswith("/archive"), now=clock.now())
    return Saved(code)


class PlanChange(msgspec.Struct, forbid_unknown_fields=True):
    """A plan's own fields, all of them (PUT): county by code or name, or blank; dates ÅÅÅÅ-MM-DD."""

    title: str
    county: str = ""
    description: str = ""
    period_start: str = ""
    period_end: str = ""


@put(PLAN, guards=GUARDS, summary="Ändra planens namn, län, beskrivning och period")
async def plan_change(code: FromPath[str], data: JSONBody[PlanChange]) -> Saved:
    await change_plan(code, **{f: getattr(data, f) for f in data.__struct_fields__})
    return Saved(code)


@delete(PLAN, guards=GUARDS, summary="Ta bort en plan utan mätomgångar och möten")
async def plan_delete(code: FromPath[str]) -> None:
    await delete_plan(code)


@get(f"{PLAN}/file", guards=GUARDS, summary="Planen som TOML-fil, att ändra och läsa in igen")
async def plan_file_export(code: FromPath[str]) -> Response:
    return Response(plan_toml(await plan_definition(code)), media_type="application/toml; charset=utf-8")


@get(f"{PLAN}/workbook", guards=GUARDS, summary="Planen som Excel-fil (samma blad som mallen)")
async def plan_workbook_export(code: FromPath[str]) -> Response:
    return Response(
        plan_workbook(await plan_definition(code)),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@post(
    "/plan-files",
    guards=GUARDS,
    status_code=200,
    request_max_body_size=MAX_FILE_BYTES,
    summary="Läs in en planfil (TOML eller Excel): en ny plan skapas, en befintlig visar ändringarna "
    "och ändras med apply=true",
)
async def plan_file_import(request: Request, apply: FromQuery[bool] = False) -> Response[FileOut]:
    content_type = request.content_type[0]
    name = "plan.xlsx" if "spreadsheet" in content_type or "excel" in content_type else "plan.toml"
    definition = read_plan_upload(await request.body(), name)
    from surveys.db.tables import Plan

    if not await Plan.exists().where(Plan.code == definition.code):
        await load_plan(definition)
        return Response(FileOut(definition.code, True, True, [], []), status_code=201)
    found = await (apply_plan_file(definition) if apply else plan_changes(definition))
    return Response(
        FileOut(
            definition.code,
            False,
            apply,
            [ChangeOut(c.kind, c.part, c.name, list(c.details)) for c in found.changes],
            list(found.refusals),
        ),
        status_code=409 if found.refusals else 200,
    )


@post(f"{PLAN}/organisations", guards=GUARDS, status_code=201, summary="Lägg till en organisation")
async def organisation_add(code: FromPath[str], data: JSONBody[OrganisationIn]) -> Saved:
    plan = await plan_for_editing(code)
    return Saved(
        await add_organisation(
            plan.id, name=data.name, kind=data.kind, code=data.code, official_code=data.official_code
        )
    )


@put(f"{PLAN}/organisations/{{organisation:str}}", guards=GUARDS, summary="Byt namn på en organisation")
async def organisation_edit(
    code: FromPath[str], organisation: FromPath[str], data: JSONBody[OrganisationChange]
) -> Saved:
    plan = await plan_for_editing(code)
    await rename_organisation(plan.id, organisation, name=data.name, kind=data.kind)
    return Saved(organisation)


@post(
    f"{PLAN}/organisations/{{organisation:str}}/{{action:str}}",
    guards=GUARDS,
    status_code=200,
    summary="Gör en organisation inaktiv (deactivate) eller aktiv igen (activate)",
)
async def organisation_action(
    code: FromPath[str], organisation: FromPath[str], action: FromPath[str]
) -> Saved:
    plan = await plan_for_editing(code)
    if action not in ("activate", "deactivate"):
        raise NotFound(_("Använd activate eller deactivate."))
    await set_organisation_active(plan.id, organisation, action == "activate")
    return Saved(organisation)


@delete(
    f"{PLAN}/organisations/{{organisation:str}}", guards=GUARDS, summary="Ta bort en organisation ur planen"
)
async def organisation_remove(code: FromPath[str], organisation: FromPath[str]) -> None:
    plan = await plan_for_editing(code)
    await remove_organisation(plan.id, organisation)


@post(f"{PLAN}/channels", guards=GUARDS, status_code=201, summary="Lägg till en kanal")
async def channel_add(code: FromPath[str], data: JSONBody[ChannelIn]) -> Saved:
    plan = await plan_for_editing(code)
    return Saved(await save_channel(plan.id, name=data.name, kind=data.kind, code=data.code))


@put(f"{PLAN}/channels/{{channel:str}}", guards=GUARDS, summary="Ändra en kanal")
async def channel_edit(code: FromPath[str], channel: FromPath[str], data: JSONBody[ChannelIn]) -> Saved:
    plan = await plan_for_editing(code)
    return Saved(await save_channel(plan.id, name=data.name, kind=data.kind, existing=channel))


@delete(f"{PLAN}/channels/{{channel:str}}", guards=GUARDS, summary="Ta bort en kanal som inget använder")
async def channel_delete(code: FromPath[str], channel: FromPath[str]) -> None:
    plan = await plan_for_editing(code)
    await delete_channel(plan.id, channel)


def _activity(data: ActivityIn) -> ActivityInput:
    return ActivityInput(
        **{f: getattr(data, f) for f in data.__struct_fields__ if f not in ("channels", "target_groups")},
        channels=tuple(data.channels),
        target_groups=tuple(data.target_groups),
    )


@post(f"{PLAN}/activities", guards=GUARDS, status_code=201, summary="Lägg till en aktivitet")
async def activity_add(code: FromPath[str], data: JSONBody[ActivityIn]) -> Saved:
    plan = await plan_for_editing(code)
    return Saved(await save_activity(plan.id, _activity(data)))


@put(f"{PLAN}/activities/{{activity:str}}", guards=GUARDS, summary="Ändra en aktivitet (hela)")
async def activity_edit(code: FromPath[str], activity: FromPath[str], data: JSONBody[ActivityIn]) -> Saved:
    plan = await plan_for_editing(code)
    return Saved(await save_activity(plan.id, _activity(data), existing=activity))


@delete(f"{PLAN}/activities/{{activity:str}}", guards=GUARDS, summary="Ta bort en aktivitet utan historik")
async def activity_delete(code: FromPath[str], activity: FromPath[str]) -> None:
    plan = await plan_for_editing(code)
    await delete_activity(plan.id, activity)


@post(f"{PLAN}/target-groups", guards=GUARDS, status_code=201, summary="Lägg till en målgrupp")
async def group_add(code: FromPath[str], data: JSONBody[TargetGroupIn]) -> Saved:
    plan = await plan_for_editing(code)
    return Saved(
        await save_target_group(
            plan.id, name=data.name, description=data.description, code=data.code, names=data.names
        )
    )


@put(f"{PLAN}/target-groups/{{group:str}}", guards=GUARDS, summary="Ändra en målgrupps namn")
async def group_edit(code: FromPath[str], group: FromPath[str], data: JSONBody[TargetGroupIn]) -> Saved:
    plan = await plan_for_editing(code)
    return Saved(
        await save_target_group(
            plan.id, name=data.name, description=data.description, existing=group, names=data.names
        )
    )


@put(
    f"{PLAN}/target-groups/{{group:str}}/sizes", guards=GUARDS, summary="Målgruppens storlek per organisation"
)
async def group_sizes(code: FromPath[str], group: FromPath[str], data: JSONBody[SizesIn]) -> Saved:
    plan = await plan_for_editing(code)
    await change_sizes(plan.id, group, {org: _text(n) for org, n in data.sizes.items()})
    return Saved(group)


@post(
    f"{PLAN}/sizes",
    guards=GUARDS,
    status_code=200,
    request_max_body_size=SIZES_MAX_BYTES,
    summary="Storlekar från en CSV-fil ur HR-registret (text/csv; dry_run=true förhandsgranskar)",
)
async def sizes_file(request: Request, code: FromPath[str], dry_run: FromQuery[bool] = False) -> SizesOut:
    plan = await plan_for_editing(code)
    preview = parse_sizes_csv(
        await request.body(), organisations=list(plan.organisations), groups=[g.group for g in plan.groups]
    )
    if preview.file_errors or preview.errors:
        problems = [*preview.file_errors, *preview.errors]
        raise Invalid(
            " ".join(problems), errors={f"row-{i}": message for i, message in enumerate(problems, start=1)}
        )
    saved = 0
    if not dry_run:
        saved = await store_sizes(plan.id, preview.rows, source=_("CSV-fil"))
    return SizesOut(
        rows=[SizeOut(r.line, r.organisation, r.group, r.size) for r in preview.rows],
        skipped=preview.skipped,
        saved=saved,
    )


def _target(percent: Text, target: Text) -> object:
    """The goal's target as sent: a number as a number, for the one rule (rules.parse_target)."""
    value = percent if percent is not None else target
    return value if isinstance(value, int | float) else _text(value)


@post(f"{PLAN}/goals", guards=GUARDS, status_code=201, summary="Lägg till ett effektmål")
async def goal_add(code: FromPath[str], data: JSONBody[NewGoalIn]) -> GoalSaved:
    plan = await plan_for_editing(code)
    goal = await add_goal(
        plan.id,
        target_group=data.target_group,
        step=data.step,
        target=_target(data.target_percent, data.target),
        deadline=data.deadline,
        wording=data.wording,
    )
    return GoalSaved(goal)


@put(f"{PLAN}/goals/{{goal:int}}", guards=GUARDS, summary="Ändra ett effektmål")
async def goal_edit(code: FromPath[str], goal: FromPath[int], data: JSONBody[GoalIn]) -> Done:
    plan = await plan_for_editing(code)
    await change_goal(
        plan.id,
        goal,
        target=_target(data.target_percent, data.target),
        deadline=data.deadline,
        wording=data.wording,
        step=data.step or None,
    )
    return Done()


@delete(f"{PLAN}/goals/{{id:int}}", guards=GUARDS, summary="Ta bort ett effektmål")
async def goal_delete(code: FromPath[str], id: FromPath[int]) -> None:
    plan = await plan_for_editing(code)
    await delete_goal(plan.id, id)


@delete(
    f"{PLAN}/target-groups/{{group:str}}", guards=GUARDS, summary="Ta bort en målgrupp som inget har frågat"
)
async def group_delete(code: FromPath[str], group: FromPath[str]) -> None:
    plan = await plan_for_editing(code)
    await delete_target_group(plan.id, group)


@post(
    [f"{PLAN}/target-groups/{{group:str}}/archive", f"{PLAN}/target-groups/{{group:str}}/restore"],
    guards=GUARDS,
    status_code=200,
    summary="Arkivera en målgrupp (archive) eller använd den igen (restore)",
)
async def group_archive(request: Request, code: FromPath[str], group: FromPath[str]) -> Saved:
    plan = await plan_for_editing(code)
    await archive_target_group(plan.id, group, request.url.path.endswith("/archive"))
    return Saved(group)


@post(
    [f"{PLAN}/channels/{{channel:str}}/archive", f"{PLAN}/channels/{{channel:str}}/restore"],
    guards=GUARDS,
    status_code=200,
    summary="Arkivera en kanal (archive) eller använd den igen (restore)",
)
async def channel_archive(request: Request, code: FromPath[str], channel: FromPath[str]) -> Saved:
    plan = await plan_for_editing(code)
    await archive_channel(plan.id, channel, request.url.path.endswith("/archive"))
    return Saved(channel)


@post(
    [f"{PLAN}/activities/{{activity:str}}/archive", f"{PLAN}/activities/{{activity:str}}/restore"],
    guards=GUARDS,
    status_code=200,
    summary="Arkivera en aktivitet (archive) eller ta tillbaka den (restore)",
)
async def activity_archive(request: Request, code: FromPath[str], activity: FromPath[str]) -> Saved:
    plan = await plan_for_editing(code)
    await archive_activity(plan.id, activity, request.url.path.endswith("/archive"))
    return Saved(activity)


class AddedOut(msgspec.Struct):
    added: list[str]


@post(
    f"{PLAN}/official-organisations",
    guards=GUARDS,
    status_code=201,
    summary="Lägg till kommuner och regioner med SCB-kod, eller ett helt län",
)
async def official_add(code: FromPath[str], data: JSONBody[OfficialIn]) -> AddedOut:
    plan = await plan_for_editing(code)
    codes = list(data.codes)
    if data.county:
        found = find_county(data.county)
        if found is None:
            message = _("Välj ett av Sveriges 21 län, eller inget.")
            raise Invalid(message, errors={"county": message})
        codes += [o.code for o in found.members]
    return AddedOut(await add_official_organisations(plan.id, codes))


@get(f"{PLAN}/reach", guards=GUARDS, summary="Planens räckviddssiffror")
async def reach_list(code: FromPath[str]) -> ReachList:
    plan = await plan_for_editing(code)
    entries = await reach_entries(plan.id)
    return ReachList(figures=entries)


@post(f"{PLAN}/reach", guards=GUARDS, status_code=201, summary="Skriv in räckvidd för en period")
async def reach_add(code: FromPath[str], data: JSONBody[ReachIn]) -> Done:
    plan = await plan_for_editing(code)
    fields = {f: _text(getattr(data, f)) for f in data.__struct_fields__}
    await add_manual_reach(plan.id, fields)
    return Done()


@delete(f"{PLAN}/reach/{{figure:int}}", guards=GUARDS, summary="Ta bort en räckviddssiffra")
async def reach_delete(code: FromPath[str], figure: FromPath[int]) -> None:
    plan = await plan_for_editing(code)
    await delete_reach(plan.id, figure)


HANDLERS = [
    plan_create,
    plan_archive,
    plan_change,
    plan_delete,
    plan_file_export,
    plan_workbook_export,
    plan_file_import,
    goal_add,
    goal_delete,
    group_delete,
    group_archive,
    channel_archive,
    activity_archive,
    official_add,
    plan_detail,
    organisation_add,
    organisation_edit,
    organisation_action,
    organisation_remove,
    channel_add,
    channel_edit,
    channel_delete,
    activity_add,
    activity_edit,
    activity_delete,
    group_add,
    group_edit,
    group_sizes,
    sizes_file,
    goal_edit,
    reach_list,
    reach_add,
    reach_delete,
]
