"""Follow-up meetings: results frozen as discussed, and the leadership's decisions per activity."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import msgspec

from locales import N_
from locales import gettext as _
from surveys.db.engine import write_transaction
from surveys.db.tables import Activity, Decision, Meeting
from surveys.errors import Invalid, NotFound
from surveys.plans.lookup import plan_row
from surveys.results.plan_results import PlanResults, plan_results, under_stricter_minimum

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
    results: PlanResults  # as when the meeting was created (less, if the minimum group size was raised)
    decisions: tuple[DecisionView, ...]


def no_such_meeting() -> NotFound:
    return NotFound(_("Mötet finns inte."))


async def create_meeting(plan_code: str, title: str, held_on: str, *, k: int) -> int:
    """A meeting with the plan's results frozen now; later answers or corrections never change it.

    `NotFound` for an unknown plan, `Invalid` (fields `title`, `held_on`) for a missing or too long title or
    a date not written as ÅÅÅÅ-MM-DD; nothing is stored then."""
    plan = await plan_row(plan_code)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Ge mötet en rubrik, till exempel ”Länsledningens möte i december”.")
    elif len(title) > 300:
        errors["title"] = _("Rubriken får vara högst 300 tecken.")
    try:
        day = date.fromisoformat(held_on.strip())
    except ValueError:
        errors["held_on"] = _("Skriv mötesdatumet som ÅÅÅÅ-MM-DD, till exempel 2026-12-10.")
    if errors:
        raise Invalid.fields(errors)
    results = await plan_results(plan_code, k=k)
    async with write_transaction():
        meeting = Meeting(
            plan=plan["id"], title=title.strip(), held_on=day, snapshot=msgspec.json.encode(results).decode()
        )
        await meeting.save()
    return meeting.id


async def list_meetings(plan_code: str) -> list[MeetingSummary]:
    """The plan's meetings, the latest first (none for an unknown plan)."""
    counts: dict[int, int] = defaultdict(int)
    for row in await Decision.select(Decision.meeting).where(Decision.meeting.plan.code == plan_code):
        counts[row["meeting"]] += 1
    rows = (
        await Meeting.select(Meeting.id, Meeting.title, Meeting.held_on)
        .where(Meeting.plan.code == plan_code)
        .order_by(Meeting.held_on, ascending=False)
    )
    return [MeetingSummary(r["id"], r["title"], r["held_on"], counts[r["id"]]) for r in rows]


async def decisions(plan_code: str) -> list[DecisionView]:
    """Every decision on the plan's activities, the newest first: the history länsledning reviews."""
    rows = (
        await Decision.select(
            Decision.meeting,
            Decision.meeting.title.as_alias("meeting_title"),
            Decision.meeting.held_on.as_alias("held_on"),
            Decision.activity.code.as_alias("activity"),
            Decision.verdict,
            Decision.motivation,
        )
        .where(Decision.meeting.plan.code == plan_code)
        .order_by(Decision.meeting.held_on, ascending=False)
        .order_by(Decision.id, ascending=False)
    )
    return [
        DecisionView(
            r["meeting"], r["meeting_title"], r["held_on"], r["activity"], r["verdict"], r["motivation"]
        )
        for r in rows
    ]


async def _meeting_row(plan_code: str, meeting_id: int) -> dict | None:
    return await Meeting.select().where((Meeting.id == meeting_id) & (Meeting.plan.code == plan_code)).first()


async def find_meeting(plan_code: str, meeting_id: int, *, k: int | None = None) -> MeetingView:
    """The meeting with its frozen results; `NotFound` unless the plan has a meeting with this id.

    With the installation's current minimum `k`: results frozen under a smaller one are shown only as
    far as the larger one allows (`under_stricter_minimum`)."""
    row = await _meeting_row(plan_code, meeting_id)
    if row is None:
        raise no_such_meeting()
    results = msgspec.json.decode(row["snapshot"], type=PlanResults)
    if k is not None:
        results = under_stricter_minimum(results, k)
    taken = tuple(d for d in await decisions(plan_code) if d.meeting_id == meeting_id)
    return MeetingView(row["id"], plan_code, row["title"], row["held_on"], results, taken)


async def meeting_view(plan_code: str, meeting_id: int, *, k: int | None = None) -> MeetingView | None:
    """`find_meeting`, or None: for a caller that says in its own words that there is no such meeting."""
    try:
        return await find_meeting(plan_code, meeting_id, k=k)
    except NotFound:
        return None


async def record_decision(
    plan_code: str, meeting_id: int, activity: str, verdict: str, motivation: str
) -> None:
    """Länsledningens beslut on one activity at one meeting.

    `NotFound` unless the plan has this meeting; `Invalid` (fields `verdict`, `motivation`, `activity`) for
    an unknown verdict, a missing or too long motivation, or an activity not in the plan."""
    meeting = await _meeting_row(plan_code, meeting_id)
    if meeting is None:
        raise no_such_meeting()
    errors: dict[str, str] = {}
    if verdict not in VERDICTS:
        errors["verdict"] = _("Välj tillräcklig, upprepa eller justera.")
    if verdict in ("upprepa", "justera") and not motivation.strip():
        errors["motivation"] = _("Skriv kort varför och hur aktiviteten ska upprepas eller justeras.")
    if len(motivation) > 2000:
        errors["motivation"] = _("Motiveringen får vara högst 2000 tecken.")
    found = (
        await Activity.select(Activity.id)
        .where((Activity.plan == meeting["plan"]) & (Activity.code == activity))
        .first()
    )
    if found is None:
        errors["activity"] = _("Aktiviteten finns inte i planen.")
    if errors:
        raise Invalid.fields(errors)
    async with write_transaction():
        await Decision(
            meeting=meeting_id, activity=found["id"], verdict=verdict, motivation=motivation.strip()
        ).save()
