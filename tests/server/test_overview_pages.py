"""The one-screen overview, the projector view, preliminary labels and reach over time, as a reader meets them."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

from surveys.accounts.users import Role, create_token, create_user
from surveys.db.tables import Plan
from surveys.plans.reach import ReachRow, store_reach
from surveys.responding.submission import Submission, store_submission
from surveys.responding.validation import CleanAnswers
from surveys.waves.lookup import find_wave
from tests.support import make_wave, release, sign_in

PLAN = "/resultat/vasternorrland-2026"


def _cells(page: str) -> list[str]:
    return re.findall(r'<td class="cell[^"]*">(.*?)</td>', page, re.S)


async def test_the_overview_is_a_matrix_of_groups_and_steps_headed_by_one_sentence(demo_client):
    await sign_in(demo_client, Role.READER)
    page = (await demo_client.get(PLAN)).text
    headline = re.search(r'<p class="headline">([^<]+)</p>', page).group(1)
    assert re.fullmatch(
        r"\d+ av 15 mål uppnådd[a|t], \d+ ej säkerställd[a|t], \d+ ej uppnådd[a|t]\.", headline
    )
    numbers = [int(n) for n in re.findall(r"\d+", headline)]
    assert numbers[0] + numbers[2] + numbers[3] == 15  # every goal counted once
    assert "Svarsfrekvens i Mätomgång 3" in page
    assert page.count('<th scope="row">') == 8  # a row per target group
    assert len(_cells(page)) + page.count('class="cell empty"') == 8 * 4
    # Status is a shape and a word; the verdict sentences live on the group pages, not here.
    assert "Ej uppnått" in page and "✖" in page
    assert "kan bero på slumpen" not in page and "statistiskt säkerställd" not in page
    assert "Svarsfrekvensen är låg" not in page


async def test_every_cell_has_a_trend_line_with_its_numbers_in_words(demo_client):
    await sign_in(demo_client, Role.READER)
    page = (await demo_client.get(PLAN)).text
    lines = re.findall(r'<svg class="spark"[^>]*role="img" aria-label="([^"]+)"', page)
    assert len(lines) == len(_cells(page))
    assert all(label.startswith("Andel per mätomgång: Mätomgång 1") for label in lines)
    assert any("Mål: 90\u00a0%" in label for label in lines)


async def test_a_hidden_group_reads_dold_with_one_explanation_on_the_page(demo_client):
    await sign_in(demo_client, Role.READER)
    page = (await demo_client.get(PLAN)).text
    assert ">dold<" in page
    assert page.count("för att ingen enskild persons svar ska kunna räknas fram") == 1


async def test_the_verdict_sentences_are_on_the_target_group_page(demo_client):
    await sign_in(demo_client, Role.READER)
    page = (await demo_client.get(PLAN + "/malgrupper/medarbetare")).text
    assert re.search(r'<p class="verdict">Målet \(minst 50\u00a0%\) är inte uppnått', page)
    assert "kan bero på slumpen" in page or "statistiskt säkerställd" in page
    assert 'href="/resultat/vasternorrland-2026/visning/medarbetare"' in page


async def test_the_presentation_steps_through_every_group_with_plain_links(demo_client):
    await sign_in(demo_client, Role.READER)
    first = (await demo_client.get(PLAN + "/visning")).text
    assert 'rel="prev"' not in first.split("<body")[1]
    assert '<a rel="next" href="/resultat/vasternorrland-2026/visning/hogsta-ledning">' in first
    assert "1 av 9" in first and '<h1 class="headline">' in first
    seen = ["overview"]
    address = "/resultat/vasternorrland-2026/visning/hogsta-ledning"
    while address:
        page = (await demo_client.get(address)).text
        assert f"{len(seen) + 1} av 9" in page
        assert '<script src="/static/presentation.js" defer></script>' in page
        seen.append(address.rsplit("/", 1)[1])
        found = re.search(r'<a rel="next" href="([^"]+)"', page)
        address = found.group(1) if found else None
    assert seen[-1] == "invanare" and len(seen) == 9
    last = (await demo_client.get(PLAN + "/visning/invanare")).text
    assert '<a rel="prev" href="/resultat/vasternorrland-2026/visning/politiker">' in last
    assert 'class="exit" href="/resultat/vasternorrland-2026/malgrupper/invanare"' in last


async def test_a_group_slide_shows_each_goal_large_with_status_and_trend(demo_client):
    await sign_in(demo_client, Role.READER)
    page = (await demo_client.get(PLAN + "/visning/kommunala-chefer")).text
    assert page.count('<section class="slide-goal') == 2
    assert page.count('class="share"') == 2 and "Ej uppnått" in page
    assert page.count('<svg class="spark"') == 2
    assert '<p class="verdict">Målet (minst 75\u00a0%) är inte uppnått' in page


async def test_an_unknown_group_has_no_slide(demo_client):
    await sign_in(demo_client, Role.READER)
    assert (await demo_client.get(PLAN + "/visning/finns-inte")).status_code == 404
    assert (await demo_client.get("/resultat/finns-inte/visning")).status_code == 404


async def test_the_presentation_needs_a_signed_in_reader(demo_client):
    response = await demo_client.get(PLAN + "/visning")
    assert response.status_code == 303 and response.headers["location"].startswith("/logga-in")


# --- preliminary numbers from an interim release of an open wave ------------------------------------------


async def _answers(count: int, organisation: int, known: str, start: int) -> None:
    wave = await find_wave("testomgang")
    for i in range(count):
        await store_submission(
            wave,
            Submission(
                organisation_id=wave.organisations[organisation].id,
                target_group_id=wave.target_groups[0].id,
                answers=CleanAnswers(chosen={"kannedom": (known if i % 4 else "nej",)}, texts={}),
                submission_key=f"overview-test-{start + i:08d}",
            ),
            datetime.now(UTC),
        )


async def _an_interim_release() -> None:
    await make_wave()
    await _answers(12, 0, "ja", 0)
    await _answers(12, 1, "ja", 100)
    await release()


async def test_an_interim_release_is_labelled_preliminary_and_never_judged(client):
    await _an_interim_release()
    await sign_in(client, Role.READER)
    page = (await client.get("/resultat/testplan")).text
    cell = _cells(page)[0]
    assert "Preliminärt" in cell and re.search(r'class="share">\d+\u00a0%', cell)
    for status in ("Uppnått", "Ej uppnått", "Ej säkerställt"):
        assert status not in cell
    assert "Omgång testomgang pågår" in page
    assert (
        '<p class="headline">0 av 1 mål uppnådda, 0 ej säkerställda, 0 ej uppnådda, 1 utan slutligt resultat.'
        in page
    )
    assert "Svarsfrekvens hittills i Omgång testomgang" in page
    assert "(preliminärt)" in re.search(r'aria-label="([^"]+)"', cell).group(1)

    group = (await client.get("/resultat/testplan/malgrupper/chefer")).text
    assert "Preliminärt: Omgång testomgang pågår" in group
    for verdict in (
        "är uppnått:",
        "statistiskt säkerställd",
        "ingen säkerställd trend",
        "kan bero på slumpen",
    ):
        assert verdict not in group
    slide = (await client.get("/resultat/testplan/visning/chefer")).text
    assert "Preliminärt" in slide and "Ej säkerställt" not in slide and "Uppnått" not in slide


async def test_the_target_group_charts_name_the_preliminary_wave(client):
    await _an_interim_release()
    await sign_in(client, Role.READER)
    group = (await client.get("/resultat/testplan/malgrupper/chefer")).text
    alts = re.findall(r'<img src="[^"]+" alt="([^"]+)"', group)
    assert alts and any("Omgång testomgang (preliminärt)" in alt for alt in alts)


async def test_a_closed_wave_is_judged_as_before(client):
    await make_wave("stangd", "closed")
    await sign_in(client, Role.READER)
    page = (await client.get("/resultat/testplan")).text
    assert "Preliminärt" not in page


# --- reach over time ---------------------------------------------------------------------------------------


async def _reach_with_a_gap() -> None:
    await make_wave("stangd", "closed")
    plan = await Plan.select(Plan.id).where(Plan.code == "testplan").first()
    await store_reach(
        plan["id"],
        [
            ReachRow(None, "intranat", date(2026, 3, 1), date(2026, 3, 31), "views", 500),
            ReachRow(None, "intranat", date(2026, 5, 1), date(2026, 5, 31), "views", 700),
        ],
    )


async def test_a_month_without_reach_figures_is_shown_as_missing_not_zero(client):
    await _reach_with_a_gap()
    await sign_in(client, Role.READER)
    page = (await client.get("/resultat/testplan/rackvidd")).text
    assert "Räckvidd per kanal över tid: visningar" in page
    rows = dict(re.findall(r'<tr><th scope="row">(\w+ 2026)</th><td[^>]*>([^<]+)</td>', page))
    assert rows["mars 2026"] == "500" and rows["maj 2026"] == "700"
    assert rows["april 2026"] == "saknas"
    assert "Saknas för april 2026" in page  # in the chart's text alternative
    # The chart draws no line across the gap: two points, no segment between them.
    svg = re.search(
        r'<svg xmlns="http://www.w3.org/2000/svg"[^>]*class="reach-chart".*?</svg>', page, re.S
    ).group(0)
    assert svg.count('stroke-width="2"/>') == 1  # only the legend's sample line


async def test_the_reach_page_shows_recall_and_l1_l2_per_wave_beside_reach(client):
    await _reach_with_a_gap()
    await sign_in(client, Role.READER)
    page = (await client.get("/resultat/testplan/rackvidd?malgrupp=medarbetare")).text
    assert "Medarbetare: andel som minns varje kanal och andel på steg L1–L2, per mätomgång" in page
    assert "Minns: Intranät" in page and "L1 kännedom" in page
    assert (await client.get("/resultat/testplan/rackvidd?malgrupp=finns-inte")).status_code == 404


async def test_the_reach_trend_api_gives_months_with_missing_ones_as_null(client):
    await _reach_with_a_gap()
    account = await create_user(f"r-{uuid.uuid4().hex[:8]}@example.se", "ett-langt-losenord", Role.READER)
    headers = {"authorization": f"Bearer {await create_token(account.id, 'test')}"}
    response = await client.get("/api/v1/plans/testplan/reach/trend", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert "inte en effekt" in body["note"]
    intranat = next(s for s in body["channels"] if s["key"] == "intranat" and s["metric"] == "views")
    months = {m["month"]: m for m in intranat["months"]}
    assert months["2026-03-01"]["value"] == 500 and months["2026-05-01"]["value"] == 700
    assert months["2026-04-01"] == {
        "month": "2026-04-01",
        "value": None,
        "missing": True,
        "in_longer_period": False,
    }
    assert body["target_group"] == "chefer"
    assert (await client.get("/api/v1/plans/testplan/reach/trend")).status_code == 401
    unknown = await client.get("/api/v1/plans/finns-inte/reach/trend", headers=headers)
    assert unknown.status_code == 404


async def test_the_reach_trend_api_never_sends_a_hidden_share(demo_client):
    account = await create_user(f"r-{uuid.uuid4().hex[:8]}@example.se", "ett-langt-losenord", Role.READER)
    headers = {"authorization": f"Bearer {await create_token(account.id, 'test')}"}
    response = await demo_client.get(
        "/api/v1/plans/vasternorrland-2026/reach/trend?target_group=samordnare", headers=headers
    )
    assert response.status_code == 200
    waves = response.json()["waves"]
    hidden = [v for w in waves for v in (*w["recall"].values(), *w["steps"].values()) if v["hidden"]]
    assert hidden, "the coordinators are hidden in the later waves"
    assert all(v["share"] is None and v["low"] is None and v["high"] is None for v in hidden)
    linkedin = next(s for s in response.json()["channels"] if s["key"] == "linkedin")
    assert linkedin["longer_periods"] and not any(m["value"] for m in linkedin["months"])  # never split up
