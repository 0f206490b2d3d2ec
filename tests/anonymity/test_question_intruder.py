"""A curious reader against the per-question results: no hidden small organisation may be worked out.

The intruder fetches, with an ordinary reader's API key, every per-question result it may fetch for a plan
(/api/v1/plans/<plan>/questions for every released wave, every target group, every organisation, and all
of them), the overview (/api/v1/plans/<plan>/results) and the public questionnaire (/api/v1/waves/<slug>),
and sets up, per wave and target group, one program over whole numbers ≥ 0: per organisation the
respondents N, and per question its base B and the count C of every option. Every published number is a
fact: an exact total, a count rounded to five (±2), a share of exact counts (C = share · B), and the
questionnaire's structure (one answer each, required questions, show-if).

For every organisation the results hide that truly has 1 to k−1 respondents it then asks what the program
forces, beyond what the group's own published total already forces (a group of 30 of whom 29 chose
"Ja" says of everyone in it that they most likely did; that is not the hidden organisation given away):

- its respondent count pinned to one value;
- then, as an insider who knows how many in it answered (the worst case the rules are made for): how
  many of it chose an option pinned to a positive value, or a majority of it forced to one option
  (C ≥ B / 2 in every solution).

Bounds come from linear programs (scipy's HiGHS); a count whose bounds leave at most three whole values
is checked exactly with integer programs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from surveys.accounts.users import Role
from surveys.results import questions as q
from surveys.waves.lookup import clear_caches
from tests.anonymity.collect import api_key
from tests.anonymity.plans import answer_all, close, random_plans, store_random_plan
from tests.conftest import _empty_all_tables
from tests.surveys.results.test_questions import _close, _respond, _three_organisations

DEMO = "vasternorrland-2026"
K = 5
ROUNDING = 5


@pytest.fixture(autouse=True)
def _fresh_question_results():
    # Until surveys/caches.py lists this copy (forget_all empties it when a test switches databases).
    q.forget_question_results()
    yield


# --- what the reader fetches ----------------------------------------------------------------------------


async def fetch(client, plan: str) -> dict:
    headers = await api_key(Role.READER)
    overview = (await client.get(f"/api/v1/plans/{plan}/results", headers=headers)).json()
    first = (await client.get(f"/api/v1/plans/{plan}/questions", headers=headers)).json()
    fetched: dict = {"overview": overview, "waves": {}, "pages": {}}
    for wave in first["waves"]:
        slug = wave["code"]
        fetched["waves"][slug] = (await client.get(f"/api/v1/waves/{slug}")).json()
        # Every target group by every organisation and as a whole. Pages over all groups add up only
        # groups shown whole (tests/surveys/results/test_questions.py), so they add no fact of their own.
        groups = [g["code"] for g in first["target_groups"]]
        organisations = [None, *(o["code"] for o in first["organisations"])]
        for group in groups:
            for org in organisations:
                params = {"wave": slug, "target_group": group or "", "organisation": org or ""}
                response = await client.get(f"/api/v1/plans/{plan}/questions", params=params, headers=headers)
                assert response.status_code == 200, response.text
                fetched["pages"][(slug, group, org)] = response.json()
    return fetched


# --- the program ----------------------------------------------------------------------------------------


@dataclass
class Program:
    names: dict[tuple, int] = field(default_factory=dict)
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)
    _built: tuple | None = None

    def var(self, *key) -> int:
        if key not in self.names:
            self._built = None
        return self.names.setdefault(key, len(self.names))

    def add(self, terms: dict[int, float], low: float, high: float) -> None:
        self._built = None
        self.rows.append(({i: c for i, c in terms.items() if c}, low, high))

    def _matrices(self):
        if self._built is None:
            a = np.zeros((len(self.rows), len(self.names)))
            low = np.zeros(len(self.rows))
            high = np.zeros(len(self.rows))
            for r, (terms, lo, hi) in enumerate(self.rows):
                for i, c in terms.items():
                    a[r, i] = c
                low[r], high[r] = lo, hi
            finite_high, finite_low = ~np.isinf(high), ~np.isinf(low)
            a_ub = np.vstack([a[finite_high], -a[finite_low]])
            b_ub = np.concatenate([high[finite_high], -low[finite_low]])
            self._built = (a, low, high, a_ub, b_ub)
        return self._built

    def copy(self) -> Program:
        return Program(dict(self.names), list(self.rows))

    def solve(self, objective: dict[int, float]) -> tuple[float, np.ndarray]:
        """The minimum of the objective, and a solution that reaches it."""
        _a, _low, _high, a_ub, b_ub = self._matrices()
        c = np.zeros(len(self.names))
        for i, v in objective.items():
            c[i] = v
        result = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        assert result.status == 0, "the published facts contradict each other: a fact was read wrongly"
        return result.fun, result.x

    def bounds(self, objective: dict[int, float]) -> tuple[float, float]:
        low, _x = self.solve(objective)
        high, _x = self.solve({i: -v for i, v in objective.items()})
        return low, -high

    def integer_other_than(self, objective: dict[int, float], value: float) -> bool:
        """Is there a whole-number solution in which the objective is not `value`?"""
        a, low, high, _a_ub, _b_ub = self._matrices()
        c = np.zeros(len(self.names))
        for i, v in objective.items():
            c[i] = v
        for extra_low, extra_high in ((-np.inf, value - 1), (value + 1, np.inf)):
            constraints = [
                LinearConstraint(a, low, high),
                LinearConstraint(c.reshape(1, -1), extra_low, extra_high),
            ]
            result = milp(
                np.zeros(len(self.names)),
                constraints=constraints,
                integrality=np.ones(len(self.names)),
                bounds=Bounds(0, np.inf),
                options={"time_limit": 10},
            )
            if result.status == 0:
                return True
        return False


def _around(n: int) -> tuple[float, float]:
    """A count published rounded to five: the whole numbers it may stand for."""
    return (max(0, n - 2), n + 2) if ROUNDING == 5 else (n, n)


def _structure(program: Program, wave: dict, orgs: list[str]) -> None:
    questions = {x["code"]: x for x in wave["questions"]}
    for org in orgs:
        n = program.var("N", org)
        for question in wave["questions"]:
            if question["kind"] == "text":
                continue
            base = program.var("B", question["code"], org)
            counts = [program.var("C", question["code"], o["code"], org) for o in question["options"]]
            condition = question.get("show_if")
            if condition:
                opener = questions[condition["question"]]
                asked = {program.var("C", opener["code"], o, org): 1.0 for o in condition["any_of"]}
            else:
                asked = {n: 1.0}
            for count in counts:
                program.add({count: 1, base: -1}, -np.inf, 0)
            if question["kind"] == "multiple":
                program.add({base: 1, **{i: -c for i, c in asked.items()}}, 0, 0)  # shares of those asked
            else:
                program.add({base: 1, **{count: -1 for count in counts}}, 0, 0)  # one answer each
                if question["required"]:
                    program.add({base: 1, **{i: -c for i, c in asked.items()}}, 0, 0)
                else:
                    program.add({base: 1, **{i: -c for i, c in asked.items()}}, -np.inf, 0)


def _page_facts(program: Program, page: dict, orgs: list[str], wave: dict) -> None:
    if page["hidden"]:
        return
    kinds = {x["code"]: x for x in wave["questions"]}
    n_terms = {program.var("N", o): 1.0 for o in orgs}
    if page["respondents_rounded"]:
        program.add(n_terms, *_around(page["respondents"]))
    else:
        program.add(n_terms, page["respondents"], page["respondents"])
    for question in page["questions"]:
        if question["hidden"] or question["kind"] == "text" or question["released_on"]:
            continue
        base = {program.var("B", question["code"], o): 1.0 for o in orgs}
        program.add(base, *_around(question["base"]))
        for option in question["options"]:
            count = {program.var("C", question["code"], option["code"], o): 1.0 for o in orgs}
            program.add(count, *_around(option["count"]))
            if option["share"] is None:
                program.add(base, 0, 0)
            else:
                share = option["share"]
                terms = dict(count)
                for i, c in base.items():
                    terms[i] = terms.get(i, 0) - share * c
                program.add(terms, -1e-7 * 1e4, 1e-7 * 1e4)
        assert question["code"] in kinds


def _overview_facts(program: Program, overview: dict, slug: str, group: str, org_codes: list[str]) -> None:
    """The results page's respondents per organisation (rounded) for the same wave and group."""
    for goal in overview["goals"]:
        if goal["target_group"] != group:
            continue
        for wave in goal["waves"]:
            if wave["wave"] != slug:
                continue
            for org in wave["organisations"]:
                if org["estimate"] and org["code"] in org_codes:
                    n = org["estimate"]["respondents"]
                    program.add({program.var("N", org["code"]): 1.0}, *_around(n))


@dataclass(frozen=True)
class Finding:
    where: str
    what: str


def _pinned(program: Program, spread: dict[int, float], index: int, value: int) -> bool:
    """Is this count one value in every whole-number solution?"""
    if spread[index] > 0.5:
        return False  # two solutions already differ in it
    low, high = program.bounds({index: 1.0})
    return math.ceil(low - 1e-6) == math.floor(high + 1e-6) or (
        high - low < 3 and not program.integer_other_than({index: 1.0}, value)
    )


def _forced(full: Program, baseline: Program, objective_full: dict, objective_base: dict) -> bool:
    """Forced ≥ 0 by everything published, but not by the group's own total alone."""
    low, _x = full.solve(objective_full)
    if low < -1e-6:
        return False
    base_low, _x = baseline.solve(objective_base)
    return base_low < -1e-6


async def attack(fetched: dict, plan: str, k: int = K) -> tuple[list[Finding], int]:
    """Every hidden small organisation the intruder can work out something of; and how many it tried."""
    findings: list[Finding] = []
    tried = 0
    for (slug, group, org), page in fetched["pages"].items():
        if group is None or org is not None or page["hidden"]:
            continue
        wave = fetched["waves"][slug]
        orgs = [o["code"] for o in wave["organisations"]]
        truth = await _truth(plan, slug, group)
        hidden = [o for o in orgs if fetched["pages"][(slug, group, o)]["hidden"] and 0 < truth["N"][o] < k]
        if not hidden:
            continue
        full, baseline = Program(), Program()
        for program in (full, baseline):
            _structure(program, wave, orgs)
            _page_facts(program, page, orgs, wave)
        for o in orgs:
            _page_facts(full, fetched["pages"][(slug, group, o)], [o], wave)
        _overview_facts(full, fetched["overview"], slug, group, orgs)
        rng = np.random.default_rng(7)
        for o in hidden:
            tried += 1
            where = f"{slug}/{group}/{o} (truly {truth['N'][o]})"
            mine = [i for key, i in full.names.items() if key[-1] == o]
            # A few solutions with random objectives over this organisation's counts: whatever differs
            # between them is not pinned, and a majority some solution lacks is not forced.
            witnesses = [full.solve({i: float(rng.normal()) for i in mine})[1] for _ in range(6)]
            spread = {i: max(w[i] for w in witnesses) - min(w[i] for w in witnesses) for i in mine}

            if _pinned(full, spread, full.var("N", o), truth["N"][o]):
                findings.append(Finding(where, "respondents pinned"))
                continue
            # From here the intruder is an insider who knows how many in the organisation answered (the
            # worst case the rules are made for, analysis/stats/linked_tables.py).
            insider, insider_baseline = full.copy(), baseline.copy()
            for program in (insider, insider_baseline):
                n = program.var("N", o)
                program.add({n: 1.0}, truth["N"][o], truth["N"][o])
            witnesses = [insider.solve({i: float(rng.normal()) for i in mine})[1] for _ in range(6)]
            spread = {i: max(w[i] for w in witnesses) - min(w[i] for w in witnesses) for i in mine}
            for question in wave["questions"]:
                base_value = truth["B"].get(question["code"], {}).get(o, 0)
                if question["kind"] == "text" or base_value == 0:
                    continue
                b = insider.var("B", question["code"], o)
                for option in question["options"]:
                    c = insider.var("C", question["code"], option["code"], o)
                    value = truth["C"][question["code"]][option["code"]][o]
                    if value > 0 and _pinned(insider, spread, c, value):
                        findings.append(
                            Finding(where, f"{question['code']}={option['code']} pinned to {value}")
                        )
                    if 2 * value < base_value or any(w[c] - w[b] / 2 < -1e-6 for w in witnesses):
                        continue  # the truth (or another solution) has no majority for it
                    cb = insider_baseline.var("C", question["code"], option["code"], o)
                    bb = insider_baseline.var("B", question["code"], o)
                    if _forced(insider, insider_baseline, {c: 1.0, b: -0.5}, {cb: 1.0, bb: -0.5}):
                        findings.append(Finding(where, f"most chose {question['code']}={option['code']}"))
    return findings, tried


async def _truth(plan: str, slug: str, group: str) -> dict:
    """The released counts behind the pages (the oracle; the intruder never sees it)."""
    from datetime import UTC, datetime

    state = await q._state(plan, slug, K, datetime.now(UTC))
    found = next(g for g in state.groups if g.code == group)
    release = found.release
    codes = {o: code for o, (code, _name) in state.organisations.items()}
    truth: dict = {"N": {}, "B": defaultdict(dict), "C": defaultdict(lambda: defaultdict(dict))}
    for o, code in codes.items():
        truth["N"][code] = release.respondents.get((o, found.id), 0)
        for question in state.questions:
            if question.kind == "text":
                continue
            d = q._dist(state, question, release, [o], found.id)
            truth["B"][question.code][code] = d.base
            for option in question.options:
                truth["C"][question.code][option["code"]][code] = d.counts.get(option["id"], 0)
    return truth


def _report(findings: list[Finding], tried: int) -> str:
    return f"{len(findings)} of {tried} hidden small organisations given away: " + "; ".join(
        f"{f.where}: {f.what}" for f in findings[:12]
    )


# --- the tests -----------------------------------------------------------------------------------------


async def test_a_reader_works_out_no_hidden_small_organisation_from_the_demos_questions(
    demo_client, demo_database
):
    fetched = await fetch(demo_client, DEMO)
    findings, tried = await attack(fetched, DEMO)
    assert tried > 5, "the demo hides small organisations for the intruder to try"
    assert findings == [], _report(findings, tried)


async def test_the_facts_the_intruder_reads_hold_for_the_true_counts(demo_client, demo_database):
    # A program the truth does not satisfy would make every finding above meaningless.
    fetched = await fetch(demo_client, DEMO)
    slug, group = "omgang-3-2026", "kommunala-chefer"
    wave = fetched["waves"][slug]
    orgs = [o["code"] for o in wave["organisations"]]
    program = Program()
    _structure(program, wave, orgs)
    _page_facts(program, fetched["pages"][(slug, group, None)], orgs, wave)
    for o in orgs:
        _page_facts(program, fetched["pages"][(slug, group, o)], [o], wave)
    truth = await _truth(DEMO, slug, group)
    for o in orgs:
        program.add({program.var("N", o): 1.0}, truth["N"][o], truth["N"][o])
        for question, by_org in truth["B"].items():
            program.add({program.var("B", question, o): 1.0}, by_org[o], by_org[o])
    low, high = program.bounds({program.var("N", orgs[0]): 1.0})
    assert low == high == truth["N"][orgs[0]]


@settings(
    max_examples=2,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=random_plans())
async def test_a_reader_works_out_no_hidden_small_organisation_in_a_random_plan(client, plan):
    await _empty_all_tables()
    clear_caches()
    q.forget_question_results()
    slug = await store_random_plan(plan)
    await answer_all(client, slug, plan)
    await close(client, slug)
    fetched = await fetch(client, plan.code)
    findings, _tried = await attack(fetched, plan.code)
    assert findings == [], _report(findings, _tried)


async def _pinning_plan(client) -> dict:
    """Three organisations; the hidden two (3 and 6 respondents) all chose meetings on kanaler."""
    await _three_organisations("fragor")
    await _respond("fragor", "a", "chefer", 3, kannedom="ja", forstaelse="4", kanaler=["mote"])
    await _respond("fragor", "b", "chefer", 3, kannedom="ja", forstaelse="3", kanaler=["mote"])
    await _respond("fragor", "b", "chefer", 3, kannedom="nej", kanaler=["mote"])
    await _respond("fragor", "c", "chefer", 10, kannedom="ja", forstaelse="5", kanaler=["mote"])
    await _respond("fragor", "c", "chefer", 10, kannedom="nej", kanaler=["intranat"])
    await _close("fragor")
    return await fetch(client, "treplan")


async def test_the_intruder_sees_what_organisations_shown_for_every_question_would_give_away(
    client, monkeypatch
):
    # Without the per-question rule the organisations the release shows are shown for every question;
    # the shown one and the group's total then say that the hidden small one mostly chose meetings.
    monkeypatch.setattr(q, "_organisations_pass", lambda state, group, question, history: True)
    findings, tried = await attack(await _pinning_plan(client), "treplan")
    assert tried == 1
    assert any("most chose kanaler=mote" in f.what for f in findings), _report(findings, tried)


async def test_with_the_per_question_rule_the_same_plan_gives_nothing_away(client):
    findings, tried = await attack(await _pinning_plan(client), "treplan")
    assert tried == 1 and findings == [], _report(findings, tried)


async def _two_reads(client, alby_answers: list[str]) -> tuple[dict, dict]:
    """The per-question API for chefer before and after a release that brought six new respondents, one of
    whom answered forstaelse."""
    from datetime import date, timedelta

    from surveys.results.releases import make_release
    from tests.support import make_wave

    wave = await make_wave("tva")
    for answer in alby_answers:
        await _respond("tva", "alby", "chefer", 1, kannedom="ja", forstaelse=answer)
    await _respond("tva", "region", "chefer", 8, kannedom="nej")
    await make_release(wave, today=date.today() + timedelta(days=1), interim=True)
    headers = await api_key(Role.READER)

    async def read() -> dict:
        q.forget_question_results()
        response = await client.get(
            "/api/v1/plans/testplan/questions",
            params={"wave": "tva", "target_group": "chefer"},
            headers=headers,
        )
        return {x["code"]: x for x in response.json()["questions"]}

    before = await read()
    await _respond("tva", "region", "chefer", 1, kannedom="ja", forstaelse="1")
    await _respond("tva", "region", "chefer", 5, kannedom="nej")
    await make_release(wave, today=date.today() + timedelta(days=2), interim=True)
    return before, await read()


async def test_two_reads_around_a_release_do_not_show_a_question_that_gained_fewer_than_k_answers(client):
    before, after = await _two_reads(client, ["4", "5", "4", "5", "4", "5", "4", "3"])
    assert after["kannedom"]["options"] != before["kannedom"]["options"]
    assert not before["forstaelse"]["hidden"]
    assert after["forstaelse"]["options"] == before["forstaelse"]["options"], "one answer showed through"
    assert after["forstaelse"]["released_on"] is not None


async def test_a_question_hidden_at_one_release_is_not_shown_after_one_more_answer(client):
    # Eight alike answers are hidden; were the question shown after one more, the hiding would have told
    # what the eight said and the new one what it said.
    before, after = await _two_reads(client, ["4"] * 8)
    assert before["forstaelse"]["hidden"] and after["forstaelse"]["hidden"]
