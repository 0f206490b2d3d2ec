"""Signing in through a real OpenID provider: the whole redirect flow, and what effekt refuses on the way."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from server import clock
from server.app import create_app
from surveys.accounts.users import Role, create_token, create_user, set_active, token_account
from surveys.db.tables import FederatedIdentity, OidcSignIn, User
from tests.conftest import running
from tests.oidc.conftest import sso_settings
from tests.oidc.flow import CLIENT_ID, EFFEKT, effekt_path, new_login, query_of


async def _user_of(issuer: str, login: str) -> dict | None:
    return (
        await FederatedIdentity.select(
            FederatedIdentity.user.id.as_alias("id"),
            FederatedIdentity.user.username.as_alias("username"),
            FederatedIdentity.user.display_name.as_alias("display_name"),
            FederatedIdentity.user.role.as_alias("role"),
            FederatedIdentity.user.active.as_alias("active"),
        )
        .where((FederatedIdentity.issuer == issuer) & (FederatedIdentity.subject == login))
        .first()
    )


def refusals(caplog) -> str:
    return " ".join(r.getMessage() for r in caplog.records if r.name == "effekt.sso")


# --- the way it should go -------------------------------------------------------------------------------


async def test_a_person_signs_in_at_their_organisation_and_gets_the_role_of_their_group(provider, browser):
    login = new_login()
    await provider.set_account(login, groups=["effekt-komm", "unrelated"], name="Karin Kommunikatör")

    answer, _back = await browser.sign_in(login, next_path="/arbeta")

    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/arbeta"
    assert (await browser.effekt.get("/arbeta")).status_code == 200
    user = await _user_of(provider.issuer, login)
    assert (user["display_name"], user["role"], user["active"]) == (
        "Karin Kommunikatör",
        "kommunikator",
        True,
    )
    assert user["username"] == f"{login}@region.example"


async def test_the_highest_role_any_group_gives_is_the_one_that_counts(provider, browser):
    login = new_login()
    await provider.set_account(login, groups=["effekt-las", "effekt-admin"])

    answer, _back = await browser.sign_in(login)

    assert answer.status_code == 303
    assert (await _user_of(provider.issuer, login))["role"] == "admin"


async def test_the_request_to_the_provider_carries_pkce_state_and_nonce(provider, browser):
    started = await browser.start()

    sent = query_of(started.headers["location"])
    assert started.headers["location"].startswith(provider.issuer + "/auth?")
    assert sent["response_type"] == "code"
    assert sent["client_id"] == CLIENT_ID
    assert sent["redirect_uri"] == EFFEKT + "/logga-in/sso/svar"
    assert set(sent["scope"].split()) >= {"openid", "profile", "email"}
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert len(sent["state"]) >= 40 and len(sent["nonce"]) >= 40 and sent["state"] != sent["nonce"]
    # Only a hash of the state is stored; the browser keeps the state itself.
    assert browser.effekt.cookies.get("effekt_sso") == sent["state"]
    assert not await OidcSignIn.exists().where(OidcSignIn.state_hash == sent["state"])


async def test_a_second_sign_in_finds_the_same_user_even_after_the_name_changes(provider, browsers, browser):
    login = new_login()
    await provider.set_account(login, groups=["effekt-las"], name="Anna Andersson")
    await browser.sign_in(login)
    first = await _user_of(provider.issuer, login)

    await provider.set_account(login, groups=["effekt-las"], name="Anna Berg")
    answer, _back = await browsers.new().sign_in(login)

    assert answer.status_code == 303
    again = await _user_of(provider.issuer, login)
    assert again["id"] == first["id"]
    assert again["display_name"] == "Anna Berg"
    assert await FederatedIdentity.count().where(FederatedIdentity.subject == login) == 1


async def test_a_local_user_with_the_same_name_is_never_taken_over(provider, browser):
    login = new_login()
    local = await create_user(f"{login}@region.example", "ett-langt-losenord", Role.READER, "Den lokala")
    await provider.set_account(login, groups=["effekt-admin"])

    answer, _back = await browser.sign_in(login)

    assert answer.status_code == 303
    federated = await _user_of(provider.issuer, login)
    assert federated["id"] != local.id
    assert federated["username"] == f"{login}@region.example-2"
    untouched = await User.select(User.role, User.display_name).where(User.id == local.id).first()
    assert untouched == {"role": "lasare", "display_name": "Den lokala"}


# --- the ID token fails a check ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("wrong-issuer", "Invalid claim: 'iss'"),
        ("wrong-audience", "Invalid claim: 'aud'"),
        ("expired", "expired_token"),
        ("bad-signature", "bad_signature"),
    ],
)
async def test_an_id_token_that_fails_a_check_signs_nobody_in(provider, browser, caplog, mode, reason):
    login = new_login()
    await provider.set_account(login, groups=["effekt-admin"])
    await provider.misbehave(mode)

    with caplog.at_level(logging.INFO, logger="effekt.sso"):
        answer, _back = await browser.sign_in(login)

    assert answer.status_code == 502
    assert "Inloggningen kunde inte godkännas" in answer.text
    assert reason in refusals(caplog)
    assert not await browser.is_signed_in()
    assert await _user_of(provider.issuer, login) is None


async def test_an_id_token_from_an_earlier_sign_in_is_refused_by_its_nonce(provider, browsers, caplog):
    login = new_login()
    await provider.set_account(login, groups=["effekt-admin"])
    first, _back = await browsers.new().sign_in(login)
    assert first.status_code == 303
    # The provider (or someone between it and effekt) hands the first sign-in's ID token to the next one.
    await provider.misbehave("replay")

    with caplog.at_level(logging.INFO, logger="effekt.sso"):
        answer, _back = await browsers.new().sign_in(login)

    assert answer.status_code == 502
    assert "Invalid claim: 'nonce'" in refusals(caplog)


async def test_the_providers_answer_cannot_be_used_twice(provider, browsers, browser, caplog):
    login = new_login()
    await provider.set_account(login, groups=["effekt-admin"])
    started = await browser.start()
    state = browser.effekt.cookies.get("effekt_sso")
    back = await browser.at_the_provider(started.headers["location"], login)
    assert (await browser.effekt.get(effekt_path(back))).status_code == 303

    # Someone who copied the answer's address and the state cookie replays them in another browser.
    replay = browsers.new()
    with caplog.at_level(logging.INFO, logger="effekt.sso"):
        again = await replay.effekt.get(effekt_path(back), headers={"cookie": f"effekt_sso={state}"})

    assert again.status_code == 400
    assert "Inloggningen gick inte att slutföra" in again.text
    assert not await replay.is_signed_in()
    assert "state" in refusals(caplog)


async def test_an_answer_meant_for_another_browser_is_refused(provider, browsers, browser):
    login = new_login()
    await provider.set_account(login, groups=["effekt-admin"])
    started = await browser.start()
    back = await browser.at_the_provider(started.headers["location"], login)

    # The victim's browser never began this sign-in (login CSRF): it has no state cookie.
    victim = browsers.new()
    answer = await victim.effekt.get(effekt_path(back))

    assert answer.status_code == 400
    assert not await victim.is_signed_in()
    # Nor does the refusal leave the sign-in usable for the browser that began it.
    assert (await browser.effekt.get(effekt_path(back))).status_code == 400


async def test_a_sign_in_that_took_more_than_ten_minutes_is_refused(provider, browser, monkeypatch):
    login = new_login()
    await provider.set_account(login, groups=["effekt-admin"])
    started = await browser.start()
    back = await browser.at_the_provider(started.headers["location"], login)
    later = clock.now() + timedelta(minutes=11)
    monkeypatch.setattr(clock, "now", lambda: later)

    answer = await browser.effekt.get(effekt_path(back))

    assert answer.status_code == 400
    assert not await browser.is_signed_in()


async def test_an_answer_naming_another_provider_is_refused(provider, browser):
    started = await browser.start()
    sent = query_of(started.headers["location"])

    # A mix-up: the answer says it comes from another provider than the one the sign-in went to.
    answer = await browser.effekt.get(
        "/logga-in/sso/svar",
        params={"code": "x", "state": sent["state"], "iss": "https://idp.elsewhere.example"},
    )

    assert answer.status_code == 400
    assert not await browser.is_signed_in()


async def test_a_person_who_cancels_at_the_provider_is_told_so(provider, browser):
    started = await browser.start()
    sent = query_of(started.headers["location"])

    answer = await browser.effekt.get(
        "/logga-in/sso/svar",
        params={"error": "access_denied", "state": sent["state"], "iss": provider.issuer},
    )

    assert answer.status_code == 400
    assert "Inloggningen avbröts" in answer.text
    assert not await browser.is_signed_in()


# --- roles from the group claim, at every sign-in ---------------------------------------------------------


async def test_a_person_whose_groups_give_no_role_is_refused_with_a_swedish_page(provider, browser):
    login = new_login()
    await provider.set_account(login, groups=["alla-anstallda"])

    answer, _back = await browser.sign_in(login)

    assert answer.status_code == 403
    assert "ingen av dina grupper ger behörighet i effekt" in answer.text
    assert '<html lang="sv">' in answer.text
    assert not await browser.is_signed_in()
    assert await _user_of(provider.issuer, login) is None


async def test_a_changed_group_changes_the_role_at_the_next_sign_in(provider, browsers, browser):
    login = new_login()
    await provider.set_account(login, groups=["effekt-las"])
    await browser.sign_in(login)
    assert (await browser.effekt.get("/arbeta")).status_code == 403

    await provider.set_account(login, groups=["effekt-komm"])
    answer, _back = await browsers.new().sign_in(login)

    assert answer.status_code == 303
    assert (await _user_of(provider.issuer, login))["role"] == "kommunikator"
    assert (await browser.effekt.get("/arbeta")).status_code == 200


async def test_losing_the_group_refuses_the_next_sign_in_and_ends_every_session_and_key(provider, browsers):
    login = new_login()
    await provider.set_account(login, groups=["effekt-admin"])
    at_office, at_home = browsers.new(), browsers.new()
    await at_office.sign_in(login)
    token = await create_token((await _user_of(provider.issuer, login))["id"], "Power BI")
    assert await at_office.is_signed_in()

    await provider.set_account(login, groups=[])
    answer, _back = await at_home.sign_in(login)

    assert answer.status_code == 403
    assert not await at_office.is_signed_in()
    assert await token_account(token) is None
    assert (await _user_of(provider.issuer, login))["active"] is False

    # Given a group again, the person signs in again; the revoked key stays revoked.
    await provider.set_account(login, groups=["effekt-las"])
    answer, _back = await browsers.new().sign_in(login)
    assert answer.status_code == 303
    assert (await _user_of(provider.issuer, login))["role"] == "lasare"
    assert await token_account(token) is None


async def test_a_user_an_administrator_switched_off_stays_off(provider, browsers, browser):
    login = new_login()
    await provider.set_account(login, groups=["effekt-las"])
    await browser.sign_in(login)
    admin = await create_user("admin-" + login, "ett-langt-losenord", Role.ADMIN)
    await set_active((await _user_of(provider.issuer, login))["id"], False, by=admin)

    answer, _back = await browsers.new().sign_in(login)

    assert answer.status_code == 403
    assert "avstängt av en administratör" in answer.text
    assert (await _user_of(provider.issuer, login))["active"] is False


async def test_a_user_switched_off_by_an_administrator_after_losing_the_group_stays_off(provider, browsers):
    login = new_login()
    await provider.set_account(login, groups=["effekt-las"])
    await browsers.new().sign_in(login)
    await provider.set_account(login, groups=[])
    await browsers.new().sign_in(login)  # refused: effekt switches the user off
    admin = await create_user("admin-" + login, "ett-langt-losenord", Role.ADMIN)
    user_id = (await _user_of(provider.issuer, login))["id"]
    await set_active(user_id, True, by=admin)
    await set_active(user_id, False, by=admin)  # now it is the administrator's decision

    await provider.set_account(login, groups=["effekt-las"])
    answer, _back = await browsers.new().sign_in(login)

    assert answer.status_code == 403
    assert "avstängt av en administratör" in answer.text


# --- the provider itself --------------------------------------------------------------------------------


async def test_a_provider_whose_discovery_names_another_issuer_is_not_used(database, provider, caplog):
    # The same provider reached as "localhost": its discovery says 127.0.0.1, which is not what was configured.
    pretender = provider.issuer.replace("127.0.0.1", "localhost")
    app = create_app(sso_settings(database, pretender), manage_database=False)
    async with running(app) as effekt:
        with caplog.at_level(logging.INFO, logger="effekt.sso"):
            answer = await effekt.get("/logga-in/sso")

    assert answer.status_code == 503
    assert "svarar inte" in answer.text
    assert "issuer" in refusals(caplog)


async def test_a_provider_that_does_not_answer_gives_a_page_saying_so(database):
    app = create_app(sso_settings(database, "http://127.0.0.1:9"), manage_database=False)
    async with running(app) as effekt:
        answer = await effekt.get("/logga-in/sso")

    assert answer.status_code == 503
    assert "Försök igen om en stund" in answer.text


async def test_without_single_sign_on_its_addresses_do_not_exist(client):
    for path in ("/logga-in/sso", "/logga-in/sso/svar", "/logga-ut/sso/klar"):
        assert (await client.get(path)).status_code == 404, path
