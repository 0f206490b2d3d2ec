"""Accounts and API tokens: who may see results and change plans. Respondents never have accounts."""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from locales import N_, ngettext
from locales import gettext as _
from surveys.accounts import audit, passwords, throttle
from surveys.accounts.passwords import hash_password, password_problem, verify_password
from surveys.db.engine import write_transaction
from surveys.db.tables import ApiToken, User
from surveys.errors import Conflict, Invalid, NotFound

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
MAX_DISPLAY_NAME_LENGTH = 200  # the column's length: PostgreSQL refuses longer, SQLite would keep it
TOKEN_PREFIX = "ek_"
MIN_PASSWORD_LENGTH = passwords.MIN_PASSWORD_LENGTH
TOKEN_DAYS = 90  # a new API key's life unless its maker chooses another
TOKEN_DAY_CHOICES = (30, 90, 180, 365)
MAX_TOKEN_DAYS = 365
# Sign-in failures are forgotten this long after a key's last one; `effekt purge` clears older rows.
FAILURE_WINDOW = throttle.FORGET_AFTER


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


def _account(row: dict) -> Account:
    return Account(row["id"], row["username"], row["display_name"], Role(row["role"]))


async def create_user(
    username: str,
    password: str,
    role: Role | str,
    display_name: str = "",
    *,
    by: Account | str = audit.COMMAND_LINE,
) -> Account:
    """A new account: the one rule for an administrator's form and the command line alike.

    `Invalid`, with every field that needs correcting (`username`, `display_name`, `role`, `password`, in the
    form's order), and nothing stored: a user name outside a–z, 0–9 and . _ @ - or taken already, a display
    name longer than the database keeps, no role, a password that breaks the rules of
    surveys/accounts/passwords.py. A taken name is `Invalid`, not `Conflict`: the person corrects it in the
    same form. Logged as done `by` the administrator (or the command line)."""
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
    problem = password_problem(password, name)
    if problem:
        errors["password"] = problem
    if errors:
        raise Invalid.fields(errors)
    user = User(
        username=name,
        display_name=display_name.strip() or name,
        role=Role(role).value,
        password_hash=await hash_password(password),
    )
    await user.save()
    await audit.record(by, audit.Action.USER_CREATED, _user_object(name), Role(role).value)
    return Account(user.id, name, user.display_name, Role(role))


def _user_object(username: str) -> str:
    return f"user:{username}"


@dataclass(frozen=True)
class SignInResult:
    """A password check: the account when it matched; `wait_seconds` > 0 when it was not even checked,
    because the user name, the client or the account must wait (surveys/accounts/throttle.py)."""

    account: Account | None
    wait_seconds: int = 0
    account_capped: bool = False  # the wait is the account's hourly bound, not this client's


async def check_password(
    username: str, password: str, keys: list[throttle.Key], now: datetime
) -> SignInResult:
    """The one way a password is checked: the attempt is reserved under `keys` first, and only then is the
    password verified (in the password threads). A wrong name and a wrong password cost the same time and
    look the same; failures of an existing account are logged, without the password or the client."""
    name = normalise_username(username)
    verdict = await throttle.reserve(keys, now)
    if verdict.allowed and verdict.account_capped:  # this attempt used the last of the hour's: once an hour
        await audit.record(
            audit.NOT_SIGNED_IN,
            audit.Action.SIGN_IN_THROTTLED,
            _user_object(name) if await User.exists().where(User.username == name) else "",
            _("för många misslyckade försök från nya webbläsare den senaste timmen"),
        )
    if not verdict.allowed:
        return SignInResult(None, verdict.wait_seconds, verdict.account_capped)
    row = await User.select().where(User.username == name).first()
    matched = await verify_password(row["password_hash"] if row else None, password)
    if matched and row["active"]:
        await throttle.succeeded(keys)
        return SignInResult(_account(row))
    if row is not None:
        reason = _("kontot är avstängt") if matched else _("fel lösenord")
        await audit.record(audit.NOT_SIGNED_IN, audit.Action.SIGN_IN_FAILED, _user_object(name), reason)
    return SignInResult(None)


async def account(user_id: int) -> Account | None:
    row = await User.select().where((User.id == user_id) & (User.active == True)).first()
    return _account(row) if row else None


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
    return _account(row) if row else None


async def end_sessions(user_id: int) -> None:
    """Void every session cookie of this person, including copies of the one just signed out."""
    await User.update({User.session_epoch: User.session_epoch + 1}).where(User.id == user_id)


# --- passwords -------------------------------------------------------------------------------------


async def change_password(
    me: Account, current: str, new: str, repeated: str, keys: list[throttle.Key], now: datetime
) -> int:
    """The person's own new password, given their current one; returns the new session epoch.

    Every other session of theirs ends (the caller gives the session in hand the returned epoch). `Invalid`
    with the fields to correct (`current_password`, `new_password`, `new_password_again`) and nothing
    changed. The current password is checked like a sign-in (reserved first, so it cannot be guessed
    faster here than on the sign-in page)."""
    errors: dict[str, str] = {}
    problem = password_problem(new, me.username)
    if problem:
        errors["new_password"] = problem
    elif new != repeated:
        errors["new_password_again"] = _("Skriv samma nya lösenord två gånger.")
    checked = await check_password(me.username, current, keys, now)
    if checked.wait_seconds:
        errors = {"current_password": _wait_message(checked.wait_seconds), **errors}
    elif checked.account is None or checked.account.id != me.id:
        errors = {"current_password": _("Det nuvarande lösenordet stämmer inte."), **errors}
    if errors:
        raise Invalid.fields(errors)
    epoch = await _set_password(me.id, new)
    await audit.record(me, audit.Action.PASSWORD_CHANGED, _user_object(me.username))
    return epoch


def _wait_message(seconds: int) -> str:
    minutes = -(-seconds // 60)
    if seconds < 60:
        return ngettext(
            "För många försök. Vänta %(num)s sekund och försök igen.",
            "För många försök. Vänta %(num)s sekunder och försök igen.",
            seconds,
        ) % {"num": seconds}
    return ngettext(
        "För många försök. Vänta %(num)s minut och försök igen.",
        "För många försök. Vänta %(num)s minuter och försök igen.",
        minutes,
    ) % {"num": minutes}


def wait_message(seconds: int) -> str:
    """What a person who must wait `seconds` before trying again is told."""
    return _wait_message(seconds)


async def reset_password(user_id: int, new: str, *, by: Account | str = audit.COMMAND_LINE) -> UserView:
    """An administrator's (or the command line's) new password for someone who lost theirs.

    Ends every session of that person. `Invalid` (field `password`) for a password that breaks the rules,
    `NotFound` for an unknown user. An administrator changes their own password on the account page,
    with the current one (`Conflict` here)."""
    if not isinstance(by, str) and by.id == user_id:
        raise Conflict(_("Byt ditt eget lösenord på sidan Mitt konto, med ditt nuvarande lösenord."))
    row = await User.select(User.username).where(User.id == user_id).first()
    if row is None:
        raise NotFound(_("Användaren finns inte."))
    problem = password_problem(new, row["username"])
    if problem:
        raise Invalid.fields({"password": problem})
    await _set_password(user_id, new)
    await audit.record(by, audit.Action.PASSWORD_RESET, _user_object(row["username"]))
    return await _user_view(user_id)


async def _set_password(user_id: int, new: str) -> int:
    hashed = await hash_password(new)
    async with write_transaction():
        rows = (
            await User.update({User.password_hash: hashed, User.session_epoch: User.session_epoch + 1})
            .where(User.id == user_id)
            .returning(User.session_epoch)
        )
    return rows[0]["session_epoch"]


# --- API tokens ------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    # Tokens are long random strings, so a fast hash is enough: nothing to guess from it.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    created_at: datetime
    revoked: bool
    expires_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at <= now


def _days(value: int | str | None) -> int:
    if value in (None, ""):
        return TOKEN_DAYS
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise Invalid.fields(
            {"days": _("En nyckel kan gälla från 1 till %(max)s dagar.") % {"max": MAX_TOKEN_DAYS}}
        )
    return days


async def create_token(
    user_id: int,
    name: str,
    days: int | str | None = TOKEN_DAYS,
    *,
    now: datetime | None = None,
    by: Account | str | None = None,
) -> str:
    """A new API token for the user, valid for `days` (1–365, 90 if not chosen); shown once, only its hash
    is kept. `Invalid` (fields `name`, `days`) without a name or with a life outside 1–365 days. Logged as
    done by the owner unless `by` says who else (the command line)."""
    errors = {}
    if not name.strip():
        errors["name"] = _("Ge nyckeln ett namn, till exempel vad den ska användas till.")
    try:
        life = _days(days)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid.fields(errors)
    owner = await User.select().where(User.id == user_id).first()
    if owner is None:
        raise NotFound(_("Användaren finns inte."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = (now or datetime.now(UTC)) + timedelta(days=life)
    await ApiToken(
        user=user_id, name=name.strip()[:100], token_hash=_token_hash(token), expires_at=expires
    ).save()
    await audit.record(
        by or _account(owner),
        audit.Action.API_KEY_CREATED,
        _user_object(owner["username"]),
        _("%(name)s, gäller till %(day)s") % {"name": name.strip()[:100], "day": expires.date().isoformat()},
    )
    return token


async def token_view(token: str, now: datetime | None = None) -> TokenView | None:
    """The valid token's own details (its name and when it expires), or None."""
    row = await _valid_token(token, now, ApiToken.id, ApiToken.name, ApiToken.created_at, ApiToken.expires_at)
    return TokenView(row["id"], row["name"], row["created_at"], False, row["expires_at"]) if row else None


async def token_account(token: str, now: datetime | None = None) -> Account | None:
    """The account of an API token that is neither revoked nor expired, of an active user; else None."""
    row = await _valid_token(
        token,
        now,
        ApiToken.user.id.as_alias("id"),
        ApiToken.user.username.as_alias("username"),
        ApiToken.user.display_name.as_alias("display_name"),
        ApiToken.user.role.as_alias("role"),
    )
    return _account(row) if row else None


async def _valid_token(token: str, now: datetime | None, *columns) -> dict | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return (
        await ApiToken.select(*columns)
        .where(
            (ApiToken.token_hash == _token_hash(token))
            & (ApiToken.revoked == False)
            & (ApiToken.expires_at > (now or datetime.now(UTC)))
            & (ApiToken.user.active == True)
        )
        .first()
    )


async def revoke_token(user_id: int, token_id: int) -> TokenView:
    """The user's own token, revoked; `NotFound` when it is not theirs (or does not exist)."""
    rows = (
        await ApiToken.update({ApiToken.revoked: True})
        .where((ApiToken.id == token_id) & (ApiToken.user == user_id))
        .returning(ApiToken.id, ApiToken.name, ApiToken.created_at, ApiToken.revoked, ApiToken.expires_at)
    )
    if not rows:
        raise NotFound(_("Nyckeln finns inte bland dina nycklar."))
    row = rows[0]
    owner = await User.select().where(User.id == user_id).first()
    await audit.record(
        _account(owner), audit.Action.API_KEY_REVOKED, _user_object(owner["username"]), row["name"]
    )
    return TokenView(row["id"], row["name"], row["created_at"], row["revoked"], row["expires_at"])


async def tokens_of(user_id: int) -> list[TokenView]:
    rows = (
        await ApiToken.select(
            ApiToken.id, ApiToken.name, ApiToken.created_at, ApiToken.revoked, ApiToken.expires_at
        )
        .where(ApiToken.user == user_id)
        .order_by(ApiToken.id, ascending=False)
    )
    return [TokenView(r["id"], r["name"], r["created_at"], r["revoked"], r["expires_at"]) for r in rows]


# --- the administrator's list of users -------------------------------------------------------------


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool


_USER_COLUMNS = (User.id, User.username, User.display_name, User.role, User.active)


def _user_row(row: dict) -> UserView:
    return UserView(row["id"], row["username"], row["display_name"], Role(row["role"]), row["active"])


async def _user_view(user_id: int) -> UserView:
    row = await User.select(*_USER_COLUMNS).where(User.id == user_id).first()
    if row is None:
        raise NotFound(_("Användaren finns inte."))
    return _user_row(row)


async def user(user_id: int) -> UserView:
    """One user as the administrator sees them; `NotFound` for an unknown id."""
    return await _user_view(user_id)


async def all_users() -> list[UserView]:
    rows = await User.select(*_USER_COLUMNS).order_by(User.username)
    return [_user_row(r) for r in rows]


async def set_active(user_id: int, active: bool, *, by: Account | str = audit.COMMAND_LINE) -> UserView:
    """Switch an account on or off, as the administrator `by` (or the command line).

    Switching off keeps the user's history but ends every session and revokes every API key, for good:
    switching the user on again brings neither back (they sign in anew and make new keys). `Conflict` for
    the administrator's own account (nobody locks themselves out), `NotFound` for an unknown user."""
    if not isinstance(by, str) and user_id == by.id:
        raise Conflict(_("Du kan inte stänga av ditt eget konto."))
    async with write_transaction():
        changes = {User.active: active}
        if not active:
            changes[User.session_epoch] = User.session_epoch + 1
        rows = await User.update(changes).where(User.id == user_id).returning(*_USER_COLUMNS)
        if not rows:
            raise NotFound(_("Användaren finns inte."))
        detail = ""
        if not active:
            revoked = (
                await ApiToken.update({ApiToken.revoked: True})
                .where((ApiToken.user == user_id) & (ApiToken.revoked == False))
                .returning(ApiToken.id)
            )
            detail = _("sessioner avslutade, %(count)s API-nycklar återkallade") % {"count": len(revoked)}
        action = audit.Action.USER_ENABLED if active else audit.Action.USER_DISABLED
        await audit.record(by, action, _user_object(rows[0]["username"]), detail)
    return _user_row(rows[0])


async def set_role(user_id: int, role: Role | str, *, by: Account | str = audit.COMMAND_LINE) -> UserView:
    """Give a user another role; it applies from their next page or API call. `Invalid` (field `role`) for
    no role, `Conflict` for the administrator's own role (an installation never loses its last
    administrator that way), `NotFound` for an unknown user."""
    if role not in {r.value for r in Role}:
        raise Invalid.fields({"role": _("Välj en roll.")})
    if not isinstance(by, str) and user_id == by.id:
        raise Conflict(_("Du kan inte ändra din egen roll. Be en annan administratör."))
    async with write_transaction():
        before = await User.select(User.role).where(User.id == user_id).first()
        if before is None:
            raise NotFound(_("Användaren finns inte."))
        rows = (
            await User.update({User.role: Role(role).value})
            .where(User.id == user_id)
            .returning(*_USER_COLUMNS)
        )
        if before["role"] != Role(role).value:
            await audit.record(
                by,
                audit.Action.ROLE_CHANGED,
                _user_object(rows[0]["username"]),
                f"{before['role']} → {Role(role).value}",
            )
    return _user_row(rows[0])
