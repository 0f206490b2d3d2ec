"""A plan's results: the database counts, analysis/ estimates, and disclosure control decides what shows.

Python never sees a response: two GROUP BY queries (respondents, and answers per option, see
`surveys.db.tallies`, which adds the kept counts of purged waves) give a few thousand counts however many
responses there are. Results are cached per worker, keyed by the plan's
configuration and a stamp of the response table, so a new response (or a purge) makes the next request
recompute, and any worker can rebuild the same result on its own.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from piccolo.query.functions.aggregate import Count, Max

from analysis.render.verdicts import hidden_verdict
from analysis.stats.disclosure import SuppressionReason
from analysis.stats.effects import ShareEstimate, Stratum
from analysis.stats.goal_results import GoalResult, GoalSpec, Measure, goal_results, protected
from surveys.db import tallies
from surveys.db.tables import (
    Activity,
    Channel,
    EffectGoal,
    Option,
    Organisation,
    Plan,
    Question,
    ReachFigure,
    Response,
    TargetGroup,
    TargetGroupSize,
    Wave,
    WaveOrganisation,
)
from surveys.questionnaires.model import STEPS

_CACHE_SIZE = 16
_cache: OrderedDict[tuple, PlanResults] = OrderedDict()


@dataclass(frozen=True)
class WaveInfo:
    slug: str
    title: str
    opens_at: datetime
    closes_at: datetime


@dataclass(frozen=True)
class GroupInfo:
    code: str
    name: str
    population: int | None


@dataclass(frozen=True)
class GoalView:
    id: int
    target_group: str
    step: str
    target: float
    deadline: date | None
    wording: str
    result: GoalResult


@dataclass(frozen=True)
class Cell:
    """One shown-or-hidden estimate: a rung of the ladder, or the recall of one channel."""

    target_group: str
    wave: str
    key: str  # the step (ladder) or the channel code (recall)
    estimate: ShareEstimate | None
    hidden: SuppressionReason | None


@dataclass(frozen=True)
class ReachTotal:
    channel: str | None
    activity: str | None
    metric: str
    value: int
    period_start: date
    period_end: date


@dataclass(frozen=True)
class PlanResults:
    plan_code: str
    plan_title: str
    k: int
    confidence: float
    waves: tuple[WaveInfo, ...]
    groups: tuple[GroupInfo, ...]
    organisations: Mapping[str, str]  # code → name
    channels: Mapping[str, str]
    activities: Mapping[str, str]
    goals: tuple[GoalView, ...]
    ladder: tuple[Cell, ...]
    recall: tuple[Cell, ...]
    reach: tuple[ReachTotal, ...]
    respondents: Mapping[str, int]  # "group/wave" → respondents, only where ≥ k
    stamp: str = ""  # changes whenever the results may have: responses, configuration, k


@dataclass(frozen=True)
class _QuestionInfo:
    id: int
    code: str
    kind: str
    step: str | None
    dont_know: str
    has_condition: bool
    fingerprint: str
    reached: frozenset[int]
    dont_know_options: frozenset[int]
    channels: Mapping[int, str]  # option id → channel code


class PlanNotFound(LookupError):
    pass


def hidden_text(reason: SuppressionReason, k: int) -> str:
    """Why a group is missing, in words for the page, the report and the API."""
    return hidden_verdict(reason, k)


async def plan_results(plan_code: str, *, k: int = 5, confidence: float = 0.95) -> PlanResults:
    plan = await Plan.select(Plan.id, Plan.code, Plan.title).where(Plan.code == plan_code).first()
    if plan is None:
        raise PlanNotFound(plan_code)
    meta = await _metadata(plan["id"])
    stamp = await _response_stamp()
    key = (plan_code, k, confidence, stamp, meta["fingerprint"])
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return cached
    result = await _compute(plan, meta, k, confidence)
    result = replace(result, stamp=hashlib.sha256(repr(key).encode()).hexdigest()[:16])
    _cache[key] = result
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return result


def forget_results() -> None:
    _cache.clear()


async def _response_stamp() -> tuple[int, int]:
    # Both the newest id and the count: inserts raise the first, deletions (retention) lower the second.
    row = await Response.select(Max(Response.id, alias="newest"), Count(alias="n")).first()
    return (row["newest"] or 0, row["n"])


async def _metadata(plan_id: int) -> dict:
    groups = (
        await TargetGroup.select(TargetGroup.id, TargetGroup.code, TargetGroup.name)
        .where(TargetGroup.plan == plan_id)
        .order_by(TargetGroup.position)
    )
    sizes = await TargetGroupSize.select(
        TargetGroupSize.target_group, TargetGroupSize.organisation, TargetGroupSize.size
    ).where(TargetGroupSize.target_group.plan == plan_id)
    goals = await EffectGoal.select().where(EffectGoal.plan == plan_id).order_by(EffectGoal.id)
    waves = (
        await Wave.select(Wave.id, Wave.slug, Wave.title, Wave.opens_at, Wave.closes_at, Wave.version)
        .where(Wave.plan == plan_id)
        .order_by(Wave.opens_at)
    )
    wave_ids = [w["id"] for w in waves]
    wave_orgs = (
        await WaveOrganisation.select(WaveOrganisation.wave, WaveOrganisation.organisation).where(
            WaveOrganisation.wave.is_in(wave_ids)
        )
        if wave_ids
        else []
    )
    organisations = await Organisation.select(Organisation.id, Organisation.code, Organisation.name)
    version_ids = sorted({w["version"] for w in waves})
    questions = (
        await Question.select(
            Question.id,
            Question.version,
            Question.code,
            Question.kind,
            Question.text,
            Question.step,
            Question.dont_know,
            Question.show_if,
            Question.bank_question.code.as_alias("bank"),
        )
        .where(Question.version.is_in(version_ids))
        .order_by(Question.position)
        if version_ids
        else []
    )
    options = (
        await Option.select(
            Option.id,
            Option.question,
            Option.code,
            Option.text,
            Option.reaches_step,
            Option.dont_know,
            Option.channel.code.as_alias("channel"),
        )
        .where(Option.question.version.is_in(version_ids))
        .order_by(Option.position)
        if version_ids
        else []
    )
    channels = await Channel.select(Channel.id, Channel.code, Channel.name).where(Channel.plan == plan_id)
    activities = await Activity.select(Activity.id, Activity.code, Activity.title).where(
        Activity.plan == plan_id
    )
    reach = await ReachFigure.select().where(ReachFigure.plan == plan_id)
    fingerprint = hashlib.sha256(
        repr(
            (groups, sizes, goals, waves, wave_orgs, organisations, questions, options, channels, reach)
        ).encode()
    ).hexdigest()
    return {
        "groups": groups,
        "sizes": sizes,
        "goals": goals,
        "waves": waves,
        "wave_orgs": wave_orgs,
        "organisations": organisations,
        "questions": questions,
        "options": options,
        "channels": channels,
        "activities": activities,
        "reach": reach,
        "fingerprint": fingerprint,
    }


def _question_infos(meta: dict) -> dict[int, list[_QuestionInfo]]:
    options_by_question: dict[int, list[dict]] = defaultdict(list)
    for o in meta["options"]:
        options_by_question[o["question"]].append(o)
    by_version: dict[int, list[_QuestionInfo]] = defaultdict(list)
    for q in meta["questions"]:
        opts = options_by_question[q["id"]]
        identity = q["bank"] or q["code"]
        fingerprint = repr(
            (
                identity,
                q["kind"],
                q["text"],
                q["dont_know"],
                [(o["code"], o["text"], o["reaches_step"], o["dont_know"]) for o in opts],
            )
        )
        by_version[q["version"]].append(
            _QuestionInfo(
                id=q["id"],
                code=identity,
                kind=q["kind"],
                step=q["step"],
                dont_know=q["dont_know"],
                has_condition=bool(q["show_if"]),
                fingerprint=fingerprint,
                reached=frozenset(o["id"] for o in opts if o["reaches_step"]),
                dont_know_options=frozenset(o["id"] for o in opts if o["dont_know"]),
                channels={o["id"]: o["channel"] for o in opts if o["channel"]},
            )
        )
    return by_version


async def _compute(plan: dict, meta: dict, k: int, confidence: float) -> PlanResults:
    waves = meta["waves"]
    questions = _question_infos(meta)
    org_code = {o["id"]: o["code"] for o in meta["organisations"]}
    used_questions = [q.id for qs in questions.values() for q in qs if q.step or q.channels]
    wave_ids = [w["id"] for w in waves]
    respondents = await tallies.respondents(wave_ids)
    answers = await tallies.chosen_options(wave_ids, used_questions)

    wave_orgs: dict[int, list[int]] = defaultdict(list)
    for row in meta["wave_orgs"]:
        wave_orgs[row["wave"]].append(row["organisation"])
    sizes: dict[int, dict[int, int]] = defaultdict(dict)
    for row in meta["sizes"]:
        sizes[row["target_group"]][row["organisation"]] = row["size"]

    def strata(
        wave: dict, group_id: int, question: _QuestionInfo, channel_option: int | None = None
    ) -> tuple[Stratum, ...]:
        known = sizes.get(group_id)
        result = []
        for org in wave_orgs[wave["id"]]:
            population = known.get(org, 0) if known else None
            n = respondents.get((wave["id"], org, group_id), 0)
            if population == 0:
                continue  # the group does not exist in this organisation (per its register)
            per_option = answers.get((wave["id"], question.id, org, group_id), {})
            if channel_option is not None:
                result.append(Stratum(org_code[org], n, n, per_option.get(channel_option, 0), population))
                continue
            answered = sum(per_option.values())
            reached = sum(c for option, c in per_option.items() if option in question.reached)
            dont_know = sum(c for option, c in per_option.items() if option in question.dont_know_options)
            unasked = max(0, n - answered) if question.has_condition else 0
            base = answered - (dont_know if question.dont_know == "excluded" else 0) + unasked
            result.append(Stratum(org_code[org], n, base, reached, population))
        return tuple(result)

    specs: list[GoalSpec] = []
    for goal in meta["goals"]:
        measures = []
        previous_fingerprint = None
        for wave in waves:
            question = _step_question(questions.get(wave["version"], []), goal["step"])
            if question is None:
                measures.append(Measure(wave["slug"], None))
                continue
            broken = previous_fingerprint is not None and question.fingerprint != previous_fingerprint
            previous_fingerprint = question.fingerprint
            measures.append(
                Measure(
                    wave["slug"],
                    strata(wave, goal["target_group"], question),
                    broken,
                    _months(waves[0], wave),
                )
            )
        specs.append(GoalSpec(str(goal["id"]), goal["target_share"], tuple(measures)))
    results = goal_results(specs, k=k, confidence=confidence)

    group_code = {g["id"]: g["code"] for g in meta["groups"]}
    goal_views = tuple(
        GoalView(
            id=goal["id"],
            target_group=group_code[goal["target_group"]],
            step=goal["step"],
            target=goal["target_share"],
            deadline=goal["deadline"],
            wording=goal["wording"],
            result=result,
        )
        for goal, result in zip(meta["goals"], results, strict=True)
    )

    ladder: list[Cell] = []
    recall: list[Cell] = []
    shown_respondents: dict[str, int] = {}
    for group in meta["groups"]:
        for wave in waves:
            version_questions = questions.get(wave["version"], [])
            total = sum(respondents.get((wave["id"], org, group["id"]), 0) for org in wave_orgs[wave["id"]])
            if total >= k:
                shown_respondents[f"{group['code']}/{wave['slug']}"] = total
            for step in STEPS:
                question = _step_question(version_questions, step)
                if question is not None:
                    estimate, hidden = protected(strata(wave, group["id"], question), k, confidence)
                    ladder.append(Cell(group["code"], wave["slug"], step, estimate, hidden))
            for question in version_questions:
                for option_id, channel in question.channels.items():
                    estimate, hidden = protected(
                        strata(wave, group["id"], question, option_id), k, confidence
                    )
                    recall.append(Cell(group["code"], wave["slug"], channel, estimate, hidden))

    channel_code = {c["id"]: c["code"] for c in meta["channels"]}
    activity_code = {a["id"]: a["code"] for a in meta["activities"]}
    return PlanResults(
        plan_code=plan["code"],
        plan_title=plan["title"],
        k=k,
        confidence=confidence,
        waves=tuple(WaveInfo(w["slug"], w["title"], w["opens_at"], w["closes_at"]) for w in waves),
        groups=tuple(
            GroupInfo(g["code"], g["name"], sum(sizes[g["id"]].values()) if g["id"] in sizes else None)
            for g in meta["groups"]
        ),
        organisations={o["code"]: o["name"] for o in meta["organisations"]},
        channels={c["code"]: c["name"] for c in meta["channels"]},
        activities={a["code"]: a["title"] for a in meta["activities"]},
        goals=goal_views,
        ladder=tuple(ladder),
        recall=tuple(recall),
        reach=tuple(
            ReachTotal(
                channel_code.get(r["channel"]),
                activity_code.get(r["activity"]),
                r["metric"],
                r["value"],
                r["period_start"],
                r["period_end"],
            )
            for r in meta["reach"]
        ),
        respondents=shown_respondents,
    )


def _months(first: dict, wave: dict) -> float:
    """When a wave opened, in months after the first: the trend's score for unevenly spaced waves."""
    return (wave["opens_at"] - first["opens_at"]).total_seconds() / (86400 * 30.4375)


def _step_question(questions: Sequence[_QuestionInfo], step: str) -> _QuestionInfo | None:
    return next((q for q in questions if q.step == step), None)
