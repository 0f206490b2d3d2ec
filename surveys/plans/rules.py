"""The rules a plan's parts follow, one function per part, whichever door a part comes through.

A plan file (plan_file.py), the plan pages and the API (editing.py) call these same functions, so what one
door stores every page can show. Each returns the part cleaned, or raises `Invalid` whose `errors` map the
part's fields to Swedish messages (the messages the pages have always shown). Where the doors once
disagreed, the stricter rule is now the rule for all of them.

A door reads its own format first: a form gives texts ("2026-12-31", "70 %"), a plan file gives TOML values
(an unquoted date, 0.7). What the value may be is decided here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from locales import N_
from locales import gettext as _
from surveys.errors import Invalid
from surveys.questionnaires.model import OTHER_LANGUAGES, STEPS

ORGANISATION_KINDS = ("kommun", "region", "annan")
GOAL_STEPS = STEPS  # L1–L4: reach (L0) is an output, never an effect goal
ACTIVITY_STEPS = ("L0", *STEPS)
ACTIVITY_STATUSES = ("planerad", "pågår", "genomförd", "inställd")
STATUS_NAMES = {
    "planerad": N_("Planerad"),
    "pågår": N_("Pågår"),
    "genomförd": N_("Genomförd"),
    "inställd": N_("Inställd"),
}
REACH_METRICS = ("views", "unique_visitors", "impressions", "clicks")
MAX_SIZE = 10_000_000  # people in one target group of one organisation
MAX_REACH_VALUE = 2_147_483_647  # the reach_figure.value column is a 32-bit integer on PostgreSQL
MAX_URL_LENGTH = 2000
ACTIVITY_FIELDS = (
    "title", "starts_on", "ends_on", "timing", "channels", "target_groups", "step", "responsible", "status", "code",
)  # fmt: skip

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
_ASCII = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})
_NUMBER = re.compile(r"^(\d{1,3}(?:[.,]\d+)?|[.,]\d+)(\s*(?:%|procent))?$")
# The one rule for an effect goal's target, said the same way on the goal form, in the API's schema, in the
# plan file's template (data/plan-mall.toml) and on the Excel template's first sheet.
TARGET_RULE = N_(
    "Skriv målet i procent, till exempel 70. Ett tal från 0 till 1 läses som en andel: 0,7 betyder 70 %."
)


@dataclass(frozen=True)
class OrganisationDef:
    code: str
    name: str
    kind: str = "kommun"
    official_code: str = ""  # SCB's kommunkod or länskod when it is a municipality or region


@dataclass(frozen=True)
class PlanHeaderDef:
    code: str
    title: str
    county: str
    description: str
    period_start: date | None
    period_end: date | None


@dataclass(frozen=True)
class TargetGroupDef:
    code: str
    name: str
    description: str = ""
    sizes: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # the name in other languages: {"en": "Managers"}


@dataclass(frozen=True)
class EffectGoalDef:
    target_group: str
    step: str
    target: float  # a share of the target group, 0.01–1
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
class ActivityInput:
    """An activity as a door gives it, not yet checked: texts from a form, or a plan file's values."""

    title: str
    code: str = ""
    starts_on: str | date | None = ""
    ends_on: str | date | None = ""
    timing: str = ""
    channels: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    step: str = "L1"
    responsible: str = ""
    status: str = "planerad"


# --- single values ----------------------------------------------------------------------------------------


def code_from_name(name: str) -> str:
    """'Härnösands kommun' → 'harnosands-kommun': a code people never have to type."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower().translate(_ASCII)).strip("-")
    return slug[:60].rstrip("-") or "x"


def free_code(wanted: str, taken: Collection[str]) -> str:
    """`wanted`, or the first of `wanted-2`, `wanted-3` … that is not taken: a code nobody has to invent."""
    code, number = wanted, 2
    while code in taken:
        code, number = f"{wanted}-{number}", number + 1
    return code


def check_code(code: str, errors: dict[str, str], *, in_file: bool = False) -> None:
    """Codes end up in addresses and files: lower case a–z, digits, '-' and '_', at most 60 characters."""
    if _CODE.match(code):
        return
    errors["code"] = (
        _(
            "Koden får bara innehålla små bokstäver a–z, siffror och bindestreck, högst 60 tecken, "
            "till exempel gnv-webb."
        )
        if in_file
        else _(
            "Koden får bara innehålla små bokstäver a–z, siffror och bindestreck, högst 60 tecken, "
            "till exempel gnv-webb. Lämna rutan tom så skapas en kod av namnet."
        )
    )


def check_text(value: str, field: str, limit: int, missing: str, errors: dict[str, str]) -> str:
    """The text without surrounding space; `missing` (when given) is the message for an empty one."""
    value = value.strip()
    if not value and missing:
        errors[field] = missing
    elif len(value) > limit:
        errors[field] = _("Högst %(max)s tecken.") % {"max": limit}
    return value


def day(value: str | date | None, field: str, errors: dict[str, str]) -> date | None:
    """A day written ÅÅÅÅ-MM-DD, or already a date (a plan file's); blank is no day."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if is_blank(value):
        return None
    try:
        return date.fromisoformat(value.strip() if isinstance(value, str) else "")
    except ValueError:
        errors[field] = _("Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-31.")
        return None


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_group_size(value: object) -> bool:
    """A known number of people: a whole number from 0 to MAX_SIZE (true/false are not numbers)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SIZE


def parse_group_size(text: str) -> int | None:
    """'1 200' → 1200; None when the text is not a size. Blank text is for the caller: unknown."""
    cleaned = re.sub(r"[ \u00a0\u202f]", "", text)
    return int(cleaned) if cleaned.isdigit() and is_group_size(int(cleaned)) else None


def parse_target(value: object) -> float | None:
    """An effect goal's target as the share it stands for (0.7), or None: the one rule for every door.

    Percent means percent: "70", 70, "70 %", "70,5" are 70 % and 70.5 %. A number from 0 to 1 without a
    percent sign is a share, as plan files have always written it: 0.7 and "0,7" are 70 %, and 1 is 100 %.
    With a percent sign it is percent whatever its size: "0,5 %" is half a percent. Decimal comma or point.
    The share must be from 1 % to 100 %: the goal form shows it again in whole percent and tenths, so a
    smaller goal would come back as 0 % and could never be saved again. A yes/no is not a number.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number, percent = float(value), False
    elif isinstance(value, str):
        match = _NUMBER.match(re.sub(r"[ \u00a0\u202f]+", " ", value).strip().lower())
        if not match:
            return None
        number, percent = float(match.group(1).replace(",", ".")), bool(match.group(2))
    else:
        return None
    share = number / 100 if percent or number > 1 else number
    return round(share, 6) if is_target_share(share) else None


def parse_share(text: str) -> float | None:
    """A target as the goal form writes it; the same rule as a file's or the API's (parse_target)."""
    return parse_target(text)


def target_percent(share: float) -> str:
    """0.705 → "70,5", 0.7 → "70", 0.01 → "1 %": a stored share as the goal form shows it.

    The rule reads it back as the same share: at 1 % or less the percent sign says it is not a share.
    """
    text = f"{share * 100:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} %" if share <= 0.01 else text


def is_target_share(share: object) -> bool:
    """A stored share an effect goal may aim at: from 1 % to 100 %, that is 0.01 to 1."""
    return isinstance(share, int | float) and not isinstance(share, bool) and 0.01 <= share <= 1


# --- parts of a plan --------------------------------------------------------------------------------------


def in_order(errors: dict[str, str], fields: tuple[str, ...]) -> dict[str, str]:
    """Errors in the order of the form's fields, so the error summary reads top to bottom."""
    return dict(
        sorted(errors.items(), key=lambda item: fields.index(item[0]) if item[0] in fields else len(fields))
    )


def _refuse(errors: dict[str, str], order: tuple[str, ...] = ()) -> None:
    if errors:
        errors = in_order(errors, order)
        raise Invalid(" ".join(errors.values()), errors=errors)


def plan_header(
    *,
    code: str,
    title: str,
    county: str = "",
    description: str = "",
    period_start: str | date | None = None,
    period_end: str | date | None = None,
    in_file: bool = False,
) -> PlanHeaderDef:
    """A plan's own fields: a code for addresses and files, a title, the county, the period."""
    errors: dict[str, str] = {}
    check_code(code, errors, in_file=in_file)
    title = check_text(title, "title", 300, _("Skriv planens namn."), errors)
    county = check_text(county, "county", 100, "", errors)
    description = check_text(description, "description", 5000, "", errors)
    starts, ends = day(period_start, "period_start", errors), day(period_end, "period_end", errors)
    if starts and ends and ends < starts:
        errors["period_end"] = _("Slutdatumet kan inte vara före startdatumet.")
    _refuse(errors, ("title", "county", "period_start", "period_end", "code", "description"))
    return PlanHeaderDef(code, title, county, description, starts, ends)


def organisation(
    *, name: str, kind: str, code: str | None, in_file: bool = False, official_code: str = ""
) -> OrganisationDef:
    """`code` None: the organisation keeps the code it has. An official code names a municipality or region
    of SCB's list (surveys/plans/official.py): its kind is the list's."""
    from surveys.plans.official import official

    errors: dict[str, str] = {}
    name = check_text(name, "name", 200, _("Skriv organisationens namn."), errors)
    official_code = str(official_code or "").strip()
    if official_code:
        found = official(official_code)
        if found is None:
            errors["official_code"] = _(
                "%(code)s är ingen kommunkod eller länskod. Kommuner har fyra siffror (2480 är Umeå "
                "kommun), regioner två (24 är Region Västerbotten)."
            ) % {"code": official_code}
        else:
            kind = found.kind
    if kind not in ORGANISATION_KINDS:
        errors["kind"] = _("Välj kommun, region eller annan.")
    if code is not None:
        check_code(code, errors, in_file=in_file)
    _refuse(errors)
    return OrganisationDef(code or "", name, kind, official_code)


def target_group(
    *,
    name: str,
    description: str,
    code: str | None,
    in_file: bool = False,
    names: dict[str, object] | None = None,
) -> TargetGroupDef:
    """`code` None: the target group keeps the code it has. Sizes are checked one by one (is_group_size).
    `names`: the name in the questionnaires' other languages, keyed by language; a blank one is none."""
    errors: dict[str, str] = {}
    name = check_text(name, "name", 300, _("Skriv målgruppens namn."), errors)
    description = check_text(description, "description", 2000, "", errors)
    if code is not None:
        check_code(code, errors, in_file=in_file)
    translated = group_names(names or {}, errors)
    _refuse(errors)
    return TargetGroupDef(code or "", name, description, names=translated)


def stored_names(value: object) -> dict[str, str]:
    """A stored `translations` value (JSON text on SQLite, a dict or None elsewhere) as {language: name}."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else None
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def names_to_store(names: dict[str, str]) -> dict[str, str] | None:
    return dict(sorted(names.items())) or None


def group_names(names: dict[str, object], errors: dict[str, str]) -> dict[str, str]:
    """A target group's names in other languages, each checked like the Swedish one (field `name_<lang>`)."""
    found = {}
    for lang, value in names.items():
        where = f"name_{lang}"
        if lang not in OTHER_LANGUAGES:
            errors[where] = _("Språket %(lang)s finns inte; använd %(known)s.") % {
                "lang": lang,
                "known": ", ".join(OTHER_LANGUAGES),
            }
        elif value is not None and not isinstance(value, str):
            errors[where] = _("Skriv namnet som text.")
        elif text := check_text(value or "", where, 300, "", errors):
            found[lang] = text
    return found


def effect_goal(
    *, group: str, step: str, target: object, deadline: str | date | None, wording: str
) -> EffectGoalDef:
    """`target` by the one rule (parse_target): 70, "70 %", "70,5" or a share 0.7, from any door."""
    errors: dict[str, str] = {}
    if step not in GOAL_STEPS:
        errors["step"] = _("Effektmålet för %(group)s har steg %(step)s; använd L1–L4.") % {
            "group": group,
            "step": step,
        }
    share = parse_target(target)
    if share is None:
        errors["target"] = _(
            "Skriv målet i procent, ett tal mellan 1 och 100, till exempel 70. "
            "Ett tal från 0 till 1 läses som en andel: 0,7 betyder 70 %."
        )
    when = day(deadline, "deadline", errors)
    if not wording.strip():
        errors["wording"] = _("Skriv effektmålet med planens egna ord.")
    elif len(wording.strip()) > 1000:
        errors["wording"] = _("Effektmålet får vara högst 1000 tecken.")
    _refuse(errors, ("step", "target", "deadline", "wording"))
    return EffectGoalDef(group, step, float(share), when, wording.strip())  # type: ignore[arg-type]


def channel(*, name: str, kind: str, code: str | None, in_file: bool = False) -> ChannelDef:
    """`code` None: the channel keeps the code it has (files and reach imports use it)."""
    errors: dict[str, str] = {}
    name = check_text(name, "name", 200, _("Skriv kanalens namn, till exempel Intranät."), errors)
    kind = check_text(kind, "kind", 30, "", errors)
    if code is not None:
        check_code(code, errors, in_file=in_file)
    _refuse(errors)
    return ChannelDef(code or "", name, kind)


def activity(
    given: ActivityInput,
    *,
    code: str | None,
    channels: Collection[str],
    groups: Collection[str],
    in_file: bool = False,
) -> ActivityDef:
    """`code` None: not checked (the activity keeps its code, or gets one made from its title).

    `channels` and `groups` are the codes the plan has. Without its own words for when, the activity's
    timing is its period, and a one-day activity ends the day it starts.
    """
    errors: dict[str, str] = {}
    title = check_text(given.title, "title", 1000, _("Skriv vad aktiviteten är."), errors)
    starts, ends = day(given.starts_on, "starts_on", errors), day(given.ends_on, "ends_on", errors)
    if ends and not starts and "starts_on" not in errors:
        errors["starts_on"] = _("Skriv när perioden börjar, eller bara ett datum i den här rutan.")
    if starts and ends and ends < starts:
        errors["ends_on"] = _("Slutdatumet kan inte vara före startdatumet.")
    timing = check_text(given.timing, "timing", 200, "", errors)
    if not timing and is_blank(given.starts_on) and is_blank(given.ends_on):
        errors["starts_on"] = _("Ange ett datum, en period eller med egna ord när, till exempel Löpande.")
    if given.step not in ACTIVITY_STEPS:
        errors["step"] = _("Välj vilket steg aktiviteten ska påverka.")
    if given.status not in ACTIVITY_STATUSES:
        errors["status"] = _("Välj planerad, pågår, genomförd eller inställd.")
    responsible = check_text(given.responsible, "responsible", 300, "", errors)
    if code is not None:
        check_code(code, errors, in_file=in_file)
    if any(c not in channels for c in given.channels):
        errors["channels"] = _("Välj kanaler som finns i planen.")
    if any(g not in groups for g in given.target_groups):
        errors["target_groups"] = _("Välj målgrupper som finns i planen.")
    _refuse(errors, ACTIVITY_FIELDS)
    if not timing and starts:
        timing = starts.isoformat() + (f" – {ends.isoformat()}" if ends and ends != starts else "")
    return ActivityDef(
        code=code or "",
        title=title,
        timing=timing,
        starts_on=starts,
        ends_on=ends or starts,
        channels=tuple(dict.fromkeys(given.channels)),
        target_groups=tuple(dict.fromkeys(given.target_groups)),
        step=given.step,
        responsible=responsible,
        status=given.status,
    )
