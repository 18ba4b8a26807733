"""Tables of the video domain: cameras, recorded segments, gaps, clips, holds, issues, viewers, policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campusguard.core.crypto import EncryptedText
from campusguard.core.db import Base, TimestampMixin, UTCDateTime

MIN_RETENTION_DAYS = 30  # GB/T 29315 and the seeds: at least 30 days of recording


class Camera(TimestampMixin, Base):
    """The video side of a `camera` device: stream URLs, credentials (encrypted), what the stream is."""

    __tablename__ = "video_cameras"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    rtsp_url: Mapped[str] = mapped_column(String(500))
    sub_url: Mapped[str | None] = mapped_column(String(500))
    username: Mapped[str | None] = mapped_column(EncryptedText())
    password: Mapped[str | None] = mapped_column(EncryptedText())
    codec: Mapped[str | None] = mapped_column(String(16))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    fps: Mapped[float | None] = mapped_column(Float)
    bitrate_kbps: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="unknown")
    status_reason: Mapped[str | None] = mapped_column(String(300))
    recording: Mapped[bool] = mapped_column(Boolean, default=True)
    worker: Mapped[str | None] = mapped_column(String(64), index=True)
    parent_viewer_cap: Mapped[int] = mapped_column(Integer, default=200)
    onvif: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_segment_end: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ClassCamera(Base):
    """Which cameras a kindergarten class's parents may watch."""

    __tablename__ = "video_class_cameras"
    __table_args__ = (UniqueConstraint("camera_id", "class_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("video_cameras.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    class_name: Mapped[str] = mapped_column(String(64))


class Segment(Base):
    """One recorded file (fragmented MP4) of a camera, indexed by time."""

    __tablename__ = "video_segments"
    __table_args__ = (Index("ix_video_segments_camera_start", "camera_id", "start"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("video_cameras.id", ondelete="CASCADE"))
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime] = mapped_column(UTCDateTime())
    path: Mapped[str] = mapped_column(String(500), unique=True)
    bytes: Mapped[int] = mapped_column(BigInteger)


class Gap(Base):
    """A stretch without recording and why (offline camera, crash, network)."""

    __tablename__ = "video_gaps"
    __table_args__ = (Index("ix_video_gaps_camera_start", "camera_id", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("video_cameras.id", ondelete="CASCADE"))
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(300), default="")


class Hold(Base):
    """Recording that retention must never delete (evidence clip source, incident window)."""

    __tablename__ = "video_holds"
    __table_args__ = (Index("ix_video_holds_camera_start", "camera_id", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("video_cameras.id", ondelete="CASCADE"))
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(300))
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    clip_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Clip(Base):
    """An evidence clip: the file, its SHA-256 and the signed manifest (camera, range, who, why)."""

    __tablename__ = "video_clips"

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("video_cameras.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(500))
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | ready | failed
    path: Mapped[str | None] = mapped_column(String(500))
    sha256: Mapped[str | None] = mapped_column(String(64))
    bytes: Mapped[int | None] = mapped_column(BigInteger)
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    signature: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Issue(Base):
    """A camera issue found by diagnostics, or an area issue (blind spot); open until no longer seen."""

    __tablename__ = "video_issues"
    __table_args__ = (Index("ix_video_issues_camera_kind", "camera_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("video_cameras.id", ondelete="CASCADE"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class ViewSession(Base):
    """One live view or playback by a user: counts concurrent parent viewers, shows viewer history."""

    __tablename__ = "video_view_sessions"
    __table_args__ = (Index("ix_video_view_sessions_camera_seen", "camera_id", "last_seen"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("video_cameras.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    user_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # live | playback | download
    range_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    range_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    ip: Mapped[str | None] = mapped_column(String(64))


class RetentionPolicy(TimestampMixin, Base):
    """Retention of one school (area_id null) or one of its areas: days (>= 30) and a disk quota."""

    __tablename__ = "video_retention_policies"
    __table_args__ = (UniqueConstraint("school_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    days: Mapped[int] = mapped_column(Integer, default=MIN_RETENTION_DAYS)
    quota_gb: Mapped[float | None] = mapped_column(Float)


class Worker(Base):
    """A recording worker node: announced over the bus, heartbeat here, cameras assigned by the manager."""

    __tablename__ = "video_workers"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer, default=100)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cameras: Mapped[int] = mapped_column(Integer, default=0)
