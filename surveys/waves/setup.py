"""Creating waves (mätomgångar) for a plan's target groups and organisations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from locales import gettext as _
from surveys import caches
from surveys.accounts import audit
from surveys.db import tallies
from surveys.db.engine import write_transaction
from surveys.db.tables import (
    Plan,
    PlanOrganisation,
    Questionnaire,
    QuestionnaireVersion,
    TargetGroup,
    Wave,
    WaveOrganisation,
    WaveTargetGroup,
)
from surveys.errors import Conflict, Invalid, NotFound
from surveys.waves.lookup import WaveForm, find_wave

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{2,79}$")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


class WaveError(Invalid, ValueError):
    """The wave cannot be created as asked; `problems` says each thing to fix, in the order of the form,
    and `errors` the same by field (slug, title, opens, closes, questionnaire, target_group, organisation)."""

    def __init__(self, problems: list[str], errors: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(problems), errors=errors)
        self.problems = problems


class PastWave(WaveError):
    """A wave that would close before it is made: asked again, with the person's confirmation."""


def _no_wave(slug: str) -> NotFound:
    return NotFound(_("Det finns ingen mätomgång med adressnamnet %(slug)s.") % {"slug": slug})


async def wave_to_manage(slug: str) -> WaveForm:
    """The wave a communicator names by its address name; NotFound when there is none."""
    wave = await find_wave(slug)
    if wave is None:
        raise _no_wave(slug)
    return wave


@dataclass(frozen=True)
class WavePlan:
    id: int
    code: str


async def wave_plan(slug: str) -> WavePlan:
    """The plan a wave belongs to: its channels check the questionnaire, its goals plan the next wave."""
    row = (
        await Wave.select(Wave.plan.id.as_alias("id"), Wave.plan.code.as_alias("code"))
        .where(Wave.slug == slug)
        .first()
    )
    if row is None:
        raise _no_wave(slug)
    return WavePlan(row["id"], row["code"])


@dataclass(frozen=True)
class QuestionnaireChoice:
    code: str
    title: str
    own: bool  # the plan's own; otherwise not yet any plan's, and becomes this plan's with the wave


async def plan_questionnaires(plan_code: str) -> list[QuestionnaireChoice]:
    """The questionnaires a wave of this plan may use: the plan's own, then those no plan has yet.

    Another plan's questionnaire is never offered: its channels and target groups are that plan's.
    """
    plan = await Plan.select(Plan.id).where(Plan.code == plan_code).first()
    if plan is None:
        return []
    rows = await Questionnaire.select(Questionnaire.code, Questionnaire.title, Questionnaire.plan).where(
        (Questionnaire.plan == plan["id"]) | Questionnaire.plan.is_null()
    )
    choices = [QuestionnaireChoice(r["code"], r["title"], r["plan"] == plan["id"]) for r in rows]
    return sorted(choices, key=lambda q: (not q.own, q.title.lower()))


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
    now: datetime | None = None,
    past_confirmed: bool = False,
) -> int:
    """Create a wave on the questionnaire's latest version; None for groups or organisations means all.

    The questionnaire must be the plan's (one that no plan has yet becomes the plan's). A time of None is
    one the person wrote so that it could not be read. Given `now` (the pages and the API give it), a wave
    that would already have closed is refused with PastWave unless `past_confirmed`: a wave for answers
    collected on paper is possible, but never by mistake. WaveError lists every problem. Call inside a
    transaction.
    """
    errors: dict[str, str] = {}
    if not _SLUG.match(slug):
        errors["slug"] = _("Adressnamnet (slug) får bara innehålla a–z, 0–9 och bindestreck, 3–80 tecken.")
    elif await Wave.exists().where(Wave.slug == slug):
        errors["slug"] = _("Det finns redan en mätomgång med adressnamnet %(slug)s.") % {"slug": slug}
    if not title.strip():
        errors["title"] = _("Mätomgången behöver en titel.")
    if opens_at is None or closes_at is None:
        errors["opens" if opens_at is None else "closes"] = _(
            "Skriv när mätomgången öppnar och stänger, till exempel 2027-03-01 08:00."
        )
    elif opens_at.tzinfo is None or closes_at.tzinfo is None:
        errors["opens"] = _("Ange tider med tidszon.")
    elif closes_at <= opens_at:
        errors["closes"] = _("Mätomgången måste stänga efter att den öppnar.")
    plan = await Plan.select(Plan.id, Plan.archived).where(Plan.code == plan_code).first()
    if plan is None:
        errors["plan"] = _("Det finns ingen plan med koden %(code)s.") % {"code": plan_code}
        raise WaveError(list(errors.values()), errors)
    if plan["archived"]:
        errors["plan"] = _("Planen är arkiverad. Återställ den först om den ska få en ny mätomgång.")
    questionnaire = (
        await Questionnaire.select(Questionnaire.id, Questionnaire.plan, Questionnaire.title)
        .where(Questionnaire.code == questionnaire_code)
        .first()
    )
    version = None
    if questionnaire is None:
        errors["questionnaire"] = _("Det finns ingen enkät med koden %(code)s.") % {
            "code": questionnaire_code
        }
    elif questionnaire["plan"] not in (None, plan["id"]):
        errors["questionnaire"] = _(
            "Enkäten %(title)s hör till en annan plan. Välj en av planens enkäter, eller kopiera enkäten "
            "till den här planen först."
        ) % {"title": questionnaire["title"]}
    else:
        version = (
            await QuestionnaireVersion.select(QuestionnaireVersion.id)
            .where(QuestionnaireVersion.questionnaire == questionnaire["id"])
            .order_by(QuestionnaireVersion.number, ascending=False)
            .first()
        )
        if version is None:
            errors["questionnaire"] = _("Enkäten har ingen version än.")
    group_rows = await TargetGroup.select(TargetGroup.id, TargetGroup.code, TargetGroup.archived).where(
        TargetGroup.plan == plan["id"]
    )
    groups = {r["code"]: r["id"] for r in group_rows if not r["archived"]}
    archived_groups = {r["code"] for r in group_rows if r["archived"]}
    org_rows = await PlanOrganisation.select(
        PlanOrganisation.organisation.id.as_alias("id"), PlanOrganisation.organisation.code.as_alias("code")
    ).where(PlanOrganisation.plan == plan["id"])
    orgs = {r["code"]: r["id"] for r in org_rows}
    chosen_groups = list(groups) if target_groups is None else list(dict.fromkeys(target_groups))
    chosen_orgs = list(orgs) if organisations is None else list(dict.fromkeys(organisations))
    unknown = [c for c in chosen_groups if c not in groups]
    if unknown:
        errors["target_group"] = " ".join(
            (
                _("Målgruppen %(code)s är arkiverad.")
                if code in archived_groups
                else _("Planen har ingen målgrupp med koden %(code)s.")
            )
            % {"code": code}
            for code in unknown
        )
    elif not chosen_groups:
        errors["target_group"] = _("Välj minst en målgrupp.")
    unknown = [c for c in chosen_orgs if c not in orgs]
    if unknown:
        errors["organisation"] = " ".join(
            _("Planen har ingen organisation med koden %(code)s.") % {"code": code} for code in unknown
        )
    elif organisations is not None and not organisations:
        errors["organisation"] = _("Välj minst en organisation.")
    if errors:
        order = ("plan", "questionnaire", "title", "slug", "opens", "closes", "target_group", "organisation")
        errors = dict(sorted(errors.items(), key=lambda item: order.index(item[0])))
        raise WaveError(list(errors.values()), errors)
    if now is not None and closes_at <= now and not past_confirmed:
        message = _(
            "Mätomgången stänger %(closes)s, som redan har varit, så ingen kan svara på den. Rätta datumen, "
            "eller bekräfta att den ska skapas ändå (till exempel för svar som samlats in på papper)."
        ) % {"closes": closes_at.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")}
        raise PastWave([message], {"closes": message})
    assert version is not None and questionnaire is not None
    if questionnaire["plan"] is None:
        await Questionnaire.update({Questionnaire.plan: plan["id"]}).where(
            Questionnaire.id == questionnaire["id"]
        )
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
    await audit.record_action(
        audit.Action.WAVE_CREATED,
        wave_object(slug, title),
        f"plan {plan_code}, öppen {_minute(opens_at)} – {_minute(closes_at)}",
    )
    # The address may have been asked for (and found empty) before: no worker keeps that answer, but a
    # wave read under way must not outlive the change.
    caches.after_wave_change()
    return wave.id


def wave_object(slug: str, title: str) -> str:
    """The wave as the audit log names it."""
    return audit.named("Mätomgång", slug, title)


def _minute(moment: datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class WaveListing:
    slug: str
    title: str
    plan_title: str
    opens_at: datetime
    closes_at: datetime
    closed_early: bool
    responses: int
    plan_code: str = ""
    archived: bool = False

    def status(self, now: datetime) -> str:
        if now < self.opens_at:
            return "not_open"
        if self.closed_early or now >= self.closes_at:
            return "closed"
        return "open"


async def list_waves(*, plan_code: str | None = None, archived: bool = False) -> list[WaveListing]:
    """Waves, the newest first: all plans' or one plan's; archived ones only when asked for."""
    counts = await tallies.respondents_per_wave()
    query = Wave.select(
        Wave.id,
        Wave.slug,
        Wave.title,
        Wave.opens_at,
        Wave.closes_at,
        Wave.closed_early,
        Wave.archived,
        Wave.plan.title.as_alias("plan"),
        Wave.plan.code.as_alias("plan_code"),
    ).where(Wave.archived == archived)
    if plan_code is not None:
        query = query.where(Wave.plan.code == plan_code)
    rows = await query.order_by(Wave.opens_at, ascending=False)
    return [
        WaveListing(
            r["slug"],
            r["title"],
            r["plan"],
            r["opens_at"],
            r["closes_at"],
            r["closed_early"],
            counts.get(r["id"], 0),
            r["plan_code"],
            r["archived"],
        )
        for r in rows
    ]


async def delete_wave(slug: str) -> None:
    """Delete a wave nobody has answered, with its links and unused codes; one with answers is archived.

    The rule of surveys/plans/usage.py: answers (stored, or kept as counts after retention) are never
    destroyed by a deletion.
    """
    from surveys.db.tables import AccessCode, WaveRelease
    from surveys.plans.usage import wave_uses

    async with write_transaction():
        row = await Wave.select(Wave.id, Wave.title).where(Wave.slug == slug).first()
        if row is None:
            raise _no_wave(slug)
        uses = await wave_uses(row["id"])
        if uses.answers:
            message = _(
                "Mätomgången %(title)s kan inte tas bort eftersom den har %(uses)s. Arkivera den i stället: "
                "då stängs den och syns inte i listorna, men svaren finns kvar i resultaten."
            ) % {"title": row["title"], "uses": uses.described()}
            raise Conflict(message, errors={"wave": message})
        await AccessCode.delete().where(AccessCode.wave == row["id"])
        await WaveRelease.delete().where(WaveRelease.wave == row["id"])
        await WaveTargetGroup.delete().where(WaveTargetGroup.wave == row["id"])
        await WaveOrganisation.delete().where(WaveOrganisation.wave == row["id"])
        await Wave.delete().where(Wave.id == row["id"])
        await audit.record_action(audit.Action.WAVE_DELETED, wave_object(slug, row["title"]))
    caches.after_wave_change()


async def archive_wave(slug: str, archived: bool = True) -> None:
    """Archived: closed at once, out of the lists, its answers kept for the results."""
    values = {Wave.archived: archived}
    if archived:
        values[Wave.closed_early] = True
    async with write_transaction():
        changed = await Wave.update(values).where(Wave.slug == slug).returning(Wave.id, Wave.title)
        if changed:
            await audit.record_action(
                audit.Action.WAVE_ARCHIVED,
                wave_object(slug, changed[0]["title"]),
                "arkiverad och stängd" if archived else "återställd från arkivet",
            )
    caches.after_wave_change()
    if not changed:
        raise _no_wave(slug)


async def close_early(slug: str) -> None:
    """Stop taking answers now; the wave keeps its planned dates for the record."""
    async with write_transaction():
        changed = (
            await Wave.update({Wave.closed_early: True})
            .where(Wave.slug == slug)
            .returning(Wave.id, Wave.title)
        )
        if changed:
            await audit.record_action(audit.Action.WAVE_CLOSED, wave_object(slug, changed[0]["title"]))
    caches.after_wave_change()
    if not changed:
        raise _no_wave(slug)


async def reopen(slug: str, now: datetime) -> None:
    """Undo an early close; only before the planned closing time, so a finished wave stays finished."""
    async with write_transaction():
        row = (
            await Wave.select(Wave.closes_at, Wave.closed_early, Wave.title).where(Wave.slug == slug).first()
        )
        if row is None:
            raise _no_wave(slug)
        if now >= row["closes_at"]:
            raise Conflict(_("Mätomgången har passerat sitt stängningsdatum och kan inte öppnas igen."))
        await Wave.update({Wave.closed_early: False}).where(Wave.slug == slug)
        if row["closed_early"]:
            await audit.record_action(audit.Action.WAVE_REOPENED, wave_object(slug, row["title"]))
    caches.after_wave_change()
