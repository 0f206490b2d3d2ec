"""People who sign in through their organisation's identity provider (OpenID Connect single sign-on).

The provider vouches for a person with an ID token; `server/oidc/` checks it and hands over what it says
(`Identity`). This module decides what that person may do in effekt, the same way at every sign-in:

- The account at the provider is known by the provider's issuer and its stable id for the person
  (`sub`), stored in `federated_identity`. An e-mail address or name is never used to find an account:
  they can be reused, and a local account that happens to have the same name is left alone.
- The first sign-in creates the effekt user, named after the provider's user name when it is free.
- The role comes from the provider's claim (EFFEKT_OIDC_ROLES, docs/drift.md) at every sign-in: a
  changed group changes the role. A person whose claims give no role is refused, and a user who had one
  is switched off: every session ends and every API key is revoked. A later sign-in with a role switches
  them back on (the keys stay revoked). A user an administrator switched off stays off.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from locales import gettext as _
from surveys.accounts import audit
from surveys.accounts.passwords import hash_password
from surveys.accounts.users import (
    Account,
    Role,
    grants_of,
    session_epoch,
    set_active,
    set_grant_pairs,
    set_role,
)
from surveys.db.engine import is_unique_violation, write_transaction
from surveys.db.tables import FederatedIdentity, OidcSignIn, User
from surveys.errors import Forbidden, Invalid

SIGN_IN_MINUTES = 10  # how long a sign-in sent to the provider may take to come back
MAX_ISSUER_LENGTH = 500
MAX_SUBJECT_LENGTH = 255
_NOT_A_USERNAME = re.compile(r"[^a-z0-9._@-]+")


class NoRoleGranted(Forbidden):
    """The provider vouched for the person, but none of their groups gives a role in effekt."""


class SwitchedOff(Forbidden):
    """An administrator switched the person's effekt user off; signing in elsewhere does not undo it."""


@dataclass(frozen=True)
class Identity:
    """What the provider's checked ID token says about a person."""

    issuer: str
    subject: str
    display_name: str
    username_hint: str  # the provider's user name or e-mail address, for the name shown in effekt
    role: Role | None  # what the person's claims give; None for nothing
    # The plans (and organisations) the claims give the role in: () for every plan; None when the
    # installation's mapping names no plans, so that grants stay what an administrator gave.
    grants: tuple[tuple[str, str | None], ...] | None = None


@dataclass(frozen=True)
class PendingSignIn:
    nonce: str
    code_verifier: str
    next_path: str


def claim_values(claims: Mapping[str, object], name: str) -> list[str]:
    """The values of a claim, as strings: a string, a list of strings, or a dotted path into objects and
    lists of objects (`realm_access.roles`, `authorizationScope.authorizationScopeCode`). A name that is a
    key itself wins, so claim names that are URIs with dots work as they are."""
    found: list[object] = [claims[name]] if name in claims else [claims]
    if name not in claims:
        for part in name.split("."):
            found = [
                item.get(part)
                for value in found
                for item in (value if isinstance(value, list) else [value])
                if isinstance(item, Mapping)
            ]
    values: list[str] = []
    for value in found:
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, list):
            values += [item for item in value if isinstance(item, str)]
    return values


def role_granted(values: Iterable[str], roles: Mapping[str, Role]) -> Role | None:
    """The highest role any of the values gives, or None."""
    granted = [roles[value] for value in values if value in roles]
    return max(granted, key=lambda role: role.rank) if granted else None


def grants_granted(
    values: Iterable[str],
    role: Role | None,
    roles: Mapping[str, Role],
    grants: Mapping[str, tuple[tuple[str, str | None], ...]],
) -> tuple[tuple[str, str | None], ...] | None:
    """The (plan, organisation) grants of the groups that give the person's role: () when one of them
    gives it for every plan; None when the mapping names no plans at all (or the role is admin)."""
    if not grants or role is None or role == Role.ADMIN:
        return None
    giving = [value for value in dict.fromkeys(values) if roles.get(value) == role]
    if any(value not in grants for value in giving):
        return ()
    return tuple(
        sorted({grant for value in giving for grant in grants[value]}, key=lambda g: (g[0], g[1] or ""))
    )


async def sign_in(identity: Identity, id_token: str, now: datetime) -> Account:
    """The effekt account of the person the provider vouched for, created or brought up to date.

    `NoRoleGranted` when their claims give no role (and their user, if any, is switched off with its
    sessions and API keys), `SwitchedOff` when an administrator switched the user off, `Invalid` for an
    issuer or subject too long to keep. Creating, switching on and off and changing the role are logged
    (surveys/accounts/audit.py) as done by the sign-in service (audit.SINGLE_SIGN_ON), on its word."""
    if (
        not identity.subject
        or len(identity.subject) > MAX_SUBJECT_LENGTH
        or len(identity.issuer) > MAX_ISSUER_LENGTH
    ):
        raise Invalid(_("Inloggningstjänsten skickade ett användar-id som effekt inte kan spara."))
    for attempt in range(2):
        try:
            link = await _link(identity, id_token, now)
            break
        except Exception as exc:
            # Two first sign-ins of one person at the same moment: the second finds the first's user.
            if attempt == 0 and is_unique_violation(exc):
                continue
            raise
    # Grants only for plans effekt does not have (yet) give nothing: refused, never every plan.
    no_plan = bool(
        identity.role is not None
        and identity.grants
        and not await set_grant_pairs(0, identity.role, identity.grants, dry_run=True)
    )
    if identity.role is None or no_plan:
        if link is not None and link.active:
            await set_active(link.user_id, False, by=audit.SINGLE_SIGN_ON)
            await FederatedIdentity.update(
                {FederatedIdentity.suspended_epoch: await session_epoch(link.user_id)}
            ).where(FederatedIdentity.user == link.user_id)
        if no_plan:
            raise NoRoleGranted(
                _(
                    "Dina grupper ger behörighet i planer som inte finns i effekt än. Be den som "
                    "administrerar effekt hos er att kontrollera planernas koder i EFFEKT_OIDC_ROLES."
                )
            )
        raise NoRoleGranted(
            _(
                "Du är inloggad hos din organisation, men ingen av dina grupper ger behörighet i effekt. "
                "Be den som administrerar effekt hos er att lägga till dig i rätt grupp, och logga sedan "
                "in igen."
            )
        )
    if not link.active:
        if link.suspended_epoch != link.epoch:
            raise SwitchedOff(
                _(
                    "Ditt konto i effekt är avstängt av en administratör. Kontakta den som administrerar "
                    "effekt hos er om du ska ha tillgång igen."
                )
            )
        await set_active(link.user_id, True, by=audit.SINGLE_SIGN_ON)
    if link.role != identity.role.value:
        await set_role(link.user_id, identity.role, by=audit.SINGLE_SIGN_ON)
    if identity.grants is not None:
        await _follow_grants(link.user_id, identity.role, identity.grants)
    return Account(link.user_id, link.username, identity.display_name, identity.role)


async def _follow_grants(user_id: int, role: Role, grants: tuple[tuple[str, str | None], ...]) -> None:
    """The user's grants become what the claims give, at every sign-in (a plan or organisation effekt does
    not have gives nothing; `sign_in` refused the person if nothing was left)."""
    wanted = await set_grant_pairs(user_id, role, grants, dry_run=True)
    have = {(g.plan, g.organisation) for g in (await grants_of([user_id])).get(user_id, ())}
    if have != set(wanted):
        await set_grant_pairs(user_id, role, grants, by=audit.SINGLE_SIGN_ON)


@dataclass(frozen=True)
class _Link:
    user_id: int
    username: str
    role: str  # before this sign-in
    active: bool  # before this sign-in
    epoch: int  # the user's session epoch
    suspended_epoch: int | None  # the epoch when the provider's claims switched the user off


async def _link(identity: Identity, id_token: str, now: datetime) -> _Link | None:
    """The user linked to the provider account, with name and ID token brought up to date (unless an
    administrator switched the user off); a new user when there is none and the claims give a role."""
    async with write_transaction():
        found = (
            await FederatedIdentity.select(
                FederatedIdentity.id,
                FederatedIdentity.suspended_epoch,
                FederatedIdentity.user.id.as_alias("user_id"),
                FederatedIdentity.user.username.as_alias("username"),
                FederatedIdentity.user.role.as_alias("role"),
                FederatedIdentity.user.active.as_alias("active"),
                FederatedIdentity.user.session_epoch.as_alias("epoch"),
            )
            .where(
                (FederatedIdentity.issuer == identity.issuer)
                & (FederatedIdentity.subject == identity.subject)
            )
            .first()
        )
        if found is None:
            return await _new_user(identity, id_token, now) if identity.role is not None else None
        link = _Link(
            found["user_id"],
            found["username"],
            found["role"],
            found["active"],
            found["epoch"],
            found["suspended_epoch"],
        )
        switched_off_here = not link.active and link.suspended_epoch != link.epoch
        if identity.role is None or switched_off_here:
            await FederatedIdentity.update({FederatedIdentity.id_token: ""}).where(
                FederatedIdentity.id == found["id"]
            )
            return link
        await User.update({User.display_name: identity.display_name}).where(User.id == link.user_id)
        await FederatedIdentity.update(
            {
                FederatedIdentity.id_token: id_token,
                FederatedIdentity.signed_in_at: now,
                FederatedIdentity.suspended_epoch: None,
            }
        ).where(FederatedIdentity.id == found["id"])
        return link


async def _new_user(identity: Identity, id_token: str, now: datetime) -> _Link:
    user = User(
        username=await _free_username(identity),
        display_name=identity.display_name,
        role=identity.role.value,
        # A password nobody knows: only the provider signs this person in.
        password_hash=await hash_password(secrets.token_urlsafe(32)),
    )
    await user.save()
    await FederatedIdentity(
        issuer=identity.issuer,
        subject=identity.subject,
        user=user.id,
        id_token=id_token,
        created_at=now,
        signed_in_at=now,
    ).save()
    await audit.record(
        audit.SINGLE_SIGN_ON,
        audit.Action.USER_CREATED,
        f"user:{user.username}",
        _("%(role)s, vid första inloggningen med organisationens konto") % {"role": identity.role.value},
    )
    return _Link(user.id, user.username, identity.role.value, True, 0, None)


async def _free_username(identity: Identity) -> str:
    """The provider's user name if no effekt user has it; otherwise the same with a number, never linked."""
    base = _NOT_A_USERNAME.sub("", identity.username_hint.strip().lower())[:90].strip(".-_@")
    if len(base) < 2:
        digest = hashlib.sha256(f"{identity.issuer}\n{identity.subject}".encode()).hexdigest()
        base = "sso-" + digest[:12]
    candidates = [base, *(f"{base}-{n}" for n in range(2, 100))]
    taken = {
        row["username"] for row in await User.select(User.username).where(User.username.is_in(candidates))
    }
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    digest = hashlib.sha256(f"{identity.issuer}\n{identity.subject}".encode()).hexdigest()
    return f"sso-{digest[:16]}"


def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


async def begin_sign_in(state: str, pending: PendingSignIn, now: datetime) -> None:
    """Remember a sign-in sent to the provider, for the one answer that may finish it."""
    await OidcSignIn.delete().where(OidcSignIn.started_at < now - timedelta(minutes=SIGN_IN_MINUTES))
    await OidcSignIn(
        state_hash=_state_hash(state),
        nonce=pending.nonce,
        code_verifier=pending.code_verifier,
        next_path=pending.next_path,
        started_at=now,
    ).save()


async def finish_sign_in(state: str, now: datetime) -> PendingSignIn | None:
    """The sign-in that `state` began, taken so no second answer can use it; None if unknown or too old."""
    rows = (
        await OidcSignIn.delete()
        .where(OidcSignIn.state_hash == _state_hash(state))
        .returning(OidcSignIn.nonce, OidcSignIn.code_verifier, OidcSignIn.next_path, OidcSignIn.started_at)
    )
    if not rows or rows[0]["started_at"] < now - timedelta(minutes=SIGN_IN_MINUTES):
        return None
    return PendingSignIn(rows[0]["nonce"], rows[0]["code_verifier"], rows[0]["next_path"])


async def sign_out_hint(user_id: int) -> str | None:
    """For a person who signed in through the provider: the ID token to hand back to it as they sign out
    ("" once it has been handed back). None for a local user, who has nothing to sign out of there."""
    row = (
        await FederatedIdentity.select(FederatedIdentity.id, FederatedIdentity.id_token)
        .where(FederatedIdentity.user == user_id)
        .first()
    )
    if row is None:
        return None
    if row["id_token"]:
        await FederatedIdentity.update({FederatedIdentity.id_token: ""}).where(
            FederatedIdentity.id == row["id"]
        )
    return row["id_token"]
