"""axe-core finds no WCAG 2.1 A or AA violation on the per-question pages, the start page by role and the
accessibility statement and privacy notice; the filters and the statements work without JavaScript.

The same audit as tests/browser/test_accessibility.py, on the pages this feature adds (their entries for
tests/browser/screens.py are in the lead's list).
"""

from __future__ import annotations

import pytest

from tests.browser.screens import PLAN, Screen
from tests.browser.test_accessibility import axe_violations, describe

pytestmark = [pytest.mark.browser]

QUESTIONS = f"/resultat/{PLAN}/fragor"
SCREENS = [
    Screen("start-reader", "/", "lasare"),
    Screen("start-communicator", "/", "kommunikator"),
    Screen("start-admin", "/", "admin"),
    Screen("accessibility-statement", "/om/tillganglighet"),
    Screen("accessibility-statement-in-english", "/om/tillganglighet?lang=en"),
    Screen("privacy-notice", "/om/personuppgifter"),
    Screen("privacy-notice-in-english", "/om/personuppgifter?lang=en"),
    Screen("questions", QUESTIONS, "lasare"),
    Screen("questions-for-communicators", QUESTIONS, "kommunikator"),
    Screen("questions-by-group", f"{QUESTIONS}?malgrupp=kommunala-chefer", "lasare"),
    Screen(
        "questions-by-organisation", f"{QUESTIONS}?malgrupp=kommunala-chefer&organisation=sundsvall", "lasare"
    ),
    Screen("questions-hidden", f"{QUESTIONS}?malgrupp=samordnare", "lasare"),
    Screen("questions-in-english", f"{QUESTIONS}?lang=en", "lasare"),
    Screen("crosstab-empty", f"{QUESTIONS}/korstabell", "lasare"),
    Screen(
        "crosstab",
        f"{QUESTIONS}/korstabell?rader=kannedom&kolumner=chef-informerat&malgrupp=kommunala-chefer",
        "lasare",
    ),
    Screen("crosstab-refused", f"{QUESTIONS}/korstabell?rader=kannedom&kolumner=kanaler", "lasare"),
    Screen("free-texts", f"{QUESTIONS}/behov/fritext?malgrupp=medarbetare", "kommunikator"),
    Screen("free-texts-hidden", f"{QUESTIONS}/behov/fritext?malgrupp=samordnare", "kommunikator"),
]


@pytest.mark.parametrize("screen", SCREENS, ids=str)
def test_the_page_has_no_wcag_2_1_aa_violations(browser, site, axe_source, screen):
    context = site.context(browser, screen, bypass_csp=True)
    page = context.new_page()
    try:
        response = page.goto(site.address(screen))
        assert response is not None and response.status in (200, 422), (
            f"{page.url}: {response and response.status}"
        )
        violations = axe_violations(page, axe_source)
        assert not violations, f"{page.url}\n{describe(violations)}"
    finally:
        context.close()


def test_a_reader_filters_the_answers_by_keyboard_without_javascript(browser, site):
    screen = Screen("filters", QUESTIONS, "lasare")
    context = site.context(browser, screen, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site.address(screen))
        page.select_option("#malgrupp", "kommunala-chefer")
        page.select_option("#organisation", "sundsvall")
        page.focus("main form button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "malgrupp=kommunala-chefer" in page.url and "organisation=sundsvall" in page.url
        assert page.locator("#malgrupp").input_value() == "kommunala-chefer"
        assert page.locator("main table").count() > 3
    finally:
        context.close()


def test_a_respondent_reaches_the_privacy_notice_from_the_survey(browser, site):
    screen = Screen("survey", "/e/omgang-4-nu")
    context = site.context(browser, screen, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site.address(screen))
        with page.expect_navigation():
            page.click("footer >> text=Så behandlas dina svar")
        assert page.url.endswith("/om/personuppgifter")
        assert page.locator("h1").inner_text() == "Så behandlas dina svar"
        with page.expect_navigation():
            page.click("main >> text=Tillgänglighetsredogörelse")
        assert page.locator("h1").inner_text() == "Tillgänglighetsredogörelse"
    finally:
        context.close()
