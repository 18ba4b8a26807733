"""Duty registration tables: checkpoints, routes, shifts, check-ins, anomalies, photos, roll calls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campusguard.core.db import Base, TimestampMixin, UTCDateTime, utcnow

ANOMALY_KINDS = (
    "forged_token",
    "replayed_token",
    "expired_token",
    "malformed_token",
    "far_away",
    "clock_skew",
    "wrong_school",
    "missed_checkpoint",
    "late_checkpoint",
    "post_left",
    "rollcall_late",
    "rollcall_missing",
)
SHIFT_POSTS = ("patrol", "gatehouse", "monitoring_room", "other")


class Checkpoint(TimestampMixin, Base):
    """A place a guard must visit; its QR code carries a signed token of the current `qr_version`."""

    __tablename__ = "patrol_checkpoints"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float, default=50.0)
    qr_version: Mapped[int] = mapped_column(Integer, default=1)
    qr_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Route(TimestampMixin, Base):
    """An ordered list of checkpoints with planned minutes after the shift start."""

    __tablename__ = "patrol_routes"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RouteStop(Base):
    """One checkpoint of a route: where, in which order, when (offset) and how much lateness is fine."""

    __tablename__ = "patrol_route_stops"
    __table_args__ = (UniqueConstraint("route_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("patrol_routes.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("patrol_checkpoints.id", ondelete="CASCADE"))
    offset_min: Mapped[int] = mapped_column(Integer)
    tolerance_min: Mapped[int] = mapped_column(Integer, default=15)


class Shift(TimestampMixin, Base):
    """A guard on duty at a school between two instants, optionally walking a route."""

    __tablename__ = "patrol_shifts"
    __table_args__ = (Index("ix_patrol_shifts_window", "school_id", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    guard_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    route_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_routes.id", ondelete="SET NULL"))
    post: Mapped[str] = mapped_column(String(32), default="patrol")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_lat: Mapped[float | None] = mapped_column(Float)
    last_lon: Mapped[float | None] = mapped_column(Float)


class Photo(Base):
    """A live photo taken for a check-in or a roll-call answer (checked to be a real image)."""

    __tablename__ = "patrol_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Checkin(Base):
    """An accepted check-in at a checkpoint (refused ones become anomalies instead)."""

    __tablename__ = "patrol_checkins"
    __table_args__ = (
        UniqueConstraint("guard_user_id", "client_id"),
        Index("ix_patrol_checkins_cp_at", "checkpoint_id", "scanned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("patrol_checkpoints.id", ondelete="CASCADE"))
    guard_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    shift_id: Mapped[int | None] = mapped_column(
        ForeignKey("patrol_shifts.id", ondelete="SET NULL"), index=True
    )
    route_stop_id: Mapped[int | None] = mapped_column(
        ForeignKey("patrol_route_stops.id", ondelete="SET NULL")
    )
    client_id: Mapped[str] = mapped_column(String(64))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float] = mapped_column(Float)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_photos.id", ondelete="SET NULL"))
    on_time: Mapped[bool] = mapped_column(Boolean, default=True)


class Anomaly(Base):
    """Something wrong on duty: refused scans, missed/late checkpoints, post left, roll-call faults."""

    __tablename__ = "patrol_anomalies"
    __table_args__ = (Index("ix_patrol_anomalies_school_at", "school_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(128), unique=True)  # idempotency of the periodic job
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    guard_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checkpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("patrol_checkpoints.id", ondelete="SET NULL")
    )
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_shifts.id", ondelete="SET NULL"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[int | None] = mapped_column(Integer)


class RollCall(Base):
    """An online roll call (在线点名) of every guard on duty in a scope, with an answer deadline."""

    __tablename__ = "patrol_rollcalls"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_by: Mapped[int] = mapped_column(Integer)
    started_by_name: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    schools: Mapped[list[int]] = mapped_column(JSON, default=list)


class RollCallTarget(Base):
    """One guard called in a roll call and how (or whether) they answered."""

    __tablename__ = "patrol_rollcall_targets"
    __table_args__ = (UniqueConstraint("rollcall_id", "guard_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rollcall_id: Mapped[int] = mapped_column(
        ForeignKey("patrol_rollcalls.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    guard_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    guard_name: Mapped[str] = mapped_column(String(64))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_shifts.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|answered|late|missing
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_photos.id", ondelete="SET NULL"))
