"""The audit log: who did what, recorded by the doors that do it, read and exported by administrators only,
never holding anything a respondent gave."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from surveys.accounts import audit
from surveys.accounts.users import Role, create_user
from surveys.db.tables import AuditEvent, User
from surveys.waves.codes import issue_codes
from tests.server.account_clients import PASSWORD, browsers, form_token, try_sign_in
from tests.server.test_cli import ROOT, effekt
from tests.server.test_respondent import post_form
from tests.support import VALID_ANSWERS, form_body, make_wave

SECRET_ANSWER = "Min chef heter Kalle Karlsson"


async def _log() -> list[tuple[str, str, str, str]]:
    rows = await AuditEvent.select(
        AuditEvent.actor, AuditEvent.action, AuditEvent.object, AuditEvent.detail
    ).order_by(AuditEvent.id)
    return [(r["actor"], r["action"], r["object"], r["detail"]) for r in rows]


async def test_what_an_administrator_does_with_users_and_keys_is_recorded_with_who_did_it(database):
    await create_user("admin@example.se", PASSWORD, Role.ADMIN)
    async with browsers(database) as browser:
        admin = browser("198.51.100.1")
        await try_sign_in(admin, "admin@example.se", PASSWORD)
        token = await form_token(admin, "/admin/anvandare")
        await admin.post(
            "/admin/anvandare",
            data={
                "_csrf_token": token,
                "username": "lena@example.se",
                "role": "lasare",
                "password": PASSWORD,
            },
        )
        lena_id = (await User.select(User.id).where(User.username == "lena@example.se").first())["id"]
        await admin.post(
            f"/admin/anvandare/{lena_id}/roll", data={"_csrf_token": token, "role": "kommunikator"}
        )
        await admin.post(f"/admin/anvandare/{lena_id}/inaktivera", data={"_csrf_token": token})
        await admin.post(f"/admin/anvandare/{lena_id}/aktivera", data={"_csrf_token": token})
        made = await admin.post("/konto/nycklar", data={"_csrf_token": token, "name": "Power BI"})
        assert made.status_code == 200
        await try_sign_in(browser("203.0.113.9"), "lena@example.se", "fel-losenord-1")
        await admin.post("/logga-ut", data={"_csrf_token": token})
    log = await _log()
    actions = [(actor, action, object) for actor, action, object, _detail in log]
    assert actions == [
        ("#cli", "user.created", "user:admin@example.se"),
        ("admin@example.se", "sign_in", ""),
        ("admin@example.se", "user.created", "user:lena@example.se"),
        ("admin@example.se", "user.role", "user:lena@example.se"),
        ("admin@example.se", "user.disabled", "user:lena@example.se"),
        ("admin@example.se", "user.enabled", "user:lena@example.se"),
        ("admin@example.se", "api_key.created", "user:admin@example.se"),
        ("#unknown", "sign_in.failed", "user:lena@example.se"),
        ("admin@example.se", "sign_out", ""),
    ]
    details = {action: detail for _actor, action, _object, detail in log}
    assert details["user.role"] == "lasare → kommunikator"
    assert details["user.disabled"] == "sessioner avslutade, 0 API-nycklar återkallade"
    assert details["api_key.created"].startswith("Power BI, gäller till ")
    assert details["sign_in.failed"] == "fel lösenord"
    assert all("fel-losenord-1" not in str(row) and PASSWORD not in str(row) for row in log)


async def test_only_administrators_read_or_export_the_log(database):
    await create_user("admin@example.se", PASSWORD, Role.ADMIN)
    for role in (Role.READER, Role.COMMUNICATOR):
        await create_user(f"{role.value}@example.se", PASSWORD, role)
    async with browsers(database) as browser:
        anonymous = browser("198.51.100.9")
        for path in ("/admin/logg", "/admin/logg.csv"):
            response = await anonymous.get(path)
            assert response.status_code == 303 and response.headers["location"].startswith("/logga-in")
        for role in (Role.READER, Role.COMMUNICATOR):
            staff = browser("198.51.100.8")
            await try_sign_in(staff, f"{role.value}@example.se", PASSWORD)
            assert (await staff.get("/admin/logg")).status_code == 403
            assert (await staff.get("/admin/logg.csv")).status_code == 403
        admin = browser("198.51.100.1")
        await try_sign_in(admin, "admin@example.se", PASSWORD)
        page = await admin.get("/admin/logg")
        assert page.status_code == 200 and "Granskningslogg" in page.text and "Loggade in" in page.text


async def test_the_page_filters_by_day_person_and_kind_a_page_at_a_time(database):
    admin = await create_user("admin@example.se", PASSWORD, Role.ADMIN)
    lena = await create_user("lena@example.se", PASSWORD, Role.READER)
    for n in range(60):
        await audit.record(lena, audit.Action.PLAN_CHANGED, f"plan:plan-{n:02d}", "kanal tillagd")
    old = datetime.now(UTC) - timedelta(days=40)
    await AuditEvent.update({AuditEvent.at: old}).where(AuditEvent.object == "plan:plan-00")
    async with browsers(database) as browser:
        client = browser("198.51.100.1")
        await try_sign_in(client, admin.username, PASSWORD)
        first = await client.get("/admin/logg?vem=lena@example.se")
        assert "60 händelser" in first.text and "sida 1 av 2" in first.text
        assert first.text.count("kanal tillagd") == audit.PAGE_SIZE
        assert "plan:plan-59" in first.text and "plan:plan-09" not in first.text  # newest first
        second = await client.get("/admin/logg?vem=lena@example.se&sida=2")
        assert second.text.count("kanal tillagd") == 10 and "plan:plan-00" in second.text
        assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
        kind = await client.get("/admin/logg?vad=sign_in")
        assert "1 händelse" in kind.text and "kanal tillagd" not in kind.text
        since = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
        recent = await client.get(f"/admin/logg?vem=lena@example.se&fran={since}")
        assert "59 händelser" in recent.text
        bad = await client.get("/admin/logg?fran=igar")
        assert bad.status_code == 400 and "ÅÅÅÅ-MM-DD" in bad.text


async def test_the_export_is_the_filtered_log_for_excel_and_is_itself_recorded(database):
    admin = await create_user("admin@example.se", PASSWORD, Role.ADMIN)
    lena = await create_user("lena@example.se", PASSWORD, Role.READER)
    await audit.record(
        lena, audit.Action.API_KEY_CREATED, "user:lena@example.se", '=HYPERLINK("x"), gäller till'
    )
    async with browsers(database) as browser:
        client = browser("198.51.100.1")
        await try_sign_in(client, admin.username, PASSWORD)
        export = await client.get("/admin/logg.csv?vem=lena@example.se")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    assert export.text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Tid", "Vem", "Händelse", "Kod", "Gäller", "Detalj"]
    assert [row[1:] for row in rows[1:]] == [
        [
            "lena@example.se",
            "API-nyckel skapad",
            "api_key.created",
            "user:lena@example.se",
            '\'=HYPERLINK("x"), gäller till',  # a formula is neutralised
        ]
    ]
    assert rows[1][0][:4].isdigit() and len(rows[1][0]) == len("2027-03-01 08:00:00")
    exported = await AuditEvent.select(AuditEvent.actor, AuditEvent.detail).where(
        AuditEvent.action == "export.audit"
    )
    assert exported == [{"actor": "admin@example.se", "detail": "vem=lena@example.se"}]


async def test_an_actor_is_an_account_or_one_of_the_two_markers():
    with pytest.raises(ValueError):
        await audit.record("någon", audit.Action.PLAN_CHANGED)


async def test_a_raw_export_is_recorded_and_no_respondent_data_reaches_the_log(database):
    await make_wave()
    await create_user("admin@example.se", PASSWORD, Role.ADMIN)
    async with browsers(database) as browser:
        respondent = browser("192.0.2.50")
        page = await respondent.get("/e/testomgang")
        answers = {**VALID_ANSWERS, "fritext": [SECRET_ANSWER[:50]]}
        posted = await post_form(
            respondent,
            "/e/testomgang",
            form_body(page.text, answers, organisation="alby", target_group="chefer"),
        )
        assert posted.status_code == 303
        admin = browser("198.51.100.1")
        await try_sign_in(admin, "admin@example.se", PASSWORD)
        assert (await admin.get("/resultat/testplan/svar.csv")).status_code == 200
        exported = await admin.get("/admin/logg.csv")
        page = await admin.get("/admin/logg")
    log = await _log()
    assert ("admin@example.se", "export.raw", "Plan testplan (Testplanen)") in [row[:3] for row in log]
    for text in (str(log), exported.text, page.text):
        assert SECRET_ANSWER[:20] not in text
        assert "192.0.2.50" not in text


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


async def test_a_wave_closed_on_its_page_is_recorded_as_done_by_the_signed_in_communicator(database):
    await make_wave()
    await create_user("kim@example.se", PASSWORD, Role.COMMUNICATOR)
    async with browsers(database) as browser:
        kim = browser("198.51.100.4")
        await try_sign_in(kim, "kim@example.se", PASSWORD)
        token = await form_token(kim, "/arbeta/omgangar/testomgang")
        closed = await kim.post("/arbeta/omgangar/testomgang/stang", data={"_csrf_token": token})
        assert closed.status_code == 303
    closes = [row for row in await _log() if row[1] == "wave.closed"]
    assert closes == [("kim@example.se", "wave.closed", "Mätomgång testomgang (Omgång testomgang)", "")]


@pytest.fixture
def sqlite_env(tmp_path) -> dict[str, str]:
    return {"EFFEKT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite'}", "PYTHONPATH": str(ROOT)}


def test_what_the_command_line_does_is_recorded_as_done_by_the_command_line(sqlite_env):
    demo = ROOT / "surveys" / "demo"
    assert effekt("load-plan", str(demo / "vasternorrland.toml"), env=sqlite_env).returncode == 0
    loaded = effekt(
        "load-questionnaire", str(demo / "uppfoljning.toml"), "--plan", "vasternorrland-2026", env=sqlite_env
    )
    assert loaded.returncode == 0, loaded.stderr
    created = effekt(
        "create-wave",
        "--plan=vasternorrland-2026",
        "--questionnaire=uppfoljning-fardplan",
        "--slug=pagar",
        "--title=Våren",
        "--opens=2020-01-01T08:00",
        "--closes=2099-12-31T17:00",
        env=sqlite_env,
    )
    assert created.returncode == 0, created.stderr
    assert effekt("release", "pagar", env=sqlite_env).returncode == 0
    refused = effekt("release", "pagar", env=sqlite_env)  # once a day: refused, and not recorded
    assert refused.returncode == 1
    path = sqlite_env["EFFEKT_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT actor, action, object FROM audit_event ORDER BY id").fetchall()
    plan = "Plan vasternorrland-2026 ("
    assert [(actor, action) for actor, action, _object in rows] == [
        ("#cli", "plan.file"),
        ("#cli", "questionnaire.created"),
        ("#cli", "wave.created"),
        ("#cli", "wave.released"),
    ]
    assert rows[0][2].startswith(plan) and rows[1][2].startswith("Enkät uppfoljning-fardplan (")
    assert rows[2][2] == rows[3][2] == "Mätomgång pagar (Våren)"


async def test_the_export_holds_the_new_actions_in_plain_swedish(database):
    admin = await create_user("admin@example.se", PASSWORD, Role.ADMIN)
    await make_wave()
    with audit.acting(admin):
        await issue_codes("testomgang", 2)
    async with browsers(database) as browser:
        client = browser("198.51.100.1")
        await try_sign_in(client, admin.username, PASSWORD)
        export = await client.get("/admin/logg.csv")
        page = await client.get("/admin/logg?vad=codes.issued")
    rows = _csv_rows(export.text)
    assert [
        "kommandoraden",
        "Mätomgång skapad",
        "wave.created",
        "Mätomgång testomgang (Omgång testomgang)",
    ] in [row[1:5] for row in rows]
    assert [
        "admin@example.se",
        "Engångskoder skapade",
        "codes.issued",
        "Mätomgång testomgang (Omgång testomgang)",
        "2 koder",
    ] in [row[1:] for row in rows]
    assert "1 händelse" in page.text and "Engångskoder skapade" in page.text
    assert re.search(r'<a href="/admin/logg(\?[^"]*)?">Granskningslogg</a>', page.text)  # in the menu


async def test_after_a_wave_with_free_texts_and_codes_the_log_holds_no_answers_codes_or_counts(database):
    """The attack: everything a communicator and an administrator do around a wave, then a search of the log,
    its page and its export for what the respondents gave and for how many answered where."""
    await make_wave()
    admin = await create_user("admin@example.se", PASSWORD, Role.ADMIN)
    secrets = [f"Hemlig fritext nummer {n} om Kalle" for n in range(7)]
    async with browsers(database) as browser:

        async def respond(number: int, organisation: str, code: str | None = None) -> None:
            respondent = browser(f"192.0.2.{60 + number}")
            page = await respondent.get("/e/testomgang")
            fields = form_body(
                page.text,
                {**VALID_ANSWERS, "fritext": [secrets[number]]},
                organisation=organisation,
                target_group="chefer",
            )
            if code:
                fields.append(("code", code))
            assert (await post_form(respondent, "/e/testomgang", fields)).status_code == 303

        for number, organisation in enumerate(["alby", "alby", "alby", "region", "region", "region"]):
            await respond(number, organisation)
        with audit.acting(admin):
            issued = (await issue_codes("testomgang", 5)).codes
        await respond(6, "alby", issued[0])  # alby 4, region 3, 7 in all
        admin_browser = browser("198.51.100.1")
        await try_sign_in(admin_browser, "admin@example.se", PASSWORD)
        token = await form_token(admin_browser, "/arbeta/omgangar/testomgang")
        await admin_browser.post("/arbeta/omgangar/testomgang/redovisa", data={"_csrf_token": token})
        await admin_browser.post("/arbeta/omgangar/testomgang/stang", data={"_csrf_token": token})
        assert (await admin_browser.get("/resultat/testplan")).status_code == 200  # the final release
        assert (await admin_browser.get("/resultat/testplan/svar.csv")).status_code == 200
        exported = await admin_browser.get("/admin/logg.csv")
        page = await admin_browser.get("/admin/logg")
    log = await _log()
    kinds = {action for _actor, action, _object, _detail in log}
    assert {"codes.issued", "wave.released", "export.raw"} <= kinds
    for text in (str(log), exported.text, page.text):
        for secret in secrets:
            assert secret[:20] not in text
        for code in issued:
            assert code not in text and code.replace("-", "") not in text
        assert "Alby" not in text and "alby" not in text and "Regionen" not in text
    for _actor, _action, object, detail in log:
        # Counts of answers (4, 3, 7) are nowhere: only the number of codes (5) and of releases (1, 2).
        assert not re.search(r"(?<![\d:-])[347](?![\d:-])", object + " " + detail), (object, detail)
