"""A plan as a communicator sees and edits it: organisations, target groups with sizes, effect goals,
channels, activities. Each change is checked by the rules (rules.py) and stored whole or not at all; a part
with answers or other history is archived rather than deleted (usage.py)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from locales import gettext as _
from surveys import caches
from surveys.accounts import audit
from surveys.db.engine import write_transaction
from surveys.db.tables import (
    Activity,
    ActivityChannel,
    ActivityTargetGroup,
    Channel,
    EffectGoal,
    Organisation,
    Plan,
    PlanOrganisation,
    TargetGroup,
    TargetGroupSize,
)
from surveys.errors import Conflict, DomainError, Invalid, NotFound
from surveys.plans import rules, usage
from surveys.plans.lookup import plan_row
from surveys.plans.official import match, official
from surveys.plans.rules import ActivityInput, code_from_name
from surveys.waves.lookup import Choice


@dataclass(frozen=True)
class GroupOverview:
    group: Choice
    description: str
    sizes: dict[str, int]  # organisation code → size; empty when unknown
    archived: bool = False

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

    @property
    def target_percent(self) -> str:
        """The target as the goal form shows it: 70, 70,5."""
        return rules.target_percent(self.target)


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
    archived: bool = False


@dataclass(frozen=True)
class PlanOverview:
    id: int
    code: str
    title: str
    county: str
    description: str
    organisations: tuple[Choice, ...]  # the active ones, offered for new waves
    groups: tuple[GroupOverview, ...]  # archived ones too (`archived`), as results show them
    goals: tuple[GoalOverview, ...]
    activities: tuple[ActivityOverview, ...]  # archived ones too (`archived`)
    channels: tuple[Choice, ...]  # the ones offered for activities and questions (not archived)
    period_start: date | None = None
    period_end: date | None = None
    archived: bool = False

    @property
    def active_groups(self) -> tuple[GroupOverview, ...]:
        return tuple(g for g in self.groups if not g.archived)

    @property
    def current_activities(self) -> tuple[ActivityOverview, ...]:
        return tuple(a for a in self.activities if not a.archived)


@dataclass(frozen=True)
class PlanListing:
    code: str
    title: str
    county: str
    period_start: date | None
    period_end: date | None
    archived: bool


async def plan_codes(*, in_use: bool = False) -> list[tuple[str, str]]:
    """(code, title) of every plan by title; `in_use`: not the archived ones, which get no new work."""
    query = Plan.select(Plan.code, Plan.title)
    if in_use:
        query = query.where(Plan.archived.eq(False))
    return [(r["code"], r["title"]) for r in await query.order_by(Plan.title)]


async def plan_list() -> list[PlanListing]:
    """Every plan, the ones in use first, each by its period (newest first) and title."""
    rows = await Plan.select(
        Plan.code, Plan.title, Plan.county, Plan.period_start, Plan.period_end, Plan.archived
    )
    plans = [PlanListing(**r) for r in rows]
    return sorted(
        plans,
        key=lambda p: (p.archived, -(p.period_start or date.min).toordinal(), p.title.lower()),
    )


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
        await TargetGroup.select()
        .where(TargetGroup.plan == plan["id"])
        .order_by(TargetGroup.position)
        .order_by(TargetGroup.id)
    )
    sizes: dict[int, dict[str, int]] = defaultdict(dict)
    for r in await TargetGroupSize.select().where(TargetGroupSize.target_group.plan == plan["id"]):
        if r["organisation"] in org_code:  # an inactive organisation's sizes are kept, not shown
            sizes[r["target_group"]][org_code[r["organisation"]]] = r["size"]
    groups = tuple(
        GroupOverview(
            Choice(
                g["id"], g["code"], g["name"], tuple(sorted(rules.stored_names(g["translations"]).items()))
            ),
            g["description"],
            dict(sizes.get(g["id"], {})),
            g["archived"],
        )
        for g in groups_rows
    )
    by_id = {g.group.id: g.group for g in groups}
    goals = tuple(
        GoalOverview(
            r["id"], by_id[r["target_group"]], r["step"], r["target_share"], r["deadline"], r["wording"]
        )
        for r in await EffectGoal.select().where(EffectGoal.plan == plan["id"]).order_by(EffectGoal.id)
    )
    channel_rows = await Channel.select().where(Channel.plan == plan["id"]).order_by(Channel.id)
    channel_by_id = {r["id"]: Choice(r["id"], r["code"], r["name"]) for r in channel_rows}
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
            r["archived"],
        )
        for r in await Activity.select()
        .where(Activity.plan == plan["id"])
        .order_by(Activity.position)
        .order_by(Activity.id)
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
        tuple(channel_by_id[r["id"]] for r in channel_rows if not r["archived"]),
        plan["period_start"],
        plan["period_end"],
        plan["archived"],
    )


def _invalid(errors: dict[str, str]) -> Invalid:
    return Invalid(" ".join(errors.values()), errors=errors)


def _refused(kind: type[DomainError], field: str, message: str) -> DomainError:
    """One field's refusal: `NotFound` (nothing to change) or `Conflict` (something depends on it)."""
    return kind(message, errors={field: message})


# --- effect goals -------------------------------------------------------------------------------------------


async def _goal_group(plan_id: int, code: str) -> dict | None:
    return (
        await TargetGroup.select(TargetGroup.id, TargetGroup.code, TargetGroup.archived)
        .where((TargetGroup.plan == plan_id) & (TargetGroup.code == code))
        .first()
    )


async def _logged(plan_id: int, detail: str, action: audit.Action = audit.Action.PLAN_CHANGED) -> None:
    """The change in the audit log, done by whoever is acting; called in the change's transaction, after
    its checks, so a refused change leaves no line."""
    await audit.record_action(action, await audit.plan_named(plan_id), detail)


async def add_goal(
    plan_id: int, *, target_group: str, step: str, target: object, deadline: str = "", wording: str = ""
) -> int:
    """A new effect goal for one of the plan's target groups; its id. Nothing saved on error."""
    group = await _goal_group(plan_id, target_group)
    errors: dict[str, str] = {}
    if group is None:
        errors["target_group"] = _("Välj en av planens målgrupper.")
    elif group["archived"]:
        errors["target_group"] = _("Målgruppen är arkiverad. Välj en målgrupp som planen arbetar med nu.")
    try:
        checked = rules.effect_goal(
            group=target_group, step=step, target=target, deadline=deadline, wording=wording
        )
    except Invalid as refused:
        errors.update(refused.errors)
    if errors:
        raise _invalid(rules.in_order(errors, ("target_group", "step", "target", "deadline", "wording")))
    async with write_transaction():
        row = EffectGoal(
            plan=plan_id,
            target_group=group["id"],
            step=checked.step,
            target_share=checked.target,
            deadline=checked.deadline,
            wording=checked.wording,
        )
        await row.save()
        await _logged(
            plan_id, f"nytt mål {row.id}: {target_group}, {checked.step}", audit.Action.GOAL_CHANGED
        )
    caches.after_plan_change()
    return row.id


async def change_goal(
    plan_id: int,
    goal_id: int,
    *,
    target: object,
    deadline: str | date | None,
    wording: str,
    step: str | None = None,
) -> None:
    """Change a goal's target (percent by the one rule), deadline, wording and (given) step."""
    goal = (
        await EffectGoal.select(EffectGoal.step, EffectGoal.target_group.code.as_alias("group"))
        .where((EffectGoal.id == goal_id) & (EffectGoal.plan == plan_id))
        .first()
    )
    checked = rules.effect_goal(
        group=goal["group"] if goal else "",
        step=step or (goal["step"] if goal else rules.GOAL_STEPS[0]),
        target=target,
        deadline=deadline,
        wording=wording,
    )
    async with write_transaction():
        changed = (
            await EffectGoal.update(
                {
                    EffectGoal.step: checked.step,
                    EffectGoal.target_share: checked.target,
                    EffectGoal.deadline: checked.deadline,
                    EffectGoal.wording: checked.wording,
                }
            )
            .where((EffectGoal.id == goal_id) & (EffectGoal.plan == plan_id))
            .returning(EffectGoal.id)
        )
        if changed:
            await _logged(plan_id, f"mål {goal_id} ändrat", audit.Action.GOAL_CHANGED)
    if not changed:
        raise _refused(NotFound, "goal", _("Effektmålet finns inte i den här planen."))
    caches.after_plan_change()


async def update_goal(
    plan_id: int, goal_id: int, *, target: str, deadline: str, wording: str, step: str | None = None
) -> dict[str, str]:
    """`change_goal` for callers that still take errors as a result: field → message, {} when saved."""
    try:
        await change_goal(plan_id, goal_id, target=target, deadline=deadline, wording=wording, step=step)
    except DomainError as refused:
        return refused.errors
    return {}


async def delete_goal(plan_id: int, goal_id: int) -> None:
    """A goal is the plan's words only: results are computed from answers, meetings keep their snapshot."""
    async with write_transaction():
        deleted = (
            await EffectGoal.delete()
            .where((EffectGoal.id == goal_id) & (EffectGoal.plan == plan_id))
            .returning(EffectGoal.id)
        )
        if deleted:
            await _logged(plan_id, f"mål {goal_id} borttaget", audit.Action.GOAL_CHANGED)
    if not deleted:
        raise _refused(NotFound, "goal", _("Effektmålet finns inte i den här planen."))
    caches.after_plan_change()


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
    orgs = await _active_organisations(plan_id)
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
            & TargetGroupSize.organisation.is_in(list(orgs.values()) or [-1])
        )
        if sizes:
            await TargetGroupSize.insert(
                *(
                    TargetGroupSize(target_group=group["id"], organisation=org, size=n, source="")
                    for org, n in sizes.items()
                )
            )
        await _logged(plan_id, f"kända storlekar för målgruppen {group_code}")


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
    return usage.names([r[key] for r in rows])


# organisations: each plan's own rows (surveys/db/tables.py, Organisation)


@dataclass(frozen=True)
class OrganisationRow:
    code: str
    name: str
    kind: str
    active: bool
    official_code: str = ""


async def _active_organisations(plan_id: int) -> dict[str, int]:
    """Code → id of the plan's active organisations (the ones offered for waves and sizes)."""
    return {
        r["code"]: r["id"]
        for r in await PlanOrganisation.select(
            PlanOrganisation.organisation.id.as_alias("id"),
            PlanOrganisation.organisation.code.as_alias("code"),
        ).where(PlanOrganisation.plan == plan_id)
    }


async def plan_organisations(plan_id: int) -> list[OrganisationRow]:
    """The plan's organisations, then inactive ones: still in earlier waves or sizes, not offered anew."""
    rows = await Organisation.select().where(Organisation.plan == plan_id)
    active = set((await _active_organisations(plan_id)).values())
    listed = [
        OrganisationRow(r["code"], r["name"], r["kind"], r["id"] in active, r["official_code"]) for r in rows
    ]
    return sorted(listed, key=lambda r: (not r.active, r.kind != "region", r.name.lower()))


async def add_organisation(
    plan_id: int, *, name: str = "", kind: str = "kommun", code: str = "", official_code: str = ""
) -> str:
    """Add an organisation of the plan's own: a municipality or region by its official code (name and kind
    from SCB's list unless given), or another one by name. Never another plan's, whatever the code."""
    official_code = official_code.strip()
    if not official_code and (known := match(name, kind)):
        official_code = known.code  # "Timrå kommun" typed in full is the municipality of SCB's list
    listed = official(official_code) if official_code else None
    name = name.strip() or (listed.name if listed else "")
    typed = code.strip()
    wanted = typed or (_official_slug(listed) if listed else code_from_name(name) if name else "")
    checked = rules.organisation(name=name, kind=kind, code=wanted or None, official_code=official_code)
    async with write_transaction():
        rows = await Organisation.select(
            Organisation.code, Organisation.official_code, Organisation.name
        ).where(Organisation.plan == plan_id)
        if checked.official_code and any(r["official_code"] == checked.official_code for r in rows):
            raise _invalid({"name": _("%(name)s finns redan i planen.") % {"name": checked.name}})
        taken = {r["code"] for r in rows}
        holder = next((r["name"] for r in rows if r["code"] == typed), None) if typed else None
        if holder is not None and holder.strip().lower() == checked.name.lower():
            raise _invalid({"name": _("%(name)s finns redan i planen.") % {"name": checked.name}})
        if holder is not None:
            raise _invalid(
                {
                    "code": _("Koden %(code)s används redan av %(name)s. Välj en annan kod.")
                    % {"code": typed, "name": holder}
                }
            )
        code = _unique_code(checked.code, taken)
        row = Organisation(
            code=code,
            name=checked.name,
            kind=checked.kind,
            plan=plan_id,
            official_code=checked.official_code,
        )
        await row.save()
        await PlanOrganisation(plan=plan_id, organisation=row.id).save()
        await _logged(plan_id, f"organisation {code} ({checked.name}) tillagd")
    caches.after_plan_change()
    return code


def _official_slug(listed) -> str:
    from surveys.plans.plan_file import official_code_for

    return official_code_for(listed.code)


async def add_official_organisations(plan_id: int, codes: list[str]) -> list[str]:
    """Add municipalities and regions by official code, skipping those the plan has; the codes added.

    All or nothing: an unknown official code refuses the whole choice.
    """
    unknown = [c for c in codes if official(c) is None]
    if unknown:
        raise _invalid(
            {
                "official": _("%(codes)s finns inte i listan över kommuner och regioner.")
                % {"codes": ", ".join(unknown)}
            }
        )
    async with write_transaction():
        rows = await Organisation.select(Organisation.code, Organisation.official_code).where(
            Organisation.plan == plan_id
        )
        have = {r["official_code"] for r in rows}
        taken = {r["code"] for r in rows}
        added = []
        for official_code in dict.fromkeys(codes):
            if official_code in have:
                continue
            listed = official(official_code)
            code = _unique_code(_official_slug(listed), taken)
            taken.add(code)
            row = Organisation(
                code=code, name=listed.name, kind=listed.kind, plan=plan_id, official_code=listed.code
            )
            await row.save()
            await PlanOrganisation(plan=plan_id, organisation=row.id).save()
            added.append(code)
        if added:
            await _logged(plan_id, "organisationer tillagda: " + ", ".join(added))
    caches.after_plan_change()
    return added


async def _organisation_id(plan_id: int, code: str) -> int:
    row = (
        await Organisation.select(Organisation.id)
        .where((Organisation.plan == plan_id) & (Organisation.code == code))
        .first()
    )
    if row is None:
        raise _refused(NotFound, "organisation", _("Organisationen finns inte i den här planen."))
    return row["id"]


async def _in_plan(plan_id: int, org_id: int) -> bool:
    return await PlanOrganisation.exists().where(
        (PlanOrganisation.plan == plan_id) & (PlanOrganisation.organisation == org_id)
    )


async def rename_organisation(plan_id: int, code: str, *, name: str, kind: str) -> None:
    """The new name is this plan's only: other plans have organisations of their own."""
    org_id = await _organisation_id(plan_id, code)
    current = await Organisation.select(Organisation.official_code).where(Organisation.id == org_id).first()
    checked = rules.organisation(name=name, kind=kind, code=None, official_code=current["official_code"])
    async with write_transaction():
        await Organisation.update({Organisation.name: checked.name, Organisation.kind: checked.kind}).where(
            Organisation.id == org_id
        )
        await _logged(plan_id, f"organisation {code} heter nu {checked.name}")
    caches.after_plan_change()


async def set_organisation_active(plan_id: int, code: str, active: bool) -> None:
    """Inactive: kept in earlier waves, results and known sizes, but not offered for new waves."""
    org_id = await _organisation_id(plan_id, code)
    async with write_transaction():
        linked = await _in_plan(plan_id, org_id)
        if active and not linked:
            await PlanOrganisation(plan=plan_id, organisation=org_id).save()
        elif not active and linked:
            await PlanOrganisation.delete().where(
                (PlanOrganisation.plan == plan_id) & (PlanOrganisation.organisation == org_id)
            )
        if active != linked:
            await _logged(plan_id, f"organisation {code} {'aktiv' if active else 'inaktiv'}")
    caches.after_plan_change()


async def remove_organisation(plan_id: int, code: str) -> None:
    """Take an organisation out of the plan for good; refused while waves or answers refer to it."""
    org_id = await _organisation_id(plan_id, code)
    async with write_transaction():
        name = (await Organisation.select(Organisation.name).where(Organisation.id == org_id).first())["name"]
        uses = await usage.organisation_uses(org_id)
        if uses.any:
            raise _refused(
                Conflict,
                "organisation",
                (
                    _("%(name)s kan inte tas bort: det finns svar från organisationen.")
                    if uses.answers
                    else _("%(name)s kan inte tas bort: organisationen är med i mätomgången %(waves)s.")
                )
                % {"name": name, "waves": usage.names(uses.waves)}
                + " "
                + _(
                    "Gör den inaktiv i stället. Då finns den kvar i tidigare mätomgångar och resultat, "
                    "men kan inte väljas i nya mätomgångar."
                ),
            )
        await TargetGroupSize.delete().where(TargetGroupSize.organisation == org_id)
        await PlanOrganisation.delete().where(PlanOrganisation.organisation == org_id)
        await Organisation.delete().where(Organisation.id == org_id)
        await _logged(plan_id, f"organisation {code} ({name}) borttagen")
    caches.after_plan_change()


# channels


@dataclass(frozen=True)
class ChannelRow:
    code: str
    name: str
    kind: str
    archived: bool = False


async def plan_channels(plan_id: int) -> list[ChannelRow]:
    """Every channel of the plan, archived ones last."""
    rows = await Channel.select().where(Channel.plan == plan_id).order_by(Channel.id)
    listed = [ChannelRow(r["code"], r["name"], r["kind"], r["archived"]) for r in rows]
    return sorted(listed, key=lambda c: c.archived)


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
            if code.strip() and code in taken:
                raise _invalid({"code": _("Planen har redan en kanal med koden %(code)s.") % {"code": code}})
            await Channel(plan=plan_id, code=code, name=name, kind=kind).save()
        await _logged(plan_id, f"kanal {code} ({name}) " + ("ändrad" if existing else "tillagd"))
    caches.after_plan_change()
    return code


async def _channel(plan_id: int, code: str) -> dict:
    channel = await Channel.select().where((Channel.plan == plan_id) & (Channel.code == code)).first()
    if channel is None:
        raise _refused(NotFound, "channel", _("Kanalen finns inte i den här planen."))
    return channel


async def delete_channel(plan_id: int, code: str) -> None:
    """Refused while an activity, a question or reach figures use the channel: it says which."""
    async with write_transaction():
        channel = await _channel(plan_id, code)
        uses = []
        activities = await ActivityChannel.select(ActivityChannel.activity.title.as_alias("name")).where(
            ActivityChannel.channel == channel["id"]
        )
        if activities:
            uses.append(_("aktiviteterna %(names)s") % {"names": _names(activities)})
        found = await usage.channel_uses(channel["id"])
        if found.questionnaires:
            uses.append(_("frågor i enkäten %(names)s") % {"names": usage.names(found.questionnaires)})
        if found.reach:
            uses.append(usage.Uses(reach=found.reach).described())
        if uses:
            raise _refused(
                Conflict,
                "channel",
                _(
                    "Kanalen %(name)s kan inte tas bort eftersom den används av %(uses)s. "
                    "Ta bort den därifrån först, eller arkivera kanalen: då finns den kvar i resultaten "
                    "men erbjuds inte för nya aktiviteter och frågor."
                )
                % {"name": channel["name"], "uses": "; ".join(uses)},
            )
        await Channel.delete().where(Channel.id == channel["id"])
        await _logged(plan_id, f"kanal {code} borttagen")
    caches.after_plan_change()


async def archive_channel(plan_id: int, code: str, archived: bool = True) -> None:
    """An archived channel stays with its answers and figures, but is not offered for new activities."""
    channel = await _channel(plan_id, code)
    async with write_transaction():
        await Channel.update({Channel.archived: archived}).where(Channel.id == channel["id"])
        await _logged(plan_id, f"kanal {code} " + ("arkiverad" if archived else "återställd"))
    caches.after_plan_change()


# activities


async def save_activity(plan_id: int, given: ActivityInput, *, existing: str = "") -> str:
    """Create an activity, or change the one with code `existing`; all of it or nothing."""
    channel_rows = await Channel.select(Channel.id, Channel.code, Channel.archived).where(
        Channel.plan == plan_id
    )
    group_rows = await TargetGroup.select(TargetGroup.id, TargetGroup.code, TargetGroup.archived).where(
        TargetGroup.plan == plan_id
    )
    kept = set()
    if existing:  # an activity keeps the archived channels and groups it already has
        kept = {
            r["code"]
            for r in await ActivityChannel.select(ActivityChannel.channel.code.as_alias("code")).where(
                (ActivityChannel.activity.plan == plan_id) & (ActivityChannel.activity.code == existing)
            )
        } | {
            r["code"]
            for r in await ActivityTargetGroup.select(
                ActivityTargetGroup.target_group.code.as_alias("code")
            ).where(
                (ActivityTargetGroup.activity.plan == plan_id)
                & (ActivityTargetGroup.activity.code == existing)
            )
        }
    channels = {r["code"]: r["id"] for r in channel_rows if not r["archived"] or r["code"] in kept}
    groups = {r["code"]: r["id"] for r in group_rows if not r["archived"] or r["code"] in kept}
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
        await _logged(plan_id, f"aktivitet {code} " + ("ändrad" if existing else "tillagd"))
    caches.after_plan_change()
    return code


async def _activity(plan_id: int, code: str) -> dict:
    activity = await Activity.select().where((Activity.plan == plan_id) & (Activity.code == code)).first()
    if activity is None:
        raise _refused(NotFound, "activity", _("Aktiviteten finns inte i den här planen."))
    return activity


async def delete_activity(plan_id: int, code: str) -> None:
    """Refused when meeting decisions or reach figures refer to it: those are history."""
    async with write_transaction():
        activity = await _activity(plan_id, code)
        uses = await usage.activity_uses(activity["id"])
        if uses.any:
            raise _refused(
                Conflict,
                "activity",
                _(
                    "Aktiviteten kan inte tas bort eftersom den har %(uses)s. "
                    "Ändra läget till inställd, eller arkivera den, så finns historiken kvar."
                )
                % {"uses": uses.described()},
            )
        await Activity.delete().where(Activity.id == activity["id"])
        await _logged(plan_id, f"aktivitet {code} borttagen")
    caches.after_plan_change()


async def archive_activity(plan_id: int, code: str, archived: bool = True) -> None:
    """An archived activity keeps its decisions and reach, and leaves the plan's timetable."""
    activity = await _activity(plan_id, code)
    async with write_transaction():
        await Activity.update({Activity.archived: archived}).where(Activity.id == activity["id"])
        await _logged(plan_id, f"aktivitet {code} " + ("arkiverad" if archived else "återställd"))
    caches.after_plan_change()


# target groups


async def save_target_group(
    plan_id: int,
    *,
    name: str,
    description: str = "",
    code: str = "",
    existing: str = "",
    names: dict[str, object] | None = None,
) -> str:
    """Add a target group, or change `existing`; `names` (the name in other languages) None keeps them."""
    wanted = existing or code.strip() or code_from_name(name.strip())
    checked = rules.target_group(
        name=name, description=description, code=None if existing else wanted, names=names
    )
    name, description, code = checked.name, checked.description, wanted
    values = {TargetGroup.name: name, TargetGroup.description: description}
    if names is not None:
        values[TargetGroup.translations] = rules.names_to_store(checked.names)
    async with write_transaction():
        rows = await TargetGroup.select(TargetGroup.code, TargetGroup.position).where(
            TargetGroup.plan == plan_id
        )
        taken = {r["code"] for r in rows}
        if existing:
            if existing not in taken:
                raise _refused(NotFound, "group", _("Målgruppen finns inte i den här planen."))
            await TargetGroup.update(values).where(
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
                translations=rules.names_to_store(checked.names),
            ).save()
        await _logged(plan_id, f"målgrupp {code} ({name}) " + ("ändrad" if existing else "tillagd"))
    caches.after_plan_change()
    return code


async def _target_group(plan_id: int, code: str) -> dict:
    group = (
        await TargetGroup.select().where((TargetGroup.plan == plan_id) & (TargetGroup.code == code)).first()
    )
    if group is None:
        raise _refused(NotFound, "group", _("Målgruppen finns inte i den här planen."))
    return group


async def delete_target_group(plan_id: int, code: str) -> None:
    """Delete a target group nothing has asked yet, with its goals and known sizes.

    Refused while a wave asks it or answers come from it: archive it instead.
    """
    async with write_transaction():
        group = await _target_group(plan_id, code)
        uses = await usage.target_group_uses(group["id"])
        if uses.any:
            raise _refused(
                Conflict,
                "group",
                _(
                    "Målgruppen %(name)s kan inte tas bort eftersom den har %(uses)s. Arkivera den i "
                    "stället: då finns svaren kvar i resultaten, men målgruppen erbjuds inte i nya "
                    "mätomgångar."
                )
                % {"name": group["name"], "uses": uses.described()},
            )
        await TargetGroup.delete().where(TargetGroup.id == group["id"])
        await _logged(plan_id, f"målgrupp {code} borttagen")
    caches.after_plan_change()


async def archive_target_group(plan_id: int, code: str, archived: bool = True) -> None:
    """Archived: kept with its answers and goals for the results, not offered for new waves."""
    group = await _target_group(plan_id, code)
    async with write_transaction():
        await TargetGroup.update({TargetGroup.archived: archived}).where(TargetGroup.id == group["id"])
        await _logged(plan_id, f"målgrupp {code} " + ("arkiverad" if archived else "återställd"))
    caches.after_plan_change()


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
        await _logged(plan_id, f"kända storlekar inlästa från fil ({len(rows)} rader)")
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
        if deleted:
            await _logged(plan_id, f"räckviddssiffra {figure_id} borttagen")
    if not deleted:
        raise _refused(NotFound, "figure", _("Räckviddssiffran finns inte i den här planen."))


# several at once: the names a communicator types one per line


def _lines(text: str) -> list[tuple[int, str]]:
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


async def add_target_groups(plan_id: int, names: str) -> list[str]:
    """One target group per line of `names`, each by the rules, all or none; their codes."""
    return await _add_many(plan_id, names, TargetGroup, "target group")


async def add_channels(plan_id: int, names: str) -> list[str]:
    """One channel per line of `names`, each by the rules, all or none; their codes."""
    return await _add_many(plan_id, names, Channel, "channel")


async def _add_many(plan_id: int, names: str, table, kind: str) -> list[str]:
    lines = _lines(names)
    errors: dict[str, str] = {}
    if not lines:
        errors["names"] = (
            _("Skriv en målgrupp per rad.") if kind == "target group" else _("Skriv en kanal per rad.")
        )
    checked = []
    for number, name in lines:
        try:
            if kind == "target group":
                part = rules.target_group(name=name, description="", code=code_from_name(name))
            else:
                part = rules.channel(name=name, kind="", code=code_from_name(name))
        except Invalid as refused:
            errors.setdefault(
                "names", _("Rad %(line)s: %(problem)s") % {"line": number, "problem": refused.message}
            )
            continue
        checked.append(part)
    if errors:
        raise _invalid(errors)
    async with write_transaction():
        rows = await table.select(table.code, table.name).where(table.plan == plan_id)
        seen = {r["name"].strip().lower() for r in rows}
        for (number, _name), part in zip(lines, checked, strict=True):
            if part.name.lower() in seen:
                raise _invalid(
                    {
                        "names": _("Rad %(line)s: %(name)s finns redan i planen.")
                        % {"line": number, "name": part.name}
                    }
                )
            seen.add(part.name.lower())
        taken = {r["code"] for r in rows}
        position = 0
        if table is TargetGroup:
            last = (
                await TargetGroup.select(TargetGroup.position)
                .where(TargetGroup.plan == plan_id)
                .order_by(TargetGroup.position, ascending=False)
                .first()
            )
            position = last["position"] if last else 0
        codes = []
        for part in checked:
            code = _unique_code(part.code, taken)
            taken.add(code)
            if table is TargetGroup:
                position += 1
                await TargetGroup(plan=plan_id, code=code, name=part.name, position=position).save()
            else:
                await Channel(plan=plan_id, code=code, name=part.name).save()
            codes.append(code)
        noun = "målgrupper" if table is TargetGroup else "kanaler"
        await _logged(plan_id, f"{noun} tillagda: " + ", ".join(codes))
    caches.after_plan_change()
    return codes
