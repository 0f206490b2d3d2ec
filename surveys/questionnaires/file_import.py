"""A questionnaire file read in as a new version, from the workspace's upload."""

from __future__ import annotations

import tomllib

from locales import gettext as _
from surveys.db.engine import write_transaction
from surveys.questionnaires.designer import TrendBreakNotConfirmed
from surveys.questionnaires.model import QuestionnaireDef, QuestionnaireFileError, parse_questionnaire
from surveys.questionnaires.storage import store_questionnaire, version_of
from surveys.questionnaires.toml_file import trend_breaks


def read_questionnaire(data: bytes) -> QuestionnaireDef:
    """A file's bytes as a questionnaire; QuestionnaireFileError lists every problem."""
    try:
        # utf-8-sig: Windows editors often save UTF-8 with a byte order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuestionnaireFileError([_("Filen måste vara sparad som UTF-8.")]) from None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireFileError([_("Filen är inte giltig TOML (%(error)s).") % {"error": exc}]) from None
    return parse_questionnaire(parsed)


async def import_questionnaire(data: bytes, *, confirm_trend_break: bool = False) -> QuestionnaireDef:
    """Store a file as its questionnaire's next version (or its first).

    A question worded or scaled differently from the newest version breaks its trend: unless confirmed,
    TrendBreakNotConfirmed names those questions and nothing is stored.
    """
    definition = read_questionnaire(data)
    previous = await version_of(definition.code)
    changed = trend_breaks(previous[1], definition) if previous else []
    if changed and not confirm_trend_break:
        raise TrendBreakNotConfirmed(changed)
    async with write_transaction():
        await store_questionnaire(definition)
    return definition
