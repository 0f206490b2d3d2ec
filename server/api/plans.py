"""/api/v1/plans/{code}/…: the JSON twins of the plan editing pages, for a kommunikatör's API token.

Errors come back as {"status", "detail", "errors": {field: message}}: 422 for bad input, 404 for something
that is not in the plan, 409 when something depends on what was to be removed. Nothing is saved on error.
"""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Request, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from locales import gettext as _
from server.auth import requires
from surveys.accounts.users import Role
from surveys.errors import Invalid, NotFound
from surveys.plans.editing import (
    SIZES_MAX_BYTES,
    ActivityInput,
    ReachEntry,
    add_manual_reach,
    add_organisation,
    change_goal,
    change_sizes,
    delete_activity,
    delete_channel,
    delete_reach,
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

GUARDS = [requires(Role.COMMUNICATOR)]
PLAN = "/plans/{code:str}"
Text = str | int | float | None


class Saved(msgspec.Struct):
    code: str


class Done(msgspec.Struct):
    status: str = "ok"


class OrganisationIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    kind: str = "kommun"
    code: str = ""


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


class SizesIn(msgspec.Struct, forbid_unknown_fields=True):
    """Known sizes by organisation code; null or "" for unknown. Organisations left out become unknown."""

    sizes: dict[str, Text]


class GoalIn(msgspec.Struct, forbid_unknown_fields=True):
    target: Text  # percent, as on the page: 70 or "70,5"
    wording: str
    deadline: str = ""


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


class ChannelOut(msgspec.Struct):
    code: str
    name: str
    kind: str


class TargetGroupOut(msgspec.Struct):
    code: str
    name: str
    description: str
    sizes: dict[str, int]  # organisation code → known size


class GoalOut(msgspec.Struct):
    id: int
    target_group: str
    step: str
    target: float  # a proportion, 0–1
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


class PlanOut(msgspec.Struct):
    code: str
    title: str
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
        organisations=[
            OrganisationOut(o.code, o.name, o.kind, o.active) for o in await plan_organisations(plan.id)
        ],
        target_groups=[
            TargetGroupOut(g.group.code, g.group.name, g.description, dict(g.sizes)) for g in plan.groups
        ],
        goals=[GoalOut(g.id, g.group.code, g.step, g.target, g.deadline, g.wording) for g in plan.goals],
        channels=[ChannelOut(c.code, c.name, c.kind) for c in await plan_channels(plan.id)],
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
            )
            for a in plan.activities
        ],
    )


@post(f"{PLAN}/organisations", guards=GUARDS, status_code=201, summary="Lägg till en organisation")
async def organisation_add(code: FromPath[str], data: JSONBody[OrganisationIn]) -> Saved:
    plan = await plan_for_editing(code)
    return Saved(await add_organisation(plan.id, name=data.name, kind=data.kind, code=data.code))


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
        await save_target_group(plan.id, name=data.name, description=data.description, code=data.code)
    )


@put(f"{PLAN}/target-groups/{{group:str}}", guards=GUARDS, summary="Ändra en målgrupps namn")
async def group_edit(code: FromPath[str], group: FromPath[str], data: JSONBody[TargetGroupIn]) -> Saved:
    plan = await plan_for_editing(code)
    return Saved(
        await save_target_group(plan.id, name=data.name, description=data.description, existing=group)
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


@put(f"{PLAN}/goals/{{goal:int}}", guards=GUARDS, summary="Ändra ett effektmål")
async def goal_edit(code: FromPath[str], goal: FromPath[int], data: JSONBody[GoalIn]) -> Done:
    plan = await plan_for_editing(code)
    await change_goal(plan.id, goal, target=_text(data.target), deadline=data.deadline, wording=data.wording)
    return Done()


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
