"""Publicity tables: bulletins with receipts, safety lessons, anonymous reports, speaker broadcasts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campusguard.core.db import Base, TimestampMixin, UTCDateTime, utcnow

CATEGORIES = (
    "anti_fraud",
    "anti_bullying",
    "traffic",
    "fire",
    "drowning",
    "food",
    "law",
    "health",
    "weather",
    "other",
)
REPORT_CATEGORIES = ("bullying", "violence", "harassment", "safety_hazard", "self_harm", "fraud", "other")
REPORT_STATUSES = ("received", "handling", "closed")


class Bulletin(TimestampMixin, Base):
    """A publicity bulletin; targets are lists (empty = everyone within the publisher's region)."""

    __tablename__ = "bulletins"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32), index=True)
    body_html: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)  # publisher's reach; None = city
    target_districts: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_school_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="published")  # draft | published | withdrawn
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    author_id: Mapped[int] = mapped_column(Integer)
    author_name: Mapped[str] = mapped_column(String(64))


class BulletinAttachment(Base):
    """A file attached to a bulletin (type and size checked on upload)."""

    __tablename__ = "bulletin_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletins.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BulletinRead(Base):
    """A read receipt: who read which bulletin, once."""

    __tablename__ = "bulletin_reads"
    __table_args__ = (UniqueConstraint("bulletin_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletins.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SafetyLesson(TimestampMixin, Base):
    """A safety lesson given at a school (topic, when, who, how many attended)."""

    __tablename__ = "bulletin_safety_lessons"
    __table_args__ = (Index("ix_bulletin_safety_lessons_school_at", "school_id", "given_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime())
    teacher: Mapped[str] = mapped_column(String(64))
    classes: Mapped[str] = mapped_column(String(200), default="")
    attendees: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int] = mapped_column(Integer)


class AnonymousReport(TimestampMixin, Base):
    """A report made without an account; nothing about the reporter is stored, only a code hash."""

    __tablename__ = "bulletin_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="received")


class ReportMessage(Base):
    """One message in a report's thread, from the reporter or a handler (handlers are named)."""

    __tablename__ = "bulletin_report_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("bulletin_reports.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(16))  # reporter | handler
    handler_user_id: Mapped[int | None] = mapped_column(Integer)
    handler_role: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Broadcast(TimestampMixin, Base):
    """A safety broadcast to campus speakers: TTS text or an uploaded recording, now or at a time."""

    __tablename__ = "bulletin_broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(16))  # tts | recording
    text: Mapped[str | None] = mapped_column(Text)
    voice: Mapped[str | None] = mapped_column(String(16))
    audio: Mapped[bytes | None] = mapped_column(LargeBinary)
    audio_sha256: Mapped[str | None] = mapped_column(String(64))
    duration_s: Mapped[float | None] = mapped_column(Float)
    school_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    device_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # scheduled|done|partial|failed
    created_by: Mapped[int] = mapped_column(Integer)
    created_by_name: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class BroadcastDelivery(Base):
    """Whether one speaker played one broadcast: the delivery record."""

    __tablename__ = "bulletin_broadcast_deliveries"
    __table_args__ = (UniqueConstraint("broadcast_id", "device_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("bulletin_broadcasts.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    device_code: Mapped[str] = mapped_column(String(64))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str] = mapped_column(String(300), default="")
    played_s: Mapped[float | None] = mapped_column(Float)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
