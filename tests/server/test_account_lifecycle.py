"""What ends a session or an API key, and stays ended: switching an account off, a key's expiry, the
session's absolute lifetime; a CSRF token only for its own session; and where a person lands after
signing in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from server import clock
from server.sessions import IDLE_MINUTES, MAX_HOURS, session_config
from surveys.accounts.users import Role, create_token, create_user
from surveys.db.tables import ApiToken
from tests.conftest import make_settings
from tests.server.account_clients import PASSWORD, browsers, form_token, is_signed_in, try_sign_in
from tests.support import csrf_token, make_wave

ROOT = Path(__file__).resolve().parents[2]
RESULTS_API = "/api/v1/plans/testplan/results"


@pytest.fixture
def frozen_clock(monkeypatch):
    now = [clock.now()]
    monkeypatch.setattr(clock, "now", lambda: now[0])

    def advance(**delta) -> None:
        now[0] += timedelta(**delta)

    return advance


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def test_switching_an_account_off_and_on_again_brings_back_no_session_and_no_key(database):
    await make_wave()
    admin = await create_user("admin@example.se", PASSWORD, Role.ADMIN)
    lena = await create_user("lena@example.se", PASSWORD, Role.READER)
    key = await create_token(lena.id, "Power BI")
    async with browsers(database) as browser:
        boss, hers = browser("198.51.100.1"), browser("198.51.100.2")
        await try_sign_in(boss, admin.username, PASSWORD)
        await try_sign_in(hers, lena.username, PASSWORD)
        old_cookie = hers.cookies.get("effekt_session")
        assert (await hers.get(RESULTS_API, headers=bearer(key))).status_code == 200
        token = await form_token(boss, f"/admin/anvandare/{lena.id}")
        off = await boss.post(f"/admin/anvandare/{lena.id}/inaktivera", data={"_csrf_token": token})
        assert off.status_code == 303
        assert "API-nycklarna återkallats" in (await boss.get(off.headers["location"])).text
        on = await boss.post(f"/admin/anvandare/{lena.id}/aktivera", data={"_csrf_token": token})
        assert on.status_code == 303
        # Before: switched on again, her old cookie and her old key both worked again.
        replay = browser("198.51.100.2")
        replay.cookies.set("effekt_session", old_cookie, domain="testserver.local")
        assert not await is_signed_in(replay)
        assert (await replay.get(RESULTS_API, headers=bearer(key))).status_code == 401
        assert (await try_sign_in(browser("198.51.100.3"), lena.username, PASSWORD)).status_code == 303
    assert await ApiToken.count().where(ApiToken.revoked == False) == 0


async def test_a_key_works_until_the_day_it_was_made_for_and_not_after(database, frozen_clock):
    await make_wave()
    await create_user("lena@example.se", PASSWORD, Role.READER)
    async with browsers(database) as browser:
        hers = browser("198.51.100.2")
        await try_sign_in(hers, "lena@example.se", PASSWORD)
        made = await hers.post(
            "/konto/nycklar", data={"_csrf_token": await form_token(hers), "name": "Skript", "days": "30"}
        )
        assert made.status_code == 200
        key = re.search(r"(ek_[A-Za-z0-9_-]+)", made.text).group(1)
        expires = (clock.now() + timedelta(days=30)).date()
        page = await hers.get("/konto")
        assert "Gäller till" in page.text and f"{expires.day} " in page.text
        me = await hers.get("/api/v1/me", headers=bearer(key))
        assert me.status_code == 200
        assert me.json()["key"]["name"] == "Skript" and me.json()["key"]["days_left"] in (29, 30)
        assert me.json()["key"]["expires_at"].startswith(expires.isoformat())
        frozen_clock(days=29, hours=23)
        assert (await hers.get(RESULTS_API, headers=bearer(key))).status_code == 200
        frozen_clock(hours=2)
        expired = await hers.get(RESULTS_API, headers=bearer(key))
        assert expired.status_code == 401 and "gått ut" in expired.json()["detail"]
        await try_sign_in(hers, "lena@example.se", PASSWORD)  # a month on, her session has long ended
        assert "Har gått ut" in (await hers.get("/konto")).text


async def test_a_key_lives_ninety_days_unless_chosen_and_at_most_a_year(database):
    lena = await create_user("lena@example.se", PASSWORD, Role.READER)
    async with browsers(database) as browser:
        hers = browser("198.51.100.2")
        await try_sign_in(hers, "lena@example.se", PASSWORD)
        too_long = await hers.post(
            "/konto/nycklar", data={"_csrf_token": await form_token(hers), "name": "Skript", "days": "3650"}
        )
        assert too_long.status_code == 422 and "från 1 till 365 dagar" in too_long.text
    await create_token(lena.id, "Standard")
    row = await ApiToken.select(ApiToken.created_at, ApiToken.expires_at).first()
    assert (row["expires_at"] - row["created_at"]).days in (89, 90)


async def test_the_command_line_says_when_a_new_key_expires(database):
    await create_user("lena@example.se", PASSWORD, Role.READER)
    env = {k: v for k, v in os.environ.items() if not k.startswith("EFFEKT_")}
    env.update(EFFEKT_DATABASE_URL=database, PYTHONPATH=str(ROOT))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "server.cli",
            "create-token",
            "lena@example.se",
            "--name",
            "Cron",
            "--days",
            "7",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    expires = (clock.now() + timedelta(days=7)).date().isoformat()
    assert f"gäller till och med {expires}" in run.stderr and run.stdout.startswith("ek_")
    row = await ApiToken.select(ApiToken.expires_at).first()
    assert row["expires_at"].date().isoformat() == expires


async def test_a_session_ends_twelve_hours_after_signing_in_however_busy(database, frozen_clock):
    await create_user("lena@example.se", PASSWORD, Role.READER)
    async with browsers(database) as browser:
        hers = browser("198.51.100.2")
        await try_sign_in(hers, "lena@example.se", PASSWORD)
        for _hour in range(MAX_HOURS - 1):
            frozen_clock(minutes=60)
            assert await is_signed_in(hers)
        frozen_clock(minutes=61)
        ended = await hers.get("/konto")
        assert ended.status_code == 303 and ended.headers["location"].startswith("/logga-in")
        # Signing in again starts a new twelve hours.
        assert (await try_sign_in(hers, "lena@example.se", PASSWORD)).status_code == 303
        assert await is_signed_in(hers)


def test_an_idle_session_cookie_expires_after_an_hour():
    # Litestar seals the expiry inside the encrypted cookie, so a copy cannot be kept alive by hand.
    assert session_config(make_settings("sqlite:///unused")).max_age == IDLE_MINUTES * 60 == 3600


async def test_a_planted_csrf_cookie_and_token_pair_is_refused_for_a_signed_in_person(database):
    await make_wave()
    await create_user("lena@example.se", PASSWORD, Role.READER)
    async with browsers(database) as browser:
        attacker = browser("203.0.113.9")
        planted = csrf_token((await attacker.get("/e/testomgang")).text)  # a valid pair of the attacker's own
        hers = browser("198.51.100.2")
        await try_sign_in(hers, "lena@example.se", PASSWORD)
        hers.cookies.set("csrftoken", planted, domain="testserver.local")
        forged = await hers.post("/konto/nycklar", data={"_csrf_token": planted, "name": "Angriparens"})
        assert forged.status_code == 403
        # Her own page's token is made for her session, and works whatever the cookie holds.
        own = await hers.post("/konto/nycklar", data={"_csrf_token": await form_token(hers), "name": "Egen"})
        assert own.status_code == 200
    assert [r["name"] for r in await ApiToken.select(ApiToken.name)] == ["Egen"]


async def test_a_csrf_token_of_one_session_is_refused_in_another(database):
    await create_user("lena@example.se", PASSWORD, Role.READER)
    async with browsers(database) as browser:
        first, second = browser("198.51.100.2"), browser("198.51.100.3")
        await try_sign_in(first, "lena@example.se", PASSWORD)
        await try_sign_in(second, "lena@example.se", PASSWORD)
        stolen = await form_token(first)
        refused = await second.post("/konto/nycklar", data={"_csrf_token": stolen, "name": "X"})
        assert refused.status_code == 403
    assert await ApiToken.count() == 0


@pytest.mark.parametrize(
    ("role", "asked_for", "lands_on"),
    [
        (Role.READER, "/arbeta", "/"),
        (Role.READER, "/resultat/testplan", "/resultat/testplan"),
        (Role.READER, "/admin/logg", "/"),
        (Role.COMMUNICATOR, "/arbeta", "/arbeta"),
        (Role.COMMUNICATOR, "/admin/anvandare", "/"),
        (Role.ADMIN, "/admin/logg?vad=sign_in", "/admin/logg?vad=sign_in"),
        (Role.ADMIN, "https://example.org/", "/"),
        (Role.ADMIN, "//example.org/arbeta", "/"),
        (Role.ADMIN, "/finns-inte", "/"),
        (Role.ADMIN, "/logga-ut", "/"),
        (Role.ADMIN, "", "/"),
    ],
)
async def test_after_signing_in_a_person_lands_only_where_their_role_may_go(
    database, role, asked_for, lands_on
):
    await create_user("lena@example.se", PASSWORD, role)
    async with browsers(database) as browser:
        signed_in = await try_sign_in(browser("198.51.100.2"), "lena@example.se", PASSWORD, next=asked_for)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == lands_on
