"""Counts of respondents and chosen options, whether the raw responses are still there or purged.

Retention (gallring, `surveys.operations.retention`) replaces a wave's responses by these same counts, so every
reader of counts asks here and sees the same numbers before and after a purge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from piccolo.query.functions.aggregate import Count, Sum

from surveys.db.tables import Answer, AnswerTally, Response, ResponseTally

Cell = tuple[int, int | None, int | None]  # wave, organisation, target group
AnswerCell = tuple[int, int, int | None, int | None]  # wave, question, organisation, target group


async def respondents(wave_ids: Sequence[int], before: date | None = None) -> dict[Cell, int]:
    """Respondents per (wave, organisation, target group); with `before`, only those who answered before
    that day (purged counts are of waves long closed, so they all count)."""
    counts: dict[Cell, int] = defaultdict(int)
    if not wave_ids:
        return counts
    ids = list(wave_ids)
    live = Response.wave.is_in(ids)
    if before is not None:
        live &= Response.submitted_on < before
    for r in (
        await Response.select(Response.wave, Response.organisation, Response.target_group, Count(alias="n"))
        .where(live)
        .group_by(Response.wave, Response.organisation, Response.target_group)
    ):
        counts[(r["wave"], r["organisation"], r["target_group"])] += r["n"]
    for r in await ResponseTally.select(
        ResponseTally.wave,
        ResponseTally.organisation,
        ResponseTally.target_group,
        ResponseTally.respondents,
    ).where(ResponseTally.wave.is_in(ids)):
        counts[(r["wave"], r["organisation"], r["target_group"])] += r["respondents"]
    return counts


async def respondents_per_wave(wave_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Respondents per wave (all waves when `wave_ids` is None)."""
    counts: dict[int, int] = defaultdict(int)
    live = Response.select(Response.wave, Count(alias="n")).group_by(Response.wave)
    kept = ResponseTally.select(ResponseTally.wave, Sum(ResponseTally.respondents, alias="n")).group_by(
        ResponseTally.wave
    )
    if wave_ids is not None:
        if not wave_ids:
            return counts
        live = live.where(Response.wave.is_in(list(wave_ids)))
        kept = kept.where(ResponseTally.wave.is_in(list(wave_ids)))
    for r in [*await live, *await kept]:
        counts[r["wave"]] += int(r["n"] or 0)
    return counts


async def chosen_options(
    wave_ids: Sequence[int], question_ids: Sequence[int], before: date | None = None
) -> dict[AnswerCell, dict[int, int]]:
    """Chosen options per (wave, question, organisation, target group): option id → answers; `before` as
    for `respondents`."""
    counts: dict[AnswerCell, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    if not wave_ids or not question_ids:
        return counts
    waves, questions = list(wave_ids), list(question_ids)
    live = Answer.wave.is_in(waves) & Answer.question.is_in(questions) & Answer.option.is_not_null()
    if before is not None:
        live &= Answer.response.submitted_on < before
    for r in (
        await Answer.select(
            Answer.wave,
            Answer.question,
            Answer.option,
            Answer.organisation,
            Answer.target_group,
            Count(alias="n"),
        )
        .where(live)
        .group_by(Answer.wave, Answer.question, Answer.option, Answer.organisation, Answer.target_group)
    ):
        counts[(r["wave"], r["question"], r["organisation"], r["target_group"])][r["option"]] += r["n"]
    for r in await AnswerTally.select(
        AnswerTally.wave,
        AnswerTally.question,
        AnswerTally.option,
        AnswerTally.organisation,
        AnswerTally.target_group,
        AnswerTally.answers,
    ).where(AnswerTally.wave.is_in(waves) & AnswerTally.question.is_in(questions)):
        counts[(r["wave"], r["question"], r["organisation"], r["target_group"])][r["option"]] += r["answers"]
    return counts
