"""A respondent's submission: who they are (organisation, target group), validation, and storing it once."""

from __future__ import annotations

import enum
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from locales import gettext as _
from surveys.access_codes import spend
from surveys.answering import CleanAnswers, validate_answers
from surveys.db import is_unique_violation, write_transaction
from surveys.questionnaires import freeze_version, is_frozen
from surveys.tables import Answer, Response
from surveys.waves import Choice, WaveForm

STOCKHOLM = ZoneInfo("Europe/Stockholm")
CODE_FIELD = "code"
ORGANISATION_FIELD = "organisation"
TARGET_GROUP_FIELD = "target_group"
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


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
    # Everything that can be prepared is prepared before the write lock: on SQLite the time spent inside
    # it is what limits submissions per second. A repeated key is caught by the UNIQUE constraint, which
    # rolls the transaction back; only a wave with one-time codes looks first, so that a retry of a stored
    # response is told "already stored" rather than "code already used".
    rows = _answer_rows(wave, submission)
    response = Response.raw(
        "INSERT INTO response (wave, organisation, target_group, submitted_on, submission_key) "
        "VALUES ({}, {}, {}, {}, {}) RETURNING id",
        wave.id,
        submission.organisation_id,
        submission.target_group_id,
        now.astimezone(STOCKHOLM).date(),
        submission.submission_key,
    )
    try:
        async with write_transaction():
            if wave.uses_codes:
                if await Response.exists().where(Response.submission_key == submission.submission_key):
                    return Stored.DUPLICATE
                await spend(wave.id, submission.code or "")  # CodeRejected rolls the whole response back
            response_id = (await response)[0]["id"]
            if rows:
                await _insert_answers(response_id, rows)
            if not is_frozen(wave.version_id):
                await freeze_version(wave.version_id)
    except Exception as exc:
        # The key was stored before (a retry, a double click, or another worker racing with it).
        if is_unique_violation(exc):
            return Stored.DUPLICATE
        raise
    return Stored.CREATED


_ANSWER_COLUMNS = ("response", "wave", "organisation", "target_group", "question", "option", "text")
_ANSWER_VALUES = "(" + ", ".join("{}" for _ in _ANSWER_COLUMNS) + ")"


async def _insert_answers(response_id: int, rows: list[dict]) -> None:
    # One multi-row INSERT from a plain template: building Table instances costs more than the write.
    template = f"INSERT INTO answer ({', '.join(_ANSWER_COLUMNS)}) VALUES " + ", ".join(
        [_ANSWER_VALUES] * len(rows)
    )
    values = [v for row in rows for v in (response_id, *(row[c] for c in _ANSWER_COLUMNS[1:]))]
    await Answer.raw(template, *values)


def _answer_rows(wave: WaveForm, submission: Submission) -> list[dict]:
    common = {
        "wave": wave.id,
        "organisation": submission.organisation_id,
        "target_group": submission.target_group_id,
    }
    rows = []
    for question in wave.questionnaire.questions:
        for code in submission.answers.chosen.get(question.code, ()):
            option = question.option(code)
            rows.append({**common, "question": question.id, "option": option.id, "text": None})
        text = submission.answers.texts.get(question.code)
        if text:
            rows.append({**common, "question": question.id, "option": None, "text": text})
    return rows
