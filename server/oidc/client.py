"""Talking to the identity provider: discovery, the sign-in request, the code exchange and the ID token's checks.

Every call to the provider is asynchronous (httpx, through Authlib's `AsyncOAuth2Client` for the OAuth
parts), so a slow provider keeps only the person signing in waiting, never a respondent. The provider's
metadata and signing keys are kept per worker for an hour; a token signed with a key the worker does not
know yet fetches the key set again (the provider has rotated its keys), at most once a minute.

The ID token is accepted only when all of these hold (as OpenID Connect requires of a client):
- its signature verifies with one of the provider's published keys, with an asymmetric algorithm the
  provider announces (never `none`, never a shared-secret algorithm);
- `iss` is exactly the configured issuer (also the one discovery announced);
- `aud` contains effekt's client id, and `azp`, if present, is effekt's client id;
- `exp` is in the future and `iat` not in the future (a minute's leeway for clocks);
- `nonce` is the one sent with this sign-in (the sign-in is used once, so a replayed token fails);
- `at_hash`, if present, matches the access token that came with it.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlparse

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from server.oidc.settings import OidcConfig, is_loopback

LEEWAY_SECONDS = 60
METADATA_SECONDS = 3600
KEYS_REFETCH_SECONDS = 60
TIMEOUT_SECONDS = 10.0
HTTP_MODULES = frozenset({"httpx", "httpx2", "httpcore"})
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class ProviderUnavailable(Exception):
    """The provider could not be reached, or answered with something unusable. The message is for the log."""


class TokenRefused(Exception):
    """The provider's answer fails a check. The message says which, for the log; the person sees less."""


def _is_transport_error(exc: Exception) -> bool:
    """An error of the network or of the HTTP exchange, from httpx or from httpx2 (which Authlib moves to)."""
    return isinstance(exc, OSError | ValueError) or type(exc).__module__.split(".")[0] in HTTP_MODULES


class OidcClient:
    """effekt as a client of one provider. One per app; cheap until the first sign-in."""

    def __init__(self, config: OidcConfig) -> None:
        self.config = config
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = 0.0

    # --- what the provider publishes ------------------------------------------------------------------

    async def metadata(self) -> dict[str, Any]:
        """The provider's discovery document, checked: its issuer is ours, its endpoints are HTTPS."""
        if self._metadata is not None and time.monotonic() - self._metadata_at < METADATA_SECONDS:
            return self._metadata
        url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        found = await self._get_json(url)
        if found.get("issuer") != self.config.issuer:
            raise ProviderUnavailable(
                f"discovery at {url} names the issuer {found.get('issuer')!r}, not {self.config.issuer!r}"
            )
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(found.get(name), str) or not self._acceptable_url(found[name]):
                raise ProviderUnavailable(f"discovery at {url}: {name} is missing or not HTTPS")
        methods = found.get("code_challenge_methods_supported")
        if isinstance(methods, list) and "S256" not in methods:
            raise ProviderUnavailable(f"discovery at {url}: the provider does not take PKCE with S256")
        self._metadata, self._metadata_at = found, time.monotonic()
        return found

    async def key_set(self, *, refetch: bool = False) -> KeySet:
        if self._keys is not None and not (
            refetch and time.monotonic() - self._keys_at > KEYS_REFETCH_SECONDS
        ):
            return self._keys
        metadata = await self.metadata()
        try:
            keys = KeySet.import_key_set(await self._get_json(metadata["jwks_uri"]))
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise ProviderUnavailable(f"the key set at {metadata['jwks_uri']} is unusable: {exc}") from None
        self._keys, self._keys_at = keys, time.monotonic()
        return keys

    def _acceptable_url(self, url: str) -> bool:
        parsed = urlparse(url)
        if parsed.scheme == "https" and parsed.hostname:
            return True
        # A provider on this machine (tests, a demo) may use plain HTTP, as its issuer does.
        return (
            parsed.scheme == "http"
            and is_loopback(parsed.hostname)
            and self.config.issuer.startswith("http:")
        )

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                response = await client.get(url, headers={"accept": "application/json"})
                response.raise_for_status()
                found = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderUnavailable(f"{url}: {exc!r}") from None
        if not isinstance(found, dict):
            raise ProviderUnavailable(f"{url}: not a JSON object")
        return found

    # --- the sign-in ------------------------------------------------------------------------------------

    def _oauth(self, redirect_uri: str, metadata: dict[str, Any]) -> AsyncOAuth2Client:
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        return AsyncOAuth2Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            token_endpoint_auth_method=(
                "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
            ),
            scope=self.config.scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            timeout=TIMEOUT_SECONDS,
        )

    async def authorization_url(
        self, *, redirect_uri: str, state: str, nonce: str, code_verifier: str
    ) -> str:
        """Where to send the person: the provider's sign-in, with PKCE (S256), state and nonce."""
        metadata = await self.metadata()
        async with self._oauth(redirect_uri, metadata) as client:
            url, _state = client.create_authorization_url(
                metadata["authorization_endpoint"], state=state, code_verifier=code_verifier, nonce=nonce
            )
        return url

    async def exchange(self, *, code: str, redirect_uri: str, code_verifier: str) -> dict[str, Any]:
        """The provider's token response for the code (with the PKCE verifier); it must hold an ID token."""
        metadata = await self.metadata()
        try:
            async with self._oauth(redirect_uri, metadata) as client:
                token = await client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                    redirect_uri=redirect_uri,
                )
        except OAuthError as exc:
            raise TokenRefused(f"the token endpoint refused the code: {exc.error}") from None
        except Exception as exc:
            if not _is_transport_error(exc):
                raise
            raise ProviderUnavailable(f"{metadata['token_endpoint']}: {exc!r}") from None
        if not isinstance(token.get("id_token"), str):
            raise TokenRefused("the token response has no ID token")
        return dict(token)

    async def verified_claims(self, token: dict[str, Any], *, nonce: str, now: datetime) -> dict[str, Any]:
        """The ID token's claims, once every check in this module's docstring has passed."""
        metadata = await self.metadata()
        announced = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [alg for alg in announced if alg in ALGORITHMS]
        try:
            try:
                decoded = jwt.decode(token["id_token"], await self.key_set(), algorithms=algorithms)
            except InvalidKeyIdError:
                decoded = jwt.decode(
                    token["id_token"], await self.key_set(refetch=True), algorithms=algorithms
                )
        except JoseError as exc:
            raise TokenRefused(
                f"the ID token's signature: {exc.error} {exc.description or ''}".strip()
            ) from None
        except ValueError as exc:  # not a JWT at all
            raise TokenRefused(f"the ID token cannot be read: {exc}") from None
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": self.config.issuer},
                "aud": {"essential": True, "value": self.config.client_id},
                "sub": {"essential": True},
                "exp": {"essential": True},
                "iat": {"essential": True},
                "nonce": {"essential": True},
            },
            {"nonce": nonce, "client_id": self.config.client_id, "access_token": token.get("access_token")},
        )
        try:
            claims.validate(now=int(now.timestamp()), leeway=LEEWAY_SECONDS)
        except JoseError as exc:
            raise TokenRefused(
                f"the ID token's claims: {exc.error} {exc.description or ''}".strip()
            ) from None
        if not isinstance(claims.get("sub"), str):
            raise TokenRefused("the ID token's claims: sub is not a string")
        return dict(claims)

    # --- signing out ------------------------------------------------------------------------------------

    async def end_session_url(
        self, *, id_token_hint: str, post_logout_redirect_uri: str, state: str
    ) -> str | None:
        """The provider's sign-out for this person (RP-initiated logout), or None if it has none."""
        endpoint = (await self.metadata()).get("end_session_endpoint")
        if not isinstance(endpoint, str) or not self._acceptable_url(endpoint):
            return None
        params = {"client_id": self.config.client_id}
        if id_token_hint:
            params["id_token_hint"] = id_token_hint
        params |= {"post_logout_redirect_uri": post_logout_redirect_uri, "state": state}
        return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)
