"""A communicator builds a questionnaire in a browser without JavaScript, and a respondent answers it.

Log in → edit the plan (a new channel) → new questionnaire from bank questions → a new question with options and a step → reorder →
preview → pre-publish check → open a wave with it → a respondent answers → progress shows it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import create_user

pytestmark = pytest.mark.browser

NEW_QUESTION = "Har du läst veckobrevet om nära vård?"
NEW_CODE = "har_du_last_veckobrevet_om_nara_vard"


def question_order(page) -> list[str]:
    return [item.get_attribute("id") for item in page.locator("ol.designer-questions > li").all()]


def test_a_communicator_builds_a_questionnaire_from_the_bank_and_a_respondent_answers_it(
    browser, server_env, server_url
):
    create_user(server_env, "designer@example.se", "kommunikator", "ett-langt-losenord")
    # Without JavaScript: every step of the designer is a plain form.
    context = browser.new_context(locale="sv-SE", java_script_enabled=False)
    page = context.new_page()
    page.goto(server_url + "/arbeta/enkater")
    page.fill("#username", "designer@example.se")
    page.fill("#password", "ett-langt-losenord")
    page.click("button[type=submit]")
    page.wait_for_url("**/arbeta/enkater")

    # The plan first: the weekly letter becomes one of its channels.
    page.goto(server_url + "/arbeta/planer/vasternorrland-2026/kanaler")
    page.fill("#new-name", "Veckobrevet")
    page.click("text=Lägg till kanalen")
    page.wait_for_url("**/kanaler?sparat=ja")
    assert page.locator("h2", has_text="Veckobrevet").is_visible()
    page.goto(server_url + "/arbeta/enkater")

    # A new questionnaire from two bank questions.
    page.click("text=Skapa en ny enkät")
    # A title after the demo questionnaire's, so that other walk-throughs still find theirs first.
    page.fill("#title", "Veckobrevet hösten 2027")
    page.fill("#code", "veckobrev-2027")
    page.fill("#intro", "Tre snabba frågor om veckobrevet.")
    page.check("#bank-fardplan-kannedom")
    page.check("#bank-chef-informerat")
    page.click("text=Skapa enkäten")
    page.wait_for_url("**/arbeta/enkater/veckobrev-2027/redigera**")
    assert page.locator("text=Enkäten är skapad").is_visible()
    # In the bank's order (the order of the questionnaire the bank has them from), not by code.
    assert question_order(page) == ["fraga-kannedom", "fraga-chef-informerat"]

    # A new question with options, a step and the options that reach it; a wrong first try is explained.
    page.click("text=Skriv en ny fråga")
    page.fill("#text", NEW_QUESTION)
    page.check("#step-L1")
    page.check("#dont_know-not_reached")
    page.fill("#option-1-text", "Ja")
    page.fill("#option-2-text", "Nej")
    page.fill("#option-3-text", "Vet ej")
    page.check("#option-3-dont-know")
    page.click("text=Spara frågan")
    summary = page.locator("#error-summary")
    assert summary.is_visible() and "räknas som att steget nås" in summary.inner_text()
    page.check("#option-1-reaches")
    page.press("#option-1-text", "Enter")  # Enter in a text field saves (it does not add option rows)
    page.wait_for_url("**/arbeta/enkater/veckobrev-2027/redigera**")
    assert question_order(page) == ["fraga-kannedom", "fraga-chef-informerat", f"fraga-{NEW_CODE}"]

    # Reorder with the buttons: the new question goes up one place.
    page.locator(f"#fraga-{NEW_CODE} button", has_text="Flytta upp").click()
    page.wait_for_url("**sparat=ja**")
    assert question_order(page) == ["fraga-kannedom", f"fraga-{NEW_CODE}", "fraga-chef-informerat"]

    # Preview exactly as respondents see it, without a send button.
    page.click("text=Förhandsgranska som de svarande ser den")
    assert page.locator("text=Förhandsgranskning.").is_visible()
    assert page.locator(f"text={NEW_QUESTION}").is_visible()
    assert page.locator("#send").count() == 0
    page.go_back()

    # The pre-publish check.
    page.click("text=Kontroll före start")
    assert page.locator("h1", has_text="Kontroll före start").is_visible()
    assert "3 frågor" in page.inner_text("main")

    # A wave with the new questionnaire, for one organisation and one group.
    page.goto(server_url + "/arbeta/omgangar/ny?plan=vasternorrland-2026")
    page.select_option("#questionnaire", "veckobrev-2027")
    page.fill("#title", "Veckobrevet i Timrå")
    page.fill("#slug", "veckobrev-timra")
    page.fill("#opens", (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#closes", (dt.datetime.now() + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"))
    for box in page.locator("input[name=target_group]").all():
        box.uncheck()
    page.check("#tg-politiker")
    for box in page.locator("input[name=organisation]").all():
        box.uncheck()
    page.check("#org-timra")
    page.click("text=Skapa mätomgången")
    page.wait_for_url("**/arbeta/omgangar/veckobrev-timra")

    # A respondent answers the new question.
    respondent_context = browser.new_context(locale="sv-SE")
    respondent = respondent_context.new_page()
    respondent.goto(server_url + "/e/veckobrev-timra/o/timra")
    assert respondent.locator(f"text={NEW_QUESTION}").is_visible()
    respondent.check("#q-kannedom-ja_val")
    respondent.check(f"#q-{NEW_CODE}-ja")
    respondent.click("#send")
    respondent.wait_for_url("**/tack")
    respondent_context.close()

    # Progress counts the answer, shown only as "dold" (one symbol, issue #13); the version is now locked.
    page.reload()
    assert "dold" in page.inner_text("#progress-caption >> xpath=ancestor::table")
    page.goto(server_url + "/arbeta/enkater/veckobrev-2027/redigera")
    assert page.locator("text=har svar och är låst").is_visible()
    context.close()


def test_the_designer_pages_have_no_wcag_2_1_aa_violations_even_with_errors(
    browser, server_env, server_url, axe_source
):
    from tests.browser.test_accessibility import axe_violations, describe

    create_user(server_env, "designer-axe@example.se", "kommunikator", "ett-langt-losenord")
    # The pages' Content-Security-Policy would refuse the injected axe-core script.
    context = browser.new_context(locale="sv-SE", bypass_csp=True)
    page = context.new_page()
    page.goto(server_url + "/logga-in")
    page.fill("#username", "designer-axe@example.se")
    page.fill("#password", "ett-langt-losenord")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/logga-in" not in url)  # wherever the role lands
    code = "uppfoljning-fardplan"

    def refuse_question(p):
        p.fill("#text", "")
        p.click("text=Spara frågan")

    def refuse_questionnaire(p):
        p.click("text=Skapa enkäten")

    screens = [
        ("/arbeta/fragebank", None),
        (f"/arbeta/fragebank?enkat={code}", None),
        (f"/arbeta/enkater/{code}/redigera", None),
        (f"/arbeta/enkater/{code}/fragor/kannedom", None),
        (f"/arbeta/enkater/{code}/fragor/forstaelse", refuse_question),
        (f"/arbeta/enkater/{code}/ny-fraga", None),
        ("/arbeta/enkater/ny", refuse_questionnaire),
        (f"/arbeta/enkater/{code}/kontroll", None),
    ]
    found = {}
    for path, prepare in screens:
        page.goto(server_url + path)
        if prepare:
            prepare(page)
            assert page.locator("#error-summary").is_visible()
        violations = axe_violations(page, axe_source)
        if violations:
            found[path] = describe(violations)
    context.close()
    assert not found, found


def signed_in_page(browser, server_env, server_url, username: str, **context_options):
    create_user(server_env, username, "kommunikator", "ett-langt-losenord")
    context = browser.new_context(locale="sv-SE", **context_options)
    page = context.new_page()
    page.goto(server_url + "/logga-in")
    page.fill("#username", username)
    page.fill("#password", "ett-langt-losenord")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/logga-in" not in url)  # wherever the role lands
    return context, page


def test_a_bilingual_questionnaire_from_the_bank_is_put_in_order_by_dragging_and_by_keyboard(
    browser, server_env, server_url
):
    # Tall enough to see the whole list, as a person dragging would scroll to.
    context, page = signed_in_page(
        browser, server_env, server_url, "dra-och-slapp@example.se", viewport={"width": 1280, "height": 3000}
    )

    # From the bank, ticked in any order: they come in the bank's order, with their condition.
    page.goto(server_url + "/arbeta/enkater/ny")
    page.fill("#title", "Ändringsresan 2027")
    page.fill("#code", "andringsresan-2027")
    page.check("#languages-en")
    for code in ("chef-informerat", "fardplan-forstaelse", "fardplan-kannedom", "fardplan-kanaler"):
        page.check(f"#bank-{code}")
    page.click("text=Skapa enkäten")
    page.wait_for_url("**/arbeta/enkater/andringsresan-2027/redigera**")
    assert question_order(page) == [
        "fraga-kannedom",
        "fraga-kanaler",
        "fraga-forstaelse",
        "fraga-chef-informerat",
    ]
    assert "visas bara efter vissa svar på fråga 1" in page.inner_text("#fraga-forstaelse")

    # The title in English, then a new question in Swedish and English, its options linked to channels.
    page.fill("#title-en", "The change journey 2027")
    page.click("text=Spara titel, inledning och språk")
    page.wait_for_url("**sparat=ja**")
    page.click("text=Skriv en ny fråga")
    page.fill("#text", "Läser du veckobrevet?")
    page.fill("#text-en", "Do you read the weekly letter?")
    page.select_option("#kind", "multiple")
    page.fill("#option-1-text", "Ja, på intranätet")
    page.fill("#option-1-text-en", "Yes, on the intranet")
    page.select_option("#option-1-channel", "intranat")
    page.fill("#option-2-text", "Nej")
    page.fill("#option-2-text-en", "No")
    page.click("text=Spara frågan >> nth=0")
    page.wait_for_url("**/arbeta/enkater/andringsresan-2027/redigera**")
    new = "fraga-laser_du_veckobrevet"
    assert question_order(page)[-1] == new

    # Dragged by its handle with a pointer to the top: one move, saved at once.
    handle = page.locator(f"#{new} .drag-handle")
    box = handle.bounding_box()
    target = page.locator("#fraga-kannedom").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(target["x"] + 20, target["y"] + 5, steps=12)
    with page.expect_navigation():
        page.mouse.up()
    assert question_order(page) == [
        new,
        "fraga-kannedom",
        "fraga-kanaler",
        "fraga-forstaelse",
        "fraga-chef-informerat",
    ]
    assert page.locator("text=Frågan är flyttad till plats 1.").is_visible()
    assert page.evaluate("document.activeElement.closest('li').id") == new

    # With the keyboard: Space lifts, the arrow moves, Space drops; Escape would have put it back.
    page.focus(f"#{new} .drag-handle")
    page.keyboard.press("Space")
    assert page.get_attribute(f"#{new} .drag-handle", "aria-pressed") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    # Said to screen readers through the live region.
    page.locator("#reorder-status", has_text="Plats 3 av 5.").wait_for(state="attached")
    page.keyboard.press("Escape")
    assert question_order(page)[0] == new
    page.keyboard.press("Space")
    page.keyboard.press("End")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert question_order(page) == [
        "fraga-kannedom",
        "fraga-kanaler",
        "fraga-forstaelse",
        "fraga-chef-informerat",
        new,
    ]

    # A filter question cannot be dragged below the question it filters: refused, in plain words.
    handle = page.locator("#fraga-kannedom .drag-handle")
    page.focus("#fraga-kannedom .drag-handle")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert "kommer efter den" in page.inner_text("#error-summary")
    assert "show_if" not in page.inner_text("#error-summary")

    # The check lists the English still missing, and the respondents' preview is in English.
    page.goto(server_url + "/arbeta/enkater/andringsresan-2027/kontroll")
    assert "Texter saknas på engelska" in page.inner_text("main")
    page.goto(server_url + "/arbeta/enkater/andringsresan-2027/version/1?lang=en")
    assert page.inner_text("h1") == "The change journey 2027"
    assert page.locator("text=Do you read the weekly letter?").is_visible()
    context.close()


def test_the_multilingual_designer_pages_have_no_wcag_2_1_aa_violations(
    browser, server_env, server_url, axe_source
):
    from tests.browser.test_accessibility import axe_violations, describe

    context, page = signed_in_page(
        browser, server_env, server_url, "designer-sprak-axe@example.se", bypass_csp=True
    )
    page.goto(server_url + "/arbeta/enkater/ny")
    page.fill("#title", "Språkgranskning")
    page.fill("#code", "sprakgranskning")
    page.check("#languages-en")
    page.check("#languages-fi")
    page.check("#bank-fardplan-kannedom")
    page.check("#bank-fardplan-kanaler")
    page.click("text=Skapa enkäten")
    page.wait_for_url("**/arbeta/enkater/sprakgranskning/redigera**")
    found = {}
    for path in (
        "/arbeta/enkater/sprakgranskning/redigera",
        "/arbeta/enkater/sprakgranskning/fragor/kanaler",
        "/arbeta/enkater/sprakgranskning/ny-fraga",
        "/arbeta/enkater/sprakgranskning/kontroll",
        "/arbeta/enkater/sprakgranskning/version/1?lang=fi",
        "/arbeta/enkater/ny?kopia=sprakgranskning",
    ):
        page.goto(server_url + path)
        page.wait_for_load_state("load")
        violations = axe_violations(page, axe_source)
        if violations:
            found[path] = describe(violations)
    context.close()
    assert not found, found
