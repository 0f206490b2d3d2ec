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
    assert "/finns-inte" in {e["path"] for e in entries}
    assert all(e["request_id"] and isinstance(e["status"], int) for e in entries)
    text = "\n".join(lines)
    assert "ABCDE" not in text and "Identifying" not in text and "203.0.113.7" not in text


def access_entries(caplog) -> list[dict]:
    return [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "effekt.access"]


async def test_answering_writes_no_access_line_that_could_time_it(client, caplog):
    await make_wave()
    caplog.set_level(logging.INFO, logger="effekt.access")
    await client.get("/logga-in")
    page = await client.get("/e/testomgang/o/alby", headers={"x-request-id": "anna-desk-4"})
    await client.post(
        "/e/testomgang/o/alby",
        data=dict(form_body(page.text, VALID_ANSWERS, target_group="chefer")),
        headers={"x-request-id": "anna-desk-4"},
    )
    await client.post(
        "/api/v1/waves/testomgang/responses",
        json={"answers": {"kannedom": "ja"}, "organisation": "alby", "target_group": "chefer"},
        headers={"x-request-id": "anna-desk-4"},
    )
    await client.get("/logga-in")
    paths = [e["path"] for e in access_entries(caplog)]
    # The staff lines around the answers have their time; nothing between them says an answer came.
    assert paths == ["/logga-in", "/logga-in"]


def test_a_server_error_while_answering_is_logged_with_its_day_and_the_wave_only(caplog):
    from server.request_log import log_request, request_ids

    caplog.set_level(logging.INFO, logger="effekt.access")
    logged, sent_back = request_ids(b"anna-desk-4", "/e/testomgang/o/alby")
    log_request(logged, {"method": "POST", "path": "/e/testomgang/o/alby"}, 500, 0.0)
    (entry,) = access_entries(caplog)
    assert entry["path"] == "/e/testomgang" and entry["status"] == 500
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", entry["time"]), entry
    assert entry["request_id"] == logged != "anna-desk-4" and logged != sent_back


async def test_staff_pages_keep_the_time_and_the_id_from_the_proxy(client, caplog):
    caplog.set_level(logging.INFO, logger="effekt.access")
    await client.get("/logga-in", headers={"x-request-id": "lb-4711"})
    (entry,) = [e for e in access_entries(caplog) if e["path"] == "/logga-in"]
    assert entry["request_id"] == "lb-4711"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", entry["time"])
