"""Who is counted in a published share (analysis/stats/denominators.py): every rule, alone and combined.

The options are letters here; in the application they are option ids. "j" reaches the step, "n" does not,
"v" is Vet ej.
"""

from analysis.stats.denominators import (
    DontKnow,
    ShareCounts,
    StepCounting,
    Tally,
    option_counts,
    step_counts,
)

AWARENESS = StepCounting(
    reaches=frozenset({"j"}), dont_know_answers=frozenset({"v"}), dont_know=DontKnow.NOT_REACHED
)
ATTITUDE = StepCounting(
    reaches=frozenset({"j"}), dont_know_answers=frozenset({"v"}), dont_know=DontKnow.EXCLUDED
)


def asked_only_some(question: StepCounting) -> StepCounting:
    return StepCounting(question.reaches, question.dont_know_answers, question.dont_know, conditional=True)


def test_everyone_who_answered_is_in_the_base_and_those_who_reached_are_counted():
    assert step_counts(ATTITUDE, Tally(10, {"j": 6, "n": 4})) == ShareCounts(base=10, reached=6)


def test_vet_ej_counted_as_not_reached_stays_in_the_base():
    assert step_counts(AWARENESS, Tally(10, {"j": 5, "n": 3, "v": 2})) == ShareCounts(base=10, reached=5)


def test_vet_ej_excluded_leaves_the_base():
    assert step_counts(ATTITUDE, Tally(10, {"j": 5, "n": 3, "v": 2})) == ShareCounts(base=8, reached=5)


def test_a_question_shown_to_everyone_and_skipped_leaves_the_skipper_out_of_the_base():
    # 10 answered the survey, 7 answered this question.
    assert step_counts(ATTITUDE, Tally(10, {"j": 4, "n": 3})) == ShareCounts(base=7, reached=4)
    assert step_counts(AWARENESS, Tally(10, {"j": 4, "n": 3})) == ShareCounts(base=7, reached=4)


def test_those_not_asked_a_show_if_question_count_as_not_reached():
    # 10 answered the survey, only the 6 who know the plan were asked whether they understand it.
    counts = step_counts(asked_only_some(ATTITUDE), Tally(10, {"j": 4, "n": 2}))
    assert counts == ShareCounts(base=10, reached=4)


def test_a_show_if_question_skipped_by_someone_asked_counts_as_not_reached_too():
    # The counts cannot tell "not asked" from "asked and skipped": both are the 10 - 5 who did not answer.
    counts = step_counts(asked_only_some(AWARENESS), Tally(10, {"j": 3, "n": 2}))
    assert counts == ShareCounts(base=10, reached=3)


def test_a_show_if_question_with_vet_ej_excluded_drops_vet_ej_but_keeps_those_not_asked():
    # 10 in the survey; 6 asked: 3 agree, 1 does not, 2 Vet ej; 4 not asked.
    counts = step_counts(asked_only_some(ATTITUDE), Tally(10, {"j": 3, "n": 1, "v": 2}))
    assert counts == ShareCounts(base=8, reached=3)


def test_a_show_if_question_with_vet_ej_not_reached_keeps_everyone():
    counts = step_counts(asked_only_some(AWARENESS), Tally(10, {"j": 3, "n": 1, "v": 2}))
    assert counts == ShareCounts(base=10, reached=3)


def test_nobody_is_counted_as_not_asked_when_answers_outnumber_respondents():
    # A question with several answers per person: 3 people, 5 answers.
    counts = step_counts(asked_only_some(ATTITUDE), Tally(3, {"j": 3, "n": 2}))
    assert counts == ShareCounts(base=5, reached=3)


def test_a_group_where_nobody_answered_has_an_empty_base():
    assert step_counts(ATTITUDE, Tally(0, {})) == ShareCounts(base=0, reached=0)
    assert step_counts(asked_only_some(ATTITUDE), Tally(4, {})) == ShareCounts(base=4, reached=0)


def test_a_group_where_everyone_said_vet_ej_to_an_attitude_has_an_empty_base():
    assert step_counts(ATTITUDE, Tally(3, {"v": 3})) == ShareCounts(base=0, reached=0)
    assert step_counts(AWARENESS, Tally(3, {"v": 3})) == ShareCounts(base=3, reached=0)


def test_the_rule_for_vet_ej_can_be_named_as_in_the_question_file():
    from_file = StepCounting(frozenset({"j"}), frozenset({"v"}), DontKnow("excluded"))
    assert step_counts(from_file, Tally(4, {"j": 1, "v": 3})) == ShareCounts(base=1, reached=1)


def test_a_channel_share_counts_everyone_who_answered_the_survey():
    # 10 in the survey; 7 were asked which channels they saw: 4 chose the intranet, 2 a newsletter.
    tally = Tally(10, {"intranat": 4, "nyhetsbrev": 2, "v": 1})
    assert option_counts(tally, "intranat") == ShareCounts(base=10, reached=4)
    assert option_counts(tally, "affisch") == ShareCounts(base=10, reached=0)
