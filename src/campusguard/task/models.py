"""Tables of the liaison-task domain (日常管控): tasks, on-site check-ins, photos, recurrence rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from campusguard.core.db import Base, TimestampMixin, UTCDateTime, utcnow


class TaskRule(TimestampMixin, Base):
    """A recurring assignment (e.g. weekly inspection of a school by its liaison officer)."""

    __tablename__ = "task_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    officer_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    officer_name: Mapped[str | None] = mapped_column(String(64))
    frequency: Mapped[str] = mapped_column(String(16))  # daily | weekly | monthly
    interval: Mapped[int] = mapped_column(Integer, default=1)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    due_hours: Mapped[float] = mapped_column(Float, default=72.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(128))


class Task(TimestampMixin, Base):
    """One piece of daily control work for a liaison officer at a school."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    officer_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    officer_name: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("task_rules.id", ondelete="SET NULL"), index=True)
    occurrence_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(128))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkin_lat: Mapped[float | None] = mapped_column(Float)
    checkin_lon: Mapped[float | None] = mapped_column(Float)
    checkin_distance_m: Mapped[float | None] = mapped_column(Float)
    checkin_reason: Mapped[str | None] = mapped_column(String(32))
    findings: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(128))
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hazard_ids: Mapped[list[int]] = mapped_column(JSON, default=list)


class TaskCheckin(Base):
    """Every on-site check-in attempt, accepted or refused (a refused one is still evidence)."""

    __tablename__ = "task_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    actor_id: Mapped[int | None] = mapped_column(Integer)


class TaskPhoto(Base):
    """A site photo of a task (normalised JPEG, stored in the database for every node)."""

    __tablename__ = "task_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    content_type: Mapped[str] = mapped_column(String(32), default="image/jpeg")
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
