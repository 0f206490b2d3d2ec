"""A questionnaire in more languages than Swedish: entered in the designer, chosen by the respondent.

Answers are stored by option code, so they pool whatever the language; a text without a translation is
shown in Swedish and marked as Swedish.
"""

from __future__ import annotations

import copy
import re

from piccolo.query.functions.aggregate import Count

from surveys.accounts.users import Role
from surveys.db.tables import Answer, Response
from surveys.questionnaires.designer import current_draft
from tests.server.test_respondent import open_form, post_form
from tests.support import QUESTIONNAIRE, csrf_token, form_body, make_wave, sign_in


def multilingual() -> dict:
    """The test questionnaire offered in English and Finnish, with the first question in both."""
    data = copy.deepcopy(QUESTIONNAIRE)
    data["languages"] = ["en", "fi"]
    data["title_en"] = "The test survey"
    data["title_fi"] = "Testikysely"
    data["intro_en"] = "Welcome."
    kannedom = data["questions"][0]
    kannedom["text_en"] = "Do you know the plan?"
    kannedom["text_fi"] = "Tunnetko suunnitelman?"
    kannedom["options"] = [
        {"code": "ja", "text": "Ja", "text_en": "Yes", "text_fi": "Kyllä", "reaches_step": True},
        {"code": "nej", "text": "Nej", "text_en": "No", "text_fi": "Ei"},
        {"code": "vet_ej", "text": "Vet ej", "text_en": "Don't know", "dont_know": True},
    ]
    return data


async def test_the_survey_is_shown_in_english_with_swedish_where_a_translation_is_missing(client):
    await make_wave(questionnaire=multilingual())
    html = await open_form(client, "/e/testomgang?lang=en")
    assert '<html lang="en">' in html
    assert "<h1>The test survey</h1>" in html
    assert "Do you know the plan?" in html and 'for="q-kannedom-ja">Yes</label>' in html
    # Not translated: Swedish, and marked as Swedish for screen readers (WCAG 3.1.2).
    assert '<span lang="sv">Jag förstår varför planen behövs.</span>' in html
    assert 'for="q-kannedom-vet_ej">Don&#39;t know</label>' in html or "Don't know</label>" in html
    # The default scale's own English labels.
    assert "5 – Agree completely" in html


async def test_finnish_content_in_a_swedish_frame_with_lang_attributes(client):
    await make_wave(questionnaire=multilingual())
    html = await open_form(client, "/e/testomgang?lang=fi")
    assert '<html lang="sv">' in html  # no catalogue for the page around it
    assert '<h1 lang="fi">Testikysely</h1>' in html
    assert '<span lang="fi">Tunnetko suunnitelman?</span>' in html
    assert 'for="q-kannedom-ja" lang="fi">Kyllä</label>' in html
    assert 'for="q-kannedom-vet_ej">Vet ej</label>' in html  # no Finnish text: Swedish, the page's own
    assert "Skicka svar" in html
    assert 'action="/e/testomgang?lang=fi"' in html
    # The respondent can switch language: links that work without JavaScript.
    for lang, name in (("sv", "Svenska"), ("en", "English"), ("fi", "Suomi")):
        assert f'href="/e/testomgang?lang={lang}" lang="{lang}" hreflang="{lang}"' in html, lang
        assert name in html
    assert 'aria-current="true">Suomi' in html


async def test_answers_pool_by_option_code_whatever_the_language(client):
    await make_wave(questionnaire=multilingual())
    for path in ("/e/testomgang", "/e/testomgang?lang=en", "/e/testomgang?lang=fi"):
        html = await open_form(client, path)
        action = re.search(r'<form method="post" action="([^"]+)"', html).group(1).replace("&amp;", "&")
        response = await post_form(
            client,
            action,
            form_body(
                html, {"kannedom": ["ja"], "forstaelse": ["4"]}, organisation="alby", target_group="chefer"
            ),
        )
        assert response.status_code == 303, response.text
    assert await Response.count() == 3
    rows = (
        await Answer.select(Answer.option.code.as_alias("option"), Count(alias="n"))
        .where(Answer.question.code == "kannedom")
        .group_by(Answer.option.code)
    )
    assert [(r["option"], r["n"]) for r in rows] == [("ja", 3)]


async def test_errors_in_another_language_keep_the_language(client):
    await make_wave(questionnaire=multilingual())
    html = await open_form(client, "/e/testomgang?lang=fi")
    refused = await post_form(client, "/e/testomgang?lang=fi", form_body(html, {}, organisation="alby"))
    assert refused.status_code == 422
    assert '<span lang="fi">Tunnetko suunnitelman?</span>' in refused.text
    assert 'action="/e/testomgang?lang=fi"' in refused.text


async def test_a_language_the_questionnaire_does_not_offer_falls_back_to_swedish(client):
    await make_wave()
    html = await open_form(client, "/e/testomgang?lang=fi")
    assert "Känner du till planen?" in html and 'lang="fi"' not in html
    assert "survey-languages" not in html  # only Swedish: nothing to choose


async def test_the_designer_enters_languages_and_a_question_in_english(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    token = csrf_token((await client.get("/arbeta/enkater/testenkat/redigera")).text)
    saved = await client.post(
        "/arbeta/enkater/testenkat/redigera",
        data={"_csrf_token": token, "title": "Testenkäten", "intro": "Välkommen.", "languages": ["en"]},
    )
    assert saved.status_code == 303
    page = await client.get("/arbeta/enkater/testenkat/redigera")
    assert 'name="title-en"' in page.text and 'name="title-fi"' not in page.text
    saved = await client.post(
        "/arbeta/enkater/testenkat/redigera",
        data={
            "_csrf_token": token,
            "title": "Testenkäten",
            "intro": "Välkommen.",
            "languages": ["en"],
            "title-en": "The test survey",
            "intro-en": "Welcome.",
        },
    )
    assert saved.status_code == 303
    question = await client.get("/arbeta/enkater/testenkat/ny-fraga")
    assert 'name="text-en"' in question.text and 'name="option-1-text-en"' in question.text
    created = await client.post(
        "/arbeta/enkater/testenkat/ny-fraga",
        data={
            "_csrf_token": token,
            "text": "Läser du veckobrevet?",
            "text-en": "Do you read the weekly letter?",
            "kind": "single",
            "required": "ja",
            "step": "none",
            "dont_know": "",
            "option-1-text": "Ja",
            "option-1-text-en": "Yes",
            "option-2-text": "Nej",
            "option-2-text-en": "No",
        },
    )
    assert created.status_code == 303, created.text
    definition = (await current_draft("testenkat")).definition
    assert definition.languages == ("en",) and definition.title_in.get("en") == "The test survey"
    question = definition.question("laser_du_veckobrevet")
    assert question.text_in.get("en") == "Do you read the weekly letter?"
    assert [o.text_in.get("en") for o in question.options] == ["Yes", "No"]
    preview = await client.get("/arbeta/enkater/testenkat/version/1?lang=en")
    assert "Do you read the weekly letter?" in preview.text and "The test survey" in preview.text
    # Taking a language away takes its texts with it.
    dropped = await client.post(
        "/arbeta/enkater/testenkat/redigera",
        data={"_csrf_token": token, "title": "Testenkäten", "intro": "Välkommen."},
    )
    assert dropped.status_code == 303
    definition = (await current_draft("testenkat")).definition
    assert definition.languages == () and not definition.question("laser_du_veckobrevet").text_in


async def test_the_check_lists_what_is_missing_in_each_language(client):
    await make_wave(questionnaire=multilingual())
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/enkater/testenkat/kontroll")
    text = re.sub(r"\s+", " ", page.text)
    assert "Texter saknas på engelska:" in text and "Texter saknas på finska:" in text
    assert "fråga 2 (frågetexten)" in text
    assert "fråga 1 (svarsalternativen ”Vet ej”)" in text  # Finnish only: the English one is there
