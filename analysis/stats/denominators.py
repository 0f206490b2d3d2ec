"""Who is counted in a published share: its denominator (base) and its numerator (reached).

Every share the results show, on the pages, in the exports, in the API and in the meeting pack, is
`reached / base` for one organisation within one target group in one wave. The two functions here are the
only place that decides those two numbers from the counts the database keeps: how many people in the
group answered the survey, and how many chose each answer option of one question.

Pure: plain numbers in, plain numbers out; nothing here knows of the database, of languages or of pages.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class DontKnow(StrEnum):
    """How a question's "Vet ej" answers count (the question file's `dont_know`)."""

    NOT_REACHED = "not_reached"  # in the base, never reached: not knowing is not being aware
    EXCLUDED = "excluded"  # out of the base: not knowing says nothing either way (attitudes)


@dataclass(frozen=True)
class StepCounting:
    """What a question that measures a step of the effect ladder says about counting its answers."""

    reaches: frozenset[Hashable]  # the answer options that count as having reached the step
    dont_know_answers: frozenset[Hashable] = frozenset()  # the "Vet ej" options
    dont_know: DontKnow = DontKnow.EXCLUDED
    conditional: bool = False  # shown only to those who answered an earlier question a certain way


@dataclass(frozen=True)
class Tally:
    """The counts of one organisation within one target group in one wave, for one question."""

    respondents: int  # everyone in the group who answered the survey at all
    chosen: Mapping[Hashable, int] = field(default_factory=dict)  # answer option → times chosen


@dataclass(frozen=True)
class ShareCounts:
    base: int  # the share's denominator: those it speaks about
    reached: int  # the share's numerator: those of them who reached the step, or recall the channel


def step_counts(question: StepCounting, tally: Tally) -> ShareCounts:
    """The base and the reached count of a step share (kännedom, förståelse, acceptans, handling).

    What each rule means for a reader of the published share, "x % of … have reached the step":

    - Everyone who answered the question is in the base, and those who chose an answer that reaches the
      step are the reached. (Answers are counted as chosen options: one per person for a question with one
      answer.)
    - "Vet ej" counted as not reached (`DontKnow.NOT_REACHED`, the rule for awareness): whoever does not
      know stays in the base and is not reached. The share reads "x % of those who answered know the plan";
      not knowing whether one knows it is not knowing it.
    - "Vet ej" excluded (`DontKnow.EXCLUDED`, the rule for attitudes): whoever does not know is left out of
      both numbers. The share reads "x % of those who took a stand agree"; not knowing whether one agrees
      says nothing about agreeing.
    - A question that was skipped, when it is shown to everyone: the person who skipped it is left out of
      both numbers. The share speaks only of those who answered it; a blank says nothing either way.
    - A question shown only to some (show-if, e.g. only to those who know the plan): everyone in the group
      who answered the survey without answering this question is in the base, as not reached. The share
      reads "x % of everyone in the group", not "x % of those who were asked": someone who does not know
      the plan has not understood or accepted it either. The counts cannot tell a person who was not asked
      from one who was asked and skipped, so both count as not reached, which can only make the share lower.
    - Combined, a show-if question whose "Vet ej" is excluded: those asked who said "Vet ej" drop out of
      the base, those not asked stay in it as not reached.
    - Nobody is counted as not asked when there are more answers than respondents (a question with several
      answers per person): the base is never made up of negative people.
    """
    answered = sum(tally.chosen.values())
    reached = sum(count for option, count in tally.chosen.items() if option in question.reaches)
    dont_know = sum(count for option, count in tally.chosen.items() if option in question.dont_know_answers)
    not_answered = max(0, tally.respondents - answered) if question.conditional else 0
    excluded = dont_know if question.dont_know == DontKnow.EXCLUDED else 0
    return ShareCounts(base=answered - excluded + not_answered, reached=reached)


def option_counts(tally: Tally, option: Hashable) -> ShareCounts:
    """The base and the reached count of the share who chose one option: the recall of one channel.

    For a reader, "x % of the group remember hearing of the plan through this channel": everyone in the
    group who answered the survey is in the base, whether they were asked the question, skipped it or chose
    other channels; those who chose this one are the reached. "Vet ej" is just another option here.
    """
    return ShareCounts(base=tally.respondents, reached=tally.chosen.get(option, 0))
