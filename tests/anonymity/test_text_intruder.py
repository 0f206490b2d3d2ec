"""A curious insider against the free texts: no text may be tied to a hidden organisation or a small group.

Free texts are for communicators and administrators (docs/dataskydd.md, "Svar per fråga, fritext och
korstabeller"). The insider here is a communicator of the whole plan, who reads the texts of every target
group and organisation filter the API offers (and all of them), at an interim release and again after the
close, and two communicators granted one organisation each (one shown, one hidden and small). Every
respondent writes a text of their own, so a text names its writer: for each text the intruder keeps the
organisations it may come from (those of every list it is in, less those of every list shown without it).
No text may be narrowed to organisations with fewer than k respondents in the group, and no list may
show a text of an organisation the results hide.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from surveys.accounts.users import Role
from surveys.results import questions as q
from surveys.results.releases import make_release
from surveys.waves.lookup import clear_caches, find_wave
from tests.anonymity import crosstab_facts as cf
from tests.conftest import _empty_all_tables
from tests.surveys.results.test_questions import _close, _respond, _three_organisations

K = 5
PLAN, WAVE, GROUP = "treplan", "fritt", "chefer"
ORGANISATIONS = ("a", "b", "c")


@pytest.fixture(autouse=True)
def _fresh_question_results():
    q.forget_question_results()
    yield


# (organisation, how many, answers) before the interim release, then before the close.
BEFORE = [
    ("a", 1, {"kannedom": "nej", "chef": "ja", "betyg": "9"}),
    ("a", 1, {"kannedom": "ja", "forstaelse": "4", "chef": "ja", "betyg": "10"}),
    ("b", 4, {"kannedom": "ja", "forstaelse": "4", "chef": "ja", "betyg": "9"}),
    ("b", 4, {"kannedom": "nej", "chef": "ja", "betyg": "10"}),
    ("c", 5, {"kannedom": "ja", "forstaelse": "4", "chef": "ja", "betyg": "3"}),
    ("c", 5, {"kannedom": "nej", "chef": "nej", "betyg": "5"}),
]
AFTER = [
    ("a", 1, {"kannedom": "nej", "chef": "ja", "betyg": "9"}),
    ("b", 4, {"kannedom": "ja", "forstaelse": "4", "chef": "ja", "betyg": "10"}),
    ("b", 3, {"kannedom": "nej", "chef": "nej", "betyg": "10"}),
    ("c", 3, {"kannedom": "nej", "chef": "ja", "betyg": "5"}),
    ("c", 3, {"kannedom": "ja", "forstaelse": "4", "chef": "nej", "betyg": "3"}),
]
SIZES = {(GROUP, "a"): 3, (GROUP, "b"): 15, (GROUP, "c"): 16}


async def _answers(first: bool) -> dict[str, str]:
    """ "a" (3) is hidden, "b" (15) with it so that the two are published only together; "c" (16) is shown.
    Every respondent writes a text of their own; the text says whose it is (the oracle)."""
    writers: dict[str, str] = {}
    for org, times, chosen in BEFORE if first else AFTER:
        for _ in range(times):
            text = f"Text {len(writers) + (0 if first else 100)} från {org}."
            writers[text] = org
            await _respond(WAVE, org, GROUP, 1, texts={"fritext": text}, **chosen)
    return writers


async def _read(
    client, headers: dict, groups=(None, GROUP), orgs=(None, *ORGANISATIONS), plan=PLAN, wave=WAVE
) -> dict:
    """Every text list (all its pages): (group, organisation) → the JSON of its first page with all texts,
    or the refusal's status."""
    q.forget_question_results()
    lists: dict = {}
    for group in groups:
        for org in orgs:
            params = {"wave": wave, "target_group": group or "", "organisation": org or ""}
            url = f"/api/v1/plans/{plan}/questions/fritext/texts"
            response = await client.get(url, params=params, headers=headers)
            if response.status_code != 200:
                lists[(group, org)] = response.status_code
                continue
            found = response.json()
            for page in range(2, found["pages"] + 1):
                more = await client.get(url, params={**params, "page": page}, headers=headers)
                found["texts"] += more.json()["texts"]
            lists[(group, org)] = found
    return lists


def _narrowed(lists: dict, sizes: dict[tuple[str, str], int], k: int = K) -> list[str]:
    """Texts the lists tie to groups of fewer than k respondents: for each text, the (target group,
    organisation) cells it may come from are those of every list it is in, less those of every list of one
    target group shown without it. (A list over all groups leaves out the groups it hides, so it only
    narrows where a text is in it.)"""
    everything = set(sizes)

    def cells(group: str | None, org: str | None) -> set[tuple[str, str]]:
        return {(g, o) for g, o in everything if group in (None, g) and org in (None, o)}

    shown = {
        key: set(found["texts"])
        for key, found in lists.items()
        if isinstance(found, dict) and not found["hidden"] and not found["reason"]
    }
    findings = []
    for text in set().union(*shown.values()) if shown else ():
        candidates = set(everything)
        for (group, org), texts in shown.items():
            if text in texts:
                candidates &= cells(group, org)
            elif group is not None:
                candidates -= cells(group, org)
        n = sum(sizes[c] for c in candidates)
        if n < k:
            findings.append(f"{text!r} tied to {sorted(candidates)} ({n})")
    return sorted(findings)


async def _scenario(client) -> dict:
    await _three_organisations(WAVE)
    whole = await cf.key_for(Role.COMMUNICATOR)
    reader = await cf.key_for(Role.READER)
    writers = await _answers(first=True)
    await make_release((await find_wave(WAVE)).id, today=date.today() + timedelta(days=1), interim=True)
    clear_caches()
    interim = await _read(client, whole)
    writers |= await _answers(first=False)
    await _close(WAVE)
    return {
        "writers": writers,
        "interim": interim,
        "final": await _read(client, whole),
        "reader": await _read(client, reader),
        "own c": await _read(client, await cf.key_for(Role.COMMUNICATOR, PLAN, ("c",))),
        "own a": await _read(client, await cf.key_for(Role.COMMUNICATOR, PLAN, ("a",))),
    }


async def test_no_free_text_is_tied_to_a_hidden_organisation_or_a_small_group(client):
    seen = await _scenario(client)
    final = seen["final"]
    assert len(final[(GROUP, None)]["texts"]) == len(seen["writers"]), "the whole group's texts are shown"
    assert final[(GROUP, "a")]["hidden"] and final[(GROUP, "b")]["hidden"]
    assert _narrowed(final, SIZES) == []
    for (_group, org), found in final.items():
        if org is not None and found["texts"]:
            assert {seen["writers"][t] for t in found["texts"]} == {org}, "a list shows only its organisation"


async def test_the_interim_release_shows_no_text_so_two_reads_cannot_date_one(client):
    seen = await _scenario(client)
    assert all(found["texts"] == [] and found["count"] == 0 for found in seen["interim"].values())
    assert all(found["reason"] or found["hidden"] for found in seen["interim"].values())


async def test_a_reader_reads_no_free_text_and_an_organisation_reads_only_its_own(client):
    seen = await _scenario(client)
    assert set(seen["reader"].values()) == {403}
    own = seen["own c"]
    assert {key for key, found in own.items() if found != 403} == {(None, "c"), (GROUP, "c")}
    assert {seen["writers"][t] for t in own[(GROUP, "c")]["texts"]} == {"c"}
    # The hidden small organisation's own communicator sees nothing of it: 3 texts would be 3 people.
    hidden = seen["own a"]
    assert {key for key, found in hidden.items() if found != 403} == {(None, "a"), (GROUP, "a")}
    assert all(found["texts"] == [] and found["count"] == 0 for found in hidden.values() if found != 403)


async def test_the_order_of_the_texts_is_not_the_order_they_were_written_in(client):
    seen = await _scenario(client)
    texts = seen["final"][(GROUP, "c")]["texts"]
    written = sorted(texts, key=lambda t: int(t.split()[1]))  # the order they came in
    assert len(texts) == 16 and texts != written and texts != written[::-1]


async def test_were_hidden_organisations_listed_their_texts_would_be_tied_to_them(client, monkeypatch):
    # The guard's own check: with the release's hidden organisations shown as filters, "a" gives its three
    # writers away.
    monkeypatch.setattr(q, "_org_shown", lambda group, org: org in group.parts)
    seen = await _scenario(client)
    assert any("[('chefer', 'a')]" in f for f in _narrowed(seen["final"], SIZES)), _narrowed(
        seen["final"], SIZES
    )


@settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=cf.rich_plans())
async def test_no_free_text_of_a_random_plan_is_tied_to_a_small_group(client, plan):
    await _empty_all_tables()
    clear_caches()
    q.forget_question_results()
    slug = await cf.store_rich_plan(plan)
    await cf.answer_rich(plan, slug, first=True)
    await cf.answer_rich(plan, slug, first=False)
    await _close(slug)
    whole = await cf.key_for(Role.COMMUNICATOR)
    lists = await _read(
        client,
        whole,
        plan=plan.code,
        wave=slug,
        groups=(None, *plan.groups),
        orgs=(None, *plan.organisations),
    )
    sizes = {cell: len(answers) for cell, answers in plan.cells.items()}
    assert _narrowed(lists, sizes) == []
