"""With local passwords switched off, the organisation's sign-in is the only way in, so /logga-in (and every
page that sends a signed-out person there) goes straight on to the provider, keeping where the person was
going; an error sent back from the sign-in shows the page with the message instead of going round again."""

from __future__ import annotations

import httpx

from server.app import create_app
from tests.conftest import running
from tests.oidc.conftest import sso_settings
from tests.oidc.flow import EFFEKT, Browser, effekt_path, new_login, query_of


async def test_a_page_that_needs_a_sign_in_leads_straight_to_the_provider_and_back_to_that_page(
    database, provider
):
    app = create_app(sso_settings(database, provider.issuer, local_passwords=False), manage_database=False)
    login = new_login()
    await provider.set_account(login, groups=["effekt-komm"], name="Kim Kommunikatör")
    async with running(app):
        browser = Browser(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=EFFEKT))
        try:
            wanted = await browser.effekt.get("/arbeta/enkater")
            assert (
                wanted.status_code == 303 and wanted.headers["location"] == "/logga-in?next=/arbeta/enkater"
            )
            login_page = await browser.effekt.get(wanted.headers["location"])
            assert login_page.status_code == 303
            assert login_page.headers["location"] == "/logga-in/sso?next=%2Farbeta%2Fenkater"
            started = await browser.effekt.get(login_page.headers["location"])
            assert started.status_code == 303
            to_provider = started.headers["location"]
            assert to_provider.startswith(provider.issuer)
            back = await browser.at_the_provider(to_provider, login)
            signed_in = await browser.effekt.get(effekt_path(back))
            assert signed_in.status_code == 303 and signed_in.headers["location"] == "/arbeta/enkater"
            assert await browser.is_signed_in()
        finally:
            await browser.close()


async def test_an_error_sent_back_to_the_sign_in_page_shows_it_instead_of_going_round_again(
    database, provider
):
    app = create_app(sso_settings(database, provider.issuer, local_passwords=False), manage_database=False)
    async with running(app) as effekt:
        page = await effekt.get("/logga-in", params={"error": "access_denied", "next": "/arbeta"})
        assert page.status_code == 400
        assert "Inloggningen hos din organisation gick inte att slutföra" in page.text
        assert 'href="/logga-in/sso?next=/arbeta"' in page.text  # one click to try again, by choice
        assert 'type="password"' not in page.text


async def test_a_refusal_at_the_provider_ends_on_a_page_that_says_so(database, provider):
    app = create_app(sso_settings(database, provider.issuer, local_passwords=False), manage_database=False)
    async with running(app):
        browser = Browser(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=EFFEKT))
        try:
            to_sso = await browser.effekt.get("/logga-in")
            started = await browser.effekt.get(to_sso.headers["location"])
            state = query_of(started.headers["location"])["state"]
            refused = await browser.effekt.get(
                "/logga-in/sso/svar", params={"state": state, "error": "access_denied"}
            )
            assert refused.status_code == 400 and "Inloggningen avbröts" in refused.text
            assert "location" not in refused.headers
            assert not await browser.is_signed_in()
        finally:
            await browser.close()


async def test_with_local_passwords_on_the_sign_in_page_is_shown_with_both_ways_in(database, provider):
    app = create_app(sso_settings(database, provider.issuer, local_passwords=True), manage_database=False)
    async with running(app) as effekt:
        page = await effekt.get("/logga-in", params={"next": "/arbeta"})
        assert page.status_code == 200
        assert 'type="password"' in page.text and "Logga in med din organisations konto" in page.text
