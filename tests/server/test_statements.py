"""The accessibility statement and the privacy notice: public, set per installation, linked from every
respondent page."""

from __future__ import annotations

import pytest

from server.app import create_app
from server.settings import Settings, SettingsError
from surveys.db.tables import Wave
from tests.conftest import make_settings, running
from tests.support import make_wave

STATEMENTS = ("/om/tillganglighet", "/om/personuppgifter")


@pytest.fixture
async def configured(database):
    settings = make_settings(
        database,
        organisation_name="Region Exempel",
        contact_email="webb@exempel.se",
        dpo_contact="dataskyddsombud@exempel.se, 010-123 45 67",
        accessibility_tested="2026-11-30",
        accessibility_gaps="Diagrammen i mötespaketet saknar tabeller.\nPowerPoint-filen är inte granskad.",
        min_group_size=7,
        retention_days=180,
    )
    async with running(create_app(settings, manage_database=False)) as c:
        yield c


@pytest.mark.parametrize("path", STATEMENTS)
async def test_the_statements_are_readable_without_signing_in(client, path):
    page = await client.get(path)
    assert page.status_code == 200
    assert "<h1>" in page.text and "Logga ut" not in page.text


async def test_the_accessibility_statement_has_the_sections_of_diggs_model(client):
    page = (await client.get("/om/tillganglighet")).text
    for heading in (
        "Hur tillgänglig är webbplatsen?",
        "Innehåll som inte är tillgängligt",
        "Vad kan du göra om du inte kan använda delar av webbplatsen?",
        "Rapportera brister i webbplatsens tillgänglighet",
        "Tillsyn",
        "Hur vi testat webbplatsen",
    ):
        assert f">{heading}</h2>" in page, heading
    assert "Myndigheten för digital förvaltning" in page and 'href="https://www.digg.se/tdosanmalan"' in page
    # Without settings: what holds anyway, no empty names or addresses.
    assert "helt förenlig" in page and "kontakta den som skickade enkäten" in page
    assert "mailto:" not in page and "har inte angett när" in page


async def test_the_accessibility_statement_says_what_the_installation_set(configured):
    page = (await configured.get("/om/tillganglighet")).text
    assert "Region Exempel står bakom" in page
    assert "delvis förenlig" in page
    assert "<li>Diagrammen i mötespaketet saknar tabeller.</li>" in page
    assert "<li>PowerPoint-filen är inte granskad.</li>" in page
    assert 'href="mailto:webb@exempel.se"' in page
    assert "30 november 2026" in page


async def test_the_privacy_notice_says_what_is_kept_and_what_is_not(configured):
    page = (await configured.get("/om/personuppgifter")).text
    assert "Region Exempel är personuppgiftsansvarig" in page
    for said in (
        "IP-adress",
        "webbläsare",
        "Klockslaget",
        "engångskod",
        "artikel 6.1 e",
        "Integritetsskyddsmyndigheten",
    ):
        assert said in page, said
    assert "färre än 7 svar" in page and "180 dagar" in page
    assert "Dataskyddsombud: dataskyddsombud@exempel.se, 010-123 45 67" in page
    assert 'href="mailto:webb@exempel.se"' in page


async def test_the_privacy_notice_without_settings_names_the_sender(client):
    page = (await client.get("/om/personuppgifter")).text
    assert "Den organisation som skickade enkäten till dig är personuppgiftsansvarig" in page
    assert "färre än 5 svar" in page and "365 dagar" in page


@pytest.mark.parametrize("path", STATEMENTS)
async def test_the_statements_are_in_english_on_request(client, path):
    page = await client.get(path, params={"lang": "en"})
    assert page.status_code == 200 and '<html lang="en">' in page.text


async def test_every_respondent_page_links_to_both_statements(client):
    await make_wave("lankar")
    closed_id = await make_wave("stangd-lank", "closed")
    assert closed_id
    pages = ["/", "/e/lankar", "/e/lankar/o/alby", "/e/stangd-lank", "/e/finns-inte"]
    for path in pages:
        html = (await client.get(path)).text
        footer = html.split('<footer class="site-footer">', 1)[1]
        assert 'href="/om/personuppgifter"' in footer and 'href="/om/tillganglighet"' in footer, path
    english = (await client.get("/e/lankar", params={"lang": "en"})).text
    assert 'href="/om/personuppgifter?lang=en"' in english
    assert await Wave.count() == 2


def test_the_settings_refuse_what_the_statements_could_not_show():
    with pytest.raises(SettingsError, match="EFFEKT_CONTACT_EMAIL"):
        Settings.from_env({"EFFEKT_CONTACT_EMAIL": "inte en adress"})
    with pytest.raises(SettingsError, match="EFFEKT_ACCESSIBILITY_TESTED"):
        Settings.from_env({"EFFEKT_ACCESSIBILITY_TESTED": "30 november"})
    with pytest.raises(SettingsError, match="EFFEKT_ORGANISATION_NAME"):
        Settings.from_env({"EFFEKT_ORGANISATION_NAME": "x" * 201})
    settings = Settings.from_env({"EFFEKT_ACCESSIBILITY_GAPS": " Ett | Två  \n\nTre "})
    assert settings.accessibility_gaps.splitlines() == ["Ett", "Två", "Tre"]
