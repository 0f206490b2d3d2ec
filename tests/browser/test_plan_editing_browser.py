"""A communicator edits the demo plan in a real browser: a target group with sizes from an HR file, an activity,
reach typed in by hand; the changes show on the plan page and on the results' activities page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import create_user

pytestmark = pytest.mark.browser

PLAN = "/arbeta/planer/vasternorrland-2026"
TITLE = "Webbinarium om Nära vård för förtroendevalda"


def sign_in(page, server_url: str) -> None:
    page.goto(server_url + "/arbeta")
    page.fill("#username", "plan-editor@example.se")
    page.fill("#password", "ett-langt-losenord")
    page.click("button[type=submit]")
    page.wait_for_url("**/arbeta")


def test_a_communicator_edits_the_plan_and_sees_it_in_the_results(browser, server_env, server_url):
    create_user(server_env, "plan-editor@example.se", "kommunikator", "ett-langt-losenord")
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    sign_in(page, server_url)

    # A new target group, then its sizes from an HR register's file: previewed first, then saved.
    page.goto(server_url + PLAN + "/malgrupper")
    page.fill("#new-name", "Förtroendevalda")
    page.click("text=Lägg till målgruppen")
    page.wait_for_url("**/malgrupper?sparat=ja")
    page.goto(server_url + PLAN + "/storlekar")
    assert page.locator("text=Hämta mallen").is_visible()
    hr_file = "organisation;målgrupp;antal\r\nHärnösands kommun;Förtroendevalda;61\r\nkramfors;fortroendevalda;1 049\r\n"
    page.set_input_files(
        "#file", files=[{"name": "hr.csv", "mimeType": "text/csv", "buffer": hr_file.encode("cp1252")}]
    )
    page.click("text=Förhandsgranska")
    assert page.locator("caption", has_text="2 storlekar i filen").is_visible()
    page.click("text=Spara 2 storlekar")
    page.wait_for_url("**sparat=storlekar**")
    assert page.input_value("#size-fortroendevalda-harnosand") == "61"
    assert page.input_value("#size-fortroendevalda-kramfors") == "1049"

    # An activity for the new group, with a mistake first: the message is linked to the field.
    page.click("nav >> text=Ny aktivitet")
    page.fill("#title", TITLE)
    page.fill("#starts_on", "2026-05-04")
    page.fill("#ends_on", "2026-05-01")
    page.check("#channels-intranat")
    page.check("#target_groups-fortroendevalda")
    page.select_option("#step", "L2")
    page.click("text=Lägg till aktiviteten")
    assert page.locator("#error-summary").is_visible()
    page.click("#error-summary >> text=Slutdatumet kan inte vara före startdatumet.")
    assert page.evaluate("document.activeElement.id") == "ends_on"
    assert page.is_checked("#target_groups-fortroendevalda")  # what was chosen is kept
    page.fill("#ends_on", "2026-05-08")
    page.click("text=Lägg till aktiviteten")
    page.wait_for_url("**sparat=aktivitet**")
    row = page.locator("#aktiviteter ~ div tr", has_text=TITLE)
    assert "2026-05-04 – 2026-05-08" in row.inner_text() and "Förtroendevalda" in row.inner_text()

    # Reach for the activity, typed in by hand.
    page.click("nav >> text=Räckvidd")
    page.fill("#period_start", "2026-05-04")
    page.fill("#period_end", "2026-05-08")
    page.select_option("#channel", "intranat")
    page.select_option("#activity", label=TITLE)
    page.fill("#views", "2 500")
    page.click("text=Spara siffrorna")
    page.wait_for_url("**/rackvidd/poster?sparat=ja")
    assert page.locator("table tr", has_text=TITLE).count() == 1

    # The results show the activity with its reach.
    page.goto(server_url + "/resultat/vasternorrland-2026/aktiviteter")
    activities = page.get_by_role("region", name="Aktiviteter", exact=True)
    row = activities.locator("tr", has_text=TITLE)
    assert "Visningar: 2\u00a0500" in row.inner_text()
    context.close()


def test_the_plan_forms_work_without_javascript(page_without_javascript, server_env, server_url):
    create_user(server_env, "plan-editor-2@example.se", "kommunikator", "ett-langt-losenord")
    page = page_without_javascript
    page.goto(server_url + "/arbeta")
    page.fill("#username", "plan-editor-2@example.se")
    page.fill("#password", "ett-langt-losenord")
    page.click("button[type=submit]")
    page.wait_for_url("**/arbeta")
    page.goto(server_url + PLAN + "/kanaler")
    page.fill("#new-name", "Poddar")
    page.click("text=Lägg till kanalen")
    page.wait_for_url("**/kanaler?sparat=ja")
    assert page.locator("h2", has_text="Poddar").is_visible()
    page.click("text=Ta bort kanalen Intranät")
    assert "används av aktiviteterna" in page.locator("#error-summary").inner_text()
