"""Raw responses for administrators, as CSV rows streamed in batches: memory stays flat however many.

Each row is one response: its wave, organisation, target group and date (never a time), then one column
per question. A group (wave × organisation × target group) with fewer than k respondents gives no rows at
all: a row of a group of two is those two people's answers (docs/dataskydd.md, "Vad som redovisas"). The
last line says that such rows were left out, without saying how many. Rows come in the order of the
responses' random ids, which says nothing about when anyone answered.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import AsyncIterator

from piccolo.query.functions.aggregate import Count

from analysis.render.export import neutralise
from locales import gettext as _
from surveys.db.tables import Answer, Question, Response, Wave
from surveys.plans.lookup import plan_row

BATCH = 2000


def _line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow([neutralise(c) for c in cells])
    return buffer.getvalue()


async def raw_rows(plan_code: str, k: int) -> AsyncIterator[str]:
    """CSV text in pieces: a BOM and header first, then a batch of responses at a time.

    `NotFound` for an unknown plan, at the first piece: look the plan up before the response starts."""
    plan = await plan_row(plan_code)
    waves = {
        r["id"]: r
        for r in await Wave.select(Wave.id, Wave.slug, Wave.version, Wave.purged_on)
        .where(Wave.plan == plan["id"])
        .order_by(Wave.opens_at)
    }
    if not waves:
        yield "\ufeff" + _line([_("Inga svar")])
        return
    questions = (
        await Question.select(Question.id, Question.code, Question.kind, Question.version)
        .where(Question.version.is_in(sorted({w["version"] for w in waves.values()})))
        .order_by(Question.position)
    )
    codes = list(dict.fromkeys(q["code"] for q in questions))
    kinds = {q["id"]: q["kind"] for q in questions}
    code_of = {q["id"]: q["code"] for q in questions}
    group_sizes = {
        (r["wave"], r["organisation"], r["target_group"]): r["n"]
        for r in await Response.select(
            Response.wave, Response.organisation, Response.target_group, Count(alias="n")
        )
        .where(Response.wave.is_in(list(waves)))
        .group_by(Response.wave, Response.organisation, Response.target_group)
    }
    yield "\ufeff" + _line(
        [_("Mätomgång"), _("Organisation"), _("Målgrupp"), _("Datum"), *codes, _("Anmärkning")]
    )
    for wave in waves.values():
        if wave["purged_on"] is not None:
            # Retention deleted these rows; say so, rather than let the file look as if no one answered.
            note = _("Svaren är gallrade %(day)s. Bara antal per organisation och målgrupp finns kvar.") % {
                "day": wave["purged_on"].isoformat()
            }
            yield _line([wave["slug"], "", "", "", *([""] * len(codes)), note])
    last_id = -1
    left_out = False
    while True:
        responses = (
            await Response.select(
                Response.id,
                Response.wave,
                Response.organisation,
                Response.target_group,
                Response.submitted_on,
                Response.organisation.code.as_alias("org"),
                Response.target_group.code.as_alias("group"),
            )
            .where(Response.wave.is_in(list(waves)) & (Response.id > last_id))
            .order_by(Response.id)
            .limit(BATCH)
        )
        if not responses:
            if left_out:
                note = _(
                    "Svar från grupper (mätomgång, organisation och målgrupp) med färre än %(k)s svarande "
                    "ingår inte i filen."
                ) % {"k": k}
                yield _line(["", "", "", "", *([""] * len(codes)), note])
            return
        last_id = responses[-1]["id"]
        small = [
            r for r in responses if group_sizes.get((r["wave"], r["organisation"], r["target_group"]), 0) < k
        ]
        left_out = left_out or bool(small)
        responses = [r for r in responses if r not in small]
        if not responses:
            continue
        answers: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for a in await Answer.select(
            Answer.response, Answer.question, Answer.option.code.as_alias("option"), Answer.text
        ).where(Answer.response.is_in([r["id"] for r in responses])):
            if kinds.get(a["question"]) == "text":
                answers[a["response"]][code_of[a["question"]]].append(a["text"] or "")
            else:
                answers[a["response"]][code_of[a["question"]]].append(a["option"] or "")
        chunk = []
        for r in responses:
            own = answers[r["id"]]
            # Every group left here has at least k respondents, so its free text may be shown as well.
            cells = ["|".join(own.get(code, [])) for code in codes]
            note = ""
            chunk.append(
                _line(
                    [
                        waves[r["wave"]]["slug"],
                        r["org"] or "",
                        r["group"] or "",
                        r["submitted_on"].isoformat(),
                        *cells,
                        note,
                    ]
                )
            )
        yield "".join(chunk)
