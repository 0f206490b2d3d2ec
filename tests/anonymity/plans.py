"""Small random plans for the intruder: a few organisations and target groups, small cells, a show-if ladder.

Built through the same functions as tests/support.py; answers go in through the public JSON API while the
wave is open (as respondents send them), and the wave is then closed by a communicator, so the results
are released whatever rule decides when an open wave's results are published.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from hypothesis import strategies as st

from surveys.accounts.users import Role
from surveys.db import engine as db
from surveys.plans.plan_file import parse_plan, store_plan
from surveys.questionnaires.model import parse_questionnaire
from surveys.questionnaires.storage import store_questionnaire
from surveys.waves.setup import create_wave
from tests.support import csrf_token, sign_in

QUESTIONNAIRE = {
    "code": "nyfiken",
    "title": "Känner du till planen?",
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
            "code": "handling",
            "kind": "single",
            "text": "Har du bidragit?",
            "step": "L4",
            "show_if": {"question": "kannedom", "any_of": ["ja"]},
            "options": [
                {"code": "ja", "text": "Ja", "reaches_step": True},
                {"code": "nej", "text": "Nej"},
                {"code": "vet_ej", "text": "Vet ej", "dont_know": True},
            ],
        },
    ],
}


@dataclass(frozen=True)
class RandomPlan:
    code: str
    organisations: tuple[str, ...]
    groups: tuple[str, ...]
    sizes: dict[str, dict[str, int]]
    cells: dict[tuple[str, str], tuple[tuple[str, str | None], ...]]  # (group, org) → (L1 answer, L4 answer)


@st.composite
def random_plans(draw) -> RandomPlan:
    seed = draw(st.integers(0, 2**31))
    # Codes of its own: the examples of one test share a database.
    organisations = tuple(f"org{seed}-{i}" for i in range(draw(st.integers(3, 5))))
    groups = tuple(f"grupp{seed}-{i}" for i in range(draw(st.integers(2, 3))))
    rng = random.Random(seed)
    sizes: dict[str, dict[str, int]] = {}
    cells: dict[tuple[str, str], tuple[tuple[str, str | None], ...]] = {}
    for group in groups:
        aware = rng.uniform(0.2, 0.95)
        sizes[group] = {}
        for org in organisations:
            n = rng.choice([0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12, 16])
            sizes[group][org] = n + rng.randint(0, 20)
            answers = []
            for _ in range(n):
                l1 = "ja" if rng.random() < aware else rng.choice(["nej", "nej", "vet_ej"])
                l4 = rng.choice(["ja", "nej", "vet_ej"]) if l1 == "ja" else None
                answers.append((l1, l4))
            cells[(group, org)] = tuple(answers)
    return RandomPlan(f"slump-{seed}", organisations, groups, sizes, cells)


async def store_random_plan(plan: RandomPlan) -> str:
    """The plan, its questionnaire and an open wave; returns the wave's slug."""
    definition = {
        "plan": {"code": plan.code, "title": f"Slumpplan {plan.code}"},
        "organisations": [
            {"code": o, "name": f"Organisation {o}", "kind": "kommun"} for o in plan.organisations
        ],
        "target_groups": [{"code": g, "name": f"Målgrupp {g}", "sizes": plan.sizes[g]} for g in plan.groups],
        "effect_goals": [
            {"target_group": g, "step": step, "target": 0.5, "wording": f"Mål {step}."}
            for g in plan.groups
            for step in ("L1", "L4")
        ],
        "channels": [{"code": "intranat", "name": "Intranät"}],
    }
    from surveys.db.tables import Plan

    slug = f"omgang-{uuid.uuid4().hex[:8]}"
    async with db.write_transaction():
        await store_plan(parse_plan(definition))
        plan_id = (await Plan.select(Plan.id).where(Plan.code == plan.code).first())["id"]
        questionnaire = parse_questionnaire(QUESTIONNAIRE)
        await store_questionnaire(questionnaire, plan_id=plan_id)
        now = datetime.now(UTC)
        await create_wave(
            plan_code=plan.code,
            questionnaire_code=questionnaire.code,
            slug=slug,
            title=f"Omgång {slug}",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1),
        )
    return slug


async def answer(client: httpx.AsyncClient, slug: str, group: str, org: str, l1: str, l4: str | None) -> None:
    """One respondent through the open link's JSON twin."""
    answers = {"kannedom": l1, **({"handling": l4} if l4 else {})}
    body = {"answers": answers, "organisation": org, "target_group": group}
    response = await client.post(f"/api/v1/waves/{slug}/responses", json=body)
    assert response.status_code == 201, response.text


async def answer_all(client: httpx.AsyncClient, slug: str, plan: RandomPlan) -> None:
    for (group, org), answers in plan.cells.items():
        for l1, l4 in answers:
            await answer(client, slug, group, org, l1, l4)


async def close(client: httpx.AsyncClient, slug: str) -> None:
    """A communicator closes the wave from its page, as in the workspace."""
    client.cookies.clear()
    await sign_in(client, Role.COMMUNICATOR)
    page = await client.get(f"/arbeta/omgangar/{slug}")
    response = await client.post(
        f"/arbeta/omgangar/{slug}/stang", data={"_csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 303, response.text
    client.cookies.clear()
