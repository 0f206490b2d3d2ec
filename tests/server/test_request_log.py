"""Logs: one JSON line per request with its id, and nothing that could identify a respondent."""

from __future__ import annotations

import json
import logging

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
