"""The audit log: who among the staff did what, and when (docs/security.md, "Granskningsloggen").

One function writes to it, `record(actor, action, object, detail)`, called by the domain function that does
the thing, so the page, the API and the command line are logged alike. An event names a person (the
actor: a staff user name, or the command line) and what they acted on (`object`, such as "plan:vn-2027" or
"användare:lena@example.se"), with a short detail ("lasare → kommunikator", "12 koder"). It never holds
anything a respondent gave or anything that tells who a respondent is: no answers, free texts, codes,
response ids, addresses or times of answering. Respondents' routes never call `record`.

Administrators read it at /admin/logg and export it as CSV; `events` and `csv_lines` serve both.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from analysis.render.export import neutralise
from locales import N_
from locales import gettext as _
from surveys.db.tables import AuditEvent

if TYPE_CHECKING:
    from surveys.accounts.users import Account

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COMMAND_LINE = "#cli"  # the actor of what was done with the `effekt` command (or by effekt itself)
NOT_SIGNED_IN = "#unknown"  # the actor of a failed sign-in: whoever typed the password is not known
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
    PLAN_CHANGED = "plan.changed"
    GOAL_CHANGED = "goal.changed"
    QUESTIONNAIRE_CHANGED = "questionnaire.changed"
    WAVE_CREATED = "wave.created"
    WAVE_CLOSED = "wave.closed"
    WAVE_REOPENED = "wave.reopened"
    WAVE_RELEASED = "wave.released"
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
    Action.PLAN_CHANGED: N_("Plan ändrad"),
    Action.GOAL_CHANGED: N_("Effektmål ändrat"),
    Action.QUESTIONNAIRE_CHANGED: N_("Enkät ändrad"),
    Action.WAVE_CREATED: N_("Mätomgång skapad"),
    Action.WAVE_CLOSED: N_("Mätomgång stängd"),
    Action.WAVE_REOPENED: N_("Mätomgång öppnad igen"),
    Action.WAVE_RELEASED: N_("Resultat delredovisade"),
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


async def record(actor: Account | str, action: Action, object: str = "", detail: str = "") -> None:
    """Write one event: `actor` did `action` to `object` ("kind:code"), with a short `detail`.

    `actor` is the signed-in account, or `COMMAND_LINE` / `NOT_SIGNED_IN`. Call it inside the transaction of
    the change where there is one, so the event is kept exactly when the change is. Never pass anything a
    respondent gave (docs/security.md, "Granskningsloggen")."""
    if isinstance(actor, str):
        if actor not in (COMMAND_LINE, NOT_SIGNED_IN):
            raise ValueError(f"an actor is an account, COMMAND_LINE or NOT_SIGNED_IN, not {actor!r}")
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
    actor: str  # a user name, or COMMAND_LINE / NOT_SIGNED_IN
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
