"""The cross-tabulations as facts for the per-question intruder's program (tests/anonymity/test_question_intruder.py).

A cross-tabulation of questions q1 and q2 for a target group counts, over every organisation of the wave, how
many answered category i to q1 and category j to q2 ("Inget svar" included: skipped or not asked). Its
unknowns here are per organisation: ``J`` (q1, q2, i, j, organisation), tied to that organisation's own
counts of the two questions (``C``, ``B`` and ``N`` of the question intruder): each row of an organisation's
table adds up to its count of the row's options, the "Inget svar" row to its respondents less the question's
base. Every published cell is then a fact about the sum over organisations: a rounded count and an exact
share of its row; the rounded row and column totals and the exact total are facts too.

A program may hold several releases of one wave (an interim release, then the close): every key is then
tagged with its release, and counts only grow from one release to the next.
"""

from __future__ import annotations

import itertools
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import strategies as st

from surveys.accounts.users import Role, create_token, create_user
from surveys.db import engine as db

NO_ANSWER = "Inget svar"
TOLERANCE = 1e-3  # a count less share · row total: as the question intruder reads its shares


@dataclass
class Tagged:
    """A program seen through one release: every key it makes starts with the release's tag."""

    program: object
    tag: str

    def var(self, *key) -> int:
        return self.program.var(self.tag, *key)

    def add(self, terms, low, high) -> None:
        self.program.add(terms, low, high)


def around(n: int) -> tuple[float, float]:
    """A count published rounded to five: the whole numbers it may stand for."""
    return max(0, n - 2), n + 2


def crossable(wave: dict) -> list[dict]:
    """The questions the pages may cross (one answer, at most eight categories), as the public wave API
    describes them."""
    found = []
    for question in wave["questions"]:
        if question["kind"] in ("single", "agree5", "yesno", "scale10") and len(categories(question)) <= 8:
            found.append(question)
    return found


def categories(question: dict) -> list[tuple[str, frozenset[str]]]:
    """Row labels and the option codes each stands for (a 0–10 scale in its three bands)."""
    if question["kind"] == "scale10":
        numbered = {o["code"] for o in question["options"] if o["code"].isdigit()}
        bands = [
            (f"{low}–{high}", frozenset(c for c in numbered if low <= int(c) <= high))
            for low, high in ((0, 6), (7, 8), (9, 10))
        ]
        return bands + [
            (o["text"], frozenset({o["code"]})) for o in question["options"] if o["code"] not in numbered
        ]
    return [(o["text"], frozenset({o["code"]})) for o in question["options"]]


def pairs(wave: dict) -> list[tuple[str, str]]:
    codes = [q["code"] for q in crossable(wave)]
    return list(itertools.combinations(codes, 2))


def _lines(program, question: dict, org: str) -> list[dict[int, float] | tuple[dict[int, float], float]]:
    """Each category's count in one organisation as terms, and the "Inget svar" count (N − base) last."""
    lines = []
    for _label, codes in categories(question):
        lines.append({program.var("C", question["code"], c, org): 1.0 for c in sorted(codes)})
    lines.append({program.var("N", org): 1.0, program.var("B", question["code"], org): -1.0})
    return lines


def cell(program, first: str, second: str, i: int, j: int, org: str) -> int:
    return program.var("J", first, second, i, j, org)


def structure(program, wave: dict, orgs: list[str], first: str, second: str) -> None:
    """Each organisation's table of the two questions adds up to its own counts of each."""
    questions = {q["code"]: q for q in wave["questions"]}
    q1, q2 = questions[first], questions[second]
    for org in orgs:
        rows, columns = _lines(program, q1, org), _lines(program, q2, org)
        for i, line in enumerate(rows):
            terms = {cell(program, first, second, i, j, org): 1.0 for j in range(len(columns))}
            for v, c in line.items():
                terms[v] = terms.get(v, 0.0) - c
            program.add(terms, 0, 0)
        for j, line in enumerate(columns):
            terms = {cell(program, first, second, i, j, org): 1.0 for i in range(len(rows))}
            for v, c in line.items():
                terms[v] = terms.get(v, 0.0) - c
            program.add(terms, 0, 0)


def table_facts(program, table: dict, wave: dict, orgs: list[str]) -> bool:
    """The published table as facts about sums over `orgs`; False when it published no numbers."""
    if table.get("hidden") or table.get("reason") or not table.get("cells"):
        return False
    first, second = table["rows"]["code"], table["columns"]["code"]
    questions = {q["code"]: q for q in wave["questions"]}
    row_labels = [label for label, _c in categories(questions[first])] + [NO_ANSWER]
    column_labels = [label for label, _c in categories(questions[second])] + [NO_ANSWER]
    structure(program, wave, orgs, first, second)

    def summed(i: int | None, j: int | None) -> dict[int, float]:
        rows = range(len(row_labels)) if i is None else [i]
        columns = range(len(column_labels)) if j is None else [j]
        return {cell(program, first, second, a, b, o): 1.0 for o in orgs for a in rows for b in columns}

    rows = [row_labels.index(label) for label in table["row_labels"]]
    columns = [column_labels.index(label) for label in table["column_labels"]]
    for i in set(range(len(row_labels))) - set(rows):
        program.add(summed(i, None), 0, 0)  # a category left out of the table has nobody in it
    for j in set(range(len(column_labels))) - set(columns):
        program.add(summed(None, j), 0, 0)
    for r, i in enumerate(rows):
        program.add(summed(i, None), *around(table["row_totals"][r]))
        for c, j in enumerate(columns):
            shown = table["cells"][r][c]
            if shown["hidden"]:
                continue
            count = summed(i, j)
            program.add(count, *around(shown["count"]))
            share = shown["share_of_row"]
            if share is None:
                program.add(summed(i, None), 0, 0)
            else:
                terms = dict(count)
                for v, c2 in summed(i, None).items():
                    terms[v] = terms.get(v, 0.0) - share * c2
                program.add(terms, -TOLERANCE, TOLERANCE)
    for c, j in enumerate(columns):
        program.add(summed(None, j), *around(table["column_totals"][c]))
    if table["total"] is not None:
        program.add({program.var("N", o): 1.0 for o in orgs}, table["total"], table["total"])
    return True


def grow(program, earlier: str, later: str, wave: dict, orgs: list[str]) -> None:
    """Answers only come in: every count of a later release is at least the earlier one's."""
    for org in orgs:
        keys = [("N", org)]
        for question in wave["questions"]:
            if question["kind"] == "text":
                continue
            keys.append(("B", question["code"], org))
            keys += [("C", question["code"], o["code"], org) for o in question["options"]]
        for key in keys:
            program.add({program.var(later, *key): 1.0, program.var(earlier, *key): -1.0}, 0, np.inf)


async def key_for(role: Role, plan: str | None = None, organisations: tuple[str, ...] = ()) -> dict[str, str]:
    """An API key of a new account, with an organisation grant within `plan` when `organisations` is given."""
    name = f"{role.value}-{uuid.uuid4().hex[:8]}@example.se"
    grants = {"plans": [plan], "organisations": list(organisations)} if organisations else {}
    async with db.write_transaction():
        account = await create_user(name, "ett-langt-losenord", role, **grants)
    return {"authorization": f"Bearer {await create_token(account.id, 'nyfiken')}"}


# --- random plans with four crossable questions -------------------------------------------------------------


@dataclass(frozen=True)
class RichPlan:
    """A random plan answering the test questionnaire (tests/support.py): four questions that can be
    crossed (kannedom, forstaelse asked of those who know the plan, the 0–10 scale betyg, the yes/no chef),
    each organisation with answers of its own leaning, and a text from everyone who writes one."""

    code: str
    organisations: tuple[str, ...]
    groups: tuple[str, ...]
    # (group, organisation) → per respondent: (answers before the interim release?, answers, text)
    cells: dict[tuple[str, str], tuple[tuple[bool, dict, str | None], ...]]


@st.composite
def rich_plans(draw) -> RichPlan:
    seed = draw(st.integers(0, 2**31))
    rng = random.Random(seed)
    organisations = tuple(f"o{seed}-{i}" for i in range(rng.randint(3, 4)))
    groups = tuple(f"g{seed}-{i}" for i in range(rng.randint(1, 2)))
    cells = {}
    for group in groups:
        for org in organisations:
            # Small and large organisations, each leaning its own way, so that some answer alike.
            n = rng.choice([0, 1, 2, 3, 4, 6, 8, 10, 12, 16, 20])
            lean = rng.random()
            answers = []
            for i in range(n):
                knows = rng.random() < lean
                chosen: dict = {"kannedom": "ja" if knows else rng.choice(["nej", "nej", "vet_ej"])}
                if knows:
                    chosen["forstaelse"] = rng.choice(["4", "5"] if lean > 0.5 else ["1", "2", "3", "vet_ej"])
                if rng.random() < 0.9:
                    chosen["chef"] = "ja" if rng.random() < lean else "nej"
                if rng.random() < 0.9:
                    chosen["betyg"] = str(rng.randint(7, 10) if lean > 0.5 else rng.randint(0, 8))
                text = f"Svar {group} {org} {i}" if rng.random() < 0.6 else None
                answers.append((i < n // 2, chosen, text))
            cells[(group, org)] = tuple(answers)
    return RichPlan(f"rik-{seed}", organisations, groups, cells)


async def store_rich_plan(plan: RichPlan) -> str:
    """The plan, the test questionnaire and an open wave; returns the wave's slug."""
    from surveys.db.tables import Plan
    from surveys.plans.plan_file import parse_plan, store_plan
    from surveys.questionnaires.model import parse_questionnaire
    from surveys.questionnaires.storage import store_questionnaire
    from surveys.waves.setup import create_wave
    from tests.support import QUESTIONNAIRE

    definition = {
        "plan": {"code": plan.code, "title": f"Slumpplan {plan.code}"},
        "organisations": [
            {"code": o, "name": f"Organisation {o}", "kind": "kommun"} for o in plan.organisations
        ],
        "target_groups": [{"code": g, "name": f"Målgrupp {g}"} for g in plan.groups],
        "effect_goals": [
            {"target_group": g, "step": step, "target": 0.5, "wording": f"Mål {step}."}
            for g in plan.groups
            for step in ("L1", "L2")
        ],
        "channels": [{"code": "intranat", "name": "Intranät"}],
    }
    slug = f"omgang-{uuid.uuid4().hex[:8]}"
    async with db.write_transaction():
        await store_plan(parse_plan(definition))
        plan_id = (await Plan.select(Plan.id).where(Plan.code == plan.code).first())["id"]
        questionnaire = parse_questionnaire({**QUESTIONNAIRE, "code": f"enkat-{plan.code}"})
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


async def answer_rich(plan: RichPlan, slug: str, *, first: bool) -> None:
    """The respondents of one half (before the interim release, or after it)."""
    from surveys.responding.submission import Submission, new_submission_key, store_submission
    from surveys.responding.validation import CleanAnswers
    from surveys.waves.lookup import find_wave

    wave = await find_wave(slug)
    for (group, org), answers in plan.cells.items():
        org_id = next(o.id for o in wave.organisations if o.code == org)
        group_id = next(g.id for g in wave.target_groups if g.code == group)
        for before, chosen, text in answers:
            if before != first:
                continue
            clean = CleanAnswers({c: (v,) for c, v in chosen.items()}, {"fritext": text} if text else {})
            await store_submission(
                wave, Submission(org_id, group_id, clean, new_submission_key()), datetime.now(UTC)
            )
