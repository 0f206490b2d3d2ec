"""Accounts and API tokens: who may see results and change plans. Respondents never have accounts."""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from locales import N_, ngettext
from locales import gettext as _
from surveys.accounts import audit, passwords, throttle
from surveys.accounts.passwords import hash_password, password_problem, verify_password
from surveys.accounts.scopes import Grant
from surveys.db.engine import write_transaction
from surveys.db.tables import ApiToken, Organisation, Plan, User, UserScope
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
    # The plans (or organisations of a plan) the role covers; none: every plan (surveys/accounts/scopes.py).
    scopes: tuple[Grant, ...] = ()


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _account(row: dict) -> Account:
    return Account(row["id"], row["username"], row["display_name"], Role(row["role"]))


async def _scoped(found: Account | None) -> Account | None:
    """The account with its grants, read fresh: a changed grant applies from the next page or API call."""
    if found is None:
        return None
    return replace(found, scopes=(await grants_of([found.id])).get(found.id, ()))


async def create_user(
    username: str,
    password: str,
    role: Role | str,
    display_name: str = "",
    *,
    by: Account | str = audit.COMMAND_LINE,
    plans: list[str] | str | None = None,
    organisations: list[str] | str | None = None,
) -> Account:
    """A new account: the one rule for an administrator's form and the command line alike.

    `Invalid`, with every field that needs correcting (`username`, `display_name`, `role`, `password`, in the
    form's order), and nothing stored: a user name outside a–z, 0–9 and . _ @ - or taken already, a display
    name longer than the database keeps, no role, a password that breaks the rules of
    surveys/accounts/passwords.py. A taken name is `Invalid`, not `Conflict`: the person corrects it in the
    same form. Logged as done `by` the administrator (or the command line).

    `plans` and `organisations` (codes) limit the role to those plans, or to those organisations of one
    plan (`set_grants`); an unknown code is `Invalid` (fields `plans`, `organisations`) like the rest.
    Run inside a write transaction, so that a user is never stored without the grants asked for."""
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
    grants: list[dict] = []
    try:
        grants = await grant_rows(role, plans, organisations)
    except Invalid as refused:
        errors.update(refused.errors or {})
    if errors:
        raise Invalid.fields(errors)
    user = User(
        username=name,
        display_name=display_name.strip() or name,
        role=Role(role).value,
        password_hash=await hash_password(password),
    )
    # The callers hold a write transaction: the user and their grants are stored together or not at all.
    await user.save()
    if grants:
        await UserScope.insert(*(UserScope(user=user.id, **row) for row in grants))
    await audit.record(by, audit.Action.USER_CREATED, _user_object(name), Role(role).value)
    scopes = (await grants_of([user.id])).get(user.id, ())
    if scopes:  # which plans the new role covers, logged like a later change of them
        await audit.record(by, audit.Action.ROLE_CHANGED, _user_object(name), scope_text(scopes))
    return Account(user.id, name, user.display_name, Role(role), scopes)


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
        return SignInResult(await _scoped(_account(row)))
    if row is not None:
        reason = _("kontot är avstängt") if matched else _("fel lösenord")
        await audit.record(audit.NOT_SIGNED_IN, audit.Action.SIGN_IN_FAILED, _user_object(name), reason)
    return SignInResult(None)


async def account(user_id: int) -> Account | None:
    row = await User.select().where((User.id == user_id) & (User.active == True)).first()
    return await _scoped(_account(row) if row else None)


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
    return await _scoped(_account(row) if row else None)


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
    # A key acts as its owner, with the owner's grants as they are now.
    return await _scoped(_account(row) if row else None)


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
    scopes: tuple[Grant, ...] = ()

    @property
    def scope_label(self) -> str:
        """Which plans the role covers, in a few words ("alla planer", "plan x: alby")."""
        return _("alla planer") if self.role is Role.ADMIN else scope_text(self.scopes)

    @property
    def scope_plans(self) -> str:
        """The granted plans' codes, as the administrator's form takes them."""
        return " ".join(dict.fromkeys(g.plan for g in self.scopes if not g.gone))

    @property
    def scope_organisations(self) -> str:
        return " ".join(g.organisation for g in self.scopes if not g.gone and g.organisation)


_USER_COLUMNS = (User.id, User.username, User.display_name, User.role, User.active)


def _user_row(row: dict) -> UserView:
    return UserView(row["id"], row["username"], row["display_name"], Role(row["role"]), row["active"])


async def _user_view(user_id: int) -> UserView:
    row = await User.select(*_USER_COLUMNS).where(User.id == user_id).first()
    if row is None:
        raise NotFound(_("Användaren finns inte."))
    return replace(_user_row(row), scopes=(await grants_of([user_id])).get(user_id, ()))


async def user(user_id: int) -> UserView:
    """One user as the administrator sees them; `NotFound` for an unknown id."""
    return await _user_view(user_id)


async def all_users() -> list[UserView]:
    rows = await User.select(*_USER_COLUMNS).order_by(User.username)
    grants = await grants_of([r["id"] for r in rows])
    return [replace(_user_row(r), scopes=grants.get(r["id"], ())) for r in rows]


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


# --- grants: which plans a role covers (surveys/accounts/scopes.py) --------------------------------


async def grants_of(user_ids: list[int]) -> dict[int, tuple[Grant, ...]]:
    """Each user's grants, by user id; users without grants are left out (their role covers every plan)."""
    if not user_ids:
        return {}
    rows = await UserScope.select(
        UserScope.user,
        UserScope.whole_plan,
        UserScope.plan.code.as_alias("plan_code"),
        UserScope.organisation.code.as_alias("organisation_code"),
    ).where(UserScope.user.is_in(user_ids))
    found: dict[int, list[Grant]] = {}
    for row in rows:
        found.setdefault(row["user"], []).append(_grant(row))
    return {user_id: tuple(sorted(grants)) for user_id, grants in found.items()}


def _grant(row: dict) -> Grant:
    if not row["plan_code"]:
        return Grant("")
    if row["whole_plan"]:
        return Grant(row["plan_code"])
    # An organisation grant whose organisation was deleted covers nothing (never the whole plan).
    return Grant(row["plan_code"], row["organisation_code"]) if row["organisation_code"] else Grant("")


def _codes(values: list[str] | tuple[str, ...] | str | None) -> list[str]:
    """Codes from repeated options or one field (separated by commas, spaces or new lines), in order."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else list(values)
    found: list[str] = []
    for item in items:
        for code in re.split(r"[\s,;]+", item.strip()):
            if code and code not in found:
                found.append(code)
    return found


async def grant_rows(
    role: Role | str, plans: list[str] | str | None, organisations: list[str] | str | None
) -> list[dict]:
    """The grants asked for, checked: `Invalid` (fields `plans`, `organisations`) with nothing stored for
    an unknown plan or organisation, organisations without exactly one plan, or grants for an
    administrator (who always covers every plan). Rows for `user_scope`, without the user."""
    plan_codes, organisation_codes = _codes(plans), _codes(organisations)
    errors: dict[str, str] = {}
    if role == Role.ADMIN.value and (plan_codes or organisation_codes):
        errors["plans"] = _(
            "En administratör har alltid alla planer. Ta bort planerna eller välj en annan roll."
        )
        raise Invalid.fields(errors)
    found = (
        {r["code"]: r["id"] for r in await Plan.select(Plan.id, Plan.code).where(Plan.code.is_in(plan_codes))}
        if plan_codes
        else {}
    )
    unknown = [code for code in plan_codes if code not in found]
    if unknown:
        errors["plans"] = ngettext(
            "Det finns ingen plan med koden %(codes)s.",
            "Det finns inga planer med koderna %(codes)s.",
            len(unknown),
        ) % {"codes": ", ".join(unknown)}
    elif organisation_codes and len(plan_codes) != 1:
        errors["organisations"] = _(
            "Organisationer gäller inom en plan: ange precis en plan tillsammans med dem."
        )
    if errors:
        raise Invalid.fields(errors)
    if not organisation_codes:
        return [{"plan": found[code], "organisation": None, "whole_plan": True} for code in plan_codes]
    plan_id = found[plan_codes[0]]
    known = {
        r["code"]: r["id"]
        for r in await Organisation.select(Organisation.id, Organisation.code).where(
            (Organisation.plan == plan_id) & Organisation.code.is_in(organisation_codes)
        )
    }
    missing = [code for code in organisation_codes if code not in known]
    if missing:
        raise Invalid.fields(
            {
                "organisations": ngettext(
                    "Planen %(plan)s har ingen organisation med koden %(codes)s.",
                    "Planen %(plan)s har inga organisationer med koderna %(codes)s.",
                    len(missing),
                )
                % {"plan": plan_codes[0], "codes": ", ".join(missing)}
            }
        )
    return [
        {"plan": plan_id, "organisation": known[code], "whole_plan": False} for code in organisation_codes
    ]


async def set_grants(
    user_id: int,
    plans: list[str] | str | None,
    organisations: list[str] | str | None = None,
    *,
    by: Account | str = audit.COMMAND_LINE,
) -> UserView:
    """Replace the user's grants: the plans (codes) their role covers as a whole, or the organisations
    (codes) of exactly one plan. No plans: the role covers every plan again. The one rule for the command
    line and the administrator's page; `Invalid` as `grant_rows` says and `NotFound` for an unknown user,
    with nothing changed. Applies from the user's next page or API call (and to their API keys)."""
    target = await User.select(User.username, User.role).where(User.id == user_id).first()
    if target is None:
        raise NotFound(_("Användaren finns inte."))
    rows = await grant_rows(target["role"], plans, organisations)
    return await _replace_grants(user_id, target["username"], rows, by)


async def _replace_grants(user_id: int, username: str, rows: list[dict], by: Account | str) -> UserView:
    """The user's grants become `rows` (checked by `grant_rows`), recorded in the log in one transaction."""
    async with write_transaction():
        await UserScope.delete().where(UserScope.user == user_id)
        if rows:
            await UserScope.insert(*(UserScope(user=user_id, **row) for row in rows))
        view = await _user_view(user_id)
        await audit.record(by, audit.Action.ROLE_CHANGED, _user_object(username), scope_text(view.scopes))
    return view


async def set_grant_pairs(
    user_id: int,
    role: Role,
    pairs: tuple[tuple[str, str | None], ...],
    *,
    by: Account | str = audit.COMMAND_LINE,
    dry_run: bool = False,
) -> list[tuple[str, str | None]]:
    """Replace the user's grants with (plan, organisation or None) pairs, over several plans, as single
    sign-on's claims give them; a whole plan wins over its organisations. Pairs naming a plan or
    organisation effekt does not have are left out (the mapping may name a plan before it is made).
    Returns the (plan, organisation) grants kept; `dry_run` changes nothing."""
    plans: dict[str, set[str] | None] = {}
    for plan, organisation in pairs:
        if organisation is None or plans.get(plan, set()) is None:
            plans[plan] = None
        else:
            plans.setdefault(plan, set()).add(organisation)
    rows: list[dict] = []
    kept: list[tuple[str, str | None]] = []
    for plan, organisations in sorted(plans.items()):
        for organisation in [None] if organisations is None else sorted(organisations):
            try:
                found = await grant_rows(role, [plan], [organisation] if organisation else None)
            except Invalid:
                continue
            rows += found
            kept.append((plan, organisation))
    if dry_run:
        return kept
    target = await User.select(User.username).where(User.id == user_id).first()
    if target is None:
        raise NotFound(_("Användaren finns inte."))
    await _replace_grants(user_id, target["username"], rows, by)
    return kept


def scope_text(grants: tuple[Grant, ...] | list[Grant]) -> str:
    """The grants in a few words, for lists and the log: "alla planer", "plan länsplan", "plan x: alby"."""
    if not grants:
        return _("alla planer")
    whole = [g.plan for g in grants if not g.gone and g.organisation is None]
    parts = [_("plan %(code)s") % {"code": code} for code in whole]
    by_plan: dict[str, list[str]] = {}
    for g in grants:
        if not g.gone and g.organisation is not None:
            by_plan.setdefault(g.plan, []).append(g.organisation)
    parts += [
        _("plan %(code)s: %(organisations)s") % {"code": code, "organisations": ", ".join(orgs)}
        for code, orgs in by_plan.items()
    ]
    return "; ".join(parts) or _("ingen plan (planen är borttagen)")
