"""Plan files (TOML): organisations, target groups with known sizes, effect goals, channels, activities.

The demo plan (surveys/demo/vasternorrland.toml) shows the format. Nothing here is specific to one
county: any färdplan's communication plan is written the same way. Every part is checked by the same
rules as the plan pages and the API (rules.py), so a plan that loads is a plan every page can show; a
file with problems is refused whole, each problem named by its entry ("effektmål 3 (deadline)") or line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from locales import gettext as _
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
from surveys.errors import Conflict, Invalid
from surveys.plans import rules
from surveys.plans.rules import (
    MAX_REACH_VALUE,
    ORGANISATION_KINDS,
    REACH_METRICS,
    ActivityDef,
    ActivityInput,
    ChannelDef,
    EffectGoalDef,
    OrganisationDef,
    TargetGroupDef,
)

__all__ = [
    "ORGANISATION_KINDS",
    "REACH_METRICS",
    "ActivityDef",
    "ChannelDef",
    "EffectGoalDef",
    "OrganisationDef",
    "PlanDef",
    "PlanFileError",
    "ReachDef",
    "TargetGroupDef",
    "load_plan",
    "load_plan_file",
    "parse_plan",
    "store_plan",
]

T = TypeVar("T")


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


class PlanFileError(Invalid):
    """A plan file that was refused whole: `errors` maps each entry or line to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Planfilen har fel och lästes inte in. Inget sparades."), errors=errors)

    @property
    def problems(self) -> list[str]:
        """The messages alone, in the order of the file."""
        return list(self.errors.values())

    def __str__(self) -> str:
        # One line with every problem, for logs and for whoever prints the error as a single line.
        return "; ".join(self.problems)


def load_plan_file(path: Path) -> PlanDef:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise PlanFileError(
            {path.name: _("%(file)s: filen måste vara sparad som UTF-8.") % {"file": path.name}}
        ) from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        if where is None:
            raise PlanFileError(
                {
                    path.name: _("%(file)s: filen är inte giltig TOML (%(error)s).")
                    % {"file": path.name, "error": exc}
                }
            ) from None
        line, column = where.groups()
        raise PlanFileError(
            {
                _("rad %(line)s") % {"line": line}: _(
                    "%(file)s: rad %(line)s, tecken %(column)s, är inte giltig TOML. Kontrollera "
                    "citattecken, hakparenteser och likhetstecken."
                )
                % {"file": path.name, "line": line, "column": column}
            }
        ) from None
    return parse_plan(data)


class _Problems:
    """What is wrong with a file, entry by entry, in the order of the file."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, entry: str, field: str, message: str) -> None:
        self.errors[f"{entry} ({field})" if field else entry] = message

    def check(self, entry: str, build: Callable[[], T]) -> T | None:
        """The part `build` makes by the rules, or None with its field errors noted under `entry`."""
        try:
            return build()
        except Invalid as refused:
            for field, message in refused.errors.items():
                self.add(entry, field, message)
            return None


def _entries(data: dict, table: str, found: _Problems) -> list[dict[str, Any]]:
    entries = data.get(table, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        found.add(
            f"[[{table}]]",
            "",
            _("Skriv varje post som [[%(table)s]] med sina fält under.") % {"table": table},
        )
        return []
    return entries


def _text(raw: dict, key: str, default: str = "") -> str:
    return str(raw.get(key, default))


def _codes(raw: dict, key: str, entry: str, found: _Problems) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        found.add(
            entry, key, _('Skriv en lista med koder, till exempel %(key)s = ["intranat"].') % {"key": key}
        )
        return ()
    return tuple(value)


def _quoted_dates(raw: dict, keys: tuple[str, ...], entry: str, found: _Problems) -> None:
    """TOML has dates of its own: one in quotes is a text, and one with a time is not a day."""
    for key in keys:
        value = raw.get(key)
        if isinstance(value, str | datetime):
            found.add(
                entry,
                key,
                _("Skriv datumet som ÅÅÅÅ-MM-DD utan citattecken, till exempel %(key)s = 2026-12-31.")
                % {"key": key},
            )


def _unique(code: str, taken: set[str], entry: str, message: str, found: _Problems) -> None:
    if code in taken:
        found.add(entry, "code", message)
    taken.add(code)


def parse_plan(data: dict) -> PlanDef:
    found = _Problems()
    plan = data.get("plan") if isinstance(data.get("plan"), dict) else {}
    for key in ("code", "title"):
        if not str(plan.get(key, "")).strip():
            found.add("[plan]", key, _("[plan] saknar %(field)s.") % {"field": key})
    code, title = str(plan.get("code", "")).strip(), str(plan.get("title", "")).strip()
    header: dict[str, str] = {}
    if code:
        rules.check_code(code, header, in_file=True)
    rules.check_text(title, "title", 300, "", header)
    county = rules.check_text(_text(plan, "county"), "county", 100, "", header)
    period = (
        rules.day(plan.get("period_start"), "period_start", header),
        rules.day(plan.get("period_end"), "period_end", header),
    )
    if period[0] and period[1] and period[1] < period[0]:
        header["period_end"] = _("Slutdatumet kan inte vara före startdatumet.")
    for field, message in header.items():
        found.add("[plan]", field, message)
    _quoted_dates(plan, ("period_start", "period_end"), "[plan]", found)

    organisations: list[OrganisationDef] = []
    taken: set[str] = set()
    for number, raw in enumerate(_entries(data, "organisations", found), start=1):
        entry = _("organisation %(number)s") % {"number": number}
        org = found.check(
            entry,
            partial(
                rules.organisation,
                name=_text(raw, "name"),
                kind=_text(raw, "kind", "kommun"),
                code=_text(raw, "code"),
                in_file=True,
            ),
        )
        if org is not None:
            _unique(org.code, taken, entry, _("%(name)s finns redan i planen.") % {"name": org.name}, found)
            organisations.append(org)
    org_codes = {o.code for o in organisations}

    groups: list[TargetGroupDef] = []
    taken = set()
    for number, raw in enumerate(_entries(data, "target_groups", found), start=1):
        entry = _("målgrupp %(number)s") % {"number": number}
        group = found.check(
            entry,
            partial(
                rules.target_group,
                name=_text(raw, "name"),
                description=_text(raw, "description"),
                code=_text(raw, "code"),
                in_file=True,
            ),
        )
        sizes = raw.get("sizes") or {}
        if not isinstance(sizes, dict):
            found.add(
                entry,
                "sizes",
                _("Skriv storlekarna som sizes = { kod = antal }, till exempel sizes = { alby = 40 }."),
            )
            sizes = {}
        group_code = _text(raw, "code")
        for org, size in sizes.items():
            if org not in org_codes:
                found.add(
                    entry,
                    f"sizes.{org}",
                    _("Målgruppen %(group)s anger storlek för okänd organisation %(org)s.")
                    % {"group": group_code, "org": org},
                )
            elif not rules.is_group_size(size):
                found.add(
                    entry,
                    f"sizes.{org}",
                    _("Målgruppen %(group)s: storleken för %(org)s måste vara ett heltal, 0 eller mer.")
                    % {"group": group_code, "org": org},
                )
        if group is not None:
            _unique(
                group.code,
                taken,
                entry,
                _("Planen har redan en målgrupp med koden %(code)s.") % {"code": group.code},
                found,
            )
            groups.append(TargetGroupDef(group.code, group.name, group.description, dict(sizes)))
    group_codes = {g.code for g in groups}

    goals: list[EffectGoalDef] = []
    for number, raw in enumerate(_entries(data, "effect_goals", found), start=1):
        entry = _("effektmål %(number)s") % {"number": number}
        group_code = _text(raw, "target_group")
        if group_code not in group_codes:
            found.add(
                entry,
                "target_group",
                _("Ett effektmål hänvisar till okänd målgrupp %(group)s.") % {"group": group_code},
            )
        goal = found.check(
            entry,
            partial(
                rules.effect_goal,
                group=group_code,
                step=_text(raw, "step"),
                target=raw.get("target", -1),
                deadline=raw.get("deadline"),
                wording=_text(raw, "wording"),
                in_percent=False,
            ),
        )
        _quoted_dates(raw, ("deadline",), entry, found)
        if goal is not None:
            goals.append(goal)

    channels: list[ChannelDef] = []
    taken = set()
    for number, raw in enumerate(_entries(data, "channels", found), start=1):
        entry = _("kanal %(number)s") % {"number": number}
        channel = found.check(
            entry,
            partial(
                rules.channel,
                name=_text(raw, "name"),
                kind=_text(raw, "kind"),
                code=_text(raw, "code"),
                in_file=True,
            ),
        )
        if channel is not None:
            _unique(
                channel.code,
                taken,
                entry,
                _("Planen har redan en kanal med koden %(code)s.") % {"code": channel.code},
                found,
            )
            channels.append(channel)
    channel_codes = {c.code for c in channels}

    activities: list[ActivityDef] = []
    taken = set()
    for number, raw in enumerate(_entries(data, "activities", found), start=1):
        entry = _("aktivitet %(number)s") % {"number": number}
        given = ActivityInput(
            title=_text(raw, "title"),
            starts_on=raw.get("starts_on"),
            ends_on=raw.get("ends_on"),
            timing=_text(raw, "timing"),
            channels=_codes(raw, "channels", entry, found),
            target_groups=_codes(raw, "target_groups", entry, found),
            step=_text(raw, "step", "L1"),
            responsible=_text(raw, "responsible"),
            status=_text(raw, "status", "planerad"),
        )
        activity = found.check(
            entry,
            partial(
                rules.activity,
                given,
                code=_text(raw, "code"),
                channels=channel_codes,
                groups=group_codes,
                in_file=True,
            ),
        )
        _quoted_dates(raw, ("starts_on", "ends_on"), entry, found)
        if activity is not None:
            _unique(
                activity.code,
                taken,
                entry,
                _("Planen har redan en aktivitet med koden %(code)s.") % {"code": activity.code},
                found,
            )
            activities.append(activity)
    activity_codes = {a.code for a in activities}

    reach = []
    for number, raw in enumerate(_entries(data, "reach", found), start=1):
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
            and type(figure.period_start) is date
            and type(figure.period_end) is date
            and figure.period_start <= figure.period_end
            and figure.metric in REACH_METRICS
            and type(figure.value) is int
            and 0 <= figure.value <= MAX_REACH_VALUE
            and len(figure.url) <= rules.MAX_URL_LENGTH
        )
        if not valid:
            found.add(
                _("räckviddsrad %(number)s") % {"number": number},
                "",
                _(
                    "Räckviddsrad %(number)s behöver period_start ≤ period_end, metric (%(metrics)s), "
                    "value som ett heltal och kända activity/channel."
                )
                % {"number": number, "metrics": ", ".join(REACH_METRICS)},
            )
        reach.append(figure)
    if found.errors:
        raise PlanFileError(found.errors)
    return PlanDef(
        code=code,
        title=title,
        county=county,
        description=str(plan.get("description", "")).strip(),
        period_start=period[0],
        period_end=period[1],
        organisations=tuple(organisations),
        target_groups=tuple(groups),
        effect_goals=tuple(goals),
        channels=tuple(channels),
        activities=tuple(activities),
        reach=tuple(reach),
    )


async def load_plan(definition: PlanDef) -> int:
    """Store a checked plan in one transaction: all of it, or (on any refusal) nothing."""
    async with write_transaction():
        return await store_plan(definition)


async def store_plan(definition: PlanDef) -> int:
    """Store a whole plan; organisations are shared between plans and matched by code.

    Call inside a transaction (or use `load_plan`), so that a plan is stored whole or not at all.
    """
    if await Plan.exists().where(Plan.code == definition.code):
        raise Conflict(_("Det finns redan en plan med koden %(code)s.") % {"code": definition.code})
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
    for number, o in enumerate(definition.organisations, start=1):
        existing = await Organisation.select().where(Organisation.code == o.code).first()
        if existing and existing["name"].strip().lower() != o.name.lower():
            # The same refusal as adding an organisation on the page: a code names one organisation.
            raise PlanFileError(
                {
                    _("organisation %(number)s") % {"number": number} + " (code)": _(
                        "Koden %(code)s används redan av %(name)s. Välj en annan kod."
                    )
                    % {"code": o.code, "name": existing["name"]}
                }
            )
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
