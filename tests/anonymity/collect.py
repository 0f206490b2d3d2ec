"""Fetching, as a reader and as a communicator with ordinary accounts, everything they may fetch about a plan.

Reader (läsare): the plan list and results API (an API key of their own), the public wave API (every wave's
questions, show-if and "Vet ej" rules), and the CSV and XLSX exports (signed in). Communicator (kommunikatör),
in addition: each wave's page with its "svar hittills" table. Nothing here interprets what was fetched; ``facts`` does.
"""

from __future__ import annotations

import uuid

import httpx

from surveys.accounts.users import Role, create_token, create_user
from tests.anonymity.facts import Publication
from tests.support import sign_in


async def api_key(role: Role) -> dict[str, str]:
    account = await create_user(f"{role.value}-{uuid.uuid4().hex[:8]}@example.se", "ett-langt-losenord", role)
    return {"authorization": f"Bearer {await create_token(account.id, 'nyfiken')}"}


async def _json(client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None):
    response = await client.get(url, headers=headers or {})
    return response.json() if response.status_code == 200 else None


async def results_json(client: httpx.AsyncClient, plan: str, headers: dict[str, str]) -> dict:
    response = await client.get(f"/api/v1/plans/{plan}/results", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def as_reader(client: httpx.AsyncClient, plan: str) -> Publication:
    headers = await api_key(Role.READER)
    publication = Publication(plan)
    listed = await _json(client, "/api/v1/plans", headers) or []
    assert any(p.get("code") == plan for p in listed), "the reader's plan list must name the plan"
    publication.results = await results_json(client, plan, headers)
    slugs = [w["slug"] for w in publication.results.get("waves", [])]
    if not slugs:  # a format without the plan's waves: the open ones will do
        slugs = [w["slug"] for w in (await _json(client, "/api/v1/waves") or {}).get("waves", [])]
    for slug in slugs:
        wave = await _json(client, f"/api/v1/waves/{slug}")
        if wave is not None:
            publication.waves[slug] = wave
    await sign_in(client, Role.READER)
    for fmt in ("csv", "xlsx"):
        response = await client.get(f"/resultat/{plan}/export/{fmt}")
        assert response.status_code == 200, response.text
        setattr(publication, fmt, response.content)
    return publication


async def as_communicator(client: httpx.AsyncClient, plan: str) -> Publication:
    """What a reader gets, plus each wave's progress page.

    Registered group sizes (/api/v1/plans/<plan>) are not used: an open link lets anyone answer for any
    group, so a size bounds nothing for sure.
    """
    publication = await as_reader(client, plan)
    client.cookies.clear()  # signed in as the reader: sign in afresh
    await sign_in(client, Role.COMMUNICATOR)
    for slug in publication.waves:
        response = await client.get(f"/arbeta/omgangar/{slug}")
        assert response.status_code == 200, f"a communicator may see the wave page: {response.text[:200]}"
        publication.progress[slug] = response.text
    return publication
