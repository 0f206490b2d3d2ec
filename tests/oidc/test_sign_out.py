"""Signing out of effekt and, for people who came through it, of their organisation's provider too
(RP-initiated logout), against the real provider."""

from __future__ import annotations

import base64
import html
import json
import re

from surveys.accounts.users import Role
from tests.oidc.flow import CLIENT_ID, EFFEKT, effekt_path, form_of, new_login, query_of
from tests.support import csrf_token, sign_in


def _claims(jwt: str) -> dict:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _onward(page: str) -> str:
    """Where the page takes the browser on its own (a meta refresh)."""
    found = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', page)
    assert found, page
    return html.unescape(found.group(1))


async def _asks_for_login(browser, url: str) -> bool:
    response = await browser.at_provider.get(url)
    while response.status_code in (302, 303):
        location = str(response.url.join(response.headers["location"]))
        if location.startswith(EFFEKT):
            return False
        response = await browser.at_provider.get(location)
    return 'name="prompt" value="login"' in response.text


async def test_signing_out_ends_the_effekt_session_and_then_the_one_at_the_provider(provider, browser):
    login = new_login()
    await provider.set_account(login, groups=["effekt-komm"])
    await browser.sign_in(login)
    # While the provider's session lasts, a new sign-in goes straight through without asking.
    assert not await _asks_for_login(browser, (await browser.start()).headers["location"])
    page = await browser.effekt.get("/konto")

    answer = await browser.effekt.post("/logga-ut/sso", data={"_csrf_token": csrf_token(page.text)})

    assert answer.status_code == 200
    assert not await browser.is_signed_in()
    onward = _onward(answer.text)
    sent = query_of(onward)
    assert onward.startswith(provider.issuer + "/session/end?")
    assert sent["post_logout_redirect_uri"] == EFFEKT + "/logga-ut/sso/klar"
    assert sent["client_id"] == CLIENT_ID
    hint = _claims(sent["id_token_hint"])
    assert (hint["iss"], hint["sub"], hint["aud"]) == (provider.issuer, login, CLIENT_ID)

    # The provider asks whether to sign out; yes sends the browser back to effekt's page.
    question = await browser.at_provider.get(onward)
    action, fields = form_of(question.text)
    done = await browser.at_provider.post(str(question.url.join(action)), data={**fields, "logout": "yes"})
    assert done.status_code in (302, 303)
    back = done.headers["location"]
    assert back.startswith(EFFEKT + "/logga-ut/sso/klar")
    last = await browser.effekt.get(effekt_path(back))
    assert last.status_code == 200
    assert "Du är utloggad från effekt och från din organisations konto." in last.text

    # The provider's session is over too: the next sign-in asks for the login again.
    assert await _asks_for_login(browser, (await browser.start()).headers["location"])


async def test_a_local_user_signing_out_stays_at_effekt(provider, browser):
    await sign_in(browser.effekt, Role.READER)
    page = await browser.effekt.get("/konto")

    answer = await browser.effekt.post("/logga-ut/sso", data={"_csrf_token": csrf_token(page.text)})

    assert answer.status_code == 303
    assert answer.headers["location"] == "/"
    assert not await browser.is_signed_in()
