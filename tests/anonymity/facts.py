"""Everything a reader or communicator fetched, read into facts about whole numbers: the one place that knows formats.

The unknowns are the counts behind each *cell* (one target group in one organisation in one wave): ``N`` the
respondents, and per step ``X`` who reached it and ``B`` the step's base (smaller than N where "Vet ej" is
excluded). Every published number becomes a fact about a sum of such counts:

- ``Between``: low ≤ Σ ≤ high (an exact count has low = high; a count rounded to 5 has a width of 4);
- ``ShareBetween``: low ≤ ΣX / ΣB ≤ high (an unweighted share; its rounding gives the width);
- ``OneOf``: (ΣB, ΣX) is one of a few pairs (what an interval's endpoints allow when the counts are not given);
- ``Hidden``: a group is not shown; its reason, where one is published, says more (see ``solver``);
- ``StepQuestion``: how a wave's questionnaire asks a step (show-if, "Vet ej"), from the public wave API.

A number that is missing is simply not a fact: its count stays unknown. So when the published format changes
(hidden cells as "dold" without a reason, counts rounded to 5, no unweighted numerators beside weighted
shares), only what is still there constrains the solution, and nothing here has to change for it. Names on
pages and in exports are matched to codes through the JSON that names them both.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

REASONS = frozenset({"below_minimum", "homogeneous", "complementary"})
# Shares computed on one group's own counts (not weighted across organisations): share = X / B.
UNWEIGHTED = frozenset({"wilson", "wilson_fpc", "hypergeometric", "beta_binomial"})
N, X, B = "N", "X", "B"
# A share given in full: X/B within this. Wide enough for the solver's tolerances, and still one X for
# every base below 500 000.
EXACT = 1e-6


@dataclass(frozen=True, order=True)
class Cell:
    """The respondents of one target group in one organisation in one wave."""

    wave: str
    group: str
    org: str


@dataclass(frozen=True)
class Sum:
    """A sum over cells of one quantity: N (respondents), or X (reached) or B (base) of one step."""

    quantity: str
    cells: frozenset[Cell]
    step: str | None = None


@dataclass(frozen=True)
class Between:
    term: Sum
    low: float
    high: float
    source: str


@dataclass(frozen=True)
class ShareBetween:
    reached: Sum
    base: Sum
    low: float
    high: float
    source: str


@dataclass(frozen=True)
class OneOf:
    reached: Sum
    base: Sum
    pairs: frozenset[tuple[int, int]]  # (base, reached)
    source: str


@dataclass(frozen=True)
class Hidden:
    cells: frozenset[Cell]
    step: str | None  # the step whose reached count the reason speaks of; None: respondents only
    reason: str | None  # one of REASONS, or None where the format gives no reason
    nonempty: bool  # the format says the hidden group has somebody in it
    source: str


@dataclass(frozen=True)
class StepQuestion:
    step: str
    excluded: bool  # "Vet ej" is left out of the base
    required: bool
    conditional: bool  # asked only of some (show-if); the others count in the base
    condition: str | None  # the step whose reached answers alone open this question


Fact = Between | ShareBetween | OneOf | Hidden


@dataclass
class Facts:
    k: int
    facts: list[Fact] = field(default_factory=list)
    steps: dict[str, tuple[StepQuestion, ...]] = field(default_factory=dict)  # per wave

    def cells(self) -> set[Cell]:
        found: set[Cell] = set()
        for fact in self.facts:
            found |= _fact_cells(fact)
        return found

    def hidden_groups(self) -> dict[frozenset[Cell], list[Hidden]]:
        groups: dict[frozenset[Cell], list[Hidden]] = {}
        for fact in self.facts:
            if isinstance(fact, Hidden):
                groups.setdefault(fact.cells, []).append(fact)
        return groups

    def without(self, *sources: str) -> Facts:
        """The same facts less those whose source starts with any of `sources` (to weigh what leaks)."""
        kept = [f for f in self.facts if not f.source.startswith(sources)]
        return Facts(self.k, kept, self.steps)

    def key(self) -> tuple:
        return (self.k, tuple(sorted(map(repr, self.facts))), tuple(sorted(self.steps.items())))


def _fact_cells(fact: Fact) -> frozenset[Cell]:
    if isinstance(fact, Between):
        return fact.term.cells
    if isinstance(fact, ShareBetween | OneOf):
        return fact.reached.cells | fact.base.cells
    return fact.cells


@dataclass
class Publication:
    """What was fetched, untouched: JSON documents, export files, pages."""

    plan: str
    results: dict | None = None  # /api/v1/plans/<plan>/results
    waves: dict[str, dict] = field(default_factory=dict)  # /api/v1/waves/<slug>
    csv: bytes | None = None
    xlsx: bytes | None = None
    progress: dict[str, str] = field(default_factory=dict)  # wave slug → the communicator's wave page


# --- names ---------------------------------------------------------------------------------------


@dataclass
class _Names:
    groups: dict[str, str] = field(default_factory=dict)  # name → code
    orgs: dict[str, str] = field(default_factory=dict)
    waves: dict[str, str] = field(default_factory=dict)  # title → slug
    reasons: dict[str, str] = field(default_factory=dict)  # published text → reason

    def learn(self, publication: Publication) -> None:
        doc = publication.results or {}
        for group in doc.get("target_groups", []):
            self.groups[group["name"]] = group["code"]
        for wave in doc.get("waves", []):
            self.waves[wave["title"]] = wave["slug"]
        for node in _walk(doc):
            if isinstance(node.get("organisations"), list):
                for org in node["organisations"]:
                    if isinstance(org, dict) and "code" in org and "name" in org:
                        self.orgs[org["name"]] = org["code"]
            hidden = node.get("hidden")
            if isinstance(hidden, dict) and hidden.get("reason") in REASONS and hidden.get("text"):
                self.reasons[hidden["text"]] = hidden["reason"]
        for slug, wave in publication.waves.items():
            self.waves.setdefault(wave.get("title", slug), slug)
            for org in wave.get("organisations", []):
                self.orgs[org["name"]] = org["code"]
            for group in wave.get("target_groups", []):
                self.groups[group["name"]] = group["code"]

    def reason_in(self, text: str) -> str | None:
        for known, reason in self.reasons.items():
            if known and known in text:
                return reason
        return None


def _walk(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


# --- the whole publication -----------------------------------------------------------------------


def read_facts(publication: Publication, *, default_k: int = 5) -> Facts:
    names = _Names()
    names.learn(publication)
    doc = publication.results or {}
    k = doc.get("min_group_size") or _k_from_pages(publication.progress.values()) or default_k
    facts = Facts(int(k))
    for slug, wave in publication.waves.items():
        facts.steps[slug] = _step_questions(wave)
    org_sets = _org_sets(doc, publication.waves)
    rounding = _rounding(doc)
    if doc:
        facts.facts += _results_facts(doc, org_sets, rounding)
    for data, source in ((publication.xlsx, "xlsx"), (publication.csv, "csv")):
        if data:
            tables = _xlsx_tables(data) if source == "xlsx" else _csv_tables(data)
            facts.facts += _export_facts(tables, names, org_sets, rounding, source)
    for slug, page in publication.progress.items():
        facts.facts += _progress_facts(page, slug, publication.waves.get(slug, {}), names)
    return facts


def _k_from_pages(pages: Iterable[str]) -> int | None:
    for page in pages:
        found = re.search(r"färre än (\d+)", page)
        if found:
            return int(found.group(1))
    return None


def _rounding(doc: dict) -> int:
    """How respondent counts are rounded, if the document says so (1: exact)."""
    for key in ("respondents_rounding", "rounding", "count_rounding"):
        value = doc.get(key)
        if isinstance(value, int) and value > 1:
            return value
    return 1


def _count_between(value: Any, rounding: int) -> tuple[int, int] | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if rounding <= 1:
        return int(value), int(value)
    half = (rounding - 1) // 2 if rounding % 2 else rounding // 2
    return max(0, int(value) - half), int(value) + half


def _step_questions(wave: dict) -> tuple[StepQuestion, ...]:
    questions = wave.get("questions", [])
    by_code = {q["code"]: q for q in questions}
    result = []
    for q in questions:
        if not q.get("step"):
            continue
        show_if = q.get("show_if") or None
        condition = None
        if show_if:
            opener = by_code.get(show_if.get("question"))
            if opener and opener.get("step"):
                reached = {o["code"] for o in opener.get("options", []) if o.get("reaches_step")}
                if set(show_if.get("any_of", [])) <= reached:
                    condition = opener["step"]
        result.append(
            StepQuestion(
                step=q["step"],
                excluded=q.get("dont_know", "excluded") == "excluded",
                required=bool(q.get("required", True)),
                conditional=show_if is not None,
                condition=condition,
            )
        )
    return tuple(result)


def _org_sets(doc: dict, waves: Mapping[str, dict]) -> dict[tuple[str, str], tuple[str, ...]]:
    """The organisations a group's totals add up, per (wave, group): those listed in its breakdowns.

    A breakdown lists every organisation where the group exists; where a whole wave is hidden it lists none,
    so another wave's list (the same plan) stands in, and failing that the wave's organisations.
    """
    listed: dict[tuple[str, str], set[str]] = {}
    by_group: dict[str, set[str]] = {}
    for goal in doc.get("goals", []):
        for wave in goal.get("waves", []):
            codes = {
                o["code"] for o in wave.get("organisations") or [] if isinstance(o, dict) and "code" in o
            }
            if codes:
                listed.setdefault((wave["wave"], goal["target_group"]), set()).update(codes)
                by_group.setdefault(goal["target_group"], set()).update(codes)
    result: dict[tuple[str, str], tuple[str, ...]] = {}
    groups = [g["code"] for g in doc.get("target_groups", [])]
    slugs = [w["slug"] for w in doc.get("waves", [])] or list(waves)
    for slug in slugs:
        wave_orgs = [o["code"] for o in waves.get(slug, {}).get("organisations", [])]
        for group in groups:
            orgs = listed.get((slug, group)) or by_group.get(group) or set(wave_orgs)
            result[(slug, group)] = tuple(sorted(orgs))
    return result


# --- the results API -----------------------------------------------------------------------------


def _hidden_of(node: dict) -> tuple[bool, str | None]:
    hidden = node.get("hidden")
    estimate = node.get("estimate")
    if isinstance(estimate, str) or (hidden not in (None, False, "", {})):
        reason = None
        if isinstance(hidden, dict):
            reason = hidden.get("reason")
        elif isinstance(hidden, str):
            reason = hidden
        return True, reason if reason in REASONS else None
    return False, None


def _estimate_facts(
    cells: frozenset[Cell], step: str | None, estimate: dict, rounding: int, source: str
) -> list[Fact]:
    facts: list[Fact] = []
    # A share may say itself how its counts are rounded (a breakdown's are, a total's are not).
    rounding = max(rounding, _rounding(estimate))
    counted = _count_between(estimate.get("respondents"), rounding)
    if counted:
        facts.append(Between(Sum(N, cells), *counted, f"{source}:respondents"))
    if step is None:
        return facts
    reached, base = Sum(X, cells, step), Sum(B, cells, step)
    based = _count_between(estimate.get("base"), rounding)
    if based:
        facts.append(Between(base, *based, f"{source}:base"))
    share = estimate.get("share")
    method = estimate.get("method")
    if isinstance(share, float | int) and method in UNWEIGHTED:
        tolerance = EXACT
        facts.append(ShareBetween(reached, base, share - tolerance, share + tolerance, f"{source}:share"))
    bounds, rate, respondents = (
        estimate.get("nonresponse_bounds"),
        estimate.get("response_rate"),
        estimate.get("respondents"),
    )
    # Worst-case bounds are X/P and (X + P − B)/P for the known size P, itself respondents / response rate.
    if isinstance(bounds, dict) and rate and isinstance(respondents, int) and rounding == 1:
        population = respondents / rate
        if abs(population - round(population)) < 1e-6:
            population = round(population)
            low = bounds["low"] * population
            if abs(low - round(low)) < 1e-6:
                facts.append(Between(reached, round(low), round(low), f"{source}:nonresponse-bounds"))
            rest = population - (bounds["high"] - bounds["low"]) * population
            if abs(rest - round(rest)) < 1e-6:
                facts.append(Between(base, round(rest), round(rest), f"{source}:nonresponse-bounds"))
    return facts


def _hidden_fact(cells: frozenset[Cell], step: str | None, reason: str | None, source: str) -> Hidden:
    # Today's code never hides an empty group (one with no respondents is shown as 0).
    return Hidden(cells, step, reason, reason is not None, f"{source}:hidden-{reason or 'dold'}")


def _results_facts(
    doc: dict, org_sets: Mapping[tuple[str, str], tuple[str, ...]], rounding: int
) -> list[Fact]:
    facts: list[Fact] = []

    def cells_of(wave: str, group: str, orgs: Sequence[str] | None = None) -> frozenset[Cell]:
        return frozenset(
            Cell(wave, group, o) for o in (orgs if orgs is not None else org_sets[(wave, group)])
        )

    def node_facts(node: dict, cells: frozenset[Cell], step: str | None, source: str) -> None:
        hidden, reason = _hidden_of(node)
        if hidden:
            facts.append(_hidden_fact(cells, step, reason, source))
        elif isinstance(node.get("estimate"), dict):
            facts.extend(_estimate_facts(cells, step, node["estimate"], rounding, source))

    for goal in doc.get("goals", []):
        group, step = goal["target_group"], goal["step"]
        for wave in goal.get("waves", []):
            if not wave.get("measured", True):
                continue
            slug = wave["wave"]
            node_facts(wave, cells_of(slug, group), step, "api:goal")
            hidden_orgs = []
            for org in wave.get("organisations") or []:
                cell = frozenset({Cell(slug, group, org["code"])})
                node_facts(org, cell, step, "api:organisation")
                if _hidden_of(org)[0]:
                    hidden_orgs.append(org["code"])
            other = wave.get("other_organisations")
            if isinstance(other, dict) and hidden_orgs:
                facts.extend(
                    _estimate_facts(cells_of(slug, group, hidden_orgs), step, other, rounding, "api:other")
                )
    for kind, has_step in (("ladder", True), ("channel_recall", False)):
        for item in doc.get(kind, []):
            cells = cells_of(item["wave"], item["target_group"])
            node_facts(item, cells, item["key"] if has_step else None, f"api:{kind}")
    return facts


# --- exports -------------------------------------------------------------------------------------

Table = tuple[str, list[str], list[list[Any]]]


def _number(text: Any) -> float | int | None:
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        return text
    value = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        try:
            return float(value.replace(",", "."))
        except ValueError:
            return None


def _csv_tables(data: bytes) -> list[Table]:
    text = data.decode("utf-8-sig")
    tables: list[Table] = []
    block: list[list[str]] = []
    for row in [*csv.reader(io.StringIO(text), delimiter=";"), []]:
        if row:
            block.append(row)
            continue
        if len(block) >= 2:
            tables.append((block[0][0], block[1], [r + [""] * (len(block[1]) - len(r)) for r in block[2:]]))
        block = []
    return tables


def _xlsx_tables(data: bytes) -> list[Table]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    tables: list[Table] = []
    for sheet in book.worksheets:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        if len(rows) >= 2:
            header = [str(c) if c is not None else "" for c in rows[1]]
            tables.append((str(rows[0][0] or sheet.title), header, rows[2:]))
    return tables


def _export_facts(
    tables: list[Table],
    names: _Names,
    org_sets: Mapping[tuple[str, str], tuple[str, ...]],
    rounding: int,
    source: str,
) -> list[Fact]:
    facts: list[Fact] = []
    for _title, header, rows in tables:
        column = {name: i for i, name in enumerate(header)}
        # "Svarande", or "Svarande (avrundat till närmaste 5)" where the table rounds its counts.
        counted_as = next((name for name in column if str(name).startswith("Svarande")), None)
        if "Målgrupp" not in column or "Mätomgång" not in column or counted_as is None:
            continue
        table_rounding = (
            max(rounding, int(m.group(1))) if (m := re.search(r"närmaste (\d+)", counted_as)) else rounding
        )
        per_org = "Organisation" in column
        for row in rows:
            group = names.groups.get(str(row[column["Målgrupp"]] or ""))
            slug = names.waves.get(str(row[column["Mätomgång"]] or ""))
            if group is None or slug is None:
                continue
            step_text = str(row[column["Steg"]]) if "Steg" in column and row[column["Steg"]] else ""
            step = step_text.split(" ")[0] or None
            if per_org:
                org = names.orgs.get(str(row[column["Organisation"]] or ""))
                if org is None:
                    continue
                cells = frozenset({Cell(slug, group, org)})
            else:
                cells = frozenset(Cell(slug, group, o) for o in org_sets.get((slug, group), ()))
            note = str(row[column["Anmärkning"]] or "") if "Anmärkning" in column else ""
            respondents = _number(row[column[counted_as]])
            if respondents is None and note:
                reason = names.reason_in(note)
                facts.append(
                    _hidden_fact(cells, step, reason, f"{source}:{'organisation' if per_org else 'group'}")
                )
                continue
            counted = _count_between(respondents, table_rounding)
            if counted:
                facts.append(Between(Sum(N, cells), *counted, f"{source}:respondents"))
            share = _number(row[column["Andel"]]) if "Andel" in column else None
            # Only a single organisation's share is surely unweighted: X / B.
            if per_org and step and isinstance(share, float | int):
                tolerance = 5e-5 if round(share, 4) == share else EXACT
                facts.append(
                    ShareBetween(
                        Sum(X, cells, step),
                        Sum(B, cells, step),
                        share - tolerance,
                        share + tolerance,
                        f"{source}:share",
                    )
                )
    return facts


# --- the communicator's progress table -----------------------------------------------------------


def _progress_facts(page: str, slug: str, wave: dict, names: _Names) -> list[Fact]:
    import lxml.html

    tree = lxml.html.fromstring(page)
    table = None
    for candidate in tree.xpath("//table"):
        head = [th.text_content().strip() for th in candidate.xpath(".//thead//th")]
        if head and head[0] == "Organisation" and head[-1] == "Totalt":
            table = candidate
            break
    if table is None:
        return []
    head = [th.text_content().strip() for th in table.xpath(".//thead//th")]
    groups = [names.groups.get(name) for name in head[1:-1]]
    orgs_of_wave = [o["code"] for o in wave.get("organisations", [])] or sorted(set(names.orgs.values()))
    facts: list[Fact] = []
    rows = table.xpath(".//tbody/tr") + table.xpath(".//tfoot/tr")
    for row in rows:
        label = row.xpath("./th")[0].text_content().strip()
        orgs = orgs_of_wave if label == "Totalt" else [names.orgs.get(label)]
        if None in orgs:
            continue
        values = row.xpath("./td")
        for position, td in enumerate(values):
            in_groups = groups[position : position + 1] if position < len(groups) else groups
            if None in in_groups:
                continue
            cells = frozenset(Cell(slug, g, o) for g in in_groups for o in orgs if g is not None)
            first = (td.text or "").strip() or td.text_content().strip()
            number = _number(re.sub(r"[^\d]", "", first)) if re.match(r"^[\d\s\u00a0]+$", first) else None
            if number is not None:
                facts.append(Between(Sum(N, cells), number, number, "progress:count"))
            else:
                text = td.text_content()
                facts.append(Hidden(cells, None, None, "färre än" in text, "progress:hidden"))
    return facts


# --- meeting snapshots ---------------------------------------------------------------------------


def meeting_numbers(page: str) -> dict[str, str]:
    """A meeting snapshot's page: per row of its result tables (target group and step), what it shows."""
    import lxml.html

    tree = lxml.html.fromstring(page)
    numbers: dict[str, str] = {}
    for table in tree.xpath("//table"):
        for row in table.xpath(".//tbody/tr"):
            cells = [" ".join(c.text_content().split()) for c in row.xpath("./th|./td")]
            if len(cells) >= 2:
                numbers[" / ".join(cells[:2])] = " | ".join(cells[2:])
    return numbers
