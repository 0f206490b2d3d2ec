"""A communicator in a real browser sets up Västra Götaland's plan beside the demo: the plan with the region
and its 49 municipalities, target groups, a goal in percent, channels, an activity and a wave, in few
actions; the new pages have no WCAG 2.1 AA violations. The plan is archived at the end, so that the other
browser tests meet the demo alone."""

from __future__ import annotations

import subprocess
import sys

import pytest

from surveys.questionnaires.model import parse_questionnaire
from surveys.questionnaires.toml_file import to_toml
from tests.browser.conftest import ROOT, create_user
from tests.browser.test_accessibility import axe_violations, describe
from tests.support import QUESTIONNAIRE

pytestmark = pytest.mark.browser

PLAN = "/arbeta/planer/vastra-gotaland-2027"


class Actions:
    """The page, counting what a person does: each fill, choice, tick and click."""

    def __init__(self, page) -> None:
        self.page, self.count = page, 0

    def fill(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)
        self.count += 1

    def select(self, selector: str, value: str) -> None:
        self.page.select_option(selector, value)
        self.count += 1

    def check(self, selector: str) -> None:
        self.page.check(selector)
        self.count += 1

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.count += 1


def no_violations(page, axe_source: str) -> None:
    violations = axe_violations(page, axe_source)
    assert not violations, f"{page.url}\n{describe(violations)}"


def test_a_communicator_sets_up_a_second_county_in_few_actions(
    browser, server_env, server_url, axe_source, tmp_path
):
    create_user(server_env, "vg@example.se", "kommunikator", "ett-langt-losenord")
    context = browser.new_context(locale="sv-SE", bypass_csp=True)
    page = context.new_page()
    act = Actions(page)
    page.goto(server_url + "/arbeta")
    act.fill("#username", "vg@example.se")
    act.fill("#password", "ett-langt-losenord")
    act.click("button[type=submit]")
    page.goto(server_url + "/arbeta")
    try:
        # The plan: its name and county; the region and its municipalities come with the county.
        act.click("text=Ny plan")
        no_violations(page, axe_source)
        act.fill("#title", "Färdplan nära vård Västra Götaland – kommunikationsplan 2027")
        act.select("#county", "14")
        act.fill("#period_start", "2027-01-01")
        act.fill("#period_end", "2027-12-31")
        act.click("text=Skapa planen")
        page.wait_for_url(f"**{PLAN}?sparat=ny")
        assert "(50)" in page.locator("ol").first.inner_text()

        page.goto(server_url + PLAN + "/organisationer")
        no_violations(page, axe_source)
        assert page.locator("#official-1480").is_checked()  # Göteborg is in the plan already

        # Target groups and channels, several at once.
        page.goto(server_url + PLAN + "/malgrupper")
        act.fill("#new-names", "Chefer inom vård och omsorg\nMedarbetare i primärvården\nFörtroendevalda")
        act.click("text=Lägg till målgrupperna")
        page.wait_for_url("**/malgrupper?sparat=ja")
        no_violations(page, axe_source)
        page.goto(server_url + PLAN + "/kanaler")
        act.fill("#new-names", "Intranät\nFilm\nUnderlag för dialog")
        act.click("text=Lägg till kanalerna")
        page.wait_for_url("**/kanaler?sparat=ja")

        # A goal in percent; 0,7 would be read the same.
        page.goto(server_url + PLAN)
        act.select("#new-goal-target_group", "chefer-inom-vard-och-omsorg")
        act.fill("#new-goal-target", "70")
        act.fill("#new-goal-wording", "Chefer känner till färdplanens målbild.")
        act.click("text=Lägg till effektmålet")
        page.wait_for_url("**sparat=mal-*")
        no_violations(page, axe_source)
        assert page.locator("input[name=target][value='70']").count() == 1

        # An activity, with a mistake first: the message is on the field.
        act.click("nav >> text=Ny aktivitet")
        act.fill("#title", "Presentera färdplanen för ledningsgrupperna")
        act.fill("#starts_on", "1 februari")
        act.check("#channels-underlag-for-dialog")
        act.check("#target_groups-chefer-inom-vard-och-omsorg")
        act.click("text=Lägg till aktiviteten")
        assert "Skriv datumet som ÅÅÅÅ-MM-DD" in page.locator("#error-summary").inner_text()
        act.fill("#starts_on", "2027-02-01")
        act.click("text=Lägg till aktiviteten")
        page.wait_for_url("**sparat=aktivitet**")

        # A questionnaire for the plan (made in the designer in real use; here from a file), then a wave.
        questionnaire = tmp_path / "enkat.toml"
        questionnaire.write_text(to_toml(parse_questionnaire(QUESTIONNAIRE)), encoding="utf-8")
        subprocess.run(
            [sys.executable, "-m", "server.cli", "load-questionnaire", str(questionnaire),
             "--plan", "vastra-gotaland-2027"],
            env=server_env, cwd=ROOT, check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        page.goto(server_url + PLAN)
        act.click("text=Skapa en ny mätomgång för planen")
        no_violations(page, axe_source)
        assert page.locator("#questionnaire option").all_inner_texts() == ["Testenkäten"]
        act.fill("#title", "Våren 2027")
        act.click("text=Skapa mätomgången")
        page.wait_for_url("**/arbeta/omgangar/varen-2027")
        assert page.locator("text=Kontroll av enkäten").is_visible()
        # Signing in (3), the plan to its first wave, and the corrected mistake (2): 28 actions, leaving most
        # of the 60 for the questionnaire, answers, results and meeting.
        assert act.count <= 28, act.count

        page.goto(server_url + PLAN + "/installningar")
        no_violations(page, axe_source)
    finally:
        # The server is shared by the module's tests: the new wave opened at once, so it is closed before
        # the plan is archived (archiving is refused while a wave is open), leaving one plan in use.
        page.goto(server_url + "/arbeta/omgangar/varen-2027")
        if page.locator("text=Stäng nu").count():
            page.click("text=Stäng nu")
            page.wait_for_url("**stangd**")
        page.goto(server_url + PLAN + "/installningar")
        if page.locator("text=Arkivera planen").count():
            page.click("text=Arkivera planen")
            page.wait_for_load_state()
        context.close()


def test_the_new_plan_form_works_without_javascript(page_without_javascript, server_env, server_url):
    create_user(server_env, "utan-js@example.se", "kommunikator", "ett-langt-losenord")
    page = page_without_javascript
    page.goto(server_url + "/arbeta")
    page.fill("#username", "utan-js@example.se")
    page.fill("#password", "ett-langt-losenord")
    page.click("button[type=submit]")
    page.goto(server_url + "/arbeta/planer/ny")
    page.click("text=Skapa planen")
    assert "Skriv planens namn." in page.locator("#error-summary").inner_text()
