"""The wave page runs the designer's whole pre-start check and shows how many answers the goals need."""

from __future__ import annotations

import copy
import html

from surveys.accounts.users import Role
from tests.support import QUESTIONNAIRE, make_wave, sign_in


def _without_channels() -> dict:
    data = copy.deepcopy(QUESTIONNAIRE)
    data["questions"] = [q for q in data["questions"] if q["code"] != "kanaler"]
    return data


def _banked(code: str, *, keep_filter: bool) -> dict:
    """The test questionnaire with its first two questions from the bank; without the filter question
    (kännedom) and the condition on it when `keep_filter` is false."""
    data = copy.deepcopy(QUESTIONNAIRE)
    data["code"] = code
    for question in data["questions"][:2]:
        question["bank"] = question["code"]
    if not keep_filter:
        data["questions"] = [q for q in data["questions"] if q["code"] != "kannedom"]
        del data["questions"][0]["show_if"]
    return data


async def _wave_page(client, slug: str, *, signed_in: bool = False) -> str:
    if not signed_in:
        await sign_in(client, Role.COMMUNICATOR)
    page = await client.get(f"/arbeta/omgangar/{slug}")
    assert page.status_code == 200
    return html.unescape(page.text)


async def test_the_wave_page_says_when_the_plans_channels_are_never_asked_about(client):
    await make_wave(questionnaire=_without_channels())
    page = await _wave_page(client, "testomgang")
    assert "Enkäten frågar inte var de svarande har sett informationen" in page
    assert "planens kanaler (Intranät)" in page


async def test_the_wave_page_is_quiet_about_channels_when_every_channel_is_asked_about(client):
    await make_wave()
    page = await _wave_page(client, "testomgang")
    assert "Enkäten frågar inte var de svarande har sett informationen" not in page
    assert "finns inte som svarsalternativ" not in page


async def test_the_wave_page_shows_a_bank_question_that_lost_its_condition(client):
    await make_wave("forsta", questionnaire=_banked("forsta-enkaten", keep_filter=True))
    await make_wave("andra", questionnaire=_banked("andra-enkaten", keep_filter=False))
    page = await _wave_page(client, "andra")
    assert "ställs i frågebanken bara till dem som svarat" in page
    assert "Lägg till frågan ”Känner du till planen?” före den." in page
    # The first wave's questionnaire asks it as the bank does.
    first = await _wave_page(client, "forsta", signed_in=True)
    assert "ställs i frågebanken bara till dem som svarat" not in first


async def test_the_wave_page_shows_the_answers_each_goal_needs(client):
    await make_wave()
    page = await _wave_page(client, "testomgang")
    assert "Hur många svar behövs?" in page
    assert "Svar som behövs per effektmål" in page
    # The test plan's one goal, with no final wave yet to start from.
    assert "Chefer</span>: kännedom, minst 70" in page
    assert "ingen mätomgång än" in page
    assert "Svar för ±10 procentenheter" in page


async def test_the_new_wave_form_shows_the_answers_each_goal_needs(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = html.unescape((await client.get("/arbeta/omgangar/ny?plan=testplan")).text)
    assert "Hur många svar behövs?" in page
    assert "Chefer</span>: kännedom, minst 70" in page
