"""One submission rule, whatever the door: the form and the JSON API refuse and accept the same responses.

Each test sends the same thing through both doors (surveys.responding.submission.submit is what both call)
and checks what a respondent or a program would notice: the status, the field named, and what was stored.
"""

from __future__ import annotations

from urllib.parse import urlencode

from surveys.db.tables import Response
from surveys.waves.codes import issue_codes
from surveys.waves.setup import close_early
from tests.support import VALID_ANSWERS, form_body, make_wave

API = "/api/v1/waves/testomgang/responses"
JSON_ANSWERS = {"kannedom": "ja", "forstaelse": "4"}


async def post_form(client, path: str, fields) -> object:
    return await client.post(
        path, content=urlencode(fields), headers={"content-type": "application/x-www-form-urlencoded"}
    )


async def through_the_form(client, path: str = "/e/testomgang", **background: str):
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return await post_form(client, path, form_body(page.text, VALID_ANSWERS, **background))


async def through_the_api(client, **fields):
    return await client.post(API, json={"answers": JSON_ANSWERS, **fields})


async def test_both_doors_refuse_a_wave_that_closed_while_the_form_was_open(client):
    await make_wave()
    page = await client.get("/e/testomgang")  # this worker now holds the open wave
    await close_early("testomgang")

    by_form = await post_form(
        client,
        "/e/testomgang",
        form_body(page.text, VALID_ANSWERS, organisation="alby", target_group="chefer"),
    )
    by_api = await through_the_api(client, organisation="alby", target_group="chefer")

    assert by_form.status_code == by_api.status_code == 409
    assert "Enkäten är stängd" in by_form.text
    assert "stängd" in by_api.json()["detail"]
    assert await Response.count() == 0


async def test_both_doors_refuse_a_wave_that_has_not_opened(client):
    await make_wave(status="not_open")
    await client.get("/")
    by_form = await post_form(client, "/e/testomgang", [("_csrf_token", client.cookies["csrftoken"])])
    by_api = await through_the_api(client, organisation="alby", target_group="chefer")
    assert by_form.status_code == by_api.status_code == 409
    assert "inte öppnat" in by_api.json()["detail"]
    assert await Response.count() == 0


async def test_both_doors_refuse_an_organisation_the_wave_does_not_have_even_when_it_has_only_one(client):
    await make_wave(organisations=["alby"])
    by_form = await through_the_form(client, organisation="okand", target_group="chefer")
    by_api = await through_the_api(client, organisation="okand", target_group="chefer")
    assert by_form.status_code == by_api.status_code == 422
    assert set(by_api.json()["errors"]) == {"organisation"}
    assert await Response.count() == 0


async def test_both_doors_still_file_a_response_under_a_wave_s_only_organisation_when_none_is_named(client):
    await make_wave(organisations=["alby"])
    by_form = await through_the_form(client, target_group="chefer")
    by_api = await through_the_api(client, target_group="chefer")
    assert (by_form.status_code, by_api.status_code) == (303, 201)
    assert [r["org"] for r in await Response.select(Response.organisation.code.as_alias("org"))] == [
        "alby",
        "alby",
    ]


async def test_a_form_from_an_organisation_link_cannot_file_the_response_under_another(client):
    await make_wave()
    response = await through_the_form(
        client, "/e/testomgang/o/region", organisation="alby", target_group="chefer"
    )
    assert response.status_code == 422
    assert await Response.count() == 0


async def test_both_doors_refuse_a_target_group_the_wave_does_not_have_even_when_it_has_only_one(client):
    await make_wave(target_groups=["chefer"])
    by_form = await through_the_form(client, organisation="alby", target_group="chefer-typo")
    by_api = await through_the_api(client, organisation="alby", target_group="chefer-typo")
    assert by_form.status_code == by_api.status_code == 422
    assert set(by_api.json()["errors"]) == {"target_group"}
    assert await Response.count() == 0


async def test_both_doors_store_a_retry_with_the_same_key_once(client):
    await make_wave()
    page = await client.get("/e/testomgang")
    fields = form_body(page.text, VALID_ANSWERS, organisation="alby", target_group="chefer")
    form_first, form_again = [await post_form(client, "/e/testomgang", fields) for _ in range(2)]
    body = {"organisation": "alby", "target_group": "chefer", "submission_key": "r" * 24}
    api_first, api_again = [await through_the_api(client, **body) for _ in range(2)]
    assert (form_first.status_code, form_again.status_code) == (303, 303)
    assert (api_first.status_code, api_again.status_code) == (201, 200)
    assert api_again.json()["status"] == "duplicate"
    assert await Response.count() == 2


async def test_both_doors_refuse_a_malformed_submission_key(client):
    await make_wave()
    page = await client.get("/e/testomgang")
    fields = [
        (name, "<x>" if name == "submission_key" else value)
        for name, value in form_body(page.text, VALID_ANSWERS, organisation="alby", target_group="chefer")
    ]
    by_form = await post_form(client, "/e/testomgang", fields)
    by_api = await through_the_api(client, organisation="alby", target_group="chefer", submission_key="<x>")
    assert by_form.status_code == by_api.status_code == 400
    assert await Response.count() == 0


async def test_both_doors_refuse_a_spent_code_and_name_the_code_field(client):
    await make_wave()
    code = (await issue_codes("testomgang", 1)).codes[0]
    assert (
        await through_the_api(client, organisation="alby", target_group="chefer", code=code)
    ).status_code == 201
    by_form = await through_the_form(client, organisation="alby", target_group="chefer", code=code)
    by_api = await through_the_api(client, organisation="alby", target_group="chefer", code=code)
    assert by_form.status_code == by_api.status_code == 422
    assert "redan använd" in by_form.text and "redan använd" in by_api.json()["errors"]["code"]
    assert await Response.count() == 1


async def test_both_doors_ask_for_a_code_before_anything_is_stored(client):
    await make_wave()
    await issue_codes("testomgang", 1)
    by_form = await through_the_form(client, organisation="alby", target_group="chefer")
    by_api = await through_the_api(client, organisation="alby", target_group="chefer")
    assert by_form.status_code == by_api.status_code == 422
    assert "engångskoden" in by_form.text and "code" in by_api.json()["errors"]
    assert await Response.count() == 0


async def test_an_unknown_wave_is_not_found_through_both_doors(client):
    await client.get("/")
    by_form = await post_form(client, "/e/finns-inte", [("_csrf_token", client.cookies["csrftoken"])])
    by_api = await client.post("/api/v1/waves/finns-inte/responses", json={"answers": {}})
    assert by_form.status_code == by_api.status_code == 404
