"""The meeting pack for länsledning, as plain data: what it says, in the order it says it.

A :class:`MeetingPack` holds text that is already formatted ("61 %", "55–67 %", verdict sentences) and the
charts as SVG with their text alternatives; :mod:`analysis.render.pack_typst` (tagged PDF, PDF/UA-1),
:mod:`analysis.render.pack_pptx` (PowerPoint) and :mod:`analysis.render.pack_html` (one accessible web page)
turn the same pack into bytes. Nothing here computes a statistic, so every format says exactly what the
dashboard said.

The order is the one a politician reads: a summary of at most two pages (one sentence on the goals, the
matrix of target groups × steps with the status as a shape and a word, the three largest changes, the
decisions asked for), then one section per target group, then the activities and decisions, then how the
numbers were made.

Text from users (titles, names, comments) is kept literal: control characters are dropped and nothing in
it is ever read as markup by any of the formats.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_date
from babel.numbers import format_percent as babel_format_percent

from analysis.render.formatting import format_count, format_share
from locales import babel_locale, current_locale
from locales import gettext as _

__all__ = [
    "ActivityRow",
    "Branding",
    "GoalRow",
    "GroupSection",
    "MatrixCell",
    "MatrixRow",
    "MeetingPack",
    "MethodsNote",
    "NativeChart",
    "PackChart",
    "ReachLines",
    "Status",
    "clean",
    "long_date",
    "methods_note",
    "native_chart",
    "taken_note",
]

AUTHOR = "effekt"
DEFAULT_COLOUR = "#00557a"  # 7.6:1 against white

# Status as a shape and a word, never colour alone (WCAG 1.4.1). The shapes differ in fill, so they read
# apart in black and white too; the word is what a screen reader says (the shape is decoration).
SHAPES = {
    "achieved": "\u25cf",  # ● filled
    "uncertain": "\u25d0",  # ◐ half filled
    "not_achieved": "\u25cb",  # ○ empty
    "preliminary": "\u25c7",  # ◇ a different shape: no status is given
    "none": "\u2013",  # – nothing to judge
}


def clean(text: object) -> str:
    """Text from users, kept literal and safe for PDF, XML and HTML: no control characters, lines kept."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    kept = []
    for c in text:
        category = unicodedata.category(c)
        if c == "\n" or not (
            category in ("Cc", "Cs")
            or c in "\ufffe\uffff"
            or "\u202a" <= c <= "\u202e"
            or "\u2066" <= c <= "\u2069"
        ):
            kept.append(c)
    lines = [re.sub(r"[ ]+", " ", line).strip() for line in "".join(kept).split("\n")]
    return "\n".join(line for line in lines if line)


def one_line(text: object) -> str:
    return clean(text).replace("\n", " ")


def long_date(value: date) -> str:
    return format_date(value, format="long", locale=babel_locale())


def taken_note(taken_on: date, meeting_date: date) -> str:
    """When a meeting's numbers were saved, said so that a snapshot taken weeks before is not read as the
    meeting day's."""
    values = {"taken": long_date(taken_on), "meeting": long_date(meeting_date)}
    if taken_on == meeting_date:
        return _("Resultaten sparades %(taken)s, samma dag som mötet.") % values
    if taken_on < meeting_date:
        return _("Resultaten sparades %(taken)s inför mötet %(meeting)s.") % values
    return _("Resultaten sparades %(taken)s, efter mötet %(meeting)s.") % values


def _set(instance: object, name: str, value: object) -> None:
    object.__setattr__(instance, name, value)


def _clean_fields(instance: object, *names: str) -> None:
    for name in names:
        value = getattr(instance, name)
        if isinstance(value, tuple):
            _set(instance, name, tuple(s for s in (clean(v) for v in value) if s))
        else:
            _set(instance, name, clean(value))


@dataclass(frozen=True)
class Branding:
    """The installation's name, colour and logo (settings), shown on the first page and the title slide."""

    name: str = "effekt"
    colour: str = DEFAULT_COLOUR
    logo: bytes | None = None
    logo_format: str = ""  # "svg", "png" or "jpg"

    def __post_init__(self) -> None:
        _set(self, "name", one_line(self.name) or "effekt")
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", self.colour):
            raise ValueError(f"A colour is written #rrggbb, not {self.colour!r}.")
        if self.logo is not None and self.logo_format not in ("svg", "png", "jpg"):
            raise ValueError("A logo is SVG, PNG or JPEG.")


@dataclass(frozen=True)
class Status:
    """A goal's status for the reader: ``key`` is one of :data:`SHAPES`, ``word`` what it says."""

    key: str
    word: str

    def __post_init__(self) -> None:
        if self.key not in SHAPES:
            raise ValueError(f"Unknown status {self.key!r}.")

    @property
    def shape(self) -> str:
        return SHAPES[self.key]


@dataclass(frozen=True)
class MatrixCell:
    """One goal in the summary matrix: the latest share, its interval and its status."""

    share: str
    interval: str
    status: Status
    trend: str = ""  # an optional small SVG trend line (with its own text alternative)

    def __post_init__(self) -> None:
        _clean_fields(self, "share", "interval")


@dataclass(frozen=True)
class MatrixRow:
    group: str
    cells: tuple[MatrixCell | None, ...]  # one per step column; None: the group has no goal on that step

    def __post_init__(self) -> None:
        _set(self, "group", one_line(self.group))
        _set(self, "cells", tuple(self.cells))


@dataclass(frozen=True)
class NativeChart:
    """A chart's numbers, for a presentation to draw as an editable chart: a line (a share per wave, with
    the target) or bars (a share per step, organisation or channel), each with its interval. A value not
    shown is None, with the reason in ``notes``."""

    kind: str  # "line" or "bar"
    categories: tuple[str, ...]
    shares: tuple[float | None, ...]
    lows: tuple[float | None, ...]
    highs: tuple[float | None, ...]
    notes: tuple[str, ...]
    target: float | None = None


_NATIVE = {"trend_chart": "line", "ladder_chart": "bar", "breakdown_chart": "bar", "recall_chart": "bar"}


def native_chart(recipe: object) -> NativeChart | None:
    """The numbers of a chart described by an :class:`~analysis.render.charts.ChartRecipe` (every builder
    takes its title and then its points), or None for a chart with no native form."""
    kind = _NATIVE.get(getattr(recipe, "builder", ""))
    args = getattr(recipe, "args", ())
    if kind is None or len(args) < 2:
        return None
    points = tuple(args[1])
    target = args[2] if kind == "line" and len(args) > 2 and isinstance(args[2], int | float) else None
    return NativeChart(
        kind,
        tuple(p.label for p in points),
        tuple(p.share for p in points),
        tuple(p.low for p in points),
        tuple(p.high for p in points),
        tuple("" if p.share is not None else (p.note or "") for p in points),
        float(target) if target is not None else None,
    )


@dataclass(frozen=True)
class ReachLines:
    """Reach per month, for a presentation to draw as an editable line chart: per series (a channel) its
    figure for each month, None where it is missing (a gap, never a zero). A figure for a longer period is
    its own series, at its average per month over the months it covers."""

    metric: str  # what is counted: "Visningar" …
    months: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]  # (name, one value per month)

    @property
    def empty(self) -> bool:
        return not any(value is not None for _name, values in self.series for value in values)


@dataclass(frozen=True)
class PackChart:
    """A chart in the pack: its title, its text alternative, its data table (header row first) and its SVG.

    ``native`` holds its numbers where the presentation can draw it as an editable chart. ``svg`` may be
    empty where a format does not need the picture."""

    key: str
    title: str
    description: str
    table: tuple[tuple[str, ...], ...] = ()
    svg: str = ""
    native: NativeChart | None = None
    reach: ReachLines | None = None  # reach over time: the numbers of a native line chart

    def __post_init__(self) -> None:
        _set(self, "title", one_line(self.title))
        _set(self, "description", one_line(self.description) or one_line(self.title))
        _set(self, "table", tuple(tuple(one_line(c) for c in row) for row in self.table))


@dataclass(frozen=True)
class GoalRow:
    """One effect goal in its target group's section."""

    goal_id: int
    step: str  # "L1 Kännedom"
    wording: str
    latest: str  # "61 %", or why there is no share
    interval: str
    target: str
    status: Status
    wave: str  # the wave the share comes from
    respondents: str
    sentences: tuple[str, ...] = ()
    comment: str = ""

    def __post_init__(self) -> None:
        _clean_fields(
            self,
            "step",
            "wording",
            "latest",
            "interval",
            "target",
            "wave",
            "respondents",
            "sentences",
            "comment",
        )


@dataclass(frozen=True)
class GroupSection:
    title: str
    goals: tuple[GoalRow, ...] = ()
    charts: tuple[PackChart, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "title", one_line(self.title))
        _set(self, "goals", tuple(self.goals))
        _set(self, "charts", tuple(self.charts))


@dataclass(frozen=True)
class ActivityRow:
    """An activity with its reach, the decisions on it and the communicator's comment."""

    code: str
    title: str
    when: str
    channels: str
    reach: str
    decision: str = ""  # decided at this meeting, as text; "" when not (yet)
    earlier: str = ""  # the latest decision at an earlier meeting, as text
    comment: str = ""
    asked: bool = False  # the meeting is asked to decide on it

    def __post_init__(self) -> None:
        _clean_fields(self, "code", "title", "when", "channels", "reach", "decision", "earlier", "comment")


@dataclass(frozen=True)
class MethodsNote:
    """How the numbers were made, one sentence or short paragraph a line (see :func:`methods_note`)."""

    lines: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _clean_fields(self, "lines")


@dataclass(frozen=True)
class MeetingPack:
    plan_title: str
    meeting_title: str
    meeting_date: date
    taken_on: date  # when the results were saved for the meeting
    branding: Branding = field(default_factory=Branding)
    headline: str = ""  # "4 av 14 mål uppnådda, …"
    notes: tuple[str, ...] = ()  # response rate, preliminary numbers, hidden cells
    steps: tuple[str, ...] = ()  # the matrix's step columns, "L1 Kännedom" …
    matrix: tuple[MatrixRow, ...] = ()
    changes: tuple[str, ...] = ()  # the three largest changes, as sentences
    groups: tuple[GroupSection, ...] = ()
    activities: tuple[ActivityRow, ...] = ()
    reach_charts: tuple[PackChart, ...] = ()  # reach over time (an output, L0), one chart per metric
    methods: MethodsNote = field(default_factory=MethodsNote)
    hidden_note: str = ""  # what "dold" means

    def __post_init__(self) -> None:
        _set(self, "plan_title", one_line(self.plan_title))
        _set(self, "meeting_title", one_line(self.meeting_title))
        _clean_fields(self, "headline", "notes", "steps", "changes", "hidden_note")
        for name in ("matrix", "groups", "activities", "reach_charts"):
            _set(self, name, tuple(getattr(self, name)))

    @property
    def asked(self) -> tuple[ActivityRow, ...]:
        return tuple(a for a in self.activities if a.asked and not a.decision)

    @property
    def decided(self) -> tuple[ActivityRow, ...]:
        return tuple(a for a in self.activities if a.decision)

    @property
    def language(self) -> str:
        return "en" if current_locale() == "en" else "sv"

    @property
    def title(self) -> str:
        return f"{self.meeting_title} – {self.plan_title}"

    @property
    def taken_note(self) -> str:
        return taken_note(self.taken_on, self.meeting_date)

    def labels(self) -> dict[str, str]:
        """Every fixed text the formats print, in the reader's language."""
        return {
            "summary": _("Sammanfattning"),
            "matrix": _("Läget per målgrupp och steg"),
            "matrix_caption": _(
                "Andel som når steget i den senaste mätomgången med svar, osäkerhetsintervall och status."
            ),
            "group": _("Målgrupp"),
            "changes": _("De största förändringarna"),
            "no_changes": _("Det finns ännu inga förändringar att jämföra."),
            "asked": _("Beslut som mötet ombeds fatta"),
            "none_asked": _("Inga aktiviteter väntar på beslut."),
            "decided": _("Beslut vid mötet"),
            "goals": _("Effektmål"),
            "step": _("Steg"),
            "latest": _("Senaste"),
            "interval": _("Intervall"),
            "target": _("Mål"),
            "status": _("Status"),
            "wave": _("Mätomgång"),
            "respondents": _("Svarande"),
            "comment": _("Kommentar"),
            "no_goals": _("Målgruppen har inga effektmål med resultat ännu."),
            "activities": _("Aktiviteter och beslut"),
            "activity": _("Aktivitet"),
            "when": _("När"),
            "channels": _("Kanaler"),
            "reach": _("Räckvidd"),
            "decision": _("Beslut"),
            "earlier": _("Tidigare beslut"),
            "no_activities": _("Planen har inga aktiviteter."),
            "methods": _("Om siffrorna"),
            "page": _("Sida %(page)s av %(pages)s"),
            "contents": _("Innehåll"),
            "reach_trend": _("Räckvidd över tid"),
            "awaiting": _("Väntar på beslut"),
            # A step no question measured: the same words as the overview page.
            "not_measured": _("Inte mätt"),
        }


def methods_note(
    respondents: int,
    invited: int | None = None,
    *,
    k: int = 5,
    confidence: float = 0.95,
    alpha: float = 0.05,
    weighted: bool = True,
) -> MethodsNote:
    """The standard methods text in plain Swedish (or English), for the adapter to use or extend."""
    loc = babel_locale()
    values = {"respondents": format_count(respondents, locale=loc)}
    if invited:
        values |= {"invited": format_count(invited, locale=loc), "rate": format_share(respondents / invited)}
        first = _("Svarande: %(respondents)s av %(invited)s inbjudna (svarsfrekvens %(rate)s).") % values
    else:
        first = _("Svarande: %(respondents)s.") % values
    lines = [
        first,
        _(
            "Osäkerhetsintervall: %(level)s. Andelar har Wilsons intervall, med korrektion för ändlig population "
            "när målgruppens storlek är känd. För små grupper där en stor del har svarat används ett exakt "
            "intervall (hypergeometrisk fördelning)."
        )
        % {"level": format_share(confidence, locale=loc)},
        _(
            "Viktning: svaren vägs efter organisationernas kända storlek (poststratifiering), så att en "
            "organisation där många har svarat inte väger för tungt. Osäkerheten räknas på det effektiva "
            "antalet svar (Kish)."
        )
        if weighted
        else _("Viktning: svaren är inte viktade."),
        _(
            "Mål: ett mål är uppnått när hela osäkerhetsintervallet ligger på eller över målet och ej uppnått "
            "när hela intervallet ligger under. Annars är det ej säkerställt."
        ),
        _(
            "Förändring: en skillnad mot förra mätomgången kallas statistiskt säkerställd när testet är "
            "signifikant på %(alpha)s-nivån, justerat för planens alla mål (Holm), och skillnadens "
            "osäkerhetsintervall (Newcombe) inte omfattar noll."
        )
        % {"alpha": babel_format_percent(alpha, locale=loc)},
        _(
            "Skydd av enskilda: grupper med färre än %(k)s svar redovisas inte. Ibland döljs också en annan "
            "grupp, så att en dold grupp inte kan räknas fram genom subtraktion."
        )
        % {"k": k},
    ]
    return MethodsNote(tuple(lines))
