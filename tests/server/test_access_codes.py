"""One-time codes: each lets one person answer once, and a spent code says nothing about the answers."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from surveys.accounts.users import Role
from surveys.db.tables import AccessCode, Answer, Response
from tests.support import VALID_ANSWERS, csrf_token, form_body, make_wave, sign_in


async def codes_for_wave(client, count: int = 3) -> list[str]:
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/omgangar/testomgang")
    response = await client.post(
        "/arbeta/omgangar/testomgang/koder", data={"_csrf_token": csrf_token(page.text), "count": str(count)}
    )
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    client.cookies.delete("effekt_session")
    return [row[0] for row in rows[1:]]


async def answer(client, code: str | None, key_from: str | None = None):
    page = await client.get("/e/testomgang" + (f"?kod={code}" if key_from == "link" else ""))
    fields = form_body(page.text, VALID_ANSWERS, organisation="alby", target_group="chefer")
    if code is not None and key_from != "link":
        fields.append(("code", code))
    elif key_from == "link":
        assert f'value="{code}"' in page.text  # the code from the link is filled in
        fields.append(("code", code))
    return await client.post(
        "/e/testomgang",
        content=urlencode(fields),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


async def test_codes_are_downloaded_once_and_only_their_hashes_kept(client):
    await make_wave()
    codes = await codes_for_wave(client, 3)
    assert len(codes) == 3 and all(len(c) == 11 and c[5] == "-" for c in codes)
    stored = await AccessCode.select()
    assert len(stored) == 3
    assert not any(code.replace("-", "") in str(row) for code in codes for row in stored)
    assert set(
        AccessCode._meta.columns_names
        if hasattr(AccessCode._meta, "columns_names")
        else [c._meta.name for c in AccessCode._meta.columns]
    ) == {"id", "wave", "code_hash"}


async def test_a_code_lets_one_person_answer_once(client):
    await make_wave()
    codes = await codes_for_wave(client, 2)
    missing = await answer(client, None)
    assert missing.status_code == 422 and "engångskoden" in missing.text
    first = await answer(client, codes[0].lower().replace("-", " "))  # typed loosely
    assert first.status_code == 303
    again = await answer(client, codes[0])
    assert again.status_code == 422 and "redan använd" in again.text
    assert await Response.count() == 1
    assert await AccessCode.count() == 1  # the used code is gone: nothing is left to link to the answer


async def test_a_made_up_code_stores_nothing(client):
    await make_wave()
    await codes_for_wave(client, 1)
    response = await answer(client, "ABCDE-FGHJK")
    assert response.status_code == 422
    assert await Response.count() == 0 and await Answer.count() == 0


async def test_a_code_in_the_link_is_filled_in(client):
    await make_wave()
    codes = await codes_for_wave(client, 1)
    response = await answer(client, codes[0], key_from="link")
    assert response.status_code == 303


async def test_the_api_checks_codes_too(client):
    await make_wave()
    codes = await codes_for_wave(client, 1)
    body = {
        "answers": {"kannedom": "ja", "forstaelse": "4"},
        "organisation": "alby",
        "target_group": "chefer",
    }
    assert (await client.post("/api/v1/waves/testomgang/responses", json=body)).status_code == 422
    wrong = await client.post("/api/v1/waves/testomgang/responses", json=body | {"code": "AAAAA-AAAAA"})
    assert wrong.status_code == 422 and "code" in wrong.json()["errors"]
    right = await client.post("/api/v1/waves/testomgang/responses", json=body | {"code": codes[0]})
    assert right.status_code == 201
