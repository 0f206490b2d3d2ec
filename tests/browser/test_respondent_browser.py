"""A respondent in a real browser: by keyboard, with errors, without JavaScript, on a narrow phone."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

SURVEY = "/e/omgang-4-nu"


def tab_to(page, element_id: str, limit: int = 250) -> None:
    """Press Tab until the element has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def test_a_survey_can_be_completed_with_the_keyboard_alone(page, server_url):
    page.goto(server_url + SURVEY)
    for name, wanted in (
        ("organisation", "timra"),
        ("target_group", "medarbetare"),
        ("q-kannedom", "ja_viss"),
        ("q-forstaelse", "4"),
        ("q-acceptans", "5"),
        ("q-handling", "ja_nagon"),
    ):
        answer_radio_group(page, name, wanted)
    tab_to(page, "q-kanaler-intranat")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q-kanaler-gnv-webb"
    page.keyboard.press("Space")
    assert page.is_checked("#q-kanaler-intranat") and page.is_checked("#q-kanaler-gnv-webb")
    tab_to(page, "send")
    page.keyboard.press("Enter")
    page.wait_for_url("**/tack")
    assert page.locator("h1").inner_text() == "Tack för dina svar!"


def answer_radio_group(page, name: str, wanted: str) -> None:
    """Tab into a radio group (focus lands on its first option), then arrow down to the wanted one."""
    first = page.locator(f'input[name="{name}"]').first.get_attribute("id")
    tab_to(page, first)
    target = f"{name}-{wanted}"
    for _ in range(20):
        if page.evaluate("document.activeElement.id") == target:
            page.keyboard.press("Space")
            assert page.is_checked(f"#{target}")
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"arrow keys never reached #{target}")


def test_errors_move_focus_to_the_summary_whose_links_lead_to_the_fields(page, server_url):
    page.goto(server_url + SURVEY)
    page.click("button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.title().startswith("Fel:")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.click('#error-summary a[href="#q-kannedom-ja_val"]')
    assert page.evaluate("location.hash") == "#q-kannedom-ja_val"
    assert page.evaluate("document.activeElement.id") == "q-kannedom-ja_val"


def test_questions_for_those_who_know_the_plan_appear_only_when_they_do(page, server_url):
    page.goto(server_url + SURVEY)
    assert page.is_hidden("#q-forstaelse")
    page.check("#q-kannedom-ja_val")
    assert page.is_visible("#q-forstaelse")
    page.check("#q-kannedom-nej")
    assert page.is_hidden("#q-forstaelse")


def test_the_survey_works_without_javascript(page_without_javascript, server_url):
    page = page_without_javascript
    page.goto(server_url + SURVEY)
    # Without JavaScript every question is shown, with a note on who should answer it.
    assert page.is_visible("#q-forstaelse")
    assert "Svara bara om du svarade" in page.inner_text("#q-forstaelse")
    page.click("button[type=submit]")
    assert page.locator("#error-summary").is_visible()
    page.check("#organisation-kramfors")
    page.check("#target_group-politiker")
    page.check("#q-kannedom-nej")
    page.click("button[type=submit]")
    page.wait_for_url("**/tack")
    assert "Tack för dina svar!" in page.inner_text("h1")


def test_the_form_fits_a_320_pixel_wide_phone(browser, server_url):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(server_url + SURVEY)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_the_english_form_is_english(page, server_url):
    page.goto(server_url + SURVEY + "?lang=en")
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("button[type=submit]").inner_text() == "Send answers"


# --- languages, numbers, whom the answers count for, and the receipt ----------------------------

MULTILINGUAL = """\
code = "flersprakig"
title = "Vad vet du om nära vård?"
languages = ["en", "fi"]
title_en = "What do you know about local care?"
title_fi = "Mitä tiedät lähihoidosta?"
intro = "Fyra korta frågor."
intro_en = "Four short questions."

[[questions]]
code = "kannedom"
kind = "single"
text = "Känner du till färdplanen?"
text_en = "Do you know the roadmap?"
text_fi = "Tunnetko tiekartan?"
step = "L1"
options = [
    { code = "ja", text = "Ja", text_en = "Yes", text_fi = "Kyllä", reaches_step = true },
    { code = "nej", text = "Nej", text_en = "No", text_fi = "Ei" },
    { code = "vet_ej", text = "Vet ej", text_en = "Don't know", text_fi = "En osaa sanoa", dont_know = true },
]

[[questions]]
code = "forstaelse"
kind = "agree5"
text = "Jag förstår vad färdplanen betyder för mig."
text_en = "I understand what the roadmap means for me."
step = "L2"
reached = ["4", "5"]
show_if = { question = "kannedom", any_of = ["ja"] }

[[questions]]
code = "kanaler"
kind = "multiple"
text = "Var har du sett information?"
text_en = "Where have you seen information?"
text_fi = "Missä olet nähnyt tietoa?"
required = false
show_if = { question = "kannedom", any_of = ["ja"] }
options = [
    { code = "intranat", text = "På intranätet", text_en = "On the intranet", text_fi = "Intranetissä", channel = "intranat" },
    { code = "annat", text = "Någon annanstans", text_en = "Somewhere else", text_fi = "Muualla" },
]

[[questions]]
code = "chef"
kind = "yesno"
text = "Har din chef berättat om färdplanen?"
text_en = "Has your manager told you about the roadmap?"
text_fi = "Onko esihenkilösi kertonut tiekartasta?"
required = false
"""
MULTILINGUAL_SURVEY = "/e/flersprakig-nu"


@pytest.fixture(scope="module")
def multilingual_survey(server_env, server_url, tmp_path_factory) -> str:
    """A wave of a questionnaire in Swedish, English and Finnish, loaded and opened with the command line."""
    import subprocess
    import sys

    from tests.browser.conftest import ROOT

    path = tmp_path_factory.mktemp("flersprakig") / "flersprakig.toml"
    path.write_text(MULTILINGUAL, encoding="utf-8")
    for arguments in (
        ["load-questionnaire", str(path), "--plan", "vasternorrland-2026"],
        ["create-wave", "--plan", "vasternorrland-2026", "--questionnaire", "flersprakig",
         "--slug", "flersprakig-nu", "--title", "Flerspråkig omgång", "--opens", "2020-01-01T08:00",
         "--closes", "2099-12-31T17:00"],
    ):  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "server.cli", *arguments],
            env=server_env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=60,
        )
    return MULTILINGUAL_SURVEY


def visible_numbers(page) -> list[str]:
    return page.eval_on_selector_all(
        "form.survey .question:not([hidden]) .number", "spans => spans.map(s => s.textContent.trim())"
    )


def test_a_respondent_chooses_finnish_answers_and_the_back_button_brings_the_receipt(
    page, server_url, multilingual_survey
):
    page.goto(server_url + multilingual_survey)
    assert page.inner_text("h1") == "Flerspråkig omgång"
    page.click("nav.survey-languages >> text=Suomi")
    assert page.get_attribute("html", "lang") == "sv"  # no Finnish catalogue: the page around stays Swedish
    assert page.get_attribute("h1", "lang") == "fi" and page.inner_text("h1") == "Mitä tiedät lähihoidosta?"
    assert page.locator("#q-kannedom legend span[lang=fi]").inner_text() == "Tunnetko tiekartan?"
    assert page.get_attribute('label[for="q-kannedom-ja"]', "lang") == "fi"
    # Not in Finnish: shown in Swedish, which is the page's own language here.
    assert page.locator("#q-forstaelse legend span").last.get_attribute("lang") is None
    page.check("#organisation-timra")
    page.check("#target_group-politiker")
    page.check("#q-kannedom-ja")
    assert visible_numbers(page) == ["1.", "2.", "3.", "4."]
    page.check("#q-forstaelse-4")
    page.click("#send")
    page.wait_for_url("**/tack?lang=fi")
    assert page.inner_text("h1") == "Tack för dina svar!"
    assert page.locator("p[lang=fi]", has_text="Mitä tiedät lähihoidosta?").is_visible()
    # The back button: the browser keeps the ticked answers, but the form is not offered to send again.
    page.go_back()
    assert page.inner_text("h1") == "Dina svar är redan skickade"
    assert page.locator("#send").count() == 0
    # Someone else on the same browser is offered the form again.
    page.click("text=Fyll i enkäten en gång till")
    page.locator("#send").wait_for(state="visible")  # a new page: wait for it rather than race it
    assert page.get_attribute("h1", "lang") == "fi"


def test_the_english_survey_is_english_throughout(page, server_url, multilingual_survey):
    page.goto(server_url + multilingual_survey + "?lang=en")
    assert page.get_attribute("html", "lang") == "en"
    assert page.inner_text("h1") == "What do you know about local care?"
    assert page.locator("#q-kannedom legend").inner_text().endswith("Do you know the roadmap?")
    assert page.locator('[lang="sv"]:not(html) >> text=Känner du till').count() == 0
    assert page.locator("#send").inner_text() == "Send answers"


def test_visible_questions_are_numbered_one_after_another_as_conditions_hide_them(page, server_url):
    page.goto(server_url + SURVEY)
    page.check("#q-kannedom-nej")
    # Hidden: the four questions for those who know the plan. The rest follow on from 1.
    assert visible_numbers(page) == ["1.", "2.", "3.", "4."]
    assert page.locator("#q-chef-informerat .number").inner_text() == "2."
    page.check("#q-kannedom-ja_val")
    assert visible_numbers(page) == [f"{n}." for n in range(1, 9)]


def test_without_javascript_the_server_numbers_every_question_it_shows(page_without_javascript, server_url):
    page = page_without_javascript
    page.goto(server_url + SURVEY)
    numbers = page.eval_on_selector_all(".question .number", "spans => spans.map(s => s.textContent.trim())")
    assert numbers == [f"{n}." for n in range(1, len(numbers) + 1)] and len(numbers) == 8


def test_the_page_says_the_chosen_target_group_not_medarbetare(page, server_url):
    page.goto(server_url + SURVEY + "/o/timra")
    assert page.inner_text("#answering-as") == "Dina svar räknas till Timrå kommun."
    page.check("#target_group-politiker")
    assert page.inner_text("#answering-as") == (
        "Dina svar räknas till Timrå kommun och målgruppen Politiskt förtroendevalda."
    )
    assert "medarbetare" not in page.inner_text("#answering-as").lower()


def test_the_survey_in_a_second_language_has_no_wcag_2_1_aa_violations(
    browser, server_url, axe_source, multilingual_survey
):
    from tests.browser.test_accessibility import axe_violations, describe

    context = browser.new_context(locale="sv-SE", bypass_csp=True)
    page = context.new_page()
    found = {}
    for query in ("?lang=fi", "?lang=en", "?lang=fi&errors"):
        page.goto(server_url + multilingual_survey + query.replace("&errors", ""))
        if query.endswith("&errors"):
            with page.expect_navigation():
                page.click("#send")
            assert page.locator("#error-summary").is_visible()
        violations = axe_violations(page, axe_source)
        if violations:
            found[query] = describe(violations)
    page.goto(server_url + multilingual_survey + "/tack?lang=fi")
    violations = axe_violations(page, axe_source)
    if violations:
        found["receipt"] = describe(violations)
    context.close()
    assert not found, found
