"""The plan as an Excel workbook: the template we ship, a plan exported into it, and reading it back.

Communicators keep their plans in Word and Excel. The template has one sheet per part of a plan (Plan,
Organisationer, Målgrupper, Storlekar, Effektmål, Kanaler, Aktiviteter, Räckvidd) and a first sheet that
says how to fill it in. Reading turns the sheets into the same data a TOML plan file gives and checks it
by the same rules (plan_file.parse_plan, rules.py); a problem is named by its sheet and cell ("bladet
Effektmål, cell C3"), and nothing is stored unless every cell is right.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from locales import gettext as _
from surveys.plans.plan_file import PlanDef, PlanFileError, parse_plan
from surveys.plans.rules import TARGET_RULE
from surveys.questionnaires.model import LANGUAGE_NAMES, OTHER_LANGUAGES

MAX_ROWS = 5000  # per sheet: a plan is dozens of rows, reach perhaps hundreds


@dataclass(frozen=True)
class Column:
    key: str  # the field's name in a plan file
    header: str  # the column's heading in the sheet (Swedish; read back without regard to case)
    width: int = 18


@dataclass(frozen=True)
class Sheet:
    table: str  # the plan file's table
    title: str
    columns: tuple[Column, ...]


def _sheets() -> tuple[Sheet, ...]:
    """The template's sheets, in order. Their names and headings are the file format: Swedish, in every
    language of the interface, so a file made in one language reads in another."""
    return (
        Sheet(
            "organisations",
            "Organisationer",
            (
                Column("code", "Kod", 22),
                Column("name", "Namn", 34),
                Column("kind", "Slag (kommun, region, annan)", 16),
                Column("official_code", "Kommunkod eller länskod", 14),
                Column("active", "Aktiv (ja/nej)", 10),
            ),
        ),
        Sheet(
            "target_groups",
            "Målgrupper",
            (
                Column("code", "Kod", 22),
                Column("name", "Namn", 40),
                Column("description", "Beskrivning", 50),
                Column("archived", "Arkiverad (ja/nej)", 10),
                # The name a respondent answering in another language picks (blank: the Swedish name).
                *(Column(f"name_{lang}", f"Namn på {LANGUAGE_NAMES[lang]}", 26) for lang in OTHER_LANGUAGES),
            ),
        ),
        Sheet(
            "sizes",
            "Storlekar",
            (
                Column("target_group", "Målgrupp (kod)", 22),
                Column("organisation", "Organisation (kod)", 22),
                Column("size", "Antal personer", 14),
            ),
        ),
        Sheet(
            "effect_goals",
            "Effektmål",
            (
                Column("target_group", "Målgrupp (kod)", 22),
                Column("step", "Steg (L1–L4)", 10),
                Column("target", "Mål i procent", 12),
                Column("deadline", "Senast (ÅÅÅÅ-MM-DD)", 14),
                Column("wording", "Effektmålet med planens ord", 60),
            ),
        ),
        Sheet(
            "channels",
            "Kanaler",
            (
                Column("code", "Kod", 22),
                Column("name", "Namn", 30),
                Column("kind", "Slag", 20),
                Column("archived", "Arkiverad (ja/nej)", 10),
            ),
        ),
        Sheet(
            "activities",
            "Aktiviteter",
            (
                Column("code", "Kod", 22),
                Column("title", "Vad görs?", 50),
                Column("starts_on", "Första dag (ÅÅÅÅ-MM-DD)", 14),
                Column("ends_on", "Sista dag (ÅÅÅÅ-MM-DD)", 14),
                Column("timing", "När, med egna ord", 18),
                Column("channels", "Kanaler (koder, med komma)", 24),
                Column("target_groups", "Målgrupper (koder, med komma)", 24),
                Column("step", "Önskad effekt (L0–L4)", 10),
                Column("responsible", "Ansvarig", 20),
                Column("status", "Läge", 12),
                Column("archived", "Arkiverad (ja/nej)", 10),
            ),
        ),
        Sheet(
            "reach",
            "Räckvidd",
            (
                Column("activity", "Aktivitet (kod)", 22),
                Column("channel", "Kanal (kod)", 18),
                Column("period_start", "Från (ÅÅÅÅ-MM-DD)", 14),
                Column("period_end", "Till (ÅÅÅÅ-MM-DD)", 14),
                Column("metric", "Mått", 16),
                Column("value", "Värde", 12),
                Column("url", "Länk", 40),
            ),
        ),
    )


def _plan_fields() -> tuple[Column, ...]:
    return (
        Column("code", "Kod"),
        Column("title", "Namn"),
        Column("county", "Län"),
        Column("period_start", "Perioden börjar (ÅÅÅÅ-MM-DD)"),
        Column("period_end", "Perioden slutar (ÅÅÅÅ-MM-DD)"),
        Column("description", "Beskrivning"),
    )


def _instructions() -> list[str]:
    return [
        _("Kommunikationsplan för effekt"),
        "",
        _("Fyll i ett blad per del av planen. Varje rad är en post; rubrikraden ska stå kvar."),
        _("Kod: små bokstäver a–z, siffror och bindestreck. Lämna tomt så skapas koden av namnet."),
        _(
            "Organisationer: skriv kommunkod (fyra siffror) eller länskod (två siffror) för kommuner och "
            "regioner, till exempel 1480 för Göteborgs kommun och 14 för Västra Götalandsregionen; namnet "
            "hämtas då ur SCB:s lista. Andra organisationer får Slag annan."
        ),
        _("Datum skrivs ÅÅÅÅ-MM-DD, eller som datum i Excel."),
        _(TARGET_RULE),
        _("Steg: L1 kännedom, L2 förståelse, L3 acceptans, L4 handling. Aktiviteter kan också ha L0, nådd."),
        _("Läge: planerad, pågår, genomförd eller inställd."),
        _(
            "Läs in filen på planens sida i effekt (Läs in en planfil). Finns planen redan visas först vad som "
            "ändras. Har något fel sparas ingenting, och felet anges med blad och cell."
        ),
    ]


# --- writing -----------------------------------------------------------------------------------------------


def _rows(plan: PlanDef) -> dict[str, list[list[Any]]]:
    yes, no = "ja", "nej"
    return {
        "organisations": [
            [o.code, o.name, o.kind, o.official_code, no if o.code in plan.inactive_organisations else yes]
            for o in plan.organisations
        ],
        "target_groups": [
            [
                g.code,
                g.name,
                g.description,
                yes if g.code in plan.archived_groups else no,
                *(g.names.get(lang, "") for lang in OTHER_LANGUAGES),
            ]
            for g in plan.target_groups
        ],
        "sizes": [[g.code, org, n] for g in plan.target_groups for org, n in g.sizes.items()],
        "effect_goals": [
            [g.target_group, g.step, g.target, g.deadline, g.wording] for g in plan.effect_goals
        ],
        "channels": [
            [c.code, c.name, c.kind, yes if c.code in plan.archived_channels else no] for c in plan.channels
        ],
        "activities": [
            [
                a.code,
                a.title,
                a.starts_on,
                a.ends_on if a.ends_on != a.starts_on else None,
                "" if a.starts_on and a.timing.startswith(a.starts_on.isoformat()) else a.timing,
                ", ".join(a.channels),
                ", ".join(a.target_groups),
                a.step,
                a.responsible,
                a.status,
                yes if a.code in plan.archived_activities else no,
            ]
            for a in plan.activities
        ],
        "reach": [
            [r.activity or "", r.channel or "", r.period_start, r.period_end, r.metric, r.value, r.url]
            for r in plan.reach
        ],
    }


def plan_workbook(plan: PlanDef | None = None) -> bytes:
    """The Excel template; with a plan, filled in with it (an export that reads back as the same plan)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    guide = book.active
    guide.title = "Instruktioner"
    for number, line in enumerate(_instructions(), start=1):
        guide.cell(number, 1, line)
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 120

    header = book.create_sheet("Plan")
    header.append(["Fält", "Värde"])
    values = (
        {}
        if plan is None
        else {
            "code": plan.code,
            "title": plan.title,
            "county": plan.county,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
            "description": plan.description,
        }
    )
    for column in _plan_fields():
        header.append([column.header, values.get(column.key)])
    header.column_dimensions["A"].width = 32
    header.column_dimensions["B"].width = 60
    for row in header.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    header["A1"].font = header["B1"].font = Font(bold=True)

    rows = _rows(plan) if plan is not None else {}
    for sheet in _sheets():
        ws = book.create_sheet(sheet.title)
        ws.append([c.header for c in sheet.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for index, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[ws.cell(1, index).column_letter].width = column.width
        for values_row in rows.get(sheet.table, []):
            ws.append(values_row)
        for index, column in enumerate(sheet.columns, start=1):
            letter = ws.cell(1, index).column_letter
            if column.key in ("deadline", "starts_on", "ends_on", "period_start", "period_end"):
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "yyyy-mm-dd"
            if column.key == "target":
                for (cell,) in ws.iter_rows(
                    min_row=2, max_row=max(ws.max_row, 200), min_col=index, max_col=index
                ):
                    cell.number_format = "0.#%"
            choices = {
                ("organisations", "kind"): "kommun,region,annan",
                ("effect_goals", "step"): "L1,L2,L3,L4",
                ("activities", "step"): "L0,L1,L2,L3,L4",
                ("activities", "status"): "planerad,pågår,genomförd,inställd",
                ("reach", "metric"): "views,unique_visitors,impressions,clicks",
            }.get((sheet.table, column.key))
            if choices:
                rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
                ws.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}500")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- reading -----------------------------------------------------------------------------------------------


@dataclass
class _Cells:
    """Where each value came from, to name a problem by its sheet and cell."""

    places: dict[tuple[str, int | None, str], str] = field(default_factory=dict)
    rows: dict[tuple[str, int | None], str] = field(default_factory=dict)

    def __call__(self, table: str, number: int | None, key: str) -> str:
        place = self.places.get((table, number, key)) or self.places.get((table, number, key.split(".")[0]))
        return place or self.rows.get((table, number)) or _("bladet %(sheet)s") % {"sheet": table}


def _cell_name(sheet: str, ref: str) -> str:
    return _("bladet %(sheet)s, cell %(cell)s") % {"sheet": sheet, "cell": ref}


def _value(value: Any) -> Any:
    """A cell's value as a plan file would hold it: a day for an Excel date, text without spaces around."""
    if isinstance(value, datetime) and value.time() == time(0, 0):
        return value.date()
    if isinstance(value, str):
        value = value.strip()
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _flag(value: Any, where: str, problems: dict[str, str]) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("ja", "yes", "true", "x", "1"):
        return True
    if text in ("nej", "no", "false", "0"):
        return False
    problems[where] = _("Skriv ja eller nej.")
    return None


def read_workbook(data: bytes, filename: str = "plan.xlsx") -> PlanDef:
    """A plan from the Excel template; PlanFileError names each problem by its sheet and cell."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise PlanFileError(
            {
                filename: _(
                    "%(file)s kunde inte läsas som en Excel-fil (.xlsx). Spara den som Excel-arbetsbok "
                    "och försök igen, eller utgå från mallen."
                )
                % {"file": filename}
            }
        ) from None
    try:
        return _read(book, filename)
    finally:
        book.close()


def _read(book, filename: str) -> PlanDef:
    from openpyxl.utils import get_column_letter

    cells = _Cells()
    problems: dict[str, str] = {}
    titles = {ws.title.strip().lower(): ws for ws in book.worksheets}
    plan_sheet = titles.get("plan")
    if plan_sheet is None:
        raise PlanFileError(
            {filename: _("Arbetsboken saknar bladet Plan. Utgå från mallen på planens sida.")}
        )
    data: dict[str, Any] = {"plan": {}}
    by_header = {c.header.lower(): c.key for c in _plan_fields()} | {c.key: c.key for c in _plan_fields()}
    for row_number, row in enumerate(plan_sheet.iter_rows(min_row=2, max_row=50, max_col=2), start=2):
        label = row[0].value if row else None
        if label is None or len(row) < 2:
            continue
        key = by_header.get(str(label).strip().lower())
        if key is None:
            continue
        data["plan"][key] = _value(row[1].value)
        cells.places[("plan", None, key)] = _cell_name(plan_sheet.title, f"B{row_number}")
    cells.rows[("plan", None)] = _("bladet %(sheet)s") % {"sheet": plan_sheet.title}

    sizes: dict[str, dict[str, Any]] = {}
    size_cells: dict[tuple[str, str], str] = {}
    for sheet in _sheets():
        ws = titles.get(sheet.title.lower())
        if ws is None:
            continue
        rows = ws.iter_rows(max_row=MAX_ROWS + 1)
        try:
            header_row = next(rows)
        except StopIteration:
            continue
        headings = {c.header.lower(): c.key for c in sheet.columns} | {c.key: c.key for c in sheet.columns}
        columns: dict[int, str] = {}
        for index, cell in enumerate(header_row):
            key = headings.get(str(cell.value or "").strip().lower())
            if key:
                columns[index] = key
        entries: list[dict[str, Any]] = []
        for row_number, row in enumerate(rows, start=2):
            values = {
                columns[i]: (_value(c.value), f"{get_column_letter(i + 1)}{row_number}")
                for i, c in enumerate(row)
                if i in columns
            }
            if all(v in (None, "") for v, _ref in values.values()):
                continue
            if sheet.table == "sizes":
                group = str(values.get("target_group", ("", ""))[0] or "")
                org = str(values.get("organisation", ("", ""))[0] or "")
                size, ref = values.get("size", (None, f"A{row_number}"))
                sizes.setdefault(group, {})[org] = size
                size_cells[(group, org)] = _cell_name(ws.title, ref)
                continue
            number = len(entries) + 1
            entry: dict[str, Any] = {}
            for key, (value, ref) in values.items():
                cells.places[(sheet.table, number, key)] = _cell_name(ws.title, ref)
                if key in ("active", "archived"):
                    flag = _flag(value, _cell_name(ws.title, ref), problems)
                    if flag is not None:
                        entry[key] = flag
                elif key == "official_code" and isinstance(value, int):
                    # Excel drops a code's leading zero: 180 is 0180 (Stockholm), 1 is 01 (its county).
                    entry[key] = f"{value:02d}" if value < 100 else f"{value:04d}"
                elif value not in (None, ""):
                    entry[key] = value
            cells.rows[(sheet.table, number)] = _("bladet %(sheet)s, rad %(row)s") % {
                "sheet": ws.title,
                "row": row_number,
            }
            entries.append(entry)
        if entries:
            data[sheet.table] = entries
    groups = {
        str(g.get("code", "")): (number, g) for number, g in enumerate(data.get("target_groups", []), 1)
    }
    for group, by_org in sizes.items():
        if group not in groups:
            ref = next(iter(size_cells[(group, org)] for org in by_org))
            problems[ref] = _("Målgruppen %(group)s finns inte på bladet Målgrupper.") % {"group": group}
            continue
        number, entry = groups[group]
        entry["sizes"] = by_org
        for org in by_org:
            cells.places[("target_groups", number, f"sizes.{org}")] = size_cells[(group, org)]
    try:
        definition = parse_plan(data, locate=cells, toml_dates=False)
    except PlanFileError as refused:
        problems.update(refused.errors)
        raise PlanFileError(problems) from None
    if problems:
        raise PlanFileError(problems)
    return definition
