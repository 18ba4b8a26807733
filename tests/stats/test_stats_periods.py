"""Period grammar: every accepted label maps to the right local-date range, and junk is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from campusguard.stats.periods import (
    PeriodError,
    PeriodKind,
    last_closed,
    local_day,
    parse_period,
)


def test_iso_week() -> None:
    p = parse_period("2026-W47")
    assert p.kind is PeriodKind.WEEK
    assert (p.start, p.end) == (date(2026, 11, 16), date(2026, 11, 23))
    assert p.label == "2026-W47"


def test_iso_week_belongs_to_iso_year() -> None:
    p = parse_period("2026-W01")  # ISO week 1 of 2026 starts Monday 2025-12-29
    assert p.start == date(2025, 12, 29)
    with pytest.raises(PeriodError):
        parse_period("2026-W54")


def test_month_and_december_rollover() -> None:
    nov = parse_period("2026-11")
    assert (nov.start, nov.end) == (date(2026, 11, 1), date(2026, 12, 1))
    dec = parse_period("2026-12")
    assert dec.end == date(2027, 1, 1) and dec.days == 31
    with pytest.raises(PeriodError):
        parse_period("2026-13")


def test_quarter() -> None:
    q = parse_period("2026-Q4")
    assert (q.start, q.end, q.kind) == (date(2026, 10, 1), date(2027, 1, 1), PeriodKind.QUARTER)
    assert parse_period("2026-Q1").days == 90
    with pytest.raises(PeriodError):
        parse_period("2026-Q5")


def test_day_year_range_relative() -> None:
    assert parse_period("2026-11-23").days == 1
    assert parse_period("2026").days == 365
    r = parse_period("2026-11-01..2026-11-30")
    assert r.days == 30 and r.label == "2026-11-01..2026-11-30"
    rel = parse_period("7d", today=date(2026, 11, 23))
    assert (rel.start, rel.end) == (date(2026, 11, 17), date(2026, 11, 24))


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "2026-W",
        "26-Q4",
        "2026-02-30",
        "1999-11",
        "2026-11-30..2026-11-01",
        "0d",
        "abc",
        "2026-Q4; drop table",
    ],
)
def test_refused(bad: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(bad)


def test_utc_bounds_follow_city_timezone() -> None:
    p = parse_period("2026-11")
    assert p.start_utc == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert local_day(datetime(2026, 11, 22, 16, 30, tzinfo=UTC)) == date(2026, 11, 23)


def test_closed_and_previous() -> None:
    now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
    assert last_closed(PeriodKind.WEEK, now).label == "2026-W47"
    assert last_closed(PeriodKind.MONTH, now).label == "2026-10"
    assert last_closed(PeriodKind.QUARTER, now).label == "2026-Q3"
    assert parse_period("2026-W47").is_closed(now)
    assert not parse_period("2026-W48").is_closed(now)
    assert parse_period("2027-Q1").previous().label == "2026-Q4"
