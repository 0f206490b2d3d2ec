"""Every shown share says what it is: the interval, the answers it is counted on, and the notes (merged
organisations counted unweighted, low response) on the group page and on the presentation slide alike."""

from __future__ import annotations

import html
import re

from surveys.accounts.users import Role
from surveys.results.plan_results import plan_results
from tests.support import sign_in

DEMO = "vasternorrland-2026"
GROUP = f"/resultat/{DEMO}/malgrupper/politiker"
SLIDE = f"/resultat/{DEMO}/visning/politiker"


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).replace("\u00a0", " ")


async def _bases(group: str) -> list[int]:
    """The base of each of the group's goals in its latest measured wave, as the API gives it."""
    results = await plan_results(DEMO, k=5)
    bases = []
    for goal in results.goals:
        if goal.target_group == group:
            latest = [w for w in goal.result.waves if w.measured][-1]
            bases.append(latest.estimate.base)
    return bases


def _said_bases(text: str) -> list[int]:
    return [int(n.replace(" ", "")) for n in re.findall(r"Andelen är räknad på ([\d ]+?) svar\.", text)]


async def test_the_group_page_gives_each_goals_base_and_says_what_the_interval_is(demo_client, demo_database):
    await sign_in(demo_client, Role.READER)
    text = _text((await demo_client.get(GROUP)).text)
    assert _said_bases(text) == await _bases("politiker")
    assert "Inom parentes: 95 % osäkerhetsintervall" in text
    assert "Organisationer med för få svar räknas ihop utan vägning" in text


async def test_the_slide_says_the_base_and_the_notes_not_only_the_first_verdict(demo_client, demo_database):
    await sign_in(demo_client, Role.READER)
    text = _text((await demo_client.get(SLIDE)).text)
    assert _said_bases(text) == await _bases("politiker")
    assert "bredvid: 95 % osäkerhetsintervall" in text
    assert "Organisationer med för få svar räknas ihop utan vägning" in text
    assert "Bara 39 % av gruppen svarade" in text


async def test_a_hidden_group_gives_no_base(demo_client, demo_database):
    await sign_in(demo_client, Role.READER)
    for path in (f"/resultat/{DEMO}/malgrupper/samordnare", f"/resultat/{DEMO}/visning/samordnare"):
        text = _text((await demo_client.get(path)).text)
        assert "Andelen är räknad på" not in text and "dold" in text
