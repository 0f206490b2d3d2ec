"""The one-screen overview and the projector view in a real Chromium: they fit, they pass axe-core, they reflow
at 320 px and 200 % zoom, and the slides step with the keyboard, or with plain links without JavaScript."""

from __future__ import annotations

import pytest

from tests.browser.screens import PLAN, Screen
from tests.browser.test_accessibility import axe_violations, describe
from tests.browser.test_layout import LAYOUT_PROBLEMS, SIZES

pytestmark = [pytest.mark.browser]

SCREENS = [
    Screen("overview", f"/resultat/{PLAN}", "lasare"),
    Screen("overview-in-english", f"/resultat/{PLAN}?lang=en", "lasare"),
    Screen("presentation-start", f"/resultat/{PLAN}/visning", "lasare"),
    Screen("presentation-group", f"/resultat/{PLAN}/visning/kommunala-chefer", "lasare"),
    Screen("presentation-hidden-group", f"/resultat/{PLAN}/visning/samordnare", "lasare"),
    Screen("target-group", f"/resultat/{PLAN}/malgrupper/lsg", "lasare"),
    Screen("reach-over-time", f"/resultat/{PLAN}/rackvidd", "lasare"),
]


@pytest.mark.parametrize("screen", SCREENS, ids=str)
def test_the_page_has_no_wcag_2_1_aa_violations(browser, site, axe_source, screen):
    context = site.context(browser, screen, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(site.address(screen))
        violations = axe_violations(page, axe_source)
        assert not violations, f"{page.url}\n{describe(violations)}"
    finally:
        context.close()


@pytest.mark.parametrize("screen", SCREENS, ids=str)
def test_the_page_reflows_at_320_px_and_200_percent_zoom(browser, site, screen):
    context = site.context(browser, screen, viewport=SIZES[0][1], device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(site.address(screen))
        found = []
        for name, size in SIZES:
            page.set_viewport_size(size)
            found += [f"at {name}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]
        assert not found, f"{page.url}\n" + "\n".join(found)
    finally:
        context.close()


def test_the_overview_fits_one_screen_at_1280_px(browser, site):
    screen = SCREENS[0]
    context = site.context(browser, screen, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(site.address(screen))
        # The whole matrix, headline to legend, is on the first screen; the site's footer may follow below.
        bottom = page.evaluate("document.querySelector('.legend').getBoundingClientRect().bottom")
        height = page.evaluate("document.documentElement.scrollHeight")
        print(f"overview at 1280 px: the legend ends at {bottom:.0f} px, the page is {height} px tall")
        assert bottom <= 900, f"the overview's legend ends at {bottom:.0f} px"
        assert page.locator("table.matrix tbody tr").count() == 8
        assert page.locator("table.matrix svg.spark").count() >= 8 * 3
    finally:
        context.close()


def test_a_group_slide_fits_a_16_9_projector(browser, site):
    screen = SCREENS[3]
    context = site.context(browser, screen, viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(site.address(screen))
        assert page.evaluate("document.documentElement.scrollHeight") <= 720
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.slide-goal .share')).fontSize)"
        )
        assert size >= 48, f"the share is {size} px on a 1280 × 720 slide"
    finally:
        context.close()


def test_the_keyboard_steps_through_the_slides_and_escape_leaves(browser, site):
    screen = SCREENS[2]
    context = site.context(browser, screen, viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(site.address(screen))
        assert page.locator("#slide-keys").is_visible()
        with page.expect_navigation():
            page.keyboard.press("ArrowRight")
        assert page.url.endswith("/visning/hogsta-ledning")
        with page.expect_navigation():
            page.keyboard.press("PageDown")
        assert page.url.endswith("/visning/kommunala-chefer")
        with page.expect_navigation():
            page.keyboard.press("PageUp")
        assert page.url.endswith("/visning/hogsta-ledning")
        with page.expect_navigation():
            page.keyboard.press("End")
        assert page.url.endswith("/visning/invanare")
        url = page.url
        page.keyboard.press("ArrowRight")  # the last slide: nothing after it
        page.wait_for_timeout(200)
        assert page.url == url
        with page.expect_navigation():
            page.keyboard.press("Escape")
        assert page.url.endswith("/malgrupper/invanare")
    finally:
        context.close()


def test_without_javascript_the_slides_step_by_plain_links(browser, site):
    screen = SCREENS[2]
    context = site.context(browser, screen, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(site.address(screen))
        assert not page.locator("#slide-keys").is_visible()  # no keys promised without the script
        page.click("a[rel=next]")
        page.wait_for_url("**/visning/hogsta-ledning")
        page.click("a[rel=next]")
        page.wait_for_url("**/visning/kommunala-chefer")
        page.click("a[rel=prev]")
        page.wait_for_url("**/visning/hogsta-ledning")
        page.click("a.exit")
        page.wait_for_url("**/malgrupper/hogsta-ledning")
    finally:
        context.close()
