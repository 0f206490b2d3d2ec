"""effekt's own CSRF check: what a visitor notices of it (tests/server/test_security.py covers every form)."""

from __future__ import annotations

import pytest
from litestar.middleware.csrf import generate_csrf_token

from surveys.accounts.users import Role
from surveys.db.tables import Response, TargetGroupSize
from tests.server.test_respondent import post_form
from tests.support import VALID_ANSWERS, csrf_token, form_body, make_wave, sign_in

SECRET = "x" * 48  # tests/conftest.py's make_settings


def _cookie(client) -> str | None:
    return next((c.value for c in client.cookies.jar if c.name == "csrftoken"), None)


async def test_a_first_visit_gets_a_token_cookie_that_its_form_carries(client):
    await make_wave()
    page = await client.get("/e/testomgang")
    set_cookie = page.headers["set-cookie"]
    assert set_cookie.startswith("csrftoken=") and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert csrf_token(page.text) == _cookie(client)
    again = await client.get("/e/testomgang")
    assert "set-cookie" not in again.headers  # a valid cookie is kept, not renewed on every page
    assert csrf_token(again.text) == _cookie(client)


@pytest.mark.parametrize(
    ("cookie", "kept"),
    [
        ("f" * 128, False),  # not signed by us: replaced, so the visitor is not stuck with refusals
        (generate_csrf_token(secret=SECRET), True),  # Litestar's, from before the upgrade: still good
    ],
    ids=["foreign-cookie-replaced", "pre-upgrade-token-kept"],
)
async def test_a_visitor_with_an_old_or_foreign_cookie_can_still_answer(client, cookie, kept):
    await make_wave()
    client.cookies.set("csrftoken", cookie, domain="testserver.local")
    page = await client.get("/e/testomgang")
    assert ("set-cookie" not in page.headers) == kept
    assert (_cookie(client) == cookie) == kept and csrf_token(page.text) == _cookie(client)
    answers = form_body(page.text, VALID_ANSWERS, organisation="alby", target_group="chefer")
    posted = await post_form(client, "/e/testomgang", answers)
    assert posted.status_code == 303 and await Response.count() == 1


async def test_a_token_signed_with_another_secret_is_refused(client):
    await make_wave()
    page = await client.get("/e/testomgang")
    forged = generate_csrf_token(secret="y" * 48)
    client.cookies.set("csrftoken", forged, domain="testserver.local")
    fields = [(k, forged if k == "_csrf_token" else v) for k, v in form_body(page.text, VALID_ANSWERS)]
    posted = await post_form(client, "/e/testomgang", fields)
    assert posted.status_code == 403 and "Formuläret har gått ut" in posted.text
    assert await Response.count() == 0


async def test_a_script_may_send_the_token_in_a_header_instead_of_the_form(client):
    await make_wave()
    page = await client.get("/e/testomgang")
    fields = [
        (k, v)
        for k, v in form_body(page.text, VALID_ANSWERS, organisation="alby", target_group="chefer")
        if k != "_csrf_token"
    ]
    posted = await post_form(client, "/e/testomgang", fields, **{"x-csrftoken": csrf_token(page.text)})
    assert posted.status_code == 303 and await Response.count() == 1


async def test_a_file_upload_needs_the_token_too(client):
    await make_wave()
    await sign_in(client, Role.ADMIN)
    sizes = "/arbeta/planer/testplan/storlekar"
    page = await client.get("/arbeta")
    upload = {"file": ("hr.csv", "organisation;målgrupp;antal\nAlby kommun;Chefer;45\n".encode(), "text/csv")}
    before = await TargetGroupSize.count()
    refused = await client.post(sizes, files=upload)
    assert refused.status_code == 403
    accepted = await client.post(sizes, data={"_csrf_token": csrf_token(page.text)}, files=upload)
    assert accepted.status_code == 200 and "Spara 1 storlek" in accepted.text
    assert await TargetGroupSize.count() == before  # a preview saves nothing
