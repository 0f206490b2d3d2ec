"""The single sign-on settings: read with the others (server/settings.py) and checked when effekt starts.

EFFEKT_OIDC_ISSUER turns single sign-on on. The provider must then know effekt as a client
(EFFEKT_OIDC_CLIENT_ID and its secret, best given as EFFEKT_OIDC_CLIENT_SECRET_FILE), and
EFFEKT_OIDC_ROLES says which values of the claim EFFEKT_OIDC_ROLE_CLAIM give which role:
`effekt-admin=admin,effekt-komm=kommunikator,effekt-las=lasare`. EFFEKT_OIDC_SCOPES are the scopes asked
for; a provider that sends the role claim only for a scope of its own needs that scope added. Entries are separated by commas, or by
semicolons when the values themselves hold commas (directory names such as `CN=…,OU=…`); a value is
everything before the entry's last `=`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from locales import N_
from surveys.accounts.users import Role

if TYPE_CHECKING:
    from server.settings import Settings

_CLAIM_NAME = re.compile(r"^[A-Za-z0-9_.:/#-]{1,200}$")
_SCOPE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,100}$")  # the characters OAuth allows in a scope


@dataclass(frozen=True)
class OidcConfig:
    """Single sign-on as configured: the provider, effekt's client at it, and the claim that gives roles."""

    issuer: str
    client_id: str
    client_secret: str
    role_claim: str
    roles: Mapping[str, Role]
    scopes: str
    # {group: (plan, organisation or None)} for groups whose entry names a plan (`grupp=roll@plan/org`);
    # empty when no entry does, and then single sign-on leaves grants to the administrators.
    grants: Mapping[str, tuple[tuple[str, str | None], ...]]
    local_passwords: bool

    @classmethod
    def of(cls, settings: Settings) -> OidcConfig | None:
        """The configuration, or None when single sign-on is off. `SettingsError` for unusable values."""
        checked = read_env(
            {
                "EFFEKT_OIDC_ISSUER": settings.oidc_issuer,
                "EFFEKT_OIDC_CLIENT_ID": settings.oidc_client_id,
                "EFFEKT_OIDC_CLIENT_SECRET": settings.oidc_client_secret,
                "EFFEKT_OIDC_ROLE_CLAIM": settings.oidc_role_claim,
                "EFFEKT_OIDC_ROLES": settings.oidc_roles,
                "EFFEKT_OIDC_SCOPES": settings.oidc_scopes,
                "EFFEKT_LOCAL_PASSWORDS": "true" if settings.local_passwords else "false",
            }
        )
        if not checked["oidc_issuer"]:
            return None
        return cls(
            issuer=checked["oidc_issuer"],
            client_id=checked["oidc_client_id"],
            client_secret=checked["oidc_client_secret"],
            role_claim=checked["oidc_role_claim"],
            roles=MappingProxyType(role_map(checked["oidc_roles"])),
            scopes=checked["oidc_scopes"],
            grants=MappingProxyType(grant_map(checked["oidc_roles"])),
            local_passwords=checked["local_passwords"],
        )


def read_env(env: dict[str, str]) -> dict[str, object]:
    """The Settings fields of single sign-on, from the environment; `SettingsError` naming the variable."""
    from server.settings import SettingsError, _bool

    issuer = env.get("EFFEKT_OIDC_ISSUER", "").strip()
    client_id = env.get("EFFEKT_OIDC_CLIENT_ID", "").strip()
    client_secret = env.get("EFFEKT_OIDC_CLIENT_SECRET", "").strip()
    role_claim = env.get("EFFEKT_OIDC_ROLE_CLAIM", "").strip() or "groups"
    roles = env.get("EFFEKT_OIDC_ROLES", "").strip()
    scopes = " ".join(env.get("EFFEKT_OIDC_SCOPES", "").split()) or "openid profile email"
    local_passwords = _bool(env, "EFFEKT_LOCAL_PASSWORDS", True)
    if issuer:
        check_issuer(issuer)
        if not client_id:
            raise SettingsError(
                N_("EFFEKT_OIDC_CLIENT_ID saknas: ange det klient-id som effekt fick hos %(issuer)s."),
                issuer=issuer,
            )
        if not client_secret:
            raise SettingsError(
                N_(
                    "EFFEKT_OIDC_CLIENT_SECRET_FILE saknas: ange filen med klienthemligheten som effekt fick "
                    "hos %(issuer)s."
                ),
                issuer=issuer,
            )
        if not _CLAIM_NAME.match(role_claim):
            raise SettingsError(
                N_("EFFEKT_OIDC_ROLE_CLAIM ska vara namnet på ett anspråk, till exempel groups eller roles."),
            )
        if "openid" not in scopes.split() or not all(_SCOPE.match(scope) for scope in scopes.split()):
            raise SettingsError(
                N_(
                    "EFFEKT_OIDC_SCOPES ska vara scopes med mellanslag emellan och innehålla openid, till "
                    "exempel openid profile email."
                )
            )
        if not role_map(roles):
            raise SettingsError(
                N_(
                    "EFFEKT_OIDC_ROLES saknas: ange vilka grupper som ger vilken roll, till exempel "
                    "effekt-admin=admin,effekt-komm=kommunikator,effekt-las=lasare."
                )
            )
    elif not local_passwords:
        raise SettingsError(
            N_(
                "EFFEKT_LOCAL_PASSWORDS=false kräver EFFEKT_OIDC_ISSUER: utan lösenord och utan "
                "inloggningstjänst kan ingen logga in."
            )
        )
    return {
        "oidc_issuer": issuer,
        "oidc_client_id": client_id,
        "oidc_client_secret": client_secret,
        "oidc_role_claim": role_claim,
        "oidc_roles": roles,
        "oidc_scopes": scopes,
        "local_passwords": local_passwords,
    }


def check_issuer(issuer: str) -> None:
    """HTTPS, or plain HTTP to this machine only (a provider started for tests or a demo)."""
    from server.settings import SettingsError

    parsed = urlparse(issuer)
    if parsed.scheme == "https" and parsed.hostname and not parsed.query and not parsed.fragment:
        return
    if parsed.scheme == "http" and is_loopback(parsed.hostname) and not parsed.query and not parsed.fragment:
        return
    raise SettingsError(
        N_(
            "EFFEKT_OIDC_ISSUER ska vara inloggningstjänstens adress med https, till exempel "
            "https://login.microsoftonline.com/<katalog-id>/v2.0, inte %(raw)s."
        ),
        raw=repr(issuer),
    )


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


_GRANT = re.compile(r"^([a-z0-9][a-z0-9_-]{0,59})(?:/([a-z0-9][a-z0-9_-]{0,59}))?$")


def _entries(text: str):
    """(entry, group, role, plan, organisation) for every `group=role[@plan[/organisation]]` entry;
    `SettingsError` naming the entry that cannot be read."""
    from server.settings import SettingsError

    separator = ";" if ";" in text else ","
    for raw in text.replace("\n", separator).split(separator):
        entry = raw.strip()
        if not entry:
            continue
        value, equals, granted = entry.rpartition("=")
        role, at, where = granted.strip().lower().partition("@")
        value, role = value.strip(), role.strip()
        scope = _GRANT.match(where.strip()) if at else None
        if not equals or not value or role not in {r.value for r in Role} or (at and scope is None):
            raise SettingsError(
                N_(
                    "EFFEKT_OIDC_ROLES: %(entry)s ska se ut som grupp=roll, där rollen är admin, "
                    "kommunikator eller lasare, eventuellt med en plan: grupp=roll@plan eller "
                    "grupp=roll@plan/organisation (koderna i effekt)."
                ),
                entry=repr(entry),
            )
        if scope is not None and role == Role.ADMIN.value:
            raise SettingsError(
                N_("EFFEKT_OIDC_ROLES: %(entry)s – en administratör har alltid alla planer."),
                entry=repr(entry),
            )
        yield entry, value, role, *(scope.groups() if scope else (None, None))


def grant_map(text: str) -> dict[str, tuple[tuple[str, str | None], ...]]:
    """{group: ((plan, organisation or None), …)} for the groups whose entries name a plan."""
    found: dict[str, tuple[tuple[str, str | None], ...]] = {}
    for _entry, value, _role, plan, organisation in _entries(text):
        if plan:
            found[value] = (*found.get(value, ()), (plan, organisation))
    return found


def role_map(text: str) -> dict[str, Role]:
    """`group=role` entries → {group: role}; `SettingsError` naming the entry that cannot be read."""
    from server.settings import SettingsError

    found: dict[str, Role] = {}
    for _entry, value, role, _plan, _organisation in _entries(text):
        if value in found and found[value] != Role(role):
            raise SettingsError(
                N_("EFFEKT_OIDC_ROLES ger %(value)s två olika roller."),
                value=repr(value),
            )
        found[value] = Role(role)
    return found
