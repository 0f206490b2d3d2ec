"""A plan's results, computed from the database's counts, on both engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from analysis.stats.disclosure import SuppressionReason
from server.api.results import serialise
from surveys.demo import PLAN_FILE, SEED, synthetic
from surveys.plans.plan_file import load_plan_file
from surveys.questionnaires.storage import load_version
from surveys.responding.submission import Submission, store_submission
from surveys.responding.validation import CleanAnswers
from surveys.results.plan_results import plan_results
from surveys.results.releases import make_release
from surveys.waves.lookup import find_wave
from tests.support import QUESTIONNAIRE, make_wave

_canonical_by_engine: dict[str, str] = {}


def _goal(results, group: str, step: str):
    return next(g for g in results.goals if g.target_group == group and g.step == step)


async def test_results_match_counts_taken_straight_from_the_synthetic_answers(demo_database):
    plan = load_plan_file(PLAN_FILE)
    groups = {
        g.code: dict(g.sizes) if g.sizes else dict.fromkeys(o.code for o in plan.organisations)
        for g in plan.target_groups
    }
    expected: dict[str, list[int]] = {}
    for response in synthetic.responses(SEED, 0, groups):
        if response.target_group == "kommunala-chefer":
            counts = expected.setdefault(response.organisation, [0, 0])
            counts[0] += 1
            counts[1] += response.chosen["kannedom"][0] in ("ja_val", "ja_viss")
    results = await plan_results("vasternorrland-2026")
    wave = _goal(results, "kommunala-chefer", "L1").result.waves[0]
    assert wave.estimate.base == sum(n for n, _ in expected.values())
    assert wave.estimate.reached == sum(x for _, x in expected.values())
    for organisation in wave.organisations:
        if organisation.estimate is not None:
            assert [organisation.estimate.base, organisation.estimate.reached] == expected[organisation.label]


async def test_results_are_identical_on_sqlite_and_postgresql(demo_database, engine_name):
    results = await plan_results("vasternorrland-2026")
    canonical = json.dumps(json.loads(_to_json(results)), sort_keys=True)
    _canonical_by_engine[engine_name] = canonical
    assert len(canonical) > 10_000
    if len(_canonical_by_engine) == 2:
        a, b = _canonical_by_engine["sqlite"], _canonical_by_engine["postgresql"]
        assert a == b, _first_difference(a, b)


def _to_json(results) -> str:
    import msgspec

    return msgspec.json.encode(serialise(results)).decode()


async def test_awareness_goals_rise_and_the_rise_is_detected(demo_database):
    results = await plan_results("vasternorrland-2026")
    goal = _goal(results, "medarbetare", "L1")
    shares = [w.estimate.share for w in goal.result.waves[:3]]
    assert shares == sorted(shares)
    assert goal.result.trend.p_value < 0.001
    assert goal.result.waves[1].change.interval.low > 0


async def test_a_small_group_is_never_shown(demo_database):
    results = await plan_results("vasternorrland-2026")
    hidden = [
        o
        for g in results.goals
        for w in g.result.waves
        for o in w.organisations
        if o.hidden is SuppressionReason.HIDDEN
    ]
    assert hidden, "the demo has groups under the minimum size"
    for goal in results.goals:
        for wave in goal.result.waves:
            for organisation in wave.organisations:
                if organisation.estimate is not None:
                    assert organisation.estimate.base == 0 or organisation.estimate.base >= 5


async def test_results_change_at_a_release_and_never_with_a_single_response(database):
    wave_id = await make_wave()
    wave = await find_wave("testomgang")
    submission = Submission(
        organisation_id=wave.organisations[0].id,
        target_group_id=wave.target_groups[0].id,
        answers=CleanAnswers(chosen={"kannedom": ("ja",), "forstaelse": ("5",)}, texts={}),
        submission_key="a" * 20,
    )
    await store_submission(wave, submission, datetime.now(UTC))
    first = await plan_results("testplan")
    assert await plan_results("testplan") is first
    assert first.goals[0].result.waves[0].estimate is None  # not released yet
    await store_submission(
        wave, Submission(**{**submission.__dict__, "submission_key": "b" * 20}), datetime.now(UTC)
    )
    assert await plan_results("testplan") is first  # a new answer alone changes nothing a reader sees
    await make_release(wave_id, today=datetime.now(UTC).date() + timedelta(days=1), interim=True)
    second = await plan_results("testplan")
    assert second is not first
    assert second.waves[0].interim
    assert second.goals[0].result.waves[0].estimate is None  # still fewer than 5: hidden
    assert second.goals[0].result.waves[0].hidden is SuppressionReason.HIDDEN


async def test_a_changed_question_wording_marks_a_trend_break(database):
    await make_wave("forsta", "closed")
    changed = json.loads(json.dumps(QUESTIONNAIRE))
    changed["questions"][0]["text"] = "Har du hört talas om planen?"
    await make_wave("andra", "open", questionnaire=changed)
    wave = await find_wave("andra")
    assert (await load_version(wave.version_id)).questions[0].text == "Har du hört talas om planen?"
    results = await plan_results("testplan")
    waves = results.goals[0].result.waves
    assert [w.trend_break for w in waves] == [False, True]
    assert waves[1].change is None


async def test_an_unchanged_questionnaire_has_no_trend_break(database):
    await make_wave("forsta", "closed")
    await make_wave("andra", "open", questionnaire=QUESTIONNAIRE)
    results = await plan_results("testplan")
    assert [w.trend_break for w in results.goals[0].result.waves] == [False, False]


def _first_difference(a: str, b: str) -> str:
    i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"…{a[max(0, i - 300) : i + 100]}… != …{b[max(0, i - 300) : i + 100]}…"
