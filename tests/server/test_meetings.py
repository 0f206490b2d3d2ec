"""Meetings freeze the results as discussed; decisions per activity build a visible history."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from surveys.accounts.users import Role
from surveys.db.tables import Activity, Decision, Meeting
from surveys.responding.submission import Submission, store_submission
from surveys.responding.validation import CleanAnswers
from surveys.results.plan_results import forget_results
from surveys.waves.lookup import find_wave
from tests.support import csrf_token, make_wave, release, sign_in


async def add_answers(count: int, start: int = 0, known: str = "ja") -> None:
    wave = await find_wave("testomgang")
    for i in range(count):
        await store_submission(
            wave,
            Submission(
                organisation_id=wave.organisations[0].id,
                target_group_id=wave.target_groups[0].id,
                answers=CleanAnswers(
                    chosen={"kannedom": (known,)} | ({"forstaelse": ("4",)} if known == "ja" else {}),
                    texts={},
                ),
                submission_key=f"meeting-test-{start + i:08d}",
            ),
            datetime.now(UTC),
        )


async def new_meeting(client, title="Länsledningens möte", held_on="2026-12-10"):
    page = await client.get("/resultat/testplan/moten")
    return await client.post(
        "/resultat/testplan/moten",
        data={"_csrf_token": csrf_token(page.text), "title": title, "held_on": held_on},
    )


async def _with_an_activity():
    from surveys.db.tables import Plan

    plan = await Plan.select(Plan.id).first()
    await Activity(plan=plan["id"], code="nyhet", title="Nyhet på intranätet", timing="Mars").save()


async def test_a_meeting_keeps_the_results_as_they_were(client):
    await make_wave()
    await add_answers(6, known="ja")
    await add_answers(6, start=100, known="nej")
    await release()
    await sign_in(client, Role.COMMUNICATOR)
    response = await new_meeting(client)
    assert response.status_code == 303
    location = response.headers["location"]
    before = (await client.get(location)).text
    assert "50\u00a0%" in before
    await add_answers(30, start=200, known="ja")
    await release(day=date.today() + timedelta(days=2))
    forget_results()
    after = (await client.get(location)).text
    assert "50\u00a0%" in after  # more answers arrived, the meeting still shows what was discussed
    overview = (await client.get("/resultat/testplan")).text
    assert "50\u00a0%" not in overview.split("<tbody>")[1]


async def test_a_meeting_needs_a_title_and_a_date(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    response = await new_meeting(client, title="", held_on="10 december")
    assert response.status_code == 422
    assert "Ge mötet en rubrik" in response.text and "ÅÅÅÅ-MM-DD" in response.text
    assert await Meeting.count() == 0


async def test_decisions_are_recorded_and_shown_in_the_history(client):
    await make_wave()
    await _with_an_activity()
    await sign_in(client, Role.COMMUNICATOR)
    location = (await new_meeting(client)).headers["location"]
    page = await client.get(location)
    missing = await client.post(
        location + "/beslut",
        data={
            "_csrf_token": csrf_token(page.text),
            "activity": "nyhet",
            "verdict": "upprepa",
            "motivation": "",
        },
    )
    assert missing.status_code == 422 and "Skriv kort varför" in missing.text
    assert await Decision.count() == 0
    saved = await client.post(
        location + "/beslut",
        data={
            "_csrf_token": csrf_token(page.text),
            "activity": "nyhet",
            "verdict": "upprepa",
            "motivation": "Nådde för få chefer; upprepa i chefsbrevet.",
        },
    )
    assert saved.status_code == 303
    history = await client.get("/resultat/testplan/aktiviteter")
    assert "Upprepa" in history.text and "chefsbrevet" in history.text


async def test_a_reader_sees_meetings_but_cannot_decide(client):
    await make_wave()
    await _with_an_activity()
    await sign_in(client, Role.COMMUNICATOR)
    location = (await new_meeting(client)).headers["location"]
    client.cookies.clear()
    await sign_in(client, Role.READER)
    page = await client.get(location)
    assert page.status_code == 200 and "Spara beslutet" not in page.text
    response = await client.post(
        location + "/beslut",
        data={
            "_csrf_token": csrf_token((await client.get("/resultat/testplan/moten")).text),
            "activity": "nyhet",
            "verdict": "tillracklig",
        },
    )
    assert response.status_code == 403


async def test_the_meeting_pack_downloads_as_pdf_and_powerpoint_and_reads_back(client, tmp_path):
    import io

    from pptx import Presentation
    from pypdf import PdfReader

    await make_wave()
    await _with_an_activity()
    await add_answers(8, known="ja")
    await add_answers(4, start=100, known="nej")
    await sign_in(client, Role.COMMUNICATOR)
    location = (await new_meeting(client, title="Decembermötet")).headers["location"]
    pdf = await client.get(location + "/motespaket/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Decembermötet" in text and "Testplanen" in text
    assert "Chefer" in text and "Nyhet på intranätet" in text
    assert f"Sida 1 av {len(reader.pages)}" in text
    pptx = await client.get(location + "/motespaket/pptx")
    assert pptx.status_code == 200
    deck = Presentation(io.BytesIO(pptx.content))
    assert len(deck.slides) >= 4
    charts = [shape for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert charts and all(c._element.nvGraphicFramePr.cNvPr.get("descr") for c in charts)
    page = await client.get(location + "/motespaket/html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert (
        'lang="sv"' in page.text
        and "Decembermötet" in page.text
        and "attachment" in page.headers["content-disposition"]
    )
    assert (await client.get(location + "/motespaket/docx")).status_code == 404


async def test_a_changed_decision_replaces_the_earlier_one_which_stays_in_the_history(client):
    await make_wave()
    await _with_an_activity()
    await sign_in(client, Role.COMMUNICATOR)
    location = (await new_meeting(client)).headers["location"]
    for verdict, motivation in (("upprepa", "Nådde för få chefer."), ("justera", "Gör en film i stället.")):
        page = await client.get(location)
        saved = await client.post(
            location + "/beslut",
            data={
                "_csrf_token": csrf_token(page.text),
                "activity": "nyhet",
                "verdict": verdict,
                "motivation": motivation,
            },
        )
        assert saved.status_code == 303
    page = (await client.get(location)).text
    assert "Ändra beslutet" in page and "Gör en film i stället." in page
    assert "tidigare: Upprepa" in page and 'value="justera" checked' in page
    assert await Decision.count() == 2
    history = (await client.get("/resultat/testplan/aktiviteter")).text
    assert history.count("Justera") == 1 and "Upprepa" not in history.split("<tbody>")[1]


async def test_the_meeting_page_says_when_the_results_were_saved(client):
    from surveys.meetings.records import create_meeting

    await make_wave()
    meeting = await create_meeting(
        "testplan", "Decembermötet", "2026-12-17", k=5, now=datetime(2026, 12, 5, 10, tzinfo=UTC)
    )
    await sign_in(client, Role.READER)
    page = (await client.get(f"/resultat/testplan/moten/{meeting}")).text
    assert "Resultaten sparades 5 december 2026 inför mötet 17 december 2026." in page


async def test_comments_written_on_the_meeting_page_are_printed_in_the_pack(client):
    await make_wave()
    await _with_an_activity()
    await add_answers(8, known="ja")
    await release()
    await sign_in(client, Role.COMMUNICATOR)
    location = (await new_meeting(client)).headers["location"]
    page = await client.get(location)
    goal = re.search(r'name="(goal:\d+)"', page.text).group(1)
    saved = await client.post(
        location + "/kommentarer",
        data={"_csrf_token": csrf_token(page.text), goal: "Mätt före nyheten.", "anchor": "kommentarer-1"},
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("#kommentarer-1")
    saved = await client.post(
        location + "/kommentarer",
        data={"_csrf_token": csrf_token(page.text), "activity:nyhet": "Publicerades i mars."},
    )
    assert saved.status_code == 303
    too_long = await client.post(
        location + "/kommentarer",
        data={"_csrf_token": csrf_token(page.text), "activity:nyhet": "x" * 2001},
    )
    assert too_long.status_code == 422 and "högst 2000 tecken" in too_long.text
    pack = (await client.get(location + "/motespaket/html")).text
    assert "Mätt före nyheten." in pack and "Publicerades i mars." in pack


async def test_the_report_command_writes_the_same_pack(client, tmp_path, database):
    from tests.server.test_cli import ROOT, effekt

    await make_wave()
    await add_answers(6, known="ja")
    await sign_in(client, Role.COMMUNICATOR)
    location = (await new_meeting(client, title="Kommandoradsmötet")).headers["location"]
    meeting_id = location.rsplit("/", 1)[1]
    html = tmp_path / "paket.html"
    env_html = {"EFFEKT_DATABASE_URL": database, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "paket.pdf"
    env = {"EFFEKT_DATABASE_URL": database, "PYTHONPATH": str(ROOT)}
    result = effekt("report", "--plan", "testplan", "--meeting", meeting_id, "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")
    written = effekt(
        "report", "--plan", "testplan", "--meeting", meeting_id, "--out", str(html), env=env_html
    )
    assert written.returncode == 0, written.stderr
    assert html.read_text(encoding="utf-8").startswith("<!doctype html>")
    missing = effekt("report", "--plan", "testplan", "--meeting", "999", "--out", str(out), env=env)
    assert missing.returncode == 1 and "Det finns inget möte 999" in missing.stderr
