"""A person's browser in the single sign-on tests: effekt's side (the app in-process) and the provider's side
(the real node provider over HTTP), each with its own cookies, as a browser keeps them per site.

Redirects are followed by hand so that every step between the two sites is seen and can be replayed.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx

EFFEKT = "http://testserver"  # the base URL of tests.conftest.running
CLIENT_ID = "effekt"
CLIENT_SECRET = "the-client-secret-effekt-got-at-the-provider"
ROLES = "effekt-admin=admin,effekt-komm=kommunikator,effekt-las=lasare"


def new_login() -> str:
    return f"person-{uuid.uuid4().hex[:10]}"


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def effekt_path(url: str) -> str:
    assert url.startswith(EFFEKT + "/"), url
    return url.removeprefix(EFFEKT)


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """The first form on a provider's page: its action and its hidden fields."""
    form = re.search(r"<form[^>]*action=\"([^\"]+)\"[^>]*>(.*?)</form>", page, re.S)
    assert form, page
    fields = dict(re.findall(r"<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"", form.group(2)))
    return html.unescape(form.group(1)), {k: html.unescape(v) for k, v in fields.items()}


@dataclass
class Browser:
    effekt: httpx.AsyncClient
    at_provider: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=20))
    authorization_url: str = ""

    async def start(self, next_path: str = "/arbeta") -> httpx.Response:
        """Click "Logga in med din organisations konto": effekt's answer (a redirect to the provider)."""
        response = await self.effekt.get("/logga-in/sso", params={"next": next_path})
        if response.status_code == 303:
            self.authorization_url = response.headers["location"]
        return response

    async def at_the_provider(self, url: str, login: str) -> str:
        """Sign in at the provider's own pages as `login` (if it asks); the URL it sends the browser back to."""
        response = await self.at_provider.get(url)
        for _ in range(10):
            if response.status_code in (302, 303):
                location = str(response.url.join(response.headers["location"]))
                if location.startswith(EFFEKT + "/"):
                    return location
                response = await self.at_provider.get(location)
            elif response.status_code == 200 and 'name="prompt" value="login"' in response.text:
                action, _fields = form_of(response.text)
                response = await self.at_provider.post(
                    str(response.url.join(action)),
                    data={"prompt": "login", "login": login, "password": "anything"},
                )
            else:
                raise AssertionError(f"the provider answered {response.status_code}: {response.text[:500]}")
        raise AssertionError("the provider never sent the browser back")

    async def sign_in(self, login: str, next_path: str = "/arbeta") -> tuple[httpx.Response, str]:
        """The whole sign-in: effekt's answer to the provider's redirect back, and that redirect's URL."""
        started = await self.start(next_path)
        assert started.status_code == 303, started.text
        back = await self.at_the_provider(self.authorization_url, login)
        return await self.effekt.get(effekt_path(back)), back

    async def is_signed_in(self) -> bool:
        response = await self.effekt.get("/konto")
        return response.status_code == 200

    async def close(self) -> None:
        await self.effekt.aclose()
        await self.at_provider.aclose()
