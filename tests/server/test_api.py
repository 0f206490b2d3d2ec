"""The JSON API: the same validation and idempotency as the form, errors as JSON with question codes."""

from __future__ import annotations

from surveys.db.tables import Answer, Response
from tests.support import make_wave

ANSWERS = {"kannedom": "ja", "forstaelse": 4, "kanaler": ["intranat"], "fritext": "Bra!"}


async def test_it_lists_open_waves_with_their_form_links(client):
    await make_wave("oppen", "open")
    await make_wave("stangd", "closed")
    response = await client.get("/api/v1/waves")
    assert response.status_code == 200
    waves = response.json()["waves"]
    assert [w["slug"] for w in waves] == ["oppen"]
    assert waves[0]["form_url"] == "http://testserver/e/oppen"
    assert set(waves[0]) == {"slug", "title", "opens_at", "closes_at", "form_url"}


async def test_it_describes_a_wave_and_its_questions(client):
    await make_wave()
    response = await client.get("/api/v1/waves/testomgang")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "open"
    assert [q["code"] for q in body["questions"]] == [
        "kannedom",
        "forstaelse",
        "kanaler",
        "betyg",
        "chef",
        "fritext",
    ]
    kannedom = body["questions"][0]
    assert kannedom["step"] == "L1" and kannedom["dont_know"] == "not_reached"
    assert [o["code"] for o in kannedom["options"] if o["reaches_step"]] == ["ja"]
    assert body["questions"][1]["show_if"] == {"question": "kannedom", "any_of": ["ja"]}
    assert {o["code"] for o in body["organisations"]} == {"alby", "region"}


async def test_it_stores_a_valid_response_once_per_submission_key(client):
    await make_wave()
    body = {"answers": ANSWERS, "organisation": "alby", "target_group": "chefer", "submission_key": "k" * 20}
    first = await client.post("/api/v1/waves/testomgang/responses", json=body)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "created"
    again = await client.post("/api/v1/waves/testomgang/responses", json=body)
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert await Response.count() == 1
    assert await Answer.count() == 4


async def test_it_answers_errors_as_json_with_the_failing_question_codes(client):
    await make_wave()
    body = {
        "answers": {"kannedom": "kanske", "betyg": 12, "okand": "x"},
        "organisation": "alby",
        "target_group": "chefer",
    }
    response = await client.post("/api/v1/waves/testomgang/responses", json=body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"kannedom", "betyg", "okand"}
    assert errors["kannedom"] == "Välj ett av svarsalternativen."
    assert await Response.count() == 0


async def test_it_requires_the_organisation_and_target_group_when_the_wave_has_several(client):
    await make_wave()
    response = await client.post("/api/v1/waves/testomgang/responses", json={"answers": {"kannedom": "nej"}})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"organisation", "target_group"}


async def test_it_refuses_responses_to_a_closed_wave(client):
    await make_wave(status="closed")
    response = await client.post(
        "/api/v1/waves/testomgang/responses",
        json={"answers": {"kannedom": "ja"}, "organisation": "alby", "target_group": "chefer"},
    )
    assert response.status_code == 409
    assert "stängd" in response.json()["detail"]
    assert await Response.count() == 0


async def test_it_refuses_malformed_json_in_swedish(client):
    await make_wave()
    response = await client.post(
        "/api/v1/waves/testomgang/responses",
        content=b'{"answers": ',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert "kunde inte läsas" in response.json()["detail"]


async def test_it_refuses_unknown_top_level_fields(client):
    await make_wave()
    response = await client.post(
        "/api/v1/waves/testomgang/responses", json={"answers": {"kannedom": "ja"}, "ip": "1.2.3.4"}
    )
    assert response.status_code == 400
    assert "ip" in response.json()["errors"]
    assert await Response.count() == 0


async def test_it_refuses_a_malformed_submission_key(client):
    await make_wave()
    response = await client.post(
        "/api/v1/waves/testomgang/responses",
        json={
            "answers": {"kannedom": "ja"},
            "organisation": "alby",
            "target_group": "chefer",
            "submission_key": "<x>",
        },
    )
    assert response.status_code == 400
    assert "submission_key" in response.json()["detail"]


async def test_an_unknown_wave_is_a_json_not_found(client):
    response = await client.get("/api/v1/waves/finns-inte")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["detail"] == "Det finns ingen mätomgång med den adressen."


async def test_the_openapi_schema_describes_the_api_only(client):
    response = await client.get("/api/v1/schema/openapi.json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert all(path.startswith("/api/v1/") for path in paths), sorted(paths)
    assert {
        "/api/v1/waves",
        "/api/v1/waves/{slug}",
        "/api/v1/waves/{slug}/responses",
        "/api/v1/plans",
        "/api/v1/plans/{code}/results",
        "/api/v1/bank",
        "/api/v1/questionnaires",
        "/api/v1/plans/{code}/activities",
    } <= paths
