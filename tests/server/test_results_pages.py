"""Länsledning's pages: the overview, a target group's charts with their tables, and honest hiding."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from surveys.accounts.users import Role
from tests.support import sign_in

PLAN = "/resultat/vasternorrland-2026"


async def test_results_need_a_signed_in_reader(demo_client):
    response = await demo_client.get(PLAN)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/logga-in")


async def test_the_overview_has_a_row_per_target_group_with_status_in_words(demo_client):
    await sign_in(demo_client, Role.READER)
    page = await demo_client.get(PLAN)
    assert page.status_code == 200
    rows = re.findall(r"<tr>\s*<th scope=\"row\">", page.text)
    assert len(rows) == 8
    assert "Ej uppnått" in page.text and "Ej säkerställt" in page.text
    assert "Arbetsyta" not in page.text  # a reader has no workspace


async def test_a_single_plan_opens_directly(demo_client):
    await sign_in(demo_client, Role.READER)
    response = await demo_client.get("/resultat")
    assert response.status_code == 303 and response.headers["location"] == PLAN


async def test_a_small_group_is_shown_as_too_few_answers(demo_client):
    await sign_in(demo_client, Role.READER)
    page = await demo_client.get(PLAN + "/malgrupper/samordnare")
    assert page.status_code == 200
    # One symbol for every hidden number, and one explanation (issue #13): no reason per cell.
    assert "dold" in page.text


async def test_a_group_page_has_charts_with_descriptions_and_tables(demo_client):
    await sign_in(demo_client, Role.READER)
    page = await demo_client.get(PLAN + "/malgrupper/medarbetare")
    assert page.status_code == 200
    images = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', page.text)
    assert len(images) >= 4
    assert all(len(alt) > 40 for _src, alt in images)
    assert page.text.count("<details>") == len(images)
    svg = await demo_client.get(images[0][0])
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(svg.content)
    assert root.find("{http://www.w3.org/2000/svg}title") is not None
    assert "\u00a0%" in svg.text


async def test_charts_are_rendered_once_and_then_served_from_the_cache(demo_client):
    from analysis.render import charts

    await sign_in(demo_client, Role.READER)
    page = await demo_client.get(PLAN + "/malgrupper/politiker")
    src = re.search(r'<img src="([^"]+)"', page.text).group(1)
    first = await demo_client.get(src)
    calls = []
    original = charts.render
    charts.render = lambda *a, **k: calls.append(1) or original(*a, **k)
    try:
        second = await demo_client.get(src)
    finally:
        charts.render = original
    assert first.content == second.content
    assert calls == []


async def test_an_unknown_group_or_chart_is_not_found(demo_client):
    await sign_in(demo_client, Role.READER)
    assert (await demo_client.get(PLAN + "/malgrupper/finns-inte")).status_code == 404
    assert (await demo_client.get(PLAN + "/malgrupper/medarbetare/diagram/trend-999.svg")).status_code == 404
    assert (await demo_client.get(PLAN + "/malgrupper/medarbetare/diagram/ladder.gif")).status_code == 404


async def test_the_png_version_of_a_chart_is_a_png(demo_client):
    await sign_in(demo_client, Role.READER)
    response = await demo_client.get(PLAN + "/malgrupper/medarbetare/diagram/ladder.png")
    assert response.status_code == 200
    assert response.content.startswith(b"\x89PNG")


async def test_results_download_as_excel_with_hidden_cells_blank_and_explained(demo_client, tmp_path):
    import openpyxl

    await sign_in(demo_client, Role.READER)
    response = await demo_client.get(PLAN + "/export/xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    path = tmp_path / "resultat.xlsx"
    path.write_bytes(response.content)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:2] == ["Effektmål", "Per organisation"]
    sheet = workbook["Per organisation"]
    header = [c.value for c in sheet[2]]
    share, note = header.index("Andel"), header.index("Anmärkning")
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    hidden = [r for r in rows if r[note]]
    assert hidden, "the demo has hidden organisations"
    assert all(r[share] is None for r in hidden)
    assert all(isinstance(r[share], int | float) for r in rows if not r[note] and r[share] is not None)


async def test_results_download_as_csv_for_swedish_excel(demo_client):
    import csv
    import io

    await sign_in(demo_client, Role.READER)
    response = await demo_client.get(PLAN + "/export/csv")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert any("Effektmål" in r for r in rows)
    assert any(re.fullmatch(r"0,\d{4}", cell) for r in rows for cell in r)


async def test_raw_responses_are_for_admins_and_leave_out_groups_under_k(client):
    import csv
    import io

    from tests.support import VALID_ANSWERS, form_body, make_wave

    await make_wave()
    # Five from Alby (a group that may be shown) and two from the region (a group that may not).
    for i, organisation in enumerate(["alby"] * 5 + ["region"] * 2):
        survey = await client.get("/e/testomgang")
        answers = {**VALID_ANSWERS, "fritext": [f'=HYPERLINK("x") {organisation} {i}']}
        response = await client.post(
            "/e/testomgang",
            data=dict(form_body(survey.text, answers, organisation=organisation, target_group="chefer"))
            | {"q-kanaler": ["intranat", "mote"]},
        )
        assert response.status_code == 303
    await sign_in(client, Role.COMMUNICATOR)
    assert (await client.get("/resultat/testplan/svar.csv")).status_code == 403
    client.cookies.clear()
    await sign_in(client, Role.ADMIN)
    response = await client.get("/resultat/testplan/svar.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body, note = rows[0], rows[1:-1], rows[-1]
    assert len(body) == 5
    assert all(row[header.index("Organisation")] == "alby" for row in body)
    assert "region" not in "".join(";".join(row) for row in body)  # the two-person group gives no row
    assert "färre än 5 svarande ingår inte" in note[-1]
    assert body[0][header.index("kannedom")] == "ja"
    assert body[0][header.index("kanaler")] == "intranat|mote"
    assert all(row[header.index("fritext")].startswith("'=HYPERLINK") for row in body)  # neutralised
    assert not any(":" in row[header.index("Datum")] for row in body)  # a date, never a time


async def test_raw_free_text_appears_from_five_answers_and_never_as_a_formula(client):
    import csv
    import io
    from datetime import UTC, datetime

    from surveys.responding.submission import Submission, store_submission
    from surveys.responding.validation import CleanAnswers
    from surveys.waves.lookup import find_wave
    from tests.support import make_wave

    await make_wave()
    wave = await find_wave("testomgang")
    for i in range(5):
        await store_submission(
            wave,
            Submission(
                wave.organisations[0].id,
                wave.target_groups[0].id,
                CleanAnswers(chosen={"kannedom": ("nej",)}, texts={"fritext": f"=1+{i}"}),
                f"raw-free-text-{i:04d}-xxxx",
            ),
            datetime.now(UTC),
        )
    await sign_in(client, Role.ADMIN)
    response = await client.get("/resultat/testplan/svar.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    texts = [row[rows[0].index("fritext")] for row in rows[1:]]
    assert sorted(texts) == [f"'=1+{i}" for i in range(5)]


async def test_the_activities_page_shows_reach_beside_recall(demo_client):
    await sign_in(demo_client, Role.READER)
    page = await demo_client.get(PLAN + "/aktiviteter")
    assert page.status_code == 200
    assert "Exponeringar: 18\u00a0400" in page.text  # LinkedIn reach of "Noterat från Länsledning HälSam"
    assert "LinkedIn: " in page.text and " av Medarbetare inom skola" in page.text
    assert 'href="/resultat/vasternorrland-2026/rackvidd"' in page.text or "Räckvidd över tid" in page.text


async def test_on_english_pages_the_plans_own_swedish_words_are_marked_as_swedish(demo_client):
    await sign_in(demo_client, Role.READER)

    english = await demo_client.get("/resultat/vasternorrland-2026?lang=en")
    group = await demo_client.get("/resultat/vasternorrland-2026/malgrupper/hogsta-ledning?lang=en")
    swedish = await demo_client.get("/resultat/vasternorrland-2026?lang=sv")

    assert '<h1 lang="sv">' in english.text  # the plan's title
    assert '<h1 lang="sv">' in group.text
    assert '<h1 lang="sv">' not in swedish.text  # a Swedish page needs no marking
