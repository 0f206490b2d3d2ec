"""Changing one's own password and an administrator's reset (page and command line): both end the person's
other sessions, and every door applies the same password rules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from surveys.accounts.users import Role, create_user
from surveys.db.tables import AuditEvent, User
from tests.server.account_clients import PASSWORD, browsers, form_token, is_signed_in, try_sign_in
from tests.support import csrf_token

ROOT = Path(__file__).resolve().parents[2]
NEW = "ny fin mening om kaffe"


async def _change(client, current: str, new: str, again: str | None = None):
    return await client.post(
        "/konto/losenord",
        data={
            "_csrf_token": await form_token(client),
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )


async def test_a_person_changes_their_password_and_their_other_sessions_end(database):
    await create_user("lena@example.se", PASSWORD, Role.READER)
    async with browsers(database) as browser:
        here, elsewhere = browser("198.51.100.1"), browser("198.51.100.2")
        for client in (here, elsewhere):
            assert (await try_sign_in(client, "lena@example.se", PASSWORD)).status_code == 303
        changed = await _change(here, PASSWORD, NEW)
        assert changed.status_code == 303 and changed.headers["location"] == "/konto?klart=losenord"
        page = await here.get("/konto?klart=losenord")
        assert page.status_code == 200 and "Ditt lösenord är bytt" in page.text  # still signed in here
        assert not await is_signed_in(elsewhere)
        assert (await try_sign_in(browser("198.51.100.3"), "lena@example.se", PASSWORD)).status_code == 401
        assert (await try_sign_in(browser("198.51.100.4"), "lena@example.se", NEW)).status_code == 303
    assert await AuditEvent.count().where(AuditEvent.action == "password.changed") == 1


async def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(database):
    await create_user("lena@example.se", PASSWORD, Role.READER)
    before = (await User.select(User.password_hash).first())["password_hash"]
    async with browsers(database) as browser:
        here = browser("198.51.100.1")
        await try_sign_in(here, "lena@example.se", PASSWORD)
        wrong = await _change(here, "inte-mitt-losenord", NEW)
        assert wrong.status_code == 422 and "Det nuvarande lösenordet stämmer inte" in wrong.text
        assert 'id="current_password-error"' in wrong.text
        common = await _change(here, PASSWORD, "Sommar2026!!")
        assert common.status_code == 422 and "för vanligt" in common.text
        typo = await _change(here, PASSWORD, NEW, again=NEW + "x")
        assert typo.status_code == 422 and "samma nya lösenord två gånger" in typo.text
        assert NEW not in typo.text and PASSWORD not in typo.text  # a password is never sent back
        assert await is_signed_in(here)
    assert (await User.select(User.password_hash).first())["password_hash"] == before


async def test_an_administrator_resets_a_forgotten_password_and_the_persons_sessions_end(database):
    await create_user("admin@example.se", PASSWORD, Role.ADMIN)
    lena = await create_user("lena@example.se", PASSWORD, Role.READER)
    async with browsers(database) as browser:
        admin, hers = browser("198.51.100.1"), browser("198.51.100.2")
        await try_sign_in(admin, "admin@example.se", PASSWORD)
        await try_sign_in(hers, "lena@example.se", PASSWORD)
        page = await admin.get(f"/admin/anvandare/{lena.id}")
        assert page.status_code == 200 and "Nytt lösenord" in page.text
        weak = await admin.post(
            f"/admin/anvandare/{lena.id}/losenord",
            data={"_csrf_token": csrf_token(page.text), "password": "kort"},
        )
        assert weak.status_code == 422 and "minst 12 tecken" in weak.text
        reset = await admin.post(
            f"/admin/anvandare/{lena.id}/losenord",
            data={"_csrf_token": csrf_token(page.text), "password": NEW},
        )
        assert reset.status_code == 303
        assert "Lösenordet är bytt" in (await admin.get(reset.headers["location"])).text
        assert not await is_signed_in(hers)
        assert (await try_sign_in(browser("198.51.100.3"), "lena@example.se", NEW)).status_code == 303
        own = await admin.post(
            f"/admin/anvandare/{(await User.select(User.id).where(User.username == 'admin@example.se').first())['id']}"
            "/losenord",
            data={"_csrf_token": csrf_token(page.text), "password": NEW},
        )
        assert own.status_code == 409 and "Mitt konto" in own.text
    events = await AuditEvent.select(AuditEvent.actor, AuditEvent.object).where(
        AuditEvent.action == "password.reset"
    )
    assert events == [{"actor": "admin@example.se", "object": "user:lena@example.se"}]


async def test_the_command_line_sets_a_new_password_and_ends_the_persons_sessions(database):
    await create_user("lena@example.se", PASSWORD, Role.ADMIN)
    async with browsers(database) as browser:
        hers = browser("198.51.100.2")
        await try_sign_in(hers, "lena@example.se", PASSWORD)
        env = {k: v for k, v in os.environ.items() if not k.startswith("EFFEKT_")}
        env.update(EFFEKT_DATABASE_URL=database, PYTHONPATH=str(ROOT))
        command = [sys.executable, "-m", "server.cli", "set-password", "Lena@example.se", "--password-stdin"]
        run = subprocess.run(
            command, input=NEW + "\n", capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
        )
        assert run.returncode == 0, run.stderr
        assert "lena@example.se har ett nytt lösenord" in run.stdout
        weak = subprocess.run(
            command, input="kort\n", capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
        )
        assert weak.returncode == 1 and "minst 12 tecken" in weak.stderr
        assert not await is_signed_in(hers)
        assert (await try_sign_in(browser("198.51.100.3"), "lena@example.se", NEW)).status_code == 303
    events = await AuditEvent.select(AuditEvent.actor).where(AuditEvent.action == "password.reset")
    assert events == [{"actor": "#cli"}]


async def test_a_long_password_with_spaces_and_swedish_letters_is_welcome(database):
    long = "åtta små älgar går över en äng i gryningen, sakta men säkert, mot skogen"
    assert len(long) >= 64
    await create_user("lena@example.se", long, Role.READER)
    async with browsers(database) as browser:
        assert (await try_sign_in(browser("198.51.100.1"), "lena@example.se", long)).status_code == 303
