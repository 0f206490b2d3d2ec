"""A läsare in a real browser: signs in, reads the overview, follows a target group, reads its charts."""

from __future__ import annotations

import pytest

from tests.browser.conftest import create_user

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reader(server_env, server_url):
    create_user(server_env, "lasare@example.se", "lasare", "ett-langt-losenord")
    return "lasare@example.se", "ett-langt-losenord"


def test_a_reader_signs_in_reads_the_overview_and_follows_a_target_group(page, server_url, reader):
    username, password = reader
    page.goto(server_url + "/resultat")
    assert "/logga-in" in page.url
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/resultat/vasternorrland-2026")
    assert page.locator("table.overview tbody tr").count() == 15
    page.click("text=Medarbetare inom skola, socialtjänst och hälso- och sjukvård >> nth=0")
    page.wait_for_url("**/malgrupper/medarbetare")
    images = page.locator("figure.chart img")
    assert images.count() >= 4
    page.wait_for_load_state("networkidle")
    # Every chart image loaded (natural width > 0) and has a real description.
    for i in range(images.count()):
        image = images.nth(i)
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        assert len(image.get_attribute("alt")) > 40
    page.click("figure.chart >> nth=0 >> summary")
    assert page.locator("figure.chart >> nth=0 >> table").is_visible()
