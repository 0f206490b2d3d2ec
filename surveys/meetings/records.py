"""Follow-up meetings: results frozen as discussed, and the leadership's decisions per activity."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import msgspec

from locales import N_
from locales import gettext as _
from surveys.db.engine import write_transaction
from surveys.db.tables import Activity, Decision, Meeting, Plan
from surveys.results.plan_results import PlanResults, plan_results

VERDICTS = {
    "tillracklig": N_("Tillräcklig"),
    "upprepa": N_("Upprepa"),
    "justera": N_("Justera"),
}


def verdict_label(verdict: str) -> str:
    return _(VERDICTS[verdict]) if verdict in VERDICTS else verdict


@dataclass(frozen=True)
class MeetingSummary:
    id: int
    title: str
    held_on: date
    decisions: int


@dataclass(frozen=True)
class DecisionView:
    meeting_id: int
    meeting_title: str
    held_on: date
    activity: str
    verdict: str
    motivation: str

    @property
    def verdict_label(self) -> str:
        return verdict_label(self.verdict)


@dataclass(frozen=True)
class MeetingView:
    id: int
    plan_code: str
    title: str
    held_on: date
    results: PlanResults  # exactly as when the meeting was created
    decisions: tuple[DecisionView, ...]


class MeetingError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


async def _plan_id(plan_code: str) -> int | None:
    row = await Plan.select(Plan.id).where(Plan.code == plan_code).first()
    return row["id"] if row else None


async def create_meeting(plan_code: str, title: str, held_on: str, *, k: int) -> int:
    """A meeting with the plan's results frozen now; later answers or corrections never change it."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Ge mötet en rubrik, till exempel ”Länsledningens möte i december”.")
    elif len(title) > 300:
        errors["title"] = _("Rubriken får vara högst 300 tecken.")
    try:
        day = date.fromisoformat(held_on.strip())
    except ValueError:
        errors["held_on"] = _("Skriv mötesdatumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-10.")
    plan_id = await _plan_id(plan_code)
    if plan_id is None:
        errors["plan"] = _("Det finns ingen plan med koden %(code)s.") % {"code": plan_code}
    if errors:
        raise MeetingError(errors)
    results = await plan_results(plan_code, k=k)
    async with write_transaction():
        meeting = Meeting(
            plan=plan_id, title=title.strip(), held_on=day, snapshot=msgspec.json.encode(results).decode()
        )
        await meeting.save()
    return meeting.id


async def list_meetings(plan_code: str) -> list[MeetingSummary]:
    plan_id = await _plan_id(plan_code)
    if plan_id is None:
        return []
    counts: dict[int, int] = defaultdict(int)
    for row in await Decision.select(Decision.meeting).where(Decision.meeting.plan == plan_id):
        counts[row["meeting"]] += 1
    rows = (
        await Meeting.select(Meeting.id, Meeting.title, Meeting.held_on)
        .where(Meeting.plan == plan_id)
        .order_by(Meeting.held_on, ascending=False)
    )
    return [MeetingSummary(r["id"], r["title"], r["held_on"], counts[r["id"]]) for r in rows]


async def decisions(plan_code: str) -> list[DecisionView]:
    """Every decision on the plan's activities, the newest first: the history länsledning reviews."""
    plan_id = await _plan_id(plan_code)
    if plan_id is None:
        return []
    rows = (
        await Decision.select(
            Decision.meeting,
            Decision.meeting.title.as_alias("meeting_title"),
            Decision.meeting.held_on.as_alias("held_on"),
            Decision.activity.code.as_alias("activity"),
            Decision.verdict,
            Decision.motivation,
        )
        .where(Decision.meeting.plan == plan_id)
        .order_by(Decision.meeting.held_on, ascending=False)
        .order_by(Decision.id, ascending=False)
    )
    return [
        DecisionView(
            r["meeting"], r["meeting_title"], r["held_on"], r["activity"], r["verdict"], r["motivation"]
        )
        for r in rows
    ]


async def meeting_view(plan_code: str, meeting_id: int) -> MeetingView | None:
    plan_id = await _plan_id(plan_code)
    row = await Meeting.select().where((Meeting.id == meeting_id) & (Meeting.plan == plan_id)).first()
    if row is None:
        return None
    results = msgspec.json.decode(row["snapshot"], type=PlanResults)
    taken = tuple(d for d in await decisions(plan_code) if d.meeting_id == meeting_id)
    return MeetingView(row["id"], plan_code, row["title"], row["held_on"], results, taken)


async def record_decision(
    plan_code: str, meeting_id: int, activity: str, verdict: str, motivation: str
) -> None:
    errors: dict[str, str] = {}
    if verdict not in VERDICTS:
        errors["verdict"] = _("Välj tillräcklig, upprepa eller justera.")
    if verdict in ("upprepa", "justera") and not motivation.strip():
        errors["motivation"] = _("Skriv kort varför och hur aktiviteten ska upprepas eller justeras.")
    if len(motivation) > 2000:
        errors["motivation"] = _("Motiveringen får vara högst 2000 tecken.")
    plan_id = await _plan_id(plan_code)
    meeting = (
        await Meeting.select(Meeting.id).where((Meeting.id == meeting_id) & (Meeting.plan == plan_id)).first()
    )
    found = (
        await Activity.select(Activity.id)
        .where((Activity.plan == plan_id) & (Activity.code == activity))
        .first()
    )
    if meeting is None:
        errors["meeting"] = _("Mötet finns inte.")
    if found is None:
        errors["activity"] = _("Aktiviteten finns inte i planen.")
    if errors:
        raise MeetingError(errors)
    async with write_transaction():
        await Decision(
            meeting=meeting_id, activity=found["id"], verdict=verdict, motivation=motivation.strip()
        ).save()
