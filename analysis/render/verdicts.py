"""Plain-Swedish verdicts for länsledning, built from the results engine's objects (analysis.stats.goal_results).

Every sentence says what the numbers allow and no more:

- **Change between two waves** is *statistiskt säkerställd* only when the p-value is below ``alpha`` **and**
  Newcombe's interval for the difference excludes 0. The p-value is the Holm-adjusted one when the caller
  has it (``WaveResult.change_p_adjusted``: the plan's goals are compared on one screen), else the raw
  two-proportion test. The z-test and the Newcombe interval are different methods and can disagree right at
  the border; the interval is not adjusted for multiplicity either, so asking for both is the conservative
  choice: a change is never called certain when one of them says it may be chance. ``alpha`` should match the
  interval's level (0.05 for the engine's 95 % intervals).
- **Goal status** follows ``analysis.stats.estimates.goal_status``: the interval, never the point estimate, decides.
  The bound that decides is named ("även den lägsta rimliga nivån …").
- **Trend** (three or more waves) is Cochran–Armitage, again with the adjusted p when given.

Percentages are written the Swedish way, "42 %" with a no-break space, rounded half up (0.425 → "43 %").
When two numbers in one sentence would round to the same text although they differ, one more decimal is
shown, so a sentence never says "från 42 % till 42 %".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from analysis.render.formatting import format_share
from analysis.stats.disclosure import DEFAULT_K, SuppressionReason
from analysis.stats.effects import Change, ShareEstimate
from analysis.stats.estimates import GoalStatus, Interval, Test
from analysis.stats.goal_results import GoalResult, WaveResult
from analysis.stats.linked_tables import open_link_minimum
from locales import gettext as _
from locales import ngettext

__all__ = [
    "change_verdict",
    "format_percent",
    "hidden_verdict",
    "response_rate_warning",
    "status_verdict",
    "trend_verdict",
    "wave_summary",
]

NBSP = "\u00a0"
# One extra decimal at most twice: enough to separate any two shares that differ by 0.0001 or more.
_MAX_EXTRA_DECIMALS = 2


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


def _significant(p_value: float | None, alpha: float) -> bool:
    return p_value is not None and math.isfinite(p_value) and p_value < alpha


# --- change since the previous wave ---------------------------------------------------------------


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
    p_value = p_adjusted if p_adjusted is not None else change.test.p_value
    excludes_zero = change.interval.low > 0 or change.interval.high < 0
    shown = _pair(previous_share, current_share)
    if _significant(p_value, alpha) and excludes_zero and shown is not None:
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
    status: GoalStatus | str | None, target: float, estimate: ShareEstimate | Interval | None
) -> str:
    """Whether the goal is reached, decided by the interval and saying which bound decided it."""
    goal = _target(target)
    interval = _interval(estimate)
    if status is None or interval is None:
        return _(
            "Det går inte att bedöma om målet (minst %(target)s) är uppnått: det finns inga svar att räkna på."
        ) % {"target": goal}
    status = GoalStatus(status)
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


# --- hidden groups and response rate --------------------------------------------------------------


def hidden_verdict(reason: SuppressionReason | str, k: int = DEFAULT_K) -> str:
    """Why a group's numbers are not shown (disclosure control), for the page, the report and exports."""
    reason = SuppressionReason(reason)
    if reason is SuppressionReason.HIDDEN:
        return _("dold")
    if reason is SuppressionReason.BELOW_MINIMUM:
        return _("För få svar för att redovisa (färre än %(k)s).") % {"k": k}
    if reason is SuppressionReason.COMPLEMENTARY:
        return _("Redovisas inte, så att svaren i en annan liten grupp inte kan räknas fram.")
    if reason is SuppressionReason.HOMOGENEOUS:
        return _(
            "Redovisas inte: alla i den lilla gruppen svarade likadant, så varje persons svar skulle synas."
        )
    return _("Fritextsvar visas först när minst %(k)s personer har svarat.") % {"k": k}


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


def response_rate_warning(rate: float | None, *, low: float = 0.3) -> str | None:
    """A warning when fewer than ``low`` of the target group answered; None when the rate is fine or unknown."""
    if rate is None or not math.isfinite(rate) or rate >= low:
        return None
    return _("Svarsfrekvensen är låg (%(rate)s): resultatet kan vara skevt.") % {
        "rate": _apart_from(rate, low)
    }


# --- trend over three or more waves ---------------------------------------------------------------


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


# --- one row of the overview ----------------------------------------------------------------------


def _answered(wave: WaveResult) -> bool:
    return wave.measured and wave.estimate is not None and wave.estimate.base > 0


def _trend_segment(waves: Sequence[WaveResult]) -> list[int]:
    """Indexes of the waves the engine's trend is computed over: answered waves since the last trend break.

    Mirrors analysis.stats.goal_results: a break resets the segment on a measured wave only.
    """
    segment: list[int] = []
    for index, wave in enumerate(waves):
        if not wave.measured:
            continue
        if wave.trend_break:
            segment = []
        if _answered(wave):
            segment.append(index)
    return segment


def wave_summary(
    goal: GoalResult,
    wave_index: int,
    *,
    k: int = DEFAULT_K,
    alpha: float = 0.05,
    low_response: float = 0.3,
) -> list[str]:
    """The verdicts for one goal in one wave, in reading order: status, change, warnings, trend.

    The trend sentence is added on the last wave it covers. ``k`` is the disclosure threshold the results
    were computed with (it is named in the "för få svar" sentence).
    """
    index = range(len(goal.waves))[wave_index]
    wave = goal.waves[index]
    if not wave.measured:
        return [_("Frågan ställdes inte i den här mätomgången.")]
    if wave.hidden is not None:
        return [hidden_explanation(k)]
    estimate = wave.estimate
    if estimate is None or estimate.base == 0:
        return [_("Det finns inga svar att räkna en andel på i den här mätomgången.")]

    sentences = [status_verdict(wave.status, goal.target, estimate)]

    previous = next((w for w in goal.waves[:index] if w.wave == wave.change_since), None)
    if wave.change is None and wave.trend_break:
        sentences.append(_("Frågan har ändrats sedan förra mätomgången, så resultaten går inte att jämföra."))
    elif wave.change is None and not any(w.measured for w in goal.waves[:index]):
        sentences.append(_("Det här är den första mätomgången, så det finns inget att jämföra med."))
    else:
        sentences.append(
            change_verdict(
                previous.estimate.share if previous and previous.estimate else None,
                estimate.share,
                wave.change,
                wave.change_p_adjusted,
                alpha=alpha,
            )
        )
        if (
            wave.change is not None
            and previous is not None
            and index
            and goal.waves[index - 1] is not previous
        ):
            sentences.append(_("Jämförelsen görs med mätomgången %(wave)s.") % {"wave": previous.wave})

    warning = response_rate_warning(estimate.response_rate, low=low_response)
    if warning:
        sentences.append(warning)

    segment = _trend_segment(goal.waves)
    if goal.trend is not None and segment and segment[-1] == index:
        first, last = goal.waves[segment[0]].estimate, estimate
        sentences.append(
            trend_verdict(
                goal.trend,
                goal.trend_p_adjusted,
                first.share if first else None,
                last.share,
                len(segment),
                alpha=alpha,
            )
        )
    return sentences
