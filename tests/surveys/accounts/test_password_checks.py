"""Checking a password against what is stored: a user with no stored hash never signs in, and an unknown
user's check takes as long as a real one."""

from __future__ import annotations

from surveys.accounts import passwords
from surveys.accounts.passwords import hash_password, verify_password

DUMMYS_PASSWORD = "effekt-no-such-user"  # the password behind the hash checked for unknown users


class CountingHasher:
    """Argon2's hasher, counting the hashes it checks against."""

    def __init__(self) -> None:
        self.checked: list[str] = []

    def verify(self, stored: str, password: str) -> bool:
        self.checked.append(stored)
        return passwords.PasswordHasher().verify(stored, password)


async def test_an_empty_stored_hash_never_matches_not_even_the_dummys_password():
    assert await verify_password("", DUMMYS_PASSWORD) is False
    assert await verify_password("", "") is False


async def test_an_empty_stored_hash_is_refused_without_hashing_anything(monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", counting)
    assert await verify_password("", DUMMYS_PASSWORD) is False
    assert passwords._verify("", DUMMYS_PASSWORD) is False
    assert counting.checked == []


async def test_an_unknown_user_is_checked_against_the_dummy_for_the_time_and_never_matches(monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", counting)
    assert await verify_password(None, DUMMYS_PASSWORD) is False
    assert counting.checked == [passwords._DUMMY_HASH]


async def test_the_right_password_matches_its_hash_and_a_wrong_one_or_a_broken_hash_does_not():
    stored = await hash_password("korrekt häst batteri")
    assert await verify_password(stored, "korrekt häst batteri") is True
    assert await verify_password(stored, "korrekt häst batteri!") is False
    assert await verify_password("inte-en-argon2-hash", "korrekt häst batteri") is False
