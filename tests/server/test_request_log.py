"""Logs: one JSON line per request with its id, and nothing that could identify a respondent."""

from __future__ import annotations

import json
import logging
import re

from server.request_log import JsonFormatter
from tests.support import VALID_ANSWERS, form_body, make_wave


async def test_every_response_carries_a_request_id_and_is_logged_without_personal_data(client, caplog):
    await make_wave()
    caplog.set_level(logging.INFO, logger="effekt.access")
    page = await client.get("/e/testomgang?kod=ABCDE-FGHJK", headers={"x-request-id": "proxy-123"})
    assert page.headers["x-request-id"] == "proxy-123"
    not_found = await client.get("/finns-inte", headers={"x-request-id": "<script>"})
    assert len(not_found.headers["x-request-id"]) == 16  # an odd id from outside is replaced
    await client.post(
        "/e/testomgang",
        data=dict(form_body(page.text, VALID_ANSWERS, organisation="alby", target_group="chefer")),
        headers={"user-agent": "Identifying/1.0", "x-forwarded-for": "203.0.113.7"},
    )
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "effekt.access"]
    entries = [json.loads(line) for line in lines]
    assert {e["path"] for e in entries} >= {"/e/testomgang", "/finns-inte"}
    assert all(e["request_id"] and isinstance(e["status"], int) for e in entries)
    text = "\n".join(lines)
    assert "ABCDE" not in text and "Identifying" not in text and "203.0.113.7" not in text


def access_entries(caplog) -> list[dict]:
    return [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "effekt.access"]


async def test_an_answer_is_logged_with_its_day_but_no_time_and_no_id_from_outside(client, caplog):
    await make_wave()
    caplog.set_level(logging.INFO, logger="effekt.access")
    page = await client.get("/e/testomgang", headers={"x-request-id": "anna-desk-4"})
    await client.post(
        "/e/testomgang",
        data=dict(form_body(page.text, VALID_ANSWERS, organisation="alby", target_group="chefer")),
        headers={"x-request-id": "anna-desk-4"},
    )
    await client.post(
        "/api/v1/waves/testomgang/responses",
        json={"answers": {"kannedom": "ja"}, "organisation": "alby", "target_group": "chefer"},
        headers={"x-request-id": "anna-desk-4"},
    )
    answering = [e for e in access_entries(caplog) if e["path"].startswith(("/e/", "/api/v1/waves"))]
    assert {e["method"] for e in answering} == {"GET", "POST"} and len(answering) == 3
    for entry in answering:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", entry["time"]), entry
        assert entry["request_id"] != "anna-desk-4" and len(entry["request_id"]) == 16


async def test_the_id_logged_for_an_answer_is_never_sent_back(client, caplog):
    await make_wave()
    caplog.set_level(logging.INFO, logger="effekt.access")
    page = await client.get("/e/testomgang")
    logged = [e["request_id"] for e in access_entries(caplog) if e["path"] == "/e/testomgang"]
    assert logged and page.headers["x-request-id"] not in logged


async def test_staff_pages_keep_the_time_and_the_id_from_the_proxy(client, caplog):
    caplog.set_level(logging.INFO, logger="effekt.access")
    await client.get("/logga-in", headers={"x-request-id": "lb-4711"})
    (entry,) = [e for e in access_entries(caplog) if e["path"] == "/logga-in"]
    assert entry["request_id"] == "lb-4711"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", entry["time"])
