"""Per-question results: how every question of a wave was answered, by target group and organisation,
two questions against each other, and the free-text answers, all from released counts only.

Everything here is published from a wave's releases (surveys/results/releases.py), never from live
answers, and under the disclosure rules of docs/dataskydd.md:

- **The release decides who is shown.** A target group is shown from the release the results pages use
  for it (a group that gained fewer than k respondents since then keeps that older release), and an
  organisation the release hides is hidden here too, in every question. Which release and which
  organisations is worked out exactly as surveys/results/plan_results.py does, and a test holds the two
  together.
- **Each question passes the rules on its own** (surveys/results/question_cells.py): a group's
  distribution needs k in the question's base and, if small, answers that are not all alike; a question
  that gained 1 to k−1 answers since its last publication keeps that publication. Organisations are shown
  for a question only if every shown one and the hidden ones together pass; otherwise none is.
- **Counts are rounded** to the nearest five (`rounded_count`), shares are of the exact counts.
- **Cross-tabulations** are made per target group from a closed wave's final release, with primary and
  complementary suppression (surveys/results/crosstab_cells.py); never by organisation.
- **Free texts** are for communicators and administrators, from a closed wave's final release, for a
  group and filter of at least k respondents, in an order that says nothing of who wrote what, with no
  date or organisation beside them.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from analysis.stats.denominators import DontKnow, StepCounting, Tally, step_counts
from analysis.stats.linked_tables import (
    GroupCounts,
    Part,
    ReleasePattern,
    open_link_minimum,
    release_pattern,
    rounded_count,
)
from locales import gettext as _
from surveys.accounts.users import Role
from surveys.db.tables import (
    EffectGoal,
    Option,
    Organisation,
    Question,
    TargetGroup,
    TargetGroupSize,
    Wave,
    WaveOrganisation,
)
from surveys.errors import Forbidden, Invalid, NotFound
from surveys.plans.lookup import plan_row
from surveys.questionnaires.model import STEPS
from surveys.results.crosstab_cells import Pattern, suppress
from surveys.results.plan_results import PlanResults, plan_results
from surveys.results.question_cells import Dist, alike, part_fails, total, union_fails
from surveys.results.releases import Release, released_crosstab, released_texts, releases_of

SINGLE_KINDS = frozenset({"single", "agree5", "yesno", "scale10"})  # one answer per respondent
SCALES = frozenset({"agree5", "scale10"})
TEXTS_PER_PAGE = 50
#: The bands a 0–10 scale is counted in when it is cross-tabulated (one row per value would be mostly
#: hidden): the usual split of such a scale into low, middle and high.
SCALE10_BANDS = ((0, 6), (7, 8), (9, 10))

_CACHE_SIZE = 16
_cache: OrderedDict[tuple, _WaveState] = OrderedDict()


# --- what the pages, the API and the tests get ----------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


@dataclass(frozen=True)
class OptionRow:
    code: str
    text: str
    count: int  # rounded to the nearest five
    share: float | None  # of the question's base; None when the base is empty


@dataclass(frozen=True)
class QuestionRow:
    code: str
    number: int  # the question's place in the questionnaire, from 1
    text: str
    kind: str
    conditional: bool  # asked only of some (show-if)
    hidden: bool  # shown as "dold"
    base: int | None = None  # rounded: who the shares are of
    options: tuple[OptionRow, ...] = ()
    mean: float | None = None  # a scale's mean, "Vet ej" left out
    texts: int | None = None  # a free-text question: how many answered, rounded
    released_on: date | None = None  # older than the wave's newest release: the question kept its numbers
    by_organisation: bool = True  # False: the organisations are not shown for this question
    partial: bool = False  # adds up fewer groups than the filter: the others are hidden for this question

    @property
    def multiple(self) -> bool:
        return self.kind == "multiple"

    @property
    def is_text(self) -> bool:
        return self.kind == "text"


@dataclass(frozen=True)
class QuestionResults:
    plan_code: str
    plan_title: str
    k: int
    waves: tuple[Choice, ...]  # the plan's released waves, newest last
    wave: Choice | None  # None: nothing of the plan is released yet
    released_on: date | None
    preliminary: bool  # from an interim release of an open wave
    groups: tuple[Choice, ...]
    organisations: tuple[Choice, ...]
    group: str | None  # the filters as asked for
    organisation: str | None
    filter_hidden: bool  # the filter narrows to a hidden group: nothing is shown
    respondents: int | None  # in the filter; exact for whole target groups, else rounded
    respondents_rounded: bool
    included_groups: tuple[str, ...]  # names of the groups a filter over all groups adds up
    left_out_groups: tuple[str, ...]  # …and of those it leaves out because they are hidden
    questions: tuple[QuestionRow, ...]
    crosstab_questions: tuple[Choice, ...]  # the questions that can be cross-tabulated
    texts_available: bool  # free texts were released (a closed wave's final release)


@dataclass(frozen=True)
class CrossCell:
    count: int | None  # rounded; None: hidden
    share: float | None  # of the row


@dataclass(frozen=True)
class CrossTab:
    plan_code: str
    plan_title: str
    k: int
    wave: Choice
    group: str | None
    first: Choice
    second: Choice
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[CrossCell, ...], ...]
    row_totals: tuple[int, ...]  # rounded
    column_totals: tuple[int, ...]
    total: int | None
    hidden: bool  # the whole table is "dold"
    reason: str | None  # why there is no table at all (not hidden): e.g. not yet closed
    included_groups: tuple[str, ...] = ()
    left_out_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class FreeTexts:
    plan_code: str
    plan_title: str
    k: int
    wave: Choice
    question: Choice
    group: str | None
    organisation: str | None
    hidden: bool
    reason: str | None
    texts: tuple[str, ...]
    count: int  # rounded
    page: int
    pages: int


# --- the wave as released: which release and organisations each group and question is shown from -------


@dataclass
class _Question:
    id: int
    code: str
    number: int
    text: str
    kind: str
    step: str | None
    show_if: dict | None
    dont_know: str
    options: list[dict]  # id, code, text, value, reaches_step, dont_know

    @property
    def single(self) -> bool:
        return self.kind in SINGLE_KINDS

    @property
    def counting(self) -> StepCounting:
        return StepCounting(
            reaches=frozenset(o["id"] for o in self.options if o["reaches_step"]),
            dont_know_answers=frozenset(o["id"] for o in self.options if o["dont_know"]),
            dont_know=DontKnow(self.dont_know),
            conditional=bool(self.show_if),
        )


@dataclass
class _QuestionState:
    release: Release | None = None  # the release the group's distribution is published from
    history: list[Release] = field(default_factory=list)  # every release it was published from
    organisations: bool = False  # the release's shown organisations are shown for this question


@dataclass
class _Group:
    id: int
    code: str
    name: str
    parts: list[int]  # the organisations the release breaks the group into (as plan_results does)
    release: Release | None = None  # the release the group is published from
    whole_hidden: bool = False
    hidden: frozenset[int] = frozenset()  # organisations hidden in every table
    questions: dict[int, _QuestionState] = field(default_factory=dict)


@dataclass
class _WaveState:
    plan_code: str
    plan_title: str
    k: int
    parts_k: int
    wave: dict
    waves: list[dict]
    released: dict[int, date | None]
    interim: bool
    latest: Release | None
    releases: list[Release]
    groups: list[_Group]
    organisations: dict[int, tuple[str, str]]  # id → code, name (the wave's)
    wave_orgs: list[int]
    questions: list[_Question]
    results: PlanResults


async def _state(plan_code: str, wave_slug: str | None, k: int, now: datetime) -> _WaveState:
    results = await plan_results(plan_code, k=k, now=now)
    plan = await plan_row(plan_code)
    waves = (
        await Wave.select(
            Wave.id,
            Wave.slug,
            Wave.title,
            Wave.version,
            Wave.uses_codes,
            Wave.opens_at,
            Wave.closes_at,
            Wave.closed_early,
        )
        .where(Wave.plan == plan["id"])
        .order_by(Wave.opens_at)
    )
    released = {w.slug: w.released_on for w in results.waves}
    published = [w for w in waves if released.get(w["slug"]) is not None]
    if wave_slug is None:
        wave = published[-1] if published else None
    else:
        wave = next((w for w in waves if w["slug"] == wave_slug), None)
        if wave is None:
            raise NotFound(_("Planen har ingen mätomgång med koden %(code)s.") % {"code": wave_slug})
    key = (plan_code, wave["slug"] if wave else None, k, results.stamp)
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return cached
    state = await _compute(results, plan, waves, wave, k)
    _cache[key] = state
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return state


def forget_question_results() -> None:
    _cache.clear()


async def _compute(
    results: PlanResults, plan: dict, waves: list[dict], wave: dict | None, k: int
) -> _WaveState:
    group_rows = (
        await TargetGroup.select(TargetGroup.id, TargetGroup.code, TargetGroup.name)
        .where(TargetGroup.plan == plan["id"])
        .order_by(TargetGroup.position)
    )
    state = _WaveState(
        plan_code=plan["code"],
        plan_title=plan["title"],
        k=k,
        parts_k=k,
        wave=wave or {},
        waves=waves,
        released={w["id"]: {x.slug: x.released_on for x in results.waves}.get(w["slug"]) for w in waves},
        interim=False,
        latest=None,
        releases=[],
        groups=[],
        organisations={},
        wave_orgs=[],
        questions=[],
        results=results,
    )
    if wave is None:
        return state
    state.parts_k = k if wave["uses_codes"] else open_link_minimum(k)
    state.wave_orgs = [
        r["organisation"]
        for r in await WaveOrganisation.select(WaveOrganisation.organisation).where(
            WaveOrganisation.wave == wave["id"]
        )
    ]
    names = {
        r["id"]: (r["code"], r["name"])
        for r in await Organisation.select(Organisation.id, Organisation.code, Organisation.name).where(
            Organisation.id.is_in(state.wave_orgs or [0])
        )
    }
    state.organisations = {o: names[o] for o in sorted(state.wave_orgs, key=lambda o: names[o][1])}
    sizes: dict[int, dict[int, int]] = defaultdict(dict)
    for row in await TargetGroupSize.select(
        TargetGroupSize.target_group, TargetGroupSize.organisation, TargetGroupSize.size
    ).where(TargetGroupSize.target_group.is_in([g["id"] for g in group_rows] or [0])):
        sizes[row["target_group"]][row["organisation"]] = row["size"]
    goal_steps: dict[int, set[str]] = defaultdict(set)
    for goal in await EffectGoal.select(EffectGoal.target_group, EffectGoal.step).where(
        EffectGoal.plan == plan["id"]
    ):
        goal_steps[goal["target_group"]].add(goal["step"])
    state.questions = await _questions(wave["version"])

    releases = (await releases_of([wave["id"]])).get(wave["id"], [])

    def parts_of(group_id: int) -> list[int]:
        # As plan_results.organisations_of: where the register says the group has no one, no part, unless
        # someone there answered (a size edited after a release must not move anyone out of the pattern).
        known = sizes.get(group_id)
        return [
            o
            for o in state.wave_orgs
            if not known
            or known.get(o, 0) != 0
            or any(r.respondents.get((o, group_id), 0) > 0 for r in releases)
        ]

    state.groups = [_Group(g["id"], g["code"], g["name"], parts_of(g["id"])) for g in group_rows]
    if not releases:
        return state
    state.releases = list(releases)
    state.latest = releases[-1]
    state.interim = releases[-1].interim
    history = _group_history(state, releases, goal_steps)
    for group in state.groups:
        seen = history.get(group.id, [])
        if not seen:
            continue
        group.release, final = seen[-1]
        group.whole_hidden = final.group_hidden(group.id)
        group.hidden = frozenset(final.merged.get(group.id, ()))
        for question in state.questions:
            group.questions[question.id] = _question_state(state, group, question, seen)
    return state


async def _questions(version: int) -> list[_Question]:
    rows = (
        await Question.select(
            Question.id,
            Question.code,
            Question.kind,
            Question.text,
            Question.step,
            Question.show_if,
            Question.dont_know,
        )
        .where(Question.version == version)
        .order_by(Question.position)
        .output(load_json=True)
    )
    options: dict[int, list[dict]] = defaultdict(list)
    for o in (
        await Option.select(
            Option.id,
            Option.question,
            Option.code,
            Option.text,
            Option.value,
            Option.reaches_step,
            Option.dont_know,
        )
        .where(Option.question.is_in([r["id"] for r in rows] or [0]))
        .order_by(Option.position)
    ):
        options[o["question"]].append(o)
    return [
        _Question(
            id=r["id"],
            code=r["code"],
            number=i,
            text=r["text"],
            kind=r["kind"],
            step=r["step"],
            show_if=r["show_if"] or None,
            dont_know=r["dont_know"],
            options=options[r["id"]],
        )
        for i, r in enumerate(rows, start=1)
    ]


def _group_history(
    state: _WaveState, releases: Sequence[Release], goal_steps: dict[int, set[str]]
) -> dict[int, list[tuple[Release, ReleasePattern]]]:
    """Per group, every release it was published from with that release's pattern, oldest first.

    The same sequence of `release_pattern` calls as surveys/results/plan_results.py makes, on the same
    counts, so the same organisations are hidden (tests/surveys/results/test_questions.py holds them to it).
    """
    step_question: dict[str, _Question] = {}
    for step in STEPS:
        found = next((q for q in state.questions if q.step == step), None)
        if found is not None:
            step_question[step] = found

    def group_counts(release: Release, group: _Group) -> GroupCounts:
        respondents = {o: release.respondents.get((o, group.id), 0) for o in group.parts}
        shares = {}
        for step in goal_steps[group.id]:
            question = step_question.get(step)
            if question is None:
                continue
            parts = {}
            for o in group.parts:
                tally = Tally(respondents[o], release.answers.get((question.id, o, group.id), {}))
                counts = step_counts(question.counting, tally)
                parts[o] = Part(counts.base, counts.reached)
            shares[step] = parts
        return GroupCounts(group.id, respondents, shares)

    history: dict[int, list[tuple[Release, ReleasePattern]]] = defaultdict(list)
    pattern = None
    counts_before: dict[int, GroupCounts] = {}
    for release in releases:
        current = {g.id: group_counts(release, g) for g in state.groups}
        pattern = release_pattern(
            list(current.values()),
            k=state.k,
            previous=counts_before or None,
            previous_pattern=pattern,
            parts_k=state.parts_k,
        )
        for g in state.groups:
            if g.id not in pattern.stale_groups:
                counts_before[g.id] = current[g.id]
                history[g.id].append((release, pattern))
            elif history[g.id]:
                # Stale: the older release stands, under the newest pattern (which keeps what it hid).
                history[g.id][-1] = (history[g.id][-1][0], pattern)
    return history


def _asked(state: _WaveState, question: _Question, release: Release, orgs: Sequence[int], group: int) -> int:
    """Who was asked the question: everyone, or (show-if) those who answered its opening question so."""
    respondents = sum(release.respondents.get((o, group), 0) for o in orgs)
    condition = question.show_if or {}
    opener = next((q for q in state.questions if q.code == condition.get("question")), None)
    if opener is None:
        return respondents
    opening = {o["id"] for o in opener.options if o["code"] in set(condition.get("any_of", ()))}
    return sum(
        n
        for o in orgs
        for option, n in release.answers.get((opener.id, o, group), {}).items()
        if option in opening
    )


def _dist(state: _WaveState, question: _Question, release: Release, orgs: Sequence[int], group: int) -> Dist:
    counts = {o["id"]: 0 for o in question.options}
    for org in orgs:
        for option, n in release.answers.get((question.id, org, group), {}).items():
            counts[option] = counts.get(option, 0) + n
    respondents = sum(release.respondents.get((o, group), 0) for o in orgs)
    base = sum(counts.values()) if question.single else _asked(state, question, release, orgs, group)
    return Dist(respondents, base, counts, question.single)


def _question_state(
    state: _WaveState, group: _Group, question: _Question, seen: list[tuple[Release, ReleasePattern]]
) -> _QuestionState:
    result = _QuestionState()
    if group.whole_hidden or question.kind == "text":
        return result
    everyone = state.wave_orgs
    decided: tuple[Release, bool] | None = None  # the last release the question was shown or hidden at
    for release, pattern in seen:
        if pattern.group_hidden(group.id):
            continue  # nothing of the group was published from this release
        whole = _dist(state, question, release, everyone, group.id)
        if decided is not None:
            gain = whole.minus(_dist(state, question, decided[0], everyone, group.id))
            if 0 < gain.base < state.k or alike(gain):
                # 1 to k−1 new answers, or all alike: the question keeps its last numbers, or stays
                # hidden, so that neither a difference nor a hidden question now shown tells them.
                continue
        shown = not (0 < whole.base < state.k or alike(whole))
        decided = (release, shown)
        if shown:
            result.release = release
            result.history.append(release)
    if result.release is not None:
        result.organisations = _organisations_pass(state, group, question, result.history)
    return result


def _organisations_pass(
    state: _WaveState, group: _Group, question: _Question, history: list[Release]
) -> bool:
    """May the release's shown organisations be shown for this question (all of them), at its release
    and against every earlier one a reader may have seen?"""
    shown = [o for o in group.parts if o not in group.hidden]
    merged = [o for o in state.wave_orgs if o not in shown]  # what the group total minus the shown leaves
    if not shown:
        return False
    latest = history[-1]
    k = state.parts_k

    def parts(release: Release) -> tuple[list[Dist], list[Dist]]:
        return (
            [_dist(state, question, release, [o], group.id) for o in shown],
            [_dist(state, question, release, [o], group.id) for o in merged],
        )

    now_shown, now_merged = parts(latest)
    if any(part_fails(d, k) for d in now_shown) or union_fails(now_merged, k):
        return False
    for earlier in history[:-1]:
        then_shown, then_merged = parts(earlier)
        gains = [a.minus(b) for a, b in zip(now_shown, then_shown, strict=True)]
        merged_gains = [a.minus(b) for a, b in zip(now_merged, then_merged, strict=True)]
        if any(part_fails(d, k) for d in gains) or union_fails(merged_gains, k):
            return False
    return True


# --- the distributions, with filters ---------------------------------------------------------------------


def _choice_lists(state: _WaveState) -> tuple[tuple[Choice, ...], tuple[Choice, ...], tuple[Choice, ...]]:
    waves = tuple(Choice(w["slug"], w["title"]) for w in state.waves if state.released.get(w["id"]))
    groups = tuple(Choice(g.code, g.name) for g in state.groups)
    organisations = tuple(Choice(code, name) for code, name in state.organisations.values())
    return waves, groups, organisations


def _pick(state: _WaveState, group: str | None, organisation: str | None) -> tuple[_Group | None, int | None]:
    found = None
    if group:
        found = next((g for g in state.groups if g.code == group), None)
        if found is None:
            raise NotFound(_("Planen har ingen målgrupp med koden %(code)s.") % {"code": group})
    org = None
    if organisation:
        org = next((o for o, (code, _name) in state.organisations.items() if code == organisation), None)
        if org is None:
            raise NotFound(
                _("Mätomgången frågade ingen organisation med koden %(code)s.") % {"code": organisation}
            )
    return found, org


def _shown_group(state: _WaveState, group: _Group) -> bool:
    return (
        group.release is not None
        and not group.whole_hidden
        and f"{group.code}/{state.wave['slug']}" in state.results.respondents
    )


def _org_shown(group: _Group, org: int) -> bool:
    return org in group.parts and org not in group.hidden


@dataclass(frozen=True)
class _Filter:
    groups: tuple[_Group, ...]  # the groups the filter adds up
    left_out: tuple[_Group, ...]  # groups it would add up but that are hidden
    org: int | None
    hidden: bool
    respondents: int | None
    rounded: bool


def _filter(state: _WaveState, group: _Group | None, org: int | None) -> _Filter:
    candidates = [group] if group is not None else [g for g in state.groups if g.release is not None]
    shown = [g for g in candidates if _shown_group(state, g)]
    if org is not None:
        shown = [g for g in shown if _org_shown(g, org)]
    left_out = tuple(g for g in candidates if g not in shown)
    if not shown:
        return _Filter((), left_out, org, True, None, False)
    if org is None:
        n = sum(state.results.respondents[f"{g.code}/{state.wave['slug']}"] for g in shown)
        return _Filter(tuple(shown), left_out, None, False, n, False)
    n = sum(g.release.respondents.get((org, g.id), 0) for g in shown)
    return _Filter(tuple(shown), left_out, org, False, rounded_count(n), True)


def _option_rows(question: _Question, dist: Dist) -> tuple[OptionRow, ...]:
    return tuple(
        OptionRow(
            o["code"],
            o["text"],
            rounded_count(dist.counts.get(o["id"], 0)),
            dist.counts.get(o["id"], 0) / dist.base if dist.base else None,
        )
        for o in question.options
    )


def _mean(question: _Question, dist: Dist) -> float | None:
    if question.kind not in SCALES:
        return None
    valued = [(o["value"], dist.counts.get(o["id"], 0)) for o in question.options if o["value"] is not None]
    valued = [
        (v, n) for v, n in valued if not any(o["dont_know"] and o["value"] == v for o in question.options)
    ]
    answered = sum(n for _v, n in valued)
    return sum(v * n for v, n in valued) / answered if answered else None


def _closed_row(state: _WaveState, question: _Question, chosen: _Filter) -> QuestionRow:
    parts = []
    dates = set()
    missing = False
    for group in chosen.groups:
        qs = group.questions.get(question.id)
        if qs is None or qs.release is None or (chosen.org is not None and not qs.organisations):
            missing = True
            continue
        orgs = state.wave_orgs if chosen.org is None else [chosen.org]
        parts.append(_dist(state, question, qs.release, orgs, group.id))
        if group.release is not None and qs.release.number != group.release.number:
            dates.add(qs.release.released_on)
    common = dict(
        code=question.code,
        number=question.number,
        text=question.text,
        kind=question.kind,
        conditional=bool(question.show_if),
    )
    if not parts:
        return QuestionRow(**common, hidden=True)
    dist = total(parts, question.single)
    return QuestionRow(
        **common,
        hidden=False,
        base=rounded_count(dist.base),
        options=_option_rows(question, dist),
        mean=_mean(question, dist),
        released_on=min(dates) if dates and len(chosen.groups) == 1 else None,
        by_organisation=chosen.org is not None
        or all(g.questions.get(question.id, _QuestionState()).organisations for g in chosen.groups),
        partial=missing,
    )


def _text_counts_for(
    state: _WaveState, question: _Question, counts: dict, group: _Group, orgs: Sequence[int]
) -> int:
    number = group.release.number if group.release else 0
    return sum(
        n
        for (q, org, g, released), n in counts.items()
        if q == question.id and g == group.id and org in orgs and released <= number
    )


def _text_allowed(
    state: _WaveState, question: _Question, counts: dict, group: _Group, org: int | None
) -> bool:
    """May this group's texts (of one organisation, or all) be read? A show-if question's texts come
    from those it was shown to, so they need k texts, in the organisation and in the hidden ones together."""
    if not question.show_if:
        return True
    k = state.k
    whole = _text_counts_for(state, question, counts, group, state.wave_orgs)
    if 0 < whole < k:
        return False
    if org is None:
        return True
    shown = [o for o in group.parts if o not in group.hidden]
    merged = [o for o in state.wave_orgs if o not in shown]
    parts = [_text_counts_for(state, question, counts, group, [o]) for o in shown]
    rest = _text_counts_for(state, question, counts, group, merged)
    return all(n == 0 or n >= state.parts_k for n in parts) and (rest == 0 or rest >= state.parts_k)


def _text_row(state: _WaveState, question: _Question, chosen: _Filter, counts: dict | None) -> QuestionRow:
    common = dict(
        code=question.code,
        number=question.number,
        text=question.text,
        kind=question.kind,
        conditional=bool(question.show_if),
    )
    finals = [g for g in chosen.groups if g.release is not None and not g.release.interim]
    if counts is None or not finals:
        return QuestionRow(**common, hidden=False, texts=None)
    allowed = [g for g in finals if _text_allowed(state, question, counts, g, chosen.org)]
    if not allowed:
        return QuestionRow(**common, hidden=True)
    orgs = state.wave_orgs if chosen.org is None else [chosen.org]
    n = sum(_text_counts_for(state, question, counts, g, orgs) for g in allowed)
    return QuestionRow(
        **common, hidden=False, texts=rounded_count(n), partial=len(allowed) < len(chosen.groups)
    )


async def _text_tally(state: _WaveState, now: datetime) -> dict | None:
    """Texts published per question, organisation, group and release; None when no release of the wave
    has published texts (they are published from a closed wave's final release)."""
    from surveys.results.releases import released_text_counts

    if state.latest is None or not any(question.kind == "text" for question in state.questions):
        return None
    counts = await released_text_counts(state.wave["id"], state.latest.number, now)
    if counts or not state.latest.interim:
        return counts
    return None


async def question_results(
    plan_code: str,
    wave: str | None = None,
    *,
    k: int = 5,
    group: str | None = None,
    organisation: str | None = None,
    now: datetime | None = None,
) -> QuestionResults:
    """Every question of a released wave, for a target group or all, an organisation or all.

    `NotFound` for an unknown plan, wave, group or organisation. A filter that narrows to a hidden group
    gives `filter_hidden` and no numbers."""
    now = now or datetime.now(UTC)
    state = await _state(plan_code, wave, k, now)
    waves, groups, organisations = _choice_lists(state)
    chosen_group, org = _pick(state, group, organisation) if state.wave else (None, None)
    base = dict(
        plan_code=state.plan_code,
        plan_title=state.plan_title,
        k=k,
        waves=waves,
        groups=groups,
        organisations=organisations,
        group=group,
        organisation=organisation,
    )
    if not state.wave or state.latest is None:
        return QuestionResults(
            **base,
            wave=Choice(state.wave["slug"], state.wave["title"]) if state.wave else None,
            released_on=None,
            preliminary=False,
            filter_hidden=False,
            respondents=None,
            respondents_rounded=False,
            included_groups=(),
            left_out_groups=(),
            questions=(),
            crosstab_questions=(),
            texts_available=False,
        )
    chosen = _filter(state, chosen_group, org)
    counts = await _text_tally(state, now)
    rows: list[QuestionRow] = []
    if not chosen.hidden:
        for question in state.questions:
            if question.kind == "text":
                rows.append(_text_row(state, question, chosen, counts))
            else:
                rows.append(_closed_row(state, question, chosen))
    return QuestionResults(
        **base,
        wave=Choice(state.wave["slug"], state.wave["title"]),
        released_on=state.latest.released_on,
        preliminary=state.latest.interim,
        filter_hidden=chosen.hidden,
        respondents=chosen.respondents,
        respondents_rounded=chosen.rounded,
        included_groups=tuple(g.name for g in chosen.groups) if group is None else (),
        left_out_groups=tuple(g.name for g in chosen.left_out) if group is None else (),
        questions=tuple(rows),
        crosstab_questions=tuple(Choice(q.code, q.text) for q in state.questions if _crossable(q)),
        texts_available=counts is not None,
    )


def _crossable(question: _Question) -> bool:
    return question.single and len(_categories(question)) <= 8


def _categories(question: _Question) -> list[tuple[str, frozenset[int]]]:
    """The rows (or columns) a question has in a cross-tabulation: its options, a 0–10 scale in bands."""
    if question.kind == "scale10":
        bands = [
            (
                f"{low}–{high}",
                frozenset(
                    o["id"] for o in question.options if o["value"] is not None and low <= o["value"] <= high
                ),
            )
            for low, high in SCALE10_BANDS
        ]
        rest = [(o["text"], frozenset({o["id"]})) for o in question.options if o["value"] is None]
        return bands + rest
    return [(o["text"], frozenset({o["id"]})) for o in question.options]


# --- two questions against each other --------------------------------------------------------------------


def _question(state: _WaveState, code: str) -> _Question:
    found = next((q for q in state.questions if q.code == code), None)
    if found is None:
        raise NotFound(_("Mätomgångens enkät har ingen fråga med koden %(code)s.") % {"code": code})
    return found


def _table(
    state: _WaveState,
    group: _Group,
    release: Release,
    pairs: dict,
    first: _Question,
    second: _Question,
) -> list[list[int]]:
    """Respondents of one group by their answers to two questions, with "no answer" as the last row and
    column (skipped, or not asked): every respondent of the release is in exactly one cell."""
    rows, columns = _categories(first), _categories(second)
    cells = [
        [
            sum(
                n
                for (g, a, b), n in pairs.items()
                if g == group.id and a in row_options and b in column_options
            )
            for _c, column_options in columns
        ]
        for _r, row_options in rows
    ]

    def chosen(question: _Question, options: frozenset[int]) -> int:
        return sum(
            n
            for o in state.wave_orgs
            for option, n in release.answers.get((question.id, o, group.id), {}).items()
            if option in options
        )

    for i, (_r, options) in enumerate(rows):
        cells[i].append(chosen(first, options) - sum(cells[i]))
    last = [
        chosen(second, options) - sum(cells[i][j] for i in range(len(rows)))
        for j, (_c, options) in enumerate(columns)
    ]
    respondents = sum(release.respondents.get((o, group.id), 0) for o in state.wave_orgs)
    last.append(respondents - sum(map(sum, cells)) - sum(last))
    cells.append(last)
    if any(n < 0 for row in cells for n in row):
        raise ValueError("the frozen cross-tabulation disagrees with its release")
    return cells


def _margins_table(
    state: _WaveState, group: _Group, release: Release, first: _Question, second: _Question
) -> list[list[int]]:
    """A table with the row and column totals a release's per-question pages gave of two questions (the
    cells are filled in corner by corner: only the totals are the release's)."""

    def totals(question: _Question) -> list[int]:
        chosen = [
            sum(
                n
                for o in state.wave_orgs
                for option, n in release.answers.get((question.id, o, group.id), {}).items()
                if option in options
            )
            for _c, options in _categories(question)
        ]
        respondents = sum(release.respondents.get((o, group.id), 0) for o in state.wave_orgs)
        return [*chosen, respondents - sum(chosen)]

    rows, columns = totals(first), totals(second)
    cells = [[0] * len(columns) for _r in rows]
    i = j = 0
    while i < len(rows) and j < len(columns):
        n = min(rows[i], columns[j])
        cells[i][j] = n
        rows[i] -= n
        columns[j] -= n
        if rows[i] == 0:
            i += 1
        else:
            j += 1
    return cells


async def crosstab(
    plan_code: str,
    wave: str | None,
    first: str,
    second: str,
    *,
    k: int = 5,
    group: str | None = None,
    organisation: str | None = None,
    now: datetime | None = None,
) -> CrossTab:
    """Two questions of a released wave against each other, for one target group or all."""
    now = now or datetime.now(UTC)
    state = await _state(plan_code, wave, k, now)
    if not state.wave:
        raise NotFound(_("Inget av planens resultat är redovisat ännu."))
    chosen_group, _org = _pick(state, group, organisation)
    q1, q2 = _question(state, first), _question(state, second)
    for q in (q1, q2):
        if not _crossable(q):
            raise Invalid.fields(
                {
                    "first" if q is q1 else "second": _(
                        "Frågan %(code)s kan inte korstabuleras: det går bara med frågor där man väljer "
                        "ett svar av högst åtta."
                    )
                    % {"code": q.code}
                }
            )
    if q1.id == q2.id:
        raise Invalid.fields({"second": _("Välj två olika frågor.")})
    rows = (*(name for name, _o in _categories(q1)), _("Inget svar"))
    columns = (*(name for name, _o in _categories(q2)), _("Inget svar"))
    common = dict(
        plan_code=state.plan_code,
        plan_title=state.plan_title,
        k=k,
        wave=Choice(state.wave["slug"], state.wave["title"]),
        group=group,
        first=Choice(q1.code, q1.text),
        second=Choice(q2.code, q2.text),
        rows=rows,
        columns=columns,
    )

    def without(reason: str | None, hidden: bool = False, left_out: tuple[str, ...] = ()) -> CrossTab:
        return CrossTab(
            **common,
            cells=(),
            row_totals=(),
            column_totals=(),
            total=None,
            hidden=hidden,
            reason=reason,
            left_out_groups=left_out,
        )

    if organisation:
        return without(
            _(
                "Korstabeller visas bara för hela målgrupper. Uppdelat per organisation blir grupperna så "
                "små att nästan allt skulle behöva döljas."
            )
        )
    if state.latest is None:
        return without(_("Mätomgången är inte redovisad ännu."))
    chosen = _filter(state, chosen_group, None)
    if chosen.hidden:
        return without(None, hidden=True)
    releases = {r.number: r for r in state.releases}
    tables: list[tuple[_Group, list[list[int]], Pattern]] = []
    left_out = list(chosen.left_out)
    unreleased = False
    for g in chosen.groups:
        s1, s2 = g.questions.get(q1.id), g.questions.get(q2.id)
        if not (s1 and s2 and s1.release is g.release and s2.release is g.release and g.release):
            left_out.append(g)  # a question of it is hidden, or kept older numbers
            continue
        pairs, earlier = await released_crosstab(state.wave["id"], g.release.number, q1.id, q2.id, now)
        if pairs is None:
            unreleased = True
            left_out.append(g)
            continue
        before: list[tuple[list[list[int]], Pattern]] = []
        frozen = dict(earlier)
        # Every earlier release that published the table, or only the two questions: the pages of those
        # gave their row and column totals, which can fix the table's cells as much as the table itself.
        both = {r.number for r in s1.history} & {r.number for r in s2.history}
        for number in sorted((set(frozen) | both) & {n for n in releases if n < g.release.number}):
            if number in frozen:
                table = _table(state, g, releases[number], frozen[number], q1, q2)
                before.append((table, suppress(table, k, before)))
            else:
                table = _margins_table(state, g, releases[number], q1, q2)
                every = frozenset((i, j) for i, row in enumerate(table) for j in range(len(row)))
                before.append((table, Pattern(every, frozenset(), margins_only=True)))
        table = _table(state, g, g.release, pairs, q1, q2)
        pattern = suppress(table, k, before)
        if pattern.withheld:
            left_out.append(g)
            continue
        if group is None and pattern.hidden:
            # Over all groups only whole tables are added up: a sum that took in a group's hidden cell
            # would give it back by subtracting the other groups' shown ones.
            left_out.append(g)
            continue
        tables.append((g, table, pattern))
    names = tuple(g.name for g in left_out) if group is None else ()
    if not tables:
        if unreleased:
            return without(
                _(
                    "Korstabeller visas när mätomgången har stängt och slutredovisats, så att ingen kan se "
                    "när ett enskilt svar kom in."
                ),
                left_out=names,
            )
        return without(None, hidden=True, left_out=names)
    size = (len(rows), len(columns))
    summed = [[sum(t[i][j] for _g, t, _p in tables) for j in range(size[1])] for i in range(size[0])]
    hidden = {(i, j) for _g, _t, p in tables for (i, j) in p.hidden}
    # "No answer" is left out where nobody is in it (a question everyone was asked and answered).
    keep_rows = [i for i in range(size[0]) if i < size[0] - 1 or sum(summed[i])]
    keep_columns = [j for j in range(size[1]) if j < size[1] - 1 or sum(r[j] for r in summed)]
    rows = tuple(rows[i] for i in keep_rows)
    columns = tuple(columns[j] for j in keep_columns)
    common.update(rows=rows, columns=columns)
    summed = [[summed[i][j] for j in keep_columns] for i in keep_rows]
    hidden = {
        (keep_rows.index(i), keep_columns.index(j)) for i, j in hidden if i in keep_rows and j in keep_columns
    }
    size = (len(keep_rows), len(keep_columns))
    row_totals = [sum(r) for r in summed]
    cells = tuple(
        tuple(
            CrossCell(None, None)
            if (i, j) in hidden
            else CrossCell(rounded_count(n), n / row_totals[i] if row_totals[i] else None)
            for j, n in enumerate(row)
        )
        for i, row in enumerate(summed)
    )
    return CrossTab(
        **common,
        cells=cells,
        row_totals=tuple(rounded_count(n) for n in row_totals),
        column_totals=tuple(rounded_count(sum(summed[i][j] for i in range(size[0]))) for j in range(size[1])),
        total=sum(row_totals),
        hidden=False,
        reason=None,
        included_groups=tuple(g.name for g, _t, _p in tables) if group is None else (),
        left_out_groups=names,
    )


# --- free texts ------------------------------------------------------------------------------------------


def _text_order(question_id: int, answer_id: int) -> bytes:
    # Neither the order of answering nor the ids (which sit close to the response's) may link one
    # person's texts across questions: the order of a hash of both.
    return hashlib.sha256(f"{question_id}:{answer_id}".encode()).digest()


async def free_texts(
    plan_code: str,
    wave: str | None,
    question: str,
    *,
    role: Role,
    k: int = 5,
    group: str | None = None,
    organisation: str | None = None,
    page: int = 1,
    now: datetime | None = None,
) -> FreeTexts:
    """A free-text question's released answers for communicators and administrators, page by page."""
    if not role.may(Role.COMMUNICATOR):
        raise Forbidden(_("Fritextsvaren kan läsas av kommunikatörer och administratörer."))
    now = now or datetime.now(UTC)
    state = await _state(plan_code, wave, k, now)
    if not state.wave:
        raise NotFound(_("Inget av planens resultat är redovisat ännu."))
    chosen_group, org = _pick(state, group, organisation)
    q = _question(state, question)
    if q.kind != "text":
        raise NotFound(_("Frågan %(code)s har inga fritextsvar.") % {"code": q.code})
    common = dict(
        plan_code=state.plan_code,
        plan_title=state.plan_title,
        k=k,
        wave=Choice(state.wave["slug"], state.wave["title"]),
        question=Choice(q.code, q.text),
        group=group,
        organisation=organisation,
    )

    def without(reason: str | None, hidden: bool) -> FreeTexts:
        return FreeTexts(**common, hidden=hidden, reason=reason, texts=(), count=0, page=1, pages=1)

    counts = await _text_tally(state, now)
    chosen = _filter(state, chosen_group, org)
    # Texts are published from final releases only: a group still shown from an interim one has none yet.
    finals = [g for g in chosen.groups if g.release is not None and not g.release.interim]
    if counts is None or (chosen.groups and not finals):
        return without(
            _(
                "Fritextsvaren visas när mätomgången har stängt och slutredovisats, så att ingen kan se när "
                "ett enskilt svar kom in."
            ),
            False,
        )
    allowed = [g for g in finals if _text_allowed(state, q, counts, g, chosen.org)]
    if chosen.hidden or not allowed:
        return without(None, True)
    newest = {g.id: g.release.number for g in allowed if g.release}
    orgs = set(state.wave_orgs if org is None else [org])
    found = [
        r
        for r in await released_texts(state.wave["id"], max(newest.values()), q.id, now)
        if r["target_group"] in newest
        and r["number"] <= newest[r["target_group"]]
        and r["organisation"] in orgs
    ]
    found.sort(key=lambda r: _text_order(q.id, r["id"]))
    pages = max(1, -(-len(found) // TEXTS_PER_PAGE))
    page = min(max(1, page), pages)
    shown = found[(page - 1) * TEXTS_PER_PAGE : page * TEXTS_PER_PAGE]
    return FreeTexts(
        **common,
        hidden=False,
        reason=None,
        texts=tuple(r["text"] for r in shown),
        count=rounded_count(len(found)),
        page=page,
        pages=pages,
    )
