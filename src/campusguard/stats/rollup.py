"""Incremental rollup writes and period reads over the daily/monthly counter tables.

Writes are dialect upserts (SQLite and PostgreSQL both support ON CONFLICT) so concurrent handlers
add to a counter without read-modify-write races. A period read takes whole months from the monthly
table and the ragged edges from the daily table, so a year costs ~12 rows per counter and school.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from campusguard.stats.models import StatsDaily, StatsMonthly, StatsSource
from campusguard.stats.periods import Period


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table))


def _month_of(day: date) -> date:
    return day.replace(day=1)


def mark_source(session: Session, series: str) -> None:
    """Remember that a series has a live source (a no-op upsert after the first write)."""
    stmt = _insert(session, StatsSource.__table__).values(series=series).on_conflict_do_nothing()
    session.execute(stmt)


def add(session: Session, *, school_id: int, day: date, series: str, dim: str = "", n: int = 1,
        total: float = 1.0) -> None:
    """Add to one counter (daily and monthly) in the caller's transaction."""
    for table, key, when in ((StatsDaily.__table__, "day", day),
                             (StatsMonthly.__table__, "month", _month_of(day))):
        stmt = _insert(session, table).values(
            {key: when, "series": series, "dim": dim, "school_id": school_id, "n": n, "total": total})
        stmt = stmt.on_conflict_do_update(
            index_elements=[key, "series", "dim", "school_id"],
            set_={"n": table.c.n + stmt.excluded.n, "total": table.c.total + stmt.excluded.total})
        session.execute(stmt)
    mark_source(session, series)


def set_snapshot(session: Session, *, school_id: int, day: date, series: str, value: float) -> None:
    """Replace a snapshot counter for a day; the month keeps the sum of its days (for averages)."""
    old = session.scalar(select(StatsDaily.total).where(
        StatsDaily.day == day, StatsDaily.series == series, StatsDaily.dim == "",
        StatsDaily.school_id == school_id))
    if old is not None and old == value:
        return
    if old is None:
        add(session, school_id=school_id, day=day, series=series, n=1, total=value)
        return
    session.execute(update(StatsDaily).where(
        StatsDaily.day == day, StatsDaily.series == series, StatsDaily.dim == "",
        StatsDaily.school_id == school_id).values(total=value))
    session.execute(update(StatsMonthly).where(
        StatsMonthly.month == _month_of(day), StatsMonthly.series == series, StatsMonthly.dim == "",
        StatsMonthly.school_id == school_id).values(total=StatsMonthly.total + (value - old)))


def known_sources(session: Session) -> set[str]:
    """Every series that has ever received data."""
    return set(session.scalars(select(StatsSource.series)).all())


@dataclass(frozen=True, slots=True)
class Split:
    """A period cut into whole months and leftover day ranges."""

    months: tuple[date, date] | None  # [first month, month after last)
    day_ranges: tuple[tuple[date, date], ...]


def split_period(start: date, end: date) -> Split:
    """Whole calendar months inside [start, end) go to the monthly table, the rest to daily."""
    first_full = start if start.day == 1 else _next_month(start)
    last_full = _month_of(end)  # months strictly before this are whole if >= first_full
    if first_full >= last_full:
        return Split(None, ((start, end),))
    ranges = []
    if start < first_full:
        ranges.append((start, first_full))
    if last_full < end:
        ranges.append((last_full, end))
    return Split((first_full, last_full), tuple(ranges))


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


Key = tuple[Any, ...]


def _scoped(stmt: Select[Any], column: Any, school_ids: set[int] | None) -> Select[Any]:
    if school_ids is None:
        return stmt
    return stmt.where(column.in_(sorted(school_ids)))


def read_counters(session: Session, *, period: Period, series: Iterable[str], school_ids: set[int] | None,
                  per_school: bool = False, dims: str = "all") -> dict[Key, tuple[int, float]]:
    """Sum counters over the period: key (series, dim) or (school_id, series, dim) -> (n, total).

    `dims`: "all", "base" (totals only) or "base+hist" (totals and histogram buckets).
    """
    names = sorted(set(series))
    out: dict[Key, list[float]] = defaultdict(lambda: [0, 0.0])
    if not names or school_ids == set():
        return {}
    split = split_period(period.start, period.end)
    parts: list[tuple[Any, Any, date, date]] = []
    if split.months:
        parts.append((StatsMonthly, StatsMonthly.month, *split.months))
    for lo, hi in split.day_ranges:
        parts.append((StatsDaily, StatsDaily.day, lo, hi))
    for model, when, lo, hi in parts:
        cols = [model.series, model.dim]
        if per_school:
            cols.insert(0, model.school_id)
        stmt = select(*cols, func.sum(model.n), func.sum(model.total)).where(
            when >= lo, when < hi, model.series.in_(names))
        if dims == "base":
            stmt = stmt.where(model.dim == "")
        elif dims == "base+hist":
            stmt = stmt.where(or_(model.dim == "", model.dim.startswith("b:")))
        stmt = _scoped(stmt, model.school_id, school_ids).group_by(*cols)
        for row in session.connection().execute(stmt):  # Core rows: no ORM loading per row
            *key, n, total = row
            acc = out[tuple(key)]
            acc[0] += int(n or 0)
            acc[1] += float(total or 0.0)
    return {k: (int(v[0]), float(v[1])) for k, v in out.items()}


def read_latest(session: Session, *, period: Period, series: Iterable[str], school_ids: set[int] | None,
                per_school: bool = False) -> dict[Key, float]:
    """Snapshot counters on the last day of the period that has a snapshot (per series), in two queries."""
    out: dict[Key, float] = {}
    names = sorted(set(series))
    if school_ids == set() or not names:
        return out
    # Snapshots are taken for every school at once, so the last snapshot day is global per series
    # (one index probe each); schools without a row that day simply have no value.
    wanted: dict[str, date] = {}
    for name in names:
        last = session.scalar(select(func.max(StatsDaily.day)).where(
            StatsDaily.series == name, StatsDaily.day >= period.start, StatsDaily.day < period.end))
        if last is not None:
            wanted[name] = last
    if not wanted:
        return out
    stmt = _scoped(select(StatsDaily.school_id, StatsDaily.series, StatsDaily.day, StatsDaily.total).where(
        StatsDaily.series.in_(sorted(wanted)), StatsDaily.dim == "",
        StatsDaily.day.in_(sorted(set(wanted.values())))), StatsDaily.school_id, school_ids)
    for sid, name, day, total in session.connection().execute(stmt):
        if wanted.get(name) != day:
            continue
        key: Key = (sid, name, "") if per_school else (name, "")
        out[key] = out.get(key, 0.0) + float(total)
    return out


def read_trend(session: Session, *, period: Period, series: Iterable[str], school_ids: set[int] | None,
               monthly: bool) -> dict[tuple[date, str], float]:
    """Totals per day (or per month) of each series' dim "" over the period."""
    model: Any = StatsMonthly if monthly else StatsDaily
    when = model.month if monthly else model.day
    lo = _month_of(period.start) if monthly else period.start
    stmt = select(when, model.series, func.sum(model.total)).where(
        when >= lo, when < period.end, model.series.in_(sorted(set(series))), model.dim == "")
    stmt = _scoped(stmt, model.school_id, school_ids).group_by(when, model.series)
    return {(d, s): float(t or 0.0) for d, s, t in session.connection().execute(stmt)}


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days)]
