"""axe-core in a real Chromium finds no WCAG 2.1 A or AA violation on any page, in any state.

The pages are listed in tests/browser/screens.py; axe-core comes from the npm registry, pinned in
tests/browser/package-lock.json.
"""

from __future__ import annotations

import pytest

from tests.browser.screens import SCREENS

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


@pytest.mark.parametrize("screen", SCREENS, ids=str)
def test_the_page_has_no_wcag_2_1_aa_violations(browser, site, axe_source, screen):
    # The page's own Content-Security-Policy would refuse the injected axe-core script.
    context = site.context(browser, screen, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(site.address(screen))
        if screen.prepare:
            screen.prepare(page)
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page, axe_source)
        assert not violations, f"{page.url}\n{describe(violations)}"
    finally:
        context.close()
