"""The results pages, meeting pages and meeting packs say nothing about an organisation that the API hides (issue 13).

The intruder solves for hidden groups from the API, the exports and the progress pages; ``documents`` reads
every page and pack a reader may fetch as text and finds any organisation's number the API does not publish.
Together they cover what a reader can fetch.
"""

from __future__ import annotations

import re

import httpx

from surveys.accounts.users import Role
from tests.anonymity import collect
from tests.anonymity.documents import (
    ApiView,
    Segment,
    api_view,
    html_segments,
    leaks,
    named_organisations,
    pdf_segments,
    pptx_segments,
    statements_about,
    svg_segments,
)
from tests.anonymity.plans import RandomPlan, answer_all, close, store_random_plan
from tests.support import csrf_token, sign_in

DEMO = "vasternorrland-2026"
PACKS = {"pdf": pdf_segments, "pptx": pptx_segments}


async def _read_as_reader(client: httpx.AsyncClient, plan: str) -> tuple[ApiView, list[Segment]]:
    """Everything a reader may fetch about a plan's results, as the API's view and the documents' segments."""
    client.cookies.clear()
    publication = await collect.as_reader(client, plan)
    view = api_view(publication.results, publication.waves.values())
    segments: list[Segment] = []

    async def page(url: str, group: str | None = None) -> str:
        response = await client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        segments.extend(html_segments(response.text, url, group))
        return response.text

    await page(f"/resultat/{plan}")
    for path in ("visning", "rackvidd", "aktiviteter", "fragor"):
        await page(f"/resultat/{plan}/{path}")
    for group in publication.results["target_groups"]:
        code = group["code"]
        text = await page(f"/resultat/{plan}/malgrupper/{code}", code)
        await page(f"/resultat/{plan}/visning/{code}", code)
        await page(f"/resultat/{plan}/fragor?malgrupp={code}", code)
        for chart in sorted(set(re.findall(r'src="(/resultat/[^"?]+/diagram/[^"?]+\.svg)', text))):
            response = await client.get(chart)
            assert response.status_code == 200, f"{chart}: {response.status_code}"
            segments.extend(svg_segments(response.text, chart, code))
    meetings = await page(f"/resultat/{plan}/moten")
    for meeting in sorted(set(re.findall(rf'href="/resultat/{re.escape(plan)}/moten/(\d+)"', meetings))):
        await page(f"/resultat/{plan}/moten/{meeting}")
        for fmt, read in PACKS.items():
            response = await client.get(f"/resultat/{plan}/moten/{meeting}/motespaket/{fmt}")
            assert response.status_code == 200, f"the {fmt} pack: {response.status_code}"
            segments.extend(read(response.content, f"meeting {meeting} {fmt}"))
        html_pack = await client.get(f"/resultat/{plan}/moten/{meeting}/motespaket/html")
        if html_pack.status_code == 200:
            segments.extend(html_segments(html_pack.text, f"meeting {meeting} html"))
    return view, segments


def _plan(cells: dict[str, list[tuple[str, str | None]]]) -> RandomPlan:
    organisations = tuple(cells)
    return RandomPlan(
        "sidor",
        organisations,
        ("chefer",),
        {"chefer": {org: 40 for org in organisations}},
        {("chefer", org): tuple(answers) for org, answers in cells.items()},
    )


MIXED = [("ja", "ja"), ("ja", "nej"), ("nej", None), ("ja", "vet_ej"), ("vet_ej", None), ("ja", "ja")]


def test_the_check_finds_a_hidden_organisations_share_in_a_table_row_and_a_sentence():
    view = api_view(
        {
            "confidence": 0.95,
            "target_groups": [{"code": "chefer", "name": "Chefer"}],
            "goals": [
                {
                    "target_group": "chefer",
                    "target": 0.8,
                    "waves": [
                        {
                            "organisations": [
                                {
                                    "code": "a",
                                    "name": "Alby kommun",
                                    "estimate": {"share": 0.5, "low": 0.4, "high": 0.6},
                                },
                                {"code": "c", "name": "Cala kommun", "estimate": None},
                            ]
                        }
                    ],
                }
            ],
        }
    )
    page = (
        "<table><tr><th>Organisation</th><th>Andel</th><th>Svarande</th></tr>"
        "<tr><th>Alby kommun</th><td>50 %</td><td>10</td></tr>"
        "<tr><th>Cala kommun</th><td>dold</td><td>dold</td></tr></table>"
        "<p>Andelen är lägst i Alby kommun, 50 %.</p>"
    )
    assert leaks(html_segments(page, "ok"), view) == []
    leaky = page.replace("<td>dold</td><td>dold", "<td>33 %</td><td>3").replace(
        "Alby kommun, 50", "Cala kommun, 20"
    )
    found = leaks(html_segments(leaky, "row"), view)
    assert [f.split(":")[0] for f in found] == [
        "row",
        "row",
        "row",
    ]  # the row's share, its count, the sentence


def test_the_check_finds_a_hidden_organisations_share_in_a_chart():
    view = api_view(
        {
            "target_groups": [{"code": "chefer", "name": "Chefer"}],
            "goals": [
                {
                    "target_group": "chefer",
                    "target": 0.8,
                    "waves": [
                        {
                            "organisations": [
                                {"code": "a", "name": "Alby kommun", "estimate": {"share": 0.5}},
                                {"code": "c", "name": "Cala kommun", "estimate": None},
                            ]
                        }
                    ],
                }
            ],
        }
    )
    chart = (
        '<svg><title>Chefer per organisation</title><g><text x="1">Alby kommun</text>'
        '<text x="2">Cala kommun</text><text x="3">50 %</text><text x="4">0 %</text>'
        '<text x="5">100 %</text>{}</g></svg>'
    )
    assert leaks(svg_segments(chart.format(""), "chart", "chefer"), view) == []
    found = leaks(svg_segments(chart.format('<text x="6">33 %</text>'), "chart", "chefer"), view)
    assert len(found) == 1 and "33 %" in found[0]


async def test_no_page_or_pack_shows_a_hidden_organisations_numbers(client):
    plan = _plan({"alby": MIXED * 2, "borg": MIXED * 2, "dala": MIXED * 2, "cala": MIXED[:3]})
    slug = await store_random_plan(plan)
    await answer_all(client, slug, plan)
    await close(client, slug)
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get(f"/resultat/{plan.code}/moten")
    made = await client.post(
        f"/resultat/{plan.code}/moten",
        data={"_csrf_token": csrf_token(page.text), "title": "Länsledningen", "held_on": "2026-12-10"},
    )
    assert made.status_code == 303, made.text
    view, segments = await _read_as_reader(client, plan.code)
    assert "cala" not in view.shown and len(view.shown) >= 2, "the plan hides the small organisation, not all"
    assert statements_about(segments, view, "cala"), "the documents name the hidden organisation somewhere"
    shown = [s for code in view.shown for s in statements_about(segments, view, code) if "%" in s.text]
    assert shown, "the documents show the other organisations' shares: the check has something to compare"
    assert leaks(segments, view) == []


async def test_no_demo_page_shows_an_organisation_number_the_api_does_not(demo_client):
    view, segments = await _read_as_reader(demo_client, DEMO)
    assert any(s.group and "dold" in s.text and named_organisations(s.text, view) for s in segments), (
        "a group's page names organisations it hides: the check reads the rows where a leak would be"
    )
    assert sum(1 for s in segments if "%" in s.text) > 50
    assert any(s.ticks and named_organisations(s.text, view) for s in segments), (
        "a chart names organisations: the check reads the charts' text too"
    )
    assert leaks(segments, view) == []
