"""Issue 14's walk-through: a communicator for Västra Götaland takes effekt from an empty database to the
first meeting's pack in a real browser, signing in once through the organisation's OpenID provider.

The strategy is Färdplan – länsgemensam strategi för god och nära vård (the region and its 49 municipalities;
parts: vård och omsorg, socialtjänst, primärvård; material: presentationsmaterial, film, underlag för
dialog). Nothing is prepared but the provider's account whose group claim maps to the admin role: the first
admin is made by the first sign-in. Every click, fill, choice, tick, typed address and upload of the
communicator is counted (the issue's target: under 60); the respondents' answers are counted apart.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from babel.dates import format_date

from surveys.plans.rules import code_from_name
from tests.browser.conftest import ROOT

# The SSO tests' real provider (oidc-provider run with node): it registers a client for this port.
from tests.oidc.conftest import BROWSER_CLIENT_ID, browser_server_port, provider_process  # noqa: F401
from tests.oidc.flow import CLIENT_SECRET, ROLES

pytestmark = pytest.mark.browser

# The plan runs from three months ago for a year and a quarter, so that the walk-through works on any day:
# its activities have been done and its first wave is open now.
TODAY = dt.date.today()
PERIOD = (TODAY - dt.timedelta(days=90), TODAY + dt.timedelta(days=365))
PLAN_TITLE = "Färdplan nära vård Västra Götaland – kommunikationsplan"
PLAN = f"vastra-gotaland-{PERIOD[0].year}"  # made from the county and the period's first year
QUESTIONNAIRE = "vad-vet-du-om-fardplanen-for-god-och-nara-vard"  # made from its title
# The title the new-wave form proposes, and the address made from it.
WAVE = code_from_name(f"Mätomgång {format_date(TODAY, 'LLLL yyyy', locale='sv')}")
NEW_QUESTION = (
    "Har du sett filmen om god och nära vård?",
    "Have you seen the film about good and close care?",
)
NEW_CODE = "har_du_sett_filmen_om_god_och_nara_vard"
CHEFER, MEDARBETARE = "chefer-i-vard-och-omsorg", "medarbetare-i-vard-och-omsorg"
ACTIVITIES = {
    "presentera-fardplanen-i-ledningsgrupperna": ("Presentera färdplanen i ledningsgrupperna", "justera"),
    "visa-filmen-pa-arbetsplatstraffar": ("Visa filmen på arbetsplatsträffar", "upprepa"),
}
TARGET = 60
PHONE = {"width": 360, "height": 740}


class Walk:
    """The browser as one person uses it: every action is counted, per stage of the walk-through, and a
    failure names the stage, the page and what the page said."""

    def __init__(self, page) -> None:
        self.page = page
        self.count = 0
        self.stages: list[tuple[str, int]] = []

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        before = self.count
        try:
            yield
        except Exception as exc:  # any break in the path fails the test, saying where
            pytest.fail(
                f"The walk-through broke at «{name}» (after {self.count} actions) on {self.page.url}:\n"
                f"{type(exc).__name__}: {exc}\n--- the page said ---\n{_said(self.page)}",
                pytrace=False,
            )
        self.stages.append((name, self.count - before))

    def goto(self, address: str) -> None:  # the person types an address
        self.page.goto(address)
        self.count += 1

    def click(self, selector: str) -> None:
        self.page.locator(selector).first.click()
        self.count += 1

    def fill(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)
        self.count += 1

    def select(self, selector: str, value: str) -> None:
        self.page.select_option(selector, value)
        self.count += 1

    def check(self, selector: str) -> None:
        self.page.check(selector)
        self.count += 1

    def upload(self, selector: str, name: str, content: bytes) -> None:
        self.page.set_input_files(
            selector, files=[{"name": name, "mimeType": "text/plain", "buffer": content}]
        )
        self.count += 1

    def download(self, selector: str) -> bytes:
        with self.page.expect_download() as info:
            self.click(selector)
        return Path(info.value.path()).read_bytes()

    def main(self) -> str:
        return self.page.inner_text("main")


def _said(page) -> str:
    try:
        return page.inner_text("main")[:1500]
    except Exception:  # the page itself may be what broke
        return "(no page)"


@pytest.fixture(scope="module")
def empty_effekt(provider_process, browser_server_port, tmp_path_factory) -> Iterator[str]:  # noqa: F811
    """effekt on an empty database, signing staff in through the test provider only; k = 3."""
    folder = tmp_path_factory.mktemp("vastra-gotaland")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EFFEKT_")},
        "EFFEKT_DATABASE_URL": f"sqlite:///{folder / 'effekt.sqlite'}",
        "EFFEKT_PORT": str(browser_server_port),
        "EFFEKT_OIDC_ISSUER": provider_process,
        "EFFEKT_OIDC_CLIENT_ID": BROWSER_CLIENT_ID,
        "EFFEKT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "EFFEKT_OIDC_ROLES": ROLES,
        "EFFEKT_LOCAL_PASSWORDS": "false",
        "EFFEKT_MIN_GROUP_SIZE": "3",
        "PYTHONPATH": str(ROOT),
    }
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{browser_server_port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("effekt did not start:\n" + (folder / "server.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


# Respondents on their phones: (organisation, target group, L1, L2, L4, the film, language). Each group has
# one municipality with k + 1 = 4 answers (an open link shows an organisation from k + 1) and a few more
# elsewhere, with answers that differ, so that the results can be published.
RESPONDENTS = [
    ("goteborg", CHEFER, "ja_val", "5", "ja_flera", "ja", "sv"),
    ("goteborg", CHEFER, "ja_viss", "4", "ja_nagon", "ja", "sv"),
    ("goteborg", CHEFER, "ja_viss", "2", "planerar", "nej", "sv"),
    ("goteborg", CHEFER, "hort", None, None, "nej", "sv"),
    ("boras", CHEFER, "ja_val", "4", "ja_nagon", "ja", "en"),
    ("skovde", MEDARBETARE, "ja_viss", "4", "nej", "ja", "sv"),
    ("skovde", MEDARBETARE, "nej", None, None, "nej", "sv"),
    ("skovde", MEDARBETARE, "ja_val", "5", "ja_nagon", "ja", "sv"),
    ("skovde", MEDARBETARE, "hort", None, None, "ja", "sv"),
    ("trollhattan", MEDARBETARE, "ja_viss", "3", "planerar", "nej", "en"),
]


def answer_on_a_phone(browser, url: str, respondent) -> int:
    """One respondent, in a fresh browser without sign-in; the number of their actions."""
    organisation, group, knows, understands, acts, film, language = respondent
    context = browser.new_context(locale="sv-SE", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    actions = 0
    try:
        page.goto(f"{url}/e/{WAVE}/o/{organisation}")  # from the QR code or the link in the invitation
        actions += 1
        if language == "en":
            page.click("text=English")
            actions += 1
            assert page.locator(f"text={NEW_QUESTION[1]}").is_visible(), "the new question is not in English"
            assert page.locator("#send").inner_text() == "Send answers"
        else:
            assert page.locator(f"text={NEW_QUESTION[0]}").is_visible()
        # A phone-sized page: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        for choice in (
            f"#target_group-{group}",
            f"#q-kannedom-{knows}",
            understands and f"#q-forstaelse-{understands}",
            acts and f"#q-handling-{acts}",
            f"#q-{NEW_CODE}-{film}",
        ):
            if choice:
                page.check(choice)
                actions += 1
        page.click("#send")
        actions += 1
        page.wait_for_url(f"**/e/{WAVE}/tack**")
        assert ("Thank you" if language == "en" else "Tack för dina svar") in page.inner_text("main")
    except Exception as exc:
        pytest.fail(
            f"Respondent {respondent} could not answer on {page.url}: {type(exc).__name__}: {exc}\n"
            f"{_said(page)}",
            pytrace=False,
        )
    finally:
        context.close()
    return actions


def test_vastra_gotaland_goes_from_an_empty_database_to_its_first_meeting_in_under_60_actions(
    browser,
    empty_effekt,
    provider_process,  # noqa: F811
):
    from pptx import Presentation
    from pypdf import PdfReader

    url = empty_effekt
    login = "anki.schutz"
    httpx.put(
        f"{provider_process}/__test/accounts/{login}",
        json={"groups": ["effekt-admin"], "name": "Anki Schutz"},
        timeout=10,
    ).raise_for_status()
    started = time.monotonic()
    context = browser.new_context(locale="sv-SE", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    walk = Walk(page)

    with walk.stage("signing in through the organisation's provider"):
        # With local passwords off, effekt sends a signed-out person straight on to the provider.
        walk.goto(url + "/arbeta")
        page.wait_for_url(provider_process + "/**")
        walk.fill("input[name=login]", login)
        walk.fill("input[name=password]", "the provider's own password")
        walk.click("button[type=submit]")
        page.wait_for_url(url + "/arbeta")
        header = page.inner_text("header")
        assert "Anki Schutz" in header and "administratör" in header, header

    with walk.stage(
        "a new plan for Västra Götaland with the region and its 49 municipalities, target groups and channels"
    ):
        walk.click("main >> text=Ny plan")
        walk.fill("#title", PLAN_TITLE)
        walk.select("#county", "14")
        walk.fill("#period_start", PERIOD[0].isoformat())
        walk.fill("#period_end", PERIOD[1].isoformat())
        walk.fill(
            "#target_groups", "Chefer i vård och omsorg\nMedarbetare i vård och omsorg\nFörtroendevalda"
        )
        walk.fill("#channels", "Presentationsmaterial\nFilm\nUnderlag för dialog")
        walk.click("text=Skapa planen")
        page.wait_for_url(f"**/arbeta/planer/{PLAN}?sparat=ny")
        assert "Organisationer (50)" in walk.main()
        # Read without a click: the official list, by SCB's codes (1480 Göteborg), and the region.
        organisations = page.request.get(f"{url}/arbeta/planer/{PLAN}/organisationer").text()
        assert "Västra Götalandsregionen" in organisations and "Åmåls kommun" in organisations
        assert 'id="official-1480"' in organisations
        assert "Målgrupper (3)" in walk.main() and "Kanaler (3)" in walk.main()

    with walk.stage("effect goals: kännedom, förståelse, bidra aktivt"):
        # On the plan's page, where the new plan lands. One form for all three: a target in the grid's cell
        # of each group and step, the period's end as the deadline, and a wording made from the group and
        # the step (to rewrite in the plan's own words later).
        walk.fill(f"#grid-{CHEFER}-L1", "70")
        walk.fill(f"#grid-{MEDARBETARE}-L2", "50")
        walk.fill(f"#grid-{CHEFER}-L4", "40")
        walk.click("text=Lägg till effektmålen")
        page.wait_for_url("**sparat=mal-flera*")
        assert "Effektmål (3)" in walk.main()
        assert page.locator("input[name=target][value='70']").count() == 1  # percent means percent

    with walk.stage("activities"):
        for (code, (title, _verdict)), date, channel, group in zip(
            ACTIVITIES.items(),
            ((TODAY - dt.timedelta(days=21)).isoformat(), (TODAY - dt.timedelta(days=14)).isoformat()),
            ("presentationsmaterial", "film"),
            (CHEFER, MEDARBETARE),
            strict=True,
        ):
            walk.click("nav >> text=Ny aktivitet")
            walk.fill("#title", title)
            walk.fill("#starts_on", date)
            walk.check(f"#channels-{channel}")
            walk.check(f"#target_groups-{group}")
            walk.click("text=Lägg till aktiviteten")
            page.wait_for_url("**sparat=aktivitet**")
            assert page.locator(f"a[href$='/aktiviteter/{code}']").count() == 1, f"no activity {code}"

    with walk.stage("a questionnaire from the bank"):
        # From the plan page; the questions come from effekt's built-in bank (builtin_bank.toml): no file.
        walk.click("text=Skapa en enkät för planen")
        walk.fill("#title", "Vad vet du om färdplanen för god och nära vård?")  # its code is made from it
        walk.check("#languages-en")
        # A bank question for each step the goals measure (L1, L2, L4) is already ticked.
        ticked = page.locator("input[name=bank]:checked").evaluate_all("boxes => boxes.map(b => b.value)")
        assert ticked == ["nara-vard-kannedom", "nara-vard-forstaelse", "nara-vard-handling"], ticked
        walk.click("text=Skapa enkäten")
        page.wait_for_url(f"**/arbeta/enkater/{QUESTIONNAIRE}/redigera?sparat=skapad")

    with walk.stage("one new question in Swedish and English"):
        walk.click("text=Skriv en ny fråga")
        walk.fill("#text", NEW_QUESTION[0])
        walk.fill("#text-en", NEW_QUESTION[1])
        walk.select("#kind", "yesno")
        walk.click("text=Spara frågan")
        page.wait_for_url(f"**/arbeta/enkater/{QUESTIONNAIRE}/redigera?sparat=ja**")
        order = [item.get_attribute("id") for item in page.locator("ol.designer-questions > li").all()]
        assert order == ["fraga-kannedom", "fraga-forstaelse", "fraga-handling", f"fraga-{NEW_CODE}"], order

    with walk.stage("a wave"):
        walk.click("text=Arbetsyta")
        walk.click("text=Skapa en ny mätomgång")
        if not page.locator("#questionnaire").count():  # the plan is asked for when there are several
            walk.click(f"main a >> text={PLAN_TITLE}")
        assert page.input_value("#questionnaire") == QUESTIONNAIRE
        # The form proposes a title and opening now, closing in two weeks: kept as they are.
        walk.click("text=Skapa mätomgången")
        page.wait_for_url(f"**/arbeta/omgangar/{WAVE}")
        assert "Öppen" in page.inner_text("main p >> nth=1")

    answers = sum(answer_on_a_phone(browser, url, respondent) for respondent in RESPONDENTS)

    with walk.stage("closing the wave"):
        page.reload()  # the communicator looks again later: not an action of the path
        walk.click("text=Stäng nu")
        page.wait_for_url("**meddelande=stangd")
        assert "Mätomgången är stängd" in walk.main()

    with walk.stage("the results: the overview and a group's page"):
        walk.click("header >> text=Resultat")
        page.wait_for_url(f"**/resultat/{PLAN}")
        overview = walk.main()
        assert "0 av 3 mål uppnådda, 3 ej säkerställda" in overview, overview[:1500]
        # Both groups are published, the English answers pooled with the Swedish by option code:
        # 4 of 5 chefer know the plan (L1); 3 of 5 medarbetare know it and 2 of 5 understand it (L2).
        rows = [
            " ".join(row.split()) for row in page.locator("main table >> nth=0 >> tbody tr").all_inner_texts()
        ]
        assert rows[0].startswith("Chefer i vård och omsorg 5 svar 80 % 38–96 %"), rows
        assert rows[1].startswith("Medarbetare i vård och omsorg 5 svar 60 % 23–88 % Inget mål 40 %"), rows
        walk.click(f"main a[href$='/malgrupper/{CHEFER}']")
        page.wait_for_url(f"**/malgrupper/{CHEFER}")
        group_page = " ".join(walk.main().split())
        assert "L1 kännedom: Chefer i vård och omsorg känner till planen." in group_page
        assert "80 % (38–96 %)" in group_page, group_page[:1500]

    with walk.stage("a meeting with a decision per activity"):
        walk.click("text=Alla effektmål")
        walk.click("text=Möten och beslut")
        # The form proposes a title ("Uppföljningsmöte 6 december 2026") and today's date.
        assert page.input_value("#title").startswith("Uppföljningsmöte ")
        walk.click("text=Skapa mötet och spara resultaten")
        page.wait_for_url("**/moten/*")
        for code, (title, verdict) in ACTIVITIES.items():
            walk.check(f"#{code}-{verdict}")
            walk.fill(f"#{code}-motivation", f"Beslutat vid uppföljningen: {title.lower()}.")
            walk.click(f"form:has(input[name=activity][value={code}]) >> text=Spara beslutet")
            page.wait_for_load_state()
        assert "Inga beslut än" not in walk.main()

    with walk.stage("the meeting pack as PDF, PowerPoint and a web page"):
        pdf = walk.download("text=Hämta mötespaketet som PDF")
        pdf_text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
        assert PLAN_TITLE in pdf_text, pdf_text[:500]
        assert "Presentera färdplanen i ledningsgrupperna: Justera" in pdf_text, pdf_text[:2000]
        pptx = walk.download("text=Hämta mötespaketet som PowerPoint")
        slides = Presentation(io.BytesIO(pptx))
        slide_text = " ".join(
            shape.text_frame.text for slide in slides.slides for shape in slide.shapes if shape.has_text_frame
        )
        assert PLAN_TITLE in slide_text, slide_text[:500]
        html = walk.download("text=Hämta mötespaketet som webbsida").decode("utf-8")
        assert PLAN_TITLE in html, html[:500]
        assert ACTIVITIES["visa-filmen-pa-arbetsplatstraffar"][0] in html

    context.close()
    breakdown = ", ".join(f"{name}: {n}" for name, n in walk.stages)
    print(
        f"\nVästra Götaland walk-through: {walk.count} actions by the communicator, "
        f"{answers} by {len(RESPONDENTS)} respondents, "
        f"{time.monotonic() - started:.0f} s.\n{breakdown}"
    )
    assert walk.count < TARGET, (
        f"the path took {walk.count} actions, the issue's target is under {TARGET}: {breakdown}"
    )
