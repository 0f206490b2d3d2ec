"""Security headers on every response, CSRF on every state-changing form, and a fresh session at sign-in.

Routes come from the app's route table (through tests/server/test_authorization.py's matrix), so a new route
is covered without anyone remembering to add it here.
"""

from __future__ import annotations

import pytest
from litestar.routes import HTTPRoute

from server.app import create_app
from surveys.accounts.users import Role, create_token
from surveys.db.tables import TABLES, EffectGoal
from tests.conftest import make_settings
from tests.server.test_authorization import EXPECTED, concrete
from tests.support import csrf_token, make_wave, sign_in


def assert_security_headers(response, what: str) -> None:
    headers = response.headers
    policy = headers.get("content-security-policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in policy.split(";") if d.strip()}
    assert "frame-ancestors 'none'" in directives.values(), f"{what}: CSP without frame-ancestors: {policy!r}"
    script = directives.get("script-src") or directives.get("default-src", "")
    assert script, f"{what}: CSP without script-src/default-src: {policy!r}"
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, f"{what}: {script!r}"
    assert "*" not in script.split() and "data:" not in script, f"{what}: {script!r}"
    assert directives.get("object-src") == "object-src 'none'", f"{what}: {policy!r}"
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") in ("same-origin", "no-referrer", "strict-origin"), what
    assert headers.get("x-frame-options") == "DENY", what


def post_routes() -> list[tuple[str, str]]:
    """(method, path) of every route outside the JSON API that changes something, from the route table."""
    app = create_app(make_settings("sqlite:///unused.sqlite"), manage_database=False)
    return sorted(
        (method, route.path)
        for route in app.routes
        if isinstance(route, HTTPRoute) and not route.path.startswith("/api/")
        for method in route.methods & {"POST", "PUT", "PATCH", "DELETE"}
    )


async def _row_counts() -> dict[str, int]:
    return {table._meta.tablename: await table.count() for table in TABLES}


@pytest.mark.parametrize("role", ["anonymous", Role.ADMIN], ids=lambda r: getattr(r, "value", r))
async def test_every_route_sends_the_security_headers(client, role):
    await make_wave()
    goal_id = (await EffectGoal.select(EffectGoal.id).first())["id"]
    headers = {}
    if role != "anonymous":
        account = await sign_in(client, role)
        headers["authorization"] = f"Bearer {await create_token(account.id, 'headers')}"
    token = csrf_token((await client.get("/e/testomgang")).text)
    for method, path in sorted(EXPECTED, key=lambda route: route[0] == "POST"):
        url = concrete(path, goal_id)
        if url == "/logga-ut":
            continue
        if method == "GET":
            response = await client.get(url, headers=headers)
        elif url.startswith("/api/"):
            response = await client.request(method, url, json={"answers": {}}, headers=headers)
        else:
            response = await client.post(url, data={"_csrf_token": token})
        assert_security_headers(response, f"{method} {url} → {response.status_code}")


async def test_errors_redirects_static_files_and_the_schema_send_the_security_headers(client):
    await make_wave()
    big = "q-fritext=" + "a" * (65 * 1024)
    responses = {
        "404 page": await client.get("/finns-inte"),
        "404 API": await client.get("/api/v1/waves/finns-inte"),
        "404 static": await client.get("/static/finns-inte.css"),
        "405": await client.put("/"),
        "405 API": await client.delete("/api/v1/waves"),
        "413": await client.post(
            "/e/testomgang", content=big, headers={"content-type": "application/x-www-form-urlencoded"}
        ),
        "413 API": await client.post(
            "/api/v1/waves/testomgang/responses",
            content=b'{"answers": {"x": "' + b"a" * (65 * 1024) + b'"}}',
            headers={"content-type": "application/json"},
        ),
        "403 CSRF": await client.post("/e/testomgang", data={"q-betyg": "5"}),
        "redirect to sign in": await client.get("/arbeta"),
        "static CSS": await client.get("/static/effekt.css"),
        "static JS": await client.get("/static/survey.js"),
        "OpenAPI": await client.get("/api/v1/schema/openapi.json"),
    }
    expected = {
        "404": 404,
        "405": 405,
        "413": 413,
        "403": 403,
        "redirect": 303,
        "static": 200,
        "OpenAPI": 200,
    }
    for what, response in responses.items():
        status = next(code for prefix, code in expected.items() if what.startswith(prefix))
        assert response.status_code == status, (what, response.status_code)
        assert_security_headers(response, what)


async def test_static_files_are_served_with_their_own_type_only(client):
    css = await client.get("/static/effekt.css")
    script = await client.get("/static/survey.js")
    assert css.headers["content-type"].startswith("text/css")
    assert script.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript")


def test_the_post_routes_are_found_in_the_route_table():
    routes = post_routes()
    assert {("POST", "/e/{slug:str}"), ("POST", "/logga-in"), ("POST", "/arbeta/omgangar/ny")} <= set(routes)
    assert set(routes) == {(m, p) for m, p in EXPECTED if m != "GET" and not p.startswith("/api/")}


@pytest.mark.parametrize("token", ["missing", "wrong"])
async def test_every_form_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(client, token):
    await make_wave()
    goal_id = (await EffectGoal.select(EffectGoal.id).first())["id"]
    await sign_in(client, Role.ADMIN)
    before = await _row_counts()
    refused = {}
    for method, path in post_routes():
        url = concrete(path, goal_id)
        data = {"q-kannedom": "ja", "username": "x@example.se", "password": "ett-langt-losenord", "name": "x"}
        if token == "wrong":
            data["_csrf_token"] = "x" * 64
        response = await client.request(method, url, data=data)
        refused[f"{method} {url}"] = response.status_code
        assert_security_headers(response, f"{method} {url} without CSRF")
    assert set(refused.values()) == {403}, refused
    assert await _row_counts() == before
    # Still signed in: a refused forgery did not end the session either.
    assert (await client.get("/arbeta")).status_code == 200


async def test_a_csrf_token_from_another_visitor_is_refused(client):
    await make_wave()
    before = await _row_counts()
    other_page = (await client.get("/e/testomgang")).text
    client.cookies.clear()
    await client.get("/e/testomgang")  # this visitor's own CSRF cookie
    response = await client.post("/e/testomgang", data={"_csrf_token": csrf_token(other_page)})
    assert response.status_code == 403
    assert await _row_counts() == before


def _set_session(client, value: str) -> None:
    client.cookies.jar.clear()  # also the CSRF cookie: sign_in fetches a new form first
    client.cookies.set("effekt_session", value, domain="testserver.local")


def _session(client) -> str | None:
    values = [c.value for c in client.cookies.jar if c.name == "effekt_session"]
    return values[-1] if values else None


async def test_signing_in_gives_a_new_session_and_signing_out_ends_it(client):
    await make_wave()
    # A session cookie planted before sign-in (session fixation) …
    _set_session(client, "planted-value")
    first = await sign_in(client, Role.COMMUNICATOR, password="ett-langt-losenord")
    signed_in = _session(client)
    assert signed_in and signed_in != "planted-value"
    assert (await client.get("/arbeta")).status_code == 200

    page = await client.get("/arbeta")
    await client.post("/logga-ut", data={"_csrf_token": csrf_token(page.text)})
    assert (await client.get("/arbeta")).status_code == 303

    # The cookie from before signing out no longer opens anything, even replayed.
    _set_session(client, signed_in)
    replayed = await client.get("/arbeta")
    assert replayed.status_code == 303 and replayed.headers["location"].startswith("/logga-in")

    # Signing in again gives another session value, not the old one.
    client.cookies.jar.clear()
    login = await client.get("/logga-in")
    response = await client.post(
        "/logga-in",
        data={
            "_csrf_token": csrf_token(login.text),
            "username": first.username,
            "password": "ett-langt-losenord",
            "next": "/arbeta",
        },
    )
    assert response.status_code == 303
    again = _session(client)
    assert again and again != signed_in


async def test_the_api_is_not_open_to_cross_site_requests_riding_on_a_session_cookie(client):
    """The API skips CSRF checks because it only trusts Authorization: Bearer, never the session cookie."""
    await make_wave()
    goal_id = (await EffectGoal.select(EffectGoal.id).first())["id"]
    await sign_in(client, Role.ADMIN)
    before = await _row_counts()
    outcomes = {}
    for method, path in EXPECTED:
        url = concrete(path, goal_id)
        if not url.startswith("/api/") or method == "GET" or url.endswith("/responses") or "{" in url:
            # A respondent's response needs no account: that route is open by design. A path whose
            # placeholder the matrix does not fill reaches no handler at all.
            continue
        response = await client.request(method, url, json={"name": "x", "code": "x", "size": 1})
        outcomes[f"{method} {url}"] = response.status_code
    assert outcomes and set(outcomes.values()) == {401}, outcomes
    assert await _row_counts() == before


async def test_a_csrf_token_with_characters_outside_ascii_is_refused_not_a_server_error(client):
    """Found by the fuzzing: Litestar's own check raised on such a token (hmac.compare_digest refuses non-ASCII)."""
    await make_wave()
    token = csrf_token((await client.get("/e/testomgang")).text)
    before = await _row_counts()
    in_form = await client.post("/e/testomgang", data={"_csrf_token": token[:-1] + "\x80"})
    in_header = await client.post(
        "/e/testomgang", data={}, headers={"x-csrftoken": (token[:-1] + "é").encode()}
    )
    cookie = next(c.value for c in client.cookies.jar if c.name == "csrftoken")
    client.cookies.clear()
    in_cookie = await client.post(
        "/e/testomgang",
        data={"_csrf_token": token},
        headers={"cookie": f"csrftoken={cookie[:-1]}é".encode()},
    )
    assert [in_form.status_code, in_header.status_code, in_cookie.status_code] == [403, 403, 403]
    assert "Formuläret har gått ut" in in_form.text
    assert await _row_counts() == before
