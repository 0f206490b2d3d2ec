"""What every request gets, even one that never reaches a page: its language, headers and request id."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ({"headers": {"accept-language": "en-GB,en;q=0.9"}}, "The page does not exist."),
        ({"params": {"lang": "en"}}, "The page does not exist."),
        ({"headers": {"accept-language": "de, sv;q=0.5"}}, "Sidan finns inte."),
        ({}, "Sidan finns inte."),
    ],
    ids=["accept-language", "lang-query", "swedish-second", "default"],
)
async def test_an_unknown_address_answers_in_the_visitors_language(client, how, expected):
    response = await client.get("/finns/inte", **how)
    assert response.status_code == 404
    assert expected in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert len(response.headers["x-request-id"]) == 16


async def test_a_refused_method_answers_in_the_visitors_language_too(client):
    response = await client.request("PUT", "/logga-in", headers={"accept-language": "en"})
    assert response.status_code == 405
    assert "This address does not accept that kind of request." in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("given", ["a" * 65, "id med mellanslag", "id;drop", ""])
async def test_a_request_id_from_outside_is_kept_only_when_it_is_a_plain_short_word(client, given):
    kept = await client.get("/finns/inte", headers={"x-request-id": "lb-4711.a_b"})
    assert kept.headers["x-request-id"] == "lb-4711.a_b"
    replaced = await client.get("/finns/inte", headers={"x-request-id": given})
    assert replaced.headers["x-request-id"] != given and len(replaced.headers["x-request-id"]) == 16
