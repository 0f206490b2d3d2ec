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
from surveys.errors import Conflict, Invalid, NotFound

_hasher = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check,
# so the response time does not tell whether a user name exists.
_DUMMY_HASH = _hasher.hash("effekt-no-such-user")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
MIN_PASSWORD_LENGTH = 12
MAX_DISPLAY_NAME_LENGTH = 200  # the column's length: PostgreSQL refuses longer, SQLite would keep it
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


def normalise_username(username: str) -> str:
    return username.strip().lower()


async def create_user(username: str, password: str, role: Role | str, display_name: str = "") -> Account:
    """A new account: the one rule for an administrator's form and the command line alike.

    `Invalid`, with every field that needs correcting (`username`, `display_name`, `role`, `password`, in the
    form's order), and nothing stored: a user name outside a–z, 0–9 and . _ @ - or taken already, a display
    name longer than the database keeps, no role, a password shorter than `MIN_PASSWORD_LENGTH`. A taken name
    is `Invalid`, not `Conflict`: the person corrects it in the same form."""
    name = normalise_username(username)
    errors: dict[str, str] = {}
    if not _USERNAME.match(name):
        errors["username"] = _("Användarnamnet får innehålla a–z, 0–9 och . _ @ -, 2–100 tecken.")
    elif await User.exists().where(User.username == name):
        errors["username"] = _("Det finns redan en användare som heter %(name)s.") % {"name": name}
    if len(display_name.strip()) > MAX_DISPLAY_NAME_LENGTH:
        errors["display_name"] = _("Namnet som visas får vara högst %(max)s tecken.") % {
            "max": MAX_DISPLAY_NAME_LENGTH
        }
    if role not in {r.value for r in Role}:
        errors["role"] = _("Välj en roll.")
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = _("Lösenordet måste vara minst %(min)s tecken långt.") % {
            "min": MIN_PASSWORD_LENGTH
        }
    if errors:
        raise Invalid.fields(errors)
    user = User(
        username=name,
        display_name=display_name.strip() or name,
        role=Role(role).value,
        password_hash=_hasher.hash(password),
    )
    await user.save()
    return Account(user.id, name, user.display_name, Role(role))


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
    """A new API token for the user; shown once, only its hash is kept. `Invalid` (field `name`) without a
    name."""
    if not name.strip():
        raise Invalid.fields({"name": _("Ge nyckeln ett namn, till exempel vad den ska användas till.")})
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


async def revoke_token(user_id: int, token_id: int) -> TokenView:
    """The user's own token, revoked; `NotFound` when it is not theirs (or does not exist)."""
    rows = (
        await ApiToken.update({ApiToken.revoked: True})
        .where((ApiToken.id == token_id) & (ApiToken.user == user_id))
        .returning(ApiToken.id, ApiToken.name, ApiToken.created_at, ApiToken.revoked)
    )
    if not rows:
        raise NotFound(_("Nyckeln finns inte bland dina nycklar."))
    row = rows[0]
    return TokenView(row["id"], row["name"], row["created_at"], row["revoked"])


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


async def set_active(user_id: int, active: bool, *, by: int) -> UserView:
    """Switch an account on or off, as the administrator `by`.

    Deactivating keeps the user's history but ends every session and API token at once. `Conflict` for the
    administrator's own account (nobody locks themselves out), `NotFound` for an unknown user."""
    if user_id == by:
        raise Conflict(_("Du kan inte stänga av ditt eget konto."))
    rows = (
        await User.update({User.active: active})
        .where(User.id == user_id)
        .returning(User.id, User.username, User.display_name, User.role, User.active)
    )
    if not rows:
        raise NotFound(_("Användaren finns inte."))
    row = rows[0]
    return UserView(row["id"], row["username"], row["display_name"], Role(row["role"]), row["active"])
