"""With JavaScript turned off, every page still shows everything and every form still works."""

from __future__ import annotations

import pytest

from tests.browser.screens import PASSWORD, PLAN, USERS, screen_params

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("screen", screen_params())
def test_the_page_shows_its_content_without_javascript(browser, site, screen):
    context = site.context(browser, screen, java_script_enabled=False)
    page = context.new_page()
    try:
        response = page.goto(site.address(screen))
        assert response.status < 500
        if screen.prepare:
            screen.prepare(page)
        assert page.locator("h1").first.is_visible()
        # Questions shown only after some answers are there from the start, with a note on who answers.
        for question in page.locator("[data-show-if]").all():
            assert question.is_visible()
        if screen.name.endswith("with-errors"):
            assert page.locator("#error-summary").is_visible()
            assert page.title().startswith(("Fel:", "Error:"))
    finally:
        context.close()


def sign_in_without_javascript(browser, site, role: str, path: str):
    context = browser.new_context(locale="sv-SE", java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + path)
    assert "/logga-in" in page.url
    page.fill("#username", USERS[role])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url == site.url + path
    return context, page


def test_a_communicator_signs_in_and_saves_a_goal_without_javascript(browser, site):
    context, page = sign_in_without_javascript(browser, site, "kommunikator", f"/arbeta/planer/{PLAN}")
    try:
        target = page.locator("input[name=target]").first
        target_id = target.get_attribute("id")
        target.fill("72")
        with page.expect_navigation():
            page.click(f"#{target_id} >> xpath=ancestor::form//button")
        assert "Ändringen är sparad." in page.inner_text("main")
        assert page.input_value(f"#{target_id}") == "72"
        page.goto(site.url + "/arbeta")
        assert page.locator("table.data").first.is_visible()
    finally:
        context.close()


def test_a_reader_signs_in_and_reads_the_charts_and_their_tables_without_javascript(browser, site):
    context, page = sign_in_without_javascript(browser, site, "lasare", f"/resultat/{PLAN}")
    try:
        assert page.locator("table.matrix tbody tr").count() > 0
        page.click("table.matrix a >> nth=0")
        page.wait_for_load_state("networkidle")
        chart = page.locator("figure.chart").first
        assert chart.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
        assert chart.locator("table").is_hidden()
        chart.locator("summary").click()  # <details> opens without any script
        assert chart.locator("table").is_visible()
    finally:
        context.close()


def test_a_keyboard_user_without_javascript_lands_on_the_error_summary(browser, site):
    context = browser.new_context(locale="sv-SE", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site.url + "/e/omgang-4-nu")
        page.focus("#send")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        # The summary has the autofocus attribute: focus moves there without form.js.
        assert page.evaluate("document.activeElement.id") == "error-summary"
    finally:
        context.close()
