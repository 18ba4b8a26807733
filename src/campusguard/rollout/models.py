"""Rollout tracking: each school's construction/acceptance checklist and the city's phase deadlines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from campusguard.core.db import Base, JSONType, UTCDateTime, utcnow

ITEMS = (
    "alarm_installed",
    "alarm_tested",
    "alarm_networked",
    "cameras_networked",
    "face_online",
    "police_signed",
)
AUTO_ITEMS = ITEMS[:-1]
ITEM_LABELS = {
    "alarm_installed": ("一键报警已安装", "Alarm button installed"),
    "alarm_tested": ("一键报警已测试", "Alarm button test-pressed"),
    "alarm_networked": ("一键报警已联网", "Alarm networked"),
    "cameras_networked": ("重点部位视频已联网", "Key-area cameras networked"),
    "face_online": ("人脸识别终端在线", "Face terminal online"),
    "police_signed": ("分局验收签字", "Accepted by district police"),
}


class Checklist(Base):
    """When each item of a school's checklist was first met (None = not yet), and by what evidence."""

    __tablename__ = "rollout_checklists"

    school_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alarm_installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alarm_tested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alarm_networked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cameras_networked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    face_online_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    police_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_by: Mapped[str | None] = mapped_column(String(128))
    signed_by_id: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(500))
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Phase(Base):
    """A city deadline: by `deadline`, `target` share of schools must have every item in `items`."""

    __tablename__ = "rollout_phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    deadline: Mapped[date] = mapped_column(Date)
    target: Mapped[float] = mapped_column(Float)
    items: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
