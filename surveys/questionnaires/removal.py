"""Deleting a questionnaire that nothing uses: one function for the page and the API.

The rule of surveys/plans/usage.py: a questionnaire that no wave asks can be deleted, with its versions,
questions and options; one that a wave asks is refused with the waves named, so that answers (and the
wording the results show them with) are never destroyed.
"""

from __future__ import annotations

from locales import gettext as _
from locales import ngettext
from surveys import caches
from surveys.db.engine import write_transaction
from surveys.db.tables import BankQuestion, Option, Question, Questionnaire, QuestionnaireVersion
from surveys.errors import Conflict
from surveys.plans.usage import Uses, names, questionnaire_uses
from surveys.questionnaires.storage import no_questionnaire


def refusal(title: str, uses: Uses) -> str:
    """Why the questionnaire cannot be deleted, and what to do instead, in Swedish."""
    quoted = names((title,))
    if not uses.waves:
        return _("Enkäten %(title)s kan inte tas bort eftersom den har svar.") % {"title": quoted}
    used_in = ngettext(
        "Enkäten %(title)s kan inte tas bort eftersom den används i mätomgången %(waves)s.",
        "Enkäten %(title)s kan inte tas bort eftersom den används i mätomgångarna %(waves)s.",
        len(uses.waves),
    ) % {"title": quoted, "waves": names(uses.waves)}
    if uses.answers:
        return (
            used_in
            + " "
            + _(
                "Mätomgångarna har svar, och resultaten behöver enkäten för att kunna visas. Arkivera "
                "mätomgångarna i stället om de inte ska synas i listorna."
            )
        )
    return (
        used_in
        + " "
        + _("Ingen har svarat än: ta bort mätomgången först (på mätomgångens sida), sedan enkäten.")
    )


async def delete_questionnaire(code: str) -> str:
    """Delete the questionnaire `code` and every version of it; its title is returned for the receipt.

    NotFound when there is none; Conflict (the waves named) when a wave asks any of its versions. Bank
    questions that only this questionnaire asked leave the bank with it, as in the designer: nobody
    answered them.
    """
    async with write_transaction():
        row = (
            await Questionnaire.select(Questionnaire.id, Questionnaire.title)
            .where(Questionnaire.code == code)
            .first()
        )
        if row is None:
            raise no_questionnaire(code)
        uses = await questionnaire_uses(row["id"])
        if uses.waves or uses.answers:
            message = refusal(row["title"], uses)
            raise Conflict(message, errors={"questionnaire": message})
        versions = [
            r["id"]
            for r in await QuestionnaireVersion.select(QuestionnaireVersion.id).where(
                QuestionnaireVersion.questionnaire == row["id"]
            )
        ]
        banked: set[str] = set()
        if versions:
            questions = await Question.select(
                Question.id, Question.bank_question.code.as_alias("bank")
            ).where(Question.version.is_in(versions))
            banked = {q["bank"] for q in questions if q["bank"]}
            ids = [q["id"] for q in questions]
            # Rows one by one rather than through ON DELETE CASCADE, which SQLite applies only when asked.
            if ids:
                await Option.delete().where(Option.question.is_in(ids))
                await Question.delete().where(Question.id.is_in(ids))
            await QuestionnaireVersion.delete().where(QuestionnaireVersion.id.is_in(versions))
        await Questionnaire.delete().where(Questionnaire.id == row["id"])
        for bank_code in banked:
            if not await Question.exists().where(Question.bank_question.code == bank_code):
                await BankQuestion.delete().where(BankQuestion.code == bank_code)
    caches.after_questionnaire_change()
    return row["title"]
