"""GET /api/v1/waves/{slug} gives an app the form in every offered language, Swedish where one is missing."""

from __future__ import annotations

from tests.server.test_questionnaire_languages import multilingual
from tests.support import make_wave


async def _wave(client) -> dict:
    response = await client.get("/api/v1/waves/testomgang")
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_wave_lists_its_languages_with_swedish_first(client):
    await make_wave(questionnaire=multilingual())
    body = await _wave(client)
    assert body["languages"] == ["sv", "en", "fi"]
    assert set(body["translations"]) == {"en", "fi"}


async def test_english_texts_come_translated_and_option_codes_stay_the_same(client):
    await make_wave(questionnaire=multilingual())
    english = (await _wave(client))["translations"]["en"]
    assert english["title"] == "The test survey" and english["title_lang"] == "en"
    kannedom = english["questions"][0]
    assert kannedom["code"] == "kannedom"
    assert kannedom["text"] == "Do you know the plan?" and kannedom["text_lang"] == "en"
    assert [(o["code"], o["text"], o["lang"]) for o in kannedom["options"]] == [
        ("ja", "Yes", "en"),
        ("nej", "No", "en"),
        ("vet_ej", "Don't know", "en"),
    ]


async def test_a_missing_translation_falls_back_to_swedish_and_says_so(client):
    await make_wave(questionnaire=multilingual())
    finnish = (await _wave(client))["translations"]["fi"]
    assert finnish["title"] == "Testikysely" and finnish["title_lang"] == "fi"
    assert finnish["intro"] == "Välkommen." and finnish["intro_lang"] == "sv"
    forstaelse = next(q for q in finnish["questions"] if q["code"] == "forstaelse")
    assert forstaelse["text"] == "Jag förstår varför planen behövs." and forstaelse["text_lang"] == "sv"
    vet_ej = next(o for o in finnish["questions"][0]["options"] if o["code"] == "vet_ej")
    assert (vet_ej["text"], vet_ej["lang"]) == ("Vet ej", "sv")


async def test_the_swedish_fields_are_unchanged_and_a_swedish_only_form_has_no_translations(client):
    await make_wave()
    body = await _wave(client)
    assert body["title"] == "Omgång testomgang" and body["questions"][0]["text"] == "Känner du till planen?"
    assert body["languages"] == ["sv"] and body["translations"] == {}


async def test_the_openapi_schema_describes_the_translations(client):
    schema = (await client.get("/api/v1/schema/openapi.json")).json()
    detail = schema["components"]["schemas"]
    wave = next(s for name, s in detail.items() if name.endswith("WaveDetail"))
    assert {"languages", "translations"} <= set(wave["properties"])
    assert any(name.endswith("WaveTexts") for name in detail)
