"""Plan files (TOML): organisations, target groups with known sizes, effect goals, channels, activities.

The demo plan (surveys/demo/vasternorrland.toml) shows the format. Nothing here is specific to one
county: any färdplan's communication plan is written the same way.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from locales import gettext as _
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
from surveys.questionnaires.model import STEPS

ORGANISATION_KINDS = ("kommun", "region", "annan")
REACH_METRICS = ("views", "unique_visitors", "impressions", "clicks")


@dataclass(frozen=True)
class OrganisationDef:
    code: str
    name: str
    kind: str = "kommun"


@dataclass(frozen=True)
class TargetGroupDef:
    code: str
    name: str
    description: str = ""
    sizes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class EffectGoalDef:
    target_group: str
    step: str
    target: float
    deadline: date | None
    wording: str


@dataclass(frozen=True)
class ChannelDef:
    code: str
    name: str
    kind: str = ""


@dataclass(frozen=True)
class ActivityDef:
    code: str
    title: str
    timing: str
    starts_on: date | None
    ends_on: date | None
    channels: tuple[str, ...]
    target_groups: tuple[str, ...]
    step: str
    responsible: str
    status: str


@dataclass(frozen=True)
class ReachDef:
    """Reach (L0): an output such as page views, shown beside recall but never as an effect."""

    activity: str | None
    channel: str | None
    period_start: date
    period_end: date
    metric: str
    value: int
    url: str = ""


@dataclass(frozen=True)
class PlanDef:
    code: str
    title: str
    county: str
    description: str
    period_start: date | None
    period_end: date | None
    organisations: tuple[OrganisationDef, ...]
    target_groups: tuple[TargetGroupDef, ...]
    effect_goals: tuple[EffectGoalDef, ...]
    channels: tuple[ChannelDef, ...]
    activities: tuple[ActivityDef, ...]
    reach: tuple[ReachDef, ...] = ()


class PlanFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def load_plan_file(path: Path) -> PlanDef:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise PlanFileError(
            [_("%(file)s: filen måste vara sparad som UTF-8.") % {"file": path.name}]
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanFileError(
            [_("%(file)s: filen är inte giltig TOML (%(error)s).") % {"file": path.name, "error": exc}]
        ) from None
    return parse_plan(data)


def parse_plan(data: dict) -> PlanDef:
    problems: list[str] = []
    plan = data.get("plan") or {}
    for key in ("code", "title"):
        if not str(plan.get(key, "")).strip():
            problems.append(_("[plan] saknar %(field)s.") % {"field": key})
    organisations = tuple(
        OrganisationDef(str(o.get("code", "")), str(o.get("name", "")), str(o.get("kind", "kommun")))
        for o in data.get("organisations", [])
    )
    org_codes = {o.code for o in organisations}
    for o in organisations:
        if not o.code or not o.name or o.kind not in ORGANISATION_KINDS:
            problems.append(
                _("Organisationen %(code)s behöver code, name och kind (kommun, region eller annan).")
                % {"code": o.code or "?"}
            )
    groups = tuple(
        TargetGroupDef(
            code=str(g.get("code", "")),
            name=str(g.get("name", "")),
            description=str(g.get("description", "")),
            sizes={str(k): v for k, v in (g.get("sizes") or {}).items()},
        )
        for g in data.get("target_groups", [])
    )
    group_codes = {g.code for g in groups}
    for g in groups:
        if not g.code or not g.name:
            problems.append(_("Varje målgrupp behöver code och name."))
        for org, size in g.sizes.items():
            if org not in org_codes:
                problems.append(
                    _("Målgruppen %(group)s anger storlek för okänd organisation %(org)s.")
                    % {"group": g.code, "org": org}
                )
            if not isinstance(size, int) or size < 0:
                problems.append(
                    _("Målgruppen %(group)s: storleken för %(org)s måste vara ett heltal, 0 eller mer.")
                    % {"group": g.code, "org": org}
                )
    goals = []
    for raw in data.get("effect_goals", []):
        goal = EffectGoalDef(
            target_group=str(raw.get("target_group", "")),
            step=str(raw.get("step", "")),
            target=raw.get("target", -1),
            deadline=raw.get("deadline"),
            wording=str(raw.get("wording", "")),
        )
        if goal.target_group not in group_codes:
            problems.append(
                _("Ett effektmål hänvisar till okänd målgrupp %(group)s.") % {"group": goal.target_group}
            )
        if goal.step not in STEPS:
            problems.append(
                _("Effektmålet för %(group)s har steg %(step)s; använd L1–L4.")
                % {"group": goal.target_group, "step": goal.step}
            )
        if not isinstance(goal.target, int | float) or not 0 < goal.target <= 1:
            problems.append(
                _("Effektmålet för %(group)s behöver target som en andel mellan 0 och 1, t.ex. 0.7.")
                % {"group": goal.target_group}
            )
        goals.append(goal)
    channels = tuple(
        ChannelDef(str(c.get("code", "")), str(c.get("name", "")), str(c.get("kind", "")))
        for c in data.get("channels", [])
    )
    channel_codes = {c.code for c in channels}
    activities = []
    for raw in data.get("activities", []):
        activity = ActivityDef(
            code=str(raw.get("code", "")),
            title=str(raw.get("title", "")),
            timing=str(raw.get("timing", "")),
            starts_on=raw.get("starts_on"),
            ends_on=raw.get("ends_on"),
            channels=tuple(raw.get("channels", [])),
            target_groups=tuple(raw.get("target_groups", [])),
            step=str(raw.get("step", "L1")),
            responsible=str(raw.get("responsible", "")),
            status=str(raw.get("status", "planerad")),
        )
        unknown = [c for c in activity.channels if c not in channel_codes] + [
            g for g in activity.target_groups if g not in group_codes
        ]
        if not activity.code or not activity.title or unknown:
            problems.append(
                _(
                    "Aktiviteten %(code)s behöver code och title och får bara nämna kända kanaler och målgrupper."
                )
                % {"code": activity.code or "?"}
            )
        activities.append(activity)
    activity_codes = {a.code for a in activities}
    reach = []
    for number, raw in enumerate(data.get("reach", []), start=1):
        figure = ReachDef(
            activity=raw.get("activity"),
            channel=raw.get("channel"),
            period_start=raw.get("period_start"),
            period_end=raw.get("period_end"),
            metric=str(raw.get("metric", "")),
            value=raw.get("value"),
            url=str(raw.get("url", "")),
        )
        valid = (
            (figure.activity is None or figure.activity in activity_codes)
            and (figure.channel is None or figure.channel in channel_codes)
            and isinstance(figure.period_start, date)
            and isinstance(figure.period_end, date)
            and figure.period_start <= figure.period_end
            and figure.metric in REACH_METRICS
            and isinstance(figure.value, int)
            and figure.value >= 0
        )
        if not valid:
            problems.append(
                _(
                    "Räckviddsrad %(number)s behöver period_start ≤ period_end, metric (%(metrics)s), "
                    "value som ett heltal och kända activity/channel."
                )
                % {"number": number, "metrics": ", ".join(REACH_METRICS)}
            )
        reach.append(figure)
    if problems:
        raise PlanFileError(problems)
    return PlanDef(
        code=str(plan["code"]).strip(),
        title=str(plan["title"]).strip(),
        county=str(plan.get("county", "")),
        description=str(plan.get("description", "")).strip(),
        period_start=plan.get("period_start"),
        period_end=plan.get("period_end"),
        organisations=organisations,
        target_groups=groups,
        effect_goals=tuple(goals),
        channels=channels,
        activities=tuple(activities),
        reach=tuple(reach),
    )


async def store_plan(definition: PlanDef) -> int:
    """Store a whole plan; organisations are shared between plans and matched by code.

    Call inside a transaction, so that a plan is stored whole or not at all.
    """
    plan = Plan(
        code=definition.code,
        title=definition.title,
        county=definition.county,
        description=definition.description,
        period_start=definition.period_start,
        period_end=definition.period_end,
    )
    await plan.save()
    org_ids: dict[str, int] = {}
    for o in definition.organisations:
        existing = await Organisation.select(Organisation.id).where(Organisation.code == o.code).first()
        if existing:
            org_ids[o.code] = existing["id"]
        else:
            row = Organisation(code=o.code, name=o.name, kind=o.kind)
            await row.save()
            org_ids[o.code] = row.id
        await PlanOrganisation(plan=plan.id, organisation=org_ids[o.code]).save()
    group_ids: dict[str, int] = {}
    for position, g in enumerate(definition.target_groups, start=1):
        row = TargetGroup(
            plan=plan.id, code=g.code, name=g.name, description=g.description, position=position
        )
        await row.save()
        group_ids[g.code] = row.id
        if g.sizes:
            await TargetGroupSize.insert(
                *(
                    TargetGroupSize(
                        target_group=row.id, organisation=org_ids[org], size=size, source="HR-register"
                    )
                    for org, size in g.sizes.items()
                )
            )
    if definition.effect_goals:
        await EffectGoal.insert(
            *(
                EffectGoal(
                    plan=plan.id,
                    target_group=group_ids[g.target_group],
                    step=g.step,
                    target_share=float(g.target),
                    deadline=g.deadline,
                    wording=g.wording,
                )
                for g in definition.effect_goals
            )
        )
    channel_ids: dict[str, int] = {}
    for c in definition.channels:
        row = Channel(plan=plan.id, code=c.code, name=c.name, kind=c.kind)
        await row.save()
        channel_ids[c.code] = row.id
    activity_ids: dict[str, int] = {}
    for position, a in enumerate(definition.activities, start=1):
        row = Activity(
            plan=plan.id,
            code=a.code,
            title=a.title,
            timing=a.timing,
            starts_on=a.starts_on,
            ends_on=a.ends_on,
            step=a.step,
            responsible=a.responsible,
            status=a.status,
            position=position,
        )
        await row.save()
        for c in a.channels:
            await ActivityChannel(activity=row.id, channel=channel_ids[c]).save()
        for g in a.target_groups:
            await ActivityTargetGroup(activity=row.id, target_group=group_ids[g]).save()
        activity_ids[a.code] = row.id
    if definition.reach:
        await ReachFigure.insert(
            *(
                ReachFigure(
                    plan=plan.id,
                    activity=activity_ids.get(r.activity) if r.activity else None,
                    channel=channel_ids.get(r.channel) if r.channel else None,
                    period_start=r.period_start,
                    period_end=r.period_end,
                    metric=r.metric,
                    value=r.value,
                    url=r.url,
                )
                for r in definition.reach
            )
        )
    return plan.id
