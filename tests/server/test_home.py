"""The start page links each person to what their role may use, and signing in lands where the role may be."""

from __future__ import annotations

import re

import pytest

from surveys.accounts.users import Role, create_user
from tests.support import csrf_token, sign_in


def _place_links(html: str) -> list[str]:
    listing = html.split("<h1", 1)[1].split("Öppna enkäter", 1)[0]
    return re.findall(r'<h2><a href="([^"]+)">', listing)


async def test_an_anonymous_visitor_sees_the_open_surveys_and_how_to_sign_in(client):
    page = await client.get("/")
    assert page.status_code == 200
    assert "<h1>Öppna enkäter</h1>" in page.text
    assert 'href="/logga-in"' in page.text
    assert 'href="/arbeta"' not in page.text and 'href="/resultat"' not in page.text


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.READER, ["/resultat"]),
        (Role.COMMUNICATOR, ["/resultat", "/arbeta"]),
        (Role.ADMIN, ["/resultat", "/arbeta", "/admin/anvandare", "/admin/logg"]),
    ],
)
async def test_a_signed_in_person_is_linked_to_what_their_role_may_use(client, role, expected):
    await sign_in(client, role)
    page = await client.get("/")
    assert page.status_code == 200
    assert "Välkommen" in page.text and role.label in page.text
    links = _place_links(page.text)
    assert links == expected
    for link in links:
        # The role may open it: not "Din roll får inte se den här sidan", not sent to sign in.
        opened = await client.get(link, follow_redirects=True)
        assert opened.status_code not in (401, 403), link
        assert "/logga-in" not in str(opened.url), link
    assert "Logga in" not in page.text.split("<main", 1)[1]


@pytest.mark.parametrize(
    ("role", "wanted", "lands"),
    [
        (Role.READER, "/arbeta", "/"),
        (Role.READER, "/resultat/vasternorrland-2026/fragor", "/resultat/vasternorrland-2026/fragor"),
        (Role.READER, "/resultat/vasternorrland-2026/fragor/behov/fritext", "/"),
        (
            Role.COMMUNICATOR,
            "/resultat/vasternorrland-2026/fragor/behov/fritext",
            "/resultat/vasternorrland-2026/fragor/behov/fritext",
        ),
        (Role.COMMUNICATOR, "/admin/anvandare", "/"),
        (Role.ADMIN, "/admin/anvandare", "/admin/anvandare"),
        (Role.READER, "https://example.com/", "/"),
    ],
)
async def test_after_signing_in_a_person_lands_only_where_their_role_may_be(client, role, wanted, lands):
    account = await create_user(f"{role.value}-landar@example.se", "ett-langt-losenord", role)
    page = await client.get("/logga-in", params={"next": wanted})
    response = await client.post(
        "/logga-in",
        data={
            "_csrf_token": csrf_token(page.text),
            "username": account.username,
            "password": "ett-langt-losenord",
            "next": wanted,
        },
    )
    assert response.status_code == 303 and response.headers["location"] == lands


async def test_a_reader_who_signs_in_from_the_start_page_sees_the_way_to_the_results(client):
    await sign_in(client, Role.READER)
    landed = await client.get("/")
    assert 'href="/resultat"' in landed.text and "Din roll får inte se den här sidan" not in landed.text
