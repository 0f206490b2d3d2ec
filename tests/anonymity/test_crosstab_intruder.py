"""A curious insider against the cross-tabulations: no hidden small organisation may be worked out.

The intruder of tests/anonymity/test_question_intruder.py, with more to read. It fetches, as an ordinary
reader with an API key, the overview, every per-question page (every wave, target group and organisation
filter) and every cross-tabulation the API gives (/api/v1/plans/<plan>/questions/crosstab for every pair of
crossable questions, every target group, every organisation filter and all groups), once at an interim
release and again after the close. A communicator granted one organisation of the plan reads the same,
and their own organisation's cross-tabulations besides (the free texts are test_text_intruder.py's).

Per wave and target group it sets up one program over whole numbers ≥ 0 (crosstab_facts.py): per release
and organisation the respondents N, every question's base B and option counts C, and per pair of questions
the cells J of the organisation's own table. Every published number is a fact about sums of these; counts
only grow from the interim release to the close. For every organisation hidden at a release that truly has
1 to k−1 respondents there, the same criteria as the question intruder's: its respondent count pinned;
then, as an insider who knows that count, an option count or a cell of its table pinned to a positive
value, or a majority of it forced into one option or one cell beyond what the group's totals and the
per-question pages already force (those are the question intruder's to judge).

Unlike the question intruder it solves in whole numbers throughout (scipy's milp): a share of exact counts
pins a count only in whole numbers, and the linear relaxation missed the finding that made
surveys/results/question_cells.py drop its exception for a union of ten or more that all chose one option.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from scipy.optimize import Bounds, LinearConstraint, milp

from surveys.accounts.users import Role
from surveys.results import crosstab_cells
from surveys.results import questions as q
from surveys.results.releases import make_release
from surveys.waves.lookup import clear_caches, find_wave
from tests.anonymity import crosstab_facts as cf
from tests.anonymity.plans import answer, close, random_plans, store_random_plan
from tests.anonymity.test_question_intruder import (
    Finding,
    K,
    Program,
    _overview_facts,
    _page_facts,
    _report,
    _structure,
    _truth,
    fetch,
)
from tests.conftest import _empty_all_tables
from tests.surveys.results.test_questions import _close, _respond, _three_organisations

WITNESSES = 6


@pytest.fixture(autouse=True)
def _fresh_question_results():
    q.forget_question_results()
    yield


# --- what is fetched --------------------------------------------------------------------------------------


async def fetch_crosstabs(client, plan: str, fetched: dict, headers: dict, organisations=None) -> dict:
    """Every cross-tabulation of every pair, group and organisation filter (None: every one the pages
    offer, and none): (wave, group, organisation, first, second) → the API's JSON, or its status."""
    tables: dict = {}
    for slug, wave in fetched["waves"].items():
        groups = [None, *(g["code"] for g in wave["target_groups"])]
        orgs = (
            organisations
            if organisations is not None
            else [None, *(o["code"] for o in wave["organisations"])]
        )
        for group in groups:
            for org in orgs:
                for first, second in cf.pairs(wave):
                    params = {
                        "wave": slug,
                        "target_group": group or "",
                        "organisation": org or "",
                        "rows": first,
                        "columns": second,
                    }
                    response = await client.get(
                        f"/api/v1/plans/{plan}/questions/crosstab", params=params, headers=headers
                    )
                    tables[(slug, group, org, first, second)] = (
                        response.json() if response.status_code == 200 else response.status_code
                    )
    return tables


async def read_as_reader(client, plan: str) -> dict:
    q.forget_question_results()
    fetched = await fetch(client, plan)
    fetched["crosstabs"] = await fetch_crosstabs(client, plan, fetched, await cf.key_for(Role.READER))
    fetched["truth"] = {}
    for slug, wave in fetched["waves"].items():
        for group in wave["target_groups"]:
            page = fetched["pages"].get((slug, group["code"], None))
            if page is not None and not page["hidden"]:
                fetched["truth"][(slug, group["code"])] = await _truth(plan, slug, group["code"])
    return fetched


async def read_as_organisation(client, plan: str, organisation: str) -> dict:
    """What a communicator granted only `organisation` of the plan reads besides a reader's pages: their
    own organisation's cross-tabulations (anything else is refused)."""
    q.forget_question_results()
    fetched = await read_as_reader(client, plan)
    headers = await cf.key_for(Role.COMMUNICATOR, plan, (organisation,))
    own = await fetch_crosstabs(client, plan, fetched, headers, organisations=[organisation])
    others = [
        o["code"] for w in fetched["waves"].values() for o in w["organisations"] if o["code"] != organisation
    ]
    refused = await fetch_crosstabs(client, plan, fetched, headers, organisations=[None, *others[:1]])
    assert set(refused.values()) == {403}, "an organisation grant reads only its own cross-tabulations"
    fetched["own"] = (organisation, own)
    return fetched


# --- the program ---------------------------------------------------------------------------------------------


def _programs(
    phases: list[tuple[str, dict]], slug: str, group: str, *, pages_known: bool = True
) -> tuple[Program, Program, list[str]]:
    """Everything published (`full`), and what a finding must go beyond (`baseline`): the group's totals
    and, with `pages_known`, every per-question page and the overview too. The per-question pages are the
    question intruder's to judge (their rules let the hidden organisations together, as a published
    group, say of their members what any group of that size may); here what counts is what the
    cross-tabulations add to them."""
    full, baseline = Program(), Program()
    orgs: list[str] = []
    for tag, fetched in phases:
        wave = fetched["waves"][slug]
        orgs = [o["code"] for o in wave["organisations"]]
        page = fetched["pages"][(slug, group, None)]
        for program in (full, baseline):
            view = cf.Tagged(program, tag)
            _structure(view, wave, orgs)
            _page_facts(view, page, orgs, wave)
            for first, second in cf.pairs(wave):
                cf.structure(view, wave, orgs, first, second)  # the cells exist, whatever is published
        for program in (full, baseline) if pages_known else (full,):
            view = cf.Tagged(program, tag)
            for o in orgs:
                _page_facts(view, fetched["pages"][(slug, group, o)], [o], wave)
            _overview_facts(view, fetched["overview"], slug, group, orgs)
        view = cf.Tagged(full, tag)
        for (s, g, org, _first, _second), table in fetched["crosstabs"].items():
            if s != slug or not isinstance(table, dict):
                continue
            if g == group and org is None:
                cf.table_facts(view, table, wave, orgs)
            elif org is not None or g is None:
                # By organisation the API gives no table; over all groups only tables published whole.
                assert not table["cells"] or g is None, table
        if "own" in fetched:
            own, tables = fetched["own"]
            for (s, g, _org, _first, _second), table in tables.items():
                if s == slug and g == group and isinstance(table, dict):
                    cf.table_facts(view, table, wave, [own])
    for (earlier, fetched), (later, _f) in itertools.pairwise(phases):
        for program in (full, baseline):
            cf.grow(program, earlier, later, fetched["waves"][slug], orgs)
    return full, baseline, orgs


def _targets(phases, slug: str, group: str, k: int) -> list[tuple[str, str, int]]:
    found = []
    for tag, fetched in phases:
        truth = fetched["truth"].get((slug, group))
        if truth is None:
            continue
        wave = fetched["waves"][slug]
        for o in (o["code"] for o in wave["organisations"]):
            if fetched["pages"][(slug, group, o)]["hidden"] and 0 < truth["N"][o] < k:
                found.append((tag, o, truth["N"][o]))
    return found


def _integer(program: Program, objective: dict[int, float]) -> tuple[float, np.ndarray]:
    """The minimum of the objective over whole-number solutions, and one that reaches it. (The linear
    relaxation the question intruder uses is weak here: a share of exact counts pins a count only in
    whole numbers.)"""
    a, low, high, _a_ub, _b_ub = program._matrices()
    c = _dense(program, objective)
    result = milp(
        c,
        constraints=[LinearConstraint(a, low, high)],
        integrality=np.ones(len(program.names)),
        bounds=Bounds(0, np.inf),
        options={"time_limit": 10},
    )
    assert result.status in (0, 1) and result.x is not None, "the published facts contradict each other"
    return (result.fun if result.status == 0 else -np.inf), np.round(result.x)


def _witnesses(program: Program, variables: list[int], rng) -> list[np.ndarray]:
    return [_integer(program, {i: float(rng.normal()) for i in variables})[1] for _ in range(WITNESSES)]


def _pinned_whole(program: Program, witnesses: list[np.ndarray], index: int) -> bool:
    if max(w[index] for w in witnesses) != min(w[index] for w in witnesses):
        return False  # two solutions already differ in it
    low, _x = _integer(program, {index: 1.0})
    high, _x = _integer(program, {index: -1.0})
    return round(low) == round(-high)


def _forced_beyond(full: Program, baseline: Program, objective: dict, objective_base: dict) -> bool:
    """Forced by everything published (in whole numbers), and not by the group's own totals alone."""
    low, _x = _integer(full, objective)
    if low < -1e-6:
        return False
    base_low, _x = _integer(baseline, objective_base)
    return base_low < -1e-6


async def attack(
    phases: list[tuple[str, dict]], k: int = K, *, pages_known: bool = True
) -> tuple[list[Finding], int]:
    """Every hidden small organisation the intruder works something out of, and how many it tried."""
    findings: list[Finding] = []
    tried = 0
    last = phases[-1][1]
    for (slug, group, org), page in last["pages"].items():
        if group is None or org is not None or page["hidden"]:
            continue
        targets = _targets(phases, slug, group, k)
        if not targets:
            continue
        full, baseline, _orgs = _programs(phases, slug, group, pages_known=pages_known)
        rng = np.random.default_rng(7)
        for tag, o, n in targets:
            tried += 1
            where = f"{tag}:{slug}/{group}/{o} (truly {n})"
            mine = [i for key, i in full.names.items() if key[0] == tag and key[-1] == o]
            if _pinned_whole(full, _witnesses(full, mine, rng), full.var(tag, "N", o)):
                findings.append(Finding(where, "respondents pinned"))
                continue
            # From here an insider who knows how many in the organisation answered (the worst case the
            # rules are made for).
            insider, insider_baseline = full.copy(), baseline.copy()
            for program in (insider, insider_baseline):
                program.add({program.var(tag, "N", o): 1.0}, n, n)
            witnesses = _witnesses(insider, mine, rng)
            for key, c in list(insider.names.items()):
                if key[0] != tag or key[-1] != o or key[1] not in ("C", "J"):
                    continue
                value = witnesses[0][c]
                if value > 0 and _pinned_whole(insider, witnesses, c):
                    findings.append(Finding(where, f"{key[1:-1]} pinned to {value:.0f}"))
                    continue
                # Most of it chose this option (of the question's base), or sit in this cell (of all of it).
                denominator = ("B", key[2], o) if key[1] == "C" else ("N", o)
                objective = {c: 1.0, insider.var(tag, *denominator): -0.5}
                if any(float(w @ _dense(insider, objective)) < -1e-6 for w in witnesses):
                    continue  # a solution without the majority
                objective_base = {
                    insider_baseline.var(*key): 1.0,
                    insider_baseline.var(tag, *denominator): -0.5,
                }
                if _forced_beyond(insider, insider_baseline, objective, objective_base):
                    findings.append(Finding(where, f"most in {key[1:-1]}"))
    return findings, tried


def _dense(program: Program, objective: dict[int, float]) -> np.ndarray:
    row = np.zeros(len(program.names))
    for i, c in objective.items():
        row[i] = c
    return row


# --- plans ---------------------------------------------------------------------------------------------------


async def _hand_made(client, *, interim: bool) -> list[tuple[str, dict]]:
    """Three organisations answering the test questionnaire: "a" (3) is hidden, and "b" (15) with it so
    that the two are published only together; "c" (16) is shown. On the 0–10 scale "c" answered 3 (7 of them) and 5 and
    the hidden two 9 and 10, which the per-question pages show (the scale passes for organisations), so a
    table of the scale against "Har din chef berättat?" has the hidden two alone in its last band. Of them
    only one said no to that question, which is why its organisations are not shown: "a" then mostly said
    yes. With `interim`, the first answers are published at an interim release the day before the close."""
    await _three_organisations("korsa")
    phases = []
    ja = {"kannedom": "ja", "forstaelse": "4"}
    nej = {"kannedom": "nej"}
    await _respond("korsa", "a", "chefer", 1, chef="ja", betyg="9", **nej)
    await _respond("korsa", "a", "chefer", 1, chef="ja", betyg="10", **ja)
    await _respond("korsa", "b", "chefer", 4, chef="ja", betyg="9", **ja)
    await _respond("korsa", "b", "chefer", 4, chef="ja", betyg="10", **nej)
    await _respond("korsa", "c", "chefer", 5, chef="ja", betyg="3", **ja)
    await _respond("korsa", "c", "chefer", 5, chef="nej", betyg="5", **nej)
    if interim:
        await make_release(
            (await find_wave("korsa")).id, today=date.today() + timedelta(days=1), interim=True
        )
        clear_caches()
        phases.append(("interim", await read_as_reader(client, "treplan")))
    await _respond("korsa", "a", "chefer", 1, chef="ja", betyg="9", **nej)
    await _respond("korsa", "b", "chefer", 4, chef="ja", betyg="10", **ja)
    await _respond("korsa", "b", "chefer", 2, chef="ja", betyg="10", **nej)
    await _respond("korsa", "b", "chefer", 1, chef="nej", betyg="10", **nej)
    await _respond("korsa", "c", "chefer", 3, chef="ja", betyg="5", **nej)
    await _respond("korsa", "c", "chefer", 2, chef="nej", betyg="3", **ja)
    await _respond("korsa", "c", "chefer", 1, chef="nej", betyg="5", **ja)
    await _close("korsa")
    phases.append(("final", await read_as_organisation(client, "treplan", "c")))
    return phases


async def test_a_reader_and_an_organisation_s_communicator_work_out_no_hidden_organisation_from_crosstabs(
    client,
):
    phases = await _hand_made(client, interim=True)
    final = phases[-1][1]
    published = [t for t in final["crosstabs"].values() if isinstance(t, dict) and t["cells"]]
    assert published, "the plan publishes cross-tabulations for the intruder to read"
    findings, tried = await attack(phases)
    assert tried >= 2, "the hidden small organisation is tried at both releases"
    assert findings == [], _report(findings, tried)


async def test_the_crosstab_facts_hold_for_the_true_counts(client):
    # A program the truth does not satisfy would make every finding meaningless: fix each organisation's
    # true counts and the program must still have a solution.
    phases = await _hand_made(client, interim=False)
    full, _baseline, orgs = _programs(phases, "korsa", "chefer")
    truth = phases[-1][1]["truth"][("korsa", "chefer")]
    for o in orgs:
        full.add({full.var("final", "N", o): 1.0}, truth["N"][o], truth["N"][o])
        for question, by_option in truth["C"].items():
            for option, by_org in by_option.items():
                full.add({full.var("final", "C", question, option, o): 1.0}, by_org[o], by_org[o])
    low, high = full.bounds({full.var("final", "N", "a"): 1.0})
    assert low == high == truth["N"]["a"]


async def test_without_complementary_suppression_the_intruder_works_out_a_hidden_organisation(
    client, monkeypatch
):
    # The guard's own check: with only the small cells hidden, the shown ones give them back.
    def primary_only(table, k, earlier=()):
        primary = crosstab_cells.primary_cells(table, k)
        return crosstab_cells.Pattern(frozenset(primary), frozenset(primary))

    monkeypatch.setattr(q, "suppress", primary_only)
    findings, tried = await attack(await _hand_made(client, interim=False))
    assert any("('C', 'chef', 'ja')" in f.what for f in findings), _report(findings, tried)


@settings(
    max_examples=1,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=random_plans())
async def test_a_reader_works_out_no_hidden_organisation_from_a_random_plan_s_crosstabs(client, plan):
    await _empty_all_tables()
    clear_caches()
    q.forget_question_results()
    slug = await store_random_plan(plan)
    # Half the answers before an interim release, the rest before the close.
    cells = list(plan.cells.items())
    phases = []
    for half in (0, 1):
        for (group, org), answers in cells:
            middle = len(answers) // 2
            for l1, l4 in answers[:middle] if half == 0 else answers[middle:]:
                await answer(client, slug, group, org, l1, l4)
        if half == 0:
            await make_release(
                (await find_wave(slug)).id, today=date.today() + timedelta(days=1), interim=True
            )
            clear_caches()
            phases.append(("interim", await read_as_reader(client, plan.code)))
    await close(client, slug)
    clear_caches()
    phases.append(("final", await read_as_organisation(client, plan.code, plan.organisations[0])))
    findings, tried = await attack(phases)
    assert findings == [], _report(findings, tried)


@settings(
    max_examples=2,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=cf.rich_plans())
async def test_a_reader_works_out_no_hidden_organisation_from_four_crossed_questions_in_a_random_plan(
    client, plan
):
    await _empty_all_tables()
    clear_caches()
    q.forget_question_results()
    slug = await cf.store_rich_plan(plan)
    await cf.answer_rich(plan, slug, first=True)
    await make_release((await find_wave(slug)).id, today=date.today() + timedelta(days=1), interim=True)
    clear_caches()
    phases = [("interim", await read_as_reader(client, plan.code))]
    await cf.answer_rich(plan, slug, first=False)
    await _close(slug)
    phases.append(("final", await read_as_organisation(client, plan.code, plan.organisations[0])))
    findings, tried = await attack(phases)
    assert findings == [], _report(findings, tried)


async def test_the_communicator_of_a_hidden_small_organisation_gets_no_numbers_of_it(client):
    # Three respondents: a table or a distribution of them would be of three people.
    await _hand_made(client, interim=False)
    q.forget_question_results()
    headers = await cf.key_for(Role.COMMUNICATOR, "treplan", ("a",))
    base = "/api/v1/plans/treplan/questions"
    for group in ("chefer", ""):
        params = {"wave": "korsa", "target_group": group, "organisation": "a"}
        page = (await client.get(base, params=params, headers=headers)).json()
        assert page["hidden"] and page["questions"] == []
        for first, second in [("kannedom", "chef"), ("betyg", "chef")]:
            table = await client.get(
                f"{base}/crosstab", params={**params, "rows": first, "columns": second}, headers=headers
            )
            assert table.status_code == 200 and table.json()["cells"] == [], table.text
    other = await client.get(
        f"{base}/crosstab", params={"wave": "korsa", "rows": "kannedom", "columns": "chef"}, headers=headers
    )
    assert other.status_code == 403
