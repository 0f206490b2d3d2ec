"""A respondent's submission: who they are (organisation, target group), validation, and storing it once.

`submit` is the one way a response goes in, whatever the door (the form, the JSON API): the door reads
what was sent into a `Sent` and renders the outcome; the rules are all here.

The same form sent twice (a double click, a reload, two requests racing) is stored once: its one-time
token (`submission_key`) is kept as a hash in `used_form_token`, in the transaction that stores the
response, whose UNIQUE constraint refuses it the second time. The token is never stored with the response
and its hash is deleted after TOKEN_DAYS days (docs/dataskydd.md, "Engångskoder och svarens ordning").
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache, partial
from zoneinfo import ZoneInfo

from locales import gettext as _
from surveys import caches
from surveys.db.engine import (
    execute_on_postgres,
    is_foreign_key_violation,
    is_persistent_sqlite,
    is_unique_violation,
    run_on_sqlite_writer,
    write_transaction,
)
from surveys.db.tables import Answer, Option, Question, Response, UsedFormToken, random_id
from surveys.errors import Conflict, DomainError, Invalid
from surveys.questionnaires.storage import freeze_version, is_frozen
from surveys.responding.validation import CleanAnswers, validate_answers
from surveys.waves.codes import CODE_FIELD, spend
from surveys.waves.lookup import Choice, WaveForm, WaveStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ORGANISATION_FIELD = "organisation"
TARGET_GROUP_FIELD = "target_group"
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# How long a sent form's token is remembered: a form sent again within this many days (the back button, a
# reload, a tab left open) is not stored again. After it, nothing of the token is left.
TOKEN_DAYS = 2
_forgotten_on: date | None = None


class QuestionnaireChanged(Conflict):
    """The draft questionnaire of an unanswered wave was edited while this respondent answered it."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Enkäten ändrades just medan du svarade. Gå tillbaka, ladda om sidan och skicka dina svar igen."
            )
        )


class WaveNotOpen(Conflict):
    """The wave has not opened yet, or has closed; `status` says which, so a page can say it kindly."""

    def __init__(self, status: WaveStatus) -> None:
        if status is WaveStatus.NOT_OPEN:
            message = _("Mätomgången har inte öppnat än.")
        else:
            message = _("Mätomgången är stängd och tar inte emot fler svar.")
        super().__init__(message)
        self.status = status


class UnusableKey(DomainError):
    """The submission key cannot be read (a 400: the request is malformed, not an answer to correct)."""

    def __init__(self) -> None:
        super().__init__(_("submission_key ska vara 16–64 tecken: bokstäver a–z, A–Z, siffror, - och _."))


class Stored(enum.Enum):
    CREATED = "created"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Sent:
    """What a respondent sent, through any door: answers by question code, and who they are."""

    answers: Mapping[str, Sequence[object]]
    organisation: str | None = None
    target_group: str | None = None
    code: str | None = None
    # The same key sent again stores nothing new (a retry, a double click). None: no retry protection.
    submission_key: str | None = None


@dataclass(frozen=True)
class Submission:
    organisation_id: int | None
    target_group_id: int | None
    answers: CleanAnswers
    submission_key: str | None  # the form's one-time token; None: nothing protects against a second send
    code: str | None = None


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def is_valid_submission_key(key: object) -> bool:
    return isinstance(key, str) and bool(_KEY.match(key))


def token_hash(wave_id: int, key: str) -> str:
    # The wave is part of the hash, as for one-time codes: a token says nothing about another wave.
    return hashlib.sha256(f"{wave_id}:{key}".encode()).hexdigest()


def check_submission(
    wave: WaveForm,
    answers: Mapping[str, Sequence[object]],
    *,
    organisation: str | None,
    target_group: str | None,
    fixed_organisation: Choice | None,
    submission_key: str | None,
    code: str | None = None,
) -> tuple[Submission | None, dict[str, str]]:
    """Validate everything a respondent sent; errors are keyed by question code or background field."""
    errors: dict[str, str] = {}
    if wave.uses_codes and not (code or "").strip():
        errors[CODE_FIELD] = _("Skriv in engångskoden du har fått, till exempel ABCDE-23456.")
    # A named organisation or group must be one the response is filed under: one the wave does not have,
    # or another than the link's (or the wave's only one), is refused, never silently replaced.
    org = fixed_organisation or _only(wave.organisations)
    named_org = wave.organisation(organisation) if organisation else None
    if organisation and (named_org is None or (org is not None and named_org != org)):
        errors[ORGANISATION_FIELD] = _("Välj en organisation i listan.")
    elif org is None and wave.organisations:
        org = named_org
        if org is None:
            errors[ORGANISATION_FIELD] = _("Välj den organisation du hör till.")
    group = _only(wave.target_groups)
    named_group = wave.target_group(target_group) if target_group else None
    if target_group and (named_group is None or (group is not None and named_group != group)):
        errors[TARGET_GROUP_FIELD] = _("Välj ett alternativ i listan.")
    elif group is None and wave.target_groups:
        group = named_group
        if group is None:
            errors[TARGET_GROUP_FIELD] = _("Välj det som bäst beskriver dig.")
    clean, answer_errors = validate_answers(wave.questionnaire, answers)
    errors.update(answer_errors)
    if errors or clean is None:
        return None, errors
    return (
        Submission(
            organisation_id=org.id if org else None,
            target_group_id=group.id if group else None,
            answers=clean,
            submission_key=submission_key,
            code=code.strip() if wave.uses_codes and code else None,
        ),
        {},
    )


def _only(choices: tuple[Choice, ...]) -> Choice | None:
    return choices[0] if len(choices) == 1 else None


async def submit(
    wave: WaveForm, sent: Sent, now: datetime, *, link_organisation: Choice | None = None
) -> Stored:
    """Check and store one response to `wave`, the same for every door.

    Raises WaveNotOpen (the wave is not taking answers), UnusableKey, Invalid with each field's message
    (answers, organisation, target group, one-time code; nothing stored) or QuestionnaireChanged. A
    `link_organisation` is the one the respondent's link names. Returns whether the response is new or
    was stored before under the same submission key.
    """
    status = wave.status(now)
    if status is not WaveStatus.OPEN:
        raise WaveNotOpen(status)
    key = sent.submission_key
    if key is not None and not is_valid_submission_key(key):
        raise UnusableKey
    submission, errors = check_submission(
        wave,
        sent.answers,
        organisation=sent.organisation,
        target_group=sent.target_group,
        fixed_organisation=link_organisation,
        submission_key=key,
        code=sent.code,
    )
    if submission is None:
        raise Invalid(_("Några svar behöver rättas."), errors=errors)
    return await store_submission(wave, submission, now)


async def store_submission(wave: WaveForm, submission: Submission, now: datetime) -> Stored:
    """Store a response and its answers in one transaction; a form token sent before stores nothing.

    Only the date (in Swedish time) is kept: an exact time could identify a respondent.
    """
    rows = _answer_rows(wave, submission)
    day = now.astimezone(STOCKHOLM).date()
    response = (
        random_id(),  # never a counter: ids must not tell in which order people answered
        wave.id,
        submission.organisation_id,
        submission.target_group_id,
        day,
        # The row's own random key, unrelated to the form's token, which is never stored with a response.
        secrets.token_urlsafe(24),
    )
    token = (
        (random_id(), wave.id, token_hash(wave.id, submission.submission_key), day)
        if submission.submission_key is not None
        else None
    )
    try:
        if wave.uses_codes or not is_frozen(wave.version_id):
            stored = await _store_with_checks(wave, submission, response, rows, token)
        # The common case, made as short as the database allows: a token sent before is caught by the
        # UNIQUE constraint, which undoes the whole write.
        elif is_persistent_sqlite():
            await run_on_sqlite_writer(partial(_store_on_sqlite, response, rows, token))
            stored = Stored.CREATED
        else:
            await _store_on_postgres(response, rows, token)
            stored = Stored.CREATED
    except Exception as exc:
        # The key was stored before (a retry, a double click, or another worker racing with it).
        if is_unique_violation(exc):
            return Stored.DUPLICATE
        # A communicator saved the draft (new question ids) after this worker read the wave.
        if is_foreign_key_violation(exc):
            caches.after_questionnaire_change()
            raise QuestionnaireChanged from exc
        raise
    await _forget_old_tokens(day)
    return stored


async def _forget_old_tokens(today: date) -> None:
    """Delete the tokens older than TOKEN_DAYS, once a day in each worker (`effekt purge` may do it too)."""
    global _forgotten_on
    if _forgotten_on == today:
        return
    _forgotten_on = today
    await forget_used_tokens(today)


async def forget_used_tokens(today: date) -> int:
    """Delete what is kept of sent forms' tokens older than TOKEN_DAYS; returns how many."""
    cutoff = today - timedelta(days=TOKEN_DAYS)
    async with write_transaction():
        old = await UsedFormToken.count().where(UsedFormToken.used_on < cutoff)
        if old:
            await UsedFormToken.delete().where(UsedFormToken.used_on < cutoff)
    return old


async def _store_with_checks(
    wave: WaveForm, submission: Submission, response: tuple, rows: list[tuple], token: tuple | None
) -> Stored:
    # A used code is deleted in this transaction; on SQLite the log that shows both changes together is
    # emptied at once (see write_transaction).
    async with write_transaction(erase_log=wave.uses_codes):
        if not is_frozen(wave.version_id):
            # The version's first answer freezes it. Done first, it claims the version row, so a designer
            # save of the draft either waits for this answer or has finished; if it has, the question and
            # option ids this worker read may be gone or, on SQLite, reused by other questions.
            await freeze_version(wave.version_id)
            if not await _same_questions(wave):
                caches.after_questionnaire_change()
                raise QuestionnaireChanged
        if token is not None:
            # Looked up first, so that a retry of a stored response hears "already stored", not "code used".
            if await UsedFormToken.exists().where(UsedFormToken.token_hash == token[2]):
                return Stored.DUPLICATE
            # Before the code is spent: a second send racing this one waits here (PostgreSQL) and fails.
            await UsedFormToken.raw(_TOKEN_INSERT.replace("?", "{}"), *token)
        if wave.uses_codes:
            await spend(wave.id, submission.code or "")  # CodeRejected rolls the whole response back
        await Response.raw(_RESPONSE_INSERT.replace("?", "{}"), *response)
        if rows:
            await Answer.raw(_answers_insert(len(rows), "{}"), *_answer_values(response[0], rows))
    return Stored.CREATED


async def _same_questions(wave: WaveForm) -> bool:
    questions = wave.questionnaire.questions
    stored_questions = await Question.select(Question.id, Question.code).where(
        Question.version == wave.version_id
    )
    stored_options = await Option.select(Option.id, Option.question, Option.code).where(
        Option.question.version == wave.version_id
    )
    return {(r["id"], r["code"]) for r in stored_questions} == {(q.id, q.code) for q in questions} and {
        (r["id"], r["question"], r["code"]) for r in stored_options
    } == {(o.id, q.id, o.code) for q in questions for o in q.options}


_TOKEN_INSERT = "INSERT INTO used_form_token (id, wave, token_hash, used_on) VALUES (?, ?, ?, ?)"
_RESPONSE_INSERT = (
    "INSERT INTO response (id, wave, organisation, target_group, submitted_on, submission_key) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
# An answer's id is its response's plus its place in the response (surveys/db/tables.py, Answer).
_ANSWER_COLUMNS = "id, response, wave, organisation, target_group, question, option, text"


def _answers_insert(count: int, mark: str) -> str:
    row = "(" + ", ".join([mark] * 8) + ")"
    return f"INSERT INTO answer ({_ANSWER_COLUMNS}) VALUES " + ", ".join([row] * count)


def _answer_values(response_id: int, rows: list[tuple]) -> list:
    return [v for place, row in enumerate(rows) for v in (response_id + place, response_id, *row)]


def _store_on_sqlite(
    response: tuple, rows: list[tuple], token: tuple | None, connection: sqlite3.Connection
) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        if token is not None:
            connection.execute(_TOKEN_INSERT, token)
        connection.execute(_RESPONSE_INSERT, response)
        if rows:
            connection.execute(_answers_insert(len(rows), "?"), _answer_values(response[0], rows))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


async def _store_on_postgres(response: tuple, rows: list[tuple], token: tuple | None) -> None:
    # One statement is one round trip and its own transaction: the token, the response and its answers.
    values = [*response, *(v for row in rows for v in row), *(token or ())]
    await execute_on_postgres(_postgres_insert(len(rows), token is not None), values)


@lru_cache(maxsize=128)
def _postgres_insert(count: int, with_token: bool = False) -> str:
    """The response, `count` answer rows and the form's token in one statement, with asyncpg's numbered
    placeholders (the token's last)."""
    marks = iter(f"${n}" for n in range(1, 7 + 6 * count + 4))
    response = _RESPONSE_INSERT.replace("?", "{}").format(*(next(marks) for _ in range(6)))
    casts = ("integer", "integer", "integer", "integer", "integer", "text")
    values = ", ".join(
        f"({place}, " + ", ".join(f"{next(marks)}::{cast}" for cast in casts) + ")" for place in range(count)
    )
    token = ""
    if with_token:
        token = "t AS (" + _TOKEN_INSERT.replace("?", "{}").format(*(next(marks) for _ in range(4))) + "), "
    if not count:
        return f"WITH {token[:-2]} {response}" if with_token else response
    return (
        f"WITH {token}r AS ({response} RETURNING id) INSERT INTO answer ({_ANSWER_COLUMNS}) "
        "SELECT r.id + v.place, r.id, v.wave, v.organisation, v.target_group, v.question, v.option, v.text "
        f"FROM r, (VALUES {values}) AS v (place, wave, organisation, target_group, question, option, text)"
    )


def _answer_rows(wave: WaveForm, submission: Submission) -> list[tuple]:
    """(wave, organisation, target group, question, option, text) for each answer row."""
    common = (wave.id, submission.organisation_id, submission.target_group_id)
    rows = []
    for question in wave.questionnaire.questions:
        for code in submission.answers.chosen.get(question.code, ()):
            rows.append((*common, question.id, question.option(code).id, None))
        text = submission.answers.texts.get(question.code)
        if text:
            rows.append((*common, question.id, None, text))
    return rows
