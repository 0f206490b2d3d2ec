"""EFFEKT_LOCAL_PASSWORDS=false: everyone signs in through the organisation's provider, nobody with a password.

The password form (login.html), its handler (server/web/login.py) and the password change on the account page
all read the setting.
"""

from __future__ import annotations

from server.app import create_app
from surveys.accounts.users import Role, create_user
from tests.conftest import running
from tests.oidc.conftest import sso_settings


async def test_with_local_passwords_off_the_login_page_offers_only_the_organisations_sign_in(
    database, provider
):
    app = create_app(sso_settings(database, provider.issuer, local_passwords=False), manage_database=False)
    await create_user("lokal@example.se", "ett-langt-losenord", Role.ADMIN)
    async with running(app) as effekt:
        # /logga-in itself goes straight to the provider (test_direct_sign_in.py); the page is shown when the
        # sign-in comes back with an error.
        page = await effekt.get("/logga-in", params={"error": "access_denied"})
        answer = await effekt.post(
            "/logga-in",
            data={
                "_csrf_token": effekt.cookies.get("csrftoken"),
                "username": "lokal@example.se",
                "password": "ett-langt-losenord",
                "next": "/arbeta",
            },
        )

        assert "Logga in med din organisations konto" in page.text
        assert 'type="password"' not in page.text
        assert answer.status_code != 303
        assert (await effekt.get("/konto")).status_code == 303
