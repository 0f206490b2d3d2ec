"""Every page a person can reach, in every state worth checking: one list the audits walk through.

A new page is one more `Screen` in SCREENS: a name, an address and who looks at it (None for a
respondent, or a role that signs in), and, when the state needs it, what to do after the page has
loaded (submit an empty form to show its errors, say). Placeholders in the address ({meeting}) come
from the `Site` that the `site` fixture prepares once per test session.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.browser.conftest import ROOT, create_user

PLAN = "vasternorrland-2026"
QUESTIONNAIRE = "uppfoljning-fardplan"
OPEN = "omgang-4-nu"
NOT_YET_OPEN = "a11y-snart-oppen"
CLOSED = "a11y-stangd"
PASSWORD = "ett-langt-losenord-for-granskning"
USERS = {
    "lasare": "a11y-lasare@example.se",
    "kommunikator": "a11y-kommunikator@example.se",
    "admin": "a11y-admin@example.se",
}


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    role: str | None = None  # None: a respondent or a visitor, not signed in
    prepare: Callable | None = None  # called with the Playwright page once it has loaded

    def __str__(self) -> str:
        return self.name


def submit(selector: str, **fields: str) -> Callable:
    """Fill the named fields (by id), then press the button: the page the server answers with is checked."""

    def prepare(page) -> None:
        for field, value in fields.items():
            page.fill(f"#{field}", value)
        with page.expect_navigation():
            page.click(selector)

    return prepare


def upload(selector: str, name: str, content: str) -> Callable:
    """Choose a file with this content in the page's #file field, then press the button."""

    def prepare(page) -> None:
        page.set_input_files(
            "#file", files=[{"name": name, "mimeType": "text/plain", "buffer": content.encode()}]
        )
        with page.expect_navigation():
            page.click(selector)

    return prepare


SCREENS = [
    # Respondents
    Screen("home", "/"),
    Screen("survey", f"/e/{OPEN}"),
    Screen("survey-with-errors", f"/e/{OPEN}", prepare=submit("#send")),
    Screen("survey-for-an-organisation", f"/e/{OPEN}/o/timra"),
    Screen("survey-in-english", f"/e/{OPEN}?lang=en"),
    Screen("survey-in-english-with-errors", f"/e/{OPEN}?lang=en", prepare=submit("#send")),
    Screen("thank-you", f"/e/{OPEN}/tack"),
    Screen("survey-not-yet-open", f"/e/{NOT_YET_OPEN}"),
    Screen("survey-closed", f"/e/{CLOSED}"),
    Screen("survey-not-found", "/e/finns-inte"),
    # Signing in
    Screen("login", "/logga-in"),
    Screen("login-with-error", "/logga-in", prepare=submit("main button[type=submit]")),
    # Workspace
    Screen("workspace", "/arbeta", "kommunikator"),
    Screen("plan", f"/arbeta/planer/{PLAN}", "kommunikator"),
    Screen("reach-import", f"/arbeta/planer/{PLAN}/rackvidd", "kommunikator"),
    Screen(
        "reach-import-preview-with-a-bad-row",
        f"/arbeta/planer/{PLAN}/rackvidd",
        "kommunikator",
        upload(
            "button[value=preview]",
            "statistik.csv",
            "Datum;Kanal;Sidvisningar\n2026-03-01;Intranät;5\n2026-03-02;Intranät;x\n",
        ),
    ),
    Screen(
        "reach-import-without-a-file",
        f"/arbeta/planer/{PLAN}/rackvidd",
        "kommunikator",
        submit("button[value=preview]"),
    ),
    Screen("plan-new", "/arbeta/planer/ny", "kommunikator"),
    Screen(
        "plan-new-with-errors", "/arbeta/planer/ny", "kommunikator", submit("text=Skapa planen", title="")
    ),
    Screen("plan-settings", f"/arbeta/planer/{PLAN}/installningar", "kommunikator"),
    Screen("plan-file-import", "/arbeta/planer/las-in", "kommunikator"),
    Screen("plan-activity", f"/arbeta/planer/{PLAN}/aktiviteter/noterat-lansledning", "kommunikator"),
    Screen("plan-organisations", f"/arbeta/planer/{PLAN}/organisationer", "kommunikator"),
    Screen(
        "plan-organisation-refused",
        f"/arbeta/planer/{PLAN}/organisationer",
        "kommunikator",
        submit("text=Ta bort Timrå kommun ur planen"),
    ),
    Screen("plan-groups", f"/arbeta/planer/{PLAN}/malgrupper", "kommunikator"),
    Screen(
        "plan-groups-with-errors",
        f"/arbeta/planer/{PLAN}/malgrupper",
        "kommunikator",
        submit("text=Lägg till målgruppen"),
    ),
    Screen("plan-channels", f"/arbeta/planer/{PLAN}/kanaler", "kommunikator"),
    Screen(
        "plan-channel-refused",
        f"/arbeta/planer/{PLAN}/kanaler",
        "kommunikator",
        submit("text=Ta bort kanalen Intranät"),
    ),
    Screen("plan-new-activity", f"/arbeta/planer/{PLAN}/aktiviteter/ny", "kommunikator"),
    Screen(
        "plan-new-activity-with-errors",
        f"/arbeta/planer/{PLAN}/aktiviteter/ny",
        "kommunikator",
        submit("text=Lägg till aktiviteten", starts_on="igår"),
    ),
    Screen("plan-sizes-file", f"/arbeta/planer/{PLAN}/storlekar", "kommunikator"),
    Screen(
        "plan-sizes-file-missing",
        f"/arbeta/planer/{PLAN}/storlekar",
        "kommunikator",
        submit("main form button.primary"),
    ),
    Screen(
        "plan-sizes-preview",
        f"/arbeta/planer/{PLAN}/storlekar",
        "kommunikator",
        upload(
            "main form button.primary",
            "storlekar.csv",
            "organisation;målgrupp;antal\ntimra;medarbetare;1 250\n",
        ),
    ),
    Screen("plan-reach-entries", f"/arbeta/planer/{PLAN}/rackvidd/poster", "kommunikator"),
    Screen(
        "plan-reach-entries-with-errors",
        f"/arbeta/planer/{PLAN}/rackvidd/poster",
        "kommunikator",
        submit("text=Spara siffrorna", views="12,5"),
    ),
    Screen("questionnaires", "/arbeta/enkater", "kommunikator"),
    Screen(
        "questionnaire-upload-with-errors",
        "/arbeta/enkater",
        "kommunikator",
        upload(
            "main form[enctype] button[type=submit]",
            "enkat.toml",
            'code = "trasig"\n[[questions]]\nkind = "okand"\n',
        ),
    ),
    Screen("questionnaire-preview", f"/arbeta/enkater/{QUESTIONNAIRE}/version/1", "kommunikator"),
    Screen("question-bank", "/arbeta/fragebank", "kommunikator"),
    Screen("question-bank-for-a-questionnaire", f"/arbeta/fragebank?enkat={QUESTIONNAIRE}", "kommunikator"),
    Screen("new-questionnaire", "/arbeta/enkater/ny", "kommunikator"),
    Screen(
        "new-questionnaire-with-errors", "/arbeta/enkater/ny", "kommunikator", submit("text=Skapa enkäten")
    ),
    Screen("designer", f"/arbeta/enkater/{QUESTIONNAIRE}/redigera", "kommunikator"),
    Screen("designer-question", f"/arbeta/enkater/{QUESTIONNAIRE}/fragor/kannedom", "kommunikator"),
    Screen(
        "designer-question-with-errors",
        f"/arbeta/enkater/{QUESTIONNAIRE}/fragor/forstaelse",
        "kommunikator",
        submit("text=Spara frågan", text=""),
    ),
    Screen("designer-new-question", f"/arbeta/enkater/{QUESTIONNAIRE}/ny-fraga", "kommunikator"),
    Screen("questionnaire-check", f"/arbeta/enkater/{QUESTIONNAIRE}/kontroll", "kommunikator"),
    Screen("wave-open", f"/arbeta/omgangar/{OPEN}", "kommunikator"),
    Screen("wave-not-yet-open", f"/arbeta/omgangar/{NOT_YET_OPEN}", "kommunikator"),
    Screen("wave-closed", f"/arbeta/omgangar/{CLOSED}", "kommunikator"),
    Screen(
        "wave-codes-with-error",
        f"/arbeta/omgangar/{NOT_YET_OPEN}",
        "kommunikator",
        submit("#count >> xpath=ancestor::form//button", count="många"),
    ),
    Screen("new-wave", "/arbeta/omgangar/ny", "kommunikator"),
    # The form proposes a title: emptied, so that the page answers with its errors.
    Screen(
        "new-wave-with-errors",
        "/arbeta/omgangar/ny",
        "kommunikator",
        submit("main form button.primary", title=""),
    ),
    Screen("forbidden", "/arbeta", "lasare"),
    # Dashboard
    Screen("results-overview", f"/resultat/{PLAN}", "lasare"),
    Screen("results-target-group", f"/resultat/{PLAN}/malgrupper/medarbetare", "lasare"),
    Screen("results-activities", f"/resultat/{PLAN}/aktiviteter", "lasare"),
    Screen("results-reach", f"/resultat/{PLAN}/rackvidd", "lasare"),
    Screen("results-questions", f"/resultat/{PLAN}/fragor", "lasare"),
    Screen("results-crosstab-empty", f"/resultat/{PLAN}/fragor/korstabell", "lasare"),
    Screen(
        "results-crosstab",
        f"/resultat/{PLAN}/fragor/korstabell?rader=kannedom&kolumner=chef-informerat&malgrupp=kommunala-chefer",
        "lasare",
    ),
    Screen(
        "results-free-texts", f"/resultat/{PLAN}/fragor/behov/fritext?malgrupp=medarbetare", "kommunikator"
    ),
    Screen("meetings", f"/resultat/{PLAN}/moten", "lasare"),
    Screen("meetings-for-a-communicator", f"/resultat/{PLAN}/moten", "kommunikator"),
    Screen(
        "meetings-with-errors",
        f"/resultat/{PLAN}/moten",
        "kommunikator",
        submit("#title >> xpath=ancestor::form//button", title=""),
    ),
    Screen("meeting", f"/resultat/{PLAN}/moten/{{meeting}}", "lasare"),
    Screen("meeting-for-a-communicator", f"/resultat/{PLAN}/moten/{{meeting}}", "kommunikator"),
    # Accounts
    Screen("account", "/konto", "lasare"),
    Screen("account-new-token", "/konto", "lasare", submit("main form button.primary", name="Granskning")),
    Screen("account-with-errors", "/konto", "lasare", submit("main form button.primary")),
    Screen("users", "/admin/anvandare", "admin"),
    Screen("users-with-errors", "/admin/anvandare", "admin", submit("main form button.primary")),
]


# Checked in every test run; the others run where slow checks do (CI: EFFEKT_RUN_SLOW=1).
QUICK = {"survey", "survey-with-errors", "wave-open", "results-target-group"}


def screen_params() -> list:
    """SCREENS for pytest.mark.parametrize, all but the QUICK ones marked slow."""
    return [
        pytest.param(screen, id=screen.name, marks=() if screen.name in QUICK else pytest.mark.slow)
        for screen in SCREENS
    ]


@dataclass(frozen=True)
class Site:
    url: str
    meeting: int
    storage: dict[str, dict]  # role → Playwright storage state (a signed-in session cookie)

    def address(self, screen: Screen) -> str:
        return self.url + screen.path.format(meeting=self.meeting)

    def context(self, browser, screen: Screen, **options):
        """A fresh browser context, signed in as the screen's role."""
        if screen.role is not None:
            options["storage_state"] = self.storage[screen.role]
        return browser.new_context(locale="sv-SE", **options)


def prepare_site(server_env: dict[str, str], server_url: str) -> Site:
    """Users for every role, a wave that has not opened, one that has closed, and a meeting."""
    for role, username in USERS.items():
        create_user(server_env, username, role, PASSWORD)
    for slug, opens, closes in (
        (NOT_YET_OPEN, "2099-03-01T08:00", "2099-03-19T17:00"),
        (CLOSED, "2020-03-02T08:00", "2020-03-20T17:00"),
    ):
        arguments = ["--plan", PLAN, "--questionnaire", QUESTIONNAIRE, "--slug", slug, "--title", slug]
        subprocess.run(
            [
                sys.executable,
                "-m",
                "server.cli",
                "create-wave",
                *arguments,
                "--opens",
                opens,
                "--closes",
                closes,
                "--confirm-past",  # the closed wave: answers that were collected before it was entered
            ],
            env=server_env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=60,
        )
    storage = {}
    meeting = 0
    for role, username in USERS.items():
        with httpx.Client(base_url=server_url, timeout=30) as client:
            token = _csrf(client.get("/logga-in").text)
            response = client.post(
                "/logga-in", data={"_csrf_token": token, "username": username, "password": PASSWORD}
            )
            assert response.status_code == 303, f"{username} could not sign in"
            if role == "kommunikator":
                token = _csrf(client.get(f"/resultat/{PLAN}/moten").text)
                response = client.post(
                    f"/resultat/{PLAN}/moten",
                    data={"_csrf_token": token, "title": "Granskningens möte", "held_on": "2026-12-10"},
                )
                assert response.status_code == 303, response.text
                meeting = int(response.headers["location"].rstrip("/").rsplit("/", 1)[1])
            storage[role] = {
                "cookies": [
                    {
                        "name": cookie.name,
                        "value": cookie.value,
                        "domain": "127.0.0.1",
                        "path": cookie.path or "/",
                        "expires": -1,
                        "httpOnly": True,
                        "secure": False,
                        "sameSite": "Lax",
                    }
                    for cookie in client.cookies.jar
                ],
                "origins": [],
            }
    return Site(server_url, meeting, storage)


def _csrf(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)
