"""Plain-Swedish verdicts for länsledning, built from the results engine's objects (analysis.stats.goal_results).

Every sentence says what the numbers allow and no more, and every sentence about a goal comes from one
judgement (:func:`judge`): the overview's verdict, the API's verdict and the trend chart's text
(:func:`goal_trend_recipe`) are the same sentences, so they never disagree.

- **Change between two waves** is *statistiskt säkerställd* only when the p-value is below ``alpha`` **and**
  the change's interval excludes 0. The p-value is the Holm-adjusted one when the caller has it
  (``WaveResult.change_p_adjusted``: the plan's goals are compared on one screen), else the raw test. Both
  carry the finite-population correction (docs/methods.md §2.5). Asking for both is the conservative
  choice: a change is never called certain when one of them says it may be chance. ``alpha`` should match
  the interval's level (0.05 for the engine's 95 % intervals).
- **Goal status** follows ``analysis.stats.estimates.goal_status``: the interval, never the point estimate,
  decides. "Den lägsta rimliga nivån" is said only where non-response is small (at least 80 % answered,
  ``SMALL_NONRESPONSE``): the interval describes sampling, not those who did not answer. Under 60 %
  (``LOW_RESPONSE_RATE``) a sentence gives the worst-case bounds.
- **Trend** (three or more final waves) is Cochran–Armitage, again with the adjusted p when given.
- **Preliminary** waves (an interim release of an open wave) get no goal status, no verdict on the change
  and no trend: only the share so far, said to be preliminary.

Percentages are written the Swedish way, "42 %" with a no-break space, rounded half up (0.425 → "43 %").
When two numbers in one sentence would round to the same text although they differ, one more decimal is
shown, so a sentence never says "från 42 % till 42 %".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from babel.lists import format_list

from analysis.render.charts import ChartRecipe, SharePoint, recipe, trend_chart
from analysis.render.formatting import format_count, format_share, format_span
from analysis.stats.disclosure import DEFAULT_K, SuppressionReason
from analysis.stats.effects import LOW_RESPONSE_RATE, Change, Note, ShareEstimate
from analysis.stats.estimates import GoalStatus, Interval, Test
from analysis.stats.goal_results import GoalResult, WaveResult
from analysis.stats.linked_tables import open_link_minimum
from locales import babel_locale, ngettext
from locales import gettext as _

__all__ = [
    "SMALL_NONRESPONSE",
    "Direction",
    "Judgement",
    "change_verdict",
    "format_percent",
    "goal_trend_recipe",
    "hidden_verdict",
    "judge",
    "note_sentences",
    "note_text",
    "response_rate_warning",
    "status_verdict",
    "trend_points",
    "trend_verdict",
    "wave_summary",
]

NBSP = "\u00a0"
# One extra decimal at most twice: enough to separate any two shares that differ by 0.0001 or more.
_MAX_EXTRA_DECIMALS = 2
# "Den lägsta/högsta rimliga nivån" only when at least this share of the group answered (§2.11).
SMALL_NONRESPONSE = 0.8


def format_percent(value: float, decimals: int = 0) -> str:
    """A share (0.42) as a percentage in the reader's language ("42 %"), rounded half up."""
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals must be a whole number ≥ 0, got {decimals!r}")
    return format_share(value, decimals)


def _pair(first: float, second: float) -> tuple[str, str] | None:
    """Both shares with the fewest decimals that tell them apart; None when they are the same number."""
    for decimals in range(_MAX_EXTRA_DECIMALS + 1):
        a, b = format_percent(first, decimals), format_percent(second, decimals)
        if a != b:
            return a, b
    return None


def _apart_from(value: float, reference: float) -> str:
    """``value`` formatted so it does not read as equal to ``reference`` when it is not."""
    shown = _pair(value, reference)
    return shown[0] if shown else format_percent(value)


def _target(target: float) -> str:
    """A goal's target with as many decimals as it was set with (70 %, 72,5 %), at most two."""
    for decimals in range(_MAX_EXTRA_DECIMALS + 1):
        scaled = float(target) * 100 * 10**decimals
        if abs(scaled - round(scaled)) < 1e-6:
            return format_percent(target, decimals)
    return format_percent(target, _MAX_EXTRA_DECIMALS)


def _span(interval: Interval, target: float | None = None) -> str:
    """ "35–49 %", with a decimal more when an end would otherwise read as the target it is not."""
    for decimals in range(_MAX_EXTRA_DECIMALS + 1):
        clash = target is not None and any(
            end != target and format_percent(end, decimals) == format_percent(target, decimals)
            for end in (interval.low, interval.high)
        )
        if not clash:
            return format_span(interval.low, interval.high, decimals)
    return format_span(interval.low, interval.high, _MAX_EXTRA_DECIMALS)


def _significant(p_value: float | None, alpha: float) -> bool:
    return p_value is not None and not math.isnan(p_value) and p_value < alpha


class Direction(StrEnum):
    """What a change or a trend says, in one word: the judgement both the verdict and a chart use."""

    UP = "up"  # a statistically certain increase
    DOWN = "down"  # a statistically certain decrease
    SAME = "same"  # the same share, to the shown decimals
    CHANCE = "chance"  # a difference that may be chance
    NOT_JUDGED = "not_judged"  # preliminary: shown, not judged


# --- change since the previous wave ---------------------------------------------------------------


def change_direction(
    previous_share: float,
    current_share: float,
    change: Change,
    p_adjusted: float | None,
    *,
    alpha: float = 0.05,
) -> Direction:
    """The change's judgement: certain only when the test and the interval both say so."""
    p_value = p_adjusted if p_adjusted is not None else change.test.p_value
    excludes_zero = change.interval.low > 0 or change.interval.high < 0
    if _pair(previous_share, current_share) is None:
        return Direction.SAME
    if _significant(p_value, alpha) and excludes_zero:
        return Direction.UP if change.difference > 0 else Direction.DOWN
    return Direction.CHANCE


def change_verdict(
    previous_share: float | None,
    current_share: float | None,
    change: Change | None,
    p_adjusted: float | None,
    *,
    alpha: float = 0.05,
) -> str:
    """The change since the previous wave, in one sentence (see the module text for the rule)."""
    if change is None or previous_share is None or current_share is None:
        return _("Det går inte att jämföra med förra mätomgången.")
    direction = change_direction(previous_share, current_share, change, p_adjusted, alpha=alpha)
    shown = _pair(previous_share, current_share)
    if direction in (Direction.UP, Direction.DOWN) and shown is not None:
        before, after = shown
        if change.difference > 0:
            return _("Ökningen från %(before)s till %(after)s är statistiskt säkerställd.") % {
                "before": before,
                "after": after,
            }
        return _("Minskningen från %(before)s till %(after)s är statistiskt säkerställd.") % {
            "before": before,
            "after": after,
        }
    if shown is None:
        return _("Andelen är densamma som förra mätomgången: %(share)s.") % {
            "share": format_percent(current_share)
        }
    return _("Skillnaden mellan %(before)s och %(after)s kan bero på slumpen.") % {
        "before": shown[0],
        "after": shown[1],
    }


# --- goal status ----------------------------------------------------------------------------------


def _interval(estimate: ShareEstimate | Interval | None) -> Interval | None:
    if estimate is None:
        return None
    return estimate.interval if isinstance(estimate, ShareEstimate) else estimate


def status_verdict(
    status: GoalStatus | str | None,
    target: float,
    estimate: ShareEstimate | Interval | None,
    *,
    response_rate: float | None = None,
) -> str:
    """Whether the goal is reached, decided by the interval.

    Where at least 80 % of the group answered (``response_rate``, or the estimate's own) the sentence names
    the bound that decided as "den lägsta/högsta rimliga nivån"; elsewhere the interval describes only the
    uncertainty of who happened to answer, and the sentence says the result holds if those who did not
    answer are like those who did.
    """
    goal = _target(target)
    interval = _interval(estimate)
    if status is None or interval is None:
        return _(
            "Det går inte att bedöma om målet (minst %(target)s) är uppnått: det finns inga svar att räkna på."
        ) % {"target": goal}
    status = GoalStatus(status)
    rate = response_rate
    if rate is None and isinstance(estimate, ShareEstimate):
        rate = estimate.response_rate
    if rate is not None and math.isfinite(rate) and rate >= SMALL_NONRESPONSE:
        if status is GoalStatus.ACHIEVED:
            return _(
                "Målet (minst %(target)s) är uppnått: även den lägsta rimliga nivån, %(low)s, når målet."
            ) % {"target": goal, "low": format_percent(interval.low)}
        if status is GoalStatus.NOT_ACHIEVED:
            return _(
                "Målet (minst %(target)s) är inte uppnått: även den högsta rimliga nivån, %(high)s, ligger under målet."
            ) % {"target": goal, "high": _apart_from(interval.high, target)}
        return _(
            "Det går inte att säga om målet (minst %(target)s) är uppnått: andelen ligger troligen mellan %(low)s och %(high)s."
        ) % {"target": goal, "low": _apart_from(interval.low, target), "high": format_percent(interval.high)}
    values = {"target": goal, "span": _span(interval, target)}
    if status is GoalStatus.ACHIEVED:
        return (
            _(
                "Målet (minst %(target)s) är uppnått om de som inte svarade liknar dem som svarade: hela "
                "osäkerhetsintervallet, %(span)s, ligger på eller över målet."
            )
            % values
        )
    if status is GoalStatus.NOT_ACHIEVED:
        return (
            _(
                "Målet (minst %(target)s) är inte uppnått om de som inte svarade liknar dem som svarade: hela "
                "osäkerhetsintervallet, %(span)s, ligger under målet."
            )
            % values
        )
    return (
        _(
            "Det går inte att säga om målet (minst %(target)s) är uppnått: osäkerhetsintervallet, %(span)s, "
            "omfattar målet."
        )
        % values
    )


# --- hidden groups and response rate --------------------------------------------------------------


def hidden_verdict(reason: SuppressionReason | str | None = None, k: int = DEFAULT_K) -> str:
    """The one word for a number that is not shown, whatever the reason: one symbol, never a per-cell reason
    (docs/methods.md §3.1). ``hidden_explanation`` says once per page what it means."""
    return _("dold")


def hidden_explanation(k: int = DEFAULT_K) -> str:
    """The one explanation a page, a pack or an export gives for every number marked "dold"."""
    return _(
        "Dold: uppgiften redovisas inte, för att ingen enskild persons svar ska kunna räknas fram. Grupper "
        "med färre än %(k)s svar redovisas aldrig, och ibland döljs också en större grupp så att en liten "
        "inte kan räknas fram ur summorna."
    ) % {"k": k}


def hidden_note(k: int = DEFAULT_K) -> str:
    """The page's one explanation of "dold", with the higher minimum of waves answered through an open link."""
    open_link = _("I mätomgångar med öppen länk redovisas en organisation först från %(n)s svar.") % {
        "n": open_link_minimum(k)
    }
    return f"{hidden_explanation(k)} {open_link}"


def response_rate_warning(
    rate: float | None, *, low: float = LOW_RESPONSE_RATE, bounds: Interval | None = None
) -> str | None:
    """A sentence when fewer than ``low`` (60 %) of the group answered; None when the rate is fine or unknown.

    With the worst-case bounds it says how far non-response alone could move the share (docs/methods.md §2.11).
    """
    if rate is None or not math.isfinite(rate) or rate >= low:
        return None
    values = {"rate": _apart_from(rate, low)}
    if bounds is not None:
        return _(
            "Bara %(rate)s av gruppen svarade. Om de som inte svarade skiljer sig från dem som svarade kan "
            "andelen i hela gruppen ligga var som helst mellan %(low)s och %(high)s."
        ) % {**values, "low": format_percent(bounds.low), "high": format_percent(bounds.high)}
    return _("Bara %(rate)s av gruppen svarade, så resultatet kan vara skevt.") % values


def note_text(
    note: Note | str,
    *,
    unrepresented: Sequence[str] = (),
    population: int | None = None,
    compared_population: int | None = None,
    response_rate: float | None = None,
    bounds: Interval | None = None,
) -> str:
    """One note about a number in words (docs/methods.md §2.12); ``unrepresented`` are organisation names."""
    note = Note(note)
    if note is Note.PRELIMINARY:
        return _preliminary_sentence()
    if note is Note.UNWEIGHTED:
        return _(
            "Andelen är ovägd: varje organisation har för få svar för att redovisas för sig, så de räknas "
            "ihop, och organisationer där många svarade väger tyngre än deras storlek."
        )
    if note is Note.MERGED:
        return _(
            "Organisationer med för få svar räknas ihop utan vägning sinsemellan; de övriga vägs efter sin storlek."
        )
    if note is Note.UNREPRESENTED:
        if not unrepresented:
            return _("Organisationer utan svar ingår inte i andelen.")
        return ngettext(
            "%(names)s har inga svar och ingår inte i andelen.",
            "%(names)s har inga svar och ingår inte i andelen.",
            len(unrepresented),
        ) % {"names": format_list(list(unrepresented), locale=babel_locale())}
    if note is Note.LOW_RESPONSE:
        return response_rate_warning(response_rate, bounds=bounds) or _(
            "Färre än 60 procent av gruppen svarade, så resultatet kan vara skevt."
        )
    if population is not None and compared_population is not None:
        return _(
            "Andelen gäller inte samma grupp som i förra mätomgången (%(before)s personer då, %(after)s nu), "
            "så jämförelsen blandar förändring med att gruppen är en annan."
        ) % {"before": format_count(compared_population), "after": format_count(population)}
    return _(
        "Andelen gäller inte samma grupp som i förra mätomgången, så jämförelsen blandar förändring med att "
        "gruppen är en annan."
    )


def note_sentences(
    notes: Sequence[Note | str],
    *,
    unrepresented: Sequence[str] = (),
    population: int | None = None,
    compared_population: int | None = None,
) -> list[str]:
    """What a number is, in words: one sentence per note that changes how to read it (docs/methods.md §2.12).

    Preliminary and low response are left out: :func:`judge` says them in their own place."""
    said = {Note(n) for n in notes} - {Note.PRELIMINARY, Note.LOW_RESPONSE}
    if Note.UNWEIGHTED in said:
        said.discard(Note.MERGED)
    order = (Note.UNWEIGHTED, Note.MERGED, Note.UNREPRESENTED, Note.POPULATION_CHANGED)
    return [
        note_text(
            note, unrepresented=unrepresented, population=population, compared_population=compared_population
        )
        for note in order
        if note in said and (note is not Note.UNREPRESENTED or unrepresented)
    ]


# --- trend over three or more waves ---------------------------------------------------------------


def trend_direction(test: Test, p_adjusted: float | None, *, alpha: float = 0.05) -> Direction:
    p_value = p_adjusted if p_adjusted is not None else test.p_value
    if _significant(p_value, alpha) and test.statistic > 0:
        return Direction.UP
    if _significant(p_value, alpha) and test.statistic < 0:
        return Direction.DOWN
    return Direction.CHANCE


def trend_verdict(
    test: Test | None,
    p_adjusted: float | None,
    first_share: float | None,
    last_share: float | None,
    waves: int,
    *,
    alpha: float = 0.05,
) -> str:
    """The trend over ``waves`` waves (Cochran–Armitage), from the first wave's share to the last one's."""
    if test is None or first_share is None or last_share is None or waves < 3:
        return _("Det behövs minst tre mätomgångar med svar för att se en trend.")
    p_value = p_adjusted if p_adjusted is not None else test.p_value
    shown = _pair(first_share, last_share)
    first, last = shown if shown else (format_percent(first_share),) * 2
    values = {"waves": waves, "first": first, "last": last}
    if _significant(p_value, alpha) and test.statistic > 0:
        if last_share > first_share:
            return (
                ngettext(
                    "Andelen har ökat över %(waves)s mätomgång, från %(first)s till %(last)s. Trenden är statistiskt säkerställd.",
                    "Andelen har ökat över %(waves)s mätomgångar, från %(first)s till %(last)s. Trenden är statistiskt säkerställd.",
                    waves,
                )
                % values
            )
        return (
            ngettext(
                "Trenden över %(waves)s mätomgång är statistiskt säkerställd uppåt, men den senaste andelen (%(last)s) är inte högre än den första (%(first)s).",
                "Trenden över %(waves)s mätomgångar är statistiskt säkerställd uppåt, men den senaste andelen (%(last)s) är inte högre än den första (%(first)s).",
                waves,
            )
            % values
        )
    if _significant(p_value, alpha) and test.statistic < 0:
        if last_share < first_share:
            return (
                ngettext(
                    "Andelen har minskat över %(waves)s mätomgång, från %(first)s till %(last)s. Trenden är statistiskt säkerställd.",
                    "Andelen har minskat över %(waves)s mätomgångar, från %(first)s till %(last)s. Trenden är statistiskt säkerställd.",
                    waves,
                )
                % values
            )
        return (
            ngettext(
                "Trenden över %(waves)s mätomgång är statistiskt säkerställd nedåt, men den senaste andelen (%(last)s) är inte lägre än den första (%(first)s).",
                "Trenden över %(waves)s mätomgångar är statistiskt säkerställd nedåt, men den senaste andelen (%(last)s) är inte lägre än den första (%(first)s).",
                waves,
            )
            % values
        )
    if shown is None:
        return (
            ngettext(
                "Över %(waves)s mätomgång syns ingen säkerställd trend: andelen är %(first)s i den första och i den senaste.",
                "Över %(waves)s mätomgångar syns ingen säkerställd trend: andelen är %(first)s i den första och i den senaste.",
                waves,
            )
            % values
        )
    return (
        ngettext(
            "Över %(waves)s mätomgång syns ingen säkerställd trend: förändringen från %(first)s till %(last)s kan bero på slumpen.",
            "Över %(waves)s mätomgångar syns ingen säkerställd trend: förändringen från %(first)s till %(last)s kan bero på slumpen.",
            waves,
        )
        % values
    )


# --- one goal in one wave: the judgement ---------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """Everything said about one goal in one wave, from which every text about it is taken."""

    wave: str
    preliminary: bool
    status: GoalStatus | None
    change: Direction | None  # None: no comparison in this wave
    trend: Direction | None  # None: no trend ends in this wave
    sentences: tuple[str, ...]  # in reading order: status, change, notes, response, trend
    response_rate: float | None = None  # AAPOR RR1
    bounds: Interval | None = None  # the worst case for non-response, next to the status


def _answered(wave: WaveResult) -> bool:
    return wave.measured and wave.estimate is not None and wave.estimate.base > 0


def judge(
    goal: GoalResult,
    wave_index: int,
    *,
    k: int = DEFAULT_K,
    alpha: float = 0.05,
    low_response: float = LOW_RESPONSE_RATE,
    organisations: Mapping[str, str] | None = None,
    wave_titles: Mapping[str, str] | None = None,
) -> Judgement:
    """The judgement of one goal in one wave: its sentences and what they say (see the module text).

    ``k`` is the disclosure threshold the results were computed with; ``organisations`` and ``wave_titles``
    turn codes into names in the sentences (codes are used where a name is missing).
    """
    index = range(len(goal.waves))[wave_index]
    wave = goal.waves[index]
    names = organisations or {}
    titles = wave_titles or {}

    def judged(sentences: list[str], **fields) -> Judgement:
        return Judgement(wave.wave, wave.preliminary, sentences=tuple(sentences), **fields)

    if not wave.measured:
        return judged(
            [_("Frågan ställdes inte i den här mätomgången.")], status=None, change=None, trend=None
        )
    if wave.hidden is not None:
        sentences = [hidden_explanation(k)]
        if wave.preliminary:
            sentences.insert(0, _preliminary_sentence())
        return judged(sentences, status=None, change=None, trend=None)
    estimate = wave.estimate
    if estimate is None or estimate.base == 0:
        return judged(
            [_("Det finns inga svar att räkna en andel på i den här mätomgången.")],
            status=None,
            change=None,
            trend=None,
        )

    previous = next((w for w in goal.waves[:index] if w.wave == wave.change_since), None)
    previous_share = previous.estimate.share if previous and previous.estimate else None
    sentences: list[str] = []
    change: Direction | None = None
    if wave.preliminary:
        sentences.append(_preliminary_sentence())
        sentences.append(
            _("Hittills är andelen %(share)s (osäkerhetsintervall %(span)s).")
            % {"share": format_percent(estimate.share), "span": _span(estimate.interval)}
        )
        if wave.change is not None and previous_share is not None:
            change = Direction.NOT_JUDGED
            shown = _pair(previous_share, estimate.share) or (format_percent(estimate.share),) * 2
            sentences.append(
                _("I %(wave)s var andelen %(before)s. Förändringen bedöms när mätomgången har stängt.")
                % {"wave": titles.get(previous.wave, previous.wave), "before": shown[0]}
            )
    else:
        sentences.append(status_verdict(wave.status, goal.target, estimate))
        if wave.change is None and wave.trend_break:
            sentences.append(
                _("Frågan har ändrats sedan förra mätomgången, så resultaten går inte att jämföra.")
            )
        elif wave.change is None and not any(w.measured for w in goal.waves[:index]):
            sentences.append(_("Det här är den första mätomgången, så det finns inget att jämföra med."))
        else:
            sentences.append(
                change_verdict(
                    previous_share, estimate.share, wave.change, wave.change_p_adjusted, alpha=alpha
                )
            )
            if wave.change is not None and previous_share is not None:
                change = change_direction(
                    previous_share, estimate.share, wave.change, wave.change_p_adjusted, alpha=alpha
                )
            if (
                wave.change is not None
                and previous is not None
                and index
                and goal.waves[index - 1] is not previous
            ):
                sentences.append(
                    _("Jämförelsen görs med mätomgången %(wave)s.")
                    % {"wave": titles.get(previous.wave, previous.wave)}
                )

    sentences += note_sentences(
        wave.notes or estimate.notes,
        unrepresented=[names.get(code, code) for code in estimate.unrepresented],
        population=estimate.population,
        compared_population=wave.compared_population,
    )
    warning = response_rate_warning(estimate.response_rate, low=low_response, bounds=estimate.bounds)
    if warning:
        sentences.append(warning)

    trend: Direction | None = None
    if (
        goal.trend is not None
        and goal.trend_waves
        and goal.trend_waves[-1] == wave.wave
        and not wave.preliminary
    ):
        first = next((w for w in goal.waves if w.wave == goal.trend_waves[0]), None)
        trend = trend_direction(goal.trend, goal.trend_p_adjusted, alpha=alpha)
        sentences.append(
            trend_verdict(
                goal.trend,
                goal.trend_p_adjusted,
                first.estimate.share if first and first.estimate else None,
                estimate.share,
                len(goal.trend_waves),
                alpha=alpha,
            )
        )
        if Note.POPULATION_CHANGED in goal.trend_notes:
            sentences.append(
                _(
                    "Mätomgångarna i trenden gäller inte exakt samma grupp: organisationer eller "
                    "gruppstorlekar har ändrats."
                )
            )
    return judged(
        sentences,
        status=wave.status,
        change=change,
        trend=trend,
        response_rate=estimate.response_rate,
        bounds=estimate.bounds,
    )


def _preliminary_sentence() -> str:
    return _(
        "Preliminärt: mätomgången pågår och alla svar har inte kommit in. Målet och förändringen bedöms när "
        "mätomgången har stängt."
    )


def wave_summary(
    goal: GoalResult,
    wave_index: int,
    *,
    k: int = DEFAULT_K,
    alpha: float = 0.05,
    low_response: float = LOW_RESPONSE_RATE,
    organisations: Mapping[str, str] | None = None,
    wave_titles: Mapping[str, str] | None = None,
) -> list[str]:
    """The verdicts for one goal in one wave, in reading order: status, change, notes, response, trend.

    The sentences of :func:`judge`; the trend sentence is added on the last final wave it covers.
    """
    return list(
        judge(
            goal,
            wave_index,
            k=k,
            alpha=alpha,
            low_response=low_response,
            organisations=organisations,
            wave_titles=wave_titles,
        ).sentences
    )


# --- the goal's trend chart, with the same words --------------------------------------------------


def trend_points(
    goal: GoalResult, wave_titles: Mapping[str, str], *, k: int = DEFAULT_K
) -> tuple[SharePoint, ...]:
    """The trend chart's points for a goal: one per wave, hidden ones marked "dold", preliminary ones so."""
    points = []
    for w in goal.waves:
        label = wave_titles.get(w.wave, w.wave)
        if not w.measured:
            points.append(SharePoint.hidden(label, _("Frågan ställdes inte")))
        elif w.hidden is not None:
            points.append(
                SharePoint(label, None, note=hidden_verdict(w.hidden, k), preliminary=w.preliminary)
            )
        elif w.estimate is None or w.estimate.base == 0:
            points.append(SharePoint.hidden(label, _("Inga svar")))
        else:
            points.append(
                SharePoint(
                    label,
                    w.estimate.share,
                    w.estimate.interval.low,
                    w.estimate.interval.high,
                    preliminary=w.preliminary,
                )
            )
    return tuple(points)


def goal_trend_recipe(
    title: str,
    goal: GoalResult,
    wave_titles: Mapping[str, str],
    *,
    k: int = DEFAULT_K,
    wave_index: int | None = None,
    organisations: Mapping[str, str] | None = None,
    confidence: float = 0.95,
) -> ChartRecipe:
    """The goal's trend chart, whose text carries the judgement of ``wave_index`` (default: the latest
    measured wave, as the overview shows it): the same sentences as the verdict beside it."""
    if wave_index is None:
        latest = [i for i, w in enumerate(goal.waves) if w.measured]
        wave_index = latest[-1] if latest else None
    verdict = (
        judge(goal, wave_index, k=k, organisations=organisations, wave_titles=wave_titles).sentences
        if wave_index is not None
        else ()
    )
    return recipe(
        trend_chart,
        title,
        trend_points(goal, wave_titles, k=k),
        goal.target,
        verdict=verdict,
        confidence=confidence,
    )
