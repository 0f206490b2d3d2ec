"""Hostile text is shown inert everywhere: an XSS and formula-injection corpus in every text a person can set.

The corpus goes in through the plan and questionnaire loaders (plan title, organisation, target group, channel
and activity names, goal wordings, questionnaire intro, question texts and options), the wave title, the
survey form (free-text answers), meetings (title, decision motivation) and a reach CSV import. Then every page,
chart, export and meeting pack that shows those texts is read back:

- HTML: no element or attribute that was not in the template (no <script> but /static ones, no on*=, no
  javascript: URL, no <svg>/<iframe>/<img src=x>), and the payload is there, escaped;
- chart SVGs: well-formed XML without <script>, <foreignObject>, event attributes or links;
- PDF: the payload as literal text, no JavaScript, launch or URI actions; PPTX: literal text, no hyperlinks;
- XLSX and CSV: any cell that starts with = + - @, a tab or a carriage return gets an apostrophe in front.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from surveys.accounts.users import Role
from surveys.db import engine as db
from surveys.db.tables import EffectGoal
from surveys.plans.plan_file import load_plan_file, parse_plan, store_plan
from surveys.questionnaires.model import load_questionnaire_file, parse_questionnaire
from surveys.questionnaires.storage import store_questionnaire
from surveys.questionnaires.toml_file import to_toml
from surveys.results.plan_results import forget_results
from surveys.waves.setup import create_wave
from tests.server.test_authorization import EXPECTED, concrete
from tests.support import PLAN, QUESTIONNAIRE, csrf_token, form_body, release, sign_in

CORPUS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)' x='",
    "javascript:alert(1)",
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    '<a href="javascript:alert(1)">klicka</a>',
    "<iframe srcdoc='<script>alert(1)</script>'>",
    "</textarea></title><script>alert(1)</script>",
    "{{ 7*7 }}{% raw %}",
    "Al\u202eert\u202c och\u200b noll\u200dbredd",
    "\u0430dmin раураl",  # Cyrillic homoglyphs
    "$\\alpha$ och $x^2$",
    '=HYPERLINK("http://evil.example","klick")',
    "+SUM(1+1)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]
# What the payloads would leave behind if a template, chart or export let them through unescaped.
FORBIDDEN_TAGS = {"iframe", "svg", "object", "embed", "math", "base"}
SCRIPT_SOURCES = re.compile(r"^/static/[\w.-]+\.js(\?[\w=.&-]*)?$")
MARK = "xss"  # every payload renders with this in it somewhere, so a page can be checked to contain one


def payload(n: int) -> str:
    return f"{MARK}{n} {CORPUS[n % len(CORPUS)]}"


class Elements(HTMLParser):
    """Every start tag with its attributes, as the browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


# Our own inline charts: the overview's trend lines (analysis/render/matrix.py) and reach over time
# (analysis/render/reach_trends.py). Each must itself be inert SVG (no script, no event attribute, no
# link out, well-formed so no payload broke out of its text); then it is set aside and the page is read.
OUR_SPARKLINES = re.compile(r'<svg [^<>]*class="(?:spark|reach-chart)"[^<>]*>.*?</svg>', re.S)


def assert_inert_html(html: str, where: str) -> None:
    for chart in OUR_SPARKLINES.findall(html):
        assert_inert_svg(chart, f"{where} (inline chart)")
    parser = Elements()
    parser.feed(OUR_SPARKLINES.sub("", html))
    for tag, attrs in parser.found:
        assert tag not in FORBIDDEN_TAGS, f"{where}: injected <{tag} {attrs}>"
        if tag == "img":
            assert (attrs.get("src") or "").startswith("/"), f"{where}: injected <img {attrs}>"
        if tag == "script":
            assert SCRIPT_SOURCES.match(attrs.get("src") or ""), f"{where}: inline or foreign script {attrs}"
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{where}: event attribute {name}={value!r} on <{tag}>"
            assert name not in ("srcdoc", "x", "formaction"), f"{where}: injected attribute {name} on <{tag}>"
            if value and name in ("href", "src", "action", "xlink:href"):
                assert not value.strip().lower().startswith(("javascript:", "data:text")), f"{where}: {value}"
    assert "alert(1)</script>" not in html and "<script>alert" not in html, where


def grouped(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in fields:
        found.setdefault(name, []).append(value)
    return found


def hostile_plan() -> dict:
    plan = copy.deepcopy(PLAN)
    plan["plan"]["title"] = payload(0)
    plan["organisations"][0]["name"] = payload(1)
    plan["organisations"][1]["name"] = payload(2)
    plan["target_groups"][0]["name"] = payload(3)
    plan["target_groups"][1]["name"] = payload(4)
    plan["effect_goals"][0]["wording"] = payload(5)
    plan["channels"][0]["name"] = payload(6)
    plan["activities"] = [
        {
            "code": "nyhet",
            "title": payload(7),
            "timing": payload(8),
            "channels": ["intranat"],
            "target_groups": ["chefer"],
            "responsible": payload(9),
        }
    ]
    return plan


def hostile_questionnaire() -> dict:
    questionnaire = copy.deepcopy(QUESTIONNAIRE)
    questionnaire["title"] = payload(10)
    questionnaire["intro"] = payload(11)
    for n, question in enumerate(questionnaire["questions"]):
        question["text"] = payload(12 + n)
        question["help"] = payload(13 + n)
        for m, option in enumerate(question.get("options", [])):
            option["text"] = payload(20 + n + m)
    return questionnaire


async def load_hostile_wave() -> None:
    async with db.write_transaction():
        plan_id = await store_plan(parse_plan(hostile_plan()))
        definition = parse_questionnaire(hostile_questionnaire())
        await store_questionnaire(definition, plan_id=plan_id)
        now = datetime.now(UTC)
        await create_wave(
            plan_code="testplan",
            questionnaire_code=definition.code,
            slug="testomgang",
            title=payload(30),
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1),
        )


async def answer_with_hostile_texts(client, count: int = 6) -> None:
    """Enough respondents in one group that results (and free texts) are shown, each typing a payload."""
    for n in range(count):
        page = await client.get("/e/testomgang")
        assert page.status_code == 200
        answers = {
            "kannedom": ["ja"],
            "forstaelse": ["4"],
            "kanaler": ["intranat"],
            "fritext": [payload(n)[:50]],
        }
        body = form_body(page.text, answers, organisation="alby", target_group="chefer")
        response = await client.post("/e/testomgang", data=grouped(body))
        assert response.status_code == 303, response.text


def _toml_value(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value)  # ASCII-only JSON strings are TOML basic strings


def test_the_corpus_goes_through_the_plan_and_questionnaire_files_unchanged(tmp_path):
    plan = hostile_plan()
    lines = ["[plan]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in plan["plan"].items())]
    for table in ("organisations", "target_groups", "effect_goals", "channels", "activities"):
        for item in plan[table]:
            lines.append(f"[[{table}]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in item.items()))
    path = tmp_path / "plan.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert load_plan_file(path) == parse_plan(plan)

    questionnaire = hostile_questionnaire()
    questionnaire["questions"][0]["text"] += " med DEL:\x7f och radbrytning\u2028"
    definition = parse_questionnaire(questionnaire)
    exported = to_toml(definition)  # what /arbeta/enkater/<code>/export sends
    (tmp_path / "enkat.toml").write_text(exported, encoding="utf-8")
    assert load_questionnaire_file(tmp_path / "enkat.toml") == definition


async def test_the_corpus_is_inert_on_every_respondent_page(client):
    await load_hostile_wave()
    pages = {
        "start": await client.get("/"),
        "form": await client.get("/e/testomgang"),
        "form for an organisation": await client.get("/e/testomgang/o/alby"),
        "thanks": await client.get("/e/testomgang/tack"),
    }
    form = pages["form"].text
    errors = await client.post(
        "/e/testomgang",
        data=grouped(form_body(form, {"fritext": [payload(0)[:49] + "x" * 60], "betyg": [payload(1)]})),
    )
    assert errors.status_code == 422
    pages["form with errors"] = errors
    pages["API wave"] = await client.get("/api/v1/waves/testomgang")
    for where, response in pages.items():
        assert response.status_code == 200 or where == "form with errors", where
        if "html" in response.headers["content-type"]:
            assert_inert_html(response.text, where)
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in form
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in form or "&quot;&gt;&lt;img src=x" in form
    assert MARK + "30" in pages["start"].text  # the wave title is shown, escaped
    # The API gives the text back as it was written: JSON is data, escaping is its reader's job.
    assert pages["API wave"].json()["title"] == payload(30)


async def _hostile_meeting(client, *, title: str, motivation: str) -> str:
    """The hostile wave answered, an admin signed in, and a meeting with a decision typed from the corpus."""
    await load_hostile_wave()
    await answer_with_hostile_texts(client)
    await release("testomgang")
    forget_results()
    await sign_in(client, Role.ADMIN)
    page = await client.get("/resultat/testplan/moten")
    created = await client.post(
        "/resultat/testplan/moten",
        data={"_csrf_token": csrf_token(page.text), "title": title, "held_on": "2026-12-10"},
    )
    assert created.status_code == 303, created.text
    meeting = created.headers["location"]
    decided = await client.post(
        meeting + "/beslut",
        data={
            "_csrf_token": csrf_token(page.text),
            "activity": "nyhet",
            "verdict": "upprepa",
            "motivation": motivation,
        },
    )
    assert decided.status_code == 303, decided.text
    return meeting


async def test_the_corpus_is_inert_in_the_workspace_dashboard_meetings_and_charts(client):
    # Meetings and decisions, typed by a communicator.
    meeting = await _hostile_meeting(client, title=payload(40), motivation=payload(41))

    # A reach CSV import with hostile cells.
    reach = await client.get("/arbeta/planer/testplan/rackvidd")
    csv_text = (
        "Datum;Sida;Sidvisningar\n"
        f'2026-03-01;"{payload(42)}";10\n'
        '2026-03-02;"=HYPERLINK(""http://evil.example"";""Klicka"")";20\n'
        "2026-03-03;javascript:alert(1);30\n"
    )
    fields = {"_csrf_token": csrf_token(reach.text), "channel": "intranat", "activity": "nyhet"}
    files = {"file": ("rackvidd.csv", csv_text.encode(), "text/csv")}
    preview = await client.post("/arbeta/planer/testplan/rackvidd", data=fields, files=files)
    assert preview.status_code == 200, preview.text
    saved = await client.post(
        "/arbeta/planer/testplan/rackvidd", data={**fields, "action": "save"}, files=files
    )
    assert saved.status_code == 200 and "sparade" in saved.text, saved.text
    assert_inert_html(preview.text, "reach import preview")

    meeting_id = meeting.rstrip("/").rsplit("/", 1)[-1]
    goal_id = (await EffectGoal.select(EffectGoal.id).first())["id"]
    # Every page in the route table (so new ones are covered too), with this plan's codes filled in.
    urls = sorted(
        fill(path, goal_id, meeting_id)
        for method, path in EXPECTED
        if method == "GET" and not path.startswith("/api/")
    )
    seen = ""
    shown = 0
    missing: list[str] = []
    for url in urls:
        response = await client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        kind = response.headers.get("content-type", "")
        if kind.startswith("text/html"):
            if response.status_code != 200:
                missing.append(url)
            assert_inert_html(response.text, url)
            seen += response.text
            shown += 1
        elif kind.startswith("text/csv"):
            for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"):
                for cell in row:
                    assert_no_formula(cell, url)
        elif kind.startswith("image/svg+xml"):
            assert_inert_svg(response.text, url)
        else:  # a download (XLSX, TOML, PNG): never something a browser would render as a page
            assert "html" not in kind, (url, kind)
    assert shown >= 30, f"only {shown} HTML pages were checked"
    # Pages the filled-in codes cannot reach: the matrix's chart name is a guess, user 999 does not exist,
    # single sign-on is off here, and "kannedom" is no free-text question.
    absent = ("/diagram/", "/admin/anvandare/999", "/logga-in/sso", "/logga-ut/sso", "/fritext")
    assert all(any(part in url for part in absent) for url in missing), missing
    for n in (0, 1, 3, 7, 11, 12, 20, 40, 41, 42):
        assert f"{MARK}{n} " in seen, f"payload {n} is not shown anywhere"

    charts = set(re.findall(r"/resultat/testplan/malgrupper/chefer/diagram/[\w.-]+\.svg", seen))
    assert charts, "no chart links found"
    chart_text = ""
    for url in sorted(charts):
        response = await client.get(url)
        assert response.status_code == 200, url
        assert_inert_svg(response.text, url)
        chart_text += response.text
    assert MARK in chart_text, "no hostile name reached a chart: the check proves nothing"


def fill(path: str, goal_id: int, meeting_id: str) -> str:
    questionnaire = path.startswith("/arbeta/enkater/")
    values = {
        "{code:str}": "testenkat" if questionnaire else "testplan",
        "{number:int}": "1",
        "{meeting:int}": meeting_id,
        "{activity:str}": "nyhet",
        "{fmt:str}": "svg" if "/qr/" in path else "pdf" if "motespaket" in path else "xlsx",
    }
    for placeholder, value in values.items():
        path = path.replace(placeholder, value)
    return concrete(path, goal_id)


def assert_inert_svg(svg: str, where: str) -> None:
    try:
        root = ElementTree.fromstring(svg)  # well-formed: a payload did not break out of its text node
    except ElementTree.ParseError as error:
        raise AssertionError(f"{where}: not well-formed SVG ({error})") from error
    for metadata in root.iter("{http://www.w3.org/2000/svg}metadata"):
        metadata.clear()  # matplotlib's RDF block (creator, date): inert by definition in SVG
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        namespace = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""
        assert tag not in ("script", "foreignObject", "iframe", "a"), f"{where}: <{tag}>"
        assert namespace in ("", "http://www.w3.org/2000/svg"), f"{where}: foreign element {element.tag}"
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            assert not local.startswith("on"), f"{where}: {name}"
            if local == "href":
                assert value.startswith("#"), f"{where}: link to {value}"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def assert_no_formula(cell: object, where: str) -> None:
    if isinstance(cell, str) and cell:
        assert not cell.startswith(FORMULA_STARTS), f"{where}: {cell!r} could run as a formula"


async def test_exports_and_meeting_packs_show_the_corpus_as_plain_text(client):
    import openpyxl
    from pptx import Presentation
    from pypdf import PdfReader

    meeting = await _hostile_meeting(client, title=payload(18), motivation=payload(19))

    xlsx = await client.get("/resultat/testplan/export/xlsx")
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (
                    f"XLSX {sheet.title}!{cell.coordinate} is a formula: {cell.value}"
                )
                assert_no_formula(cell.value, f"XLSX {sheet.title}!{cell.coordinate}")
                texts.append(str(cell.value))
    assert any(MARK in t for t in texts), "the hostile names are not in the workbook"

    for url in ("/resultat/testplan/export/csv", "/resultat/testplan/svar.csv"):
        response = await client.get(url)
        assert response.status_code == 200, url
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        for row in rows:
            for cell in row:
                assert_no_formula(cell, url)
        assert MARK in response.content.decode("utf-8-sig"), url

    pdf = await client.get(meeting + "/motespaket/pdf")
    assert pdf.status_code == 200
    for forbidden in (b"/JavaScript", b"/Launch", b"/URI", b"/OpenAction"):
        assert forbidden not in pdf.content, f"the PDF holds {forbidden!r}"
    reader = PdfReader(io.BytesIO(pdf.content))
    catalog = reader.trailer["/Root"]
    assert "/OpenAction" not in catalog and "/AA" not in catalog
    assert "/JavaScript" not in (catalog.get("/Names") or {})
    for p in reader.pages:
        assert "/AA" not in p, "a page runs an action when opened"
        annotations = p.get("/Annots")
        for annotation in annotations.get_object() if annotations is not None else []:
            annotation = annotation.get_object()
            assert annotation.get("/Subtype") != "/Link" and "/A" not in annotation, dict(annotation)
    flat = "".join("".join(p.extract_text() or "" for p in reader.pages).split())
    assert f"{MARK}18<script>alert('xss')</script>" in flat, flat[:2000]

    pptx = await client.get(meeting + "/motespaket/pptx")
    assert pptx.status_code == 200
    deck = Presentation(io.BytesIO(pptx.content))
    slide_text = ""
    for slide in deck.slides:
        for shape in slide.shapes:
            assert shape.click_action.hyperlink.address is None, "a slide shape links somewhere"
            if shape.has_text_frame:
                for paragraph in shape.text_frame.paragraphs:
                    for run in paragraph.runs:
                        assert run.hyperlink.address is None, "slide text links somewhere"
                        slide_text += run.text
    assert payload(18) in slide_text, slide_text[:2000]
    assert b"ppaction://" not in pptx.content


# ---- the same corpus in a real browser ----

SERVER_SETUP = """
import asyncio, sys
from datetime import UTC, datetime
import pytest

from surveys.db import engine as db
from surveys.accounts.users import Role, create_user
from surveys.responding.validation import CleanAnswers
from surveys.responding.submission import Submission, store_submission
from surveys.waves.lookup import find_wave
from tests.server.test_xss import load_hostile_wave, payload

async def main():
    db.use_database(sys.argv[1])
    await db.migrate()
    await load_hostile_wave()
    wave = await find_wave("testomgang")
    for n in range(6):
        answers = CleanAnswers(chosen={"kannedom": ("ja",), "forstaelse": ("4",)}, texts={"fritext": payload(n)[:50]})
        submission = Submission(wave.organisations[0].id, wave.target_groups[0].id, answers, f"xss-browser-{n:010d}")
        await store_submission(wave, submission, datetime.now(UTC))
    await create_user("xss-admin@example.se", "ett-langt-losenord", Role.ADMIN)
    await db.close_pool()

asyncio.run(main())
"""
# Marks a page as hostile if anything from the corpus became live: a script without src, an event
# attribute, a javascript: link, an element a payload names, or a global an onerror handler would set.
LIVE_INJECTIONS = """() => {
  const found = [];
  for (const s of document.querySelectorAll('script')) if (!s.src) found.push('inline script');
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) found.push(el.tagName + ' ' + a.name);
      if (/^\\s*javascript:/i.test(a.value) && ['href', 'src', 'action'].includes(a.name)) found.push(a.value);
    }
  }
  for (const sel of ['iframe', 'svg script', 'img[src="x"]', 'object', 'embed']) {
    if (document.querySelector(sel)) found.push(sel);
  }
  return found;
}"""


@pytest.mark.browser
def test_no_payload_runs_in_chromium(tmp_path):
    """Chromium opens every page a respondent and a signed-in admin see: no dialog, no live injection."""
    chromium = os.environ.get("EFFEKT_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
    if not Path(chromium).exists():
        if os.environ.get("EFFEKT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {chromium}")
        pytest.skip(f"Chromium not found at {chromium} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS
    from tests.slow.servers import Server

    root = Path(__file__).resolve().parents[2]
    url = f"sqlite:///{tmp_path / 'xss.sqlite'}"
    env = {**os.environ, "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-c", SERVER_SETUP, url], cwd=root, env=env, check=True, timeout=120)
    server = Server(url, tmp_path, "xss")
    dialogs: list[str] = []
    checked: dict[str, list[str]] = {}
    try:
        server.wait_ready()
        base = server.base
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(locale="sv-SE")
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

            def visit(path: str) -> None:
                page.goto(base + path)
                checked[path] = page.evaluate(LIVE_INJECTIONS)

            for path in ("/", "/e/testomgang", "/e/testomgang/o/alby", "/e/testomgang/tack"):
                visit(path)
            page.goto(
                base + "/e/testomgang?igen=ja"
            )  # the receipt above marks this browser as having answered
            page.fill("textarea[name=q-fritext]", payload(1)[:50])
            page.click("button[type=submit]")  # required questions unanswered: the page with errors
            checked["form with errors"] = page.evaluate(LIVE_INJECTIONS)

            page.goto(base + "/logga-in?next=/arbeta")
            page.fill("#username", "xss-admin@example.se")
            page.fill("#password", "ett-langt-losenord")
            page.click("button[type=submit]")
            page.wait_for_url(base + "/arbeta")
            for path in (
                "/arbeta",
                "/arbeta/planer/testplan",
                "/arbeta/omgangar/testomgang",
                "/arbeta/enkater",
                "/resultat/testplan",
                "/resultat/testplan/malgrupper/chefer",
                "/resultat/testplan/aktiviteter",
                "/resultat/testplan/moten",
            ):
                visit(path)
            assert MARK in page.content() or MARK in page.inner_text("body")
            browser.close()
    finally:
        server.stop()
    live = {path: found for path, found in checked.items() if found}
    assert not live, f"live injections: {live}"
    assert not dialogs, f"a payload opened a dialog: {dialogs}"
    assert len(checked) >= 13


def test_the_check_catches_a_payload_inside_one_of_our_inline_charts():
    page = '<p>x</p><svg viewBox="0 0 10 10" class="spark"><title><img src=x onerror=alert(1)></title></svg>'
    with pytest.raises(AssertionError, match="inline chart"):
        assert_inert_html(page, "a page")
    page = '<svg viewBox="0 0 10 10" class="reach-chart"><path d="M0 0" onmouseover="alert(1)"/></svg>'
    with pytest.raises(AssertionError, match="onmouseover"):
        assert_inert_html(page, "a page")
