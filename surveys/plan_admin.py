"""A plan as a communicator sees and edits it: target groups with sizes, effect goals, activities."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from locales import gettext as _
from surveys.db import write_transaction
from surveys.tables import (
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
from surveys.waves import Choice

_PERCENT = re.compile(r"^\s*(\d{1,3}(?:[.,]\d+)?)\s*%?\s*$")


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
    plan = await Plan.select().where(Plan.code == code).first()
    if plan is None:
        return None
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
        sizes[r["target_group"]][org_code.get(r["organisation"], str(r["organisation"]))] = r["size"]
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


def parse_share(text: str) -> float | None:
    """'70', '70 %', '70,5 %' → 0.70, 0.705; a share in percent between 1 and 100."""
    match = _PERCENT.match(text or "")
    if not match:
        return None
    value = float(match.group(1).replace(",", "."))
    return value / 100 if 0 < value <= 100 else None


async def update_goal(
    plan_id: int, goal_id: int, *, target: str, deadline: str, wording: str
) -> dict[str, str]:
    """Change a goal's target share, deadline and wording; errors per field, nothing saved on error."""
    errors: dict[str, str] = {}
    share = parse_share(target)
    if share is None:
        errors["target"] = _("Skriv målet i procent, ett tal mellan 1 och 100, till exempel 70.")
    day = None
    if deadline.strip():
        try:
            day = date.fromisoformat(deadline.strip())
        except ValueError:
            errors["deadline"] = _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-31.")
    if not wording.strip():
        errors["wording"] = _("Skriv effektmålet med planens egna ord.")
    elif len(wording) > 1000:
        errors["wording"] = _("Effektmålet får vara högst 1000 tecken.")
    if errors:
        return errors
    async with write_transaction():
        changed = (
            await EffectGoal.update(
                {
                    EffectGoal.target_share: share,
                    EffectGoal.deadline: day,
                    EffectGoal.wording: wording.strip(),
                }
            )
            .where((EffectGoal.id == goal_id) & (EffectGoal.plan == plan_id))
            .returning(EffectGoal.id)
        )
    if not changed:
        return {"goal": _("Effektmålet finns inte i den här planen.")}
    return {}


async def update_sizes(plan_id: int, group_code: str, values: dict[str, str]) -> dict[str, str]:
    """Set a target group's known size per organisation (blank: unknown); nothing saved on error."""
    group = (
        await TargetGroup.select(TargetGroup.id)
        .where((TargetGroup.plan == plan_id) & (TargetGroup.code == group_code))
        .first()
    )
    if group is None:
        return {"group": _("Målgruppen finns inte i den här planen.")}
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
        cleaned = text.replace(" ", "").replace("\u00a0", "")
        if not cleaned:
            continue
        if not cleaned.isdigit() or int(cleaned) > 10_000_000:
            errors[code] = _(
                "Skriv antalet som ett heltal, 0 eller mer, eller lämna rutan tom om det inte är känt."
            )
            continue
        sizes[orgs[code]] = int(cleaned)
    if errors:
        return errors
    async with write_transaction():
        await TargetGroupSize.delete().where(TargetGroupSize.target_group == group["id"])
        if sizes:
            await TargetGroupSize.insert(
                *(
                    TargetGroupSize(target_group=group["id"], organisation=org, size=n, source="")
                    for org, n in sizes.items()
                )
            )
    return {}
