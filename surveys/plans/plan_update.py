"""A plan file for a plan that exists: what it would change, and making those changes.

`plan_changes(definition)` compares the file with the stored plan, part by part (organisations, target
groups, goals, channels, activities by their codes; goals by target group and step, in order; reach
figures as rows) and says what would be added, changed and removed, and which removals are refused
because answers, waves, decisions or questions depend on them (usage.py). `apply_plan_file` makes the
changes in one transaction, after checking again, or refuses them all. The pages, the API and
`effekt load-plan` use these same two functions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
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
    ReachFigure,
    TargetGroup,
    TargetGroupSize,
)
from surveys.errors import Conflict
from surveys.plans import rules, usage
from surveys.plans.lookup import plan_row
from surveys.plans.plan_export import plan_definition
from surveys.plans.plan_file import PlanDef, ReachDef
from surveys.plans.rules import target_percent

ADDED, CHANGED, REMOVED = "added", "changed", "removed"


@dataclass(frozen=True)
class Change:
    kind: str  # added | changed | removed
    part: str  # the kind of part, in words: "Målgrupp", "Effektmål" …
    name: str  # which one
    details: tuple[str, ...] = ()  # for a change: "Namn: Chefer → Chefer i kommunerna"


@dataclass(frozen=True)
class PlanChanges:
    code: str
    title: str
    changes: tuple[Change, ...]
    refusals: tuple[str, ...] = field(default=())  # why the file cannot be applied as it is

    def of(self, kind: str) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == kind)

    @property
    def none(self) -> bool:
        return not self.changes


def _value(value) -> str:
    if value is None or value == "":
        return _("(tomt)")
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or _("(inga)")
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items()) or _("(inga)")
    return str(value)


def _by_code(items) -> dict:
    return {item.code: item for item in items}


def _compare(part: str, old: dict[str, tuple[str, dict]], new: dict[str, tuple[str, dict]]) -> list[Change]:
    """`old` and `new`: key → (name, {label: value}); the changes from one to the other."""
    changes = []
    for key, (name, values) in new.items():
        if key not in old:
            changes.append(Change(ADDED, part, name))
            continue
        before = old[key][1]
        details = tuple(
            f"{label}: {_value(before.get(label))} → {_value(value)}"
            for label, value in values.items()
            if before.get(label) != value
        )
        if details:
            changes.append(Change(CHANGED, part, name, details))
    changes += [Change(REMOVED, part, name) for key, (name, _values) in old.items() if key not in new]
    return changes


def _goal_keys(plan: PlanDef) -> dict[tuple[str, str, int], object]:
    """Goals by (target group, step, how many before it with the same two): a file has no goal ids."""
    seen: Counter = Counter()
    keyed = {}
    for goal in plan.effect_goals:
        seen[(goal.target_group, goal.step)] += 1
        keyed[(goal.target_group, goal.step, seen[(goal.target_group, goal.step)])] = goal
    return keyed


def _parts(plan: PlanDef) -> dict[str, dict]:
    """Each part of the plan as key → (name, {label: value}), the labels as the change page shows them."""
    groups = {g.code: g.name for g in plan.target_groups}
    return {
        "plan": {
            plan.code: (
                plan.title,
                {
                    _("Namn"): plan.title,
                    _("Län"): plan.county,
                    _("Beskrivning"): plan.description,
                    _("Perioden börjar"): plan.period_start,
                    _("Perioden slutar"): plan.period_end,
                },
            )
        },
        "organisations": {
            o.code: (
                o.name,
                {
                    _("Namn"): o.name,
                    _("Slag"): o.kind,
                    _("Kommunkod eller länskod"): o.official_code,
                    _("Aktiv"): o.code not in plan.inactive_organisations,
                },
            )
            for o in plan.organisations
        },
        "target_groups": {
            g.code: (
                g.name,
                {
                    _("Namn"): g.name,
                    _("Beskrivning"): g.description,
                    _("Storlekar"): g.sizes,
                    _("Namn på andra språk"): g.names,
                    _("Arkiverad"): g.code in plan.archived_groups,
                },
            )
            for g in plan.target_groups
        },
        "goals": {
            key: (
                f"{groups.get(goal.target_group, goal.target_group)}, {goal.step}",
                {
                    _("Mål i procent"): target_percent(goal.target),
                    _("Senast"): goal.deadline,
                    _("Formulering"): goal.wording,
                },
            )
            for key, goal in _goal_keys(plan).items()
        },
        "channels": {
            c.code: (
                c.name,
                {_("Namn"): c.name, _("Slag"): c.kind, _("Arkiverad"): c.code in plan.archived_channels},
            )
            for c in plan.channels
        },
        "activities": {
            a.code: (
                a.title,
                {
                    _("Vad"): a.title,
                    _("När"): a.timing,
                    _("Första dag"): a.starts_on,
                    _("Sista dag"): a.ends_on,
                    _("Kanaler"): a.channels,
                    _("Målgrupper"): a.target_groups,
                    _("Önskad effekt"): a.step,
                    _("Ansvarig"): a.responsible,
                    _("Läge"): a.status,
                    _("Arkiverad"): a.code in plan.archived_activities,
                },
            )
            for a in plan.activities
        },
    }


def differences(old: PlanDef, new: PlanDef) -> list[Change]:
    """What loading `new` over `old` would change, part by part, in the order of a plan."""
    before, after = _parts(old), _parts(new)
    names = {
        "plan": _("Planen"),
        "organisations": _("Organisation"),
        "target_groups": _("Målgrupp"),
        "goals": _("Effektmål"),
        "channels": _("Kanal"),
        "activities": _("Aktivitet"),
    }
    changes = []
    for part, name in names.items():
        changes += _compare(name, before[part], after[part])
    old_reach, new_reach = Counter(old.reach), Counter(new.reach)
    for figure in (new_reach - old_reach).elements():
        changes.append(Change(ADDED, _("Räckvidd"), _reach_name(figure)))
    for figure in (old_reach - new_reach).elements():
        changes.append(Change(REMOVED, _("Räckvidd"), _reach_name(figure)))
    return changes


def _reach_name(figure: ReachDef) -> str:
    where = figure.activity or figure.channel or ""
    return f"{where} {figure.period_start.isoformat()}–{figure.period_end.isoformat()} {figure.metric} {figure.value}"


async def _refusals(plan_id: int, old: PlanDef, new: PlanDef) -> list[str]:
    """Removals that would take answers, waves, decisions or questions away from what they refer to."""
    refusals = []
    for code in _by_code(old.organisations).keys() - _by_code(new.organisations).keys():
        row = (
            await Organisation.select(Organisation.id, Organisation.name)
            .where((Organisation.plan == plan_id) & (Organisation.code == code))
            .first()
        )
        uses = await usage.organisation_uses(row["id"])
        if uses.any:
            refusals.append(
                _(
                    "Organisationen %(name)s (%(code)s) finns inte i filen, men har %(uses)s. Låt den stå kvar "
                    "i filen, med active = false om den inte ska vara med i nya mätomgångar."
                )
                % {"name": row["name"], "code": code, "uses": uses.described()}
            )
    for code in _by_code(old.target_groups).keys() - _by_code(new.target_groups).keys():
        row = (
            await TargetGroup.select(TargetGroup.id, TargetGroup.name)
            .where((TargetGroup.plan == plan_id) & (TargetGroup.code == code))
            .first()
        )
        uses = await usage.target_group_uses(row["id"])
        if uses.any:
            refusals.append(
                _(
                    "Målgruppen %(name)s (%(code)s) finns inte i filen, men har %(uses)s. Låt den stå kvar i "
                    "filen, med archived = true om planen inte längre arbetar med den."
                )
                % {"name": row["name"], "code": code, "uses": uses.described()}
            )
    for code in _by_code(old.channels).keys() - _by_code(new.channels).keys():
        row = (
            await Channel.select(Channel.id, Channel.name)
            .where((Channel.plan == plan_id) & (Channel.code == code))
            .first()
        )
        uses = await usage.channel_uses(row["id"])
        kept_reach = sum(1 for r in new.reach if r.channel == code)
        if uses.questionnaires or (uses.reach and kept_reach):
            refusals.append(
                _(
                    "Kanalen %(name)s (%(code)s) finns inte i filen, men används av %(uses)s. Låt den stå kvar "
                    "i filen, med archived = true."
                )
                % {
                    "name": row["name"],
                    "code": code,
                    "uses": usage.Uses(questionnaires=uses.questionnaires).described() or uses.described(),
                }
            )
    for code in _by_code(old.activities).keys() - _by_code(new.activities).keys():
        row = (
            await Activity.select(Activity.id, Activity.title)
            .where((Activity.plan == plan_id) & (Activity.code == code))
            .first()
        )
        uses = await usage.activity_uses(row["id"])
        if uses.decisions:
            refusals.append(
                _(
                    "Aktiviteten %(name)s (%(code)s) finns inte i filen, men har %(uses)s. Låt den stå kvar "
                    "i filen, med archived = true."
                )
                % {
                    "name": row["title"],
                    "code": code,
                    "uses": usage.Uses(decisions=uses.decisions).described(),
                }
            )
    return refusals


async def plan_changes(definition: PlanDef) -> PlanChanges:
    """What loading `definition` over the stored plan with its code would change; `NotFound` without one."""
    plan = await plan_row(definition.code)
    old = await plan_definition(definition.code)
    return PlanChanges(
        definition.code,
        plan["title"],
        tuple(differences(old, definition)),
        tuple(await _refusals(plan["id"], old, definition)),
    )


async def apply_plan_file(definition: PlanDef) -> PlanChanges:
    """Make the stored plan what the file says, in one transaction; `Conflict` (nothing changed) when a
    removal would orphan answers or other history. Returns the changes made."""
    async with write_transaction():
        found = await plan_changes(definition)
        if found.refusals:
            raise Conflict(
                " ".join(
                    [
                        _(
                            "Planfilen lästes inte in, eftersom den skulle ta bort sådant som har svar eller historik."
                        ),
                        *found.refusals,
                    ]
                ),
                errors={f"refusal-{n}": message for n, message in enumerate(found.refusals, start=1)},
            )
        if not found.none:
            await _apply(found, definition)
            await audit.record_action(
                audit.Action.PLAN_FILE_LOADED,
                audit.named("Plan", definition.code, definition.title),
                f"{len(found.changes)} ändringar",
            )
    caches.after_plan_change()
    return found


async def _apply(found: PlanChanges, new: PlanDef) -> None:
    plan = await plan_row(new.code)
    plan_id = plan["id"]
    old = await plan_definition(new.code)
    await Plan.update(
        {
            Plan.title: new.title,
            Plan.county: new.county,
            Plan.description: new.description,
            Plan.period_start: new.period_start,
            Plan.period_end: new.period_end,
        }
    ).where(Plan.id == plan_id)

    # Organisations: this plan's own rows, by code.
    org_rows = {r["code"]: r["id"] for r in await Organisation.select().where(Organisation.plan == plan_id)}
    for o in new.organisations:
        if o.code in org_rows:
            await Organisation.update(
                {
                    Organisation.name: o.name,
                    Organisation.kind: o.kind,
                    Organisation.official_code: o.official_code,
                }
            ).where(Organisation.id == org_rows[o.code])
        else:
            row = Organisation(
                code=o.code, name=o.name, kind=o.kind, plan=plan_id, official_code=o.official_code
            )
            await row.save()
            org_rows[o.code] = row.id
    gone = [org_rows.pop(code) for code in list(org_rows) if code not in _by_code(new.organisations)]
    if gone:
        await TargetGroupSize.delete().where(TargetGroupSize.organisation.is_in(gone))
        await PlanOrganisation.delete().where(PlanOrganisation.organisation.is_in(gone))
        await Organisation.delete().where(Organisation.id.is_in(gone))
    await PlanOrganisation.delete().where(PlanOrganisation.plan == plan_id)
    active = [org_rows[o.code] for o in new.organisations if o.code not in new.inactive_organisations]
    if active:
        await PlanOrganisation.insert(*(PlanOrganisation(plan=plan_id, organisation=i) for i in active))

    # Target groups, in the file's order, with the file's sizes.
    group_rows = {r["code"]: r["id"] for r in await TargetGroup.select().where(TargetGroup.plan == plan_id)}
    removed = [group_rows.pop(code) for code in list(group_rows) if code not in _by_code(new.target_groups)]
    if removed:
        await TargetGroup.delete().where(TargetGroup.id.is_in(removed))
    for position, g in enumerate(new.target_groups, start=1):
        values = {
            TargetGroup.name: g.name,
            TargetGroup.description: g.description,
            TargetGroup.position: position,
            TargetGroup.archived: g.code in new.archived_groups,
            TargetGroup.translations: rules.names_to_store(g.names),
        }
        if g.code in group_rows:
            await TargetGroup.update(values).where(TargetGroup.id == group_rows[g.code])
        else:
            row = TargetGroup(plan=plan_id, code=g.code, **{c._meta.name: v for c, v in values.items()})
            await row.save()
            group_rows[g.code] = row.id
        before = next((x.sizes for x in old.target_groups if x.code == g.code), None)
        if before != g.sizes:
            await TargetGroupSize.delete().where(TargetGroupSize.target_group == group_rows[g.code])
            if g.sizes:
                await TargetGroupSize.insert(
                    *(
                        TargetGroupSize(
                            target_group=group_rows[g.code],
                            organisation=org_rows[org],
                            size=n,
                            source="Planfil",
                        )
                        for org, n in g.sizes.items()
                    )
                )

    # Goals, matched by target group and step in order.
    stored = await EffectGoal.select().where(EffectGoal.plan == plan_id).order_by(EffectGoal.id)
    group_code = {i: c for c, i in group_rows.items()}
    ids: dict[tuple[str, str, int], int] = {}
    seen: Counter = Counter()
    for r in stored:
        key = (group_code.get(r["target_group"], ""), r["step"])
        seen[key] += 1
        ids[(*key, seen[key])] = r["id"]
    wanted = _goal_keys(new)
    for key, goal_id in ids.items():
        if key not in wanted:
            await EffectGoal.delete().where(EffectGoal.id == goal_id)
    for key, goal in wanted.items():
        values = {
            EffectGoal.target_share: float(goal.target),
            EffectGoal.deadline: goal.deadline,
            EffectGoal.wording: goal.wording,
        }
        if key in ids:
            await EffectGoal.update(values).where(EffectGoal.id == ids[key])
        else:
            await EffectGoal(
                plan=plan_id,
                target_group=group_rows[goal.target_group],
                step=goal.step,
                **{c._meta.name: v for c, v in values.items()},
            ).save()

    # Channels.
    channel_rows = {r["code"]: r["id"] for r in await Channel.select().where(Channel.plan == plan_id)}
    removed = [channel_rows.pop(code) for code in list(channel_rows) if code not in _by_code(new.channels)]
    if removed:
        await ReachFigure.delete().where(ReachFigure.channel.is_in(removed))
        await Channel.delete().where(Channel.id.is_in(removed))
    for c in new.channels:
        values = {
            Channel.name: c.name,
            Channel.kind: c.kind,
            Channel.archived: c.code in new.archived_channels,
        }
        if c.code in channel_rows:
            await Channel.update(values).where(Channel.id == channel_rows[c.code])
        else:
            row = Channel(plan=plan_id, code=c.code, **{k._meta.name: v for k, v in values.items()})
            await row.save()
            channel_rows[c.code] = row.id

    # Activities, in the file's order, with their channels and target groups.
    activity_rows = {r["code"]: r["id"] for r in await Activity.select().where(Activity.plan == plan_id)}
    removed = [
        activity_rows.pop(code) for code in list(activity_rows) if code not in _by_code(new.activities)
    ]
    if removed:
        await ReachFigure.delete().where(ReachFigure.activity.is_in(removed))
        await Activity.delete().where(Activity.id.is_in(removed))
    for position, a in enumerate(new.activities, start=1):
        values = {
            Activity.title: a.title,
            Activity.timing: a.timing,
            Activity.starts_on: a.starts_on,
            Activity.ends_on: a.ends_on,
            Activity.step: a.step,
            Activity.responsible: a.responsible,
            Activity.status: a.status,
            Activity.position: position,
            Activity.archived: a.code in new.archived_activities,
        }
        if a.code in activity_rows:
            activity_id = activity_rows[a.code]
            await Activity.update(values).where(Activity.id == activity_id)
            await ActivityChannel.delete().where(ActivityChannel.activity == activity_id)
            await ActivityTargetGroup.delete().where(ActivityTargetGroup.activity == activity_id)
        else:
            row = Activity(plan=plan_id, code=a.code, **{k._meta.name: v for k, v in values.items()})
            await row.save()
            activity_id = activity_rows[a.code] = row.id
        for c in a.channels:
            await ActivityChannel(activity=activity_id, channel=channel_rows[c]).save()
        for g in a.target_groups:
            await ActivityTargetGroup(activity=activity_id, target_group=group_rows[g]).save()

    # Reach figures: rows the file no longer has go, rows it adds come.
    old_reach, new_reach = Counter(old.reach), Counter(new.reach)
    gone_reach = old_reach - new_reach
    if gone_reach:
        code_of_activity = {i: c for c, i in activity_rows.items()}
        code_of_channel = {i: c for c, i in channel_rows.items()}
        for r in await ReachFigure.select().where(ReachFigure.plan == plan_id).order_by(ReachFigure.id):
            figure = ReachDef(
                activity=code_of_activity.get(r["activity"]) if r["activity"] else None,
                channel=code_of_channel.get(r["channel"]) if r["channel"] else None,
                period_start=r["period_start"],
                period_end=r["period_end"],
                metric=r["metric"],
                value=r["value"],
                url=r["url"],
            )
            if gone_reach[figure] > 0:
                gone_reach[figure] -= 1
                await ReachFigure.delete().where(ReachFigure.id == r["id"])
    added_reach = list((new_reach - old_reach).elements())
    if added_reach:
        await ReachFigure.insert(
            *(
                ReachFigure(
                    plan=plan_id,
                    activity=activity_rows.get(r.activity) if r.activity else None,
                    channel=channel_rows.get(r.channel) if r.channel else None,
                    period_start=r.period_start,
                    period_end=r.period_end,
                    metric=r.metric,
                    value=r.value,
                    url=r.url,
                )
                for r in added_reach
            )
        )
