"""A communicator in a real browser: signs in, edits the plan, previews the survey, opens a wave, sees answers."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import create_user

pytestmark = pytest.mark.browser


def test_a_communicator_runs_a_wave_from_plan_to_progress(browser, server_env, server_url):
    create_user(server_env, "kim@example.se", "kommunikator", "ett-langt-losenord")
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.goto(server_url + "/arbeta")
    page.fill("#username", "kim@example.se")
    page.fill("#password", "ett-langt-losenord")
    page.click("button[type=submit]")
    page.wait_for_url("**/arbeta")

    # Edit the plan: a goal's target.
    page.click("text=Färdplan Nära vård i Västernorrland – kommunikationsplan 2026")
    page.fill("#goal-1-target", "85")
    page.click("#goal-1-target >> xpath=ancestor::form//button")
    page.wait_for_url("**sparat=mal-1")
    assert page.input_value("#goal-1-target") == "85"

    # Preview the questionnaire as respondents see it.
    page.goto(server_url + "/arbeta/enkater")
    page.click("text=Version 1")
    assert page.locator("text=Förhandsgranskning.").is_visible()
    assert page.locator("#send").count() == 0

    # Open a new wave for one organisation and group.
    page.goto(server_url + "/arbeta/omgangar/ny?plan=vasternorrland-2026")  # other tests may add plans
    opens = (dt.datetime.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    closes = (dt.datetime.now() + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#title", "Extra mätning för politiker")
    page.fill("#slug", "extra-politiker")
    page.fill("#opens", opens)
    page.fill("#closes", closes)
    for box in page.locator("input[name=target_group]").all():
        box.uncheck()
    page.check("#tg-politiker")
    for box in page.locator("input[name=organisation]").all():
        box.uncheck()
    page.check("#org-timra")
    page.click("text=Skapa mätomgången")
    page.wait_for_url("**/arbeta/omgangar/extra-politiker")
    assert page.locator("text=Kontroll av enkäten").is_visible()

    # A respondent answers through the organisation's link; nothing asks for organisation or group.
    respondent = browser.new_context(locale="sv-SE").new_page()
    respondent.goto(server_url + "/e/extra-politiker/o/timra")
    assert respondent.locator("input[name=organisation]").count() == 0
    assert respondent.locator("input[name=target_group]").count() == 0
    respondent.check("#q-kannedom-nej")
    respondent.click("#send")
    respondent.wait_for_url("**/tack")

    # Progress shows the answer only as "dold" (one symbol, issue #13).
    page.reload()
    assert "dold" in page.inner_text("#progress-caption >> xpath=ancestor::table")
    context.close()
