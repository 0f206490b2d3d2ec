"""Settings: one frozen dataclass, read from the environment and handed to create_app()."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlparse

from locales import N_

DEFAULT_DATABASE_URL = "sqlite:///var/effekt.sqlite"


class SettingsError(ValueError):
    """An environment variable has a value effekt cannot use; the message names it.

    `message` is a Swedish msgid with %(name)s-style fields, translated by whoever prints it.
    """

    def __init__(self, message: str, **fields: object) -> None:
        super().__init__(message % fields)
        self.message = message
        self.fields = fields


def _env(name: str) -> dict[str, str]:
    return {"env": name}


@dataclass(frozen=True)
class Settings:
    """Every setting; those with an `env` name are read from that environment variable (or its _FILE)."""

    database_url: str = field(default=DEFAULT_DATABASE_URL, metadata=_env("EFFEKT_DATABASE_URL"))
    secret_key: str = field(default="", metadata=_env("EFFEKT_SECRET_KEY"))
    min_group_size: int = field(default=5, metadata=_env("EFFEKT_MIN_GROUP_SIZE"))
    host: str = field(default="127.0.0.1", metadata=_env("EFFEKT_HOST"))
    port: int = field(default=8000, metadata=_env("EFFEKT_PORT"))
    workers: int = field(default=1, metadata=_env("EFFEKT_WORKERS"))
    https: bool = field(default=False, metadata=_env("EFFEKT_HTTPS"))
    default_locale: str = field(default="sv", metadata=_env("EFFEKT_DEFAULT_LANGUAGE"))
    retention_days: int = field(default=365, metadata=_env("EFFEKT_RETENTION_DAYS"))
    # Addresses of load balancers whose X-Forwarded-For is believed; the client's address is only used,
    # hashed, to slow down password guessing, and behind a proxy every client would otherwise share one.
    trusted_proxies: str = field(default="", metadata=_env("EFFEKT_TRUSTED_PROXIES"))
    # Single sign-on with OpenID Connect: read and checked by server/oidc/settings.py, off without an issuer.
    oidc_issuer: str = field(default="", metadata=_env("EFFEKT_OIDC_ISSUER"))
    oidc_client_id: str = field(default="", metadata=_env("EFFEKT_OIDC_CLIENT_ID"))
    oidc_client_secret: str = field(default="", repr=False, metadata=_env("EFFEKT_OIDC_CLIENT_SECRET"))
    oidc_role_claim: str = field(default="groups", metadata=_env("EFFEKT_OIDC_ROLE_CLAIM"))
    oidc_roles: str = field(default="", metadata=_env("EFFEKT_OIDC_ROLES"))
    local_passwords: bool = field(default=True, metadata=_env("EFFEKT_LOCAL_PASSWORDS"))
    max_body_bytes: int = 64 * 1024

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = _with_files(dict(os.environ if env is None else env))
        database_url = env.get("EFFEKT_DATABASE_URL", DEFAULT_DATABASE_URL).strip()
        check_database_url(database_url)
        secret_key = env.get("EFFEKT_SECRET_KEY", "").strip()
        if secret_key and len(secret_key) < 32:
            raise SettingsError(N_("EFFEKT_SECRET_KEY måste vara minst 32 tecken lång."))
        return cls(
            database_url=database_url,
            # Without a configured key each start gets a fresh one: fine for a demo, and
            # the README tells production to set it so sessions survive restarts.
            secret_key=secret_key or secrets.token_urlsafe(48),
            min_group_size=_int(env, "EFFEKT_MIN_GROUP_SIZE", 5, low=3, high=10),
            host=env.get("EFFEKT_HOST", "127.0.0.1").strip() or "127.0.0.1",
            port=_int(env, "EFFEKT_PORT", 8000, low=1, high=65535),
            workers=_int(env, "EFFEKT_WORKERS", 1, low=1, high=64),
            https=_bool(env, "EFFEKT_HTTPS", False),
            default_locale=_choice(env, "EFFEKT_DEFAULT_LANGUAGE", "sv", ("sv", "en")),
            retention_days=_int(env, "EFFEKT_RETENTION_DAYS", 365, low=30, high=3650),
            trusted_proxies=_proxies(env, "EFFEKT_TRUSTED_PROXIES"),
            **_single_sign_on(env),
        )


def _single_sign_on(env: dict[str, str]) -> dict:
    from server.oidc.settings import read_env  # it uses this module's helpers

    return read_env(env)


def environment_variables() -> list[str]:
    """The names of the variables effekt reads, in the order of the settings class."""
    return [f.metadata["env"] for f in fields(Settings) if "env" in f.metadata]


def _with_files(env: dict[str, str]) -> dict[str, str]:
    """Fills each EFFEKT_X from the file named by EFFEKT_X_FILE (Docker and Kubernetes secrets)."""
    for name in environment_variables():
        path = env.get(name + "_FILE", "").strip()
        if not path:
            continue
        if env.get(name, "").strip():
            raise SettingsError(
                N_("Ange antingen %(name)s eller %(name)s_FILE, inte båda."),
                name=name,
            )
        try:
            env[name] = Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise SettingsError(
                N_("%(name)s_FILE pekar på %(path)s, som inte går att läsa."), name=name, path=path
            ) from None
    return env


def check_database_url(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        if not url.startswith("sqlite:///") or url == "sqlite:///":
            raise SettingsError(N_("EFFEKT_DATABASE_URL ska se ut som sqlite:///sökväg/till/fil.sqlite."))
    elif parsed.scheme in ("postgresql", "postgres"):
        if not parsed.hostname and "host=" not in parsed.query:
            raise SettingsError(
                N_(
                    "EFFEKT_DATABASE_URL måste ange en server, till exempel postgresql://användare@server/databas."
                )
            )
    else:
        raise SettingsError(N_("EFFEKT_DATABASE_URL måste börja med sqlite:/// eller postgresql://."))


def _int(env: dict[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(
            N_("%(name)s måste vara ett heltal mellan %(low)s och %(high)s, inte %(raw)s."),
            name=name,
            low=low,
            high=high,
            raw=repr(raw),
        ) from None
    if not low <= value <= high:
        raise SettingsError(
            N_("%(name)s måste vara mellan %(low)s och %(high)s, inte %(raw)s."),
            name=name,
            low=low,
            high=high,
            raw=value,
        )
    return value


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "ja", "on"):
        return True
    if raw in ("0", "false", "no", "nej", "off"):
        return False
    raise SettingsError(N_("%(name)s måste vara true eller false, inte %(raw)s."), name=name, raw=repr(raw))


def _choice(env: dict[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in choices:
        raise SettingsError(
            N_("%(name)s måste vara ett av %(choices)s, inte %(raw)s."),
            name=name,
            choices=", ".join(choices),
            raw=repr(raw),
        )
    return raw


def _proxies(env: dict[str, str], name: str) -> str:
    import ipaddress

    raw = env.get(name, "").strip()
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    for part in parts:
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise SettingsError(
                N_(
                    "%(name)s ska vara adresser eller nät med komma emellan, till exempel 10.0.0.0/8, inte %(raw)s."
                ),
                name=name,
                raw=repr(part),
            ) from None
    return ",".join(parts)
