"""Tables of the drill domain (应急演练): one row per drill, from plan to evaluation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from campusguard.core.db import Base, TimestampMixin, UTCDateTime


class Drill(TimestampMixin, Base):
    """A school's drill: planned, conducted (with the alarm module's drill window) and evaluated."""

    __tablename__ = "drills"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="planned", index=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    planned_participants: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_by: Mapped[str | None] = mapped_column(String(128))
    participants: Mapped[int | None] = mapped_column(Integer)
    participant_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    timings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    alarm_window_id: Mapped[int | None] = mapped_column(Integer)
    alarm_presses: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
    evaluated_by: Mapped[str | None] = mapped_column(String(128))
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
