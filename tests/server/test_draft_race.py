"""A draft questionnaire edited while someone answers its (still unanswered) wave.

A reworded question keeps its row, so the form still goes in; a form whose questions are gone or renumbered
gets a clear 409 with advice, never a 500 or answers filed under the wrong question.
"""

from __future__ import annotations

from dataclasses import replace

from surveys.db import engine as db
from surveys.db.tables import Answer, Question, Response, Wave
from surveys.questionnaires.designer import edit, with_question
from surveys.questionnaires.storage import load_version, replace_questions, without_ids
from surveys.waves.lookup import find_wave
from tests.support import VALID_ANSWERS, form_body, make_wave

ORGANISATION = {"organisation": "alby", "target_group": "chefer"}


async def _rewrite_draft_with_new_ids(slug: str) -> None:
    """The draft's questions written again as new rows, here with two swapped: what removing and adding
    questions does to the ids a worker holds (and what every designer save did before it kept rows).

    PostgreSQL gives the rows new ids; SQLite may hand the old ids to other questions.
    """
    wave = await Wave.select(Wave.version, Wave.plan).where(Wave.slug == slug).first()
    definition = without_ids(await load_version(wave["version"]))
    q = list(definition.questions)
    q[2], q[3] = q[3], q[2]
    definition = replace(definition, questions=tuple(q))
    async with db.write_transaction():
        await Question.delete().where(Question.version == wave["version"])
        await replace_questions(wave["version"], definition, wave["plan"])


async def test_a_form_sent_after_the_draft_was_saved_again_is_refused_with_advice(client):
    await make_wave()
    page = await client.get("/e/testomgang")  # this worker now holds the wave with the old question ids
    await find_wave("testomgang")
    await _rewrite_draft_with_new_ids("testomgang")

    response = await client.post(
        "/e/testomgang", data=dict(form_body(page.text, VALID_ANSWERS, **ORGANISATION))
    )

    assert response.status_code == 409
    assert "Enkäten ändrades just medan du svarade" in response.text
    assert await Response.count() == 0


async def test_the_api_says_the_same_and_a_new_attempt_is_stored(client):
    await make_wave()
    await client.get("/api/v1/waves/testomgang")
    await find_wave("testomgang")
    await _rewrite_draft_with_new_ids("testomgang")
    body = {"answers": VALID_ANSWERS, **ORGANISATION, "submission_key": "a" * 24}

    refused = await client.post("/api/v1/waves/testomgang/responses", json=body)
    again = await client.post("/api/v1/waves/testomgang/responses", json=body)

    assert refused.status_code == 409
    assert "ladda om sidan" in refused.json()["detail"]
    assert again.status_code == 201
    assert await Response.count() == 1


async def test_a_form_opened_before_a_typo_was_fixed_in_the_draft_is_still_stored(client):
    await make_wave()
    page = await client.get("/e/testomgang")  # this worker holds the wave as it was
    before = await find_wave("testomgang")

    def fix_typo(data: dict) -> dict:
        question = {**data["questions"][1], "text": "Jag förstår varför vårdplanen behövs."}
        return with_question(data, question, replacing="forstaelse")

    await edit("testenkat", fix_typo)
    response = await client.post(
        "/e/testomgang", data=dict(form_body(page.text, VALID_ANSWERS, **ORGANISATION))
    )

    assert response.status_code == 303
    stored = {row["question"] for row in await Answer.select(Answer.question)}
    assert stored == {q.id for q in before.questionnaire.questions if q.code in VALID_ANSWERS}
    assert (await find_wave("testomgang")).questionnaire.questions[1].text.endswith("vårdplanen behövs.")
