"""The audit log: who did what, recorded by the doors that do it, read and exported by administrators only,
never holding anything a respondent gave."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from surveys.accounts import audit
from surveys.accounts.users import Role, create_user
from surveys.db.tables import AuditEvent, User
from tests.server.account_clients import PASSWORD, browsers, form_token, try_sign_in
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
    assert ("admin@example.se", "export.raw", "plan:testplan") in [row[:3] for row in log]
    for text in (str(log), exported.text, page.text):
        assert SECRET_ANSWER[:20] not in text
        assert "192.0.2.50" not in text
