"""A meeting can be made without typing a title (the form proposes one), and its pack as a web page says its
character set once."""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date

from surveys.accounts.users import Role
from surveys.db.tables import Meeting
from tests.support import csrf_token, make_wave, sign_in


def form_values(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="text" id="[^"]+" name="([^"]+)"[^>]*value="([^"]*)"', page))


async def test_the_new_meeting_form_proposes_a_title_that_can_be_kept_or_changed(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = (await client.get("/resultat/testplan/moten")).text
    proposed = form_values(page)
    assert proposed["held_on"] == date.today().isoformat()
    assert proposed["title"].startswith("Uppföljningsmöte ") and str(date.today().year) in proposed["title"]
    kept = await client.post("/resultat/testplan/moten", data={"_csrf_token": csrf_token(page), **proposed})
    assert kept.status_code == 303
    changed = await client.post(
        "/resultat/testplan/moten",
        data={"_csrf_token": csrf_token(page), "title": "Länsledningens möte", "held_on": "2026-12-10"},
    )
    assert changed.status_code == 303
    titles = [row["title"] for row in await Meeting.select(Meeting.title).order_by(Meeting.id)]
    assert titles == [proposed["title"], "Länsledningens möte"]


async def test_the_proposed_title_is_in_the_plans_swedish_on_an_english_page_too(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = (await client.get("/resultat/testplan/moten", params={"lang": "en"})).text
    swedish_day = format_date(date.today(), "long", locale="sv")  # "6 december 2026", not "6 December 2026"
    assert form_values(page)["title"] == f"Uppföljningsmöte {swedish_day}"


async def test_the_html_pack_names_its_character_set_once(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = (await client.get("/resultat/testplan/moten")).text
    made = await client.post(
        "/resultat/testplan/moten",
        data={"_csrf_token": csrf_token(page), "title": "Decembermötet", "held_on": "2026-12-10"},
    )
    pack = await client.get(made.headers["location"] + "/motespaket/html")
    assert pack.status_code == 200
    assert pack.headers["content-type"] == "text/html; charset=utf-8"
    assert "Decembermötet" in pack.content.decode("utf-8")
