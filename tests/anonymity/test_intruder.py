"""A curious reader and communicator, with ordinary accounts, must not recover any hidden small group (issue 13).

The intruder (tests/anonymity/intruder.py) fetches everything its role may fetch, turns it into facts about
whole numbers and solves for every hidden group; "recovered" is defined there. These tests fail on the
code before issue 13 is done: that is what they are for.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, Phase, given, settings

from surveys.accounts.users import Role
from surveys.waves.lookup import clear_caches
from tests.anonymity import collect
from tests.anonymity.facts import Cell, N, Publication, meeting_numbers, read_facts
from tests.anonymity.intruder import Own, attack, changes, published_numbers, revealed
from tests.anonymity.plans import RandomPlan, answer, answer_all, close, random_plans, store_random_plan
from tests.anonymity.solver import Program
from tests.anonymity.truth import true_counts, true_sum
from tests.conftest import _empty_all_tables
from tests.support import csrf_token, sign_in

DEMO = "vasternorrland-2026"


def _small_recovered(result, truth, k: int) -> list[str]:
    # A hidden cell that truly holds nobody is no group of people: learning that it is empty tells nothing
    # about anyone's answers.
    return [
        f"{f.label()} (truly {true_sum(truth, N, f.cells)} respondents; from {', '.join(f.reasons)})"
        for f in result.recovered
        if 0 < true_sum(truth, N, f.cells) < k
    ]


def _summary(result, truth, k: int) -> str:
    small = [f for f in result.findings if 0 < true_sum(truth, N, f.cells) < k]
    return (
        f"{len(result.findings)} hidden groups, {len(result.recovered)} recovered, "
        f"{sum(f.recovered for f in small)} of the {len(small)} with fewer than {k} respondents "
        f"({result.facts} facts, {result.seconds:.1f} s)"
    )


_demo: dict[str, Publication] = {}


async def _demo_publication(client, url: str, role: Role) -> Publication:
    """Fetched once per engine (the demo database is read-only): the reader gets all of it but the pages
    only a communicator sees."""
    if url not in _demo:
        _demo[url] = await collect.as_communicator(client, DEMO)
    whole = _demo[url]
    return whole if role is Role.COMMUNICATOR else replace(whole, progress={})


async def test_everything_the_intruder_reads_holds_for_the_true_counts(demo_client, demo_database):
    facts = read_facts(await _demo_publication(demo_client, demo_database, Role.COMMUNICATOR))
    assert len(facts.facts) > 100 and facts.hidden_groups(), "the demo publishes numbers and hides groups"
    assert Program(facts).violated(await true_counts(DEMO)) == []


async def test_a_reader_recovers_no_hidden_small_group_in_the_demo(demo_client, demo_database):
    facts = read_facts(await _demo_publication(demo_client, demo_database, Role.READER))
    truth = await true_counts(DEMO)
    result = attack(facts)
    assert _small_recovered(result, truth, facts.k) == [], _summary(result, truth, facts.k)


async def test_a_communicator_recovers_no_hidden_small_group_in_the_demo(demo_client, demo_database):
    facts = read_facts(await _demo_publication(demo_client, demo_database, Role.COMMUNICATOR))
    truth = await true_counts(DEMO)
    result = attack(facts)
    assert _small_recovered(result, truth, facts.k) == [], _summary(result, truth, facts.k)


@settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failing plan is printed as it is
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=random_plans())
async def test_a_communicator_recovers_no_hidden_small_group_in_a_random_plan(client, plan):
    await _empty_all_tables()  # the examples share the test's database; hypothesis may replay one
    clear_caches()
    slug = await store_random_plan(plan)
    await answer_all(client, slug, plan)
    await close(client, slug)
    facts = read_facts(await collect.as_communicator(client, plan.code))
    truth = await true_counts(plan.code)
    assert Program(facts).violated(truth) == []
    result = attack(facts)
    assert _small_recovered(result, truth, facts.k) == [], _summary(result, truth, facts.k)


def _plan(cells: dict[str, list[tuple[str, str | None]]]) -> RandomPlan:
    organisations = tuple(cells)
    return RandomPlan(
        "nyfiken",
        organisations,
        ("chefer",),
        {"chefer": {org: 40 for org in organisations}},
        {("chefer", org): tuple(answers) for org, answers in cells.items()},
    )


MIXED = [("ja", "ja"), ("ja", "nej"), ("nej", None), ("ja", "vet_ej"), ("vet_ej", None), ("ja", "ja")]


async def _reader_numbers(client, plan: str) -> dict[str, float]:
    client.cookies.clear()
    return published_numbers(read_facts(await collect.as_reader(client, plan)))


async def test_two_reads_around_one_answer_do_not_reveal_it(client):
    plan = _plan({"alby": MIXED * 2, "borg": MIXED * 2, "cala": MIXED})
    slug = await store_random_plan(plan)
    await answer_all(client, slug, plan)
    before = await _reader_numbers(client, plan.code)
    await answer(client, slug, "chefer", "cala", "ja", "nej")
    after = await _reader_numbers(client, plan.code)
    found = changes(before, after)
    assert found == [], "one answer showed through: " + "; ".join(revealed(found) or map(str, found[:10]))


async def test_made_up_answers_do_not_bring_out_one_persons_answers(client):
    real = ("ja", "nej")  # the one person in "cala"
    plan = _plan({"alby": MIXED * 2, "borg": MIXED * 2, "cala": [real]})
    slug = await store_random_plan(plan)
    await answer_all(client, slug, plan)
    k = 5
    padding = k - 1
    for _ in range(padding):  # through the open link, as anyone with it can
        await answer(client, slug, "chefer", "cala", "nej", None)
    await close(client, slug)
    facts = read_facts(await collect.as_communicator(client, plan.code))
    # Each made-up answer: in L1's base, not reached; L4 not asked of them, so in its base, not reached.
    mine = Own(padding, {"L1": (0, padding), "L4": (0, padding)})
    cell = Cell(slug, "chefer", "cala")
    result = attack(facts, own={cell: mine}, memo=False)
    exposed = [f.label() for f in result.findings if cell in f.cells and len(f.cells) == 1 and f.recovered]
    assert exposed == [], "the real person's answers fall out by subtraction: " + "; ".join(exposed)


async def _meeting(client, plan: str, title: str) -> int:
    page = await client.get(f"/resultat/{plan}/moten")
    response = await client.post(
        f"/resultat/{plan}/moten",
        data={"_csrf_token": csrf_token(page.text), "title": title, "held_on": "2026-12-10"},
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rstrip("/").rsplit("/", 1)[-1])


async def test_two_meeting_snapshots_around_one_answer_do_not_differ(client):
    plan = _plan({"alby": MIXED * 2, "borg": MIXED * 2, "cala": MIXED})
    slug = await store_random_plan(plan)
    await answer_all(client, slug, plan)
    await sign_in(client, Role.COMMUNICATOR)
    first = await _meeting(client, plan.code, "Före")
    await answer(client, slug, "chefer", "cala", "ja", "nej")
    second = await _meeting(client, plan.code, "Efter")
    client.cookies.clear()
    await sign_in(client, Role.READER)
    pages = [(await client.get(f"/resultat/{plan.code}/moten/{m}")).text for m in (first, second)]
    before, after = (meeting_numbers(page) for page in pages)
    assert before, "the snapshot shows its goals"
    found = changes(before, after)
    assert found == [], "the snapshots differ by one answer: " + "; ".join(map(str, found))
