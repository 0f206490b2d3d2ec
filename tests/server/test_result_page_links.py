"""The results pages lead to the per-question answers: from the overview and from a target group."""

from __future__ import annotations

import html
import re

from surveys.accounts.users import Role
from tests.support import sign_in

PLAN = "/resultat/vasternorrland-2026"


def _link(page: str, text: str) -> str:
    match = re.search(r'<a href="([^"]+)">' + re.escape(text) + "</a>", page)
    assert match, f"no link {text!r}"
    return html.unescape(match.group(1))


async def test_the_overview_links_to_the_questions_and_answers(demo_client, demo_database):
    await sign_in(demo_client, Role.READER)
    overview = await demo_client.get(PLAN)
    href = _link(overview.text, "Frågor och svar")
    assert href == PLAN + "/fragor"
    page = await demo_client.get(href)
    assert page.status_code == 200 and "Känner du till Färdplan Nära vård" in page.text


async def test_a_target_groups_page_links_to_its_own_questions(demo_client, demo_database):
    await sign_in(demo_client, Role.READER)
    group = await demo_client.get(PLAN + "/malgrupper/samordnare")
    href = _link(group.text, "Frågorna för målgruppen")
    page = await demo_client.get(href)
    assert page.status_code == 200
    assert 'value="samordnare" selected' in page.text


async def test_the_links_keep_an_explicit_language_choice(demo_client, demo_database):
    await sign_in(demo_client, Role.READER)
    group = await demo_client.get(PLAN + "/malgrupper/samordnare", params={"lang": "en"})
    hrefs = re.findall(r'<a href="([^"]*/fragor[^"]*)"', group.text)
    assert [html.unescape(h) for h in hrefs] == [PLAN + "/fragor?malgrupp=samordnare&lang=en"]
