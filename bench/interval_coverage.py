"""How often the share's interval covers the true share in small groups: the interval before and after #17.

    python bench/interval_coverage.py [--samples 400] [--seed 17]

Each scenario is a target group spread over several organisations (6–60 people each), where the
organisations that answer more also score higher (the hard case for a weighted interval: the audit behind
#17 found the old interval below 93 % coverage in 16 % of such scenarios). A scenario fixes the
population once (who in each organisation has reached the step); every sample then lets each person
answer with their organisation's response rate and computes the interval from the answers. Coverage is
the share of samples whose interval contains the true share of the organisations that answered (the
population the estimate speaks for, docs/methods.md §2.3).

Two ways of counting, both printed:

* **as published**: through `analysis.stats.goal_results.protected`, so organisations with too few
  answers are hidden and counted together unweighted, exactly as the pages do;
* **interval alone**: every organisation weighted by its own size, to see the interval without the
  disclosure merges (their bias is a different problem, said on the page: docs/methods.md §2.12).

"Before" is the interval of the code before #17 (Wilson on Kish's effective n with the whole group's
finite-population correction, the exact hypergeometric interval for one group from half answering),
kept here as a copy. "After" is `analysis.stats.effects.estimate_share` as it is now. The demo's own
groups (sizes from surveys/demo/vasternorrland.toml, response rates and shares from
surveys/demo/synthetic.py, awareness L1 in the three closed waves) are run the same way. Seeded: the same
command prints the same numbers. docs/methods.md §2.4 quotes the result.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.stats.effects import Stratum, estimate_share  # noqa: E402
from analysis.stats.estimates import (  # noqa: E402
    Interval,
    hypergeometric_interval,
    post_stratified_share,
    wilson_interval,
)
from analysis.stats.goal_results import OTHER, own_pattern, protected  # noqa: E402
from surveys.demo import synthetic  # noqa: E402

K = 5


@dataclass(frozen=True)
class Scenario:
    name: str
    sizes: tuple[int, ...]
    shares: tuple[float, ...]
    rates: tuple[float, ...]


def hard_scenarios(rng: np.random.Generator) -> list[Scenario]:
    """90 groups: 3, 5 or 8 organisations of 6–60 people; organisations that answer more score higher."""
    found = []
    for count in (3, 5, 8):
        for mean in (0.1, 0.3, 0.5, 0.7, 0.9):
            for rate in (0.3, 0.5, 0.7):
                for spread in (0.1, 0.2):
                    effect = np.linspace(-1.0, 1.0, count)
                    rng.shuffle(effect)
                    sizes = rng.integers(6, 61, count)
                    shares = np.clip(mean + spread * effect, 0.02, 0.98)
                    rates = np.clip(rate + 0.2 * effect, 0.1, 0.95)
                    found.append(
                        Scenario(
                            f"{count} org, andel {mean:.0%}, svar {rate:.0%}, spridning {spread:.0%}",
                            tuple(int(v) for v in sizes),
                            tuple(float(v) for v in shares),
                            tuple(float(v) for v in rates),
                        )
                    )
    return found


def demo_scenarios() -> list[Scenario]:
    """The demo's groups of known size with more than one organisation, awareness in the closed waves."""
    plan = tomllib.loads((ROOT / "surveys/demo/vasternorrland.toml").read_text())
    found = []
    for group in plan["target_groups"]:
        sizes = group.get("sizes") or {}
        if len(sizes) < 2 or sum(sizes.values()) > 2000:
            continue
        factor = synthetic.GROUP_RATE_FACTOR.get(
            group["code"], 1.8 if group["code"] in synthetic.LEADERS else 1.0
        )
        for wave in range(3):
            rates = [min(0.95, synthetic.RESPONSE_RATE[o] * factor * (1 + 0.08 * wave)) for o in sizes]
            shares = [
                min(
                    0.99,
                    max(
                        0.01, synthetic.AWARENESS[group["code"]][wave] + synthetic.AWARENESS_OFFSET.get(o, 0)
                    ),
                )
                for o in sizes
            ]
            found.append(
                Scenario(
                    f"{group['code']}, omgång {wave + 1}",
                    tuple(sizes.values()),
                    tuple(shares),
                    tuple(rates),
                )
            )
    return found


# --- the interval before #17, kept as it was ------------------------------------------------------


def before(strata: Sequence[Stratum]) -> Interval:
    answered = [s for s in strata if s.base > 0]
    sizes_known = all(s.population is not None for s in strata)
    covered = sum(s.population or 0 for s in answered) if sizes_known else None
    if sizes_known and len(answered) > 1:
        weighted = post_stratified_share(
            [s.reached for s in answered], [s.base for s in answered], [s.population for s in answered]
        )
        n = weighted.effective_n
        if covered >= n:
            return wilson_interval(weighted.share * n, n, population=covered)
        return wilson_interval(weighted.share * n, n)
    reached, base = sum(s.reached for s in answered), sum(s.base for s in answered)
    if covered and base <= covered:
        if base / covered >= 0.5:
            return hypergeometric_interval(reached, base, covered)
        return wilson_interval(reached, base, population=covered)
    return wilson_interval(reached, base)


def _published(strata: Sequence[Stratum]) -> list[Stratum] | None:
    """The strata as the pages count them: hidden organisations merged into one (goal_results.py)."""
    hidden, whole = own_pattern(strata, K)
    if whole:
        return None
    shown = [s for s in strata if s.label not in hidden]
    merged = [s for s in strata if s.label in hidden]
    if merged:
        shown.append(
            Stratum(
                OTHER,
                sum(s.respondents for s in merged),
                sum(s.base for s in merged),
                sum(s.reached for s in merged),
                sum(s.population or 0 for s in merged),
            )
        )
    return shown


Method = Callable[[Sequence[Stratum]], Interval | None]


def _after_published(strata: Sequence[Stratum]) -> Interval | None:
    estimate, _hidden = protected(strata, K)
    return estimate.interval if estimate is not None and estimate.base > 0 else None


def _before_published(strata: Sequence[Stratum]) -> Interval | None:
    shown = _published(strata)
    return before(shown) if shown else None


def _after_alone(strata: Sequence[Stratum]) -> Interval | None:
    return estimate_share(strata).interval


METHODS: dict[str, dict[str, Method]] = {
    "as published": {"before": _before_published, "after": _after_published},
    "interval alone": {"before": before, "after": _after_alone},
}


@dataclass(frozen=True)
class Outcome:
    coverage: float
    width: float
    samples: int


def run(
    scenario: Scenario, methods: dict[str, Method], samples: int, rng: np.random.Generator
) -> dict[str, Outcome]:
    sizes = np.array(scenario.sizes)
    reached_in_population = np.round(np.array(scenario.shares) * sizes).astype(int)
    covered = dict.fromkeys(methods, 0)
    width = dict.fromkeys(methods, 0.0)
    used = dict.fromkeys(methods, 0)
    for _ in range(samples):
        answering = rng.binomial(sizes, scenario.rates)
        if answering.sum() < K:
            continue
        reached = [
            int(rng.hypergeometric(m, n - m, a)) if a else 0
            for m, n, a in zip(reached_in_population, sizes, answering, strict=True)
        ]
        strata = [
            Stratum(f"o{i}", int(a), int(a), x, int(n))
            for i, (a, x, n) in enumerate(zip(answering, reached, sizes, strict=True))
        ]
        present = answering > 0
        truth = reached_in_population[present].sum() / sizes[present].sum()
        for name, method in methods.items():
            interval = method(strata)
            if interval is None:
                continue
            used[name] += 1
            covered[name] += interval.low - 1e-12 <= truth <= interval.high + 1e-12
            width[name] += interval.high - interval.low
    return {
        name: Outcome(
            covered[name] / used[name] if used[name] else math.nan,
            width[name] / max(used[name], 1),
            used[name],
        )
        for name in methods
    }


def summary(label: str, results: list[dict[str, Outcome]]) -> None:
    rows = [r for r in results if all(o.samples > 0 for o in r.values())]
    base = np.array([r["before"].width for r in rows])
    for name in ("before", "after"):
        cov = np.array([r[name].coverage for r in rows])
        wid = np.array([r[name].width for r in rows])
        print(
            f"  {label:15} {name:6}  medel {cov.mean():6.1%}  min {cov.min():6.1%}  "
            f"under 93 %: {np.mean(cov < 0.93):5.1%} av {len(rows)}  bredd/före {np.mean(wid / base):.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=400, help="samples per scenario (the audit used 2000)")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"belastning (1, 5, 15 min): {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    scenarios = hard_scenarios(np.random.default_rng(args.seed))
    demo = demo_scenarios()
    for counting, methods in METHODS.items():
        rng = np.random.default_rng(args.seed)
        print(f"\n{counting}: {len(scenarios)} svåra scenarier × {args.samples} urval")
        hard = [run(s, methods, args.samples, rng) for s in scenarios]
        summary("svåra", hard)
        worst = sorted(zip(scenarios, hard, strict=True), key=lambda t: t[1]["before"].coverage)[:5]
        for scenario, outcome in worst:
            print(
                f"    sämst före: {scenario.name}: före {outcome['before'].coverage:.1%}, "
                f"efter {outcome['after'].coverage:.1%}"
            )
        print(f"  demons grupper × {args.samples} urval")
        for scenario in demo:
            outcome = run(scenario, methods, args.samples, rng)
            print(
                f"    {scenario.name:28} före {outcome['before'].coverage:6.1%} (bredd {outcome['before'].width:.3f})"
                f"  efter {outcome['after'].coverage:6.1%} (bredd {outcome['after'].width:.3f})"
            )
    print(
        f"\n{time.perf_counter() - started:.0f} s; belastning {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
