"""Single sign-on gives plans as well as roles (`grupp=roll@plan[/organisation]` in EFFEKT_OIDC_ROLES): a
county's communicators get the county's plan, a municipality's its organisation, and a mapping that names
a plan effekt does not have gives nothing rather than every plan."""

from __future__ import annotations

import pytest

from server.app import create_app
from server.settings import SettingsError
from surveys.accounts.users import grants_of
from surveys.db.tables import FederatedIdentity
from tests.conftest import running
from tests.oidc.conftest import Browsers, sso_settings
from tests.oidc.flow import new_login
from tests.server.test_scopes import make_plan_b
from tests.support import make_wave

MAPPING = (
    "effekt-admin=admin,vg-komm=kommunikator@planb,alby-komm=kommunikator@testplan/alby,"
    "las-alla=lasare,las-b=lasare@planb,ny-plan=lasare@finns-inte"
)


@pytest.fixture
async def county_browsers(database, provider):
    await make_wave()
    await make_plan_b()
    app = create_app(sso_settings(database, provider.issuer, oidc_roles=MAPPING), manage_database=False)
    async with running(app):
        found = Browsers(app)
        yield found
        await found.close()


async def _grants(provider, login: str) -> list[tuple[str, str | None]]:
    user = (
        await FederatedIdentity.select(FederatedIdentity.user)
        .where(FederatedIdentity.subject == login)
        .first()
    )
    return [(g.plan, g.organisation) for g in (await grants_of([user["user"]])).get(user["user"], ())]


async def test_a_county_group_gives_the_county_s_plan_and_nothing_else(provider, county_browsers):
    login = new_login()
    await provider.set_account(login, groups=["vg-komm"])
    browser = county_browsers.new()
    answer, _back = await browser.sign_in(login, next_path="/arbeta")
    assert answer.status_code == 303, answer.text
    assert await _grants(provider, login) == [("planb", None)]
    assert (await browser.effekt.get("/arbeta/planer/planb")).status_code == 200
    assert (await browser.effekt.get("/arbeta/planer/testplan")).status_code == 404


async def test_a_municipality_group_gives_its_organisation_within_the_plan(provider, county_browsers):
    login = new_login()
    await provider.set_account(login, groups=["alby-komm"])
    answer, _back = await county_browsers.new().sign_in(login)
    assert answer.status_code == 303, answer.text
    assert await _grants(provider, login) == [("testplan", "alby")]


async def test_grants_follow_the_groups_at_every_sign_in(provider, county_browsers):
    login = new_login()
    await provider.set_account(login, groups=["las-b"])
    assert (await county_browsers.new().sign_in(login))[0].status_code == 303
    assert await _grants(provider, login) == [("planb", None)]
    # Moved to a group for every plan: the plan grant goes, the role covers every plan.
    await provider.set_account(login, groups=["las-b", "las-alla"])
    assert (await county_browsers.new().sign_in(login))[0].status_code == 303
    assert await _grants(provider, login) == []


async def test_a_group_for_a_plan_effekt_does_not_have_gives_nothing_not_everything(
    provider, county_browsers
):
    login = new_login()
    await provider.set_account(login, groups=["ny-plan"])
    browser = county_browsers.new()
    answer, _back = await browser.sign_in(login)
    assert answer.status_code == 403, answer.status_code
    assert "planer som inte finns i effekt" in answer.text
    results = await browser.effekt.get("/resultat/testplan")
    assert results.status_code == 303 and results.headers["location"].startswith("/logga-in")  # not signed in
    user = (
        await FederatedIdentity.select(FederatedIdentity.user.active.as_alias("active"))
        .where(FederatedIdentity.subject == login)
        .first()
    )
    assert user is None or not user["active"]


@pytest.mark.parametrize(
    "mapping",
    ["effekt-admin=admin@planb", "vg-komm=kommunikator@Plan B", "vg-komm=kommunikator@planb/"],
)
def test_a_mapping_the_provider_cannot_mean_is_refused_at_start(mapping):
    from server.oidc.settings import role_map

    with pytest.raises(SettingsError, match="EFFEKT_OIDC_ROLES"):
        role_map(mapping)
