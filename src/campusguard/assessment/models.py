"""Assessment tables: versioned schemes, frozen input snapshots, runs, per-school results, bureau pushes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campusguard.core.crypto import EncryptedText
from campusguard.core.db import Base, JSONType, UTCDateTime, utcnow


class Scheme(Base):
    """One version of an assessment scheme; the definition is validated data, never code."""

    __tablename__ = "assessment_schemes"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(48), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(128))
    definition: Mapped[dict[str, Any]] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128), default="system")


class InputSnapshot(Base):
    """Metric inputs of every school for a closed period, frozen so re-runs reproduce the result."""

    __tablename__ = "assessment_inputs"
    __table_args__ = (Index("ix_assessment_inputs_period", "period", "metrics_key", "frozen"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(32))
    metrics_key: Mapped[str] = mapped_column(String(64))  # sha256 of the sorted metric names
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)  # closed period: reused by re-runs
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    schools: Mapped[dict[str, Any]] = mapped_column()  # {school_id: {name, district_code, ...}}
    values: Mapped[dict[str, Any]] = mapped_column()  # {school_id: {metric: value | None}}
    digest: Mapped[str] = mapped_column(String(64))


class Run(Base):
    """Scoring of every school for one period under one scheme version."""

    __tablename__ = "assessment_runs"
    __table_args__ = (Index("ix_assessment_runs_period", "period", "scheme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(32))
    period_kind: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("assessment_schemes.id"), index=True)
    input_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_inputs.id", ondelete="SET NULL"))
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    trigger: Mapped[str] = mapped_column(String(16), default="manual")  # manual | scheduled
    region_code: Mapped[str | None] = mapped_column(String(12))
    school_count: Mapped[int] = mapped_column(Integer, default=0)
    result_digest: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128), default="system")


class Result(Base):
    """One school's score in a run, with its explained lines and ranks."""

    __tablename__ = "assessment_results"
    __table_args__ = (UniqueConstraint("run_id", "school_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("assessment_runs.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(Integer, index=True)
    school_code: Mapped[str] = mapped_column(String(32))
    school_name: Mapped[str] = mapped_column(String(128))
    district_code: Mapped[str] = mapped_column(String(12))
    district_name: Mapped[str] = mapped_column(String(64))
    school_type: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    rank_district: Mapped[int] = mapped_column(Integer)
    rank_type: Mapped[int] = mapped_column(Integer)
    groups: Mapped[dict[str, Any]] = mapped_column(default=dict)
    lines: Mapped[list[Any]] = mapped_column(JSONType, default=list)


class Endpoint(Base):
    """The education bureau's receiver of results (signed webhook)."""

    __tablename__ = "assessment_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    url: Mapped[str] = mapped_column(String(512))
    secret: Mapped[str] = mapped_column(EncryptedText())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Delivery(Base):
    """One push of one run to one endpoint, retried by a durable job until acknowledged."""

    __tablename__ = "assessment_deliveries"
    __table_args__ = (UniqueConstraint("run_id", "endpoint_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("assessment_runs.id", ondelete="CASCADE"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("assessment_endpoints.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
