"""Metric values for any scope and period, from rollups or from domains' registered providers.

This is the one read API of the metrics feed: dashboards, briefings, rollout and assessment all call
`compute` / `compute_per_school`, never the rollup tables or other domains' tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import structlog
from sqlalchemy.orm import Session

from campusguard.bus.events import Event
from campusguard.stats import feed, rollup
from campusguard.stats import metrics as M
from campusguard.stats.histogram import percentile
from campusguard.stats.metrics import CATALOGUE, METRICS, Kind, Metric, Unit
from campusguard.stats.periods import Period

log = structlog.get_logger(__name__)

ProviderFn = Callable[[Session, "set[int] | None", datetime, datetime], "dict[int, float | None]"]
"""fn(session, school_ids (None = all), start_utc, end_utc) -> {school_id: value or None}."""

_providers: dict[str, ProviderFn] = {}


def register_metric(name: str, fn: ProviderFn) -> None:
    """Let a domain compute a catalogue metric itself (it then overrides the rollups for that metric)."""
    if name not in METRICS:
        raise KeyError(f"unknown metric {name!r}: add it to stats.metrics.CATALOGUE first")
    _providers[name] = fn
    log.info("stats.provider_registered", metric=name)


def unregister_metric(name: str) -> None:
    _providers.pop(name, None)


def ingest(session: Session, event: Event) -> int:
    """Apply one bus event to the rollups (idempotent)."""
    return feed.ingest(session, event)


@dataclass(frozen=True, slots=True)
class MetricValue:
    """A metric's value in a scope and period; `status` is "no_data" when nothing feeds it yet."""

    name: str
    value: float | None
    status: str
    numerator: float | None = None
    denominator: float | None = None
    samples: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pick(names: Iterable[str] | None) -> list[Metric]:
    if names is None:
        return list(CATALOGUE)
    unknown = sorted(set(names) - set(METRICS))
    if unknown:
        raise KeyError(f"unknown metrics {unknown}")
    return [METRICS[n] for n in names]


def _series_needed(metrics: list[Metric]) -> tuple[set[str], set[str]]:
    counters: set[str] = set()
    latest: set[str] = set()
    for m in metrics:
        if m.name in _providers:
            continue
        (latest if m.kind in (Kind.LATEST, Kind.LATEST_RATE) else counters).update(m.series_used)
    return counters, latest


def _evaluate(m: Metric, counters: dict[tuple[str, str], tuple[int, float]],
              latest: dict[tuple[str, str], float], sources: set[str],
              hist: dict[str, dict[int, int]]) -> MetricValue:
    """Value of one metric from already-summed series."""
    def total(series: str) -> float:
        return counters.get((series, ""), (0, 0.0))[1]

    if m.kind is Kind.COUNT:
        if m.series not in sources:
            return MetricValue(m.name, 0.0, "no_data")
        return MetricValue(m.name, total(m.series), "ok", samples=counters.get((m.series, ""), (0, 0))[0])
    if m.kind is Kind.RATE:
        num, den = total(m.numerator), total(m.denominator)
        if den <= 0:
            return MetricValue(m.name, None, "no_data", num, den)
        return MetricValue(m.name, min(1.0, num / den), "ok", num, den)
    if m.kind is Kind.PERCENTILE:
        buckets = hist.get(m.series, {})
        value = percentile(buckets, m.quantile) if buckets else None
        return MetricValue(m.name, value, "ok" if value is not None else "no_data",
                           samples=sum(buckets.values()))
    if m.kind is Kind.LATEST:
        if (m.series, "") not in latest:
            return MetricValue(m.name, 0.0, "no_data")
        return MetricValue(m.name, latest[(m.series, "")], "ok")
    num_l, den_l = latest.get((m.numerator, "")), latest.get((m.denominator, ""))
    if not den_l:
        return MetricValue(m.name, None, "no_data", num_l, den_l)
    return MetricValue(m.name, min(1.0, (num_l or 0.0) / den_l), "ok", num_l, den_l)


def _hist_of(counters: dict[tuple[str, str], tuple[int, float]]) -> dict[str, dict[int, int]]:
    hist: dict[str, dict[int, int]] = defaultdict(dict)
    for (series, dim), (n, _) in counters.items():
        if dim.startswith("b:"):
            hist[series][int(dim[2:])] = n
    return hist


def _aggregate_provider(m: Metric, values: dict[int, float | None]) -> MetricValue:
    present = [v for v in values.values() if v is not None]
    if not present:
        return MetricValue(m.name, None if m.unit is not Unit.COUNT else 0.0, "no_data")
    if m.unit is Unit.COUNT:
        return MetricValue(m.name, float(sum(present)), "ok", samples=len(present))
    return MetricValue(m.name, sum(present) / len(present), "ok", samples=len(present))


def aggregate_values(session: Session, *, period: Period, school_ids: set[int] | None,
                     names: Iterable[str] | None = None, extra_series: Iterable[str] = ()
                     ) -> tuple[dict[str, MetricValue], dict[tuple[str, str], tuple[int, float]]]:
    """Metrics over the whole scope plus the summed counters (all dims, e.g. for breakdowns)."""
    metrics = _pick(names)
    counter_series, latest_series = _series_needed(metrics)
    counters: dict[tuple[str, str], tuple[int, float]] = {
        (k[0], k[1]): v for k, v in rollup.read_counters(
            session, period=period, series=counter_series | set(extra_series), school_ids=school_ids).items()}
    latest = {(k[0], k[1]): v for k, v in rollup.read_latest(
        session, period=period, series=latest_series, school_ids=school_ids).items()}
    sources = rollup.known_sources(session)
    hist = _hist_of(counters)
    out: dict[str, MetricValue] = {}
    for m in metrics:
        provider = _providers.get(m.name)
        if provider is not None:
            out[m.name] = _aggregate_provider(m, _call(provider, m, session, school_ids, period))
        else:
            out[m.name] = _evaluate(m, counters, latest, sources, hist)
    return out, counters


def compute(session: Session, *, period: Period, school_ids: set[int] | None,
            names: Iterable[str] | None = None) -> dict[str, MetricValue]:
    """Every requested metric aggregated over the scope (None = whole city) and period."""
    return aggregate_values(session, period=period, school_ids=school_ids, names=names)[0]


def _call(provider: ProviderFn, m: Metric, session: Session, school_ids: set[int] | None,
          period: Period) -> dict[int, float | None]:
    memo: dict[tuple[Any, ...], dict[int, float | None]] | None = session.info.get(_MEMO)
    key = (m.name, period.start, period.end, None if school_ids is None else frozenset(school_ids))
    if memo is not None and key in memo:
        return memo[key]
    try:
        values = dict(provider(session, school_ids, period.start_utc, period.end_utc))
    except Exception:  # a broken provider must not take the dashboard down
        log.exception("stats.provider_failed", metric=m.name)
        values = {}
    if memo is not None:
        memo[key] = values
    return values


_MEMO = "stats.provided"


@contextmanager
def provider_memo(session: Session) -> Iterator[None]:
    """Call each provider once while one read-only view asks for the same metric several times."""
    if _MEMO in session.info:
        yield
        return
    session.info[_MEMO] = {}
    try:
        yield
    finally:
        session.info.pop(_MEMO, None)


def compute_per_school(session: Session, *, period: Period, school_ids: set[int] | None,
                       names: Iterable[str] | None = None) -> dict[int, dict[str, MetricValue]]:
    """The same metrics for each school separately (assessment inputs, map colours, district tables).

    Only the dims the metrics need are read: totals, plus histogram buckets when a percentile is asked.
    """
    metrics = _pick(names)
    counter_series, latest_series = _series_needed(metrics)
    with_hist = any(m.kind is Kind.PERCENTILE for m in metrics)
    counters: dict[int, dict[tuple[str, str], tuple[int, float]]] = defaultdict(dict)
    for (sid, series, dim), v in rollup.read_counters(
            session, period=period, series=counter_series, school_ids=school_ids, per_school=True,
            dims="base+hist" if with_hist else "base").items():
        counters[sid][(series, dim)] = v
    latest: dict[int, dict[tuple[str, str], float]] = defaultdict(dict)
    for (sid, series, dim), val in rollup.read_latest(session, period=period, series=latest_series,
                                                      school_ids=school_ids, per_school=True).items():
        latest[sid][(series, dim)] = val
    provided = {m.name: _call(p, m, session, school_ids, period)
                for m in metrics if (p := _providers.get(m.name)) is not None}
    sources = rollup.known_sources(session)
    ids = set(school_ids) if school_ids is not None else set(counters).union(latest, *provided.values())
    out: dict[int, dict[str, MetricValue]] = {}
    empty_c: dict[tuple[str, str], tuple[int, float]] = {}
    empty_l: dict[tuple[str, str], float] = {}
    for sid in sorted(ids):
        c, lt = counters.get(sid, empty_c), latest.get(sid, empty_l)
        hist = _hist_of(c) if with_hist else {}
        row: dict[str, MetricValue] = {}
        for m in metrics:
            if m.name in provided:
                pv = provided[m.name].get(sid)
                row[m.name] = MetricValue(m.name, pv, "ok" if pv is not None else "no_data")
            else:
                row[m.name] = _evaluate(m, c, lt, sources, hist)
        out[sid] = row
    return out


BREAKDOWN_SERIES = (M.S_ALARM_RAISED, M.S_ALARM_RESOLVED)


def breakdown(counters: dict[tuple[str, str], tuple[int, float]]) -> dict[str, Any]:
    """Alarms by type, local hour and outcome, from summed counters (see `Loaded.total_counters`)."""
    by_type: dict[str, int] = {}
    by_hour = [0] * 24
    by_outcome: dict[str, int] = {}
    for (series, dim), (n, _) in counters.items():
        if series == M.S_ALARM_RAISED and dim.startswith("type:"):
            by_type[dim[5:]] = n
        elif series == M.S_ALARM_RAISED and dim.startswith("hour:"):
            by_hour[int(dim[5:])] = n
        elif series == M.S_ALARM_RESOLVED and dim.startswith("outcome:"):
            by_outcome[dim[8:]] = n
    return {
        "by_type": [{"key": k, "count": v} for k, v in sorted(by_type.items(), key=lambda kv: -kv[1])],
        "by_hour": by_hour,
        "by_outcome": [{"key": k, "count": v} for k, v in sorted(by_outcome.items(), key=lambda kv: -kv[1])],
    }


TREND_METRICS = ("alarms_total", "hazards_found", "hazards_rectified", "drills_done", "face_alerts",
                 "camera_online_rate", "patrol_completion_rate")


def trend(session: Session, *, period: Period, school_ids: set[int] | None,
          names: Iterable[str] = TREND_METRICS) -> dict[str, Any]:
    """Per-day (periods up to a quarter) or per-month series of count and rate metrics."""
    metrics = [m for m in _pick(names) if m.kind in (Kind.COUNT, Kind.RATE) and m.name not in _providers]
    monthly = period.days > 92
    series = {s for m in metrics for s in m.series_used}
    raw = rollup.read_trend(session, period=period, series=series, school_ids=school_ids, monthly=monthly)
    if monthly:
        buckets: list[date] = []
        d = period.start.replace(day=1)
        while d < period.end:
            buckets.append(d)
            d = date(d.year + 1, 1, 1) if d.month == 12 else date(d.year, d.month + 1, 1)
        labels = [b.strftime("%Y-%m") for b in buckets]
    else:
        buckets = rollup.days(period.start, period.end)
        labels = [b.isoformat() for b in buckets]
    out: dict[str, list[float | None]] = {}
    for m in metrics:
        values: list[float | None] = []
        for b in buckets:
            if m.kind is Kind.COUNT:
                values.append(raw.get((b, m.series), 0.0))
            else:
                den = raw.get((b, m.denominator), 0.0)
                values.append(round(raw.get((b, m.numerator), 0.0) / den, 4) if den > 0 else None)
        out[m.name] = values
    return {"granularity": "month" if monthly else "day", "labels": labels, "series": out}


def _install_builtin_providers() -> None:
    from campusguard.stats import providers

    providers.install()


_install_builtin_providers()
