# ruff: noqa: E501
"""Tables of the face domain: watchlists, enrolled persons and templates, captures, alerts, visitors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from campusguard.core.crypto import EncryptedBytes, EncryptedText
from campusguard.core.db import Base, TimestampMixin, UTCDateTime, utcnow
from campusguard.core.models import BigId

WATCHLIST_KINDS = ("key_person", "roster", "visitor")
PURPOSE = "campus_safety"
"""Purpose lock (PIPL art. 6/26): templates are used only for campus safety at gates."""


class Watchlist(TimestampMixin, Base):
    """A library of enrolled persons; key_person lists are police-managed and region-wide."""

    __tablename__ = "face_watchlists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(12))
    purpose: Mapped[str] = mapped_column(String(32), default=PURPOSE)
    threshold: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(128), default="")


class FacePerson(TimestampMixin, Base):
    """Someone enrolled on a watchlist; key persons carry category, risk, legal basis and expiry."""

    __tablename__ = "face_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    watchlist_id: Mapped[int] = mapped_column(ForeignKey("face_watchlists.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    category: Mapped[str] = mapped_column(String(32), default="other")
    risk_level: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(128))
    legal_basis: Mapped[str | None] = mapped_column(String(256))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    org_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    id_number: Mapped[str | None] = mapped_column(EncryptedText())
    minor: Mapped[bool] = mapped_column(Boolean, default=False)
    guardian_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(128), default="")


class FaceTemplate(Base):
    """One enrolled face: encrypted embedding and thumbnail (biometric data, PIPL sensitive)."""

    __tablename__ = "face_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("face_persons.id", ondelete="CASCADE"), index=True)
    watchlist_id: Mapped[int] = mapped_column(ForeignKey("face_watchlists.id", ondelete="CASCADE"), index=True)
    engine: Mapped[str] = mapped_column(String(64))
    embedding: Mapped[bytes] = mapped_column(EncryptedBytes())
    thumbnail: Mapped[bytes] = mapped_column(EncryptedBytes())
    quality: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Capture(Base):
    """One passage at a gate (frames of the same person within the track window are merged)."""

    __tablename__ = "face_captures"
    __table_args__ = (Index("ix_face_captures_school_time", "school_id", "captured_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"), index=True)
    device_code: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8), default="in")
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    frames: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), index=True)  # matched | unknown
    person_id: Mapped[int | None] = mapped_column(ForeignKey("face_persons.id", ondelete="SET NULL"), index=True)
    watchlist_id: Mapped[int | None] = mapped_column(Integer)
    watchlist_kind: Mapped[str | None] = mapped_column(String(16))
    distance: Mapped[float | None] = mapped_column(Float)
    box: Mapped[list[int]] = mapped_column(JSON, default=list)
    embedding: Mapped[bytes] = mapped_column(EncryptedBytes())
    face_image: Mapped[bytes] = mapped_column(EncryptedBytes())
    scene_image: Mapped[bytes | None] = mapped_column(EncryptedBytes())
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    retain: Mapped[bool] = mapped_column(Boolean, default=False)


class Alert(TimestampMixin, Base):
    """A watchlist hit or a rule firing; a human confirms or rejects it."""

    __tablename__ = "face_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("face_captures.id", ondelete="SET NULL"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("face_persons.id", ondelete="SET NULL"))
    template_id: Mapped[int | None] = mapped_column(Integer)
    watchlist_id: Mapped[int | None] = mapped_column(Integer)
    distance: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    incident_id: Mapped[int | None] = mapped_column(Integer)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Rejection(Base):
    """"Not this person": a capture embedding a human said is not the enrolled person (suppresses repeats)."""

    __tablename__ = "face_rejections"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("face_persons.id", ondelete="CASCADE"), index=True)
    embedding: Mapped[bytes] = mapped_column(EncryptedBytes())
    alert_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Rule(TimestampMixin, Base):
    """A configurable gate rule for a school (or every school of a type when school_id is null)."""

    __tablename__ = "face_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    school_type: Mapped[str | None] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Visitor(TimestampMixin, Base):
    """A registered visitor: screened against watchlists before entry, with host, purpose and window."""

    __tablename__ = "face_visitors"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    id_number: Mapped[str] = mapped_column(EncryptedText())
    id_number_hash: Mapped[str] = mapped_column(String(64), index=True)
    phone: Mapped[str | None] = mapped_column(EncryptedText())
    host: Mapped[str] = mapped_column(String(128))
    purpose: Mapped[str] = mapped_column(String(256))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    badge_code: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="approved")  # approved | denied | in | out
    screening: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("face_persons.id", ondelete="SET NULL"))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(128), default="")
