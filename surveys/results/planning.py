"""Planning the next wave: per goal, the smallest change it can detect and the answers needed to judge it.

Both come from the released results (`surveys.results.plan_results`), so they use only numbers a reader
may already see: the group's known size, and the latest final wave's share and respondents where that
wave was shown. docs/methods.md §2.9 gives the formulas (`minimum_detectable_change`,
`required_sample_size` in analysis/stats/estimates.py, both with the finite-population correction).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.stats.estimates import minimum_detectable_change, required_sample_size
from surveys.results.plan_results import PlanResults, plan_results

# What the page plans for: a change found 8 times in 10, a ±10-point interval, at the results' own level.
POWER = 0.8
MARGIN = 0.10
# Closer to the target than this, no number of answers settles the goal in practice.
UNDECIDABLE = 0.01


@dataclass(frozen=True)
class GoalPlanning:
    goal_id: int
    target_group: str
    group_name: str
    step: str
    target: float
    population: int | None  # the group's known size; None: unknown (every formula then for a large group)
    basis_wave: str | None  # the latest final, shown wave the figures start from; None: none yet
    share: float  # its share, or 0.5 (the most demanding) when there is none
    respondents: int | None  # how many answered in that wave
    response_rate: float | None  # AAPOR RR1 in that wave
    detectable_change: float | None  # if as many answer again: the change found with 80 % power
    needed_for_margin: int  # answers for a ±10-point interval at that share
    needed_to_judge: int | None  # answers for an interval that clears the target, if the share stays
    judgeable: bool  # False: no final wave yet, or its share is within a point of the target

    @property
    def needed_rate(self) -> float | None:
        """``needed_to_judge`` as a share of the group: the response rate the next wave needs."""
        if self.needed_to_judge is None or not self.population:
            return None
        return self.needed_to_judge / self.population


@dataclass(frozen=True)
class WavePlanning:
    plan_code: str
    confidence: float
    power: float
    margin: float
    goals: tuple[GoalPlanning, ...]


def planning_of(results: PlanResults, *, power: float = POWER, margin: float = MARGIN) -> WavePlanning:
    """The planning figures for every goal of a plan, from its released results."""
    sizes = {g.code: g.population for g in results.groups}
    names = {g.code: g.name for g in results.groups}
    goals = []
    for goal in results.goals:
        population = sizes.get(goal.target_group)
        basis = next(
            (
                w
                for w in reversed(goal.result.waves)
                if w.measured and not w.preliminary and w.estimate is not None and w.estimate.base > 0
            ),
            None,
        )
        estimate = basis.estimate if basis else None
        share = estimate.share if estimate else 0.5
        respondents = estimate.respondents if estimate else None
        detectable = (
            minimum_detectable_change(
                share,
                estimate.effective_n,
                estimate.effective_n,
                population1=_population(population, estimate.effective_n),
                population2=_population(population, estimate.effective_n),
                confidence=results.confidence,
                power=power,
            )
            if estimate
            else None
        )
        distance = abs(share - goal.target)
        needed_to_judge = (
            required_sample_size(distance, population, confidence=results.confidence, proportion=share)
            if estimate and UNDECIDABLE <= distance < 1
            else None
        )
        goals.append(
            GoalPlanning(
                goal_id=goal.id,
                target_group=goal.target_group,
                group_name=names.get(goal.target_group, goal.target_group),
                step=goal.step,
                target=goal.target,
                population=population,
                basis_wave=basis.wave if basis else None,
                share=share,
                respondents=respondents,
                response_rate=estimate.response_rate if estimate else None,
                detectable_change=detectable,
                needed_for_margin=required_sample_size(
                    margin, population, confidence=results.confidence, proportion=share
                ),
                needed_to_judge=needed_to_judge,
                judgeable=needed_to_judge is not None,
            )
        )
    return WavePlanning(results.plan_code, results.confidence, power, margin, tuple(goals))


def _population(population: int | None, effective_n: float) -> float | None:
    # Weighting can make the effective n differ from the respondents; the correction needs n ≤ N.
    return None if population is None else max(float(population), effective_n)


async def wave_planning(plan_code: str, *, k: int = 5) -> WavePlanning:
    """The planning figures for a plan (`NotFound` when there is no such plan)."""
    return planning_of(await plan_results(plan_code, k=k))
