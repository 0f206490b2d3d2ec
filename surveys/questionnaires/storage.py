"""Storing questionnaire versions and reading them back as QuestionnaireDef."""

from __future__ import annotations

from dataclasses import dataclass, replace

from locales import gettext as _
from surveys.db.tables import BankQuestion, Channel, Option, Question, Questionnaire, QuestionnaireVersion
from surveys.errors import NotFound
from surveys.questionnaires.channels import channel_problems
from surveys.questionnaires.model import (
    OTHER_LANGUAGES,
    OptionDef,
    QuestionDef,
    QuestionnaireDef,
    QuestionnaireFileError,
    ShowIf,
    Texts,
)

# Frozen versions never change, so any worker may keep them; drafts are always read afresh.
_frozen_versions: dict[int, QuestionnaireDef] = {}


async def store_questionnaire(
    definition: QuestionnaireDef,
    *,
    plan_id: int | None = None,
    frozen: bool = False,
    source: str | None = None,
) -> int:
    """Store `definition` as the next version of its questionnaire; returns the version id.

    Call inside a transaction: a version is stored whole or not at all. An option's channel must be one
    of the plan's (QuestionnaireFileError otherwise, naming the line of `source`, the file's text).
    """
    questionnaire = await Questionnaire.objects().get(Questionnaire.code == definition.code)
    if questionnaire is not None and plan_id is None:
        plan_id = questionnaire.plan
    await check_channels(definition, plan_id, source)
    if questionnaire is None:
        questionnaire = Questionnaire(code=definition.code, title=definition.title, plan=plan_id)
        await questionnaire.save()
    elif questionnaire.plan is None and plan_id is not None:
        # A questionnaire made without a plan gets one: from now on its options can name channels.
        await Questionnaire.update({Questionnaire.plan: plan_id}).where(Questionnaire.id == questionnaire.id)
    last = (
        await QuestionnaireVersion.select(QuestionnaireVersion.number)
        .where(QuestionnaireVersion.questionnaire == questionnaire.id)
        .order_by(QuestionnaireVersion.number, ascending=False)
        .first()
    )
    version = QuestionnaireVersion(
        questionnaire=questionnaire.id,
        number=(last["number"] + 1) if last else 1,
        title=definition.title,
        intro=definition.intro,
        frozen=frozen,
        translations=version_translations(definition),
    )
    await version.save()
    await replace_questions(version.id, definition, plan_id)
    return version.id


async def replace_questions(version_id: int, definition: QuestionnaireDef, plan_id: int | None) -> None:
    """Make a version's stored questions and options `definition`'s (a draft being saved, or a new version).

    A question or option whose code stays keeps its row and id, and only its contents change. A respondent
    who opened the form before a communicator fixed a typo in the draft can still send it: the ids in their
    worker's copy of the wave still point at the same questions.
    """
    channels = await _channel_ids(plan_id)
    unknown = channel_problems(definition, channels if plan_id is not None else None)
    if unknown:
        raise QuestionnaireFileError(unknown)
    stored = {
        row["code"]: row["id"]
        for row in await Question.select(Question.id, Question.code).where(Question.version == version_id)
    }
    stored_options = {
        (row["question"], row["code"]): row["id"]
        for row in await Option.select(Option.id, Option.question, Option.code).where(
            Option.question.version == version_id
        )
    }
    kept: set[int] = set()
    for position, q in enumerate(definition.questions, start=1):
        values = {
            Question.version: version_id,
            Question.bank_question: await _bank_question(q) if q.bank else None,
            Question.position: position,
            Question.code: q.code,
            Question.kind: q.kind,
            Question.text: q.text,
            Question.help: q.help,
            Question.required: q.required,
            Question.step: q.step,
            Question.dont_know: q.dont_know,
            Question.show_if: {"question": q.show_if.question, "any_of": list(q.show_if.any_of)}
            if q.show_if
            else None,
            Question.max_length: q.max_length,
            Question.translations: _question_translations(q),
        }
        question_id = await _upsert(Question, stored.get(q.code), values)
        kept.add(question_id)
        kept_options: set[int] = set()
        for i, o in enumerate(q.options, start=1):
            option_values = {
                Option.question: question_id,
                Option.position: i,
                Option.code: o.code,
                Option.text: o.text,
                Option.value: o.value,
                Option.reaches_step: o.reaches_step,
                Option.dont_know: o.dont_know,
                Option.channel: channels.get(o.channel) if o.channel else None,
                Option.translations: o.text_in.as_dict() or None,
            }
            kept_options.add(await _upsert(Option, stored_options.get((question_id, o.code)), option_values))
        gone_options = [oid for (qid, _c), oid in stored_options.items() if qid == question_id]
        gone_options = [oid for oid in gone_options if oid not in kept_options]
        if gone_options:
            await Option.delete().where(Option.id.is_in(gone_options))
    gone = [qid for qid in stored.values() if qid not in kept]
    if gone:
        await Question.delete().where(Question.id.is_in(gone))  # their options go with them


def version_translations(definition: QuestionnaireDef) -> dict | None:
    """The languages offered besides Swedish, each with the title and intro in it (as stored)."""
    if not definition.languages:
        return None
    return {
        lang: {
            key: text
            for key, text in (
                ("title", definition.title_in.get(lang)),
                ("intro", definition.intro_in.get(lang)),
            )
            if text
        }
        for lang in definition.languages
    }


def _question_translations(q: QuestionDef) -> dict | None:
    found: dict[str, dict[str, str]] = {}
    for lang, text in q.text_in.items:
        found.setdefault(lang, {})["text"] = text
    for lang, text in q.help_in.items:
        found.setdefault(lang, {})["help"] = text
    return found or None


async def check_channels(
    definition: QuestionnaireDef, plan_id: int | None, source: str | None = None
) -> None:
    """QuestionnaireFileError when an option names a channel the plan (or a missing plan) does not have."""
    channels = await plan_channels(plan_id) if plan_id is not None else None
    unknown = channel_problems(definition, channels, source)
    if unknown:
        raise QuestionnaireFileError(unknown)


async def plan_channels(plan_id: int) -> dict[str, str]:
    """The plan's channels, code → name, in the plan's order."""
    rows = (
        await Channel.select(Channel.code, Channel.name).where(Channel.plan == plan_id).order_by(Channel.id)
    )
    return {row["code"]: row["name"] for row in rows}


async def _upsert(table, row_id: int | None, values: dict) -> int:
    if row_id is None:
        row = table(**{column._meta.name: value for column, value in values.items()})
        await row.save()
        return row.id
    await table.update(values).where(table.id == row_id)
    return row_id


async def _channel_ids(plan_id: int | None) -> dict[str, int]:
    if plan_id is None:
        return {}
    rows = await Channel.select(Channel.id, Channel.code).where(Channel.plan == plan_id)
    return {row["code"]: row["id"] for row in rows}


async def _bank_question(q: QuestionDef) -> int:
    existing = await BankQuestion.select(BankQuestion.id).where(BankQuestion.code == q.bank).first()
    if existing:
        return existing["id"]
    row = BankQuestion(code=q.bank, text=q.text, kind=q.kind, step=q.step)
    await row.save()
    return row.id


async def load_version(version_id: int) -> QuestionnaireDef | None:
    cached = _frozen_versions.get(version_id)
    if cached is not None:
        return cached
    version = (
        await QuestionnaireVersion.select(
            QuestionnaireVersion.id,
            QuestionnaireVersion.title,
            QuestionnaireVersion.intro,
            QuestionnaireVersion.frozen,
            QuestionnaireVersion.translations,
            QuestionnaireVersion.questionnaire.code.as_alias("code"),
        )
        .where(QuestionnaireVersion.id == version_id)
        .first()
        .output(load_json=True)
    )
    if version is None:
        return None
    questions = (
        await Question.select(Question.all_columns(), Question.bank_question.code.as_alias("bank_code"))
        .where(Question.version == version_id)
        .order_by(Question.position)
        .output(load_json=True)
    )
    options = (
        await Option.select(Option.all_columns(), Option.channel.code.as_alias("channel_code"))
        .where(Option.question.version == version_id)
        .order_by(Option.position)
        .output(load_json=True)
    )
    by_question: dict[int, list[OptionDef]] = {}
    for o in options:
        by_question.setdefault(o["question"], []).append(
            OptionDef(
                code=o["code"],
                text=o["text"],
                value=o["value"],
                reaches_step=o["reaches_step"],
                dont_know=o["dont_know"],
                channel=o["channel_code"],
                id=o["id"],
                text_in=Texts.of(o["translations"]),
            )
        )
    languages = version["translations"] or {}
    definition = QuestionnaireDef(
        code=version["code"],
        title=version["title"],
        intro=version["intro"],
        languages=tuple(lang for lang in OTHER_LANGUAGES if lang in languages),
        title_in=Texts.of({lang: texts.get("title", "") for lang, texts in languages.items()}),
        intro_in=Texts.of({lang: texts.get("intro", "") for lang, texts in languages.items()}),
        questions=tuple(
            QuestionDef(
                code=q["code"],
                kind=q["kind"],
                text=q["text"],
                options=tuple(by_question.get(q["id"], ())),
                help=q["help"],
                required=q["required"],
                step=q["step"],
                dont_know=q["dont_know"],
                show_if=ShowIf(q["show_if"]["question"], tuple(q["show_if"]["any_of"]))
                if q["show_if"]
                else None,
                max_length=q["max_length"],
                bank=q["bank_code"],
                id=q["id"],
                text_in=Texts.of({lang: t.get("text", "") for lang, t in (q["translations"] or {}).items()}),
                help_in=Texts.of({lang: t.get("help", "") for lang, t in (q["translations"] or {}).items()}),
            )
            for q in questions
        ),
    )
    if version["frozen"]:
        _frozen_versions[version_id] = definition
    return definition


def forget_versions() -> None:
    _frozen_versions.clear()


def is_frozen(version_id: int) -> bool:
    """True when this worker already knows the version is frozen (a cheap check before writing)."""
    return version_id in _frozen_versions


async def freeze_version(version_id: int) -> None:
    """Once answered, a version must never change: editing it would make a new version (#3)."""
    await QuestionnaireVersion.update({QuestionnaireVersion.frozen: True}).where(
        (QuestionnaireVersion.id == version_id) & (QuestionnaireVersion.frozen == False)
    )


def without_ids(definition: QuestionnaireDef) -> QuestionnaireDef:
    """The definition as a file would hold it (for export and comparison)."""
    return replace(
        definition,
        questions=tuple(
            replace(q, id=None, options=tuple(replace(o, id=None) for o in q.options))
            for q in definition.questions
        ),
    )


@dataclass(frozen=True)
class VersionSummary:
    id: int
    number: int
    frozen: bool
    waves: tuple[str, ...]


@dataclass(frozen=True)
class QuestionnaireSummary:
    code: str
    title: str
    versions: tuple[VersionSummary, ...]  # newest first
    plan: str = ""  # the plan's code; "" for a questionnaire of no plan


async def questionnaire_list() -> list[QuestionnaireSummary]:
    from surveys.db.tables import Wave

    waves: dict[int, list[str]] = {}
    for row in await Wave.select(Wave.version, Wave.title).order_by(Wave.opens_at):
        waves.setdefault(row["version"], []).append(row["title"])
    versions: dict[int, list[VersionSummary]] = {}
    for row in await QuestionnaireVersion.select().order_by(QuestionnaireVersion.number, ascending=False):
        versions.setdefault(row["questionnaire"], []).append(
            VersionSummary(row["id"], row["number"], row["frozen"], tuple(waves.get(row["id"], ())))
        )
    return [
        QuestionnaireSummary(r["code"], r["title"], tuple(versions.get(r["id"], ())), r["plan.code"] or "")
        for r in await Questionnaire.select(
            Questionnaire.id, Questionnaire.code, Questionnaire.title, Questionnaire.plan.code
        ).order_by(Questionnaire.title)
    ]


async def version_of(code: str, number: int | None = None) -> tuple[int, QuestionnaireDef] | None:
    """A questionnaire's version by number, or its newest; with its id."""
    query = QuestionnaireVersion.select(QuestionnaireVersion.id).where(
        QuestionnaireVersion.questionnaire.code == code
    )
    if number is not None:
        query = query.where(QuestionnaireVersion.number == number)
    row = await query.order_by(QuestionnaireVersion.number, ascending=False).first()
    if row is None:
        return None
    definition = await load_version(row["id"])
    return (row["id"], without_ids(definition)) if definition else None


def no_questionnaire(code: str) -> NotFound:
    return NotFound(_("Det finns ingen enkät med koden %(code)s.") % {"code": code})


async def version_to_show(code: str, number: int | None = None) -> tuple[int, QuestionnaireDef]:
    """As version_of, for a page that shows it: NotFound when there is no such questionnaire or version."""
    found = await version_of(code, number)
    if found is None:
        raise no_questionnaire(code) if number is None else NotFound(_("Versionen finns inte."))
    return found
