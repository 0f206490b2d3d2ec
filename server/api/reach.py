"""/api/v1/plans/{code}/reach/trend: reach per month beside each wave's channel recall and L1–L2, as JSON.

The same function as the page (`surveys/results/overview.py::reach_trend`). Reach is an output (L0), never
an effect; a month without figures is `null` with `missing: true`, never 0; a hidden share is never sent.
"""

from __future__ import annotations

from datetime import date

import msgspec
from litestar import Request, get
from litestar.params import FromPath, FromQuery

from analysis.render.reach_trends import ReachSeries
from locales import gettext as _
from server.auth import requires
from surveys.accounts.users import Role
from surveys.results.overview import REACH_STEPS, ReachTrend, ShareText, reach_trend
from surveys.results.plan_results import plan_results


class PeriodOut(msgspec.Struct):
    start: date
    end: date
    value: int


class MonthOut(msgspec.Struct):
    month: date  # the month's first day
    value: int | None  # the month's own figure; null when it has none
    missing: bool  # no figure at all for this month, not even in a longer period
    in_longer_period: bool  # covered by one of the series' longer periods


class SeriesOut(msgspec.Struct):
    key: str  # channel or activity code
    name: str
    metric: str
    months: list[MonthOut]
    longer_periods: list[PeriodOut]  # imported for more than a month; not split into months


class ShareOut(msgspec.Struct):
    """A published share (proportions 0–1), or `hidden` (docs/dataskydd.md): then no number at all."""

    share: float | None
    low: float | None
    high: float | None
    hidden: bool


class WaveBesideOut(msgspec.Struct):
    slug: str
    title: str
    opens: date
    closes: date
    preliminary: bool  # from an interim release of an open wave
    recall: dict[str, ShareOut]  # channel code → share who recall it
    steps: dict[str, ShareOut]  # "L1", "L2" → share on the step


class MetricOut(msgspec.Struct):
    code: str
    label: str


class ReachTrendOut(msgspec.Struct):
    plan: str
    note: str
    months: list[date]
    metrics: list[MetricOut]
    channels: list[SeriesOut]
    activities: list[SeriesOut]
    target_group: str | None
    waves: list[WaveBesideOut]


@get(
    "/plans/{code:str}/reach/trend",
    summary="Räckvidd över tid bredvid mätomgångarna",
    guards=[requires(Role.READER)],
)
async def reach_trend_api(
    request: Request, code: FromPath[str], target_group: FromQuery[str | None] = None
) -> ReachTrendOut:
    results = await plan_results(code, k=request.app.state.settings.min_group_size)
    return serialise(reach_trend(results, target_group or None), code)


def _series(series: ReachSeries, months: tuple[date, ...]) -> SeriesOut:
    periods = sorted({p for m in series.months for p in m.periods})
    return SeriesOut(
        series.key,
        series.label,
        series.metric,
        [
            MonthOut(month, value.value, value.missing, bool(value.periods))
            for month, value in zip(months, series.months, strict=True)
        ],
        [PeriodOut(start, end, value) for start, end, value in periods],
    )


def _share(value: ShareText) -> ShareOut:
    if value.hidden or value.share is None or value.interval is None:
        return ShareOut(None, None, None, value.hidden)
    return ShareOut(value.share, value.interval[0], value.interval[1], False)


def serialise(trend: ReachTrend, plan: str) -> ReachTrendOut:
    return ReachTrendOut(
        plan=plan,
        note=_(
            "Räckvidd är ett utfall (L0), inte en effekt. En månad utan siffror saknas, den är inte noll."
        ),
        months=list(trend.months),
        metrics=[MetricOut(code, label) for code, label in trend.metrics],
        channels=[_series(s, trend.months) for s in trend.by_channel],
        activities=[_series(s, trend.months) for s in trend.by_activity],
        target_group=trend.group.code if trend.group else None,
        waves=[
            WaveBesideOut(
                w.slug,
                w.title,
                w.opens,
                w.closes,
                w.preliminary,
                {code: _share(v) for (code, _name), v in zip(trend.channels, w.recall, strict=True)},
                {step: _share(v) for step, v in zip(REACH_STEPS, w.steps, strict=True)},
            )
            for w in trend.beside
        ],
    )


HANDLERS = [reach_trend_api]
