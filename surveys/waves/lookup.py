"""Waves (mätomgångar) as a respondent meets them: open or not, and what the form asks."""

from __future__ import annotations

import asyncio
import contextvars
import enum
import time
import weakref
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from locales import gettext as _
from surveys.db.tables import Wave, WaveOrganisation, WaveTargetGroup
from surveys.errors import NotFound
from surveys.plans.rules import stored_names
from surveys.questionnaires.model import QuestionnaireDef
from surveys.questionnaires.storage import load_version

# Who may answer a wave changes rarely; each worker keeps it briefly and rebuilds it on its own.
_CHOICES_TTL_SECONDS = 30.0
_choices_cache: dict[int, tuple[float, tuple[Choice, ...], tuple[Choice, ...]]] = {}
# The wave itself (title, dates, closed early) is read on every form view and submission. A worker keeps
# it for two seconds: a change made through this worker is seen at once (surveys/caches.py), one made through
# another worker or server within two seconds, and the respondent's page costs no database query.
_WAVE_TTL_SECONDS = 2.0
# One read of a wave at a time, shared by every request that needs it (its result or its error); when a copy
# is due, the others keep answering from it meanwhile (for at most this long). Under load, every request
# reading it at once queued up behind SQLite's one reader connection and stalled the form page for up to a
# second every few seconds; sharing the outcome also means a database outage costs one failed read per
# wave, not one per waiting request in turn.
_WAVE_STALE_SECONDS = 5.0
_WAVE_CACHE_SIZE = 256
_wave_cache: dict[str, tuple[float, WaveForm]] = {}
_reads: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Task]] = (
    weakref.WeakKeyDictionary()
)
# Bumped by forget_wave(), so a read that began before a change cannot put the old wave back.
_generation = 0


class WaveStatus(enum.StrEnum):
    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Choice:
    id: int
    code: str
    name: str
    names: tuple[tuple[str, str], ...] = ()  # a target group's name in other languages, (language, name)

    def name_in(self, language: str) -> tuple[str, str]:
        """The name to show a respondent answering in `language`, and the language it is in: the plan's
        Swedish name where no other is given."""
        return next(((name, lang) for lang, name in self.names if lang == language), (self.name, "sv"))


@dataclass(frozen=True)
class WaveSummary:
    slug: str
    title: str
    plan_title: str
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True)
class WaveForm:
    id: int
    slug: str
    title: str
    intro: str
    plan_title: str
    opens_at: datetime
    closes_at: datetime
    closed_early: bool
    uses_codes: bool
    version_id: int
    questionnaire: QuestionnaireDef
    organisations: tuple[Choice, ...]
    target_groups: tuple[Choice, ...]

    def status(self, now: datetime) -> WaveStatus:
        if now < self.opens_at:
            return WaveStatus.NOT_OPEN
        if self.closed_early or now >= self.closes_at:
            return WaveStatus.CLOSED
        return WaveStatus.OPEN

    def organisation(self, code: str) -> Choice | None:
        return next((c for c in self.organisations if c.code == code), None)

    def target_group(self, code: str) -> Choice | None:
        return next((c for c in self.target_groups if c.code == code), None)

    @property
    def asks_organisation(self) -> bool:
        return len(self.organisations) > 1

    @property
    def asks_target_group(self) -> bool:
        return len(self.target_groups) > 1


async def find_wave(slug: str) -> WaveForm | None:
    cached = _wave_cache.get(slug)
    if cached and time.monotonic() - cached[0] < _WAVE_TTL_SECONDS:
        return cached[1]  # the common case, first and cheapest
    loop = asyncio.get_running_loop()
    reads = _reads.setdefault(loop, {})
    pending = reads.get(slug)
    if cached and pending is not None and time.monotonic() - cached[0] < _WAVE_STALE_SECONDS:
        return cached[1]
    if pending is None:
        # A fresh context: the read must not join a transaction the first caller happens to be in.
        pending = reads[slug] = loop.create_task(_read(slug), context=contextvars.Context())
        pending.add_done_callback(partial(_read_done, reads, slug))
    # Shielded: a visitor who leaves does not cancel the read the others wait for.
    return await asyncio.shield(pending)


async def wave_at(slug: str) -> WaveForm:
    """The wave at this address, for a program that names it (the API); NotFound when there is none."""
    wave = await find_wave(slug)
    if wave is None:
        raise NotFound(_("Det finns ingen mätomgång med den adressen."))
    return wave


async def _read(slug: str) -> WaveForm | None:
    generation = _generation
    wave = await _load_wave(slug)
    if wave is not None and generation == _generation:
        if len(_wave_cache) >= _WAVE_CACHE_SIZE:
            _wave_cache.clear()
        _wave_cache[slug] = (time.monotonic(), wave)
    return wave


def _read_done(reads: dict[str, asyncio.Task], slug: str, task: asyncio.Task) -> None:
    if reads.get(slug) is task:
        del reads[slug]
    if not task.cancelled():
        task.exception()  # seen, even when every waiter has gone


def forget_wave() -> None:
    """Empty this worker's wave copies; the domain calls it through surveys.caches.after_wave_change()."""
    global _generation
    _generation += 1
    _wave_cache.clear()
    for reads in _reads.values():
        reads.clear()  # a read begun before the change is not joined by anyone after it
    _choices_cache.clear()


async def _load_wave(slug: str) -> WaveForm | None:
    row = (
        await Wave.select(
            Wave.id,
            Wave.slug,
            Wave.title,
            Wave.intro,
            Wave.opens_at,
            Wave.closes_at,
            Wave.closed_early,
            Wave.uses_codes,
            Wave.version,
            Wave.plan.title.as_alias("plan_title"),
        )
        .where(Wave.slug == slug)
        .first()
    )
    if row is None:
        return None
    questionnaire = await load_version(row["version"])
    if questionnaire is None:
        return None
    organisations, target_groups = await _choices(row["id"])
    return WaveForm(
        id=row["id"],
        slug=row["slug"],
        title=row["title"],
        intro=row["intro"] or questionnaire.intro,
        plan_title=row["plan_title"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        closed_early=row["closed_early"],
        uses_codes=row["uses_codes"],
        version_id=row["version"],
        questionnaire=questionnaire,
        organisations=organisations,
        target_groups=target_groups,
    )


async def _choices(wave_id: int) -> tuple[tuple[Choice, ...], tuple[Choice, ...]]:
    cached = _choices_cache.get(wave_id)
    if cached and time.monotonic() - cached[0] < _CHOICES_TTL_SECONDS:
        return cached[1], cached[2]
    organisations = tuple(
        Choice(r["id"], r["code"], r["name"])
        for r in await WaveOrganisation.select(
            WaveOrganisation.organisation.id.as_alias("id"),
            WaveOrganisation.organisation.code.as_alias("code"),
            WaveOrganisation.organisation.name.as_alias("name"),
        )
        .where(WaveOrganisation.wave == wave_id)
        .order_by(WaveOrganisation.organisation.name)
    )
    target_groups = tuple(
        Choice(r["id"], r["code"], r["name"], tuple(sorted(stored_names(r["translations"]).items())))
        for r in await WaveTargetGroup.select(
            WaveTargetGroup.target_group.id.as_alias("id"),
            WaveTargetGroup.target_group.code.as_alias("code"),
            WaveTargetGroup.target_group.name.as_alias("name"),
            WaveTargetGroup.target_group.translations.as_alias("translations"),
        )
        .where(WaveTargetGroup.wave == wave_id)
        .order_by(WaveTargetGroup.target_group.position)
    )
    _choices_cache[wave_id] = (time.monotonic(), organisations, target_groups)
    return organisations, target_groups


async def open_waves(now: datetime) -> list[WaveSummary]:
    rows = (
        await Wave.select(
            Wave.slug, Wave.title, Wave.opens_at, Wave.closes_at, Wave.plan.title.as_alias("plan_title")
        )
        .where((Wave.opens_at <= now) & (Wave.closes_at > now) & (Wave.closed_early == False))
        .order_by(Wave.closes_at)
    )
    return [WaveSummary(r["slug"], r["title"], r["plan_title"], r["opens_at"], r["closes_at"]) for r in rows]


def clear_caches() -> None:
    """Forget every copy this worker keeps (after switching databases): see surveys/caches.py."""
    from surveys.caches import forget_all

    forget_all()
