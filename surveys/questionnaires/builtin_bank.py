"""The question bank effekt ships with: questions any plan for God och nära vård can start from.

The questions live in builtin_bank.toml, a questionnaire file read by the same parser as any other, so a
question that breaks a rule breaks at import (and in the tests), never in front of a communicator. They are
part of the code rather than rows in the database: every installation has them, on any engine, without a
command, a file to upload or a migration, and they can never be stored twice. A built-in question enters the
database (the bank_question table) the first time a questionnaire uses it, as any bank question does; from
then on the bank shows it as it was last worded there (surveys/questionnaires/designer.py, bank_entries).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from surveys.questionnaires.model import QuestionDef, QuestionnaireDef, parse_questionnaire

BANK_FILE = Path(__file__).with_name("builtin_bank.toml")


@cache
def builtin_bank() -> QuestionnaireDef:
    """The built-in questions, in the order the bank offers them (a filter question before those it filters)."""
    return parse_questionnaire(tomllib.loads(BANK_FILE.read_text(encoding="utf-8")))


def builtin_codes() -> tuple[str, ...]:
    """The bank codes of the built-in questions, in their order."""
    return tuple(q.bank for q in builtin_bank().questions if q.bank)


def builtin_question(bank_code: str) -> QuestionDef | None:
    return next((q for q in builtin_bank().questions if q.bank == bank_code), None)
