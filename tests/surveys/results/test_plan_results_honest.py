"""What a published number is, from the database on both engines (issue 17): trend breaks follow who is
asked a question, an interim release is preliminary everywhere, and the demo's charts say what the verdicts
beside them say."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from analysis.render.verdicts import Direction, goal_trend_recipe, judge, wave_summary
from analysis.stats.effects import Note
from surveys.db.tables import EffectGoal, Plan, TargetGroup
from surveys.responding.submission import Submission, store_submission
from surveys.responding.validation import CleanAnswers
from surveys.results.plan_results import plan_results
from surveys.results.planning import planning_of
from surveys.results.releases import make_release
from surveys.waves.lookup import find_wave
from tests.support import QUESTIONNAIRE, make_wave

CLAIMS = re.compile(r"ökade|minskade|ökat|minskat|säkerställd|uppnått|slumpen")


async def _understanding_goal() -> None:
    """The test plan's chefer get a goal on L2, the show-if question (only those who know the plan)."""
    plan = await Plan.select(Plan.id).where(Plan.code == "testplan").first()
    group = await TargetGroup.select(TargetGroup.id).where(TargetGroup.code == "chefer").first()
    await EffectGoal.insert(
        EffectGoal(plan=plan["id"], target_group=group["id"], step="L2", target_share=0.5, wording="Förstå.")
    )


def _l2(results):
    return next(g for g in results.goals if g.step == "L2").result


def _questionnaire(**changes) -> dict:
    changed = json.loads(json.dumps(QUESTIONNAIRE))
    for code, fields in changes.items():
        question = next(q for q in changed["questions"] if q["code"] == code)
        question.update(fields)
    return changed


async def test_a_changed_show_if_rule_breaks_the_trend_of_the_question_it_filters(database):
    await make_wave("forsta", "closed")
    await _understanding_goal()
    await make_wave(
        "andra",
        "open",
        questionnaire=_questionnaire(
            forstaelse={"show_if": {"question": "kannedom", "any_of": ["ja", "vet_ej"]}}
        ),
    )
    results = await plan_results("testplan")
    assert [w.trend_break for w in _l2(results).waves] == [False, True]
    assert [w.trend_break for w in results.goals[0].result.waves] == [False, False]  # L1 itself is unchanged


async def test_a_changed_filter_question_breaks_the_trend_of_the_questions_it_filters(database):
    await make_wave("forsta", "closed")
    await _understanding_goal()
    options = [
        {"code": "ja", "text": "Ja, väl", "reaches_step": True},
        {"code": "nej", "text": "Nej"},
        {"code": "vet_ej", "text": "Vet ej", "dont_know": True},
    ]
    await make_wave("andra", "open", questionnaire=_questionnaire(kannedom={"options": options}))
    results = await plan_results("testplan")
    assert [w.trend_break for w in _l2(results).waves] == [False, True]
    assert [w.trend_break for w in results.goals[0].result.waves] == [False, True]


async def test_an_unchanged_questionnaire_keeps_the_filtered_questions_comparable(database):
    await make_wave("forsta", "closed")
    await _understanding_goal()
    await make_wave("andra", "open", questionnaire=QUESTIONNAIRE)
    results = await plan_results("testplan")
    assert [w.trend_break for w in _l2(results).waves] == [False, False]


async def test_an_interim_release_is_preliminary_with_no_status_in_results_and_api(database):
    from server.api.results import serialise

    wave_id = await make_wave()
    wave = await find_wave("testomgang")
    for i in range(12):
        await store_submission(
            wave,
            Submission(
                organisation_id=wave.organisations[1].id,
                target_group_id=wave.target_groups[0].id,
                answers=CleanAnswers(chosen={"kannedom": ("ja",) if i % 3 else ("nej",)}, texts={}),
                submission_key=f"interim-{i:014d}",
            ),
            datetime.now(UTC),
        )
    await make_release(wave_id, today=datetime.now(UTC).date() + timedelta(days=1), interim=True)
    results = await plan_results("testplan", k=5)
    (interim,) = results.goals[0].result.waves
    assert interim.preliminary and interim.estimate is not None
    assert interim.status is None
    assert Note.PRELIMINARY in interim.notes
    assert all(c.preliminary for c in results.ladder if c.wave == "testomgang")
    out = serialise(results).goals[0].waves[0]
    assert out.preliminary and out.status is None
    assert out.verdict[0].startswith("Preliminärt:")
    assert {n.code for n in out.notes} >= {"preliminary", "low_response"}
    assert out.response_rate == interim.estimate.response_rate
    assert out.nonresponse_bounds is not None
    # Nothing final to plan from yet.
    assert planning_of(results).goals[0].basis_wave is None


async def test_every_demo_trend_chart_says_what_the_verdict_beside_it_says(demo_database):
    results = await plan_results("vasternorrland-2026")
    titles = {w.slug: w.title for w in results.waves}
    names = {g.code: g.name for g in results.groups}
    compared = 0
    for goal in results.goals:
        result = goal.result
        latest = max(i for i, w in enumerate(result.waves) if w.measured)
        verdict = wave_summary(
            result, latest, k=results.k, organisations=results.organisations, wave_titles=titles
        )
        chart = goal_trend_recipe(
            f"{names[goal.target_group]}: {goal.step}",
            result,
            titles,
            k=results.k,
            organisations=results.organisations,
        )()
        for sentence in verdict:
            assert sentence in chart.description
        own_words = chart.description
        for index in range(len(result.waves)):
            for sentence in wave_summary(
                result, index, k=results.k, organisations=results.organisations, wave_titles=titles
            ):
                own_words = own_words.replace(sentence, "")
        assert not CLAIMS.search(own_words), (goal.id, own_words)
        judgement = judge(result, latest, k=results.k)
        if judgement.change is Direction.CHANCE:
            assert not re.search(r"Ökningen|Minskningen", chart.description)
        compared += 1
    assert compared == len(results.goals) > 10


async def test_the_overviews_trend_charts_make_no_claim_the_verdict_does_not(demo_database):
    from surveys.results.overview import group_charts

    results = await plan_results("vasternorrland-2026")
    titles = {w.slug: w.title for w in results.waves}
    sentences = {
        s
        for g in results.goals
        for i in range(len(g.result.waves))
        for s in wave_summary(
            g.result, i, k=results.k, organisations=results.organisations, wave_titles=titles
        )
    }
    for group in results.groups:
        for spec in group_charts(results, group.code):
            if not spec.key.startswith("trend"):
                continue
            text = spec.build().description
            for sentence in sentences:
                text = text.replace(sentence, "")
            assert not CLAIMS.search(text), (group.code, spec.key, text)
