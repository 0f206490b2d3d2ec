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

from locales import gettext as _
from surveys.db import tallies
from surveys.db.engine import is_sqlite, write_transaction
from surveys.db.tables import Question, Wave, WaveRelease
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


async def _live_counts(wave: dict) -> dict:
    questions = [
        q["id"] for q in await Question.select(Question.id).where(Question.version == wave["version"])
    ]
    counts = _encode(
        await tallies.respondents([wave["id"]]), await tallies.chosen_options([wave["id"]], questions)
    )
    return counts


async def make_release(wave_id: int, *, today: date, interim: bool) -> Release:
    """Freeze the wave's counts as its next release. At most one release a day per wave."""
    async with write_transaction():
        # Locked, so two servers settling the same closed wave at once make one release, not two.
        query = Wave.select(Wave.id, Wave.version, Wave.closes_at, Wave.closed_early).where(
            Wave.id == wave_id
        )
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
        counts = await _live_counts(wave)
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
    when it closes anew. Only the releases are read to decide (no count of the responses), so this costs
    one small query on every results request. `waves` are rows with id, closes_at and closed_early.
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
    made = False
    for wave in closed:
        head = latest.get(wave["id"])
        if head is None or head["interim"] or head["closing"] != closing_of(wave):
            await make_release(wave["id"], today=now.date(), interim=False)
            made = True
    return made
