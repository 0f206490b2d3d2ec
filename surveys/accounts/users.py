"""Accounts and API tokens: who may see results and change plans. Respondents never have accounts."""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from locales import N_
from locales import gettext as _
from surveys.db.tables import ApiToken, LoginFailure, User

_hasher = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check,
# so the response time does not tell whether a user name exists.
_DUMMY_HASH = _hasher.hash("effekt-no-such-user")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "ek_"


class Role(enum.StrEnum):
    ADMIN = "admin"
    COMMUNICATOR = "kommunikator"
    READER = "lasare"

    @property
    def label(self) -> str:
        return _(ROLE_LABELS[self])

    @property
    def rank(self) -> int:
        return {Role.READER: 1, Role.COMMUNICATOR: 2, Role.ADMIN: 3}[self]

    def may(self, needed: Role) -> bool:
        """Admins may do what communicators may, who may do what readers may."""
        return self.rank >= needed.rank


ROLE_LABELS = {
    Role.ADMIN: N_("administratör"),
    Role.COMMUNICATOR: N_("kommunikatör"),
    Role.READER: N_("läsare"),
}


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: Role


class AccountError(ValueError):
    pass


def normalise_username(username: str) -> str:
    return username.strip().lower()


async def create_user(username: str, password: str, role: Role, display_name: str = "") -> Account:
    name = normalise_username(username)
    if not _USERNAME.match(name):
        raise AccountError(_("Användarnamnet får innehålla a–z, 0–9 och . _ @ -, 2–100 tecken."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("Lösenordet måste vara minst %(min)s tecken långt.") % {"min": MIN_PASSWORD_LENGTH}
        )
    if await User.exists().where(User.username == name):
        raise AccountError(_("Det finns redan en användare som heter %(name)s.") % {"name": name})
    user = User(
        username=name,
        display_name=display_name.strip() or name,
        role=role.value,
        password_hash=_hasher.hash(password),
    )
    await user.save()
    return Account(user.id, name, user.display_name, role)


async def authenticate(username: str, password: str) -> Account | None:
    """The account, or None; a wrong name and a wrong password cost the same time and look the same."""
    row = (
        await User.select()
        .where((User.username == normalise_username(username)) & (User.active == True))
        .first()
    )
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    return Account(row["id"], row["username"], row["display_name"], Role(row["role"]))


async def account(user_id: int) -> Account | None:
    row = await User.select().where((User.id == user_id) & (User.active == True)).first()
    return Account(row["id"], row["username"], row["display_name"], Role(row["role"])) if row else None


async def session_epoch(user_id: int) -> int:
    """The number a new session cookie carries; sessions with an older one were signed out."""
    row = await User.select(User.session_epoch).where(User.id == user_id).first()
    return row["session_epoch"] if row else -1


async def session_account(user_id: int, epoch: int) -> Account | None:
    """The active account of a session cookie, unless the person has signed out since it was made."""
    row = (
        await User.select()
        .where((User.id == user_id) & (User.active == True) & (User.session_epoch == epoch))
        .first()
    )
    return Account(row["id"], row["username"], row["display_name"], Role(row["role"])) if row else None


async def end_sessions(user_id: int) -> None:
    """Void every session cookie of this person, including copies of the one just signed out."""
    await User.update({User.session_epoch: User.session_epoch + 1}).where(User.id == user_id)


def _token_hash(token: str) -> str:
    # Tokens are long random strings, so a fast hash is enough: nothing to guess from it.
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(user_id: int, name: str) -> str:
    """A new API token for the user; shown once, only its hash is kept."""
    if not name.strip():
        raise AccountError(_("Ge nyckeln ett namn, till exempel vad den ska användas till."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    await ApiToken(user=user_id, name=name.strip()[:100], token_hash=_token_hash(token)).save()
    return token


async def token_account(token: str) -> Account | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = (
        await ApiToken.select(
            ApiToken.user.id.as_alias("id"),
            ApiToken.user.username.as_alias("username"),
            ApiToken.user.display_name.as_alias("display_name"),
            ApiToken.user.role.as_alias("role"),
            ApiToken.user.active.as_alias("active"),
        )
        .where((ApiToken.token_hash == _token_hash(token)) & (ApiToken.revoked == False))
        .first()
    )
    if row is None or not row["active"]:
        return None
    return Account(row["id"], row["username"], row["display_name"], Role(row["role"]))


async def revoke_token(user_id: int, token_id: int) -> bool:
    rows = (
        await ApiToken.update({ApiToken.revoked: True})
        .where((ApiToken.id == token_id) & (ApiToken.user == user_id))
        .returning(ApiToken.id)
    )
    return bool(rows)


# --- slowing down password guessing ---------------------------------------------------------------

FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20


def failure_keys(username: str, client: str) -> tuple[str, str]:
    """Hashed keys for the user name and the client address; neither is stored in plain text."""
    return (
        hashlib.sha256(b"user:" + normalise_username(username).encode()).hexdigest(),
        hashlib.sha256(b"client:" + client.encode()).hexdigest(),
    )


async def is_locked_out(username: str, client: str, now: datetime) -> bool:
    user_key, client_key = failure_keys(username, client)
    since = now - FAILURE_WINDOW
    for key, limit in ((user_key, MAX_FAILURES_PER_USER), (client_key, MAX_FAILURES_PER_CLIENT)):
        if (
            await LoginFailure.count().where(
                (LoginFailure.key_hash == key) & (LoginFailure.failed_at > since)
            )
            >= limit
        ):
            return True
    return False


async def record_failure(username: str, client: str, now: datetime) -> None:
    user_key, client_key = failure_keys(username, client)
    await LoginFailure.delete().where(LoginFailure.failed_at < now - FAILURE_WINDOW)
    await LoginFailure.insert(
        LoginFailure(key_hash=user_key, failed_at=now), LoginFailure(key_hash=client_key, failed_at=now)
    )


async def clear_failures(username: str) -> None:
    user_key, _client_key = failure_keys(username, "")
    await LoginFailure.delete().where(LoginFailure.key_hash == user_key)


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    created_at: datetime
    revoked: bool


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool


async def tokens_of(user_id: int) -> list[TokenView]:
    rows = (
        await ApiToken.select(ApiToken.id, ApiToken.name, ApiToken.created_at, ApiToken.revoked)
        .where(ApiToken.user == user_id)
        .order_by(ApiToken.id, ascending=False)
    )
    return [TokenView(r["id"], r["name"], r["created_at"], r["revoked"]) for r in rows]


async def all_users() -> list[UserView]:
    rows = await User.select(User.id, User.username, User.display_name, User.role, User.active).order_by(
        User.username
    )
    return [UserView(r["id"], r["username"], r["display_name"], Role(r["role"]), r["active"]) for r in rows]


async def set_active(user_id: int, active: bool) -> bool:
    """Deactivating keeps the user's history but ends every session and API token at once."""
    changed = await User.update({User.active: active}).where(User.id == user_id).returning(User.id)
    return bool(changed)
