"""The questionnaire designer's pages and their JSON twins: bank, new questionnaire, questions, versions."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime

from surveys.accounts.users import Role, create_token
from surveys.db.tables import BankQuestion, Question, QuestionnaireVersion
from surveys.questionnaires.designer import current_draft
from tests.support import QUESTIONNAIRE, csrf_token, make_wave, sign_in


def banked() -> dict:
    data = copy.deepcopy(QUESTIONNAIRE)
    for question in data["questions"][:3]:
        question["bank"] = question["code"]
    return data


async def signed_in(client, role=Role.COMMUNICATOR) -> str:
    await make_wave(questionnaire=banked())
    await sign_in(client, role)
    return csrf_token((await client.get("/arbeta/enkater")).text)


async def snapshot() -> tuple:
    """Everything the designer may write, to show that a refused form saved nothing."""
    questions = await Question.select(Question.version, Question.position, Question.code, Question.text)
    versions = await QuestionnaireVersion.select(QuestionnaireVersion.id, QuestionnaireVersion.title)
    bank = await BankQuestion.select(BankQuestion.code, BankQuestion.text)
    return (
        sorted(tuple(r.values()) for r in questions),
        sorted(tuple(r.values()) for r in versions),
        sorted(tuple(r.values()) for r in bank),
    )


def new_question_form(token: str, **fields) -> dict:
    form = {
        "_csrf_token": token,
        "text": "Har du läst nyhetsbrevet om planen?",
        "help": "",
        "code": "",
        "kind": "single",
        "required": "ja",
        "step": "L1",
        "dont_know": "not_reached",
        "option-1-code": "",
        "option-1-text": "Ja",
        "option-1-reaches": "ja",
        "option-2-code": "",
        "option-2-text": "Nej",
        "option-3-code": "",
        "option-3-text": "Vet ej",
        "option-3-dont-know": "ja",
        "option-4-code": "",
        "option-4-text": "",
        "show_if_question": "",
    }
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


async def answer_once() -> None:
    from surveys.responding.submission import Submission, store_submission
    from surveys.responding.validation import validate_answers
    from surveys.waves.lookup import find_wave

    wave = await find_wave("testomgang")
    answers, _errors = validate_answers(wave.questionnaire, {"kannedom": ["ja"], "forstaelse": ["4"]})
    await store_submission(
        wave,
        Submission(wave.organisations[0].id, wave.target_groups[0].id, answers, "s" * 32),
        datetime.now(UTC),
    )


async def test_the_bank_lists_its_questions_with_step_and_use_and_filters_them(client):
    await signed_in(client)
    page = await client.get("/arbeta/fragebank")
    assert page.status_code == 200
    assert "Känner du till planen?" in page.text and "L1 kännedom" in page.text and "Testenkäten" in page.text
    by_step = await client.get("/arbeta/fragebank", params={"steg": "L2"})
    assert (
        "Jag förstår varför planen behövs." in by_step.text and "Känner du till planen?" not in by_step.text
    )
    by_text = await client.get("/arbeta/fragebank", params={"sok": "var har du"})
    assert "Var har du sett information?" in by_text.text and "Känner du till planen?" not in by_text.text


async def test_in_english_the_banks_swedish_question_texts_are_marked_as_swedish(client):
    await signed_in(client)

    english = await client.get("/arbeta/fragebank", params={"lang": "en"})
    swedish = await client.get("/arbeta/fragebank", params={"lang": "sv"})

    assert '-text" lang="sv">Känner du till planen?' in english.text
    assert '-text" lang="sv">' not in swedish.text


async def test_a_communicator_builds_a_new_questionnaire_from_bank_questions(client):
    token = await signed_in(client)
    form = await client.get("/arbeta/enkater/ny")
    assert form.status_code == 200 and 'name="bank" value="kannedom"' in form.text
    created = await client.post(
        "/arbeta/enkater/ny",
        data={
            "_csrf_token": token,
            "code": "hosten",
            "title": "Hösten",
            "intro": "Tack för att du svarar.",
            "plan": "testplan",
            "bank": ["kannedom", "forstaelse"],
        },
    )
    assert created.status_code == 303 and created.headers["location"].startswith(
        "/arbeta/enkater/hosten/redigera"
    )
    page = await client.get(created.headers["location"])
    assert "Enkäten är skapad" in page.text
    assert page.text.index("Känner du till planen?") < page.text.index("Jag förstår varför planen behövs.")


async def test_a_new_questionnaire_with_bad_input_gets_swedish_messages_and_saves_nothing(client):
    token = await signed_in(client)
    before = await snapshot()
    empty = await client.post("/arbeta/enkater/ny", data={"_csrf_token": token, "code": "", "title": ""})
    assert empty.status_code == 422
    assert "Enkäten skapades inte" in empty.text and "Välj minst en fråga ur frågebanken" in empty.text
    assert 'href="#title"' in empty.text and 'href="#bank"' in empty.text
    taken = await client.post(
        "/arbeta/enkater/ny",
        data={"_csrf_token": token, "code": "testenkat", "title": "X", "bank": "kannedom"},
    )
    assert taken.status_code == 422 and "Det finns redan en enkät med koden testenkat" in taken.text
    unknown = await client.post(
        "/arbeta/enkater/ny", data={"_csrf_token": token, "code": "ny", "title": "X", "bank": "finns-inte"}
    )
    assert unknown.status_code == 422 and "finns inte i frågebanken" in unknown.text
    assert await snapshot() == before


async def test_a_new_question_with_options_and_a_step_enters_the_questionnaire_and_the_bank(client):
    token = await signed_in(client)
    page = await client.get("/arbeta/enkater/testenkat/ny-fraga")
    assert page.status_code == 200 and "Svarsalternativ" in page.text
    saved = await client.post("/arbeta/enkater/testenkat/ny-fraga", data=new_question_form(token))
    assert saved.status_code == 303, saved.text
    question = (await current_draft("testenkat")).definition.questions[-1]
    assert question.code == "har_du_last_nyhetsbrevet_om_planen" and question.step == "L1"
    assert [(o.text, o.reaches_step, o.dont_know) for o in question.options] == [
        ("Ja", True, False),
        ("Nej", False, False),
        ("Vet ej", False, True),
    ]
    assert await BankQuestion.exists().where(BankQuestion.code == question.code)
    bank = await client.get("/arbeta/fragebank", params={"sok": "nyhetsbrevet"})
    assert "Har du läst nyhetsbrevet om planen?" in bank.text


async def test_a_question_form_with_bad_input_gets_swedish_messages_linked_to_fields_and_saves_nothing(
    client,
):
    token = await signed_in(client)
    before = await snapshot()
    one_option = new_question_form(
        token, **{"option-2-text": "", "option-3-text": "", "option-3-dont-know": None}
    )
    refused = await client.post("/arbeta/enkater/testenkat/ny-fraga", data=one_option)
    assert refused.status_code == 422
    assert "Skriv minst två svarsalternativ" in refused.text and 'href="#options"' in refused.text
    no_reach = new_question_form(token, **{"option-1-reaches": None})
    refused = await client.post("/arbeta/enkater/testenkat/ny-fraga", data=no_reach)
    assert refused.status_code == 422 and "räknas som att steget nås" in refused.text
    no_text = new_question_form(token, text="", code="tom")
    refused = await client.post("/arbeta/enkater/testenkat/ny-fraga", data=no_text)
    assert (
        refused.status_code == 422 and 'href="#text"' in refused.text and "Skriv frågans text" in refused.text
    )
    taken = new_question_form(token, code="kannedom")
    refused = await client.post("/arbeta/enkater/testenkat/ny-fraga", data=taken)
    assert refused.status_code == 422 and "Det finns redan en fråga med koden kannedom" in refused.text
    bad_condition = new_question_form(token, show_if_question="kannedom")
    refused = await client.post("/arbeta/enkater/testenkat/ny-fraga", data=bad_condition)
    assert refused.status_code == 422 and 'href="#show_if_question"' in refused.text
    assert "Kryssa i minst ett svar som visar frågan" in refused.text
    edit = await client.post(
        "/arbeta/enkater/testenkat/fragor/kannedom",
        data=new_question_form(token, kind="hjul", **{"option-1-code": "ja"}),
    )
    assert edit.status_code == 422 and "Välj en frågetyp i listan" in edit.text
    assert await snapshot() == before


async def test_designer_messages_use_no_words_of_the_file_format(client):
    token = await signed_in(client)
    forms = [
        new_question_form(token, **{"option-1-reaches": None}),
        new_question_form(token, show_if_question="kannedom"),
        new_question_form(token, **{"option-3-reaches": "ja"}),
        new_question_form(token, kind="multiple"),
        new_question_form(token, **{"option-2-text": "", "option-3-text": "", "option-3-dont-know": None}),
    ]
    for form in forms:
        refused = await client.post("/arbeta/enkater/testenkat/ny-fraga", data=form)
        assert refused.status_code == 422
        said = summary_text(refused.text)
        assert said.strip()
        jargon = re.findall(
            r"\b(show_if|any_of|reaches_step|reached|options|dont_know|kind|step|code)\b", said
        )
        assert not jargon, said


def summary_text(html: str) -> str:
    """The words of the page's error summary, without its markup."""
    summary = re.search(r'<div class="error-summary".*?</ul>', html, re.S).group(0)
    return re.sub(r"<[^>]+>", " ", summary)


async def test_more_option_rows_are_added_without_saving(client):
    token = await signed_in(client)
    before = await snapshot()
    more = await client.post(
        "/arbeta/enkater/testenkat/ny-fraga", data=new_question_form(token, action="fler-rader")
    )
    assert more.status_code == 200
    assert 'name="option-7-text"' in more.text and 'value="Vet ej"' in more.text
    assert await snapshot() == before


async def test_editing_a_question_changes_its_text_help_options_and_condition(client):
    token = await signed_in(client)
    page = await client.get("/arbeta/enkater/testenkat/fragor/kanaler")
    assert page.status_code == 200 and 'value="Intranätet"' in page.text
    saved = await client.post(
        "/arbeta/enkater/testenkat/fragor/kanaler",
        data={
            "_csrf_token": token,
            "text": "Var har du sett information om planen?",
            "help": "Välj alla som stämmer.",
            "kind": "multiple",
            "step": "none",
            "dont_know": "excluded",
            "option-1-code": "intranat",
            "option-1-text": "Intranätet",
            "option-2-code": "mote",
            "option-2-text": "Möten",
            "option-2-remove": "ja",
            "option-3-code": "",
            "option-3-text": "Nyhetsbrev",
            "show_if_question": "kannedom",
            "show_if_any_of": ["kannedom:ja", "forstaelse:5"],
        },
    )
    assert saved.status_code == 303, saved.text
    question = (await current_draft("testenkat")).definition.question("kanaler")
    assert (
        question.text == "Var har du sett information om planen?"
        and question.help == "Välj alla som stämmer."
    )
    assert [o.code for o in question.options] == ["intranat", "nyhetsbrev"]
    assert question.options[0].channel == "intranat"  # kept: channel recall follows the option
    assert question.show_if.question == "kannedom" and question.show_if.any_of == ("ja",)
    assert not question.required and question.bank == "kanaler"


async def test_questions_move_up_and_down_with_buttons_and_a_broken_condition_is_refused(client):
    token = await signed_in(client)
    page = await client.get("/arbeta/enkater/testenkat/redigera")
    assert page.status_code == 200 and "Flytta upp" in page.text
    moved = await client.post(
        "/arbeta/enkater/testenkat/fragor/chef/flytta", data={"_csrf_token": token, "riktning": "upp"}
    )
    assert moved.status_code == 303
    codes = [q.code for q in (await current_draft("testenkat")).definition.questions]
    assert codes == ["kannedom", "forstaelse", "kanaler", "chef", "betyg", "fritext"]
    await client.post(
        "/arbeta/enkater/testenkat/fragor/chef/flytta", data={"_csrf_token": token, "riktning": "ned"}
    )
    assert (await current_draft("testenkat")).definition.questions[4].code == "chef"
    before = await snapshot()
    refused = await client.post(
        "/arbeta/enkater/testenkat/fragor/kannedom/flytta", data={"_csrf_token": token, "riktning": "ned"}
    )
    assert refused.status_code == 422
    assert "Fråga 1 visas bara efter vissa svar på fråga 2, men fråga 2 kommer efter den" in refused.text
    assert "show_if" not in refused.text.split("error-summary")[1].split("</div>")[0]
    nonsense = await client.post(
        "/arbeta/enkater/testenkat/fragor/kannedom/flytta", data={"_csrf_token": token, "riktning": "snett"}
    )
    assert nonsense.status_code == 400 and "upp, ned eller till en plats" in nonsense.text
    assert await snapshot() == before


async def test_a_question_is_removed_and_details_are_edited(client):
    token = await signed_in(client)
    removed = await client.post(
        "/arbeta/enkater/testenkat/fragor/fritext/ta-bort", data={"_csrf_token": token}
    )
    assert removed.status_code == 303
    assert (await current_draft("testenkat")).definition.question("fritext") is None
    before = await snapshot()
    empty = await client.post(
        "/arbeta/enkater/testenkat/redigera", data={"_csrf_token": token, "title": "", "intro": "x"}
    )
    assert empty.status_code == 422 and 'href="#title"' in empty.text and "Skriv en titel" in empty.text
    assert await snapshot() == before
    renamed = await client.post(
        "/arbeta/enkater/testenkat/redigera", data={"_csrf_token": token, "title": "Våren", "intro": "Hej."}
    )
    assert renamed.status_code == 303
    listing = await client.get("/arbeta/enkater")
    assert "Våren" in listing.text


async def test_an_answered_version_warns_before_a_trend_break_and_then_saves_a_new_version(client):
    token = await signed_in(client)
    await answer_once()
    page = await client.get("/arbeta/enkater/testenkat/redigera")
    assert "har svar och är låst" in page.text
    form = {
        "_csrf_token": token,
        "text": "Har du hört talas om planen?",
        "kind": "single",
        "required": "ja",
        "step": "L1",
        "dont_know": "not_reached",
        "option-1-code": "ja",
        "option-1-text": "Ja",
        "option-1-reaches": "ja",
        "option-2-code": "nej",
        "option-2-text": "Nej",
        "option-3-code": "vet_ej",
        "option-3-text": "Vet ej",
        "option-3-dont-know": "ja",
    }
    warned = await client.post("/arbeta/enkater/testenkat/fragor/kannedom", data=form)
    assert warned.status_code == 409 and "Trenden bryts" in warned.text and 'id="confirm"' in warned.text
    assert (
        'value="Har du hört talas om planen?"' in warned.text or "Har du hört talas om planen?" in warned.text
    )
    assert await QuestionnaireVersion.count() == 1
    saved = await client.post("/arbeta/enkater/testenkat/fragor/kannedom", data={**form, "confirm": "ja"})
    assert saved.status_code == 303 and "sparat=ny-version" in saved.headers["location"]
    assert await QuestionnaireVersion.count() == 2
    first = await client.get("/arbeta/enkater/testenkat/version/1")
    assert "Känner du till planen?" in first.text
    second = await client.get("/arbeta/enkater/testenkat/version/2")
    assert "Har du hört talas om planen?" in second.text


async def test_bank_questions_are_added_to_a_questionnaire_and_bad_choices_are_refused(client):
    token = await signed_in(client)
    await client.post(
        "/arbeta/enkater/ny",
        data={"_csrf_token": token, "code": "kort", "title": "Kort", "bank": "kannedom"},
    )
    page = await client.get("/arbeta/fragebank", params={"enkat": "kort"})
    assert 'name="bank" value="kanaler"' in page.text and "Finns redan" in page.text
    before = await snapshot()
    nothing = await client.post("/arbeta/enkater/kort/fran-banken", data={"_csrf_token": token})
    assert nothing.status_code == 422 and "Kryssa i minst en fråga" in nothing.text
    twice = await client.post(
        "/arbeta/enkater/kort/fran-banken", data={"_csrf_token": token, "bank": "kannedom"}
    )
    assert twice.status_code == 422 and "finns redan i enkäten" in twice.text
    assert await snapshot() == before
    added = await client.post(
        "/arbeta/enkater/kort/fran-banken", data={"_csrf_token": token, "bank": ["forstaelse", "kanaler"]}
    )
    assert added.status_code == 303
    assert [q.code for q in (await current_draft("kort")).definition.questions] == [
        "kannedom",
        "forstaelse",
        "kanaler",
    ]


async def test_the_pre_publish_check_of_a_questionnaire_lists_what_to_fix(client):
    await signed_in(client)
    page = await client.get("/arbeta/enkater/testenkat/kontroll")
    assert page.status_code == 200
    assert "Kontroll före start" in page.text and "skala 0–10 utan hjälptext" in page.text
    missing = await client.get("/arbeta/enkater/finns-inte/kontroll")
    assert missing.status_code == 404


async def test_a_reader_may_not_design_questionnaires(client):
    await make_wave(questionnaire=banked())
    await sign_in(client, Role.READER)
    assert (await client.get("/arbeta/fragebank")).status_code == 403
    assert (await client.get("/arbeta/enkater/testenkat/redigera")).status_code == 403


# The JSON twins ----------------------------------------------------------------------------------


async def api_headers(role=Role.COMMUNICATOR) -> dict:
    from surveys.accounts.users import create_user

    account = await create_user(f"{role.value}-api@example.se", "ett-langt-losenord", role)
    return {"authorization": f"Bearer {await create_token(account.id, 'designer')}"}


async def test_the_api_lists_the_bank_creates_adds_updates_and_reorders(client):
    await make_wave(questionnaire=banked())
    headers = await api_headers()
    bank = await client.get("/api/v1/bank", params={"step": "L1"}, headers=headers)
    assert bank.status_code == 200
    assert bank.json()["questions"][0] == {
        "code": "kannedom", "text": "Känner du till planen?", "kind": "single", "step": "L1",
        "questionnaires": ["testenkat"]}  # fmt: skip
    # Then the built-in L1 question (surveys/questionnaires/builtin_bank.py), used nowhere yet.
    assert [(q["code"], q["questionnaires"]) for q in bank.json()["questions"][1:]] == [
        ("nara-vard-kannedom", [])
    ]
    created = await client.post(
        "/api/v1/questionnaires",
        json={"code": "api", "title": "Via API", "bank": ["kannedom", "kanaler"], "plan": "testplan"},
        headers=headers,
    )
    assert created.status_code == 201 and created.json()["version"] == 1
    added = await client.post(
        "/api/v1/questionnaires/api/questions",
        json={
            "question": {"code": "nytt", "kind": "yesno", "text": "Har du läst det nya?"},
            "from_bank": ["forstaelse"],
        },
        headers=headers,
    )
    assert added.status_code == 201, added.text
    assert [q["code"] for q in added.json()["questionnaire"]["questions"]] == [
        "kannedom",
        "kanaler",
        "nytt",
        "forstaelse",
    ]
    updated = await client.put(
        "/api/v1/questionnaires/api/questions/nytt",
        json={"question": {"kind": "yesno", "text": "Har du läst nyheten?", "help": "Om planen."}},
        headers=headers,
    )
    assert updated.status_code == 200
    assert updated.json()["questionnaire"]["questions"][2]["help"] == "Om planen."
    reordered = await client.put(
        "/api/v1/questionnaires/api/order",
        json={"questions": ["nytt", "kannedom", "forstaelse", "kanaler"]},
        headers=headers,
    )
    assert reordered.status_code == 200
    assert [q["code"] for q in reordered.json()["questionnaire"]["questions"]][:2] == ["nytt", "kannedom"]
    removed = await client.delete("/api/v1/questionnaires/api/questions/kanaler", headers=headers)
    assert removed.status_code == 200 and len(removed.json()["questionnaire"]["questions"]) == 3


async def test_the_api_refuses_bad_input_in_swedish_and_saves_nothing(client):
    await make_wave(questionnaire=banked())
    headers = await api_headers()
    before = await snapshot()
    created = await client.post(
        "/api/v1/questionnaires", json={"code": "Fel kod", "title": "", "bank": []}, headers=headers
    )
    assert created.status_code == 422 and {"code", "title", "bank"} <= set(created.json()["errors"])
    added = await client.post(
        "/api/v1/questionnaires/testenkat/questions",
        json={
            "question": {"code": "x", "kind": "single", "text": "X?", "options": [{"code": "a", "text": "A"}]}
        },
        headers=headers,
    )
    assert added.status_code == 422 and "svarsalternativ" in added.json()["errors"]["options"]
    too_long = await client.post(
        "/api/v1/questionnaires",
        json={"code": "lang", "title": "x" * 301, "bank": ["kannedom"]},
        headers=headers,
    )
    assert too_long.status_code == 422 and "högst 300 tecken" in too_long.json()["errors"]["title"]
    odd_value = await client.post(
        "/api/v1/questionnaires/testenkat/questions",
        json={
            "question": {
                "code": "y",
                "kind": "single",
                "text": "Y?",
                "options": [
                    {"code": "a", "text": "A", "value": "many"},
                    {"code": "b", "text": "B", "channel": 5},
                ],
            }
        },
        headers=headers,
    )
    assert odd_value.status_code == 422 and "heltal" in odd_value.json()["errors"]["options"]
    order = await client.put(
        "/api/v1/questionnaires/testenkat/order", json={"questions": ["kannedom"]}, headers=headers
    )
    assert order.status_code == 422 and "exakt en gång" in order.json()["errors"]["questions"]
    broken = await client.put(
        "/api/v1/questionnaires/testenkat/order",
        json={"questions": ["forstaelse", "kannedom", "kanaler", "betyg", "chef", "fritext"]},
        headers=headers,
    )
    assert broken.status_code == 422 and "show_if" in broken.json()["errors"]
    assert await snapshot() == before
    reader = await client.get("/api/v1/bank", headers=await api_headers(Role.READER))
    assert reader.status_code == 403
    assert (await client.get("/api/v1/bank")).status_code == 401


async def test_the_api_asks_for_confirmation_before_a_trend_break(client):
    await make_wave(questionnaire=banked())
    await answer_once()
    headers = await api_headers()
    question = {
        "kind": "single",
        "text": "Har du hört talas om planen?",
        "step": "L1",
        "dont_know": "not_reached",
        "options": [
            {"code": "ja", "text": "Ja", "reaches_step": True},
            {"code": "nej", "text": "Nej"},
            {"code": "vet_ej", "text": "Vet ej", "dont_know": True},
        ],
    }
    url = "/api/v1/questionnaires/testenkat/questions/kannedom"
    warned = await client.put(url, json={"question": question}, headers=headers)
    assert warned.status_code == 409 and "kannedom" in warned.json()["errors"]
    saved = await client.put(url, json={"question": question, "confirm_trend_break": True}, headers=headers)
    assert saved.status_code == 200 and saved.json()["new_version"] and saved.json()["version"] == 2


async def test_with_an_empty_bank_a_questionnaire_starts_with_its_own_first_question(client):
    await make_wave()  # nothing of it is in the bank
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get("/arbeta/enkater/ny")
    # The bank is never empty (the built-in questions), but a questionnaire may still start with its own question.
    assert 'id="bank-nara-vard-kannedom"' in page.text
    token = csrf_token(page.text)
    before = await snapshot()
    one_option = await client.post(
        "/arbeta/enkater/ny",
        data={
            "_csrf_token": token,
            "code": "egen",
            "title": "Egen",
            "first_text": "Vilken kanal föredrar du?",
            "first_kind": "single",
            "first_options": "Intranätet",
        },
    )
    assert one_option.status_code == 422
    assert 'href="#first_options"' in one_option.text and "Skriv minst två svarsalternativ" in one_option.text
    assert await snapshot() == before
    created = await client.post(
        "/arbeta/enkater/ny",
        data={
            "_csrf_token": token,
            "code": "egen",
            "title": "Egen",
            "first_text": "Vilken kanal föredrar du?",
            "first_kind": "single",
            "first_options": "Intranätet\nE-post\n\nMöten",
        },
    )
    assert created.status_code == 303
    question = (await current_draft("egen")).definition.questions[0]
    assert question.bank == "vilken_kanal_foredrar_du"
    assert [o.code for o in question.options] == ["intranatet", "e_post", "moten"]


async def test_question_texts_are_escaped_on_every_designer_page(client):
    token = await signed_in(client)
    hostile = '<script>alert("x")</script>'
    saved = await client.post(
        "/arbeta/enkater/testenkat/ny-fraga",
        data=new_question_form(token, text=hostile, code="farlig", **{"option-1-text": hostile}),
    )
    assert saved.status_code == 303, saved.text
    for url in (
        "/arbeta/enkater/testenkat/redigera",
        "/arbeta/enkater/testenkat/fragor/farlig",
        "/arbeta/fragebank?enkat=testenkat",
        "/arbeta/enkater/ny",
        "/arbeta/enkater/testenkat/ny-fraga",
    ):
        page = await client.get(url)
        assert page.status_code == 200 and "<script>" not in page.text and "&lt;script&gt;" in page.text, url


async def test_a_draft_used_by_an_unanswered_wave_shows_the_edit_to_respondents_at_once(client):
    token = await signed_in(client)
    assert "Hur väl når informationen fram?" in (await client.get("/e/testomgang")).text
    await client.post("/arbeta/enkater/testenkat/fragor/betyg/ta-bort", data={"_csrf_token": token})
    assert "Hur väl når informationen fram?" not in (await client.get("/e/testomgang")).text


async def test_the_api_copies_a_questionnaire_sets_its_languages_and_refuses_an_unknown_channel(client):
    await make_wave(questionnaire=banked())
    headers = await api_headers()
    copied = await client.post(
        "/api/v1/questionnaires",
        json={"code": "kopian", "title": "Kopian", "copy_of": "testenkat", "languages": ["en"]},
        headers=headers,
    )
    assert copied.status_code == 201, copied.text
    shape = copied.json()["questionnaire"]
    assert [q["code"] for q in shape["questions"]][:2] == ["kannedom", "forstaelse"]
    assert shape["languages"] == ["en"] and shape["questions"][1]["show_if"]["question"] == "kannedom"
    details = await client.put(
        "/api/v1/questionnaires/kopian/details",
        json={"title": "Kopian", "languages": ["en", "fi"], "translations": {"en": {"title": "The copy"}}},
        headers=headers,
    )
    assert details.status_code == 200 and details.json()["questionnaire"]["title_en"] == "The copy"
    unknown = await client.put(
        "/api/v1/questionnaires/kopian/details",
        json={"title": "Kopian", "languages": ["de"]},
        headers=headers,
    )
    assert unknown.status_code == 422 and "okända språk de" not in unknown.text  # said in plain words
    assert "Välj språken i listan" in unknown.json()["errors"]["languages"]
    question = {
        "code": "var",
        "kind": "multiple",
        "text": "Var?",
        "text_en": "Where?",
        "options": [{"code": "a", "text": "A", "channel": "intranet"}, {"code": "b", "text": "B"}],
    }
    typo = await client.post(
        "/api/v1/questionnaires/kopian/questions", json={"question": question}, headers=headers
    )
    assert typo.status_code == 422 and "(intranet)" in typo.json()["errors"]["options"]
    question["options"][0]["channel"] = "intranat"
    added = await client.post(
        "/api/v1/questionnaires/kopian/questions", json={"question": question}, headers=headers
    )
    assert added.status_code == 201, added.text
    assert added.json()["questionnaire"]["questions"][-1]["options"][0]["channel"] == "intranat"
