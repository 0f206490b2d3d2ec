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
