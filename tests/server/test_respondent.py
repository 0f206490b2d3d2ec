"""A medarbetare answers a survey in the browser: the form, its errors, the thank-you page."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from piccolo.query.functions.aggregate import Count

from surveys.db.tables import Answer, Response
from tests.support import VALID_ANSWERS, csrf_token, form_body, make_wave


async def open_form(client, path="/e/testomgang", **headers):
    page = await client.get(path, headers=headers)
    assert page.status_code == 200, page.text
    return page.text


async def post_form(client, path, fields, **headers):
    return await client.post(
        path,
        content=urlencode(fields),
        headers={"content-type": "application/x-www-form-urlencoded", **headers},
    )


async def test_the_start_page_lists_open_surveys_only(client):
    await make_wave("oppen", "open")
    await make_wave("stangd", "closed")
    await make_wave("snart", "not_open")
    page = await client.get("/")
    assert page.status_code == 200
    assert "/e/oppen" in page.text
    assert "/e/stangd" not in page.text and "/e/snart" not in page.text


async def test_a_survey_form_is_semantic_swedish_html(client):
    await make_wave()
    html = await open_form(client)
    assert '<html lang="sv">' in html
    assert "<fieldset" in html and "<legend" in html
    assert 'for="q-kannedom-ja"' in html and 'id="q-kannedom-ja"' in html
    assert "Vilken organisation hör du till?" in html
    assert "Skicka svar" in html
    assert '<label class="question-text" for="q-fritext-input">' in html


async def test_a_valid_submission_redirects_to_the_thank_you_page_and_is_stored(client):
    await make_wave()
    html = await open_form(client)
    response = await post_form(
        client, "/e/testomgang", form_body(html, VALID_ANSWERS, organisation="alby", target_group="chefer")
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/e/testomgang/tack"
    thanks = await client.get(response.headers["location"])
    assert "Tack för dina svar!" in thanks.text
    assert await Response.count() == 1
    # one row per chosen option: kannedom, forstaelse, two channels, betyg
    assert await Answer.count() == 5


async def test_the_database_counts_answers_per_wave_organisation_group_question_and_option(client):
    await make_wave()
    for org, group, known in [
        ("alby", "chefer", "ja"),
        ("alby", "chefer", "nej"),
        ("region", "medarbetare", "ja"),
    ]:
        html = await open_form(client)
        answers = {"kannedom": [known]} | ({"forstaelse": ["5"]} if known == "ja" else {})
        response = await post_form(
            client, "/e/testomgang", form_body(html, answers, organisation=org, target_group=group)
        )
        assert response.status_code == 303
    rows = (
        await Answer.select(
            Answer.organisation.code.as_alias("org"),
            Answer.target_group.code.as_alias("group"),
            Answer.option.code.as_alias("option"),
            Count(alias="count"),
        )
        .where(Answer.question.code == "kannedom")
        .group_by(Answer.organisation.code, Answer.target_group.code, Answer.option.code)
    )
    counts = {(r["org"], r["group"], r["option"]): r["count"] for r in rows}
    assert counts == {
        ("alby", "chefer", "ja"): 1,
        ("alby", "chefer", "nej"): 1,
        ("region", "medarbetare", "ja"): 1,
    }


async def test_missing_answers_show_an_error_summary_and_keep_the_other_answers(client):
    await make_wave()
    html = await open_form(client)
    response = await post_form(
        client, "/e/testomgang", form_body(html, {"betyg": ["9"]}, organisation="alby")
    )
    assert response.status_code == 422
    page = response.text
    assert "<title>Fel:" in page
    assert 'class="error-summary"' in page and 'href="#q-kannedom-ja"' in page
    assert 'href="#target_group-chefer"' in page
    assert "Välj ett svarsalternativ." in page
    assert 'aria-describedby="q-kannedom-error"' in page
    # kept: the organisation and the 0–10 answer
    assert 'id="organisation-alby" name="organisation" value="alby" checked' in page
    assert 'id="q-betyg-9" name="q-betyg" value="9" checked' in page
    assert await Response.count() == 0


async def test_a_retry_with_the_same_submission_key_is_stored_once(client):
    await make_wave()
    html = await open_form(client)
    fields = form_body(html, VALID_ANSWERS, organisation="alby", target_group="chefer")
    first = await post_form(client, "/e/testomgang", fields)
    second = await post_form(client, "/e/testomgang", fields)
    assert first.status_code == second.status_code == 303
    assert await Response.count() == 1


async def test_a_survey_link_for_an_organisation_does_not_ask_for_it(client):
    await make_wave()
    html = await open_form(client, "/e/testomgang/o/region")
    assert 'name="organisation"' not in html
    assert "Regionen" in html
    response = await post_form(
        client, "/e/testomgang/o/region", form_body(html, VALID_ANSWERS, target_group="medarbetare")
    )
    assert response.status_code == 303
    stored = await Response.select(Response.organisation.code.as_alias("org")).first()
    assert stored["org"] == "region"


async def test_an_unknown_organisation_link_is_not_found(client):
    await make_wave()
    response = await client.get("/e/testomgang/o/okand")
    assert response.status_code == 404
    assert "organisation som inte är med" in response.text


async def test_a_wave_with_one_target_group_does_not_ask_for_it(client):
    await make_wave(target_groups=["chefer"])
    html = await open_form(client)
    assert 'name="target_group"' not in html
    response = await post_form(client, "/e/testomgang", form_body(html, VALID_ANSWERS, organisation="alby"))
    assert response.status_code == 303
    stored = await Response.select(Response.target_group.code.as_alias("group")).first()
    assert stored["group"] == "chefer"


async def test_answers_to_questions_the_respondent_was_not_asked_are_not_stored(client):
    await make_wave()
    html = await open_form(client)
    answers = {"kannedom": ["nej"], "forstaelse": ["5"]}
    response = await post_form(
        client, "/e/testomgang", form_body(html, answers, organisation="alby", target_group="chefer")
    )
    assert response.status_code == 303
    codes = [r["code"] for r in await Answer.select(Answer.question.code.as_alias("code"))]
    assert codes == ["kannedom"]


async def test_a_survey_that_has_not_opened_says_when_it_opens(client):
    await make_wave(status="not_open")
    response = await client.get("/e/testomgang")
    assert response.status_code == 200
    assert "Enkäten har inte öppnat än" in response.text
    assert " kl. " in response.text and "<form" not in response.text


async def test_a_closed_survey_says_so_and_rejects_submissions(client):
    await make_wave(status="closed")
    response = await client.get("/e/testomgang")
    assert response.status_code == 410
    assert "Enkäten är stängd" in response.text
    await client.get("/")  # a respondent who opened the form in time has the CSRF cookie
    token = client.cookies["csrftoken"]
    posted = await post_form(client, "/e/testomgang", [("_csrf_token", token), ("q-kannedom", "ja")])
    assert posted.status_code == 409
    assert await Response.count() == 0


async def test_an_unknown_survey_is_a_swedish_not_found_page(client):
    response = await client.get("/e/finns-inte")
    assert response.status_code == 404
    assert "Det finns ingen enkät på den här adressen" in response.text
    assert "Traceback" not in response.text


async def test_an_unknown_page_is_a_swedish_not_found_page(client):
    response = await client.get("/ingenting/har")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.text
    assert '<html lang="sv">' in response.text


async def test_english_is_chosen_by_query_or_accept_language(client):
    await make_wave()
    by_query = await client.get("/e/testomgang?lang=en")
    assert '<html lang="en">' in by_query.text
    assert "Send answers" in by_query.text
    assert 'action="/e/testomgang?lang=en"' in by_query.text
    by_header = await client.get("/e/testomgang", headers={"accept-language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in by_header.text
    swedish = await client.get("/e/testomgang", headers={"accept-language": "sv-SE,sv;q=0.9,en;q=0.5"})
    assert '<html lang="sv">' in swedish.text


async def test_errors_are_in_english_for_an_english_respondent(client):
    await make_wave()
    html = await open_form(client, "/e/testomgang?lang=en")
    response = await post_form(client, "/e/testomgang?lang=en", form_body(html, {}, organisation="alby"))
    assert response.status_code == 422
    assert "Choose an option." in response.text
    assert "Välj" not in response.text


async def test_unknown_form_fields_are_rejected_and_nothing_is_stored(client):
    await make_wave()
    html = await open_form(client)
    fields = [*form_body(html, VALID_ANSWERS, organisation="alby", target_group="chefer"), ("is_admin", "1")]
    response = await post_form(client, "/e/testomgang", fields)
    assert response.status_code == 400
    assert "fält som enkäten inte känner till" in response.text
    assert await Response.count() == 0


async def test_an_option_that_does_not_exist_is_an_error_next_to_the_question(client):
    await make_wave()
    html = await open_form(client)
    answers = {**VALID_ANSWERS, "betyg": ["11"]}
    response = await post_form(
        client, "/e/testomgang", form_body(html, answers, organisation="alby", target_group="chefer")
    )
    assert response.status_code == 422
    assert 'id="q-betyg-error"' in response.text
    assert await Response.count() == 0


async def test_a_too_long_free_text_is_an_error_and_keeps_the_text(client):
    await make_wave()
    html = await open_form(client)
    answers = {**VALID_ANSWERS, "fritext": ["å" * 51]}
    response = await post_form(
        client, "/e/testomgang", form_body(html, answers, organisation="alby", target_group="chefer")
    )
    assert response.status_code == 422
    assert "högst 50 tecken" in response.text
    assert "å" * 51 in response.text
    assert await Response.count() == 0


async def test_free_text_is_escaped_when_shown_again(client):
    await make_wave()
    html = await open_form(client)
    answers = {"fritext": ['<script>alert("x")</script>']}
    response = await post_form(client, "/e/testomgang", form_body(html, answers, organisation="alby"))
    assert response.status_code == 422
    assert '<script>alert("x")</script>' not in response.text
    assert "&lt;script&gt;" in response.text


async def test_an_oversized_body_is_refused_in_swedish(client):
    await make_wave()
    html = await open_form(client)
    fields = form_body(html, VALID_ANSWERS, organisation="alby", target_group="chefer")
    fields.append(("q-fritext", "x" * 200_000))
    response = await post_form(client, "/e/testomgang", fields)
    assert response.status_code == 413
    assert "för stort" in response.text
    assert await Response.count() == 0


async def test_a_wrong_content_type_is_refused(client):
    await make_wave()
    html = await open_form(client)
    response = await client.post(
        "/e/testomgang",
        json={"q-kannedom": "ja"},
        headers={"x-csrftoken": csrf_token(html)},
    )
    assert response.status_code == 415
    assert "format som inte stöds" in response.text
    assert await Response.count() == 0


async def test_invalid_utf8_is_refused_and_nothing_is_stored(client):
    await make_wave()
    html = await open_form(client)
    body = (
        urlencode(form_body(html, VALID_ANSWERS, organisation="alby", target_group="chefer"))
        + "&q-fritext=%FF%FE"
    )
    response = await client.post(
        "/e/testomgang", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    assert "tecken som inte kunde läsas" in response.text
    assert await Response.count() == 0


async def test_a_submission_without_the_csrf_token_is_refused_in_swedish(client):
    await make_wave()
    html = await open_form(client)
    fields = [
        f
        for f in form_body(html, VALID_ANSWERS, organisation="alby", target_group="chefer")
        if f[0] != "_csrf_token"
    ]
    response = await post_form(client, "/e/testomgang", fields)
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.text
    assert await Response.count() == 0


async def test_a_response_keeps_only_the_date(client):
    await make_wave()
    html = await open_form(client)
    await post_form(
        client,
        "/e/testomgang",
        form_body(html, VALID_ANSWERS, organisation="alby", target_group="chefer"),
        **{"user-agent": "Identifying/1.0", "x-forwarded-for": "203.0.113.7"},
    )
    columns = {c._meta.name for c in Response._meta.columns} | {c._meta.name for c in Answer._meta.columns}
    assert not columns & {"ip", "ip_address", "user_agent", "created_at", "submitted_at"}
    row = await Response.select().first()
    assert "Identifying" not in str(row) and "203.0.113.7" not in str(row)
    assert type(row["submitted_on"]).__name__ == "date"


async def test_pages_carry_security_headers(client):
    response = await client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    not_found = await client.get("/finns/inte")
    assert "content-security-policy" in not_found.headers


# --- a form sent again shows the receipt ---------------------------------------------------------


async def test_a_form_sent_again_shows_the_receipt_and_stores_nothing_new(client):
    await make_wave()
    html = await open_form(client)
    fields = form_body(html, VALID_ANSWERS, organisation="alby", target_group="chefer")
    first = await post_form(client, "/e/testomgang", fields)
    again = await post_form(client, "/e/testomgang", fields)  # a reload of the sent form, say
    assert first.headers["location"] == "/e/testomgang/tack"
    assert again.status_code == 303 and again.headers["location"] == "/e/testomgang/tack?redan=ja"
    receipt = await client.get(again.headers["location"])
    assert "Dina svar är redan skickade" in receipt.text and "sparades bara en gång" in receipt.text
    assert await Response.count() == 1


async def test_two_sends_of_one_form_at_once_store_one_response_and_both_get_the_receipt(client):
    import asyncio

    await make_wave()
    html = await open_form(client)
    fields = form_body(html, VALID_ANSWERS, organisation="alby", target_group="chefer")
    both = await asyncio.gather(*(post_form(client, "/e/testomgang", fields) for _ in range(2)))
    assert sorted(r.headers["location"] for r in both) == [
        "/e/testomgang/tack",
        "/e/testomgang/tack?redan=ja",
    ]
    assert await Response.count() == 1


async def test_after_the_receipt_the_back_button_brings_the_receipt_not_the_form(client):
    await make_wave()
    html = await open_form(client)
    sent = await post_form(
        client, "/e/testomgang", form_body(html, VALID_ANSWERS, organisation="alby", target_group="chefer")
    )
    receipt = await client.get(sent.headers["location"])
    cookie = receipt.headers["set-cookie"]
    assert "effekt_skickat=1" in cookie and "Path=/e/testomgang" in cookie and "HttpOnly" in cookie
    back = await client.get("/e/testomgang")  # the browser fetches the form again
    assert back.status_code == 200
    assert "Dina svar är redan skickade" in back.text and 'name="submission_key"' not in back.text
    # Someone else on the same browser may still answer: the link forgets the receipt first.
    again = await client.get("/e/testomgang?igen=ja")
    assert again.status_code == 303 and again.headers["location"] == "/e/testomgang"
    assert "effekt_skickat=" in again.headers["set-cookie"] and "Max-Age=0" in again.headers["set-cookie"]
    client.cookies.delete("effekt_skickat", path="/e/testomgang")
    assert 'name="submission_key"' in (await client.get("/e/testomgang")).text
    assert await Response.count() == 1


async def test_the_receipt_of_one_survey_does_not_hide_another(client):
    await make_wave("forsta")
    await make_wave("andra")
    await client.get("/e/forsta/tack")
    assert 'name="submission_key"' in (await client.get("/e/andra")).text


# --- whom the answers count for, and the numbers ---------------------------------------------------


async def test_the_page_names_the_target_group_the_respondent_answers_as(client):
    await make_wave(target_groups=["chefer"])
    html = await open_form(client, "/e/testomgang/o/region")
    assert "Dina svar räknas till Regionen och målgruppen Chefer." in html
    assert "medarbetare" not in html.lower().split("<main")[1].split("<form")[0]


async def test_when_the_respondent_chooses_the_group_the_page_says_it_once_known(client):
    await make_wave()
    html = await open_form(client, "/e/testomgang/o/region")
    # Not known before they choose: the script fills it in; shown again after errors.
    assert 'id="answering-as"' in html and "Dina svar räknas till Regionen." in html
    assert 'data-both="Dina svar räknas till {organisation} och målgruppen {group}."' in html
    refused = await post_form(
        client, "/e/testomgang/o/region", form_body(html, {}, target_group="medarbetare")
    )
    assert refused.status_code == 422
    assert "Dina svar räknas till Regionen och målgruppen Medarbetare." in refused.text


async def test_questions_are_numbered_one_after_another(client):
    await make_wave()
    html = await open_form(client)
    numbers = re.findall(r'<span class="number" data-number="(\d+)">', html)
    assert numbers == [str(n) for n in range(1, 7)]
    # The condition names the number the question it depends on has on the page.
    assert "Svara bara om du svarade ”Ja” på fråga 1." in html


async def test_the_numbers_in_the_error_summary_are_the_questions_numbers(client):
    await make_wave()
    html = await open_form(client)
    refused = await post_form(
        client, "/e/testomgang", form_body(html, {}, organisation="alby", target_group="chefer")
    )
    assert '<span class="summary-number" data-for="q-kannedom" data-pattern="Fråga {n}:">Fråga 1:</span>' in (
        refused.text
    )
