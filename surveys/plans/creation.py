"""Whole plans: a new plan (with the county's region and municipalities in one choice), a copy of an
earlier plan as next year's start, archiving a plan that is done, deleting one that was never used."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from locales import gettext as _
from surveys import caches
from surveys.accounts import audit
from surveys.db.engine import write_transaction
from surveys.db.tables import (
    Meeting,
    Organisation,
    Plan,
    PlanOrganisation,
    TargetGroup,
    TargetGroupSize,
    Wave,
)
from surveys.errors import Conflict, Invalid
from surveys.plans import rules
from surveys.plans.lookup import plan_row
from surveys.plans.official import county as find_county
from surveys.plans.official import official
from surveys.plans.plan_file import PlanDef, official_code_for, store_plan
from surveys.plans.rules import OrganisationDef, code_from_name

# Which organisations a new plan starts with, when it names a county.
WHOLE_COUNTY = "county"  # the region and every municipality of the county
REGION_ONLY = "region"
NONE = "none"
ORGANISATION_CHOICES = (WHOLE_COUNTY, REGION_ONLY, NONE)

_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_RANGE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:/|–|-{1,2}|till)\s*(\d{4}-\d{2}-\d{2})\s*$")


@dataclass(frozen=True)
class NewPlan:
    """A new plan as a door gives it, not yet checked: texts from the form, values from the API."""

    title: str
    county: str = ""  # a county's code or name ("14", "Västra Götaland"), or blank
    period_start: str | date | None = ""
    period_end: str | date | None = ""
    code: str = ""  # blank: made from the county and year, or the title
    description: str = ""
    organisations: str = WHOLE_COUNTY  # with a county: one of ORGANISATION_CHOICES
    official_codes: tuple[str, ...] = ()  # more municipalities or regions by SCB code
    others: tuple[OrganisationDef, ...] = ()  # organisations outside the official list, not yet checked
    copy_from: str = ""  # the code of an earlier plan to start from
    # Names, one per line (the new-plan form's text boxes), checked as the plan's own pages check them.
    target_groups: str = ""
    channels: str = ""


def period_from_text(text: str) -> tuple[date | None, date | None] | None:
    """ "2027" → the year; "2027-01-01/2027-12-31" → those days; None when it is neither."""
    if match := _YEAR.match(text or ""):
        year = int(match.group(1))
        return date(year, 1, 1), date(year, 12, 31)
    if match := _RANGE.match(text or ""):
        try:
            return date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
        except ValueError:
            return None
    return None


async def _free_code(wanted: str) -> str:
    taken = {r["code"] for r in await Plan.select(Plan.code).where(Plan.code.like(f"{wanted}%"))}
    code, number = wanted, 2
    while code in taken:
        suffix = f"-{number}"
        code, number = wanted[: 60 - len(suffix)] + suffix, number + 1
    return code


async def create_plan(given: NewPlan) -> str:
    """Make a plan; its code. From an earlier plan (`copy_from`): its target groups with their sizes, goals,
    channels, activities (back to planerad) and organisations, never its waves, answers, reach or meetings.
    All or nothing: any refusal names its field and stores nothing."""
    errors: dict[str, str] = {}
    found_county = find_county(given.county) if given.county.strip() else None
    if given.county.strip() and found_county is None:
        errors["county"] = _("Välj ett av Sveriges 21 län, eller inget.")
    if given.organisations not in ORGANISATION_CHOICES:
        errors["organisations"] = _("Välj vilka organisationer planen börjar med.")
    source = None
    if given.copy_from.strip():
        from surveys.plans.plan_export import plan_definition

        try:
            await plan_row(given.copy_from.strip())
            source = await plan_definition(given.copy_from.strip())
        except Exception:  # NotFound: said on the field, with the other problems
            errors["copy_from"] = _("Välj en plan som finns att utgå från.")
    typed = given.code.strip()
    year = ""
    starts = given.period_start
    if isinstance(starts, date):
        year = str(starts.year)
    elif isinstance(starts, str) and re.match(r"^\d{4}", starts.strip()):
        year = starts.strip()[:4]
    wanted = typed or code_from_name(
        " ".join(p for p in ((found_county.short if found_county else given.title), year) if p)
    )
    try:
        header = rules.plan_header(
            code=wanted,
            title=given.title,
            county=found_county.short if found_county else "",
            description=given.description,
            period_start=given.period_start,
            period_end=given.period_end,
        )
    except Invalid as refused:
        errors.update(refused.errors)
        header = None
    others = []
    for number, other in enumerate(given.others, start=1):
        try:
            others.append(
                rules.organisation(
                    name=other.name, kind=other.kind, code=other.code or code_from_name(other.name)
                )
            )
        except Invalid as refused:
            errors.update({f"organisations[{number}].{field}": m for field, m in refused.errors.items()})
    groups = _from_lines(given.target_groups, "target_groups", errors)
    channels = _from_lines(given.channels, "channels", errors)
    if source is not None:  # a copy has the earlier plan's; more are added on the plan's own pages
        for field, parts in (("target_groups", groups), ("channels", channels)):
            if parts:
                errors[field] = _(
                    "En kopia får den tidigare planens målgrupper och kanaler; lägg till fler på planens sidor."
                )
    unknown = [c for c in given.official_codes if official(c) is None]
    if unknown:
        errors["official_codes"] = _("%(codes)s finns inte i listan över kommuner och regioner.") % {
            "codes": ", ".join(unknown)
        }
    if errors:
        order = (
            "title",
            "county",
            "period_start",
            "period_end",
            "organisations",
            "official_codes",
            "target_groups",
            "channels",
            "copy_from",
        )
        raise Invalid.fields(rules.in_order(errors, (*order, "code")))
    assert header is not None
    organisations = _organisations(replace(given, others=tuple(others)), found_county, source)
    async with write_transaction():
        if typed and await Plan.exists().where(Plan.code == typed):
            raise Invalid.fields({"code": _("Det finns redan en plan med koden %(code)s.") % {"code": typed}})
        code = typed or await _free_code(header.code)
        if source is None:
            definition = PlanDef(
                code, header.title, header.county, header.description, header.period_start,
                header.period_end, organisations, groups, (), channels, (),
            )  # fmt: skip
        else:
            definition = _next_from(source, code, header, organisations)
        await store_plan(definition)
        await audit.record_action(
            audit.Action.PLAN_CREATED,
            audit.named("Plan", code, header.title),
            f"kopia av plan {source.code}" if source is not None else f"{len(organisations)} organisationer",
        )
    caches.after_plan_change()
    return code


def _from_lines(text: str, field: str, errors: dict[str, str]) -> tuple:
    """Target groups (`field` "target_groups") or channels, one name a line, with codes made from the names;
    the first problem is said on the field with its line number."""
    found: list = []
    codes: set[str] = set()
    numbered = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    for number, name in numbered:
        try:
            if field == "target_groups":
                part = rules.target_group(name=name, description="", code=code_from_name(name))
            else:
                part = rules.channel(name=name, kind="", code=code_from_name(name))
        except Invalid as refused:
            errors.setdefault(
                field, _("Rad %(line)s: %(problem)s") % {"line": number, "problem": refused.message}
            )
            continue
        if part.code in codes:
            errors.setdefault(
                field, _("Rad %(line)s: %(name)s finns redan i listan.") % {"line": number, "name": name}
            )
            continue
        codes.add(part.code)
        found.append(part)
    return tuple(found)


def _organisations(given: NewPlan, county, source: PlanDef | None) -> tuple[OrganisationDef, ...]:
    chosen: list[OrganisationDef] = []
    if source is not None:
        chosen = [o for o in source.organisations if o.code not in source.inactive_organisations]
    elif county is not None and given.organisations != NONE:
        members = county.members if given.organisations == WHOLE_COUNTY else (county.region,)
        chosen = [OrganisationDef(official_code_for(o.code), o.name, o.kind, o.code) for o in members]
    have = {o.official_code for o in chosen if o.official_code}
    for code in given.official_codes:
        listed = official(code)
        if listed and listed.code not in have:
            chosen.append(
                OrganisationDef(official_code_for(listed.code), listed.name, listed.kind, listed.code)
            )
            have.add(listed.code)
    chosen += list(given.others)
    taken: set[str] = set()
    unique = []
    for org in chosen:
        code, number = org.code, 2
        while code in taken:
            code, number = f"{org.code[:56]}-{number}", number + 1
        taken.add(code)
        unique.append(replace(org, code=code))
    return tuple(unique)


def _next_from(source: PlanDef, code: str, header, organisations: tuple[OrganisationDef, ...]) -> PlanDef:
    """The earlier plan's content for the new plan: what is still in use, activities planned anew."""
    kept_orgs = {o.code for o in organisations}
    groups = tuple(
        replace(g, sizes={org: n for org, n in g.sizes.items() if org in kept_orgs})
        for g in source.target_groups
        if g.code not in source.archived_groups
    )
    group_codes = {g.code for g in groups}
    channels = tuple(c for c in source.channels if c.code not in source.archived_channels)
    channel_codes = {c.code for c in channels}
    activities = tuple(
        replace(
            a,
            status="planerad",
            channels=tuple(c for c in a.channels if c in channel_codes),
            target_groups=tuple(g for g in a.target_groups if g in group_codes),
        )
        for a in source.activities
        if a.code not in source.archived_activities
    )
    return PlanDef(
        code=code,
        title=header.title,
        county=header.county or source.county,
        description=header.description or source.description,
        period_start=header.period_start,
        period_end=header.period_end,
        organisations=organisations,
        target_groups=groups,
        effect_goals=tuple(g for g in source.effect_goals if g.target_group in group_codes),
        channels=channels,
        activities=activities,
    )


async def archive_plan(code: str, archived: bool = True, *, now=None) -> None:
    """An archived plan keeps its waves, results and meetings, and is not offered for new work.

    Refused while one of its waves is open: close the wave first, so no answers arrive to a plan no one
    follows any more.
    """
    plan = await plan_row(code)
    if archived and now is not None:
        open_waves = await Wave.select(Wave.title).where(
            (Wave.plan == plan["id"])
            & (Wave.opens_at <= now)
            & (Wave.closes_at > now)
            & Wave.closed_early.eq(False)
        )
        if open_waves:
            raise Conflict(
                _("Planen kan inte arkiveras medan mätomgången %(names)s är öppen. Stäng den först.")
                % {"names": ", ".join(f"”{w['title']}”" for w in open_waves)}
            )
    async with write_transaction():
        await Plan.update({Plan.archived: archived}).where(Plan.id == plan["id"])
        await audit.record_action(
            audit.Action.PLAN_ARCHIVED,
            audit.named("Plan", code, plan["title"]),
            "arkiverad" if archived else "återställd från arkivet",
        )
    caches.after_plan_change()


async def delete_plan(code: str) -> None:
    """Only a plan without waves or meetings can be deleted; one with history is archived instead."""
    plan = await plan_row(code)
    async with write_transaction():
        waves = await Wave.count().where(Wave.plan == plan["id"])
        meetings = await Meeting.count().where(Meeting.plan == plan["id"])
        if waves or meetings:
            raise Conflict(
                _(
                    "Planen %(title)s kan inte tas bort eftersom den har mätomgångar eller möten. "
                    "Arkivera den i stället: då finns resultaten kvar."
                )
                % {"title": plan["title"]}
            )
        # Organisations first: the links to them refuse to let them go before the links do.
        await PlanOrganisation.delete().where(PlanOrganisation.plan == plan["id"])
        groups = [
            r["id"] for r in await TargetGroup.select(TargetGroup.id).where(TargetGroup.plan == plan["id"])
        ]
        if groups:
            await TargetGroupSize.delete().where(TargetGroupSize.target_group.is_in(groups))
        await Organisation.delete().where(Organisation.plan == plan["id"])
        await Plan.delete().where(Plan.id == plan["id"])
        await audit.record_action(audit.Action.PLAN_DELETED, audit.named("Plan", code, plan["title"]))
    caches.after_plan_change()


async def change_plan(
    code: str,
    *,
    title: str,
    county: str = "",
    description: str = "",
    period_start: str | date | None = "",
    period_end: str | date | None = "",
) -> None:
    """A plan's own fields: name, county (code or name, or blank), description, period. Its code stays."""
    await plan_row(code)
    errors: dict[str, str] = {}
    found = find_county(county) if county.strip() else None
    if county.strip() and found is None:
        errors["county"] = _("Välj ett av Sveriges 21 län, eller inget.")
    try:
        header = rules.plan_header(
            code=code,
            title=title,
            county=found.short if found else "",
            description=description,
            period_start=period_start,
            period_end=period_end,
        )
    except Invalid as refused:
        errors.update(refused.errors)
    if errors:
        raise Invalid.fields(rules.in_order(errors, ("title", "county", "period_start", "period_end")))
    async with write_transaction():
        await Plan.update(
            {
                Plan.title: header.title,
                Plan.county: header.county,
                Plan.description: header.description,
                Plan.period_start: header.period_start,
                Plan.period_end: header.period_end,
            }
        ).where(Plan.code == code)
        await audit.record_action(
            audit.Action.PLAN_CHANGED,
            audit.named("Plan", code, header.title),
            "namn, län, beskrivning, period",
        )
    caches.after_plan_change()
