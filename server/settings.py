"""Settings: one frozen dataclass, read from the environment and handed to create_app()."""

from __future__ import annotations

import os
import re
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
    oidc_scopes: str = field(default="openid profile email", metadata=_env("EFFEKT_OIDC_SCOPES"))
    local_passwords: bool = field(default=True, metadata=_env("EFFEKT_LOCAL_PASSWORDS"))
    # The installation's name, logo and colour on meeting packs: read and checked by _pack_branding below.
    installation_name: str = field(default="effekt", metadata=_env("EFFEKT_INSTALLATION_NAME"))
    logo: str = field(default="", metadata=_env("EFFEKT_LOGO"))
    colour: str = field(default="#00557a", metadata=_env("EFFEKT_COLOUR"))
    # The organisation behind the installation, for the accessibility statement and the privacy notice
    # (server/web/statements.py): read and checked by _public_statements below.
    organisation_name: str = field(default="", metadata=_env("EFFEKT_ORGANISATION_NAME"))
    contact_email: str = field(default="", metadata=_env("EFFEKT_CONTACT_EMAIL"))
    dpo_contact: str = field(default="", metadata=_env("EFFEKT_DPO_CONTACT"))
    accessibility_tested: str = field(default="", metadata=_env("EFFEKT_ACCESSIBILITY_TESTED"))
    accessibility_gaps: str = field(default="", metadata=_env("EFFEKT_ACCESSIBILITY_GAPS"))
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
            **_pack_branding(env),
            **_public_statements(env),
        )


def _single_sign_on(env: dict[str, str]) -> dict:
    from server.oidc.settings import read_env  # it uses this module's helpers

    return read_env(env)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _public_statements(env: dict[str, str]) -> dict:
    """Who runs the installation, as the accessibility statement and the privacy notice name them."""
    found = {
        "organisation_name": " ".join(env.get("EFFEKT_ORGANISATION_NAME", "").split()),
        "contact_email": env.get("EFFEKT_CONTACT_EMAIL", "").strip(),
        "dpo_contact": " ".join(env.get("EFFEKT_DPO_CONTACT", "").split()),
        "accessibility_tested": env.get("EFFEKT_ACCESSIBILITY_TESTED", "").strip(),
        # One known gap per line (in a file named by EFFEKT_ACCESSIBILITY_GAPS_FILE) or separated by |.
        "accessibility_gaps": "\n".join(
            " ".join(part.split())
            for line in env.get("EFFEKT_ACCESSIBILITY_GAPS", "").splitlines()
            for part in line.split("|")
            if part.strip()
        ),
    }
    for name, key, limit in (
        ("EFFEKT_ORGANISATION_NAME", "organisation_name", 200),
        ("EFFEKT_DPO_CONTACT", "dpo_contact", 300),
        ("EFFEKT_ACCESSIBILITY_GAPS", "accessibility_gaps", 5000),
    ):
        if len(found[key]) > limit:
            raise SettingsError(N_("%(name)s får vara högst %(max)s tecken."), name=name, max=limit)
    if found["contact_email"] and not _EMAIL.match(found["contact_email"]):
        raise SettingsError(
            N_("%(name)s ska vara en e-postadress, till exempel webb@region.se, inte %(raw)s."),
            name="EFFEKT_CONTACT_EMAIL",
            raw=repr(found["contact_email"]),
        )
    if found["accessibility_tested"]:
        from datetime import date

        try:
            date.fromisoformat(found["accessibility_tested"])
        except ValueError:
            raise SettingsError(
                N_("%(name)s ska vara ett datum som 2026-11-30, inte %(raw)s."),
                name="EFFEKT_ACCESSIBILITY_TESTED",
                raw=repr(found["accessibility_tested"]),
            ) from None
    return found


LOGO_TYPES = (".svg", ".png", ".jpg", ".jpeg")
LOGO_BYTES = 1024 * 1024


def _pack_branding(env: dict[str, str]) -> dict:
    """The installation's name, logo file and colour, checked now so that no pack fails on them later."""
    name = " ".join(env.get("EFFEKT_INSTALLATION_NAME", "").split()) or "effekt"
    if len(name) > 100:
        raise SettingsError(N_("%(name)s får vara högst 100 tecken."), name="EFFEKT_INSTALLATION_NAME")
    logo = env.get("EFFEKT_LOGO", "").strip()
    if logo:
        path = Path(logo)
        if path.suffix.lower() not in LOGO_TYPES or not path.is_file():
            raise SettingsError(
                N_("%(name)s ska vara sökvägen till en SVG-, PNG- eller JPEG-fil som finns, inte %(raw)s."),
                name="EFFEKT_LOGO",
                raw=repr(logo),
            )
        if path.stat().st_size > LOGO_BYTES:
            raise SettingsError(N_("%(name)s får vara högst 1 MB."), name="EFFEKT_LOGO")
    colour = env.get("EFFEKT_COLOUR", "").strip() or "#00557a"
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        raise SettingsError(
            N_("%(name)s ska skrivas som #rrggbb, till exempel #00557a, inte %(raw)s."),
            name="EFFEKT_COLOUR",
            raw=repr(colour),
        )
    if contrast_with_white(colour) < 4.5:  # headings are written in it (WCAG 1.4.3)
        raise SettingsError(
            N_("%(name)s är för ljus mot vit bakgrund (kontrast under 4,5:1); välj en mörkare färg."),
            name="EFFEKT_COLOUR",
        )
    return {"installation_name": name, "logo": logo, "colour": colour.lower()}


def contrast_with_white(colour: str) -> float:
    """WCAG's contrast ratio between a #rrggbb colour and white."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


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
