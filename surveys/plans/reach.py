"""Reach figures (räckvidd, L0) from CSV exports, and typed in by hand.

Communicators export page views, unique visitors, impressions and clicks from Matomo, Google Analytics 4,
SiteVision statistics and LinkedIn page analytics, often after a round trip through a Swedish Excel. This
module reads such a file without touching the database (`parse_reach_csv` gives a preview with Swedish,
line-numbered errors), and stores a checked preview in one transaction (`import_reach`, `store_reach`).

What a file may look like:

- Encoding: UTF-8 with or without BOM, UTF-16 with BOM (Matomo's own CSV export), else Windows-1252 (Excel's
  "CSV (semikolonavgränsad)"). Strict UTF-8 is tried first, so a UTF-8 file is never misread as 1252.
- Before the header: blank lines, comment lines starting with '#' (GA4 writes its account and period there;
  "# Start date: 20260301" / "# End date: 20260331" give the period of rows without dates) and Excel's
  "sep=;" line. Blank lines between rows are skipped; a comment line after the first row ends the table
  (GA4 starts each further table of a file that way), and the preview notes that only the first was read.
- Delimiter: semicolon, comma or tab, whichever the header line has most of (outside quotes).
- Header names: compared case-insensitively, in Swedish and English; see `HEADER_NAMES`. Columns that are
  not recognised (bounce rate, time on page, reactions …) are ignored and listed in the preview's notes.
- Numbers: counts only. A semicolon file follows Swedish conventions: decimal comma, thousands grouped by
  space, no-break space or narrow no-break space ("1 234"). A comma file follows English ones: "1,234" or
  "1 234", decimal point. A tab file follows the language of its header names (Swedish when undecided).
  A count written with zero decimals ("1 234,00") is accepted; "12,5" views is an error.
- Dates: 2026-03-31 (also 2026/03/31, and with a time of day), 20260331 (GA4), 2026-03 and 202603 (a whole
  month), 31/3/2026 and 31.3.2026. The order of slash dates is settled by the file (31/3/2026 in it: day
  first; 03/31/2026, LinkedIn's US order: month first) or by `ImportDefaults.day_first`; a date such as
  3/4/2026 that nothing settles is an error rather than a guess. A cell may hold a period: "2026-03-30,2026-04-05"
  (Matomo's weeks), "2026-03-30 – 2026-04-05". A row with one date is a one-day period.
- Period of a row: its date column(s), else the period in the file's comments, else `ImportDefaults`.
- Channel and activity: a code or a name from the plan, case-insensitively ("gnv webb" finds "GNV-webb");
  a file without a channel column takes `ImportDefaults.channel` (a LinkedIn export is all LinkedIn).
- "Visningar" means page views, except in LinkedIn's Swedish export, where it means impressions: when the
  row's channel is a LinkedIn channel, or the file has LinkedIn's other columns (Reaktioner, Delningar …).
- A row whose first or page cell is "Totalt"/"Total"/"Grand total" is a sum of the others and is skipped.
- The page column is kept exactly as written (apart from control characters): text that looks like a
  spreadsheet formula is stored as plain text, and exports neutralise it on the way out.

Limits: 5 MB and 50,000 rows per file; a row with more non-empty fields than the header is an error.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from locales import N_, ngettext
from locales import gettext as _
from surveys.errors import Invalid, NotFound
from surveys.plans.rules import MAX_REACH_VALUE as MAX_VALUE
from surveys.plans.rules import MAX_URL_LENGTH, REACH_METRICS

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
_INSERT_CHUNK = 1000  # rows per INSERT: well under SQLite's and asyncpg's bound-parameter limits

METRIC_LABELS = {
    "views": N_("Visningar"),
    "unique_visitors": N_("Unika besökare"),
    "impressions": N_("Exponeringar"),
    "clicks": N_("Klick"),
}


# --- results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportDefaults:
    """What the communicator chose for the whole file, used where the file itself is silent."""

    channel: str | None = None  # a channel code of the plan
    activity: str | None = None  # an activity code of the plan
    period_start: date | None = None
    period_end: date | None = None  # None with a start: a one-day period
    day_first: bool | None = None  # order of 3/4/2026; None: decided from the file


@dataclass(frozen=True)
class ReachRow:
    """One figure ready to store: the codes are the plan's, the value a count."""

    activity: str | None
    channel: str | None
    period_start: date
    period_end: date
    metric: str  # one of REACH_METRICS
    value: int
    url: str = ""
    line: int = 0  # where it came from in the file (0 for manual entry)


@dataclass(frozen=True)
class RowError:
    line: int
    message: str  # complete and in the current locale, "Rad 7: …"


@dataclass(frozen=True)
class ReachPreview:
    rows: tuple[ReachRow, ...]
    errors: tuple[RowError, ...]
    file_errors: tuple[str, ...]
    notes: tuple[str, ...] = ()  # harmless things the user should know: ignored columns, skipped sum rows
    encoding: str = ""  # "utf-8", "utf-8-sig", "utf-16" or "cp1252"
    delimiter: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors

    @property
    def bad_lines(self) -> tuple[int, ...]:
        return tuple(sorted({e.line for e in self.errors}))


# --- header names -----------------------------------------------------------------------------------------

_URL, _DATE, _START, _END, _CHANNEL, _ACTIVITY = "url", "date", "start", "end", "channel", "activity"
_VISNINGAR = "visningar"  # views, or impressions in LinkedIn's Swedish export

_FIELD_LABELS = {
    _DATE: N_("datum"),
    _START: N_("startdatum"),
    _END: N_("slutdatum"),
    _CHANNEL: N_("kanal"),
    _ACTIVITY: N_("aktivitet"),
    _URL: N_("sida"),
    _VISNINGAR: N_("visningar"),
    "views": N_("visningar"),
    "unique_visitors": N_("unika besökare"),
    "impressions": N_("exponeringar"),
    "clicks": N_("klick"),
}

# field → (priority, Swedish names, English names, names of either language). Where several columns of a
# file mean the same field, the highest priority wins (LinkedIn's "Impressions (total)" over "(organic)");
# two of the same priority are an error.
_NAMES: dict[str, list[tuple[int, tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {
    _DATE: [
        (1, ("datum", "dag", "månad", "år och månad"), ("date", "day", "month", "year month"), ("period",))
    ],
    _START: [
        (
            1,
            ("från", "från och med", "fr.o.m.", "fr o m", "startdatum", "periodstart"),
            ("from", "start date", "period start"),
            ("start",),
        )
    ],
    _END: [
        (
            1,
            ("till", "till och med", "t.o.m.", "t o m", "slutdatum", "slut", "periodslut"),
            ("to", "end", "end date", "period end"),
            (),
        )
    ],
    _CHANNEL: [(1, ("kanal",), ("channel",), ())],
    _ACTIVITY: [(1, ("aktivitet", "aktivitetskod"), ("activity", "activity code"), ())],
    _URL: [
        (
            2,
            (
                "sida",
                "sidadress",
                "adress",
                "webbadress",
                "sidsökväg",
                "sidsökväg och skärmklass",
                "landningssida",
                "länk",
                "inläggslänk",
            ),
            (
                "page",
                "page path",
                "page path and screen class",
                "page url",
                "landing page",
                "link",
                "post link",
            ),
            ("url",),
        ),
        (
            1,
            ("sidtitel", "sidtitel och skärmklass", "etikett", "rubrik", "titel", "inlägg"),
            ("page title", "page title and screen class", "label", "title", "post title"),
            (),
        ),
    ],
    _VISNINGAR: [(1, ("visningar",), (), ())],
    "views": [
        (
            1,
            ("sidvisningar", "antal visningar", "antal sidvisningar"),
            ("views", "pageviews", "page views"),
            ("nb_hits",),
        )
    ],
    "unique_visitors": [
        (
            1,
            ("unika besökare", "användare", "aktiva användare", "totalt antal användare"),
            ("unique visitors", "users", "active users", "total users"),
            ("nb_uniq_visitors",),
        )
    ],
    "impressions": [
        (2, ("exponeringar (totalt)", "visningar (totalt)"), ("impressions (total)",), ()),
        (1, ("exponeringar", "antal exponeringar"), ("impressions",), ()),
        (0, ("exponeringar (organiska)", "visningar (organiska)"), ("impressions (organic)",), ()),
    ],
    "clicks": [
        (2, ("klick (totalt)",), ("clicks (total)",), ()),
        (1, ("klick", "antal klick"), ("clicks",), ()),
        (0, ("klick (organiska)",), ("clicks (organic)",), ()),
    ],
}

# normalised name → (field, language "sv"/"en"/"", priority)
_HEADERS: dict[str, tuple[str, str, int]] = {
    name: (field, language, priority)
    for field, groups in _NAMES.items()
    for priority, swedish, english, either in groups
    for language, names in (("sv", swedish), ("en", english), ("", either))
    for name in names
}

HEADER_NAMES: dict[str, tuple[str, ...]] = {
    field: tuple(name for _p, sv, en, either in groups for name in (*sv, *en, *either))
    for field, groups in _NAMES.items()
}
"""Every recognised header name per field (for help texts); "visningar" is views or impressions."""

# Columns only a social media export has: with one of them, "Visningar" means impressions.
_SOCIAL_HEADERS = frozenset(
    {
        "reaktioner",
        "reactions",
        "kommentarer",
        "comments",
        "delningar",
        "shares",
        "reposts",
        "engagemangsgrad",
        "engagement rate",
        "följare",
        "followers",
    }
)
_TOTALS = frozenset({"totalt", "total", "totals", "grand total", "summa", "sammanlagt"})
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def _normal(name: str) -> str:
    return _SPACES.sub(" ", name.replace("\ufeff", "")).strip().strip('"').strip().casefold()


def _lookup_key(name: str) -> str:
    return _SPACES.sub(" ", re.sub(r"[-_–]", " ", name)).strip().casefold()


# --- numbers and dates ------------------------------------------------------------------------------------

_GROUP = r"[ \u00a0\u202f]"
_NUMBER = {  # ASCII digits only: int() would also accept other scripts
    "sv": re.compile(rf"(?P<int>\d{{1,3}}(?:{_GROUP}\d{{3}})+|\d+)(?:,(?P<frac>\d+))?", re.ASCII),
    "en": re.compile(
        rf"(?P<int>\d{{1,3}}(?:,\d{{3}})+|\d{{1,3}}(?:{_GROUP}\d{{3}})+|\d+)(?:\.(?P<frac>\d+))?", re.ASCII
    ),
}


class _Bad(Exception):
    """A cell that cannot be read; `kind` picks the message."""

    def __init__(self, kind: str, **details: str) -> None:
        super().__init__(kind)
        self.kind = kind
        self.details = details


def _count(text: str, locale: str) -> int:
    """A count written by a person or a tool in `locale` ("sv" or "en")."""
    negative = text[:1] in ("-", "−")
    digits = text[1:].strip() if negative else text
    match = _NUMBER[locale].fullmatch(digits)
    if match is None:
        raise _Bad("not_integer")
    if match["frac"] and match["frac"].strip("0"):
        raise _Bad("fraction")
    value = int(re.sub(r"\D", "", match["int"]))
    if negative and value:
        raise _Bad("negative")
    if value > MAX_VALUE:
        raise _Bad("too_big")
    return value


_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}", re.ASCII)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})|(\d{4})(\d{2})", re.ASCII)
_SLASHED = re.compile(rf"(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_TIME}", re.ASCII)
_DOTTED = re.compile(rf"(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}}){_TIME}", re.ASCII)
_RANGE = re.compile(r"\s*(?:–|—|\.\.|,)\s*|\s+(?:-|till|to|t\.o\.m\.)\s+")


def _day(year: int, month: int, day: int) -> date:
    if not 2000 <= year <= 2100:
        raise _Bad("bad_date")
    try:
        return date(year, month, day)
    except ValueError:
        raise _Bad("bad_date") from None


def _when(text: str, day_first: bool | None) -> tuple[date, date]:
    """The period a date cell stands for: one day, a whole month, or a range."""
    try:
        return _single(text, day_first)
    except _Bad as single_problem:
        parts = _RANGE.split(text)
        if len(parts) != 2 or not all(parts):
            raise single_problem from None
        start, _ignored = _single(parts[0], day_first)
        _ignored, end = _single(parts[1], day_first)
        return start, end


def _single(text: str, day_first: bool | None) -> tuple[date, date]:
    text = text.strip()
    if m := _ISO.fullmatch(text):
        day = _day(int(m[1]), int(m[2]), int(m[3]))
        return day, day
    if m := _COMPACT.fullmatch(text):
        day = _day(int(m[1]), int(m[2]), int(m[3]))
        return day, day
    if m := _MONTH.fullmatch(text):
        year, month = int(m[1] or m[3]), int(m[2] or m[4])
        first = _day(year, month, 1)
        return first, first.replace(day=calendar.monthrange(year, month)[1])
    if m := _DOTTED.fullmatch(text):
        day = _day(int(m[3]), int(m[2]), int(m[1]))
        return day, day
    if m := _SLASHED.fullmatch(text):
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        if day_first is None and a != b and a <= 12 and b <= 12:
            raise _Bad("ambiguous", first=_day(year, b, a).isoformat(), second=_day(year, a, b).isoformat())
        if day_first is None:
            day_first = a > 12 or b <= 12
        day = _day(year, b, a) if day_first else _day(year, a, b)
        return day, day
    raise _Bad("bad_date")


def _slash_order(cells: Iterator[str]) -> bool | None:
    """True (day first) or False (month first) when the file's slash dates settle it, else None."""
    day_first = month_first = False
    for cell in cells:
        for a, b in re.findall(r"(\d{1,2})/(\d{1,2})/\d{4}", cell):
            day_first |= int(a) > 12
            month_first |= int(b) > 12
    return day_first if day_first != month_first else None


def _clean_text(text: str) -> str:
    return _UNPRINTABLE.sub("", text).strip()


def _quoted(value: str) -> str:
    value = value.strip()
    return value if len(value) <= 40 else value[:39] + "…"


# --- reading a file ---------------------------------------------------------------------------------------


def _failed(message: str, encoding: str = "", delimiter: str = "") -> ReachPreview:
    return ReachPreview(rows=(), errors=(), file_errors=(message,), encoding=encoding, delimiter=delimiter)


def _decode(data: bytes) -> tuple[str, str] | str:
    """(text, encoding), or a message saying why the bytes are not a readable CSV file."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        return _(
            "Filen är en Excel-fil, inte en CSV-fil. Öppna den i Excel och spara den som "
            "”CSV UTF-8” eller ”CSV (semikolonavgränsad)”."
        )
    candidates = (
        [("utf-16", data)]
        if data.startswith((b"\xff\xfe", b"\xfe\xff"))
        else [("utf-8-sig", data)]
        if data.startswith(b"\xef\xbb\xbf")
        else [("utf-8", data), ("cp1252", data)]
    )
    for encoding, raw in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, encoding
    return _(
        "Filen går inte att läsa som text (varken UTF-8 eller Windows-1252). "
        "Spara den som ”CSV UTF-8” och försök igen."
    )


def _sniff(line: str) -> str:
    counts = dict.fromkeys(";\t,", 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda c: counts[c])  # ties: semicolon, then tab, then comma
    return best if counts[best] else ";"


_COMMENT_PERIOD = re.compile(r"#\s*(start date|startdatum|end date|slutdatum)\s*:\s*(\S+)", re.IGNORECASE)


def _comment_period(comments: list[str]) -> tuple[date, date] | None:
    found: dict[str, date] = {}
    for comment in comments:
        if match := _COMMENT_PERIOD.fullmatch(comment):
            which = "start" if match[1].casefold() in ("start date", "startdatum") else "end"
            try:
                start, end = _single(match[2], None)
            except _Bad:
                return None
            found[which] = start if which == "start" else end
    if "start" in found and found.get("end", found["start"]) >= found["start"]:
        return found["start"], found.get("end", found["start"])
    return None


def _lookup_table(names: Mapping[str, str]) -> dict[str, str]:
    table = {_lookup_key(name): code for code, name in names.items() if name}
    table.update({_lookup_key(code): code for code in names})
    return table


def _is_linkedin(channel: str | None, channels: Mapping[str, str]) -> bool:
    return channel is not None and "linkedin" in f"{channel} {channels.get(channel, '')}".casefold()


@dataclass(frozen=True)
class _Column:
    index: int
    name: str  # as written in the file, for messages
    priority: int


def _conflict(first: str, second: str, field: str) -> str:
    return _("Kolumnerna %(first)s och %(second)s betyder båda %(meaning)s. Ta bort den ena.") % {
        "first": first,
        "second": second,
        "meaning": _(_FIELD_LABELS[field]),
    }


def _map_columns(header: list[str]) -> tuple[dict[str, _Column], list[str], list[str], list[str]]:
    """Columns by field, the names of unused columns, the languages of the recognised names, problems."""
    columns: dict[str, _Column] = {}
    unused: list[str] = []
    languages: list[str] = []
    problems: list[str] = []
    for index, raw in enumerate(header):
        name, key = raw.strip(), _normal(raw)
        hit = _HEADERS.get(key)
        if hit is None:
            if key:
                unused.append(name)
            continue
        field, language, priority = hit
        languages.append(language)
        current = columns.get(field)
        if current is None or priority > current.priority:
            if current is not None:
                unused.append(current.name)
            columns[field] = _Column(index, name, priority)
        elif priority == current.priority:
            problems.append(_conflict(current.name, name, field))
        else:
            unused.append(name)
    return columns, unused, languages, problems


def _visningar_means(columns: dict[str, _Column], header: list[str]) -> tuple[str | None, list[str]]:
    """What a "Visningar" column counts in this file; None: impressions on LinkedIn rows, else views."""
    if _VISNINGAR not in columns:
        return None, []
    means = None
    if "impressions" in columns:
        means = "views"
    elif "views" in columns or any(_normal(name) in _SOCIAL_HEADERS for name in header):
        means = "impressions"
    if means in columns:
        return means, [_conflict(columns[means].name, columns[_VISNINGAR].name, means)]
    return means, []


def _find_header(lines: Iterator[str]) -> tuple[str | None, int, str | None, list[str]]:
    """Skip what comes before the header: (header line, its number, Excel's sep= delimiter, comments)."""
    comments: list[str] = []
    delimiter: str | None = None
    number = 0
    for raw in lines:
        number += 1
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            comments.append(stripped)
        elif delimiter is None and (sep := re.fullmatch(r'"?sep=(.)"?', raw.strip("\r\n "), re.IGNORECASE)):
            delimiter = sep[1]
        else:
            return raw, number, delimiter, comments
    return None, number, delimiter, comments


def _read_records(
    lines: Iterator[str], delimiter: str, header_number: int
) -> tuple[list[tuple[int, list[str]]], int | None] | str:
    """The data rows with the file line each starts on, or a message why the file cannot be read.

    A comment line after the first row ends the table: GA4 starts each further table of a file with
    comment lines. The second value is the line of such a comment when more content follows it.
    """
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(lines, delimiter=delimiter)
    consumed = 0
    try:
        for cells in reader:
            line = header_number + consumed + 1
            consumed = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if cells[0].lstrip().startswith("#"):
                if records and any(rest.strip() and not rest.lstrip().startswith("#") for rest in lines):
                    return records, line
                continue
            records.append((line, cells))
            if len(records) > MAX_ROWS:
                limit = f"{MAX_ROWS:,}".replace(",", "\u00a0")
                return _("Filen har fler än %(max)s rader. Dela upp den i flera filer.") % {"max": limit}
    except csv.Error:
        return _(
            "Rad %(line)s går inte att läsa: ett fält är för långt eller ett citattecken avslutas aldrig."
        ) % {"line": header_number + consumed + 1}
    if not records:
        return _("Filen har en rubrikrad men inga rader med siffror.")
    return records, None


@dataclass(frozen=True)
class _Layout:
    """What the header, the file's comments and the chosen defaults say about every row of one file."""

    width: int  # fields in the header
    columns: dict[str, _Column]
    metric_fields: tuple[str, ...]
    visningar_means: str | None
    locale: str  # "sv" or "en": how numbers are written
    day_first: bool | None
    fallback_period: tuple[date, date] | None
    defaults: ImportDefaults
    channels: Mapping[str, str]
    channel_table: dict[str, str]
    activity_table: dict[str, str]
    delimiter_name: str

    def cell(self, cells: list[str], field: str) -> str:
        column = self.columns.get(field)
        return cells[column.index].strip() if column and column.index < len(cells) else ""

    def name(self, *fields: str) -> str:
        return " / ".join(self.columns[f].name for f in fields if f in self.columns)


def parse_reach_csv(
    data: bytes,
    *,
    channels: Mapping[str, str],
    activities: Mapping[str, str],
    defaults: ImportDefaults = ImportDefaults(),
) -> ReachPreview:
    """Read a reach export into figures and line-numbered errors; stores nothing.

    `channels` and `activities` map the plan's codes to their names. Messages are in the current locale.
    """
    if len(data) > MAX_BYTES:
        size = f"{len(data) / 1024 / 1024:.1f}".replace(".", ",")
        return _failed(
            _("Filen är för stor (%(size)s MB). Den får vara högst 5 MB. Dela upp den i flera filer.")
            % {"size": size}
        )
    decoded = _decode(data)
    if isinstance(decoded, str):
        return _failed(decoded)
    text, encoding = decoded
    lines = iter(io.StringIO(text, newline=""))
    header_line, header_number, delimiter, comments = _find_header(lines)
    if header_line is None:
        return _failed(_("Filen är tom."), encoding)
    delimiter = delimiter or _sniff(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter))

    columns, unused, languages, problems = _map_columns(header)
    visningar_means, conflicts = _visningar_means(columns, header)
    problems += conflicts
    metric_fields = tuple(f for f in (*REACH_METRICS, _VISNINGAR) if f in columns)
    if not metric_fields:
        problems.append(
            _(
                "Filen saknar en kolumn med siffror. Döp kolumnen till till exempel Visningar, Unika besökare, "
                "Exponeringar eller Klick (eller Views, Users, Impressions, Clicks)."
            )
        )
    fallback_period = _comment_period(comments)
    if defaults.period_start is None and defaults.period_end is not None:
        problems.append(_("Den valda perioden saknar startdatum."))
    if defaults.period_start is not None:
        chosen = (defaults.period_start, defaults.period_end or defaults.period_start)
        if chosen[1] < chosen[0]:
            problems.append(_("Den valda perioden slutar före den börjar."))
        fallback_period = fallback_period or chosen
    if fallback_period is None and not any(f in columns for f in (_DATE, _START, _END)):
        problems.append(
            _(
                "Filen saknar datum. Lägg till en kolumn Datum (eller Från och Till), "
                "eller ange perioden när du läser in filen."
            )
        )
    for code, known, message in (
        (defaults.channel, channels, N_("Kanalen %(code)s finns inte i planen.")),
        (defaults.activity, activities, N_("Aktiviteten %(code)s finns inte i planen.")),
    ):
        if code is not None and code not in known:
            problems.append(_(message) % {"code": code})
    if (
        not ({_CHANNEL, _ACTIVITY} & columns.keys())
        and defaults.channel is None
        and defaults.activity is None
    ):
        problems.append(
            _(
                "Filen säger inte vilken kanal siffrorna gäller. Välj kanal när du läser in filen, "
                "eller lägg till en kolumn Kanal."
            )
        )
    if problems:
        return ReachPreview((), (), tuple(problems), encoding=encoding, delimiter=delimiter)

    read = _read_records(lines, delimiter, header_number)
    if isinstance(read, str):
        return _failed(read, encoding, delimiter)
    records, table_ends_at = read
    if delimiter in (";", ","):
        locale = "sv" if delimiter == ";" else "en"
    else:
        locale = "en" if languages.count("en") > languages.count("sv") else "sv"
    day_first = defaults.day_first
    if day_first is None:
        indexes = [columns[f].index for f in (_DATE, _START, _END) if f in columns]
        day_first = _slash_order(cells[i] for _line, cells in records for i in indexes if i < len(cells))
    layout = _Layout(
        width=len(header),
        columns=columns,
        metric_fields=metric_fields,
        visningar_means=visningar_means,
        locale=locale,
        day_first=day_first,
        fallback_period=fallback_period,
        defaults=defaults,
        channels=channels,
        channel_table=_lookup_table(channels),
        activity_table=_lookup_table(activities),
        delimiter_name={";": _("semikolon"), ",": _("komma"), "\t": _("tabb")}.get(delimiter, delimiter),
    )

    rows: list[ReachRow] = []
    errors: list[RowError] = []
    notes: list[str] = []
    first_seen: dict[tuple, int] = {}
    for line, cells in records:
        read = _read_row(layout, line, cells)
        if read is None:
            notes.append(_("Rad %(line)s är en summeringsrad och läses inte in.") % {"line": line})
            continue
        figures, messages = read
        keys = [(r.activity, r.channel, r.period_start, r.period_end, r.metric, r.url) for r in figures]
        earlier = next((first_seen[k] for k in keys if k in first_seen), None)
        if earlier is not None:
            messages.append(
                _(
                    "Rad %(line)s: samma siffra finns redan på rad %(first)s (samma period, kanal, "
                    "aktivitet, sida och mått). Ta bort den ena raden."
                )
                % {"line": line, "first": earlier}
            )
        if messages:
            errors.extend(RowError(line, message) for message in messages)
            continue
        first_seen.update(dict.fromkeys(keys, line))
        rows.extend(figures)
    if table_ends_at is not None:
        notes.insert(
            0,
            _("Filen har fler tabeller efter rad %(line)s. Bara den första tabellen läses in.")
            % {"line": table_ends_at},
        )
    if unused:
        notes.insert(
            0,
            ngettext(
                "Kolumnen %(columns)s används inte.", "Kolumnerna %(columns)s används inte.", len(unused)
            )
            % {"columns": ", ".join(unused)},
        )
    return ReachPreview(tuple(rows), tuple(errors), (), tuple(notes), encoding, delimiter)


def _read_row(layout: _Layout, line: int, cells: list[str]) -> tuple[list[ReachRow], list[str]] | None:
    """The figures of one row, or the messages saying what is wrong with it; None for a sum row."""
    if len(cells) > layout.width and any(c.strip() for c in cells[layout.width :]):
        message = _(
            "Rad %(line)s: raden har %(found)s fält men rubrikraden har %(expected)s. "
            "Sätt citattecken runt värden som innehåller %(delimiter)s."
        ) % {"line": line, "found": len(cells), "expected": layout.width, "delimiter": layout.delimiter_name}
        return [], [message]

    def cell(field: str) -> str:
        return layout.cell(cells, field)

    if _normal(cells[0]) in _TOTALS or _normal(cell(_URL)) in _TOTALS:
        return None
    messages: list[str] = []

    def bad(problem: _Bad, value: str, *fields: str) -> None:
        messages.append(_cell_message(problem, line=line, value=value, column=layout.name(*fields)))

    period = layout.fallback_period
    if cell(_DATE):
        try:
            period = _when(cell(_DATE), layout.day_first)
        except _Bad as problem:
            bad(problem, cell(_DATE), _DATE)
    elif cell(_START) or cell(_END):
        start_text, end_text = cell(_START) or cell(_END), cell(_END) or cell(_START)
        try:
            start = _when(start_text, layout.day_first)[0]
        except _Bad as problem:
            bad(problem, start_text, _START if cell(_START) else _END)
        try:
            end = _when(end_text, layout.day_first)[1]
        except _Bad as problem:
            if end_text != start_text:
                bad(problem, end_text, _END)
        if not messages:
            period = (start, end)
    elif period is None:
        messages.append(
            _("Rad %(line)s: datum saknas i kolumnen %(column)s.")
            % {"line": line, "column": layout.name(_DATE, _START, _END)}
        )
    if period is not None and period[1] < period[0] and not messages:
        messages.append(
            _("Rad %(line)s: perioden slutar (%(end)s) innan den börjar (%(start)s).")
            % {"line": line, "end": period[1].isoformat(), "start": period[0].isoformat()}
        )

    channel = layout.defaults.channel
    if cell(_CHANNEL):
        channel = layout.channel_table.get(_lookup_key(cell(_CHANNEL)))
        if channel is None:
            messages.append(
                _("Rad %(line)s: kanalen '%(value)s' finns inte i planen. Använd någon av: %(choices)s.")
                % {
                    "line": line,
                    "value": _quoted(cell(_CHANNEL)),
                    "choices": ", ".join(sorted(n or c for c, n in layout.channels.items())) or "–",
                }
            )
    activity = layout.defaults.activity
    if cell(_ACTIVITY):
        activity = layout.activity_table.get(_lookup_key(cell(_ACTIVITY)))
        if activity is None:
            messages.append(
                _(
                    "Rad %(line)s: aktiviteten '%(value)s' finns inte i planen. "
                    "Skriv aktivitetens kod eller namn så som det står i planen."
                )
                % {"line": line, "value": _quoted(cell(_ACTIVITY))}
            )
    if channel is None and activity is None and not (cell(_CHANNEL) or cell(_ACTIVITY)):
        messages.append(
            _("Rad %(line)s: raden säger inte vilken kanal siffrorna gäller. Fyll i kolumnen %(column)s.")
            % {"line": line, "column": layout.name(_CHANNEL) or layout.name(_ACTIVITY)}
        )

    url = _clean_text(cell(_URL))
    if len(url) > MAX_URL_LENGTH:
        messages.append(
            _("Rad %(line)s: sidan i kolumnen %(column)s är längre än %(max)s tecken.")
            % {"line": line, "column": layout.name(_URL), "max": MAX_URL_LENGTH}
        )

    values: list[tuple[str, int]] = []
    for field in layout.metric_fields:
        if not (text := cell(field)):
            continue
        metric = field
        if field == _VISNINGAR:
            metric = layout.visningar_means or (
                "impressions" if _is_linkedin(channel, layout.channels) else "views"
            )
        try:
            values.append((metric, _count(text, layout.locale)))
        except _Bad as problem:
            bad(problem, text, field)
    if not values and not messages:
        messages.append(
            _("Rad %(line)s: raden saknar siffror. Fyll i minst en av kolumnerna %(columns)s.")
            % {"line": line, "columns": ", ".join(layout.columns[f].name for f in layout.metric_fields)}
        )
    if messages or period is None:
        return [], messages
    values.sort(key=lambda pair: REACH_METRICS.index(pair[0]))
    return [ReachRow(activity, channel, period[0], period[1], m, v, url, line) for m, v in values], []


def _cell_message(problem: _Bad, *, line: int, value: str, column: str) -> str:
    values = {"line": line, "value": _quoted(value), "column": column, **problem.details}
    messages = {
        "not_integer": N_("Rad %(line)s: '%(value)s' är inte ett heltal i kolumnen %(column)s."),
        "fraction": N_(
            "Rad %(line)s: '%(value)s' i kolumnen %(column)s har decimaler. Ett antal är ett heltal."
        ),
        "negative": N_(
            "Rad %(line)s: '%(value)s' i kolumnen %(column)s är negativt. Ett antal är 0 eller mer."
        ),
        "too_big": N_("Rad %(line)s: '%(value)s' i kolumnen %(column)s är för stort för att vara ett antal."),
        "bad_date": N_(
            "Rad %(line)s: '%(value)s' i kolumnen %(column)s är inget datum som går att läsa. "
            "Skriv det som 2026-03-31, 31/3/2026 eller 2026-03 för en hel månad."
        ),
        "ambiguous": N_(
            "Rad %(line)s: '%(value)s' i kolumnen %(column)s kan betyda både %(first)s och %(second)s. "
            "Skriv datumet som ÅÅÅÅ-MM-DD."
        ),
    }
    return _(messages[problem.kind]) % values


# --- storing ------------------------------------------------------------------------------------------------


async def plan_vocabulary(plan_id: int) -> tuple[dict[str, str], dict[str, str]]:
    """The plan's channels and activities as code → name, the way `parse_reach_csv` wants them."""
    from surveys.db.tables import Activity, Channel

    channels = await Channel.select(Channel.code, Channel.name).where(Channel.plan == plan_id)
    activities = await Activity.select(Activity.code, Activity.title).where(Activity.plan == plan_id)
    return {c["code"]: c["name"] for c in channels}, {a["code"]: a["title"] for a in activities}


async def store_reach(plan_id: int, rows: Sequence[ReachRow]) -> int:
    """Store figures of one plan in one transaction: all of them, or none (`Invalid` says why)."""
    from surveys.db.engine import write_transaction
    from surveys.db.tables import Activity, Channel, Plan, ReachFigure

    if not rows:
        return 0
    async with write_transaction():
        if not await Plan.exists().where(Plan.id == plan_id):
            raise NotFound(_("Planen finns inte. Inget sparades."))
        channel_ids = {
            c["code"]: c["id"]
            for c in await Channel.select(Channel.id, Channel.code).where(Channel.plan == plan_id)
        }
        activity_ids = {
            a["code"]: a["id"]
            for a in await Activity.select(Activity.id, Activity.code).where(Activity.plan == plan_id)
        }
        figures = []
        for row in rows:
            if row.channel is not None and row.channel not in channel_ids:
                raise Invalid(
                    _("Kanalen %(code)s finns inte i planen. Inget sparades.") % {"code": row.channel}
                )
            if row.activity is not None and row.activity not in activity_ids:
                raise Invalid(
                    _("Aktiviteten %(code)s finns inte i planen. Inget sparades.") % {"code": row.activity}
                )
            if (
                row.metric not in REACH_METRICS
                or not isinstance(row.value, int)
                or not 0 <= row.value <= MAX_VALUE
                or row.period_end < row.period_start
            ):
                raise Invalid(
                    _(
                        "En räckviddsrad har ett okänt mått, ett ogiltigt antal eller en baklänges period. Inget sparades."
                    )
                )
            figures.append(
                ReachFigure(
                    plan=plan_id,
                    activity=activity_ids[row.activity] if row.activity is not None else None,
                    channel=channel_ids[row.channel] if row.channel is not None else None,
                    period_start=row.period_start,
                    period_end=row.period_end,
                    metric=row.metric,
                    value=row.value,
                    url=row.url,
                )
            )
        for start in range(0, len(figures), _INSERT_CHUNK):
            await ReachFigure.insert(*figures[start : start + _INSERT_CHUNK])
        from surveys.accounts import audit

        await audit.record_action(
            audit.Action.PLAN_CHANGED,
            await audit.plan_named(plan_id),
            f"{len(figures)} räckviddssiffror tillagda",
        )
    return len(figures)


async def import_reach(plan_id: int, preview: ReachPreview, *, skip_bad_rows: bool) -> int:
    """Store a previewed file. A file with bad rows is refused unless the user chose to skip them.

    `Invalid` names each bad line ("rad 7") when rows are the reason.
    """
    if preview.file_errors:
        raise Invalid(_("Filen kan inte läsas in. Rätta felen i filen och försök igen."))
    if preview.errors and not skip_bad_rows:
        count = len(preview.bad_lines)
        raise Invalid(
            ngettext(
                "Inget sparades: %(count)s rad har fel. Rätta den i filen, eller välj att hoppa över raderna med fel.",
                "Inget sparades: %(count)s rader har fel. Rätta dem i filen, eller välj att hoppa över raderna med fel.",
                count,
            )
            % {"count": count},
            errors=_by_line(preview.errors),
        )
    if not preview.rows:
        raise Invalid(_("Det finns inga giltiga rader att spara."))
    return await store_reach(plan_id, preview.rows)


def _by_line(errors: Sequence[RowError]) -> dict[str, str]:
    """ "rad 7" → every message about line 7."""
    lines: dict[str, list[str]] = {}
    for error in errors:
        lines.setdefault(_("rad %(line)s") % {"line": error.line}, []).append(error.message)
    return {line: " ".join(messages) for line, messages in lines.items()}


# --- manual entry -------------------------------------------------------------------------------------------


def validate_manual(
    fields: Mapping[str, object],
    *,
    channels: Mapping[str, str],
    activities: Mapping[str, str],
) -> tuple[ReachRow | None, dict[str, str]]:
    """One figure typed into a form: fields activity, channel, period_start, period_end, metric, value, url.

    Returns the row, or None and a Swedish message per field. The value follows Swedish conventions
    ("1 234"); dates the same formats as files, slash dates day first; a month alone is the whole month.
    """

    def text(name: str) -> str:
        value = fields.get(name)
        return "" if value is None else str(value).strip()

    errors: dict[str, str] = {}
    period: list[date | None] = [None, None]
    for position, name in enumerate(("period_start", "period_end")):
        if not text(name):
            continue
        try:
            period[position] = _when(text(name), True)[position]
        except _Bad:
            errors[name] = _("Skriv datumet som 2026-03-31, 31/3/2026 eller 2026-03 för en hel månad.")
    if not text("period_start"):
        errors["period_start"] = _("Ange ett datum eller en månad, t.ex. 2026-03-31 eller 2026-03.")
    start, end = period
    if start is not None and end is None and "period_end" not in errors:
        end = _when(text("period_start"), True)[1]
    if start is not None and end is not None and end < start:
        errors["period_end"] = _("Slutdatumet kan inte vara före startdatumet.")

    value: int | None = None
    if not text("value"):
        errors["value"] = _("Ange antalet som ett heltal, t.ex. 1 234.")
    else:
        try:
            value = _count(text("value"), "sv")
        except _Bad as problem:
            errors["value"] = {
                "negative": _("Antalet måste vara 0 eller mer."),
                "too_big": _("Antalet är för stort."),
            }.get(problem.kind, _("Ange antalet som ett heltal utan decimaler, t.ex. 1 234."))

    channel = _lookup_table(channels).get(_lookup_key(text("channel"))) if text("channel") else None
    if text("channel") and channel is None:
        errors["channel"] = _("Välj en kanal som finns i planen.")
    activity = _lookup_table(activities).get(_lookup_key(text("activity"))) if text("activity") else None
    if text("activity") and activity is None:
        errors["activity"] = _("Välj en aktivitet som finns i planen.")
    if not text("channel") and not text("activity"):
        errors["channel"] = _("Välj en kanal eller en aktivitet.")

    metric = text("metric")
    if metric not in REACH_METRICS:  # a name instead of a code, as in a file's header
        field = _HEADERS.get(_normal(metric), ("",))[0]
        if field == _VISNINGAR:
            field = "impressions" if _is_linkedin(channel, channels) else "views"
        metric = field if field in REACH_METRICS else ""
    if not metric:
        errors["metric"] = _("Välj vad siffran mäter: visningar, unika besökare, exponeringar eller klick.")

    url = _clean_text(text("url"))
    if len(url) > MAX_URL_LENGTH:
        errors["url"] = _("Sidans adress får vara högst %(max)s tecken.") % {"max": MAX_URL_LENGTH}

    if errors or start is None or end is None or value is None:
        return None, errors
    return ReachRow(activity, channel, start, end, metric, value, url), {}
