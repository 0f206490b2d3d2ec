"""Follow-up meetings: results frozen as discussed, the leadership's decisions per activity, and comments.

A decision can be changed: every version is kept (the history), and the latest one at a meeting is the
decision. A meeting says when its results were saved, which may be weeks before it is held.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import msgspec

from locales import N_
from locales import gettext as _
from surveys.accounts import audit
from surveys.db.engine import write_transaction
from surveys.db.tables import Activity, Decision, Meeting, MeetingComment
from surveys.errors import Invalid, NotFound
from surveys.plans.lookup import plan_row

if TYPE_CHECKING:  # the results (and the statistics under them) are imported only where they are read
    from surveys.results.plan_results import PlanResults

STOCKHOLM = ZoneInfo("Europe/Stockholm")  # the day a snapshot was taken is the day in Sweden

VERDICTS = {
    "tillracklig": N_("Tillräcklig"),
    "upprepa": N_("Upprepa"),
    "justera": N_("Justera"),
}
COMMENT_LENGTH = 2000


def verdict_label(verdict: str) -> str:
    return _(VERDICTS[verdict]) if verdict in VERDICTS else verdict


@dataclass(frozen=True)
class MeetingSummary:
    id: int
    title: str
    held_on: date
    decisions: int
    taken_on: date | None = None


@dataclass(frozen=True)
class DecisionVersion:
    """An earlier wording of a decision, replaced by a later one at the same meeting."""

    verdict: str
    motivation: str
    recorded_on: date

    @property
    def verdict_label(self) -> str:
        return verdict_label(self.verdict)


@dataclass(frozen=True)
class DecisionView:
    """A meeting's decision on an activity: the latest version counts, the earlier ones are its history."""

    meeting_id: int
    meeting_title: str
    held_on: date
    activity: str
    verdict: str
    motivation: str
    recorded_on: date | None = None
    earlier: tuple[DecisionVersion, ...] = ()  # replaced versions, the newest first

    @property
    def verdict_label(self) -> str:
        return verdict_label(self.verdict)

    @property
    def changed(self) -> bool:
        return bool(self.earlier)


@dataclass(frozen=True)
class MeetingView:
    id: int
    plan_code: str
    title: str
    held_on: date
    results: PlanResults  # as when the meeting was created (less, if the minimum group size was raised)
    decisions: tuple[DecisionView, ...]
    taken_on: date | None = None  # the day the results were saved
    comments: Mapping[str, str] = field(default_factory=dict)  # "goal:<id>" / "activity:<code>" → text

    def comment(self, subject: str) -> str:
        return self.comments.get(subject, "")

    def decision_on(self, activity: str) -> DecisionView | None:
        return next((d for d in self.decisions if d.activity == activity), None)


def no_such_meeting() -> NotFound:
    return NotFound(_("Mötet finns inte."))


def _day(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(STOCKHOLM).date()


async def create_meeting(
    plan_code: str, title: str, held_on: str, *, k: int, now: datetime | None = None
) -> int:
    """A meeting with the plan's results frozen now; later answers or corrections never change it.

    `NotFound` for an unknown plan, `Invalid` (fields `title`, `held_on`) for a missing or too long title or
    a date not written as ÅÅÅÅ-MM-DD; nothing is stored then. `now` is when the results are saved (the
    results as published then)."""
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
    from surveys.results.plan_results import plan_results

    moment = now or datetime.now(UTC)
    results = await plan_results(plan_code, k=k, now=moment)
    async with write_transaction():
        meeting = Meeting(
            plan=plan["id"],
            title=title.strip(),
            held_on=day,
            snapshot=msgspec.json.encode(results).decode(),
            created_at=moment,
        )
        await meeting.save()
        await audit.record_action(
            audit.Action.MEETING_CREATED,
            audit.named("Möte", str(meeting.id), title),
            f"plan {plan_code}, {day.isoformat()}",
        )
    return meeting.id


async def list_meetings(plan_code: str) -> list[MeetingSummary]:
    """The plan's meetings, the latest first (none for an unknown plan)."""
    counts: dict[int, set[int]] = defaultdict(set)
    for row in await Decision.select(Decision.meeting, Decision.activity).where(
        Decision.meeting.plan.code == plan_code
    ):
        counts[row["meeting"]].add(row["activity"])
    rows = (
        await Meeting.select(Meeting.id, Meeting.title, Meeting.held_on, Meeting.created_at)
        .where(Meeting.plan.code == plan_code)
        .order_by(Meeting.held_on, ascending=False)
        .order_by(Meeting.id, ascending=False)
    )
    return [
        MeetingSummary(r["id"], r["title"], r["held_on"], len(counts[r["id"]]), _day(r["created_at"]))
        for r in rows
    ]


async def decisions(plan_code: str) -> list[DecisionView]:
    """Every decision on the plan's activities, the newest meeting first: the history länsledning reviews.

    One per meeting and activity: the latest version, with the versions it replaced in `earlier`."""
    rows = (
        await Decision.select(
            Decision.id,
            Decision.meeting,
            Decision.meeting.title.as_alias("meeting_title"),
            Decision.meeting.held_on.as_alias("held_on"),
            Decision.activity.code.as_alias("activity"),
            Decision.verdict,
            Decision.motivation,
            Decision.created_at,
        )
        .where(Decision.meeting.plan.code == plan_code)
        .order_by(Decision.id)
    )
    versions: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for row in rows:
        versions[(row["meeting"], row["activity"])].append(row)
    views = []
    for found in versions.values():
        latest = found[-1]
        views.append(
            DecisionView(
                latest["meeting"],
                latest["meeting_title"],
                latest["held_on"],
                latest["activity"],
                latest["verdict"],
                latest["motivation"],
                _day(latest["created_at"]),
                tuple(
                    DecisionVersion(r["verdict"], r["motivation"], _day(r["created_at"]))
                    for r in reversed(found[:-1])
                ),
            )
        )
    views.sort(key=lambda d: (d.held_on, d.meeting_id), reverse=True)
    return views


async def _meeting_row(plan_code: str, meeting_id: int) -> dict | None:
    return await Meeting.select().where((Meeting.id == meeting_id) & (Meeting.plan.code == plan_code)).first()


async def find_meeting(plan_code: str, meeting_id: int, *, k: int | None = None) -> MeetingView:
    """The meeting with its frozen results; `NotFound` unless the plan has a meeting with this id.

    With the installation's current minimum `k`: results frozen under a smaller one are shown only as
    far as the larger one allows (`under_stricter_minimum`)."""
    from surveys.results.plan_results import PlanResults, under_stricter_minimum

    row = await _meeting_row(plan_code, meeting_id)
    if row is None:
        raise no_such_meeting()
    results = msgspec.json.decode(row["snapshot"], type=PlanResults)
    if k is not None:
        results = under_stricter_minimum(results, k)
    taken, comments = await _decisions_and_comments(plan_code, meeting_id)
    return MeetingView(
        row["id"], plan_code, row["title"], row["held_on"], results, taken, _day(row["created_at"]), comments
    )


async def _decisions_and_comments(plan_code: str, meeting_id: int) -> tuple[tuple, dict[str, str]]:
    taken = tuple(d for d in await decisions(plan_code) if d.meeting_id == meeting_id)
    comments = {
        r["subject"]: r["text"]
        for r in await MeetingComment.select(MeetingComment.subject, MeetingComment.text).where(
            MeetingComment.meeting == meeting_id
        )
        if r["text"]
    }
    return taken, comments


class _SnapshotHead(msgspec.Struct):
    """The two fields of a frozen snapshot that say which results it holds (the rest is not read)."""

    stamp: str = ""
    k: int = 5


@dataclass(frozen=True)
class MeetingHead:
    """A meeting without its frozen results: what its pack needs besides what it keeps (`results_key`)."""

    id: int
    plan_code: str
    title: str
    held_on: date
    taken_on: date | None
    results_key: str  # the snapshot's stamp and the minimum group size it is shown under
    decisions: tuple[DecisionView, ...]
    comments: Mapping[str, str]

    def comment(self, subject: str) -> str:
        return self.comments.get(subject, "")

    def decision_on(self, activity: str) -> DecisionView | None:
        return next((d for d in self.decisions if d.activity == activity), None)


async def meeting_head(plan_code: str, meeting_id: int, *, k: int | None = None) -> MeetingHead:
    """The meeting as `find_meeting` gives it, without decoding its results; `NotFound` likewise."""
    row = await _meeting_row(plan_code, meeting_id)
    if row is None:
        raise no_such_meeting()
    head = msgspec.json.decode(row["snapshot"], type=_SnapshotHead)
    shown_k = max(head.k, k) if k is not None else head.k
    taken, comments = await _decisions_and_comments(plan_code, meeting_id)
    return MeetingHead(
        row["id"],
        plan_code,
        row["title"],
        row["held_on"],
        _day(row["created_at"]),
        f"{head.stamp}/k{shown_k}",
        taken,
        comments,
    )


async def meeting_view(plan_code: str, meeting_id: int, *, k: int | None = None) -> MeetingView | None:
    """`find_meeting`, or None: for a caller that says in its own words that there is no such meeting."""
    try:
        return await find_meeting(plan_code, meeting_id, k=k)
    except NotFound:
        return None


async def record_decision(
    plan_code: str,
    meeting_id: int,
    activity: str,
    verdict: str,
    motivation: str,
    *,
    now: datetime | None = None,
) -> None:
    """Länsledningens beslut on one activity at one meeting; a second one at the same meeting changes it.

    The earlier version is kept as the decision's history; the same decision sent again stores nothing.
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
        latest = (
            await Decision.select(Decision.verdict, Decision.motivation)
            .where((Decision.meeting == meeting_id) & (Decision.activity == found["id"]))
            .order_by(Decision.id, ascending=False)
            .first()
        )
        if latest == {"verdict": verdict, "motivation": motivation.strip()}:
            return  # sent twice (a reload): nothing changed
        await Decision(
            meeting=meeting_id,
            activity=found["id"],
            verdict=verdict,
            motivation=motivation.strip(),
            created_at=now or datetime.now(UTC),
        ).save()
        await audit.record_action(
            audit.Action.DECISION_RECORDED,
            audit.named("Möte", str(meeting_id), meeting["title"]),
            f"plan {plan_code}, aktivitet {activity}: {verdict}",
        )


async def save_comments(plan_code: str, meeting_id: int, comments: Mapping[str, str]) -> None:
    """The communicator's comments for the meeting's pack, per goal ("goal:<id>") and activity
    ("activity:<code>"). An empty text removes a comment; the others are kept as they are.

    `NotFound` unless the plan has this meeting; `Invalid`, naming each subject, for a comment longer than
    2000 characters or a goal or activity the meeting does not have. Nothing is stored then."""
    view = await find_meeting(plan_code, meeting_id)
    goals = {f"goal:{goal.id}" for goal in view.results.goals}
    activities = {
        f"activity:{r['code']}"
        for r in await Activity.select(Activity.code).where(Activity.plan.code == plan_code)
    }
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for subject, text in comments.items():
        text = text.replace("\r\n", "\n").strip()
        if subject not in goals | activities:
            errors[subject] = _("Mötet har inget sådant effektmål eller någon sådan aktivitet.")
        elif len(text) > COMMENT_LENGTH:
            errors[subject] = _("En kommentar får vara högst %(count)s tecken.") % {"count": COMMENT_LENGTH}
        else:
            cleaned[subject] = text
    if errors:
        raise Invalid.fields(errors)
    async with write_transaction():
        for subject, text in cleaned.items():
            if view.comment(subject) == text:
                continue
            await MeetingComment.delete().where(
                (MeetingComment.meeting == meeting_id) & (MeetingComment.subject == subject)
            )
            if text:
                await MeetingComment(
                    meeting=meeting_id, subject=subject, text=text, updated_at=datetime.now(UTC)
                ).save()
