"""Release points: results are published from counts frozen at a release, never from live counts.

Live results changed with every answer, so two reads around one person's answer gave that person away
(docs/dataskydd.md, "Redovisningstillfällen"). Now a wave is published when it closes, and while it is open
only at an interim release a communicator makes, at most one a day. Each release freezes the wave's counts
(the same cells as surveys/db/tallies.py); the results read the newest release of every wave, and the
suppression of each release is checked against the release before it (analysis/stats/linked_tables.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count

from locales import gettext as _
from surveys.accounts import audit
from surveys.db import tallies
from surveys.db.engine import is_sqlite, write_transaction
from surveys.db.tables import Answer, Question, ReleaseCrosstab, ReleasedText, Wave, WaveRelease
from surveys.errors import Conflict, NotFound

STOCKHOLM = ZoneInfo("Europe/Stockholm")  # a release's day is the day in Sweden

Cell = tuple[int | None, int | None]  # organisation, target group
AnswerCell = tuple[int, int | None, int | None]  # question, organisation, target group


@dataclass(frozen=True)
class Release:
    """One wave's counts as published at one release point."""

    wave: int
    number: int
    released_on: date
    interim: bool
    closing: str = ""  # when the wave closed, as it stood at this release (a reopened wave closes anew)
    respondents: dict[Cell, int] = field(default_factory=dict)
    answers: dict[AnswerCell, dict[int, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.respondents.values())


def _encode(respondents: dict, answers: dict) -> dict:
    return {
        "respondents": [[org, group, n] for (_wave, org, group), n in sorted(respondents.items(), key=str)],
        "answers": [
            [question, option, org, group, n]
            for (_wave, question, org, group), options in sorted(answers.items(), key=str)
            for option, n in sorted(options.items())
        ],
    }


def _decode(row: dict) -> Release:
    counts = row["counts"]
    answers: dict[AnswerCell, dict[int, int]] = defaultdict(dict)
    for question, option, org, group, n in counts.get("answers", []):
        answers[(question, org, group)][option] = n
    return Release(
        wave=row["wave"],
        number=row["number"],
        released_on=row["released_on"],
        interim=row["interim"],
        closing=row.get("closing", ""),
        respondents={(org, group): n for org, group, n in counts.get("respondents", [])},
        answers=dict(answers),
    )


def closing_of(wave: dict) -> str:
    return f"{wave['closes_at'].isoformat()}|{bool(wave['closed_early'])}"


async def _live_counts(wave: dict, before: date | None = None) -> dict:
    questions = [
        q["id"] for q in await Question.select(Question.id).where(Question.version == wave["version"])
    ]
    return _encode(
        await tallies.respondents([wave["id"]], before),
        await tallies.chosen_options([wave["id"]], questions, before),
    )


async def make_release(wave_id: int, *, today: date, interim: bool) -> Release:
    """Freeze the wave's counts as its next release. At most one release a day per wave."""
    async with write_transaction():
        # Locked, so two servers settling the same closed wave at once make one release, not two.
        query = Wave.select(
            Wave.id, Wave.version, Wave.closes_at, Wave.closed_early, Wave.slug, Wave.title
        ).where(Wave.id == wave_id)
        wave = await (query if is_sqlite() else query.lock_rows()).first()
        if wave is None:
            raise NotFound(_("Mätomgången finns inte."))
        latest = (
            await WaveRelease.select(
                WaveRelease.number,
                WaveRelease.released_on,
                WaveRelease.interim,
                WaveRelease.closing,
                WaveRelease.counts,
            )
            .where(WaveRelease.wave == wave_id)
            .order_by(WaveRelease.number, ascending=False)
            .output(load_json=True)
            .first()
        )
        # An interim release counts the answers up to the day before its own: made at noon, it would
        # otherwise split that day's answers into those before and after it, and the audit log has its
        # time (docs/dataskydd.md, "Redovisningstillfällen"). A final release counts every answer.
        counts = await _live_counts(wave, today if interim else None)
        closing = closing_of(wave)
        if (
            not interim
            and latest is not None
            and not latest["interim"]
            and latest["counts"] == counts
            and latest["closing"] == closing
        ):
            return _decode({**latest, "wave": wave_id})
        if interim and latest is not None and latest["released_on"] >= today:
            raise Conflict(
                _(
                    "Mätomgången har redan redovisats i dag. En ny delredovisning kan göras tidigast i "
                    "morgon, så att ingen enskild persons svar kan räknas fram."
                )
            )
        number = (latest["number"] if latest else 0) + 1
        await WaveRelease.insert(
            WaveRelease(
                wave=wave_id,
                number=number,
                released_on=today,
                interim=interim,
                closing=closing,
                counts=counts,
            )
        )
        # An interim release is a communicator's act; the final one effekt makes when it finds the wave
        # closed. Only the release's number goes in the log, never its counts.
        await audit.record(
            audit.current_actor() if interim else audit.AUTOMATIC,
            audit.Action.WAVE_RELEASED,
            audit.named("Mätomgång", wave["slug"], wave["title"]),
            f"delredovisning nr {number}" if interim else f"slutredovisning (redovisning nr {number})",
        )
    return _decode(
        {
            "wave": wave_id,
            "number": number,
            "released_on": today,
            "interim": interim,
            "closing": closing,
            "counts": counts,
        }
    )


async def release_open_wave(slug: str, now: datetime) -> Release:
    """A communicator's interim release of an open wave: its numbers are published as preliminary."""
    from surveys.waves.lookup import WaveStatus
    from surveys.waves.setup import wave_to_manage

    wave = await wave_to_manage(slug)
    if wave.status(now) is not WaveStatus.OPEN:
        raise Conflict(
            _(
                "Bara en öppen mätomgång kan delredovisas. En mätomgång redovisas av sig själv när den "
                "stänger."
            )
        )
    return await make_release(wave.id, today=now.astimezone(STOCKHOLM).date(), interim=True)


async def latest_release(wave_id: int) -> Release | None:
    """The wave's newest release without its counts: what the wave page says of when it was released."""
    row = (
        await WaveRelease.select(
            WaveRelease.wave,
            WaveRelease.number,
            WaveRelease.released_on,
            WaveRelease.interim,
            WaveRelease.closing,
        )
        .where(WaveRelease.wave == wave_id)
        .order_by(WaveRelease.number, ascending=False)
        .first()
    )
    return _decode({**row, "counts": {}}) if row else None


async def releases_of(wave_ids: Iterable[int]) -> dict[int, list[Release]]:
    """Every release of these waves, oldest first."""
    ids = list(wave_ids)
    found: dict[int, list[Release]] = defaultdict(list)
    if not ids:
        return found
    rows = (
        await WaveRelease.select()
        .where(WaveRelease.wave.is_in(ids))
        .order_by(WaveRelease.number)
        .output(load_json=True)
    )
    for row in rows:
        found[row["wave"]].append(_decode(row))
    return found


async def settle_closed_waves(waves: Sequence[dict], now: datetime) -> bool:
    """Release every closed wave whose final counts are not yet released. True if a release was made.

    A closed wave takes no answers, so its final release is made once; a wave opened again gets one more
    when it closes anew. The releases decide, and for waves closed early (only those can have been opened
    again and closed anew without their closing changing) one count of respondents per wave, so this
    costs one or two small queries on every results request. `waves` are rows with id, closes_at and
    closed_early.
    """
    closed = [w for w in waves if w["closed_early"] or w["closes_at"] <= now]
    if not closed:
        return False
    latest: dict[int, dict] = {}
    for row in (
        await WaveRelease.select(
            WaveRelease.wave, WaveRelease.number, WaveRelease.interim, WaveRelease.closing
        )
        .where(WaveRelease.wave.is_in([w["id"] for w in closed]))
        .order_by(WaveRelease.number)
    ):
        latest[row["wave"]] = row  # the newest comes last
    # A wave closed early can be opened again and closed early anew: its closing reads the same, so the
    # answers in between are found by their number instead (one count, only for such waves).
    reclosed = [
        w["id"]
        for w in closed
        if w["closed_early"]
        and (head := latest.get(w["id"])) is not None
        and not head["interim"]
        and head["closing"] == closing_of(w)
    ]
    answered_since = await _answered_since_head(reclosed, latest)
    made = False
    for wave in closed:
        head = latest.get(wave["id"])
        if (
            head is None
            or head["interim"]
            or head["closing"] != closing_of(wave)
            or wave["id"] in answered_since
        ):
            # The day in Sweden, as for an interim release: dated by the UTC day, a final release made
            # after midnight in Sweden would let a reopened wave be released a second time that day.
            await make_release(wave["id"], today=now.astimezone(STOCKHOLM).date(), interim=False)
            made = True
    return made


async def _answered_since_head(wave_ids: Sequence[int], latest: dict[int, dict]) -> set[int]:
    """The waves among `wave_ids` whose respondents now number other than their newest release says."""
    if not wave_ids:
        return set()
    live = await tallies.respondents_per_wave(list(wave_ids))
    released: dict[int, int] = {}
    for row in (
        await WaveRelease.select(WaveRelease.wave, WaveRelease.number, WaveRelease.counts)
        .where(WaveRelease.wave.is_in(list(wave_ids)))
        .output(load_json=True)
    ):
        if row["number"] == latest[row["wave"]]["number"]:
            released[row["wave"]] = sum(n for _org, _group, n in row["counts"].get("respondents", []))
    return {w for w in wave_ids if live.get(w, 0) != released.get(w, 0)}


# --- what a release publishes beyond its counts: free texts and cross-tabulations ------------------------
#
# A release's counts are frozen when it is made. Free texts and the counts of two questions together are
# frozen later, the first time someone reads them, and only from a closed wave's newest (final) release
# while the stored answers are exactly the released ones: nothing is ever published from live answers.
# What was frozen stays, so a wave opened again and closed anew is compared with what was published before.


async def _matches_live(wave_id: int, number: int, now: datetime) -> bool:
    """Is release `number` the wave's final release, and are its stored answers exactly the released ones?"""
    wave = (
        await Wave.select(Wave.closes_at, Wave.closed_early, Wave.purged_on).where(Wave.id == wave_id).first()
    )
    if wave is None or wave["purged_on"] is not None:
        return False
    if not (wave["closed_early"] or wave["closes_at"] <= now):
        return False  # open: answers may come in at any moment
    head = (
        await WaveRelease.select(
            WaveRelease.number, WaveRelease.interim, WaveRelease.closing, WaveRelease.counts
        )
        .where(WaveRelease.wave == wave_id)
        .order_by(WaveRelease.number, ascending=False)
        .output(load_json=True)
        .first()
    )
    if head is None or head["number"] != number or head["interim"] or head["closing"] != closing_of(wave):
        return False
    released = {(org, group): n for org, group, n in head["counts"].get("respondents", []) if n}
    live = {(org, group): n for (_wave, org, group), n in (await tallies.respondents([wave_id])).items() if n}
    return released == live


async def released_texts(wave_id: int, number: int, question_id: int, now: datetime) -> list[dict]:
    """The free texts of one question published by release `number` or before: the release that first
    published it, id, organisation, target group, text. Empty when none was published (also after
    retention deleted them)."""
    await _freeze_texts(wave_id, number, now)
    return await ReleasedText.select(
        ReleasedText.number,
        ReleasedText.answer.id.as_alias("id"),
        ReleasedText.answer.organisation.as_alias("organisation"),
        ReleasedText.answer.target_group.as_alias("target_group"),
        ReleasedText.answer.text.as_alias("text"),
    ).where(
        (ReleasedText.wave == wave_id)
        & (ReleasedText.number <= number)
        & (ReleasedText.answer.question == question_id)
    )


async def _freeze_texts(wave_id: int, number: int, now: datetime) -> None:
    if await ReleasedText.exists().where((ReleasedText.wave == wave_id) & (ReleasedText.number == number)):
        return  # frozen already (the check below counts every response, so it is not made each time)
    if not await _matches_live(wave_id, number, now):
        return
    async with write_transaction():
        # Locked and checked again: no answer can come in between the check and the texts written.
        if not await _locked_and_matching(wave_id, number, now):
            return
        known = {
            r["answer"]
            for r in await ReleasedText.select(ReleasedText.answer).where(ReleasedText.wave == wave_id)
        }
        texts = await Answer.select(Answer.id).where(
            (Answer.wave == wave_id) & Answer.option.is_null() & Answer.text.is_not_null()
        )
        # In the order of the answers' random ids: the rows say nothing of when anyone answered.
        new = sorted(r["id"] for r in texts if r["id"] not in known)
        for start in range(0, len(new), 500):
            await ReleasedText.insert(
                *(ReleasedText(answer=a, wave=wave_id, number=number) for a in new[start : start + 500])
            )


async def _locked_and_matching(wave_id: int, number: int, now: datetime) -> bool:
    """Inside a write transaction: lock the wave (an answer's insert waits for it) and check again."""
    query = Wave.select(Wave.id).where(Wave.id == wave_id)
    await (query if is_sqlite() else query.lock_rows()).first()
    return await _matches_live(wave_id, number, now)


PairCounts = dict[tuple[int, int, int], int]  # (target group, first option, second option) → respondents


async def released_crosstab(
    wave_id: int, number: int, first: int, second: int, now: datetime
) -> tuple[PairCounts | None, list[tuple[int, PairCounts]]]:
    """Respondents per target group who answered both questions, as release `number` publishes them.

    None when that release never published them and cannot now (an interim release, or a wave answered
    since). Also every earlier release's frozen counts of the same two questions, by release number,
    oldest first: a reader may have seen those."""
    rows = (
        await ReleaseCrosstab.select(ReleaseCrosstab.number, ReleaseCrosstab.counts)
        .where(
            (ReleaseCrosstab.wave == wave_id)
            & (ReleaseCrosstab.first == first)
            & (ReleaseCrosstab.second == second)
        )
        .order_by(ReleaseCrosstab.number)
        .output(load_json=True)
    )
    frozen = {r["number"]: {(g, a, b): n for g, a, b, n in r["counts"]} for r in rows}
    earlier = [(n, counts) for n, counts in frozen.items() if n < number]
    if number in frozen:
        return frozen[number], earlier
    if not await _matches_live(wave_id, number, now):
        return None, earlier
    async with write_transaction():
        if not await _locked_and_matching(wave_id, number, now):
            return None, earlier
        found = (
            await ReleaseCrosstab.select(ReleaseCrosstab.counts)
            .where(
                (ReleaseCrosstab.wave == wave_id)
                & (ReleaseCrosstab.number == number)
                & (ReleaseCrosstab.first == first)
                & (ReleaseCrosstab.second == second)
            )
            .output(load_json=True)
            .first()
        )
        if found is not None:  # another server froze it meanwhile
            return {(g, a, b): n for g, a, b, n in found["counts"]}, earlier
        counted = await Answer.raw(
            "SELECT a.target_group AS target_group, a.option AS first, b.option AS second, COUNT(*) AS n "
            "FROM answer a JOIN answer b ON b.response = a.response "
            "WHERE a.wave = {} AND a.question = {} AND b.question = {} "
            "AND a.option IS NOT NULL AND b.option IS NOT NULL AND a.target_group IS NOT NULL "
            "AND a.organisation IN (SELECT organisation FROM wave_organisation WHERE wave = {}) "
            "GROUP BY a.target_group, a.option, b.option",
            wave_id,
            first,
            second,
            wave_id,
        )
        counts = {(r["target_group"], r["first"], r["second"]): int(r["n"]) for r in counted}
        await ReleaseCrosstab.insert(
            ReleaseCrosstab(
                wave=wave_id,
                number=number,
                first=first,
                second=second,
                counts=[[g, a, b, n] for (g, a, b), n in sorted(counts.items())],
            )
        )
    return counts, earlier


async def released_text_counts(
    wave_id: int, newest: int, now: datetime
) -> dict[tuple[int, int, int, int], int]:
    """How many free texts each release published first: (question, organisation, target group, release
    number) → texts. The newest release's texts are frozen first when they may be."""
    await _freeze_texts(wave_id, newest, now)
    counts: dict[tuple[int, int, int, int], int] = defaultdict(int)
    question = ReleasedText.answer.question
    organisation = ReleasedText.answer.organisation
    group = ReleasedText.answer.target_group
    for row in (
        await ReleasedText.select(
            ReleasedText.number,
            question.as_alias("question"),
            organisation.as_alias("organisation"),
            group.as_alias("target_group"),
            Count(alias="n"),
        )
        .where(ReleasedText.wave == wave_id)
        .group_by(ReleasedText.number, question, organisation, group)
    ):
        counts[(row["question"], row["organisation"], row["target_group"], row["number"])] += row["n"]
    return counts
