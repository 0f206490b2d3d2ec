"""Retention (gallring): a wave's raw responses are deleted once the retention period after it closed ends.

What is kept: the counts every result is computed from (respondents and chosen options per organisation
and target group, in `ResponseTally` and `AnswerTally`), so the dashboard, the exports and the trend show
the same numbers after a purge as before, and meeting snapshots, which never referred to responses. What
goes: every response and answer row with its date and free text, and the wave's one-time codes; and,
whatever the period, failed sign-ins older than the lock-out window and the hashes of sent forms' tokens
older than a few days.

A purge is planned first (`plan_purge`, which is also the dry run) and then carried out wave by wave, each
in one transaction: a failure half-way leaves every wave either untouched or fully purged. Every purge, with
or without waves to purge, ends by rewriting the stored responses so that no order of answering is left in
them (`forget_write_order`): run nightly, it keeps that order for a day at most (docs/dataskydd.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count

from surveys.accounts import audit
from surveys.accounts.users import FAILURE_WINDOW
from surveys.db import engine as db
from surveys.db.tables import (
    AccessCode,
    Answer,
    AnswerTally,
    LoginFailure,
    Response,
    ResponseTally,
    UsedFormToken,
    Wave,
)
from surveys.responding.submission import TOKEN_DAYS, forget_used_tokens

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class WavePurge:
    slug: str
    title: str
    closed_on: date
    responses: int
    answers: int
    free_texts: int
    access_codes: int


@dataclass(frozen=True)
class PurgePlan:
    today: date
    retention_days: int
    cutoff: date  # waves that closed before this day are purged
    waves: tuple[WavePurge, ...]
    # Failed sign-ins past the lock-out window (hashes of a user name or an address, kept only to slow
    # down guessing); each new failure clears the old ones, and a purge clears what is left.
    login_failures: int = 0
    # Hashes of sent forms' tokens older than TOKEN_DAYS (surveys/responding/submission.py): the form
    # forgets them with the first answer of a day, a purge also after days when nobody answers.
    form_tokens: int = 0

    @property
    def responses(self) -> int:
        return sum(w.responses for w in self.waves)


def cutoff_for(today: date, retention_days: int) -> date:
    return today - timedelta(days=retention_days)


async def plan_purge(today: date, retention_days: int) -> PurgePlan:
    """What a purge today would delete; changes nothing (the dry run)."""
    cutoff = cutoff_for(today, retention_days)
    # A wave counts as closed on its close date, even when it was closed early: the earlier day is not
    # stored, and the later day errs towards keeping data the full period.
    limit = datetime.combine(cutoff, time.min, tzinfo=STOCKHOLM)
    waves = (
        await Wave.select(Wave.id, Wave.slug, Wave.title, Wave.closes_at)
        .where((Wave.closes_at < limit) & Wave.purged_on.is_null())
        .order_by(Wave.closes_at)
    )
    plans = []
    for wave in waves:
        plans.append(
            WavePurge(
                slug=wave["slug"],
                title=wave["title"],
                closed_on=wave["closes_at"].astimezone(STOCKHOLM).date(),
                responses=await Response.count().where(Response.wave == wave["id"]),
                answers=await Answer.count().where(Answer.wave == wave["id"]),
                free_texts=await Answer.count().where(
                    (Answer.wave == wave["id"]) & Answer.text.is_not_null()
                ),
                access_codes=await AccessCode.count().where(AccessCode.wave == wave["id"]),
            )
        )
    stale = await LoginFailure.count().where(LoginFailure.failed_at < _failure_limit())
    tokens = await UsedFormToken.count().where(UsedFormToken.used_on < today - timedelta(days=TOKEN_DAYS))
    return PurgePlan(
        today=today,
        retention_days=retention_days,
        cutoff=cutoff,
        waves=tuple(plans),
        login_failures=stale,
        form_tokens=tokens,
    )


def _failure_limit() -> datetime:
    return datetime.now(UTC) - FAILURE_WINDOW


async def purge(today: date, retention_days: int) -> PurgePlan:
    """Purge every wave past its retention period; returns what was purged."""
    planned = await plan_purge(today, retention_days)
    done = []
    for wave in planned.waves:
        purged = await _purge_wave(wave.slug, today)
        if purged is not None:
            done.append(purged)
    async with db.write_transaction():
        stale = (
            await LoginFailure.delete()
            .where(LoginFailure.failed_at < _failure_limit())
            .returning(LoginFailure.id)
        )
    tokens = await forget_used_tokens(today)
    await db.forget_write_order()
    return PurgePlan(
        today=today,
        retention_days=retention_days,
        cutoff=planned.cutoff,
        waves=tuple(done),
        login_failures=len(stale),
        form_tokens=tokens,
    )


async def _purge_wave(slug: str, today: date) -> WavePurge | None:
    async with db.write_transaction():
        wave = (
            await Wave.select(Wave.id, Wave.title, Wave.closes_at, Wave.purged_on)
            .where(Wave.slug == slug)
            .first()
        )
        if wave is None or wave["purged_on"] is not None:
            return None  # purged meanwhile by another run
        wave_id = wave["id"]
        cells = (
            await Response.select(Response.organisation, Response.target_group, Count(alias="n"))
            .where(Response.wave == wave_id)
            .group_by(Response.organisation, Response.target_group)
        )
        await _insert_in_batches(
            [
                ResponseTally(
                    wave=wave_id,
                    organisation=c["organisation"],
                    target_group=c["target_group"],
                    respondents=c["n"],
                )
                for c in cells
            ]
        )
        chosen = (
            await Answer.select(
                Answer.question, Answer.option, Answer.organisation, Answer.target_group, Count(alias="n")
            )
            .where((Answer.wave == wave_id) & Answer.option.is_not_null())
            .group_by(Answer.question, Answer.option, Answer.organisation, Answer.target_group)
        )
        await _insert_in_batches(
            [
                AnswerTally(
                    wave=wave_id,
                    question=c["question"],
                    option=c["option"],
                    organisation=c["organisation"],
                    target_group=c["target_group"],
                    answers=c["n"],
                )
                for c in chosen
            ]
        )
        answers = await Answer.count().where(Answer.wave == wave_id)
        free_texts = await Answer.count().where((Answer.wave == wave_id) & Answer.text.is_not_null())
        codes = await AccessCode.count().where(AccessCode.wave == wave_id)
        await Answer.delete().where(Answer.wave == wave_id)
        await Response.delete().where(Response.wave == wave_id)
        await AccessCode.delete().where(AccessCode.wave == wave_id)
        await Wave.update({Wave.purged_on: today}).where(Wave.id == wave_id)
        # No numbers: how many answered is the results' to tell, under their protection, not the log's.
        await audit.record_action(
            audit.Action.RESPONSES_PURGED,
            audit.named("Mätomgång", slug, wave["title"]),
            "svar och engångskoder raderade efter lagringstiden; resultaten finns kvar",
        )
        return WavePurge(
            slug=slug,
            title=wave["title"],
            closed_on=wave["closes_at"].astimezone(STOCKHOLM).date(),
            responses=sum(c["n"] for c in cells),
            answers=answers,
            free_texts=free_texts,
            access_codes=codes,
        )


async def _insert_in_batches(rows: list, size: int = 500) -> None:
    # One INSERT per batch keeps each statement under SQLite's limit on bound variables.
    for start in range(0, len(rows), size):
        batch = rows[start : start + size]
        await type(batch[0]).insert(*batch)
