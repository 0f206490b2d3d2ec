"""The password rules (OWASP ASVS 4.0 V2.1), the same for every door: length, common passwords, the user's
own name; any character is welcome."""

from __future__ import annotations

import pytest

from surveys.accounts.passwords import MAX_PASSWORD_LENGTH, password_problem
from surveys.accounts.users import Role, create_user
from surveys.db.tables import User
from surveys.errors import Invalid


@pytest.mark.parametrize(
    "password",
    [
        "Sommar2026!!",  # a common word with digits and signs around it
        "Välkommen123!",
        "lösenord1234",
        "123456789012",  # a run of keys
        "qwertyuiopåa",
        "1q2w3e4r5t6y",
        "abababababab",  # a few characters repeated
        "password1234",
        "lena.svensson",  # the user's own name
    ],
)
def test_easily_guessed_passwords_are_refused(password):
    assert "för vanligt" in password_problem(password, "lena.svensson@example.se")


@pytest.mark.parametrize(
    "password",
    [
        "ett-langt-losenord",
        "847392018475",
        "korrekt häst batteri häftapparat",
        "🦆 ankan simmar i dammen 🦆",
        "x" * 30 + "y" * 30 + "z" * 4 + "1234",  # 68 characters: nothing below 64 is the ceiling
    ],
)
def test_long_unusual_passwords_are_welcome(password):
    assert password_problem(password, "lena@example.se") is None


def test_length_bounds_are_named():
    assert "minst 12 tecken" in password_problem("kort-men-ok")
    assert MAX_PASSWORD_LENGTH >= 64
    assert "högst 128 tecken" in password_problem("ö" * (MAX_PASSWORD_LENGTH + 1))
    assert password_problem("åäö-" * 32) is None  # exactly the most there may be


async def test_a_new_account_with_a_common_password_is_refused_and_nothing_is_stored(database):
    with pytest.raises(Invalid) as refused:
        await create_user("lena@example.se", "Sommar2026!!", Role.READER)
    assert list(refused.value.errors) == ["password"]
    assert await User.count() == 0
