"""Creating waves (mätomgångar) for a plan's target groups and organisations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from locales import gettext as _
from surveys import caches
from surveys.db import tallies
from surveys.db.tables import (
    Plan,
    PlanOrganisation,
    QuestionnaireVersion,
    TargetGroup,
    Wave,
    WaveOrganisation,
    WaveTargetGroup,
)
from surveys.errors import Conflict, Invalid, NotFound
from surveys.waves.lookup import WaveForm, find_wave

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{2,79}$")


class WaveError(Invalid, ValueError):
    """The wave cannot be created as asked; `problems` says each thing to fix, in the order of the form."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _no_wave(slug: str) -> NotFound:
    return NotFound(_("Det finns ingen mätomgång med adressnamnet %(slug)s.") % {"slug": slug})


async def wave_to_manage(slug: str) -> WaveForm:
    """The wave a communicator names by its address name; NotFound when there is none."""
    wave = await find_wave(slug)
    if wave is None:
        raise _no_wave(slug)
    return wave


async def create_wave(
    *,
    plan_code: str,
    questionnaire_code: str,
    slug: str,
    title: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    target_groups: list[str] | None = None,
    organisations: list[str] | None = None,
    intro: str = "",
) -> int:
    """Create a wave on the questionnaire's latest version; None for groups or organisations means all.

    A time of None is one the person wrote so that it could not be read. WaveError lists every problem.
    Call inside a transaction.
    """
    problems: list[str] = []
    if not _SLUG.match(slug):
        problems.append(_("Adressnamnet (slug) får bara innehålla a–z, 0–9 och bindestreck, 3–80 tecken."))
    elif await Wave.exists().where(Wave.slug == slug):
        problems.append(_("Det finns redan en mätomgång med adressnamnet %(slug)s.") % {"slug": slug})
    if not title.strip():
        problems.append(_("Mätomgången behöver en titel."))
    if opens_at is None or closes_at is None:
        problems.append(_("Skriv när mätomgången öppnar och stänger, till exempel 2027-03-01 08:00."))
    elif opens_at.tzinfo is None or closes_at.tzinfo is None:
        problems.append(_("Ange tider med tidszon."))
    elif closes_at <= opens_at:
        problems.append(_("Mätomgången måste stänga efter att den öppnar."))
    plan = await Plan.select(Plan.id).where(Plan.code == plan_code).first()
    if plan is None:
        raise WaveError([*problems, _("Det finns ingen plan med koden %(code)s.") % {"code": plan_code}])
    version = (
        await QuestionnaireVersion.select(QuestionnaireVersion.id)
        .where(QuestionnaireVersion.questionnaire.code == questionnaire_code)
        .order_by(QuestionnaireVersion.number, ascending=False)
        .first()
    )
    if version is None:
        problems.append(_("Det finns ingen enkät med koden %(code)s.") % {"code": questionnaire_code})
    group_rows = await TargetGroup.select(TargetGroup.id, TargetGroup.code).where(
        TargetGroup.plan == plan["id"]
    )
    groups = {r["code"]: r["id"] for r in group_rows}
    org_rows = await PlanOrganisation.select(
        PlanOrganisation.organisation.id.as_alias("id"), PlanOrganisation.organisation.code.as_alias("code")
    ).where(PlanOrganisation.plan == plan["id"])
    orgs = {r["code"]: r["id"] for r in org_rows}
    chosen_groups = list(groups) if target_groups is None else target_groups
    chosen_orgs = list(orgs) if organisations is None else organisations
    for code in chosen_groups:
        if code not in groups:
            problems.append(_("Planen har ingen målgrupp med koden %(code)s.") % {"code": code})
    for code in chosen_orgs:
        if code not in orgs:
            problems.append(_("Planen har ingen organisation med koden %(code)s.") % {"code": code})
    if not chosen_groups:
        problems.append(_("Välj minst en målgrupp."))
    if organisations is not None and not organisations:
        problems.append(_("Välj minst en organisation."))
    if problems:
        raise WaveError(problems)
    wave = Wave(
        slug=slug,
        title=title.strip(),
        plan=plan["id"],
        version=version["id"],
        intro=intro,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    await wave.save()
    await WaveTargetGroup.insert(
        *(WaveTargetGroup(wave=wave.id, target_group=groups[c]) for c in chosen_groups)
    )
    if chosen_orgs:
        await WaveOrganisation.insert(
            *(WaveOrganisation(wave=wave.id, organisation=orgs[c]) for c in chosen_orgs)
        )
    # The address may have been asked for (and found empty) before: no worker keeps that answer, but a
    # wave read under way must not outlive the change.
    caches.after_wave_change()
    return wave.id


@dataclass(frozen=True)
class WaveListing:
    slug: str
    title: str
    plan_title: str
    opens_at: datetime
    closes_at: datetime
    closed_early: bool
    responses: int

    def status(self, now: datetime) -> str:
        if now < self.opens_at:
            return "not_open"
        if self.closed_early or now >= self.closes_at:
            return "closed"
        return "open"


async def list_waves() -> list[WaveListing]:
    counts = await tallies.respondents_per_wave()
    rows = await Wave.select(
        Wave.id,
        Wave.slug,
        Wave.title,
        Wave.opens_at,
        Wave.closes_at,
        Wave.closed_early,
        Wave.plan.title.as_alias("plan"),
    ).order_by(Wave.opens_at, ascending=False)
    return [
        WaveListing(
            r["slug"],
            r["title"],
            r["plan"],
            r["opens_at"],
            r["closes_at"],
            r["closed_early"],
            counts.get(r["id"], 0),
        )
        for r in rows
    ]


async def close_early(slug: str) -> None:
    """Stop taking answers now; the wave keeps its planned dates for the record."""
    changed = await Wave.update({Wave.closed_early: True}).where(Wave.slug == slug).returning(Wave.id)
    caches.after_wave_change()
    if not changed:
        raise _no_wave(slug)


async def reopen(slug: str, now: datetime) -> None:
    """Undo an early close; only before the planned closing time, so a finished wave stays finished."""
    row = await Wave.select(Wave.closes_at, Wave.closed_early).where(Wave.slug == slug).first()
    if row is None:
        raise _no_wave(slug)
    if now >= row["closes_at"]:
        raise Conflict(_("Mätomgången har passerat sitt stängningsdatum och kan inte öppnas igen."))
    await Wave.update({Wave.closed_early: False}).where(Wave.slug == slug)
    caches.after_wave_change()
