"""Creating accounts and switching them off: one rule for the administrator's form and the command line."""

from __future__ import annotations

import pytest

from surveys.accounts.users import (
    MAX_DISPLAY_NAME_LENGTH,
    Role,
    create_token,
    create_user,
    revoke_token,
    set_active,
)
from surveys.db.tables import ApiToken, User
from surveys.errors import Conflict, Invalid, NotFound


async def test_a_display_name_longer_than_the_database_keeps_is_refused_on_both_engines(database):
    with pytest.raises(Invalid) as refused:
        await create_user(
            "lena@example.se", "ett-langt-losenord", Role.READER, "L" * (MAX_DISPLAY_NAME_LENGTH + 1)
        )
    assert set(refused.value.errors) == {"display_name"}
    assert "högst 200 tecken" in refused.value.message
    assert await User.count() == 0
    made = await create_user(
        "lena@example.se", "ett-langt-losenord", Role.READER, "L" * MAX_DISPLAY_NAME_LENGTH
    )
    assert made.display_name == "L" * MAX_DISPLAY_NAME_LENGTH


async def test_every_field_to_correct_is_named_at_once_in_the_forms_order(database):
    with pytest.raises(Invalid) as refused:
        await create_user("x", "kort", "chef", "Lena")
    assert list(refused.value.errors) == ["username", "role", "password"]
    assert "minst 12 tecken" in refused.value.errors["password"]
    assert refused.value.message == "; ".join(refused.value.errors.values())
    assert await User.count() == 0


async def test_a_taken_user_name_is_a_field_to_correct_whatever_its_case(database):
    await create_user("lena@example.se", "ett-langt-losenord", Role.READER)
    with pytest.raises(Invalid) as refused:
        await create_user(" Lena@Example.se ", "ett-annat-langt-losenord", Role.ADMIN)
    assert refused.value.errors == {"username": "Det finns redan en användare som heter lena@example.se."}
    assert await User.count() == 1


async def test_a_role_may_be_given_by_its_name_as_a_form_sends_it(database):
    made = await create_user("kim@example.se", "ett-langt-losenord", "kommunikator")
    assert made.role is Role.COMMUNICATOR
    assert (await User.select(User.role).first())["role"] == "kommunikator"


async def test_a_key_needs_a_name(database):
    user = await create_user("kim@example.se", "ett-langt-losenord", Role.READER)
    with pytest.raises(Invalid) as refused:
        await create_token(user.id, "  ")
    assert list(refused.value.errors) == ["name"]
    assert await ApiToken.count() == 0


async def test_only_ones_own_key_can_be_revoked(database):
    lena = await create_user("lena@example.se", "ett-langt-losenord", Role.READER)
    kim = await create_user("kim@example.se", "ett-langt-losenord", Role.READER)
    await create_token(lena.id, "Power BI")
    token_id = (await ApiToken.select(ApiToken.id).first())["id"]
    with pytest.raises(NotFound):
        await revoke_token(kim.id, token_id)
    revoked = await revoke_token(lena.id, token_id)
    assert revoked.revoked and revoked.name == "Power BI"


async def test_an_administrator_cannot_switch_their_own_account_off(database):
    admin = await create_user("admin@example.se", "ett-langt-losenord", Role.ADMIN)
    with pytest.raises(Conflict):
        await set_active(admin.id, False, by=admin)
    assert (await User.select(User.active).first())["active"] is True


async def test_switching_off_an_unknown_user_is_not_found(database):
    admin = await create_user("admin@example.se", "ett-langt-losenord", Role.ADMIN)
    with pytest.raises(NotFound):
        await set_active(admin.id + 1000, False, by=admin)


async def test_switching_a_user_off_and_on_again(database):
    admin = await create_user("admin@example.se", "ett-langt-losenord", Role.ADMIN)
    reader = await create_user("lena@example.se", "ett-langt-losenord", Role.READER)
    assert (await set_active(reader.id, False, by=admin)).active is False
    assert (await set_active(reader.id, True, by=admin)).active is True
