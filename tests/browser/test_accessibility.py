"""axe-core in a real Chromium finds no WCAG 2.1 A or AA violation on any page, in any state.

The pages are listed in tests/browser/screens.py; axe-core comes from the npm registry, pinned in
tests/browser/package-lock.json.
"""

from __future__ import annotations

import pytest

from tests.browser.screens import screen_params

pytestmark = [pytest.mark.browser]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return results["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


@pytest.mark.parametrize("screen", screen_params())
def test_the_page_has_no_wcag_2_1_aa_violations(browser, site, axe_source, screen):
    # The page's own Content-Security-Policy would refuse the injected axe-core script.
    context = site.context(browser, screen, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(site.address(screen))
        if screen.prepare:
            screen.prepare(page)
        violations = axe_violations(page, axe_source)
        assert not violations, f"{page.url}\n{describe(violations)}"
    finally:
        context.close()


def test_a_keyboard_user_goes_from_the_error_summary_to_the_question_and_answers_it(page, server_url):
    # Complements the keyboard-only completion in test_respondent_browser.py: the way back from errors.
    page.goto(server_url + "/e/omgang-4-nu")
    page.focus("#send")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.keyboard.press("Tab")
    first_link = page.locator("#error-summary a").first
    assert page.evaluate("document.activeElement.getAttribute('href')") == first_link.get_attribute("href")
    page.keyboard.press("Enter")
    wanted = first_link.get_attribute("href").removeprefix("#")
    assert page.evaluate("document.activeElement.id") == wanted
    page.keyboard.press("Space")
    assert page.is_checked(f"#{wanted}")
    assert page.locator(f"#{wanted}").evaluate(
        "input => getComputedStyle(input).outlineStyle !== 'none' || input.matches(':focus-visible')"
    )


def test_the_swedish_questions_on_the_english_page_are_marked_as_swedish(page, server_url):
    # Screen readers switch voice for them (WCAG 3.1.2); the English interface around them stays English.
    page.goto(server_url + "/e/omgang-4-nu?lang=en")
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_attribute("h1", "lang") == "sv"
    assert page.locator('#q-kannedom legend span[lang="sv"]').inner_text().startswith("Känner du till")
    assert page.get_attribute('label[for="q-kannedom-nej"]', "lang") == "sv"
    assert page.locator("#send").evaluate("button => button.closest('[lang]').lang") == "en"
    page.goto(server_url + "/e/omgang-4-nu")
    assert page.locator('[lang="sv"]:not(html)').count() == 0
