"""The per-question pages and their API twin: who may see what, filters, and nothing hidden sent."""

from __future__ import annotations

import re

import pytest

from surveys.accounts.users import Role
from surveys.results import questions as q
from surveys.results.plan_results import plan_results
from tests.anonymity.collect import api_key
from tests.support import sign_in

DEMO = "vasternorrland-2026"
PAGE = f"/resultat/{DEMO}/fragor"


@pytest.fixture(autouse=True)
def _fresh_question_results():
    # Until surveys/caches.py lists this copy (forget_all empties it when a test switches databases).
    q.forget_question_results()
    yield


async def test_a_reader_sees_every_question_of_the_latest_released_wave(demo_client, demo_database):
    await sign_in(demo_client, Role.READER)
    page = await demo_client.get(PAGE)
    assert page.status_code == 200
    assert "Känner du till Färdplan Nära vård" in page.text
    assert "Mätomgång 3" in page.text and "Antalen är avrundade till närmaste fem" in page.text
    assert "Läs fritextsvaren" not in page.text
    assert "kan läsas av kommunikatörer och administratörer" in page.text


async def test_signing_in_is_needed(demo_client, demo_database):
    response = await demo_client.get(PAGE)
    assert response.status_code in (302, 303, 401)
    assert response.headers["location"].startswith("/logga-in")


async def test_filters_by_target_group_and_organisation_on_the_page(demo_client, demo_database):
    await sign_in(demo_client, Role.READER)
    page = await demo_client.get(PAGE, params={"malgrupp": "kommunala-chefer", "organisation": "sundsvall"})
    assert page.status_code == 200
    assert 'value="kommunala-chefer" selected' in page.text and 'value="sundsvall" selected' in page.text
    assert "Cirka" in page.text and "svarande i urvalet" in page.text


async def test_a_filter_on_a_hidden_organisation_shows_dold_and_no_numbers(demo_client, demo_database):
    results = await plan_results(DEMO, k=5)
    key, hidden = next((key, orgs) for key, orgs in results.hidden.items() if orgs)
    group, wave = key.split("/")
    await sign_in(demo_client, Role.READER)
    page = await demo_client.get(PAGE, params={"omgang": wave, "malgrupp": group, "organisation": hidden[0]})
    assert page.status_code == 200
    assert "Svaren i det här urvalet är dolda." in page.text
    assert "<table" not in page.text
    headers = await api_key(Role.READER)
    body = (
        await demo_client.get(
            f"/api/v1/plans/{DEMO}/questions",
            params={"wave": wave, "target_group": group, "organisation": hidden[0]},
            headers=headers,
        )
    ).json()
    assert body["hidden"] is True and body["questions"] == [] and body["respondents"] is None


async def test_the_api_sends_rounded_counts_and_no_numbers_for_hidden_questions(demo_client, demo_database):
    headers = await api_key(Role.READER)
    response = await demo_client.get(f"/api/v1/plans/{DEMO}/questions", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rounding"] == 5 and body["wave"]["code"] == "omgang-3-2026"
    for question in body["questions"]:
        if question["hidden"]:
            assert question["options"] == [] and question["base"] is None
        for option in question["options"]:
            assert option["count"] % 5 == 0 and 0 <= (option["share"] or 0) <= 1
    everyone = {q["code"]: q for q in body["questions"]}
    assert everyone["behov"]["kind"] == "text" and everyone["behov"]["texts"] % 5 == 0


async def test_the_api_needs_a_key_and_knows_no_unknown_filter(demo_client, demo_database):
    assert (await demo_client.get(f"/api/v1/plans/{DEMO}/questions")).status_code == 401
    headers = await api_key(Role.READER)
    missing = await demo_client.get(
        f"/api/v1/plans/{DEMO}/questions", params={"target_group": "finns-inte"}, headers=headers
    )
    assert missing.status_code == 404 and "målgrupp" in missing.json()["detail"]


async def test_a_crosstab_page_and_its_api_twin(demo_client, demo_database):
    await sign_in(demo_client, Role.READER)
    params = {"rader": "kannedom", "kolumner": "chef-informerat", "malgrupp": "kommunala-chefer"}
    page = await demo_client.get(f"{PAGE}/korstabell", params=params)
    assert page.status_code == 200
    assert "<table" in page.text and "dold" in page.text and "Totalt" in page.text
    headers = await api_key(Role.READER)
    body = (
        await demo_client.get(
            f"/api/v1/plans/{DEMO}/questions/crosstab",
            params={"rows": "kannedom", "columns": "chef-informerat", "target_group": "kommunala-chefer"},
            headers=headers,
        )
    ).json()
    assert body["total"] == (await plan_results(DEMO, k=5)).respondents["kommunala-chefer/omgang-3-2026"]
    hidden = [c for row in body["cells"] for c in row if c["hidden"]]
    assert hidden and all(c["count"] is None and c["share_of_row"] is None for c in hidden)


async def test_a_crosstab_of_a_question_with_several_answers_is_refused_in_swedish(
    demo_client, demo_database
):
    await sign_in(demo_client, Role.READER)
    page = await demo_client.get(f"{PAGE}/korstabell", params={"rader": "kannedom", "kolumner": "kanaler"})
    assert page.status_code == 422
    assert "kan inte korstabuleras" in page.text and 'aria-invalid="true"' in page.text
    headers = await api_key(Role.READER)
    api = await demo_client.get(
        f"/api/v1/plans/{DEMO}/questions/crosstab",
        params={"rows": "kannedom", "columns": "kanaler"},
        headers=headers,
    )
    assert api.status_code == 422 and "second" in api.json()["errors"]


async def test_a_crosstab_by_organisation_is_explained_not_shown(demo_client, demo_database):
    headers = await api_key(Role.READER)
    body = (
        await demo_client.get(
            f"/api/v1/plans/{DEMO}/questions/crosstab",
            params={"rows": "kannedom", "columns": "chef-informerat", "organisation": "sundsvall"},
            headers=headers,
        )
    ).json()
    assert body["cells"] == [] and "hela målgrupper" in body["reason"]


async def test_a_reader_may_not_read_free_texts_by_page_or_api(demo_client, demo_database):
    await sign_in(demo_client, Role.READER)
    page = await demo_client.get(f"{PAGE}/behov/fritext")
    assert page.status_code == 403
    headers = await api_key(Role.READER)
    api = await demo_client.get(f"/api/v1/plans/{DEMO}/questions/behov/texts", headers=headers)
    assert api.status_code == 403 and "kommunikatörer" in api.json()["detail"]


async def test_a_communicator_reads_free_texts_without_dates_or_organisations(demo_client, demo_database):
    await sign_in(demo_client, Role.COMMUNICATOR)
    overview = await demo_client.get(PAGE)
    assert "Läs fritextsvaren" in overview.text
    page = await demo_client.get(f"{PAGE}/behov/fritext", params={"malgrupp": "medarbetare"})
    assert page.status_code == 200
    items = re.findall(r"<li>([^<]+)</li>", page.text.split('class="free-texts"', 1)[1])
    assert len(items) == 50
    assert "Nästa sida" in page.text
    second = await demo_client.get(f"{PAGE}/behov/fritext", params={"malgrupp": "medarbetare", "sida": "2"})
    assert re.findall(r"<li>([^<]+)</li>", second.text.split('class="free-texts"', 1)[1]) != items
    headers = await api_key(Role.COMMUNICATOR)
    body = (
        await demo_client.get(
            f"/api/v1/plans/{DEMO}/questions/behov/texts",
            params={"target_group": "medarbetare"},
            headers=headers,
        )
    ).json()
    assert body["texts"] == [item.replace("&#39;", "'").replace("&amp;", "&") for item in items]
    assert set(body) == {
        "plan",
        "wave",
        "question",
        "target_group",
        "organisation",
        "hidden",
        "reason",
        "count",
        "page",
        "pages",
        "texts",
    }  # no date, no organisation per text


async def test_free_texts_of_a_question_without_them_are_not_found(demo_client, demo_database):
    await sign_in(demo_client, Role.COMMUNICATOR)
    assert (await demo_client.get(f"{PAGE}/kannedom/fritext")).status_code == 404


async def test_the_pages_speak_english_on_request(demo_client, demo_database):
    await sign_in(demo_client, Role.READER)
    page = await demo_client.get(PAGE, params={"lang": "en"})
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert '<input type="hidden" name="lang" value="en">' in page.text  # the filters keep the language


async def test_a_respondents_text_is_shown_as_text_never_as_markup(client):
    from tests.support import make_wave
    from tests.surveys.results.test_questions import _close, _respond

    await make_wave("xss")
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    await _respond("xss", "alby", "chefer", 6, kannedom="nej", texts={"fritext": payload})
    await _respond("xss", "alby", "chefer", 6, kannedom="ja", forstaelse="4")
    await _respond("xss", "region", "chefer", 6, kannedom="nej")
    await _respond("xss", "region", "chefer", 6, kannedom="ja", forstaelse="3")
    await _close("xss")
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/resultat/testplan/fragor/fritext/fritext", params={"omgang": "xss"})
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
