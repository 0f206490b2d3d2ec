"""The communicator's workspace: signing in, plans, waves, links, QR codes and live progress."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from surveys.accounts.users import Role, create_user
from surveys.db.tables import EffectGoal, Response, TargetGroupSize
from tests.support import VALID_ANSWERS, csrf_token, form_body, make_wave, sign_in


async def login(client, username, password, next_path="/arbeta"):
    page = await client.get("/logga-in")
    return await client.post(
        "/logga-in",
        data={
            "_csrf_token": csrf_token(page.text),
            "username": username,
            "password": password,
            "next": next_path,
        },
    )


async def test_the_workspace_sends_anonymous_people_to_sign_in(client):
    response = await client.get("/arbeta")
    assert response.status_code == 303
    assert response.headers["location"] == "/logga-in?next=/arbeta"


async def test_a_wrong_user_name_and_a_wrong_password_get_the_same_message(client):
    await create_user("kim@example.se", "ett-langt-losenord", Role.COMMUNICATOR)
    wrong_user = await login(client, "nobody@example.se", "ett-langt-losenord")
    wrong_password = await login(client, "kim@example.se", "fel-losenord-123")
    assert wrong_user.status_code == wrong_password.status_code == 401
    assert "Fel användarnamn eller lösenord." in wrong_user.text
    assert "Fel användarnamn eller lösenord." in wrong_password.text


async def test_signing_in_leads_to_the_page_asked_for_and_signing_out_ends_it(client):
    await create_user("kim@example.se", "ett-langt-losenord", Role.COMMUNICATOR)
    response = await login(client, "KIM@example.se", "ett-langt-losenord", "/arbeta")
    assert response.status_code == 303 and response.headers["location"] == "/arbeta"
    assert "httponly" in response.headers["set-cookie"].lower()
    page = await client.get("/arbeta")
    assert page.status_code == 200 and "kim@example.se" in page.text
    logout = await client.post("/logga-ut", data={"_csrf_token": csrf_token(page.text)})
    assert logout.status_code == 303
    assert (await client.get("/arbeta")).status_code == 303


async def test_sign_in_never_redirects_to_another_site(client):
    await create_user("kim@example.se", "ett-langt-losenord", Role.COMMUNICATOR)
    response = await login(client, "kim@example.se", "ett-langt-losenord", "//evil.example/")
    assert response.headers["location"] == "/"


async def test_guessing_is_stopped_after_five_failures_even_with_the_right_password(client, monkeypatch):
    from datetime import UTC, datetime

    from server import clock

    frozen = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(clock, "now", lambda: frozen)  # so the first wait (a second) cannot pass meanwhile
    await create_user("kim@example.se", "ett-langt-losenord", Role.COMMUNICATOR)
    for _ in range(5):
        assert (await login(client, "kim@example.se", "fel-losenord-123")).status_code == 401
    blocked = await login(client, "kim@example.se", "ett-langt-losenord")
    assert blocked.status_code == 429
    assert "Vänta" in blocked.text and blocked.headers["retry-after"] == "1"


async def test_the_session_changes_at_sign_in(client):
    await create_user("kim@example.se", "ett-langt-losenord", Role.COMMUNICATOR)
    client.cookies.set("effekt_session", "planted-by-someone-else")
    response = await login(client, "kim@example.se", "ett-langt-losenord")
    assert response.status_code == 303
    assert "planted-by-someone-else" not in response.headers["set-cookie"]


async def test_a_reader_may_not_use_the_workspace(client):
    await sign_in(client, Role.READER)
    response = await client.get("/arbeta")
    assert response.status_code == 403
    assert "Din roll får inte" in response.text


async def test_the_workspace_lists_plans_and_waves_with_their_responses(client):
    await make_wave("oppen", "open")
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta")
    assert page.status_code == 200
    assert "Testplanen" in page.text and "/arbeta/omgangar/oppen" in page.text


async def test_a_goal_can_be_edited_and_bad_input_saves_nothing(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/planer/testplan")
    goal = await EffectGoal.select().first()
    url = f"/arbeta/planer/testplan/mal/{goal['id']}"
    bad = await client.post(
        url,
        data={"_csrf_token": csrf_token(page.text), "target": "sjuttio", "deadline": "31/12", "wording": "x"},
    )
    assert bad.status_code == 422
    assert "Skriv målet i procent" in bad.text and "ÅÅÅÅ-MM-DD" in bad.text
    assert (await EffectGoal.select().first())["target_share"] == goal["target_share"]
    good = await client.post(
        url,
        data={
            "_csrf_token": csrf_token(page.text),
            "target": "75,5 %",
            "deadline": "2027-06-30",
            "wording": "Ny lydelse",
        },
    )
    assert good.status_code == 303
    saved = await EffectGoal.select().first()
    assert (
        saved["target_share"] == 0.755
        and str(saved["deadline"]) == "2027-06-30"
        and saved["wording"] == "Ny lydelse"
    )


async def test_target_group_sizes_can_be_edited_and_a_bad_size_saves_nothing(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/planer/testplan")
    url = "/arbeta/planer/testplan/malgrupper/chefer/storlekar"
    bad = await client.post(
        url, data={"_csrf_token": csrf_token(page.text), "size-alby": "fyrtio", "size-region": "70"}
    )
    assert bad.status_code == 422 and "heltal" in bad.text
    assert sorted(
        r["size"] for r in await TargetGroupSize.select().where(TargetGroupSize.target_group.code == "chefer")
    ) == [40, 60]
    good = await client.post(
        url, data={"_csrf_token": csrf_token(page.text), "size-alby": "1 200", "size-region": ""}
    )
    assert good.status_code == 303
    assert [
        r["size"] for r in await TargetGroupSize.select().where(TargetGroupSize.target_group.code == "chefer")
    ] == [1200]


async def test_live_progress_hides_small_groups(client):
    await make_wave()
    survey = await client.get("/e/testomgang")
    response = await client.post(
        "/e/testomgang",
        content="&".join(
            f"{k}={v}"
            for k, v in form_body(survey.text, VALID_ANSWERS, organisation="alby", target_group="chefer")
        ),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 303 and await Response.count() == 1
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/omgangar/testomgang")
    assert page.status_code == 200
    assert "färre än 5" in page.text
    assert ">1<" not in page.text.replace(" ", "")


async def test_qr_codes_come_as_png_and_svg_for_each_link(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    png = await client.get("/arbeta/omgangar/testomgang/qr/png?o=alby")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = await client.get("/arbeta/omgangar/testomgang/qr/svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    ElementTree.fromstring(svg.content)
    assert (await client.get("/arbeta/omgangar/testomgang/qr/svg?o=okand")).status_code == 404


async def test_closing_a_wave_early_stops_answers_and_it_can_be_reopened(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/omgangar/testomgang")
    closed = await client.post(
        "/arbeta/omgangar/testomgang/stang", data={"_csrf_token": csrf_token(page.text)}
    )
    assert closed.status_code == 303
    assert (await client.get("/e/testomgang")).status_code == 410
    page = await client.get("/arbeta/omgangar/testomgang")
    assert "Öppna igen" in page.text
    reopened = await client.post(
        "/arbeta/omgangar/testomgang/ateroppna", data={"_csrf_token": csrf_token(page.text)}
    )
    assert reopened.status_code == 303
    assert (await client.get("/e/testomgang")).status_code == 200


async def test_a_wave_past_its_closing_date_cannot_be_reopened(client):
    await make_wave(status="closed")
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/omgangar/testomgang")
    response = await client.post(
        "/arbeta/omgangar/testomgang/ateroppna", data={"_csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 409
    assert "stängningsdatum" in response.text


async def test_reach_is_previewed_refused_with_bad_rows_and_saved_when_they_are_skipped(client):
    from pathlib import Path

    from surveys.db.tables import ReachFigure

    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/planer/testplan/rackvidd")
    assert page.status_code == 200
    sample = (
        Path(__file__).parents[1] / "surveys" / "plans" / "reach_samples" / "fel_rader.csv"
    ).read_bytes()

    async def upload(action: str, skip: bool = False):
        data = {"_csrf_token": csrf_token(page.text), "channel": "intranat", "action": action}
        if skip:
            data["skip"] = "ja"
        return await client.post(
            "/arbeta/planer/testplan/rackvidd",
            data=data,
            files={"file": ("fel_rader.csv", sample, "text/csv")},
        )

    preview = await upload("preview")
    assert preview.status_code == 200 and "Förhandsgranskning" in preview.text and "Rad " in preview.text
    assert await ReachFigure.count() == 0
    refused = await upload("save")
    assert refused.status_code == 422 and "Inget sparades" in refused.text
    assert await ReachFigure.count() == 0
    saved = await upload("save", skip=True)
    assert saved.status_code == 200 and "sparade" in saved.text
    assert await ReachFigure.count() > 0


async def test_a_communicator_creates_a_wave_in_the_browser_and_bad_input_saves_nothing(client):
    from surveys.db.tables import Wave

    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/omgangar/ny")
    assert page.status_code == 200 and 'name="target_group"' in page.text
    base = {
        "_csrf_token": csrf_token(page.text),
        "plan": "testplan",
        "questionnaire": "testenkat",
        "title": "Våren 2027",
    }
    bad = await client.post(
        "/arbeta/omgangar/ny",
        data=base
        | {
            "slug": "Omgång 1!",
            "opens": "2027-03-19T17:00",
            "closes": "2027-03-01T08:00",
            "organisation": "alby",
        },
    )
    assert bad.status_code == 422 and "stänga efter att den öppnar" in bad.text and "Adressnamnet" in bad.text
    assert await Wave.count() == 1
    good = await client.post(
        "/arbeta/omgangar/ny",
        data=base
        | {
            "slug": "omgang-1-2027",
            "opens": "2027-03-01T08:00",
            "closes": "2027-03-19T17:00",
            "organisation": ["alby"],
            "target_group": ["chefer"],
        },
    )
    assert good.status_code == 303 and good.headers["location"] == "/arbeta/omgangar/omgang-1-2027"
    created = await Wave.select().where(Wave.slug == "omgang-1-2027").first()
    assert created["opens_at"].hour == 7  # 08:00 Swedish winter time is 07:00 UTC
