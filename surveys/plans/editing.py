"""A plan as a communicator sees and edits it: target groups with sizes, effect goals, activities."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from locales import gettext as _
from locales import ngettext
from surveys.db.engine import write_transaction
from surveys.db.tables import (
    Activity,
    ActivityChannel,
    ActivityTargetGroup,
    Channel,
    EffectGoal,
    Plan,
    PlanOrganisation,
    TargetGroup,
    TargetGroupSize,
)
from surveys.errors import Conflict, DomainError, Invalid, NotFound
from surveys.plans import rules
from surveys.plans.lookup import plan_row
from surveys.plans.rules import ActivityInput, code_from_name
from surveys.waves.lookup import Choice


@dataclass(frozen=True)
class GroupOverview:
    group: Choice
    description: str
    sizes: dict[str, int]  # organisation code → size; empty when unknown

    @property
    def total(self) -> int | None:
        return sum(self.sizes.values()) if self.sizes else None


@dataclass(frozen=True)
class GoalOverview:
    id: int
    group: Choice
    step: str
    target: float
    deadline: date | None
    wording: str


@dataclass(frozen=True)
class ActivityOverview:
    code: str
    title: str
    timing: str
    step: str
    responsible: str
    status: str
    channels: tuple[str, ...]
    groups: tuple[str, ...]
    channel_codes: tuple[str, ...] = ()
    group_codes: tuple[str, ...] = ()
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class PlanOverview:
    id: int
    code: str
    title: str
    county: str
    description: str
    organisations: tuple[Choice, ...]
    groups: tuple[GroupOverview, ...]
    goals: tuple[GoalOverview, ...]
    activities: tuple[ActivityOverview, ...]
    channels: tuple[Choice, ...]


async def plan_codes() -> list[tuple[str, str]]:
    return [(r["code"], r["title"]) for r in await Plan.select(Plan.code, Plan.title).order_by(Plan.title)]


async def plan_overview(code: str) -> PlanOverview | None:
    """The plan, or None when no plan has this code."""
    try:
        return await plan_for_editing(code)
    except NotFound:
        return None


async def plan_for_editing(code: str) -> PlanOverview:
    """The plan as its pages show it; `NotFound` (no plan with this code) otherwise."""
    plan = await plan_row(code)
    organisations = tuple(
        Choice(r["id"], r["code"], r["name"])
        for r in await PlanOrganisation.select(
            PlanOrganisation.organisation.id.as_alias("id"),
            PlanOrganisation.organisation.code.as_alias("code"),
            PlanOrganisation.organisation.name.as_alias("name"),
        )
        .where(PlanOrganisation.plan == plan["id"])
        .order_by(PlanOrganisation.organisation.name)
    )
    org_code = {o.id: o.code for o in organisations}
    groups_rows = (
        await TargetGroup.select().where(TargetGroup.plan == plan["id"]).order_by(TargetGroup.position)
    )
    sizes: dict[int, dict[str, int]] = defaultdict(dict)
    for r in await TargetGroupSize.select().where(TargetGroupSize.target_group.plan == plan["id"]):
        if r["organisation"] in org_code:  # an inactive organisation's sizes are kept, not shown
            sizes[r["target_group"]][org_code[r["organisation"]]] = r["size"]
    groups = tuple(
        GroupOverview(Choice(g["id"], g["code"], g["name"]), g["description"], dict(sizes.get(g["id"], {})))
        for g in groups_rows
    )
    by_id = {g.group.id: g.group for g in groups}
    goals = tuple(
        GoalOverview(
            r["id"], by_id[r["target_group"]], r["step"], r["target_share"], r["deadline"], r["wording"]
        )
        for r in await EffectGoal.select().where(EffectGoal.plan == plan["id"]).order_by(EffectGoal.id)
    )
    channels = tuple(
        Choice(r["id"], r["code"], r["name"])
        for r in await Channel.select().where(Channel.plan == plan["id"]).order_by(Channel.id)
    )
    channel_by_id = {c.id: c for c in channels}
    activity_channels: dict[int, list[Choice]] = defaultdict(list)
    for r in await ActivityChannel.select().where(ActivityChannel.activity.plan == plan["id"]):
        activity_channels[r["activity"]].append(channel_by_id[r["channel"]])
    activity_groups: dict[int, list[Choice]] = defaultdict(list)
    for r in await ActivityTargetGroup.select().where(ActivityTargetGroup.activity.plan == plan["id"]):
        activity_groups[r["activity"]].append(by_id[r["target_group"]])
    activities = tuple(
        ActivityOverview(
            r["code"],
            r["title"],
            r["timing"],
            r["step"],
            r["responsible"],
            r["status"],
            tuple(c.name for c in activity_channels[r["id"]]),
            tuple(g.name for g in activity_groups[r["id"]]),
            tuple(c.code for c in activity_channels[r["id"]]),
            tuple(g.code for g in activity_groups[r["id"]]),
            r["starts_on"],
            r["ends_on"],
        )
        for r in await Activity.select().where(Activity.plan == plan["id"]).order_by(Activity.position)
    )
    return PlanOverview(
        plan["id"],
        plan["code"],
        plan["title"],
        plan["county"],
        plan["description"],
        organisations,
        groups,
        goals,
        activities,
        channels,
    )


def _invalid(errors: dict[str, str]) -> Invalid:
    return Invalid(" ".join(errors.values()), errors=errors)


def _refused(kind: type[DomainError], field: str, message: str) -> DomainError:
    """One field's refusal: `NotFound` (nothing to change) or `Conflict` (something depends on it)."""
    return kind(message, errors={field: message})


async def change_goal(plan_id: int, goal_id: int, *, target: str, deadline: str, wording: str) -> None:
    """Change a goal's target share (percent text), deadline and wording; nothing saved on error."""
    goal = (
        await EffectGoal.select(EffectGoal.step, EffectGoal.target_group.code.as_alias("group"))
        .where((EffectGoal.id == goal_id) & (EffectGoal.plan == plan_id))
        .first()
    )
    checked = rules.effect_goal(
        group=goal["group"] if goal else "",
        step=goal["step"] if goal else rules.GOAL_STEPS[0],
        target=target,
        deadline=deadline,
        wording=wording,
        in_percent=True,
    )
    async with write_transaction():
        changed = (
            await EffectGoal.update(
                {
                    EffectGoal.target_share: checked.target,
                    EffectGoal.deadline: checked.deadline,
                    EffectGoal.wording: checked.wording,
                }
            )
            .where((EffectGoal.id == goal_id) & (EffectGoal.plan == plan_id))
            .returning(EffectGoal.id)
        )
    if not changed:
        raise _refused(NotFound, "goal", _("Effektmålet finns inte i den här planen."))


async def update_goal(
    plan_id: int, goal_id: int, *, target: str, deadline: str, wording: str
) -> dict[str, str]:
    """`change_goal` for callers that still take errors as a result: field → message, {} when saved."""
    try:
        await change_goal(plan_id, goal_id, target=target, deadline=deadline, wording=wording)
    except DomainError as refused:
        return refused.errors
    return {}


async def change_sizes(plan_id: int, group_code: str, values: dict[str, str]) -> None:
    """Set a target group's known size per organisation (blank: unknown); nothing saved on error.

    `values` maps organisation codes to the texts typed; errors are keyed by organisation code.
    """
    group = (
        await TargetGroup.select(TargetGroup.id)
        .where((TargetGroup.plan == plan_id) & (TargetGroup.code == group_code))
        .first()
    )
    if group is None:
        raise _refused(NotFound, "group", _("Målgruppen finns inte i den här planen."))
    orgs = {
        r["code"]: r["id"]
        for r in await PlanOrganisation.select(
            PlanOrganisation.organisation.id.as_alias("id"),
            PlanOrganisation.organisation.code.as_alias("code"),
        ).where(PlanOrganisation.plan == plan_id)
    }
    errors: dict[str, str] = {}
    sizes: dict[int, int] = {}
    for code, text in values.items():
        if code not in orgs:
            errors[code] = _("Organisationen finns inte i planen.")
            continue
        if rules.is_blank(text):
            continue
        size = rules.parse_group_size(text)
        if size is None:
            errors[code] = _(
                "Skriv antalet som ett heltal, 0 eller mer, eller lämna rutan tom om det inte är känt."
            )
            continue
        sizes[orgs[code]] = size
    if errors:
        raise _invalid(errors)
    async with write_transaction():
        # Only the plan's active organisations are on the form: an inactive one keeps its size.
        await TargetGroupSize.delete().where(
            (TargetGroupSize.target_group == group["id"])
            & TargetGroupSize.organisation.is_in(list(orgs.values()))
        )
        if sizes:
            await TargetGroupSize.insert(
                *(
                    TargetGroupSize(target_group=group["id"], organisation=org, size=n, source="")
                    for org, n in sizes.items()
                )
            )


async def update_sizes(plan_id: int, group_code: str, values: dict[str, str]) -> dict[str, str]:
    """`change_sizes` for callers that still take errors as a result: field → message, {} when saved."""
    try:
        await change_sizes(plan_id, group_code, values)
    except DomainError as refused:
        return refused.errors
    return {}


# --- editing the plan: organisations, channels, activities, target groups -----------------------------------


def _unique_code(wanted: str, taken: set[str]) -> str:
    code, number = wanted, 2
    while code in taken:
        suffix = f"-{number}"
        code, number = wanted[: 60 - len(suffix)] + suffix, number + 1
    return code


def _names(rows: list[dict], key: str = "name") -> str:
    return ", ".join(f"”{r[key]}”" for r in rows[:5]) + (" …" if len(rows) > 5 else "")


# organisations


@dataclass(frozen=True)
class OrganisationRow:
    code: str
    name: str
    kind: str
    active: bool


async def plan_organisations(plan_id: int) -> list[OrganisationRow]:
    """The plan's organisations, then inactive ones: still in earlier waves or sizes, not offered anew."""
    from surveys.db.tables import Organisation, Wave, WaveOrganisation

    active = await PlanOrganisation.select(
        PlanOrganisation.organisation.code.as_alias("code"),
        PlanOrganisation.organisation.name.as_alias("name"),
        PlanOrganisation.organisation.kind.as_alias("kind"),
    ).where(PlanOrganisation.plan == plan_id)
    linked = {r["code"] for r in active}
    wave_ids = [r["id"] for r in await Wave.select(Wave.id).where(Wave.plan == plan_id)]
    used = {
        r["organisation"]
        for r in (
            await WaveOrganisation.select(WaveOrganisation.organisation).where(
                WaveOrganisation.wave.is_in(wave_ids)
            )
            if wave_ids
            else []
        )
    }
    used |= {
        r["organisation"]
        for r in await TargetGroupSize.select(TargetGroupSize.organisation).where(
            TargetGroupSize.target_group.plan == plan_id
        )
    }
    inactive = (
        await Organisation.select(Organisation.code, Organisation.name, Organisation.kind).where(
            Organisation.id.is_in(list(used))
        )
        if used
        else []
    )
    rows = [OrganisationRow(r["code"], r["name"], r["kind"], True) for r in active]
    rows += [
        OrganisationRow(r["code"], r["name"], r["kind"], False) for r in inactive if r["code"] not in linked
    ]
    return sorted(rows, key=lambda r: (not r.active, r.name.lower()))


async def add_organisation(plan_id: int, *, name: str, kind: str = "kommun", code: str = "") -> str:
    """Add an organisation to the plan; one that exists by code (from another plan) is linked if it matches."""
    from surveys.db.tables import Organisation

    wanted = code.strip() or code_from_name(name.strip())
    checked = rules.organisation(name=name, kind=kind, code=wanted)
    name, code = checked.name, checked.code
    async with write_transaction():
        existing = await Organisation.select().where(Organisation.code == code).first()
        if existing is None:
            row = Organisation(code=code, name=name, kind=kind)
            await row.save()
            org_id = row.id
        elif existing["name"].strip().lower() != name.lower():
            raise _invalid(
                {
                    "code": _("Koden %(code)s används redan av %(name)s. Välj en annan kod.")
                    % {"code": code, "name": existing["name"]}
                }
            )
        else:
            org_id = existing["id"]
        if await PlanOrganisation.exists().where(
            (PlanOrganisation.plan == plan_id) & (PlanOrganisation.organisation == org_id)
        ):
            raise _invalid({"name": _("%(name)s finns redan i planen.") % {"name": name}})
        await PlanOrganisation(plan=plan_id, organisation=org_id).save()
    return code


async def _organisation_id(code: str) -> int:
    from surveys.db.tables import Organisation

    row = await Organisation.select(Organisation.id).where(Organisation.code == code).first()
    if row is None:
        raise _refused(NotFound, "organisation", _("Organisationen finns inte."))
    return row["id"]


async def _in_plan(plan_id: int, org_id: int) -> bool:
    return await PlanOrganisation.exists().where(
        (PlanOrganisation.plan == plan_id) & (PlanOrganisation.organisation == org_id)
    )


async def rename_organisation(plan_id: int, code: str, *, name: str, kind: str) -> None:
    """Organisations are shared by plans: the new name shows in every plan and in earlier results."""
    from surveys.db.tables import Organisation

    checked = rules.organisation(name=name, kind=kind, code=None)
    name = checked.name
    org_id = await _organisation_id(code)
    if code not in {o.code for o in await plan_organisations(plan_id)}:
        raise _refused(NotFound, "organisation", _("Organisationen finns inte i den här planen."))
    async with write_transaction():
        await Organisation.update({Organisation.name: name, Organisation.kind: kind}).where(
            Organisation.id == org_id
        )


async def set_organisation_active(plan_id: int, code: str, active: bool) -> None:
    """Inactive: kept in earlier waves, results and known sizes, but not offered for new waves."""
    org_id = await _organisation_id(code)
    if code not in {o.code for o in await plan_organisations(plan_id)}:
        raise _refused(NotFound, "organisation", _("Organisationen finns inte i den här planen."))
    async with write_transaction():
        linked = await _in_plan(plan_id, org_id)
        if active and not linked:
            await PlanOrganisation(plan=plan_id, organisation=org_id).save()
        elif not active and linked:
            await PlanOrganisation.delete().where(
                (PlanOrganisation.plan == plan_id) & (PlanOrganisation.organisation == org_id)
            )


async def remove_organisation(plan_id: int, code: str) -> None:
    """Take an organisation out of the plan for good; refused while waves or answers refer to it."""
    from surveys.db.tables import Organisation, Response, Wave, WaveOrganisation

    org_id = await _organisation_id(code)
    if code not in {o.code for o in await plan_organisations(plan_id)}:
        raise _refused(NotFound, "organisation", _("Organisationen finns inte i den här planen."))
    async with write_transaction():
        name = (await Organisation.select(Organisation.name).where(Organisation.id == org_id).first())["name"]
        waves = await Wave.select(Wave.title.as_alias("name")).where(
            (Wave.plan == plan_id)
            & Wave.id.is_in(
                [
                    r["wave"]
                    for r in await WaveOrganisation.select(WaveOrganisation.wave).where(
                        WaveOrganisation.organisation == org_id
                    )
                ]
                or [-1]
            )
        )
        answers = await Response.count().where(
            (Response.organisation == org_id) & (Response.wave.plan == plan_id)
        )
        if answers or waves:
            raise _refused(
                Conflict,
                "organisation",
                (
                    ngettext(
                        "%(name)s kan inte tas bort: %(count)s svar kommer från organisationen.",
                        "%(name)s kan inte tas bort: %(count)s svar kommer från organisationen.",
                        answers,
                    )
                    if answers
                    else _("%(name)s kan inte tas bort: organisationen är med i mätomgången %(waves)s.")
                )
                % {"name": name, "waves": _names(waves), "count": answers}
                + " "
                + _(
                    "Gör den inaktiv i stället. Då finns den kvar i tidigare mätomgångar och resultat, "
                    "men kan inte väljas i nya mätomgångar."
                ),
            )
        await TargetGroupSize.delete().where(
            (TargetGroupSize.organisation == org_id)
            & TargetGroupSize.target_group.is_in(
                [r["id"] for r in await TargetGroup.select(TargetGroup.id).where(TargetGroup.plan == plan_id)]
                or [-1]
            )
        )
        await PlanOrganisation.delete().where(
            (PlanOrganisation.plan == plan_id) & (PlanOrganisation.organisation == org_id)
        )
        still_used = (
            await PlanOrganisation.exists().where(PlanOrganisation.organisation == org_id)
            or await WaveOrganisation.exists().where(WaveOrganisation.organisation == org_id)
            or await Response.exists().where(Response.organisation == org_id)
            or await TargetGroupSize.exists().where(TargetGroupSize.organisation == org_id)
        )
        if not still_used:
            await Organisation.delete().where(Organisation.id == org_id)


# channels


@dataclass(frozen=True)
class ChannelRow:
    code: str
    name: str
    kind: str


async def plan_channels(plan_id: int) -> list[ChannelRow]:
    return [
        ChannelRow(r["code"], r["name"], r["kind"])
        for r in await Channel.select().where(Channel.plan == plan_id).order_by(Channel.id)
    ]


async def save_channel(plan_id: int, *, name: str, kind: str = "", code: str = "", existing: str = "") -> str:
    """Create a channel, or (with `existing`) rename it. Its code stays: files and reach imports use it."""
    wanted = existing or code.strip() or code_from_name(name.strip())
    checked = rules.channel(name=name, kind=kind, code=None if existing else wanted)
    name, kind, code = checked.name, checked.kind, wanted
    async with write_transaction():
        taken = {r["code"] for r in await Channel.select(Channel.code).where(Channel.plan == plan_id)}
        if existing:
            if existing not in taken:
                raise _refused(NotFound, "channel", _("Kanalen finns inte i den här planen."))
            await Channel.update({Channel.name: name, Channel.kind: kind}).where(
                (Channel.plan == plan_id) & (Channel.code == existing)
            )
        else:
            if code in taken:
                raise _invalid({"code": _("Planen har redan en kanal med koden %(code)s.") % {"code": code}})
            await Channel(plan=plan_id, code=code, name=name, kind=kind).save()
    return code


async def delete_channel(plan_id: int, code: str) -> None:
    """Refused while an activity, a question or reach figures use the channel: it says which."""
    from surveys.db.tables import Option, Question, ReachFigure

    async with write_transaction():
        channel = await Channel.select().where((Channel.plan == plan_id) & (Channel.code == code)).first()
        if channel is None:
            raise _refused(NotFound, "channel", _("Kanalen finns inte i den här planen."))
        uses = []
        activities = await ActivityChannel.select(ActivityChannel.activity.title.as_alias("name")).where(
            ActivityChannel.channel == channel["id"]
        )
        if activities:
            uses.append(_("aktiviteterna %(names)s") % {"names": _names(activities)})
        questionnaires = {
            r["name"]
            for r in await Question.select(Question.version.questionnaire.title.as_alias("name")).where(
                Question.channel == channel["id"]
            )
        } | {
            r["name"]
            for r in await Option.select(Option.question.version.questionnaire.title.as_alias("name")).where(
                Option.channel == channel["id"]
            )
        }
        if questionnaires:
            uses.append(
                _("frågor i enkäten %(names)s")
                % {"names": _names([{"name": n} for n in sorted(questionnaires)])}
            )
        reach = await ReachFigure.count().where(ReachFigure.channel == channel["id"])
        if reach:
            uses.append(
                ngettext("%(count)s räckviddssiffra", "%(count)s räckviddssiffror", reach) % {"count": reach}
            )
        if uses:
            raise _refused(
                Conflict,
                "channel",
                _(
                    "Kanalen %(name)s kan inte tas bort eftersom den används av %(uses)s. "
                    "Ta bort den därifrån först."
                )
                % {"name": channel["name"], "uses": "; ".join(uses)},
            )
        await Channel.delete().where(Channel.id == channel["id"])


# activities


async def save_activity(plan_id: int, given: ActivityInput, *, existing: str = "") -> str:
    """Create an activity, or change the one with code `existing`; all of it or nothing."""
    channels = {
        r["code"]: r["id"]
        for r in await Channel.select(Channel.id, Channel.code).where(Channel.plan == plan_id)
    }
    groups = {
        r["code"]: r["id"]
        for r in await TargetGroup.select(TargetGroup.id, TargetGroup.code).where(TargetGroup.plan == plan_id)
    }
    typed = not existing and given.code.strip()
    checked = rules.activity(
        given, code=given.code.strip() if typed else None, channels=channels, groups=groups
    )
    code = existing or checked.code or code_from_name(checked.title)[:50]
    values = {
        Activity.title: checked.title,
        Activity.timing: checked.timing,
        Activity.starts_on: checked.starts_on,
        Activity.ends_on: checked.ends_on,
        Activity.step: checked.step,
        Activity.responsible: checked.responsible,
        Activity.status: checked.status,
    }
    async with write_transaction():
        taken = {
            r["code"]: r["id"]
            for r in await Activity.select(Activity.id, Activity.code).where(Activity.plan == plan_id)
        }
        if existing:
            if existing not in taken:
                raise _refused(NotFound, "activity", _("Aktiviteten finns inte i den här planen."))
            activity_id = taken[existing]
            await Activity.update(values).where(Activity.id == activity_id)
            await ActivityChannel.delete().where(ActivityChannel.activity == activity_id)
            await ActivityTargetGroup.delete().where(ActivityTargetGroup.activity == activity_id)
        else:
            if given.code.strip() and code in taken:
                raise _invalid(
                    {"code": _("Planen har redan en aktivitet med koden %(code)s.") % {"code": code}}
                )
            code = _unique_code(code, set(taken))
            last = (
                await Activity.select(Activity.position)
                .where(Activity.plan == plan_id)
                .order_by(Activity.position, ascending=False)
                .first()
            )
            row = Activity(
                plan=plan_id,
                code=code,
                position=(last["position"] if last else 0) + 1,
                **{column._meta.name: value for column, value in values.items()},
            )
            await row.save()
            activity_id = row.id
        for c in checked.channels:
            await ActivityChannel(activity=activity_id, channel=channels[c]).save()
        for g in checked.target_groups:
            await ActivityTargetGroup(activity=activity_id, target_group=groups[g]).save()
    return code


async def delete_activity(plan_id: int, code: str) -> None:
    """Refused when meeting decisions or reach figures refer to it: those are history."""
    from surveys.db.tables import Decision, ReachFigure

    async with write_transaction():
        activity = await Activity.select().where((Activity.plan == plan_id) & (Activity.code == code)).first()
        if activity is None:
            raise _refused(NotFound, "activity", _("Aktiviteten finns inte i den här planen."))
        decisions = await Decision.select(Decision.meeting.title.as_alias("name")).where(
            Decision.activity == activity["id"]
        )
        reach = await ReachFigure.count().where(ReachFigure.activity == activity["id"])
        if decisions or reach:
            uses = []
            if decisions:
                uses.append(_("beslut från mötet %(names)s") % {"names": _names(decisions)})
            if reach:
                uses.append(
                    ngettext("%(count)s räckviddssiffra", "%(count)s räckviddssiffror", reach)
                    % {"count": reach}
                )
            raise _refused(
                Conflict,
                "activity",
                _(
                    "Aktiviteten kan inte tas bort eftersom den har %(uses)s. "
                    "Ändra läget till inställd i stället, så finns historiken kvar."
                )
                % {"uses": " och ".join(uses)},
            )
        await Activity.delete().where(Activity.id == activity["id"])


# target groups


async def save_target_group(
    plan_id: int, *, name: str, description: str = "", code: str = "", existing: str = ""
) -> str:
    wanted = existing or code.strip() or code_from_name(name.strip())
    checked = rules.target_group(name=name, description=description, code=None if existing else wanted)
    name, description, code = checked.name, checked.description, wanted
    async with write_transaction():
        rows = await TargetGroup.select(TargetGroup.code, TargetGroup.position).where(
            TargetGroup.plan == plan_id
        )
        taken = {r["code"] for r in rows}
        if existing:
            if existing not in taken:
                raise _refused(NotFound, "group", _("Målgruppen finns inte i den här planen."))
            await TargetGroup.update({TargetGroup.name: name, TargetGroup.description: description}).where(
                (TargetGroup.plan == plan_id) & (TargetGroup.code == existing)
            )
        else:
            if code in taken:
                raise _invalid(
                    {"code": _("Planen har redan en målgrupp med koden %(code)s.") % {"code": code}}
                )
            await TargetGroup(
                plan=plan_id,
                code=code,
                name=name,
                description=description,
                position=max((r["position"] for r in rows), default=0) + 1,
            ).save()
    return code


# known sizes from an HR register's CSV file

SIZES_MAX_BYTES = 1024 * 1024
SIZES_MAX_ROWS = 20_000
MAX_SIZE = rules.MAX_SIZE
_SIZE_COLUMNS = {
    "organisation": ("organisation", "organisationskod", "org", "huvudman", "kommun", "förvaltning"),
    "group": ("målgrupp", "malgrupp", "målgruppskod", "grupp", "target_group", "target group"),
    "size": ("antal", "storlek", "antal personer", "antal anställda", "size", "count", "number"),
}


@dataclass(frozen=True)
class SizeRow:
    line: int
    organisation: str  # code
    group: str  # code
    size: int


@dataclass(frozen=True)
class SizesPreview:
    rows: tuple[SizeRow, ...]
    errors: tuple[str, ...]  # "Rad 4: …", complete sentences in the current locale
    file_errors: tuple[str, ...]
    skipped: int = 0  # rows without a number: the size stays as it is

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors and bool(self.rows)


def sizes_template(organisations: list[Choice], groups: list[GroupOverview]) -> bytes:
    """A file to fill in: every organisation × target group, with the sizes known today."""
    lines = ["organisation;målgrupp;antal"]
    for group in groups:
        for org in organisations:
            size = group.sizes.get(org.code)
            lines.append(f"{org.name};{group.group.name};{'' if size is None else size}")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def parse_sizes_csv(data: bytes, *, organisations: list[Choice], groups: list[Choice]) -> SizesPreview:
    """Read organisation;målgrupp;antal rows (codes or names) without touching the database."""
    import csv
    import io

    from surveys.plans.reach import _decode, _sniff  # the same encodings and delimiters as reach files

    def failed(message: str) -> SizesPreview:
        return SizesPreview((), (), (message,))

    if len(data) > SIZES_MAX_BYTES:
        return failed(_("Filen är större än 1 MB. Dela upp den i flera filer."))
    decoded = _decode(data)
    if isinstance(decoded, str):
        return failed(decoded)
    text = decoded[0]
    lines = text.splitlines()
    start = 0
    while start < len(lines) and (
        not lines[start].strip() or lines[start].startswith("#") or lines[start].lower().startswith("sep=")
    ):
        start += 1
    if start == len(lines):
        return failed(_("Filen är tom."))
    reader = csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=_sniff(lines[start]))
    header = [h.strip().lower() for h in next(reader)]
    columns: dict[str, int] = {}
    for field, names in _SIZE_COLUMNS.items():
        found = [i for i, h in enumerate(header) if h in names]
        if found:
            columns[field] = found[0]
    if len(columns) < 3:
        return failed(
            _(
                "Filens första rad ska ha kolumnerna organisation, målgrupp och antal, till exempel "
                "organisation;målgrupp;antal. Hämta mallen så ser du hur filen ska se ut."
            )
        )
    org_lookup = {o.code.lower(): o.code for o in organisations} | {
        o.name.strip().lower(): o.code for o in organisations
    }
    group_lookup = {g.code.lower(): g.code for g in groups} | {g.name.strip().lower(): g.code for g in groups}
    rows: list[SizeRow] = []
    errors: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    skipped = 0
    for number, cells in enumerate(reader, start=start + 2):
        if not any(c.strip() for c in cells):
            continue
        if number - start > SIZES_MAX_ROWS:
            return failed(_("Filen har fler än %(max)s rader.") % {"max": SIZES_MAX_ROWS})
        cell = {f: (cells[i].strip() if i < len(cells) else "") for f, i in columns.items()}
        problems = []
        org = org_lookup.get(cell["organisation"].lower())
        if org is None:
            problems.append(
                _("organisationen ”%(value)s” finns inte i planen") % {"value": cell["organisation"]}
                if cell["organisation"]
                else _("organisation saknas")
            )
        group = group_lookup.get(cell["group"].lower())
        if group is None:
            problems.append(
                _("målgruppen ”%(value)s” finns inte i planen") % {"value": cell["group"]}
                if cell["group"]
                else _("målgrupp saknas")
            )
        digits = re.sub(r"[\s\u00a0\u202f]", "", cell["size"])
        if not digits:
            if not problems:
                skipped += 1
                continue
        elif not digits.isdigit() or int(digits) > MAX_SIZE:
            problems.append(
                _("antalet ”%(value)s” är inte ett heltal, 0 eller mer") % {"value": cell["size"][:40]}
            )
        if not problems and (org, group) in seen:
            problems.append(
                _("organisationen och målgruppen finns redan på rad %(line)s") % {"line": seen[(org, group)]}
            )
        if problems:
            errors.append(
                _("Rad %(line)s: %(problems)s.") % {"line": number, "problems": "; ".join(problems)}
            )
            continue
        seen[(org, group)] = number
        if digits:
            rows.append(SizeRow(number, org, group, int(digits)))
    if not rows and not errors:
        return SizesPreview((), (), (_("Filen har inga rader med antal."),), skipped)
    return SizesPreview(tuple(rows), tuple(errors), (), skipped)


async def store_sizes(plan_id: int, rows: tuple[SizeRow, ...], source: str) -> int:
    """Set the known sizes in `rows` (others stay as they are), in one transaction."""
    async with write_transaction():
        orgs = {
            r["code"]: r["id"]
            for r in await PlanOrganisation.select(
                PlanOrganisation.organisation.id.as_alias("id"),
                PlanOrganisation.organisation.code.as_alias("code"),
            ).where(PlanOrganisation.plan == plan_id)
        }
        groups = {
            r["code"]: r["id"]
            for r in await TargetGroup.select(TargetGroup.id, TargetGroup.code).where(
                TargetGroup.plan == plan_id
            )
        }
        if any(r.organisation not in orgs or r.group not in groups for r in rows):
            raise _invalid({"file": _("Planen har ändrats under tiden. Läs in filen igen.")})
        for row in rows:
            await TargetGroupSize.delete().where(
                (TargetGroupSize.target_group == groups[row.group])
                & (TargetGroupSize.organisation == orgs[row.organisation])
            )
        await TargetGroupSize.insert(
            *(
                TargetGroupSize(
                    target_group=groups[r.group],
                    organisation=orgs[r.organisation],
                    size=r.size,
                    source=source,
                )
                for r in rows
            )
        )
    return len(rows)


# reach typed in by hand

MANUAL_METRICS = ("views", "unique_visitors", "impressions", "clicks")
MANUAL_FIELDS = ("period_start", "period_end", "channel", "activity", *MANUAL_METRICS, "metric", "url")


@dataclass(frozen=True)
class ReachEntry:
    id: int
    period_start: date
    period_end: date
    channel: str
    activity: str
    metric: str
    value: int
    url: str


async def reach_entries(plan_id: int) -> list[ReachEntry]:
    from surveys.db.tables import ReachFigure

    rows = (
        await ReachFigure.select(
            ReachFigure.id,
            ReachFigure.period_start,
            ReachFigure.period_end,
            ReachFigure.channel.name.as_alias("channel_name"),
            ReachFigure.activity.title.as_alias("activity_title"),
            ReachFigure.metric,
            ReachFigure.value,
            ReachFigure.url,
        )
        .where(ReachFigure.plan == plan_id)
        .order_by(ReachFigure.period_start, ascending=False)
        .order_by(ReachFigure.id, ascending=False)
    )
    return [
        ReachEntry(
            r["id"],
            r["period_start"],
            r["period_end"],
            r["channel_name"] or "",
            r["activity_title"] or "",
            r["metric"],
            r["value"],
            r["url"],
        )
        for r in rows
    ]


async def add_manual_reach(plan_id: int, fields: dict[str, str]) -> int:
    """Figures for one period, channel and activity: one row per measure filled in. All or nothing.

    `fields`: period_start, period_end, channel, activity, url, and a count per measure in MANUAL_METRICS.
    """
    from surveys.plans.reach import plan_vocabulary, store_reach, validate_manual

    channels, activities = await plan_vocabulary(plan_id)
    filled = [m for m in MANUAL_METRICS if str(fields.get(m) or "").strip()]
    errors: dict[str, str] = {}
    rows = []
    for metric in filled or [MANUAL_METRICS[0]]:
        row, problems = validate_manual(
            {**fields, "metric": metric, "value": fields.get(metric)},
            channels=channels,
            activities=activities,
        )
        for name, message in problems.items():
            errors.setdefault(metric if name == "value" else name, message)
        if row is not None:
            rows.append(row)
    if not filled:
        errors[MANUAL_METRICS[0]] = _(
            "Skriv minst en siffra: visningar, unika besökare, exponeringar eller klick."
        )
    if errors:
        raise _invalid(rules.in_order(errors, MANUAL_FIELDS))
    try:
        return await store_reach(plan_id, rows)
    except Invalid as refused:
        # The plan changed since the form was shown: the channel or activity chosen is gone.
        raise _invalid({"channel": refused.message}) from None


async def delete_reach(plan_id: int, figure_id: int) -> None:
    from surveys.db.tables import ReachFigure

    async with write_transaction():
        deleted = (
            await ReachFigure.delete()
            .where((ReachFigure.plan == plan_id) & (ReachFigure.id == figure_id))
            .returning(ReachFigure.id)
        )
    if not deleted:
        raise _refused(NotFound, "figure", _("Räckviddssiffran finns inte i den här planen."))
