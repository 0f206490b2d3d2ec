"""Questionnaires in the workspace: preview as respondents see it, export, and new versions by file."""

from __future__ import annotations

import tomllib

from surveys.accounts.users import Role
from surveys.db.tables import QuestionnaireVersion
from tests.support import csrf_token, make_wave, sign_in


async def test_a_version_previews_exactly_like_the_form_without_a_send_button(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    listing = await client.get("/arbeta/enkater")
    assert listing.status_code == 200 and "Testenkäten" in listing.text
    page = await client.get("/arbeta/enkater/testenkat/version/1")
    assert page.status_code == 200
    assert "Förhandsgranskning." in page.text
    assert 'name="q-kannedom"' in page.text and 'id="send"' not in page.text


async def upload(client, text: str, *, confirm: bool = False):
    page = await client.get("/arbeta/enkater")
    data = {"_csrf_token": csrf_token(page.text)} | ({"confirm": "ja"} if confirm else {})
    return await client.post(
        "/arbeta/enkater", data=data, files={"file": ("enkat.toml", text.encode(), "application/toml")}
    )


async def test_an_exported_file_reads_back_and_a_reworded_question_warns_before_a_new_version(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    exported = await client.get("/arbeta/enkater/testenkat/export")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    text = exported.text
    assert tomllib.loads(text)["code"] == "testenkat"
    reworded = text.replace("Känner du till planen?", "Har du hört talas om planen?")
    warned = await upload(client, reworded)
    assert warned.status_code == 409 and "kannedom" in warned.text and "Trenden bryts" in warned.text
    assert await QuestionnaireVersion.count() == 1
    saved = await upload(client, reworded, confirm=True)
    assert saved.status_code == 200 and "En ny version" in saved.text
    assert await QuestionnaireVersion.count() == 2


async def test_a_broken_file_lists_its_problems_and_saves_nothing(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    bad = await upload(
        client, 'code = "x"\ntitle = "X"\n[[questions]]\ncode = "a"\nkind = "dropdown"\ntext = "A?"\n'
    )
    assert bad.status_code == 422 and "kind måste vara en av" in bad.text
    broken = await upload(client, "code = ")
    assert broken.status_code == 422 and "inte giltig TOML" in broken.text
    assert await QuestionnaireVersion.count() == 1


async def test_a_new_version_by_file_keeps_its_options_channels(client):
    from surveys.db.tables import Option

    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    text = (await client.get("/arbeta/enkater/testenkat/export")).text
    assert (await upload(client, text)).status_code == 200
    channels = await Option.select(
        Option.question.version.number.as_alias("version"), Option.channel.code.as_alias("channel")
    ).where(Option.code == "intranat")
    assert sorted((r["version"], r["channel"]) for r in channels) == [(1, "intranat"), (2, "intranat")]


async def test_an_uploaded_file_is_read_for_the_chosen_plan_and_a_channel_typo_names_its_line(client):
    await make_wave()
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/enkater")
    assert '<select id="plan" name="plan"' in page.text
    text = (
        'code = "ny"\ntitle = "Ny"\n\n[[questions]]\ncode = "var"\nkind = "multiple"\ntext = "Var?"\n'
        'options = [\n  { code = "i", text = "Intranätet", channel = "intranet" },\n  { code = "m", text = "Möten" },\n]\n'
    )
    data = {"_csrf_token": csrf_token(page.text), "plan": "testplan"}
    files = {"file": ("ny.toml", text.encode(), "application/toml")}
    refused = await client.post("/arbeta/enkater", data=data, files=files)
    assert refused.status_code == 422
    assert (
        "rad 9: fråga 1 (var): svarsalternativet i har kanalen intranet, som inte finns i planen"
        in refused.text
    )
    assert 'value="testplan" selected' in refused.text  # the choice is kept for the next try
    fixed = {"file": ("ny.toml", text.replace('"intranet"', '"intranat"').encode(), "application/toml")}
    saved = await client.post("/arbeta/enkater", data=data, files=fixed)
    assert saved.status_code == 200, saved.text
    from surveys.questionnaires.designer import current_draft

    draft = await current_draft("ny")
    assert draft.plan_id is not None and draft.definition.questions[0].options[0].channel == "intranat"


async def test_a_preview_in_another_language_shows_it(client):
    from tests.server.test_questionnaire_languages import multilingual

    await make_wave(questionnaire=multilingual())
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/enkater/testenkat/version/1?lang=fi")
    assert page.status_code == 200 and '<h1 lang="fi">Testikysely</h1>' in page.text
    assert "Förhandsgranskning." in page.text
