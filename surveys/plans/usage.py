"""What refers to a part of a plan, and so whether it may be deleted or only archived.

The one rule, whichever door (page, API, plan file, command line): a target group, organisation, channel,
activity, wave or questionnaire that nothing has used yet can be deleted; one with answers (or decisions,
reach figures, questions that point at it) is kept for the results and can only be archived (an
organisation: made inactive). Each function returns the uses, and `refusal` turns them into the Swedish
sentence that says why, and what to do instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from locales import gettext as _
from locales import ngettext
from surveys.db.tables import (
    Answer,
    Decision,
    Option,
    Question,
    QuestionnaireVersion,
    ReachFigure,
    Response,
    ResponseTally,
    Wave,
    WaveOrganisation,
    WaveTargetGroup,
)


@dataclass(frozen=True)
class Uses:
    answers: int = 0  # respondents: stored responses, and those retention kept only as counts
    waves: tuple[str, ...] = ()  # titles of waves that ask it
    decisions: tuple[str, ...] = ()  # titles of meetings with a decision on it
    reach: int = 0  # reach figures
    questionnaires: tuple[str, ...] = ()  # titles of questionnaires whose questions point at it

    @property
    def any(self) -> bool:
        return bool(self.answers or self.waves or self.decisions or self.reach or self.questionnaires)

    def described(self) -> str:
        """'svar och mätomgången ”Våren 2027”': what refers to it, in words.

        Never how many answers: a refusal is read live, between releases, and the exact count of a group
        the results hide would give it away (docs/dataskydd.md, "Vad som redovisas")."""
        parts = []
        if self.answers:
            parts.append(_("svar"))
        if self.waves:
            parts.append(
                ngettext("mätomgången %(names)s", "mätomgångarna %(names)s", len(self.waves))
                % {"names": names(self.waves)}
            )
        if self.decisions:
            parts.append(_("beslut från mötet %(names)s") % {"names": names(self.decisions)})
        if self.reach:
            parts.append(
                ngettext("%(count)s räckviddssiffra", "%(count)s räckviddssiffror", self.reach)
                % {"count": self.reach}
            )
        if self.questionnaires:
            parts.append(_("frågor i enkäten %(names)s") % {"names": names(self.questionnaires)})
        if len(parts) < 2:
            return "".join(parts)
        return _("%(first)s och %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def names(titles: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"”{t}”" for t in titles[:5]) + (" …" if len(titles) > 5 else "")


async def _respondents(column, value: int) -> int:
    live = await Response.count().where(column(Response) == value)
    purged = await ResponseTally.select(ResponseTally.respondents).where(column(ResponseTally) == value)
    return live + sum(r["respondents"] for r in purged)


async def _wave_titles(wave_ids: list[int]) -> tuple[str, ...]:
    if not wave_ids:
        return ()
    rows = await Wave.select(Wave.title).where(Wave.id.is_in(wave_ids)).order_by(Wave.opens_at)
    return tuple(r["title"] for r in rows)


async def target_group_uses(group_id: int) -> Uses:
    waves = [
        r["wave"] for r in await WaveTargetGroup.select().where(WaveTargetGroup.target_group == group_id)
    ]
    return Uses(
        answers=await _respondents(lambda t: t.target_group, group_id),
        waves=await _wave_titles(waves),
    )


async def organisation_uses(organisation_id: int) -> Uses:
    waves = [
        r["wave"]
        for r in await WaveOrganisation.select().where(WaveOrganisation.organisation == organisation_id)
    ]
    return Uses(
        answers=await _respondents(lambda t: t.organisation, organisation_id),
        waves=await _wave_titles(waves),
    )


async def channel_uses(channel_id: int) -> Uses:
    """Questions and options that point at the channel (channel recall), and reach figures."""
    questionnaires = {
        r["name"]
        for r in await Question.select(Question.version.questionnaire.title.as_alias("name")).where(
            Question.channel == channel_id
        )
    } | {
        r["name"]
        for r in await Option.select(Option.question.version.questionnaire.title.as_alias("name")).where(
            Option.channel == channel_id
        )
    }
    return Uses(
        reach=await ReachFigure.count().where(ReachFigure.channel == channel_id),
        questionnaires=tuple(sorted(questionnaires)),
    )


async def activity_uses(activity_id: int) -> Uses:
    decisions = await Decision.select(Decision.meeting.title.as_alias("name")).where(
        Decision.activity == activity_id
    )
    return Uses(
        decisions=tuple(dict.fromkeys(r["name"] for r in decisions)),
        reach=await ReachFigure.count().where(ReachFigure.activity == activity_id),
    )


async def wave_uses(wave_id: int) -> Uses:
    """A wave's answers, stored or kept as counts after retention."""
    return Uses(answers=await _respondents(lambda t: t.wave, wave_id))


async def questionnaire_uses(questionnaire_id: int) -> Uses:
    """The waves of any of the questionnaire's versions, and their answers.

    For the questionnaire pages: a questionnaire without waves can be deleted; one whose waves have no
    answers can be deleted with them (surveys/waves/setup.py, delete_wave); one with answers is archived.
    """
    versions = [
        r["id"]
        for r in await QuestionnaireVersion.select(QuestionnaireVersion.id).where(
            QuestionnaireVersion.questionnaire == questionnaire_id
        )
    ]
    if not versions:
        return Uses()
    waves = await Wave.select(Wave.id, Wave.title).where(Wave.version.is_in(versions)).order_by(Wave.opens_at)
    answers = 0
    for wave in waves:
        answers += (await wave_uses(wave["id"])).answers
    if not answers and versions:
        answers = await Answer.count().where(Answer.question.version.is_in(versions))
    return Uses(answers=answers, waves=tuple(w["title"] for w in waves))
