"""Rollup tables of the metrics feed: daily and monthly counters per school, facts for drill-down."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from campusguard.core.db import Base, UTCDateTime, utcnow


class StatsDaily(Base):
    """One counter of one school on one local day: n = occurrences, total = sum of values."""

    __tablename__ = "stats_daily"
    __table_args__ = (Index("ix_stats_daily_school_day", "school_id", "day"), {"sqlite_with_rowid": False})

    series: Mapped[str] = mapped_column(String(48), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    dim: Mapped[str] = mapped_column(String(48), primary_key=True, default="")
    school_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)


class StatsMonthly(Base):
    """The same counters summed per calendar month (month = first day), so year views read few rows."""

    __tablename__ = "stats_monthly"
    __table_args__ = (Index("ix_stats_monthly_school_month", "school_id", "month"),
                      {"sqlite_with_rowid": False})

    series: Mapped[str] = mapped_column(String(48), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    dim: Mapped[str] = mapped_column(String(48), primary_key=True, default="")
    school_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[float] = mapped_column(Float, default=0.0)


class StatsFact(Base):
    """A record behind a number (drill-down) and the idempotency key of an event's contribution."""

    __tablename__ = "stats_facts"
    __table_args__ = (
        UniqueConstraint("event_id", "series"),
        Index("ix_stats_facts_lookup", "series", "day", "school_id"),
        Index("ix_stats_facts_ref", "ref_type", "ref_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64))
    series: Mapped[str] = mapped_column(String(48))
    school_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ref_type: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float, default=1.0)
    label: Mapped[str] = mapped_column(String(160), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class StatsSource(Base):
    """Series that have ever received data: tells a true zero from a module that is not there yet."""

    __tablename__ = "stats_sources"

    series: Mapped[str] = mapped_column(String(48), primary_key=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Briefing(Base):
    """A generated weekly district briefing (PDF + XLSX kept for download)."""

    __tablename__ = "stats_briefings"
    __table_args__ = (UniqueConstraint("district_code", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_code: Mapped[str] = mapped_column(String(12), index=True)
    district_name: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)
