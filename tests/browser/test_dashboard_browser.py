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
    assert page.locator("table.matrix tbody tr").count() == 8  # one row per target group
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


def test_a_communicator_records_a_meeting_and_a_reader_downloads_its_pack(
    browser, server_env, server_url, reader
):
    create_user(server_env, "kommunikator@example.se", "kommunikator", "ett-langt-losenord")
    communicator = browser.new_context(locale="sv-SE")
    page = communicator.new_page()
    page.goto(server_url + "/logga-in?next=/resultat/vasternorrland-2026/moten")
    page.fill("#username", "kommunikator@example.se")
    page.fill("#password", "ett-langt-losenord")
    page.click("button[type=submit]")
    page.wait_for_url("**/moten")
    page.fill("#title", "Länsledningens möte i december")
    page.fill("#held_on", "2026-12-10")
    page.click("text=Skapa mötet och spara resultaten")
    page.wait_for_url("**/moten/*")
    meeting_url = page.url
    page.check("[name=verdict][value=upprepa] >> nth=0")
    page.fill("textarea[name=motivation] >> nth=0", "Nådde för få medarbetare.")
    page.click("text=Spara beslutet >> nth=0")
    page.wait_for_load_state()
    assert "Nådde för få medarbetare." in page.content()
    communicator.close()

    username, password = reader
    context = browser.new_context(locale="sv-SE", accept_downloads=True)
    page = context.new_page()
    page.goto(server_url + "/logga-in?next=" + meeting_url.removeprefix(server_url))
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(meeting_url)
    assert page.locator("text=Spara beslutet").count() == 0
    with page.expect_download(timeout=60_000) as download:
        page.click("text=Hämta mötespaketet som PDF")
    path = download.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert download.value.suggested_filename.endswith(".pdf")
    context.close()
