"""A questionnaire file read in as a new version, from the workspace's upload."""

from __future__ import annotations

import tomllib

from locales import gettext as _
from surveys.accounts import audit
from surveys.db.engine import write_transaction
from surveys.db.tables import Plan, Questionnaire
from surveys.questionnaires.designer import TrendBreakNotConfirmed
from surveys.questionnaires.model import QuestionnaireDef, QuestionnaireFileError, parse_questionnaire
from surveys.questionnaires.storage import check_channels, store_questionnaire, version_of
from surveys.questionnaires.toml_file import trend_breaks


def read_questionnaire(data: bytes) -> QuestionnaireDef:
    """A file's bytes as a questionnaire; QuestionnaireFileError lists every problem."""
    return parse_questionnaire(_parsed(_text(data)))


def _text(data: bytes) -> str:
    try:
        # utf-8-sig: Windows editors often save UTF-8 with a byte order mark.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuestionnaireFileError([_("Filen måste vara sparad som UTF-8.")]) from None


def _parsed(text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise QuestionnaireFileError([_("Filen är inte giltig TOML (%(error)s).") % {"error": exc}]) from None


async def import_questionnaire(
    data: bytes, *, confirm_trend_break: bool = False, plan_code: str = ""
) -> QuestionnaireDef:
    """Store a file as its questionnaire's next version (or its first).

    The questionnaire belongs to the plan `plan_code` names (a new one), or keeps its plan (a new version;
    naming another plan is refused). Each option's channel must be one of that plan's: a typo is named
    with its line, never dropped. A question worded or scaled differently from the newest version breaks
    its trend: unless confirmed, TrendBreakNotConfirmed names those questions and nothing is stored.
    """
    text = _text(data)
    definition = parse_questionnaire(_parsed(text))
    plan_id = None
    if plan_code:
        plan = await Plan.select(Plan.id).where(Plan.code == plan_code).first()
        if plan is None:
            raise QuestionnaireFileError(
                [_("Det finns ingen plan med koden %(code)s.") % {"code": plan_code}]
            )
        plan_id = plan["id"]
    existing = (
        await Questionnaire.select(Questionnaire.plan).where(Questionnaire.code == definition.code).first()
    )
    if existing is not None:
        if plan_id is not None and existing["plan"] is not None and existing["plan"] != plan_id:
            raise QuestionnaireFileError(
                [
                    _(
                        "Enkäten %(code)s hör till en annan plan. En ny version hör alltid till samma plan; "
                        "välj den planen, eller ge filen en ny kod för att göra en ny enkät."
                    )
                    % {"code": definition.code}
                ]
            )
        plan_id = existing["plan"] if existing["plan"] is not None else plan_id
    await check_channels(definition, plan_id, text)
    previous = await version_of(definition.code)
    changed = trend_breaks(previous[1], definition) if previous else []
    if changed and not confirm_trend_break:
        raise TrendBreakNotConfirmed(changed)
    async with write_transaction():
        await store_questionnaire(definition, plan_id=plan_id, source=text)
        await audit.record_action(
            audit.Action.QUESTIONNAIRE_CHANGED if previous else audit.Action.QUESTIONNAIRE_CREATED,
            audit.named("Enkät", definition.code, definition.title),
            "inläst från fil" + (", ny version" if previous else ""),
        )
    return definition
