"""API keys made in the browser, and administrators managing users."""

from __future__ import annotations

import re

from surveys.accounts.users import Role, create_user
from surveys.db.tables import User
from tests.support import csrf_token, make_wave, sign_in


async def test_a_key_is_shown_once_works_for_the_api_and_can_be_revoked(client):
    await make_wave()
    await sign_in(client, Role.READER)
    page = await client.get("/konto")
    created = await client.post(
        "/konto/nycklar", data={"_csrf_token": csrf_token(page.text), "name": "Power BI"}
    )
    assert created.status_code == 200
    token = re.search(r"(ek_[A-Za-z0-9_-]+)", created.text).group(1)
    assert token not in (await client.get("/konto")).text  # shown once only
    api = await client.get("/api/v1/plans/testplan/results", headers={"authorization": f"Bearer {token}"})
    assert api.status_code == 200
    token_id = re.search(r'action="/konto/nycklar/(\d+)/aterkalla"', (await client.get("/konto")).text).group(
        1
    )
    revoked = await client.post(
        f"/konto/nycklar/{token_id}/aterkalla", data={"_csrf_token": csrf_token(page.text)}
    )
    assert revoked.status_code == 303
    api = await client.get("/api/v1/plans/testplan/results", headers={"authorization": f"Bearer {token}"})
    assert api.status_code == 401


async def test_a_key_needs_a_name(client):
    await sign_in(client, Role.READER)
    page = await client.get("/konto")
    response = await client.post("/konto/nycklar", data={"_csrf_token": csrf_token(page.text), "name": " "})
    assert response.status_code == 422 and "Ge nyckeln ett namn" in response.text


async def test_an_administrator_creates_users_and_a_short_password_saves_nothing(client):
    await sign_in(client, Role.ADMIN)
    page = await client.get("/admin/anvandare")
    token = csrf_token(page.text)
    short = await client.post(
        "/admin/anvandare",
        data={"_csrf_token": token, "username": "ny@example.se", "role": "lasare", "password": "kort"},
    )
    assert short.status_code == 422 and "minst 12 tecken" in short.text
    assert not await User.exists().where(User.username == "ny@example.se")
    made = await client.post(
        "/admin/anvandare",
        data={
            "_csrf_token": token,
            "username": "ny@example.se",
            "role": "lasare",
            "password": "ett-langt-losenord",
        },
    )
    assert made.status_code == 303
    assert (await User.select(User.role).where(User.username == "ny@example.se").first())["role"] == "lasare"


async def test_switching_a_user_off_ends_their_session(client):
    from server.app import create_app
    from tests.conftest import make_settings, running

    await create_user("admin@example.se", "ett-langt-losenord", Role.ADMIN)
    reader = await sign_in(client, Role.READER)
    assert (await client.get("/resultat")).status_code in (200, 303)
    async with running(create_app(make_settings("sqlite:///unused"), manage_database=False)) as admin:
        page = await admin.get("/logga-in")
        await admin.post(
            "/logga-in",
            data={
                "_csrf_token": csrf_token(page.text),
                "username": "admin@example.se",
                "password": "ett-langt-losenord",
            },
        )
        users = await admin.get("/admin/anvandare")
        off = await admin.post(
            f"/admin/anvandare/{reader.id}/inaktivera", data={"_csrf_token": csrf_token(users.text)}
        )
        assert off.status_code == 303
    response = await client.get("/resultat")
    assert response.status_code == 303 and response.headers["location"].startswith("/logga-in")
