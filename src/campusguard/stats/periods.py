"""Reporting periods (`2026-W47`, `2026-11`, `2026-Q4`, `2026`, `2026-11-23`, `30d`) as local-date ranges.

Rollups are keyed by the city's local calendar day, so a period is a half-open range of local dates
[start, end) plus the matching UTC instants for queries on raw timestamps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_RELATIVE = re.compile(r"^(\d{1,3})d$")


class PeriodError(ValueError):
    """The period string does not match any accepted form."""


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open range of local calendar days [start, end) with its canonical label."""

    label: str
    kind: PeriodKind
    start: date
    end: date
    tz: str = DEFAULT_TZ

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def start_utc(self) -> datetime:
        return local_midnight_utc(self.start, self.tz)

    @property
    def end_utc(self) -> datetime:
        return local_midnight_utc(self.end, self.tz)

    def is_closed(self, now: datetime) -> bool:
        """True once the period's last local day is over (its figures can be frozen)."""
        return now >= self.end_utc

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind is PeriodKind.DAY:
            return day_period(self.start - timedelta(days=1), self.tz)
        if self.kind is PeriodKind.WEEK:
            return week_period(self.start - timedelta(days=7), self.tz)
        if self.kind is PeriodKind.MONTH:
            return month_period(self.start - timedelta(days=1), self.tz)
        if self.kind is PeriodKind.QUARTER:
            return quarter_period(self.start - timedelta(days=1), self.tz)
        if self.kind is PeriodKind.YEAR:
            return year_period(self.start.year - 1, self.tz)
        span = self.end - self.start
        return range_period(self.start - span, self.start, self.tz)


def local_midnight_utc(day: date, tz: str = DEFAULT_TZ) -> datetime:
    """Local midnight of `day` as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def local_day(at: datetime, tz: str = DEFAULT_TZ) -> date:
    """The local calendar day an instant falls on (the rollup key)."""
    if at.tzinfo is None:
        raise PeriodError("naive datetime: timestamps must be timezone-aware")
    return at.astimezone(ZoneInfo(tz)).date()


def local_hour(at: datetime, tz: str = DEFAULT_TZ) -> int:
    """The local hour of an instant (alarms-by-hour breakdown)."""
    return at.astimezone(ZoneInfo(tz)).hour


def day_period(day: date, tz: str = DEFAULT_TZ) -> Period:
    return Period(day.isoformat(), PeriodKind.DAY, day, day + timedelta(days=1), tz)


def week_period(day: date, tz: str = DEFAULT_TZ) -> Period:
    """The ISO week containing `day` (Monday to Sunday)."""
    iso = day.isocalendar()
    start = day - timedelta(days=iso.weekday - 1)
    return Period(f"{iso.year}-W{iso.week:02d}", PeriodKind.WEEK, start, start + timedelta(days=7), tz)


def month_period(day: date, tz: str = DEFAULT_TZ) -> Period:
    start = day.replace(day=1)
    end = date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)
    return Period(f"{start.year}-{start.month:02d}", PeriodKind.MONTH, start, end, tz)


def quarter_period(day: date, tz: str = DEFAULT_TZ) -> Period:
    q = (day.month - 1) // 3 + 1
    start = date(day.year, 3 * (q - 1) + 1, 1)
    end = date(day.year + 1, 1, 1) if q == 4 else date(day.year, 3 * q + 1, 1)
    return Period(f"{day.year}-Q{q}", PeriodKind.QUARTER, start, end, tz)


def year_period(year: int, tz: str = DEFAULT_TZ) -> Period:
    return Period(f"{year:04d}", PeriodKind.YEAR, date(year, 1, 1), date(year + 1, 1, 1), tz)


def range_period(start: date, end: date, tz: str = DEFAULT_TZ) -> Period:
    if end <= start:
        raise PeriodError("a period must end after it starts")
    last = end - timedelta(days=1)
    return Period(f"{start.isoformat()}..{last.isoformat()}", PeriodKind.RANGE, start, end, tz)


def _checked_year(text: str) -> int:
    year = int(text)
    if not 2000 <= year <= 2100:
        raise PeriodError(f"year {year} is outside 2000..2100")
    return year


def parse_period(text: str, *, today: date | None = None, tz: str = DEFAULT_TZ) -> Period:
    """Parse a period label; relative forms (`7d`, `30d`) end with `today` included."""
    value = text.strip()
    if m := _WEEK.match(value):
        year, week = _checked_year(m[1]), int(m[2])
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError as exc:
            raise PeriodError(f"{value}: ISO year {year} has no week {week}") from exc
        return week_period(monday, tz)
    if m := _QUARTER.match(value):
        return quarter_period(date(_checked_year(m[1]), 3 * (int(m[2]) - 1) + 1, 1), tz)
    if m := _MONTH.match(value):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"{value}: month must be 01..12")
        return month_period(date(_checked_year(m[1]), month, 1), tz)
    if m := _YEAR.match(value):
        return year_period(_checked_year(m[1]), tz)
    if m := _DAY.match(value):
        _checked_year(m[1])
        try:
            return day_period(date.fromisoformat(value), tz)
        except ValueError as exc:
            raise PeriodError(f"{value}: not a calendar date") from exc
    if m := _RANGE.match(value):
        try:
            first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        except ValueError as exc:
            raise PeriodError(f"{value}: not a calendar date range") from exc
        _checked_year(str(first.year))
        _checked_year(str(last.year))
        if (last - first).days > 3 * 366:
            raise PeriodError(f"{value}: ranges are limited to three years")
        return range_period(first, last + timedelta(days=1), tz)
    if m := _RELATIVE.match(value):
        n = int(m[1])
        if not 1 <= n <= 366:
            raise PeriodError(f"{value}: relative periods are 1d..366d")
        end = (today or datetime.now(ZoneInfo(tz)).date()) + timedelta(days=1)
        return range_period(end - timedelta(days=n), end, tz)
    raise PeriodError(
        f"{value!r} is not a period: use 2026-W47, 2026-11, 2026-Q4, 2026, 2026-11-23, "
        "2026-11-01..2026-11-30 or 30d"
    )


def last_closed(kind: PeriodKind, now: datetime, tz: str = DEFAULT_TZ) -> Period:
    """The most recent period of `kind` that is over at `now` (what a period-end job scores)."""
    today = local_day(now, tz)
    builders = {PeriodKind.WEEK: week_period, PeriodKind.MONTH: month_period,
                PeriodKind.QUARTER: quarter_period, PeriodKind.DAY: day_period}
    if kind not in builders:
        raise PeriodError(f"no period-end schedule for {kind}")
    return builders[kind](today, tz).previous()
