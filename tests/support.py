"""Small plans, questionnaires and waves for tests, built through the same functions as the CLI."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from surveys.db import engine as db
from surveys.plans.plan_file import parse_plan, store_plan
from surveys.questionnaires.model import parse_questionnaire
from surveys.questionnaires.storage import store_questionnaire
from surveys.waves.setup import create_wave

PLAN = {
    "plan": {"code": "testplan", "title": "Testplanen"},
    "organisations": [
        {"code": "alby", "name": "Alby kommun", "kind": "kommun"},
        {"code": "region", "name": "Regionen", "kind": "region"},
    ],
    "target_groups": [
        {"code": "chefer", "name": "Chefer", "sizes": {"alby": 40, "region": 60}},
        {"code": "medarbetare", "name": "Medarbetare", "sizes": {"alby": 400, "region": 900}},
    ],
    "effect_goals": [
        {"target_group": "chefer", "step": "L1", "target": 0.7, "wording": "Känna till planen."}
    ],
    "channels": [{"code": "intranat", "name": "Intranät"}],
}

QUESTIONNAIRE = {
    "code": "testenkat",
    "title": "Testenkäten",
    "intro": "Välkommen.",
    "questions": [
        {
            "code": "kannedom",
            "kind": "single",
            "text": "Känner du till planen?",
            "step": "L1",
            "dont_know": "not_reached",
            "options": [
                {"code": "ja", "text": "Ja", "reaches_step": True},
                {"code": "nej", "text": "Nej"},
                {"code": "vet_ej", "text": "Vet ej", "dont_know": True},
            ],
        },
        {
            "code": "forstaelse",
            "kind": "agree5",
            "text": "Jag förstår varför planen behövs.",
            "step": "L2",
            "reached": ["4", "5"],
            "show_if": {"question": "kannedom", "any_of": ["ja"]},
        },
        {
            "code": "kanaler",
            "kind": "multiple",
            "text": "Var har du sett information?",
            "required": False,
            "options": [
                {"code": "intranat", "text": "Intranätet", "channel": "intranat"},
                {"code": "mote", "text": "Möten"},
            ],
        },
        {"code": "betyg", "kind": "scale10", "text": "Hur väl når informationen fram?", "required": False},
        {"code": "chef", "kind": "yesno", "text": "Har din chef berättat?", "required": False},
        {"code": "fritext", "kind": "text", "text": "Något mer?", "required": False, "max_length": 50},
    ],
}

WINDOWS = {
    "open": (-timedelta(days=1), timedelta(days=1)),
    "not_open": (timedelta(days=1), timedelta(days=2)),
    "closed": (-timedelta(days=2), -timedelta(days=1)),
}

VALID_ANSWERS = {"kannedom": ["ja"], "forstaelse": ["4"], "kanaler": ["intranat", "mote"], "betyg": ["7"]}


async def make_wave(
    slug: str = "testomgang",
    status: str = "open",
    *,
    organisations: list[str] | None = None,
    target_groups: list[str] | None = None,
    questionnaire: dict | None = None,
) -> int:
    """A plan (once), a questionnaire version and a wave whose open window puts it in `status` now."""
    from surveys.db.tables import Plan

    async with db.write_transaction():
        if not await Plan.exists().where(Plan.code == "testplan"):
            await store_plan(parse_plan(PLAN))
            plan_id = (await Plan.select(Plan.id).where(Plan.code == "testplan").first())["id"]
        else:
            plan_id = (await Plan.select(Plan.id).where(Plan.code == "testplan").first())["id"]
        definition = parse_questionnaire(questionnaire or QUESTIONNAIRE)
        await store_questionnaire(definition, plan_id=plan_id)
        now = datetime.now(UTC)
        opens, closes = WINDOWS[status]
        return await create_wave(
            plan_code="testplan",
            questionnaire_code=definition.code,
            slug=slug,
            title=f"Omgång {slug}",
            opens_at=now + opens,
            closes_at=now + closes,
            target_groups=target_groups,
            organisations=organisations,
        )


def csrf_token(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "the form has no CSRF token"
    return match.group(1)


def submission_key(html: str) -> str:
    match = re.search(r'name="submission_key" value="([^"]+)"', html)
    assert match, "the form has no submission key"
    return match.group(1)


def form_body(html: str, answers: dict[str, list[str]], **background: str) -> list[tuple[str, str]]:
    """The fields a browser would send after ticking `answers` on the page `html`."""
    fields = [("_csrf_token", csrf_token(html)), ("submission_key", submission_key(html))]
    fields += list(background.items())
    for code, values in answers.items():
        fields += [(f"q-{code}", v) for v in values]
    return fields


async def sign_in(client, role, username: str | None = None, password: str = "ett-langt-losenord"):
    """A user with `role`, signed in on `client` through the login form (CSRF and all)."""
    import uuid

    from surveys.accounts.users import create_user

    username = username or f"{role.value}-{uuid.uuid4().hex[:8]}@example.se"
    account = await create_user(username, password, role)
    await sign_in_with(client, username, password)
    return account


async def sign_in_with(client, username: str, password: str = "ett-langt-losenord") -> None:
    """An existing account signed in on `client` through the login form."""
    page = await client.get("/logga-in")
    response = await client.post(
        "/logga-in",
        data={
            "_csrf_token": csrf_token(page.text),
            "username": username,
            "password": password,
            "next": "/arbeta",
        },
    )
    assert response.status_code == 303, response.text


async def release(slug: str = "testomgang", day: date | None = None) -> None:
    """An interim release of an open wave, as a communicator makes one: results show its counts."""
    from surveys.results.releases import make_release
    from surveys.waves.lookup import find_wave

    wave = await find_wave(slug)
    await make_release(wave.id, today=day or datetime.now(UTC).date() + timedelta(days=1), interim=True)
