"""A stored plan as a plan file: read back from the database, and written as TOML that loads again.

`plan_definition(code)` is the plan as a `PlanDef`, the shape a file is read into; `plan_toml` writes it.
Loading what `plan_toml` wrote gives the same `PlanDef` (tests/surveys/plans/test_plan_round_trip.py),
so a file exported, edited and loaded again changes only what was edited (plan_update.py).
"""

from __future__ import annotations

import json
from collections import defaultdict

from surveys.db.tables import (
    Activity,
    ActivityChannel,
    ActivityTargetGroup,
    Channel,
    EffectGoal,
    Organisation,
    PlanOrganisation,
    ReachFigure,
    TargetGroup,
    TargetGroupSize,
)
from surveys.plans import rules
from surveys.plans.lookup import plan_row
from surveys.plans.plan_file import PlanDef, ReachDef
from surveys.plans.rules import ActivityDef, ChannelDef, EffectGoalDef, OrganisationDef, TargetGroupDef


async def plan_definition(code: str) -> PlanDef:
    """The stored plan `code` as a plan file would give it; `NotFound` when there is none."""
    plan = await plan_row(code)
    plan_id = plan["id"]
    org_rows = await Organisation.select().where(Organisation.plan == plan_id).order_by(Organisation.id)
    active = {
        r["organisation"] for r in await PlanOrganisation.select().where(PlanOrganisation.plan == plan_id)
    }
    org_code = {r["id"]: r["code"] for r in org_rows}
    group_rows = (
        await TargetGroup.select()
        .where(TargetGroup.plan == plan_id)
        .order_by(TargetGroup.position)
        .order_by(TargetGroup.id)
    )
    group_code = {r["id"]: r["code"] for r in group_rows}
    sizes: dict[int, dict[str, int]] = defaultdict(dict)
    for r in (
        await TargetGroupSize.select()
        .where(TargetGroupSize.target_group.plan == plan_id)
        .order_by(TargetGroupSize.id)
    ):
        if r["organisation"] in org_code:
            sizes[r["target_group"]][org_code[r["organisation"]]] = r["size"]
    channel_rows = await Channel.select().where(Channel.plan == plan_id).order_by(Channel.id)
    channel_code = {r["id"]: r["code"] for r in channel_rows}
    activity_rows = (
        await Activity.select()
        .where(Activity.plan == plan_id)
        .order_by(Activity.position)
        .order_by(Activity.id)
    )
    activity_code = {r["id"]: r["code"] for r in activity_rows}
    activity_channels: dict[int, list[str]] = defaultdict(list)
    for r in (
        await ActivityChannel.select()
        .where(ActivityChannel.activity.plan == plan_id)
        .order_by(ActivityChannel.id)
    ):
        activity_channels[r["activity"]].append(channel_code[r["channel"]])
    activity_groups: dict[int, list[str]] = defaultdict(list)
    for r in (
        await ActivityTargetGroup.select()
        .where(ActivityTargetGroup.activity.plan == plan_id)
        .order_by(ActivityTargetGroup.id)
    ):
        activity_groups[r["activity"]].append(group_code[r["target_group"]])
    return PlanDef(
        code=plan["code"],
        title=plan["title"],
        county=plan["county"],
        description=plan["description"],
        period_start=plan["period_start"],
        period_end=plan["period_end"],
        organisations=tuple(
            OrganisationDef(r["code"], r["name"], r["kind"], r["official_code"]) for r in org_rows
        ),
        target_groups=tuple(
            TargetGroupDef(
                r["code"],
                r["name"],
                r["description"],
                dict(sorted(sizes[r["id"]].items())),
                rules.stored_names(r["translations"]),
            )
            for r in group_rows
        ),
        effect_goals=tuple(
            EffectGoalDef(
                group_code[r["target_group"]], r["step"], r["target_share"], r["deadline"], r["wording"]
            )
            for r in await EffectGoal.select().where(EffectGoal.plan == plan_id).order_by(EffectGoal.id)
        ),
        channels=tuple(ChannelDef(r["code"], r["name"], r["kind"]) for r in channel_rows),
        activities=tuple(
            ActivityDef(
                code=r["code"],
                title=r["title"],
                timing=r["timing"],
                starts_on=r["starts_on"],
                ends_on=r["ends_on"],
                channels=tuple(activity_channels[r["id"]]),
                target_groups=tuple(activity_groups[r["id"]]),
                step=r["step"],
                responsible=r["responsible"],
                status=r["status"],
            )
            for r in activity_rows
        ),
        reach=tuple(
            ReachDef(
                activity=activity_code.get(r["activity"]) if r["activity"] else None,
                channel=channel_code.get(r["channel"]) if r["channel"] else None,
                period_start=r["period_start"],
                period_end=r["period_end"],
                metric=r["metric"],
                value=r["value"],
                url=r["url"],
            )
            for r in await ReachFigure.select().where(ReachFigure.plan == plan_id).order_by(ReachFigure.id)
        ),
        inactive_organisations=frozenset(r["code"] for r in org_rows if r["id"] not in active),
        archived_groups=frozenset(r["code"] for r in group_rows if r["archived"]),
        archived_channels=frozenset(r["code"] for r in channel_rows if r["archived"]),
        archived_activities=frozenset(r["code"] for r in activity_rows if r["archived"]),
    )


def _string(value: str) -> str:
    # A JSON string is a valid TOML basic string, except that TOML also forbids a raw DEL, which JSON allows.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _list(codes: tuple[str, ...]) -> str:
    return "[" + ", ".join(_string(c) for c in codes) + "]"


def percent(share: float) -> str:
    """0.7 → 70, 0.705 → 70.5, 0.01 → "1 %": a target written in percent, read back to the same share
    (at 1 % or less a bare number would be a share, so the percent sign goes with it)."""
    value = round(share * 100, 4)
    text = str(int(value)) if value == int(value) else repr(value)
    return f'"{text} %"' if value <= 1 else text


def plan_toml(plan: PlanDef) -> str:
    """The plan as a TOML plan file; loading it gives the same plan (and, for a stored plan, no changes)."""
    lines = [
        "# effekt: en kommunikationsplan som fil. Läs in den på planens sida (Läs in en planfil) eller med",
        "# `effekt load-plan FIL`. Finns planen redan visas först vad som ändras.",
        "# Datum skrivs ÅÅÅÅ-MM-DD utan citattecken. Mål (target) skrivs i procent, till exempel 70;",
        "# ett tal från 0 till 1 läses som en andel (0.7 är 70 %).",
        "",
        "[plan]",
        f"code = {_string(plan.code)}",
        f"title = {_string(plan.title)}",
    ]
    if plan.county:
        lines.append(f"county = {_string(plan.county)}")
    if plan.period_start:
        lines.append(f"period_start = {plan.period_start.isoformat()}")
    if plan.period_end:
        lines.append(f"period_end = {plan.period_end.isoformat()}")
    if plan.description:
        lines.append(f"description = {_string(plan.description)}")
    for o in plan.organisations:
        lines += ["", "[[organisations]]", f"code = {_string(o.code)}", f"name = {_string(o.name)}"]
        lines.append(f"kind = {_string(o.kind)}")
        if o.official_code:
            lines.append(f"official_code = {_string(o.official_code)}")
        if o.code in plan.inactive_organisations:
            lines.append("active = false")
    for g in plan.target_groups:
        lines += ["", "[[target_groups]]", f"code = {_string(g.code)}", f"name = {_string(g.name)}"]
        lines += [f"name_{lang} = {_string(name)}" for lang, name in sorted(g.names.items())]
        if g.description:
            lines.append(f"description = {_string(g.description)}")
        if g.sizes:
            lines.append(
                "sizes = { " + ", ".join(f"{_string(org)} = {size}" for org, size in g.sizes.items()) + " }"
            )
        if g.code in plan.archived_groups:
            lines.append("archived = true")
    for goal in plan.effect_goals:
        lines += [
            "",
            "[[effect_goals]]",
            f"target_group = {_string(goal.target_group)}",
            f"step = {_string(goal.step)}",
            f"target = {percent(goal.target)}",
        ]
        if goal.deadline:
            lines.append(f"deadline = {goal.deadline.isoformat()}")
        lines.append(f"wording = {_string(goal.wording)}")
    for c in plan.channels:
        lines += ["", "[[channels]]", f"code = {_string(c.code)}", f"name = {_string(c.name)}"]
        if c.kind:
            lines.append(f"kind = {_string(c.kind)}")
        if c.code in plan.archived_channels:
            lines.append("archived = true")
    for a in plan.activities:
        lines += ["", "[[activities]]", f"code = {_string(a.code)}", f"title = {_string(a.title)}"]
        dated = a.starts_on is not None and a.timing.startswith(a.starts_on.isoformat())
        if a.starts_on:
            lines.append(f"starts_on = {a.starts_on.isoformat()}")
        if a.ends_on and (a.ends_on != a.starts_on or not dated):
            lines.append(f"ends_on = {a.ends_on.isoformat()}")
        if a.timing and not (dated and a.timing == _timing(a)):
            lines.append(f"timing = {_string(a.timing)}")
        lines.append(f"channels = {_list(a.channels)}")
        lines.append(f"target_groups = {_list(a.target_groups)}")
        lines.append(f"step = {_string(a.step)}")
        if a.responsible:
            lines.append(f"responsible = {_string(a.responsible)}")
        lines.append(f"status = {_string(a.status)}")
        if a.code in plan.archived_activities:
            lines.append("archived = true")
    for r in plan.reach:
        lines += ["", "[[reach]]"]
        if r.activity:
            lines.append(f"activity = {_string(r.activity)}")
        if r.channel:
            lines.append(f"channel = {_string(r.channel)}")
        lines += [
            f"period_start = {r.period_start.isoformat()}",
            f"period_end = {r.period_end.isoformat()}",
            f"metric = {_string(r.metric)}",
            f"value = {r.value}",
        ]
        if r.url:
            lines.append(f"url = {_string(r.url)}")
    return "\n".join(lines) + "\n"


def _timing(activity: ActivityDef) -> str:
    """The timing the rules give a dated activity without words of its own (rules.activity)."""
    starts, ends = activity.starts_on, activity.ends_on
    assert starts is not None
    return starts.isoformat() + (f" – {ends.isoformat()}" if ends and ends != starts else "")
