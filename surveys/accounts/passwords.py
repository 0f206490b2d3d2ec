"""Passwords: the rules a new one must meet, and hashing that never holds up the event loop.

Argon2 is slow on purpose (tens of milliseconds of CPU per hash). Run on the event loop, every sign-in in
flight stalled every other request of the worker, the respondents' pages included. Hashing and checking run
in a small pool of threads of their own instead: argon2 releases the GIL while it works, so the event loop
goes on serving pages, and at most `HASH_THREADS` hashes run at once per worker whatever the number of
sign-ins. On Linux the pool's threads also run at a lower CPU priority (nice 10), so that on a busy
machine a respondent's page comes before a sign-in.

The rules follow OWASP ASVS 4.0 V2.1 (docs/security.md, "Konton och inloggning"): at least
`MIN_PASSWORD_LENGTH` characters, at most `MAX_PASSWORD_LENGTH` (any character allowed, spaces and å, ä, ö
too, nothing required to be of a certain kind), and not one of the common or easily guessed passwords of
`common_passwords.txt`, a word from it with digits or signs around it, a run of neighbouring keys, a
handful of characters repeated, or the user's own name.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from locales import gettext as _

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
HASH_THREADS = 2
LOWER_PRIORITY = 10

_hasher = PasswordHasher()
# Checking against this when the user does not exist takes as long as a real check, so the response time
# does not tell whether a user name exists.
_DUMMY_HASH = _hasher.hash("effekt-no-such-user")
_COMMON = Path(__file__).with_name("common_passwords.txt")
# Runs of neighbouring keys and letters: a password that is a piece of one of these is no password.
_RUNS = (
    "abcdefghijklmnopqrstuvwxyzåäö" * 2,
    "01234567890" * 3,
    "98765432109" * 3,
    "qwertyuiopåasdfghjklöäzxcvbnm" * 2,
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "1q2w3e4r5t6y7u8i9o0p" * 2,
    "q1w2e3r4t5y6u7i8o9p0" * 2,
    "zaq12wsxcde34rfvbgt56yhn",
)
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _lower_priority() -> None:
    # Per thread on Linux (the threads argon2 starts inherit it); elsewhere the pool runs at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWER_PRIORITY)


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=HASH_THREADS, thread_name_prefix="effekt-password", initializer=_lower_priority
            )
        return _pool


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_executor(), _hasher.hash, password)


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches. With no hash (None: no such user) it takes as long as a real check
    and is False; an empty hash (a user with no password of their own) is False at once."""
    if stored_hash == "":
        return False
    return await asyncio.get_running_loop().run_in_executor(_executor(), _verify, stored_hash, password)


def _verify(stored_hash: str | None, password: str) -> bool:
    if stored_hash is None:
        # Checked against a hash of a password nobody has, only for the time it takes: never a match. (Once,
        # `stored_hash or _DUMMY_HASH` let an empty stored hash be checked against the dummy, and the dummy's
        # password signed that user in.)
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """What is wrong with `password` as a new password, in words for the person; None when it will do."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Lösenordet måste vara minst %(min)s tecken långt.") % {"min": MIN_PASSWORD_LENGTH}
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Lösenordet får vara högst %(max)s tecken långt.") % {"max": MAX_PASSWORD_LENGTH}
    if _easily_guessed(password, username):
        return _(
            "Lösenordet är för vanligt eller för lätt att gissa. Välj ett annat, till exempel några ord "
            "som bara du sätter ihop."
        )
    return None


def _easily_guessed(password: str, username: str) -> bool:
    folded = password.casefold()
    common = common_passwords()
    if folded in common or len(set(folded)) < 4:
        return True
    core = folded.strip("0123456789 !?.,:;-_+*#@$%&/()=<>'\"") or folded
    if core in common or any(core in run for run in _RUNS):
        return True
    name = username.strip().casefold()
    return core in (name, name.split("@")[0])
