"""The administrator's form for a new user names each field to correct, next to that field."""

from __future__ import annotations

from surveys.accounts.users import Role
from surveys.db.tables import User
from tests.support import csrf_token, sign_in


async def _new_user(client, **fields):
    page = await client.get("/admin/anvandare")
    return await client.post("/admin/anvandare", data={"_csrf_token": csrf_token(page.text), **fields})


async def test_a_short_password_is_shown_next_to_the_password_and_a_missing_role_next_to_the_role(client):
    await sign_in(client, Role.ADMIN)
    response = await _new_user(client, username="ny@example.se", password="kort")
    assert response.status_code == 422
    assert 'id="password-error"' in response.text and "minst 12 tecken" in response.text
    assert 'id="role-error"' in response.text and "Välj en roll." in response.text
    assert 'id="username-error"' not in response.text
    assert 'value="kort"' not in response.text  # a password is never sent back
    assert not await User.exists().where(User.username == "ny@example.se")


async def test_a_display_name_the_database_cannot_keep_is_refused_and_nothing_is_stored(client):
    await sign_in(client, Role.ADMIN)
    response = await _new_user(
        client, username="ny@example.se", display_name="N" * 201, role="lasare", password="ett-langt-losenord"
    )
    assert response.status_code == 422
    assert 'id="display_name-error"' in response.text and "högst 200 tecken" in response.text
    assert not await User.exists().where(User.username == "ny@example.se")


async def test_an_administrator_switching_their_own_account_off_is_refused(client):
    admin = await sign_in(client, Role.ADMIN)
    page = await client.get("/admin/anvandare")
    response = await client.post(
        f"/admin/anvandare/{admin.id}/inaktivera", data={"_csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 409 and "ditt eget konto" in response.text
    assert (await User.select(User.active).where(User.id == admin.id).first())["active"] is True
