"""The audit log: who among the staff did what, and when (docs/security.md, "Granskningsloggen").

The domain function that does a thing records it, so the page, the API and the command line are logged
alike: `record_action(action, object, detail)` writes it with the acting person of the moment, a context
variable that the guards set to the signed-in account for a request (`set_actor`), that a test or a job sets
for a block (`with acting(account):`), and that is the command line when nothing set it. `record(actor, …)`
names the actor itself (sign-ins, which happen before anyone is signed in). An event names a person (the
actor: a staff user name, the command line, the single sign-on service or effekt itself) and what they
acted on (`object`, in words: "Mätomgång vn-2027-var (Västernorrland våren 2027)", or "user:lena@example.se"),
with a short detail ("lasare → kommunikator", "12 koder"). Objects are stored in Swedish as they were named
at the time, like the names they hold. It never holds
anything a respondent gave or anything that tells who a respondent is: no answers, free texts, codes,
response ids, addresses or times of answering. Respondents' routes never call `record`.

Administrators read it at /admin/logg and export it as CSV; `events` and `csv_lines` serve both.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from analysis.render.export import neutralise
from locales import N_
from locales import gettext as _
from surveys.db.tables import AuditEvent, Plan

if TYPE_CHECKING:
    from surveys.accounts.users import Account

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COMMAND_LINE = "#cli"  # the actor of what was done with the `effekt` command (or by effekt itself)
NOT_SIGNED_IN = "#unknown"  # the actor of a failed sign-in: whoever typed the password is not known
SINGLE_SIGN_ON = "#sso"  # the organisation's sign-in service, whose claims create and change users
AUTOMATIC = "#effekt"  # effekt on its own, such as the final release of a wave that closed at its time
MARKERS = (COMMAND_LINE, NOT_SIGNED_IN, SINGLE_SIGN_ON, AUTOMATIC)
MAX_OBJECT = 200
MAX_DETAIL = 300
PAGE_SIZE = 50
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class Action(enum.StrEnum):
    """What happened. The value is stored; `label` is what the log page shows."""

    SIGNED_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in.failed"
    SIGN_IN_THROTTLED = "sign_in.throttled"
    SIGNED_OUT = "sign_out"
    PASSWORD_CHANGED = "password.changed"
    PASSWORD_RESET = "password.reset"
    USER_CREATED = "user.created"
    USER_DISABLED = "user.disabled"
    USER_ENABLED = "user.enabled"
    ROLE_CHANGED = "user.role"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    PLAN_CREATED = "plan.created"
    PLAN_CHANGED = "plan.changed"
    PLAN_ARCHIVED = "plan.archived"
    PLAN_DELETED = "plan.deleted"
    PLAN_FILE_LOADED = "plan.file"
    GOAL_CHANGED = "goal.changed"
    QUESTIONNAIRE_CREATED = "questionnaire.created"
    QUESTIONNAIRE_CHANGED = "questionnaire.changed"
    WAVE_CREATED = "wave.created"
    WAVE_CLOSED = "wave.closed"
    WAVE_REOPENED = "wave.reopened"
    WAVE_RELEASED = "wave.released"
    WAVE_ARCHIVED = "wave.archived"
    WAVE_DELETED = "wave.deleted"
    CODES_ISSUED = "codes.issued"
    MEETING_CREATED = "meeting.created"
    DECISION_RECORDED = "decision.recorded"
    RAW_EXPORT = "export.raw"
    AUDIT_EXPORT = "export.audit"
    RESPONSES_PURGED = "responses.purged"

    @property
    def label(self) -> str:
        return _(ACTION_LABELS[self])


ACTION_LABELS = {
    Action.SIGNED_IN: N_("Loggade in"),
    Action.SIGN_IN_FAILED: N_("Misslyckad inloggning"),
    Action.SIGN_IN_THROTTLED: N_("Inloggningen bromsad"),
    Action.SIGNED_OUT: N_("Loggade ut"),
    Action.PASSWORD_CHANGED: N_("Bytte lösenord"),
    Action.PASSWORD_RESET: N_("Lösenord återställt"),
    Action.USER_CREATED: N_("Användare skapad"),
    Action.USER_DISABLED: N_("Användare avstängd"),
    Action.USER_ENABLED: N_("Användare aktiverad"),
    Action.ROLE_CHANGED: N_("Roll ändrad"),
    Action.API_KEY_CREATED: N_("API-nyckel skapad"),
    Action.API_KEY_REVOKED: N_("API-nyckel återkallad"),
    Action.PLAN_CREATED: N_("Plan skapad"),
    Action.PLAN_CHANGED: N_("Plan ändrad"),
    Action.PLAN_ARCHIVED: N_("Plan arkiverad eller återställd"),
    Action.PLAN_DELETED: N_("Plan borttagen"),
    Action.PLAN_FILE_LOADED: N_("Planfil inläst"),
    Action.GOAL_CHANGED: N_("Effektmål ändrat"),
    Action.QUESTIONNAIRE_CREATED: N_("Enkät skapad"),
    Action.QUESTIONNAIRE_CHANGED: N_("Enkät ändrad"),
    Action.WAVE_CREATED: N_("Mätomgång skapad"),
    Action.WAVE_CLOSED: N_("Mätomgång stängd i förtid"),
    Action.WAVE_REOPENED: N_("Mätomgång öppnad igen"),
    Action.WAVE_RELEASED: N_("Resultat redovisade"),
    Action.WAVE_ARCHIVED: N_("Mätomgång arkiverad eller återställd"),
    Action.WAVE_DELETED: N_("Mätomgång borttagen"),
    Action.CODES_ISSUED: N_("Engångskoder skapade"),
    Action.MEETING_CREATED: N_("Möte skapat"),
    Action.DECISION_RECORDED: N_("Beslut registrerat"),
    Action.RAW_EXPORT: N_("Råa svar exporterade"),
    Action.AUDIT_EXPORT: N_("Granskningsloggen exporterad"),
    Action.RESPONSES_PURGED: N_("Svar gallrade"),
}


ACTION_CODES = frozenset(action.value for action in Action)


def _short(text: str, limit: int) -> str:
    text = _CONTROL.sub(" ", str(text)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Who is acting now. A context variable, so each request (an asyncio task of its own) and each job keeps
# its own, and nothing that forgot to set it is ever logged as somebody else: it is then the command line.
_acting: ContextVar[Account | str] = ContextVar("effekt_audit_actor", default=COMMAND_LINE)


def _checked(actor: Account | str) -> Account | str:
    if isinstance(actor, str) and actor not in MARKERS:
        raise ValueError(f"an actor is an account or one of {MARKERS}, not {actor!r}")
    return actor


def set_actor(actor: Account | str) -> None:
    """From here on in this request (or task), what the domain records is done by `actor`. The guards call
    it once they know the signed-in account."""
    _acting.set(_checked(actor))


@contextmanager
def acting(actor: Account | str) -> Iterator[None]:
    """What the domain records inside the block is done by `actor`; the one before comes back after."""
    token = _acting.set(_checked(actor))
    try:
        yield
    finally:
        _acting.reset(token)


def current_actor() -> Account | str:
    return _acting.get()


def named(kind: str, code: str, title: str = "") -> str:
    """An object in words: "Mätomgång vn-2027-var (Västernorrland våren 2027)"."""
    title = title.strip()
    return f"{kind} {code} ({title})" if title and title != code else f"{kind} {code}"


async def plan_named(plan_id: int) -> str:
    """The plan as the log names it, for changes made by the plan's id."""
    row = await Plan.select(Plan.code, Plan.title).where(Plan.id == plan_id).first()
    return named("Plan", row["code"], row["title"]) if row else named("Plan", str(plan_id))


async def record_action(action: Action, object: str = "", detail: str = "") -> None:
    """Write one event done by whoever is acting now (`set_actor`, `acting`; the command line otherwise).

    Call it inside the transaction of the change where there is one, so the event is kept exactly when the
    change is, and after the change's checks, so that a refused change leaves no event."""
    await record(_acting.get(), action, object, detail)


async def record(actor: Account | str, action: Action, object: str = "", detail: str = "") -> None:
    """Write one event: `actor` did `action` to `object`, with a short `detail`.

    `actor` is the signed-in account, or one of `MARKERS`. Call it inside the transaction of the change
    where there is one, so the event is kept exactly when the change is. Never pass anything a respondent
    gave (docs/security.md, "Granskningsloggen")."""
    if isinstance(_checked(actor), str):
        actor_id, actor_name = None, actor
    else:
        actor_id, actor_name = actor.id, actor.username
    await AuditEvent.insert(
        AuditEvent(
            actor_id=actor_id,
            actor=actor_name,
            action=Action(action).value,
            object=_short(object, MAX_OBJECT),
            detail=_short(detail, MAX_DETAIL),
        )
    )


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str  # a user name, or one of MARKERS
    action: str
    object: str
    detail: str

    @property
    def actor_label(self) -> str:
        return actor_label(self.actor)

    @property
    def action_label(self) -> str:
        return Action(self.action).label if self.action in ACTION_CODES else self.action


def actor_label(actor: str) -> str:
    if actor == COMMAND_LINE:
        return _("kommandoraden")
    if actor == NOT_SIGNED_IN:
        return _("okänd (ej inloggad)")
    if actor == SINGLE_SIGN_ON:
        return _("organisationens inloggningstjänst")
    if actor == AUTOMATIC:
        return _("effekt (automatiskt)")
    return actor


@dataclass(frozen=True)
class Filters:
    """What the log page and its export show: days in Swedish time, one actor, one kind of action."""

    since: date | None = None
    until: date | None = None
    actor: str = ""
    action: str = ""

    def condition(self):
        where = AuditEvent.id >= 0
        if self.since:
            where &= AuditEvent.at >= datetime.combine(self.since, time.min, tzinfo=STOCKHOLM).astimezone(UTC)
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=STOCKHOLM)
            where &= AuditEvent.at < end.astimezone(UTC)
        if self.actor:
            where &= AuditEvent.actor == self.actor
        if self.action:
            where &= AuditEvent.action == self.action
        return where


@dataclass(frozen=True)
class EventPage:
    events: list[Event]
    total: int
    page: int
    pages: int


_COLUMNS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.actor,
    AuditEvent.action,
    AuditEvent.object,
    AuditEvent.detail,
)


def _event(row: dict) -> Event:
    return Event(row["at"], row["actor"], row["action"], row["object"], row["detail"])


async def events(filters: Filters, page: int = 1) -> EventPage:
    """One page of events, newest first."""
    total = await AuditEvent.count().where(filters.condition())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = (
        await AuditEvent.select(*_COLUMNS)
        .where(filters.condition())
        .order_by(AuditEvent.id, ascending=False)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return EventPage([_event(r) for r in rows], total, page, pages)


async def actors() -> list[str]:
    """Everyone who appears in the log, for the page's filter."""
    rows = await AuditEvent.select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)
    return [r["actor"] for r in rows]


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow([neutralise(c) for c in cells])
    return buffer.getvalue()


async def csv_lines(filters: Filters, batch: int = 2000) -> AsyncIterator[str]:
    """The filtered log as CSV for Swedish Excel (BOM, semicolons), oldest first, read a batch at a time."""
    yield "\ufeff" + _line([_("Tid"), _("Vem"), _("Händelse"), _("Kod"), _("Gäller"), _("Detalj")])
    after = -1
    while True:
        rows = (
            await AuditEvent.select(*_COLUMNS)
            .where(filters.condition() & (AuditEvent.id > after))
            .order_by(AuditEvent.id)
            .limit(batch)
        )
        if not rows:
            return
        for row in rows:
            event = _event(row)
            when = event.at.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M:%S")
            yield _line(
                [when, event.actor_label, event.action_label, event.action, event.object, event.detail]
            )
        after = rows[-1]["id"]
