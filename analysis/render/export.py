"""Aggregated results as CSV and XLSX for Swedish Excel, with disclosure control and formula injection handled.

The input is a plain table (``ExportTable``): a title, column names, rows of cells. A cell is text, a whole
number, a decimal number, empty (None) or ``Suppressed``: a value hidden by disclosure control, with the
reason in words. The caller decides what is hidden (analysis.stats.disclosure); this module only makes sure hidden
values are never written, and says why they are missing.

Conventions, the same in both formats:

- **Hidden values** are written as empty cells. Every table ends with an extra column, *Anmärkning*, that
  says for each row which of its values are hidden and why: "Dold (Andel): För få svar för att redovisa
  (färre än 5)." The column is always there (empty when nothing in the row is hidden), so every export of a
  table has the same columns. In XLSX the hidden cell also has a grey fill and a comment with the reason.
- **Shares** (the columns named in ``share_columns``) are exported as numbers between 0 and 1, never as
  text with a % sign, so they can be calculated with: in CSV with four decimals and a decimal comma
  ("0,4250"), in XLSX as a number with the percent format "0.0 %" (Swedish Excel shows "42,5 %").
  Other decimal numbers are written in full precision with a decimal comma; whole numbers as they are.
- **Text** that Excel or another spreadsheet could read as a formula (it starts with = + - @, a tab, a
  carriage return, a line feed, or a full-width or small form of = + - @) gets an apostrophe in front: "'=1+1". This
  covers titles, column names, cells and notes (CVE-2019-16184; docs/security.md, "XSS och formelinjektion"). The apostrophe is kept in the value
  in both formats, so a file converted onwards stays harmless; in XLSX the cell is also stored as a string
  with Excel's quote prefix, so editing it does not turn it into a formula. Numbers are never touched:
  −2 stays a number.
- Control characters that XLSX cannot store (U+0000–U+001F except tab, line feed and carriage return) are
  removed from text, in both formats so that they agree. In XLSX a carriage return becomes a line feed
  (XML would do so on reading anyway).

CSV: UTF-8 with BOM (Excel then reads å, ä, ö right), semicolon as separator, CRLF line ends. Each table is
a title line, a header line and its rows; tables are separated by an empty line.
XLSX: one sheet per table (the title in row 1, the header in row 2, bold and frozen, with a filter), the
full title in row 1 since a sheet name holds at most 31 characters.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeAlias

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from locales import current_locale
from locales import gettext as _

__all__ = [
    "SHARE_FORMAT",
    "Cell",
    "ExportTable",
    "Suppressed",
    "neutralise",
    "sheet_names",
    "to_csv",
    "to_xlsx",
]


@dataclass(frozen=True)
class Suppressed:
    """A value hidden by disclosure control; ``reason_text`` says why, in words for the reader."""

    reason_text: str = ""


Cell: TypeAlias = str | int | float | Suppressed | None

SHARE_FORMAT = "0.0 %"
SHARE_DECIMALS = Decimal("0.0001")
HIDDEN_FILL = PatternFill(fill_type="solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
MAX_SHEET_NAME = 31
# Excel refuses these in sheet names; "History" is reserved by Excel for its change tracking.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEET_NAMES = frozenset({"history"})
# Starts that a spreadsheet may read as a formula or use to smuggle one in (OWASP "CSV injection").
FORMULA_STARTS = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
    "\uff1d",  # ＝ full-width
    "\uff0b",  # ＋
    "\uff0d",  # －
    "\uff20",  # ＠
    "\ufe66",  # ﹦ small form
    "\ufe62",  # ﹢
    "\ufe63",  # ﹣
    "\ufe6b",  # ﹫
)


@dataclass(frozen=True)
class ExportTable:
    """One table: its title, column names, rows (one cell per column), and which columns hold shares (0–1)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    share_columns: Collection[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        columns = tuple(str(c) for c in self.columns)
        if not columns:
            raise ValueError(f"the table {self.title!r} has no columns")
        if len(set(columns)) != len(columns):
            raise ValueError(f"the table {self.title!r} has two columns with the same name")
        shares = frozenset(self.share_columns)
        unknown = shares - set(columns)
        if unknown:
            raise ValueError(f"share columns {sorted(unknown)} are not columns of the table {self.title!r}")
        rows = []
        for number, row in enumerate(self.rows, start=1):
            cells = tuple(_check_cell(cell) for cell in row)
            if len(cells) != len(columns):
                raise ValueError(
                    f"row {number} of the table {self.title!r} has {len(cells)} cells, "
                    f"the table has {len(columns)} columns"
                )
            rows.append(cells)
        object.__setattr__(self, "title", str(self.title))
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "rows", tuple(rows))
        object.__setattr__(self, "share_columns", shares)

    def is_share(self, column: int) -> bool:
        return self.columns[column] in self.share_columns


def _check_cell(cell: object) -> Cell:
    if cell is None or isinstance(cell, str | Suppressed):
        return cell
    if isinstance(cell, bool):
        raise TypeError("a cell cannot be True or False: write it as text (Ja/Nej) or as 1/0")
    if isinstance(cell, numbers.Integral):
        return int(cell)
    if isinstance(cell, numbers.Real | Decimal):
        return float(cell)
    raise TypeError(f"a cell must be text, a number, None or Suppressed, got {type(cell).__name__}")


# --- text -----------------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Text that cannot run as a formula: an apostrophe in front of a dangerous first character."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(value: str) -> str:
    # Control characters first: removing one must not uncover a formula start.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))


def _xlsx_text(value: str) -> str:
    # XML turns a bare carriage return into a line feed on reading; Excel's line break in a cell is "\n".
    return _text(value).replace("\r\n", "\n").replace("\r", "\n")


def _finite(value: float) -> bool:
    return math.isfinite(value)


def _note_column() -> str:
    return _("Anmärkning")


def _row_note(table: ExportTable, row: Sequence[Cell]) -> str:
    """Which of the row's values are hidden and why: one phrase per reason, naming the columns."""
    reasons: dict[str, list[str]] = {}
    for column, cell in zip(table.columns, row, strict=True):
        if isinstance(cell, Suppressed):
            reason = cell.reason_text.strip() or _("Dold för att skydda de svarandes anonymitet.")
            reasons.setdefault(reason, []).append(column)
    return " ".join(
        _("Dold (%(columns)s): %(reason)s") % {"columns": ", ".join(columns), "reason": reason}
        for reason, columns in reasons.items()
    )


def _empty_table() -> ExportTable:
    return ExportTable(_("Resultat"), (_("Anmärkning"),), ((_("Det finns inga resultat att exportera."),),))


def _tables(tables: ExportTable | Iterable[ExportTable]) -> list[ExportTable]:
    listed = [tables] if isinstance(tables, ExportTable) else list(tables)
    for table in listed:
        if not isinstance(table, ExportTable):
            raise TypeError(f"expected ExportTable, got {type(table).__name__}")
        if _note_column() in table.columns:
            raise ValueError(
                f"the table {table.title!r} already has a column {_note_column()!r}; the export adds it"
            )
    return listed or [_empty_table()]


# --- CSV ------------------------------------------------------------------------------------------


def _csv_number(value: int | float, share: bool) -> str:
    if isinstance(value, float) and not _finite(value):
        return ""
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    if share:
        number = number.quantize(SHARE_DECIMALS, rounding=ROUND_HALF_UP)
    if number == 0:
        number = abs(number)  # never "-0,0000"
    return f"{number:f}".replace(".", ",")


def _csv_cell(table: ExportTable, column: int, cell: Cell) -> str:
    if cell is None or isinstance(cell, Suppressed):
        return ""
    if isinstance(cell, str):
        return _text(cell)
    return _csv_number(cell, table.is_share(column))


def to_csv(tables: ExportTable | Iterable[ExportTable]) -> bytes:
    """The tables as one CSV file for Swedish Excel (see the module text for the conventions)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    note = _note_column()
    for position, table in enumerate(_tables(tables)):
        if position:
            writer.writerow([])
        writer.writerow([_text(table.title)])
        writer.writerow([*(_text(c) for c in table.columns), _text(note)])
        for row in table.rows:
            writer.writerow(
                [*(_csv_cell(table, i, cell) for i, cell in enumerate(row)), _text(_row_note(table, row))]
            )
    return buffer.getvalue().encode("utf-8-sig")


# --- XLSX -----------------------------------------------------------------------------------------


def sheet_names(titles: Sequence[str]) -> list[str]:
    """Sheet names Excel accepts: ≤ 31 characters, none of []:*?/\\, not starting or ending with ', unique
    regardless of case, and not the reserved "History"."""
    used = set(_RESERVED_SHEET_NAMES)
    names = []
    for number, title in enumerate(titles, start=1):
        base = " ".join(ILLEGAL_CHARACTERS_RE.sub("", _SHEET_FORBIDDEN.sub(" ", title)).split())
        base = base.strip("'").strip() or _("Tabell %(number)s") % {"number": number}
        name = base[:MAX_SHEET_NAME].rstrip("' ")
        copy = 1
        while name.casefold() in used:
            copy += 1
            suffix = f" ({copy})"
            name = base[: MAX_SHEET_NAME - len(suffix)].rstrip("' ") + suffix
        used.add(name.casefold())
        names.append(name)
    return names


def _width(value: object, share: bool) -> int:
    if value is None:
        return 0
    if share and isinstance(value, int | float):
        return 8
    return max((len(line) for line in str(value).splitlines()), default=0)


def to_xlsx(tables: ExportTable | Iterable[ExportTable], *, title: str | None = None) -> bytes:
    """The tables as an Excel workbook, one sheet per table (see the module text for the conventions)."""
    listed = _tables(tables)
    workbook = Workbook()
    workbook.remove(workbook.active)
    note = _note_column()
    bold = Font(bold=True)
    for table, name in zip(listed, sheet_names([t.title for t in listed]), strict=True):
        sheet = workbook.create_sheet(name)
        note_index = len(table.columns) + 1
        widths = [0] * note_index

        heading = sheet.cell(row=1, column=1, value=_xlsx_text(table.title))
        heading.font = Font(bold=True, size=13)
        _mark_text(heading)
        for column, label in enumerate([*table.columns, note], start=1):
            cell = sheet.cell(row=2, column=column, value=_xlsx_text(label))
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            _mark_text(cell)
            widths[column - 1] = max(widths[column - 1], _width(cell.value, False))

        for row_number, row in enumerate(table.rows, start=3):
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=row_number, column=column)
                share = table.is_share(column - 1)
                if isinstance(value, Suppressed):
                    cell.value = None
                    cell.fill = HIDDEN_FILL
                    reason = ILLEGAL_CHARACTERS_RE.sub("", value.reason_text.strip()) or _(
                        "Dold för att skydda de svarandes anonymitet."
                    )
                    cell.comment = Comment(reason, "effekt", height=80, width=240)
                elif isinstance(value, str):
                    cell.value = _xlsx_text(value)
                    _mark_text(cell)
                elif isinstance(value, int | float):
                    cell.value = value if isinstance(value, int) or _finite(value) else None
                    if share:
                        cell.number_format = SHARE_FORMAT
                widths[column - 1] = max(widths[column - 1], _width(cell.value, share))
            remark = sheet.cell(
                row=row_number, column=note_index, value=_xlsx_text(_row_note(table, row)) or None
            )
            remark.alignment = Alignment(wrap_text=True, vertical="top")
            _mark_text(remark)
            widths[note_index - 1] = max(widths[note_index - 1], _width(remark.value, False))

        for column, width in enumerate(widths, start=1):
            limit = 60 if column == note_index else 40
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 10), limit)
        last = get_column_letter(note_index)
        sheet.freeze_panes = "A3"
        sheet.auto_filter.ref = f"A2:{last}{max(2, len(table.rows) + 2)}"
        sheet.print_title_rows = "2:2"

    properties = workbook.properties
    properties.title = ILLEGAL_CHARACTERS_RE.sub("", title if title is not None else listed[0].title)
    properties.creator = "effekt"
    properties.lastModifiedBy = "effekt"
    properties.language = "sv-SE" if current_locale() == "sv" else "en-GB"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _mark_text(cell) -> None:
    """Stored as a string, with Excel's quote prefix when neutralised, so it never becomes a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith("'"):
            cell.quotePrefix = True
