"""A respondent's submission: who they are (organisation, target group), validation, and storing it once."""

from __future__ import annotations

import enum
import re
import secrets
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from zoneinfo import ZoneInfo

from locales import N_
from locales import gettext as _
from surveys.db.engine import (
    execute_on_postgres,
    is_foreign_key_violation,
    is_persistent_sqlite,
    is_unique_violation,
    run_on_sqlite_writer,
    write_transaction,
)
from surveys.db.tables import Answer, Option, Question, Response
from surveys.questionnaires.storage import freeze_version, is_frozen
from surveys.responding.validation import CleanAnswers, validate_answers
from surveys.waves.codes import spend
from surveys.waves.lookup import Choice, WaveForm, forget_wave

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CODE_FIELD = "code"
ORGANISATION_FIELD = "organisation"
TARGET_GROUP_FIELD = "target_group"
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


CHANGED_MESSAGE = N_(
    "Enkäten ändrades just medan du svarade. Gå tillbaka, ladda om sidan och skicka dina svar igen."
)


class QuestionnaireChanged(Exception):
    """The draft questionnaire of an unanswered wave was edited while this respondent answered it."""


class Stored(enum.Enum):
    CREATED = "created"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Submission:
    organisation_id: int | None
    target_group_id: int | None
    answers: CleanAnswers
    submission_key: str
    code: str | None = None


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def is_valid_submission_key(key: object) -> bool:
    return isinstance(key, str) and bool(_KEY.match(key))


def check_submission(
    wave: WaveForm,
    answers: Mapping[str, Sequence[object]],
    *,
    organisation: str | None,
    target_group: str | None,
    fixed_organisation: Choice | None,
    submission_key: str,
    code: str | None = None,
) -> tuple[Submission | None, dict[str, str]]:
    """Validate everything a respondent sent; errors are keyed by question code or background field."""
    errors: dict[str, str] = {}
    if wave.uses_codes and not (code or "").strip():
        errors[CODE_FIELD] = _("Skriv in engångskoden du har fått, till exempel ABCDE-23456.")
    org = fixed_organisation or _only(wave.organisations)
    if org is None and wave.organisations:
        org = wave.organisation(organisation or "")
        if org is None:
            errors[ORGANISATION_FIELD] = (
                _("Välj den organisation du hör till.")
                if not organisation
                else _("Välj en organisation i listan.")
            )
    group = _only(wave.target_groups)
    if group is None and wave.target_groups:
        group = wave.target_group(target_group or "")
        if group is None:
            errors[TARGET_GROUP_FIELD] = (
                _("Välj det som bäst beskriver dig.")
                if not target_group
                else _("Välj ett alternativ i listan.")
            )
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


async def store_submission(wave: WaveForm, submission: Submission, now: datetime) -> Stored:
    """Store a response and its answers in one transaction; a repeated submission key stores nothing.

    Only the date (in Swedish time) is kept: an exact time could identify a respondent.
    """
    rows = _answer_rows(wave, submission)
    day = now.astimezone(STOCKHOLM).date()
    response = (
        wave.id,
        submission.organisation_id,
        submission.target_group_id,
        day,
        submission.submission_key,
    )
    try:
        if wave.uses_codes or not is_frozen(wave.version_id):
            return await _store_with_checks(wave, submission, response, rows)
        # The common case, made as short as the database allows: a repeated key is caught by the UNIQUE
        # constraint, which undoes the whole write.
        if is_persistent_sqlite():
            await run_on_sqlite_writer(partial(_store_on_sqlite, response, rows))
        else:
            await _store_on_postgres(response, rows)
    except Exception as exc:
        # The key was stored before (a retry, a double click, or another worker racing with it).
        if is_unique_violation(exc):
            return Stored.DUPLICATE
        # A communicator saved the draft (new question ids) after this worker read the wave.
        if is_foreign_key_violation(exc):
            forget_wave()
            raise QuestionnaireChanged from exc
        raise
    return Stored.CREATED


async def _store_with_checks(
    wave: WaveForm, submission: Submission, response: tuple, rows: list[tuple]
) -> Stored:
    async with write_transaction():
        if not is_frozen(wave.version_id):
            # The version's first answer freezes it. Done first, it claims the version row, so a designer
            # save of the draft either waits for this answer or has finished; if it has, the question and
            # option ids this worker read may be gone or, on SQLite, reused by other questions.
            await freeze_version(wave.version_id)
            if not await _same_questions(wave):
                forget_wave()
                raise QuestionnaireChanged
        if wave.uses_codes:
            # Looked up first, so that a retry of a stored response hears "already stored", not "code used".
            if await Response.exists().where(Response.submission_key == submission.submission_key):
                return Stored.DUPLICATE
            await spend(wave.id, submission.code or "")  # CodeRejected rolls the whole response back
        inserted = await Response.raw(_RESPONSE_INSERT.replace("?", "{}") + " RETURNING id", *response)
        if rows:
            await Answer.raw(_answers_insert(len(rows), "{}"), *_answer_values(inserted[0]["id"], rows))
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


_RESPONSE_INSERT = (
    "INSERT INTO response (wave, organisation, target_group, submitted_on, submission_key) "
    "VALUES (?, ?, ?, ?, ?)"
)
_ANSWER_COLUMNS = "response, wave, organisation, target_group, question, option, text"


def _answers_insert(count: int, mark: str) -> str:
    row = "(" + ", ".join([mark] * 7) + ")"
    return f"INSERT INTO answer ({_ANSWER_COLUMNS}) VALUES " + ", ".join([row] * count)


def _answer_values(response_id: int, rows: list[tuple]) -> list:
    return [v for row in rows for v in (response_id, *row)]


def _store_on_sqlite(response: tuple, rows: list[tuple], connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        response_id = connection.execute(_RESPONSE_INSERT, response).lastrowid
        if rows:
            connection.execute(_answers_insert(len(rows), "?"), _answer_values(response_id, rows))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


async def _store_on_postgres(response: tuple, rows: list[tuple]) -> None:
    # One statement is one round trip and its own transaction: the response and its answers together.
    await execute_on_postgres(_postgres_insert(len(rows)), [*response, *(v for row in rows for v in row)])


@lru_cache(maxsize=64)
def _postgres_insert(count: int) -> str:
    """The response and `count` answer rows in one statement, with asyncpg's numbered placeholders."""
    marks = iter(f"${n}" for n in range(1, 6 + 6 * count))
    response = _RESPONSE_INSERT.replace("?", "{}").format(*(next(marks) for _ in range(5)))
    if not count:
        return response
    casts = ("integer", "integer", "integer", "integer", "integer", "text")
    values = ", ".join(
        "(" + ", ".join(f"{next(marks)}::{cast}" for cast in casts) + ")" for _ in range(count)
    )
    return (
        f"WITH r AS ({response} RETURNING id) INSERT INTO answer ({_ANSWER_COLUMNS}) "
        "SELECT r.id, v.wave, v.organisation, v.target_group, v.question, v.option, v.text "
        f"FROM r, (VALUES {values}) AS v (wave, organisation, target_group, question, option, text)"
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
