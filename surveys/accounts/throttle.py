"""Slowing down password guessing without letting anyone lock a person out (docs/security.md, "Konton och
inloggning").

An attempt is *reserved* before the password is checked: one UPDATE per key counts it as a failure, and only
if the key may try now. So a hundred guesses sent at once are not all checked: the first few get through,
the rest are refused without a check. A successful sign-in takes its attempt back.

Each attempt is counted under several keys, and refused if any of them says wait:

- **the user name from this client** (`PAIR`): 5 attempts, then a wait that doubles from 1 second to
  15 minutes. This is what a guesser meets; the person signing in from elsewhere is not slowed by it.
- **the client** (`CLIENT`), over every user name: the same, from 30 failures, against one client trying
  one password on many accounts.
- **the account from browsers it has never signed in from** (`ACCOUNT`): at most 100 failures an hour,
  against many clients guessing at one account together. A browser where the person has signed in before
  carries a device cookie; its attempts count under that device (`DEVICE`, like `PAIR`) instead, so the
  person still gets in while the account is under attack.

A key is an HMAC with the installation's secret key, so the table says nothing about who tried from where
to anyone without that key. Failures are forgotten an hour after a key's last one (and `effekt purge`
clears such rows). Times are whole seconds since 1970, so one statement can compare and add them the same
way on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from surveys.db.engine import write_transaction
from surveys.db.tables import LoginFailure

FORGET_AFTER = timedelta(hours=1)
MAX_DELAY_SECONDS = 15 * 60
_NO_CAP = 2**31 - 1


@dataclass(frozen=True)
class Limit:
    """`free` attempts without waiting, then waits doubling from 1 s to `MAX_DELAY_SECONDS`; at `cap`
    failures no more attempts until `FORGET_AFTER` has passed since the last one."""

    name: str
    free: int
    cap: int = _NO_CAP

    def delay_after(self, failures: int) -> int:
        """Seconds to wait after the `failures`-th failure before the next attempt."""
        if failures < self.free:
            return 0
        return min(2 ** (failures - self.free), MAX_DELAY_SECONDS)


PAIR = Limit("user+client", free=5)
CLIENT = Limit("client", free=30)
ACCOUNT = Limit("account", free=100, cap=100)
DEVICE = Limit("device", free=5)


@dataclass(frozen=True)
class Key:
    limit: Limit
    digest: str


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    wait_seconds: int = 0
    # Refused: the account's hourly bound is why. Allowed: this attempt reached that bound (worth an
    # administrator's attention, once).
    account_capped: bool = False


def client_of(address: str) -> str:
    """The part of an address that stands for one client: an IPv6 client usually has a whole /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def keys_for(secret: bytes, username: str, client: str, device: str | None = None) -> list[Key]:
    """The keys a sign-in attempt counts under, in the order they are reserved (always the same order,
    so two attempts never wait for each other's rows crosswise on PostgreSQL)."""
    name = username.strip().lower()
    where = client_of(client)

    def digest(kind: str, *parts: str) -> str:
        message = "\0".join((kind, *parts)).encode()
        return hmac.new(secret, message, hashlib.sha256).hexdigest()

    keys = [Key(PAIR, digest(PAIR.name, name, where)), Key(CLIENT, digest(CLIENT.name, where))]
    if device:
        keys.append(Key(DEVICE, digest(DEVICE.name, device)))
    else:
        keys.append(Key(ACCOUNT, digest(ACCOUNT.name, name)))
    return keys


def _delay_sql(limit: Limit) -> str:
    # The wait after the attempt being counted, as a CASE on the count before it; only constants go in.
    steps = " ".join(
        f"WHEN failures < {limit.free + k} THEN {limit.delay_after(limit.free + k)}" for k in range(10)
    )
    return f"CASE WHEN failures < {limit.free - 1} THEN 0 {steps} ELSE {MAX_DELAY_SECONDS} END"


class _Refused(Exception):
    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict


async def reserve(keys: list[Key], now: datetime) -> Verdict:
    """Count an attempt under every key, or under none if any key says wait (nothing is checked then)."""
    seconds = int(now.timestamp())
    stale = seconds - int(FORGET_AFTER.total_seconds())
    capped = False
    try:
        async with write_transaction():
            for key in keys:
                await LoginFailure.raw(
                    "INSERT INTO login_failure (key_hash, failed_at, failures, last_at, next_at) "
                    "VALUES ({}, {}, 0, 0, 0) ON CONFLICT (key_hash) DO NOTHING",
                    key.digest,
                    now,
                )
                rows = await LoginFailure.raw(
                    "UPDATE login_failure SET "
                    "failures = CASE WHEN last_at <= {} THEN 1 ELSE failures + 1 END, "
                    "next_at = CAST({} AS BIGINT) + CASE WHEN last_at <= {} THEN 0 ELSE "
                    + _delay_sql(key.limit)
                    + " END, last_at = CAST({} AS BIGINT), failed_at = {} "
                    "WHERE key_hash = {} AND (last_at <= {} OR (next_at <= {} AND failures < {})) "
                    "RETURNING failures",
                    stale,
                    seconds,
                    stale,
                    seconds,
                    now,
                    key.digest,
                    stale,
                    seconds,
                    key.limit.cap,
                )
                if not rows:
                    raise _Refused(await _refusal(key, seconds))
                if key.limit is ACCOUNT and rows[0]["failures"] >= ACCOUNT.cap:
                    capped = True
    except _Refused as refused:
        return refused.verdict  # the transaction was rolled back: no key counted this attempt
    return Verdict(allowed=True, account_capped=capped)


async def _refusal(key: Key, seconds: int) -> Verdict:
    row = (
        await LoginFailure.select(LoginFailure.failures, LoginFailure.last_at, LoginFailure.next_at)
        .where(LoginFailure.key_hash == key.digest)
        .first()
    )
    if row["failures"] >= key.limit.cap:
        until = row["last_at"] + int(FORGET_AFTER.total_seconds())
        return Verdict(False, max(until - seconds, 1), account_capped=key.limit is ACCOUNT)
    return Verdict(False, max(row["next_at"] - seconds, 1))


async def succeeded(keys: list[Key]) -> None:
    """Take back a successful attempt: the person's own keys start afresh, the shared ones lose one count."""
    own = [k.digest for k in keys if k.limit in (PAIR, DEVICE)]
    shared = [k.digest for k in keys if k.limit not in (PAIR, DEVICE)]
    async with write_transaction():
        if own:
            await LoginFailure.delete().where(LoginFailure.key_hash.is_in(own))
        if shared:
            await LoginFailure.update({LoginFailure.failures: LoginFailure.failures - 1}).where(
                LoginFailure.key_hash.is_in(shared) & (LoginFailure.failures > 0)
            )
