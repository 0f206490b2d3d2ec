"""Plan files: organisations, target groups with known sizes, effect goals, channels, activities, reach.

A plan file is TOML (the demo plan, surveys/demo/vasternorrland.toml, and the template with every field
explained, surveys/plans/data/plan-mall.toml) or the Excel template (plan_workbook.py), which is read into
the same shape. Nothing here is specific to one county. Every value goes through the rules of the plan pages
and the API (rules.py), so a plan that loads is a plan every page can show; a file with problems is refused
whole, each problem named by its entry and line ("effektmål 3 (deadline, rad 41)") or its sheet and cell.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

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
from surveys.errors import Conflict, Invalid
from surveys.plans import rules
from surveys.plans.official import match, official
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
    code_from_name,
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
    "read_plan_text",
    "store_plan",
]

T = TypeVar("T")
MAX_FILE_BYTES = 2 * 1024 * 1024
TEMPLATE_FILE = Path(__file__).resolve().parent / "data" / "plan-mall.toml"

# The file's tables, in the order of the file, and what one entry of each is called in a message.
TABLES = {
    "plan": "[plan]",
    "organisations": "organisation",
    "target_groups": "målgrupp",
    "effect_goals": "effektmål",
    "channels": "kanal",
    "activities": "aktivitet",
    "reach": "räckviddsrad",
}


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
    # Codes of the plan's organisations that are kept for earlier waves but not offered anew, and of its
    # archived target groups, channels and activities: a file that round-trips keeps them so.
    inactive_organisations: frozenset[str] = frozenset()
    archived_groups: frozenset[str] = frozenset()
    archived_channels: frozenset[str] = frozenset()
    archived_activities: frozenset[str] = frozenset()


class PlanFileError(Invalid):
    """A plan file that was refused whole: `errors` maps each entry, line or cell to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Planfilen har fel och lästes inte in. Inget sparades."), errors=errors)

    @property
    def problems(self) -> list[str]:
        """The messages alone, in the order of the file."""
        return list(self.errors.values())

    def __str__(self) -> str:
        # One line with every problem, for logs and for whoever prints the error as a single line.
        return "; ".join(self.problems)


# --- where a problem is -------------------------------------------------------------------------------------

# (table, entry number or None for [plan], field) → the name of the place in the file, e.g. "effektmål 2
# (deadline)", "effektmål 2 (deadline, rad 41)" or "bladet Effektmål, cell D3".
Locate = Callable[[str, int | None, str], str]


def entry_name(table: str, number: int | None) -> str:
    names = {
        "plan": "[plan]",
        "organisations": _("organisation %(number)s"),
        "target_groups": _("målgrupp %(number)s"),
        "effect_goals": _("effektmål %(number)s"),
        "channels": _("kanal %(number)s"),
        "activities": _("aktivitet %(number)s"),
        "reach": _("räckviddsrad %(number)s"),
    }
    name = names.get(table, table)
    return name % {"number": number} if number is not None and "%(number)s" in name else name


def by_entry(table: str, number: int | None, field: str) -> str:
    """A place named by its entry and field: for a plan given as data, without a file's lines."""
    entry = entry_name(table, number)
    return f"{entry} ({field})" if field else entry


class TomlLines:
    """Where each entry and key of a TOML text stands, to name the line of a problem.

    A reading of the text's own lines: headers ([plan], [[activities]]) and `key = …` lines, outside
    multi-line strings. A key it cannot place (an inline table's member) is named by its entry's line.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z_][\w-]*)\s*\]\]?\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z_][\w-]*)\s*=")

    def __init__(self, text: str) -> None:
        self.entries: dict[tuple[str, int | None], int] = {}
        self.keys: dict[tuple[str, int | None, str], int] = {}
        table, number, counts, in_string = "", None, dict[str, int](), False
        for line_number, line in enumerate(text.splitlines(), start=1):
            quotes = line.count('"""') + line.count("'''")
            if in_string:
                in_string = quotes % 2 == 0
                continue
            header = self._HEADER.match(line)
            if header:
                table = header.group(2)
                if header.group(1) == "[[":
                    counts[table] = number = counts.get(table, 0) + 1
                else:
                    number = None
                self.entries.setdefault((table, number), line_number)
                continue
            key = self._KEY.match(line)
            if key and table:
                self.keys.setdefault((table, number, key.group(1)), line_number)
            if quotes % 2 == 1:
                in_string = True

    def __call__(self, table: str, number: int | None, field: str) -> str:
        key = field.split(".", 1)[0]
        line = self.keys.get((table, number, key)) or self.entries.get((table, number))
        entry = entry_name(table, number)
        if line is None:
            return by_entry(table, number, field)
        if not field:
            return _("%(entry)s (rad %(line)s)") % {"entry": entry, "line": line}
        return _("%(entry)s (%(field)s, rad %(line)s)") % {"entry": entry, "field": field, "line": line}


class _Problems:
    """What is wrong with a file, place by place, in the order of the file."""

    def __init__(self, locate: Locate) -> None:
        self.errors: dict[str, str] = {}
        self.locate = locate

    def add(self, table: str, number: int | None, field: str, message: str, *, instead: bool = False) -> None:
        """Note a problem; `instead`: it replaces one noted at the same place (a sharper message)."""
        place = self.locate(table, number, field)
        if instead or place not in self.errors:
            self.errors[place] = message

    def check(self, table: str, number: int | None, build: Callable[[], T]) -> T | None:
        """The part `build` makes by the rules, or None with its field errors noted at its place."""
        try:
            return build()
        except Invalid as refused:
            for field, message in refused.errors.items():
                self.add(table, number, field, message)
            return None


# --- reading ------------------------------------------------------------------------------------------------


def load_plan_file(path: Path) -> PlanDef:
    try:
        data = path.read_bytes()
    except OSError:
        raise PlanFileError(
            {path.name: _("Filen %(file)s kunde inte läsas.") % {"file": path.name}}
        ) from None
    if path.suffix.lower() == ".xlsx":
        from surveys.plans.plan_workbook import read_workbook

        return read_workbook(data, path.name)
    return read_plan_text(data, path.name)


def read_plan_upload(data: bytes, filename: str) -> PlanDef:
    """A plan file as a page, the API or the command line receives it: TOML, or the Excel template."""
    if len(data) > MAX_FILE_BYTES:
        raise PlanFileError({filename: _("Filen är större än 2 MB. Dela upp räckvidden i en egen fil.")})
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        from surveys.plans.plan_workbook import read_workbook

        return read_workbook(data, filename)
    return read_plan_text(data, filename)


def read_plan_text(data: bytes | str, filename: str = "plan.toml") -> PlanDef:
    """A TOML plan file, every problem named by its entry and line."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PlanFileError(
                {filename: _("%(file)s: filen måste vara sparad som UTF-8.") % {"file": filename}}
            ) from None
    else:
        text = data
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        if where is None:
            raise PlanFileError(
                {
                    filename: _("%(file)s: filen är inte giltig TOML (%(error)s).")
                    % {"file": filename, "error": exc}
                }
            ) from None
        line, column = where.groups()
        raise PlanFileError(
            {
                _("rad %(line)s") % {"line": line}: _(
                    "%(file)s: rad %(line)s, tecken %(column)s, är inte giltig TOML. Kontrollera "
                    "citattecken, hakparenteser och likhetstecken."
                )
                % {"file": filename, "line": line, "column": column}
            }
        ) from None
    return parse_plan(parsed, locate=TomlLines(text))


def _entries(data: dict, table: str, found: _Problems) -> list[dict[str, Any]]:
    entries = data.get(table, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        found.add(
            table, None, "", _("Skriv varje post som [[%(table)s]] med sina fält under.") % {"table": table}
        )
        return []
    return entries


def _text(raw: dict, key: str, default: str = "") -> str:
    value = raw.get(key, default)
    return "" if value is None else str(value)


def _flag(raw: dict, key: str, default: bool, table: str, number: int, found: _Problems) -> bool:
    value = raw.get(key, default)
    if isinstance(value, bool):
        return value
    found.add(table, number, key, _("Skriv %(key)s = true eller %(key)s = false.") % {"key": key})
    return default


def _codes(raw: dict, key: str, table: str, number: int, found: _Problems) -> tuple[str, ...]:
    value = raw.get(key, [])
    if isinstance(value, str):  # one code, or codes with commas, as a spreadsheet cell holds them
        value = [c.strip() for c in value.split(",") if c.strip()]
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        found.add(
            table,
            number,
            key,
            _('Skriv en lista med koder, till exempel %(key)s = ["intranat"].') % {"key": key},
        )
        return ()
    return tuple(value)


def _toml_dates(raw: dict, keys: tuple[str, ...], table: str, number: int | None, found: _Problems) -> None:
    """TOML has dates of its own: one in quotes is a text, and one with a time is not a day."""
    for key in keys:
        value = raw.get(key)
        if isinstance(value, str | datetime):
            found.add(
                table,
                number,
                key,
                _("Skriv datumet som ÅÅÅÅ-MM-DD utan citattecken, till exempel %(key)s = 2026-12-31.")
                % {"key": key},
                instead=True,
            )


def _unique(code: str, taken: set[str], table: str, number: int, message: str, found: _Problems) -> None:
    if code in taken:
        found.add(table, number, "code", message)
    taken.add(code)


def official_code_for(code: str) -> str:
    """The code an official organisation gets in a plan: its name as letters ("umea", "region-skane")."""
    found = official(code)
    if found is None:
        return code_from_name(code)
    return code_from_name(("region " if found.kind == "region" else "") + found.scb_name)


def parse_plan(data: dict, *, locate: Locate = by_entry, toml_dates: bool = True) -> PlanDef:
    """A whole plan from a file's data, by the rules of the pages; PlanFileError names every problem.

    `toml_dates`: dates must be TOML dates (a plan file); a spreadsheet gives its dates as text or dates.
    """
    found = _Problems(locate)
    plan = data.get("plan") if isinstance(data.get("plan"), dict) else {}
    if not str(plan.get("code", "")).strip():
        found.add("plan", None, "code", _("[plan] saknar %(field)s.") % {"field": "code"})
    if not str(plan.get("title", "")).strip():
        found.add("plan", None, "title", _("[plan] saknar %(field)s.") % {"field": "title"})
    header = found.check(
        "plan",
        None,
        partial(
            rules.plan_header,
            code=str(plan.get("code", "")).strip() or "x",
            title=_text(plan, "title") or "x",
            county=_text(plan, "county"),
            description=_text(plan, "description"),
            period_start=plan.get("period_start"),
            period_end=plan.get("period_end"),
            in_file=True,
        ),
    )
    if toml_dates:
        _toml_dates(plan, ("period_start", "period_end"), "plan", None, found)

    organisations: list[OrganisationDef] = []
    inactive: set[str] = set()
    taken: set[str] = set()
    for number, raw in enumerate(_entries(data, "organisations", found), start=1):
        official_code = _text(raw, "official_code").strip()
        listed = official(official_code) if official_code else None
        name = _text(raw, "name").strip() or (listed.name if listed else "")
        kind = _text(raw, "kind").strip() or (listed.kind if listed else "kommun")
        code = _text(raw, "code").strip() or (
            official_code_for(official_code) if listed else code_from_name(name) if name else ""
        )
        org = found.check(
            "organisations",
            number,
            partial(
                rules.organisation,
                name=name,
                kind=kind,
                code=code,
                in_file=True,
                official_code=official_code,
            ),
        )
        active = _flag(raw, "active", True, "organisations", number, found)
        if org is not None:
            if not org.official_code and (known := match(org.name, org.kind)):
                org = replace(org, official_code=known.code)
            _unique(
                org.code,
                taken,
                "organisations",
                number,
                _("%(name)s finns redan i planen.") % {"name": org.name},
                found,
            )
            organisations.append(org)
            if not active:
                inactive.add(org.code)
    org_codes = {o.code for o in organisations}

    groups: list[TargetGroupDef] = []
    archived_groups: set[str] = set()
    taken = set()
    for number, raw in enumerate(_entries(data, "target_groups", found), start=1):
        group_code = _text(raw, "code").strip() or code_from_name(_text(raw, "name").strip())
        group = found.check(
            "target_groups",
            number,
            partial(
                rules.target_group,
                name=_text(raw, "name"),
                description=_text(raw, "description"),
                code=group_code,
                in_file=True,
                # name_en = "Managers": the name a respondent answering in English picks.
                names={key.removeprefix("name_"): v for key, v in raw.items() if key.startswith("name_")},
            ),
        )
        sizes = raw.get("sizes") or {}
        if not isinstance(sizes, dict):
            found.add(
                "target_groups",
                number,
                "sizes",
                _("Skriv storlekarna som sizes = { kod = antal }, till exempel sizes = { alby = 40 }."),
            )
            sizes = {}
        for org, size in sizes.items():
            if org not in org_codes:
                found.add(
                    "target_groups",
                    number,
                    f"sizes.{org}",
                    _("Målgruppen %(group)s anger storlek för okänd organisation %(org)s.")
                    % {"group": group_code, "org": org},
                )
            elif not rules.is_group_size(size):
                found.add(
                    "target_groups",
                    number,
                    f"sizes.{org}",
                    _("Målgruppen %(group)s: storleken för %(org)s måste vara ett heltal, 0 eller mer.")
                    % {"group": group_code, "org": org},
                )
        if _flag(raw, "archived", False, "target_groups", number, found):
            archived_groups.add(group_code)
        if group is not None:
            _unique(
                group.code,
                taken,
                "target_groups",
                number,
                _("Planen har redan en målgrupp med koden %(code)s.") % {"code": group.code},
                found,
            )
            groups.append(replace(group, sizes=dict(sizes)))
    group_codes = {g.code for g in groups}

    goals: list[EffectGoalDef] = []
    for number, raw in enumerate(_entries(data, "effect_goals", found), start=1):
        group_code = _text(raw, "target_group")
        if group_code not in group_codes:
            found.add(
                "effect_goals",
                number,
                "target_group",
                _("Ett effektmål hänvisar till okänd målgrupp %(group)s.") % {"group": group_code},
            )
        target_key = "target_percent" if "target_percent" in raw else "target"
        goal = found.check(
            "effect_goals",
            number,
            partial(
                rules.effect_goal,
                group=group_code,
                step=_text(raw, "step"),
                target=raw.get(target_key),
                deadline=raw.get("deadline"),
                wording=_text(raw, "wording"),
            ),
        )
        if goal is None and target_key == "target_percent":
            # The rule names the field "target"; the file said target_percent.
            key = found.locate("effect_goals", number, "target")
            if key in found.errors:
                found.errors[found.locate("effect_goals", number, "target_percent")] = found.errors.pop(key)
        if toml_dates:
            _toml_dates(raw, ("deadline",), "effect_goals", number, found)
        if goal is not None:
            goals.append(goal)

    channels: list[ChannelDef] = []
    archived_channels: set[str] = set()
    taken = set()
    for number, raw in enumerate(_entries(data, "channels", found), start=1):
        channel_code = _text(raw, "code").strip() or code_from_name(_text(raw, "name").strip())
        channel = found.check(
            "channels",
            number,
            partial(
                rules.channel,
                name=_text(raw, "name"),
                kind=_text(raw, "kind"),
                code=channel_code,
                in_file=True,
            ),
        )
        if _flag(raw, "archived", False, "channels", number, found):
            archived_channels.add(channel_code)
        if channel is not None:
            _unique(
                channel.code,
                taken,
                "channels",
                number,
                _("Planen har redan en kanal med koden %(code)s.") % {"code": channel.code},
                found,
            )
            channels.append(channel)
    channel_codes = {c.code for c in channels}

    activities: list[ActivityDef] = []
    archived_activities: set[str] = set()
    taken = set()
    for number, raw in enumerate(_entries(data, "activities", found), start=1):
        given = ActivityInput(
            title=_text(raw, "title"),
            starts_on=raw.get("starts_on"),
            ends_on=raw.get("ends_on"),
            timing=_text(raw, "timing"),
            channels=_codes(raw, "channels", "activities", number, found),
            target_groups=_codes(raw, "target_groups", "activities", number, found),
            step=_text(raw, "step", "L1") or "L1",
            responsible=_text(raw, "responsible"),
            status=_text(raw, "status", "planerad") or "planerad",
        )
        activity_code = _text(raw, "code").strip() or code_from_name(given.title.strip())[:50]
        activity = found.check(
            "activities",
            number,
            partial(
                rules.activity,
                given,
                code=activity_code,
                channels=channel_codes,
                groups=group_codes,
                in_file=True,
            ),
        )
        if toml_dates:
            _toml_dates(raw, ("starts_on", "ends_on"), "activities", number, found)
        if _flag(raw, "archived", False, "activities", number, found):
            archived_activities.add(activity_code)
        if activity is not None:
            _unique(
                activity.code,
                taken,
                "activities",
                number,
                _("Planen har redan en aktivitet med koden %(code)s.") % {"code": activity.code},
                found,
            )
            activities.append(activity)
    activity_codes = {a.code for a in activities}

    reach = []
    for number, raw in enumerate(_entries(data, "reach", found), start=1):
        figure = ReachDef(
            activity=raw.get("activity") or None,
            channel=raw.get("channel") or None,
            period_start=raw.get("period_start"),
            period_end=raw.get("period_end"),
            metric=str(raw.get("metric", "")),
            value=raw.get("value"),
            url=str(raw.get("url", "") or ""),
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
                "reach",
                number,
                "",
                _(
                    "Räckviddsrad %(number)s behöver period_start ≤ period_end, metric (%(metrics)s), "
                    "value som ett heltal och kända activity/channel."
                )
                % {"number": number, "metrics": ", ".join(REACH_METRICS)},
            )
        reach.append(figure)
    if found.errors or header is None:
        raise PlanFileError(found.errors)
    return PlanDef(
        code=header.code,
        title=header.title,
        county=header.county,
        description=header.description,
        period_start=header.period_start,
        period_end=header.period_end,
        organisations=tuple(organisations),
        target_groups=tuple(groups),
        effect_goals=tuple(goals),
        channels=tuple(channels),
        activities=tuple(activities),
        reach=tuple(reach),
        inactive_organisations=frozenset(inactive),
        archived_groups=frozenset(archived_groups & group_codes),
        archived_channels=frozenset(archived_channels & channel_codes),
        archived_activities=frozenset(archived_activities & activity_codes),
    )


# --- storing a new plan -------------------------------------------------------------------------------------


async def load_plan(definition: PlanDef) -> int:
    """Store a checked plan in one transaction: all of it, or (on any refusal) nothing."""
    async with write_transaction():
        plan_id = await store_plan(definition)
        await audit.record_action(
            audit.Action.PLAN_FILE_LOADED, audit.named("Plan", definition.code, definition.title), "ny plan"
        )
    caches.after_plan_change()
    return plan_id


async def store_plan(definition: PlanDef) -> int:
    """Store a whole new plan, its organisations its own (never another plan's, whatever their codes).

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
    await store_parts(plan.id, definition)
    return plan.id


async def store_parts(plan_id: int, definition: PlanDef) -> None:
    """Every part of `definition` added to the (empty) plan `plan_id`."""
    org_ids: dict[str, int] = {}
    for o in definition.organisations:
        row = Organisation(code=o.code, name=o.name, kind=o.kind, plan=plan_id, official_code=o.official_code)
        await row.save()
        org_ids[o.code] = row.id
        if o.code not in definition.inactive_organisations:
            await PlanOrganisation(plan=plan_id, organisation=row.id).save()
    group_ids: dict[str, int] = {}
    for position, g in enumerate(definition.target_groups, start=1):
        row = TargetGroup(
            plan=plan_id,
            code=g.code,
            name=g.name,
            description=g.description,
            position=position,
            archived=g.code in definition.archived_groups,
            translations=rules.names_to_store(g.names),
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
                    plan=plan_id,
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
        row = Channel(
            plan=plan_id,
            code=c.code,
            name=c.name,
            kind=c.kind,
            archived=c.code in definition.archived_channels,
        )
        await row.save()
        channel_ids[c.code] = row.id
    activity_ids: dict[str, int] = {}
    for position, a in enumerate(definition.activities, start=1):
        row = Activity(
            plan=plan_id,
            code=a.code,
            title=a.title,
            timing=a.timing,
            starts_on=a.starts_on,
            ends_on=a.ends_on,
            step=a.step,
            responsible=a.responsible,
            status=a.status,
            position=position,
            archived=a.code in definition.archived_activities,
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
                    plan=plan_id,
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
