"""A plan's results: the database counts, analysis/ estimates, and disclosure control decides what shows.

Python never sees a response: results are computed from the counts frozen at each wave's release
(`surveys.results.releases`: a closed wave is released once, an open one only when a communicator makes an
interim release), never from live counts, so no single answer shows up between two reads. One suppression
pattern per release covers every table (`analysis.stats.linked_tables`). Results are cached per worker,
keyed by the plan's configuration and a stamp of the releases, and any worker can rebuild the same result. Who each share counts (Vet ej, skipped
questions, people a show-if question was not shown to) is decided in `analysis.stats.denominators`.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from piccolo.query.functions.aggregate import Count, Max

from analysis.render.verdicts import hidden_verdict
from analysis.stats.denominators import DontKnow, StepCounting, Tally, option_counts, step_counts
from analysis.stats.disclosure import SuppressionReason
from analysis.stats.effects import ShareEstimate, Stratum
from analysis.stats.goal_results import (
    GoalResult,
    GoalSpec,
    Measure,
    OrganisationResult,
    WaveResult,
    goal_results,
    protected,
)
from analysis.stats.linked_tables import GroupCounts, Part, open_link_minimum, release_pattern
from surveys.db.tables import (
    Activity,
    Channel,
    EffectGoal,
    Option,
    Organisation,
    Question,
    ReachFigure,
    TargetGroup,
    TargetGroupSize,
    Wave,
    WaveOrganisation,
    WaveRelease,
)
from surveys.plans.lookup import plan_row
from surveys.questionnaires.model import STEPS
from surveys.results.releases import Release, releases_of, settle_closed_waves

_CACHE_SIZE = 16
_cache: OrderedDict[tuple, PlanResults] = OrderedDict()


@dataclass(frozen=True)
class WaveInfo:
    slug: str
    title: str
    opens_at: datetime
    closes_at: datetime
    released_on: date | None = None  # the release its numbers come from; None: not yet published
    interim: bool = False  # that release was made while the wave was open (preliminary numbers)


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
    preliminary: bool = False  # from an interim release of a wave that is still open


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
    # "group/wave" → the organisation codes the release hides in every table; None: the whole group.
    hidden: Mapping[str, tuple[str, ...] | None] = field(default_factory=dict)
    stamp: str = ""  # changes whenever the results may have: responses, configuration, k


@dataclass(frozen=True)
class _QuestionInfo:
    id: int
    code: str
    kind: str
    step: str | None
    counting: StepCounting  # who its step share counts (analysis.stats.denominators)
    fingerprint: str
    channels: Mapping[int, str]  # option id → channel code


def hidden_text(reason: SuppressionReason, k: int) -> str:
    """Why a group is missing, in words for the page, the report and the API."""
    return hidden_verdict(reason, k)


async def plan_results(
    plan_code: str, *, k: int = 5, confidence: float = 0.95, now: datetime | None = None
) -> PlanResults:
    """The plan's released results; `NotFound` when no plan has this code."""
    plan = await plan_row(plan_code)
    meta = await _metadata(plan["id"])
    await settle_closed_waves(meta["waves"], now or datetime.now(UTC))
    stamp = await _release_stamp()
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


async def _release_stamp() -> tuple[int, int]:
    # Results change only at a release, never with a single answer. Both the newest id and the count, in
    # case a release is ever deleted with its wave.
    row = await WaveRelease.select(Max(WaveRelease.id, alias="newest"), Count(alias="n")).first()
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
        await Wave.select(
            Wave.id,
            Wave.slug,
            Wave.title,
            Wave.opens_at,
            Wave.closes_at,
            Wave.closed_early,
            Wave.uses_codes,
            Wave.version,
        )
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


def _show_if(raw: object) -> dict | None:
    """A question's show-if rule as stored (JSON text or already decoded); None when it is shown to all."""
    if not raw:
        return None
    value = json.loads(raw) if isinstance(raw, str) else raw
    return value if isinstance(value, dict) and value.get("question") else None


def _question_infos(meta: dict) -> dict[int, list[_QuestionInfo]]:
    options_by_question: dict[int, list[dict]] = defaultdict(list)
    for o in meta["options"]:
        options_by_question[o["question"]].append(o)
    by_version: dict[int, list[_QuestionInfo]] = defaultdict(list)
    questions_by_version: dict[int, dict[str, dict]] = defaultdict(dict)
    for q in meta["questions"]:
        questions_by_version[q["version"]][q["code"]] = q

    def own(q: dict) -> tuple:
        opts = options_by_question[q["id"]]
        return (
            q["bank"] or q["code"],
            q["kind"],
            q["text"],
            q["dont_know"],
            [(o["code"], o["text"], o["reaches_step"], o["dont_know"]) for o in opts],
        )

    def fingerprint(q: dict, seen: frozenset[int] = frozenset()) -> tuple:
        """The question as its share depends on it: its wording and options, and who is asked it.

        Who is asked follows its show-if rule and the filter question's own wording and options (and that
        question's filter, in turn), so a change to any of them is a trend break (docs/methods.md §2.5)."""
        rule = _show_if(q["show_if"])
        if rule is None or q["id"] in seen:
            return (own(q), None)
        source = questions_by_version[q["version"]].get(rule["question"])
        filter_part = fingerprint(source, seen | {q["id"]}) if source is not None else rule["question"]
        return (own(q), (tuple(sorted(rule.get("any_of", ()))), filter_part))

    for q in meta["questions"]:
        opts = options_by_question[q["id"]]
        identity = q["bank"] or q["code"]
        by_version[q["version"]].append(
            _QuestionInfo(
                id=q["id"],
                code=identity,
                kind=q["kind"],
                step=q["step"],
                counting=StepCounting(
                    reaches=frozenset(o["id"] for o in opts if o["reaches_step"]),
                    dont_know_answers=frozenset(o["id"] for o in opts if o["dont_know"]),
                    dont_know=DontKnow(q["dont_know"]),
                    conditional=_show_if(q["show_if"]) is not None,
                ),
                fingerprint=repr(fingerprint(q)),
                channels={o["id"]: o["channel"] for o in opts if o["channel"]},
            )
        )
    return by_version


async def _compute(plan: dict, meta: dict, k: int, confidence: float) -> PlanResults:
    waves = meta["waves"]
    questions = _question_infos(meta)
    org_code = {o["id"]: o["code"] for o in meta["organisations"]}
    wave_ids = [w["id"] for w in waves]
    releases = await releases_of(wave_ids)

    wave_orgs: dict[int, list[int]] = defaultdict(list)
    for row in meta["wave_orgs"]:
        wave_orgs[row["wave"]].append(row["organisation"])
    sizes: dict[int, dict[int, int]] = defaultdict(dict)
    for row in meta["sizes"]:
        sizes[row["target_group"]][row["organisation"]] = row["size"]

    # Who answered in each wave, over all its releases: an organisation with answers is counted whatever
    # its registered size says today. Sizes are edited at any time; dropping an organisation from a total
    # because its size was cleared or set to 0 after a release would publish the same total with and
    # without it, and a hidden organisation's count by subtraction (tests/anonymity/test_plan_changes.py).
    answered: dict[int, set[tuple[int | None, int | None]]] = defaultdict(set)
    for wave_id, wave_releases in releases.items():
        for release in wave_releases:
            answered[wave_id].update(cell for cell, n in release.respondents.items() if n > 0)

    def organisations_of(wave: dict, group_id: int) -> list[tuple[int, int | None]]:
        """The wave's organisations where the group exists (per its register, when sizes are known) or
        where anyone of the group answered."""
        known = sizes.get(group_id)
        found = [(org, known.get(org, 0) if known else None) for org in wave_orgs[wave["id"]]]
        return [
            (org, population)
            for org, population in found
            if population != 0 or (org, group_id) in answered[wave["id"]]
        ]

    def parts(
        release: Release, wave: dict, group_id: int, question: _QuestionInfo, channel_option: int | None
    ) -> list[tuple[int, int, int, int, int | None]]:
        """(organisation, respondents, base, reached, population) of one share, from one release."""
        result = []
        for org, population in organisations_of(wave, group_id):
            n = release.respondents.get((org, group_id), 0)
            tally = Tally(n, release.answers.get((question.id, org, group_id), {}))
            counts = (
                step_counts(question.counting, tally)
                if channel_option is None
                else option_counts(tally, channel_option)
            )
            result.append((org, n, counts.base, counts.reached, population))
        return result

    def measures_of(version: int) -> list[tuple[str, _QuestionInfo, int | None]]:
        """Every share a release publishes for a group: each step's question, each channel's recall."""
        found: list[tuple[str, _QuestionInfo, int | None]] = []
        for step in STEPS:
            question = _step_question(questions.get(version, []), step)
            if question is not None:
                found.append((step, question, None))
        for question in questions.get(version, []):
            found.extend((f"channel:{option}", question, option) for option in question.channels)
        return found

    goal_steps: dict[int, set[str]] = defaultdict(set)
    for goal in meta["goals"]:
        goal_steps[goal["target_group"]].add(goal["step"])

    def group_counts(release: Release, wave: dict, group_id: int) -> GroupCounts:
        """What a release publishes organisation by organisation for one group: its goals' shares.

        The ladder's other steps and channel recall are published only as the group's total, so they add
        nothing a reader could take apart by organisation; they are checked as totals (`protected`).
        Goals are added and removed at any time, so two reads of one release may be decided on different
        measures: the hidden organisations are therefore always the smallest ones (`release_pattern`), and
        the merged groups of two reads are nested, never overlapping so that one gives the other away."""
        respondents = {
            org: release.respondents.get((org, group_id), 0) for org, _ in organisations_of(wave, group_id)
        }
        shares = {
            key: {
                org: Part(base, reached) for org, _n, base, reached, _ in parts(release, wave, group_id, q, o)
            }
            for key, q, o in measures_of(wave["version"])
            if key in goal_steps[group_id]
        }
        return GroupCounts(group_id, respondents, shares)

    # One suppression pattern per wave release over every table (analysis/stats/linked_tables.py),
    # computed release by release so that each is checked against what a reader could subtract.
    published: dict[tuple[int, int], tuple[Release, frozenset[str], bool]] = {}
    wave_release: dict[int, Release] = {}
    group_ids = [g["id"] for g in meta["groups"]]
    for wave in waves:
        pattern = None
        counts_before: dict[int, GroupCounts] = {}
        release_before: dict[int, Release] = {}
        for release in releases.get(wave["id"], []):
            current = {g: group_counts(release, wave, g) for g in group_ids}
            pattern = release_pattern(
                list(current.values()),
                k=k,
                previous=counts_before or None,
                previous_pattern=pattern,
                parts_k=k if wave["uses_codes"] else open_link_minimum(k),
            )
            for g in group_ids:
                if g not in pattern.stale_groups:
                    counts_before[g], release_before[g] = current[g], release
            wave_release[wave["id"]] = release
        if pattern is None:
            continue
        for g in group_ids:
            hidden = frozenset(org_code[o] for o in pattern.merged.get(g, ()))
            published[(wave["id"], g)] = (release_before[g], hidden, pattern.group_hidden(g))

    def strata(
        wave: dict, group_id: int, question: _QuestionInfo, channel_option: int | None = None
    ) -> tuple[Stratum, ...] | None:
        if (wave["id"], group_id) not in published:
            return None  # not yet released
        release = published[(wave["id"], group_id)][0]
        return tuple(
            Stratum(org_code[org], n, base, reached, population)
            for org, n, base, reached, population in parts(release, wave, group_id, question, channel_option)
        )

    def pattern_of(wave: dict, group_id: int) -> dict:
        _release, hidden, whole = published.get((wave["id"], group_id), (None, frozenset(), False))
        return {"hidden": hidden, "group_hidden": whole}

    def preliminary(wave: dict, group_id: int) -> bool:
        """Published from an interim release, made while the wave was open: its answers are not all in."""
        release = published.get((wave["id"], group_id), (None,))[0]
        return release is not None and release.interim

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
                    **pattern_of(wave, goal["target_group"]),
                    preliminary=preliminary(wave, goal["target_group"]),
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
            if (wave["id"], group["id"]) not in published:
                continue
            release, _hidden, whole = published[(wave["id"], group["id"])]
            total = sum(release.respondents.get((org, group["id"]), 0) for org in wave_orgs[wave["id"]])
            if total >= k and not whole:
                shown_respondents[f"{group['code']}/{wave['slug']}"] = total
            pattern = pattern_of(wave, group["id"])
            for key, question, option in measures_of(wave["version"]):
                estimate, hidden = protected(
                    strata(wave, group["id"], question, option) or (), k, confidence, **pattern
                )
                interim = preliminary(wave, group["id"])
                if option is None:
                    ladder.append(Cell(group["code"], wave["slug"], key, estimate, hidden, interim))
                else:
                    channel = question.channels[option]
                    recall.append(Cell(group["code"], wave["slug"], channel, estimate, hidden, interim))

    channel_code = {c["id"]: c["code"] for c in meta["channels"]}
    activity_code = {a["id"]: a["code"] for a in meta["activities"]}
    return PlanResults(
        plan_code=plan["code"],
        plan_title=plan["title"],
        k=k,
        confidence=confidence,
        waves=tuple(
            WaveInfo(
                w["slug"],
                w["title"],
                w["opens_at"],
                w["closes_at"],
                wave_release[w["id"]].released_on if w["id"] in wave_release else None,
                wave_release[w["id"]].interim if w["id"] in wave_release else False,
            )
            for w in waves
        ),
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
        hidden={
            f"{group_code[g]}/{wave['slug']}": None if whole else tuple(sorted(hidden))
            for wave in waves
            for g in group_ids
            if (wave["id"], g) in published
            for _release, hidden, whole in [published[(wave["id"], g)]]
        },
    )


def _months(first: dict, wave: dict) -> float:
    """When a wave opened, in months after the first: the trend's score for unevenly spaced waves."""
    return (wave["opens_at"] - first["opens_at"]).total_seconds() / (86400 * 30.4375)


def _step_question(questions: Sequence[_QuestionInfo], step: str) -> _QuestionInfo | None:
    return next((q for q in questions if q.step == step), None)


def under_stricter_minimum(results: PlanResults, k: int) -> PlanResults:
    """Frozen results shown after the minimum group size was raised above the one they were made with.

    The frozen numbers cannot be taken apart again, so nothing below the group level is shown: every
    organisation breakdown and merged group is withheld, and a total (a goal's wave, a rung, a channel)
    with fewer than k respondents is hidden, together with its change and the goal's trend. What remains
    are totals of at least k, from which no smaller group can be subtracted."""
    if k <= results.k:
        return results

    def small(estimate: ShareEstimate | None) -> bool:
        return estimate is not None and estimate.respondents < k

    def wave(w: WaveResult) -> WaveResult:
        hidden = small(w.estimate)
        return replace(
            w,
            estimate=None if hidden else w.estimate,
            hidden=SuppressionReason.HIDDEN if hidden else w.hidden,
            status=None if hidden else w.status,
            change=None if hidden else w.change,
            change_p_adjusted=None if hidden else w.change_p_adjusted,
            organisations=tuple(
                OrganisationResult(o.label, None, SuppressionReason.HIDDEN) for o in w.organisations
            ),
            other=None,
        )

    def goal(g: GoalView) -> GoalView:
        waves = tuple(wave(w) for w in g.result.waves)
        lost = any(small(old.estimate) for old in g.result.waves)
        result = replace(
            g.result,
            waves=waves,
            trend=None if lost else g.result.trend,
            trend_p_adjusted=None if lost else g.result.trend_p_adjusted,
        )
        return replace(g, result=result)

    def cell(c: Cell) -> Cell:
        return replace(c, estimate=None, hidden=SuppressionReason.HIDDEN) if small(c.estimate) else c

    return replace(
        results,
        k=k,
        goals=tuple(goal(g) for g in results.goals),
        ladder=tuple(cell(c) for c in results.ladder),
        recall=tuple(cell(c) for c in results.recall),
        respondents={key: n for key, n in results.respondents.items() if n >= k},
        hidden={key: None for key in results.hidden},
    )
