"""The demo's follow-up cycle: the meetings the plan's timetable implies, with decisions, comments and
reach figures month by month, so that a newcomer sees a meeting and its pack at once.

The plan says länsledningen follows up at its meetings (it approved the plan on 5 June) and decides whether
an activity was enough. After each answered wave there is a meeting, its results saved a week before; each
wave is released when it closes, so a meeting's frozen results hold only the waves closed before it. The
next meeting, in eleven days, is being prepared: its comments are written, its decisions not yet taken.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from surveys.db.tables import Plan, Wave
from surveys.meetings.records import create_meeting, record_decision, save_comments
from surveys.plans.reach import ReachRow, store_reach
from surveys.results.releases import make_release

STOCKHOLM = ZoneInfo("Europe/Stockholm")
K = 5


@dataclass(frozen=True)
class DemoDecision:
    activity: str
    verdict: str
    motivation: str = ""
    changed_to: tuple[str, str] | None = None  # a later change of the same decision: (verdict, motivation)


@dataclass(frozen=True)
class DemoMeeting:
    title: str
    held_on: date
    decisions: tuple[DemoDecision, ...] = ()
    comments: tuple[tuple[str, str], ...] = ()  # ("goal:<target group>/<step>" or "activity:<code>", text)

    @property
    def saved_on(self) -> date:
        return self.held_on - timedelta(days=7)


PAST = (
    DemoMeeting(
        "Länsledning HälSam 5 juni",
        date(2026, 6, 5),
        (
            DemoDecision("nyhet-halsam-uppdraget", "tillracklig", "Nyheten nådde många på intranätet."),
            DemoDecision(
                "nyhet-fardplanen-2026",
                "upprepa",
                "Få medarbetare känner till färdplanen. Upprepa i höst med fokus på medarbetare.",
            ),
            DemoDecision("infomaterial-sip", "tillracklig"),
        ),
        (
            ("goal:medarbetare/L1", "Mätomgång 1 gjordes innan nyheterna om färdplanen publicerades."),
            (
                "activity:nyhet-fardplanen-2026",
                "Publicerades i april och maj; räckvidden är god på intranätet.",
            ),
        ),
    ),
    DemoMeeting(
        "Länsledning HälSam 11 september",
        date(2026, 9, 11),
        (
            DemoDecision(
                "noterat-lansledning",
                "justera",
                "Kortare notiser med en länk från chefsbrevet.",
            ),
            DemoDecision(
                "nyhet-fardplanen-2026",
                "upprepa",
                "Upprepa i oktober.",
                changed_to=("justera", "Gör om nyheten till en film för arbetsplatsträffar i stället."),
            ),
            DemoDecision("noterat-kommunikationsplan", "tillracklig"),
        ),
        (("goal:politiker/L1", "Kännedomen ökar men målet nås inte före årets slut utan fler insatser."),),
    ),
    DemoMeeting(
        "Länsledning HälSam 13 november",
        date(2026, 11, 13),
        (
            DemoDecision("nyhet-samverkansdag", "tillracklig", "Bra spridning efter samverkansdagen."),
            DemoDecision(
                "nyheter-utvecklingsarbeten",
                "upprepa",
                "Fortsätt, men samla nyheterna i ett månadsbrev till cheferna.",
            ),
        ),
        (("goal:kommunala-chefer/L4", "Cheferna efterfrågar stöd för att prata om färdplanen på APT."),),
    ),
)


def next_meeting(today: date) -> DemoMeeting:
    """The meeting being prepared: in eleven days, its results saved today, with comments."""
    return DemoMeeting(
        "Länsledning HälSam – nästa möte",
        today + timedelta(days=11),
        (),
        (
            ("goal:medarbetare/L1", "Filmen om färdplanen visades på arbetsplatsträffar i november."),
            ("activity:nyhet-hur-har-det-gatt", "Publiceras i december, efter mötet."),
        ),
    )


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), STOCKHOLM)


async def _goal_ids(plan_code: str) -> dict[str, int]:
    from surveys.db.tables import EffectGoal

    rows = await EffectGoal.select(
        EffectGoal.id, EffectGoal.target_group.code.as_alias("group"), EffectGoal.step
    ).where(EffectGoal.target_group.plan.code == plan_code)
    return {f"{r['group']}/{r['step']}": r["id"] for r in rows}


def _subject(subject: str, goals: dict[str, int]) -> str | None:
    if subject.startswith("goal:"):
        goal = goals.get(subject.removeprefix("goal:"))
        return f"goal:{goal}" if goal is not None else None
    return subject


async def monthly_reach(plan_code: str, today: date, seed: int) -> int:
    """Reach per month for the running activities, as a web statistics export would give it; July has no
    figures (the summer), so the gap shows as missing, never as zero."""
    plan = await Plan.select(Plan.id).where(Plan.code == plan_code).first()
    rng = random.Random(seed)
    rows = []
    for month in range(1, 13):
        start = date(2026, month, 1)
        end = (date(2026, month + 1, 1) if month < 12 else date(2027, 1, 1)) - timedelta(days=1)
        if end >= today or month == 7:
            continue
        rows.append(
            ReachRow(
                "noterat-lansledning", "intranat", start, end, "views", 900 + 120 * month + rng.randrange(300)
            )
        )
        rows.append(
            ReachRow(
                "nyheter-utvecklingsarbeten",
                "gnv-webb",
                start,
                end,
                "unique_visitors",
                300 + 40 * month + rng.randrange(120),
            )
        )
    return await store_reach(plan["id"], rows)


async def add_meetings(plan_code: str, today: date) -> list[int]:
    """The past meetings (those whose results were saved before today) and the next one; their ids."""
    waves = (
        await Wave.select(Wave.id, Wave.closes_at).where(Wave.plan.code == plan_code).order_by(Wave.closes_at)
    )
    goals = await _goal_ids(plan_code)
    meetings = [m for m in PAST if m.saved_on < today]
    events: list[tuple[datetime, str, object]] = [
        (w["closes_at"], "close", w) for w in waves if w["closes_at"] < _noon(today)
    ]
    events += [(_noon(m.saved_on), "meeting", m) for m in meetings]
    events.sort(key=lambda event: (event[0], event[1]))
    made = []
    for moment, kind, item in events:
        if kind == "close":
            # Released when it closed, as the first results request after it would have done.
            await make_release(item["id"], today=moment.astimezone(STOCKHOLM).date(), interim=False)
            continue
        made.append(await _meeting(plan_code, item, moment, goals))
    upcoming = next_meeting(today)
    made.append(await _meeting(plan_code, upcoming, _noon(today), goals))
    return made


async def _meeting(
    plan_code: str, meeting: DemoMeeting, saved: datetime | None, goals: dict[str, int]
) -> int:
    meeting_id = await create_meeting(plan_code, meeting.title, meeting.held_on.isoformat(), k=K, now=saved)
    decided = _noon(meeting.held_on)
    for decision in meeting.decisions:
        await record_decision(
            plan_code, meeting_id, decision.activity, decision.verdict, decision.motivation, now=decided
        )
        if decision.changed_to:
            verdict, motivation = decision.changed_to
            await record_decision(
                plan_code, meeting_id, decision.activity, verdict, motivation, now=decided + timedelta(days=3)
            )
    comments = {}
    for subject, text in meeting.comments:
        found = _subject(subject, goals)
        if found is not None:
            comments[found] = text
    if comments:
        await save_comments(plan_code, meeting_id, comments)
    return meeting_id
