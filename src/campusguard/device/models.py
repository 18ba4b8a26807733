"""The generic device registry: every camera, alarm button, gate, face terminal, speaker, sensor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from campusguard.core.crypto import EncryptedText
from campusguard.core.db import Base, TimestampMixin, UTCDateTime

DEVICE_TYPES = ("camera", "alarm_button", "gate", "face_terminal", "speaker", "sensor", "alarm_panel", "nvr")
PROTOCOLS = ("mqtt", "dc09", "http", "rtsp", "onvif", "gb28181", "sip")


class Device(TimestampMixin, Base):
    """A networked device; `settings` holds protocol parameters, `secret` its credentials (encrypted)."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(16), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"), index=True)
    vendor: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(64))
    protocol: Mapped[str] = mapped_column(String(16), default="mqtt")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret: Mapped[str | None] = mapped_column(EncryptedText())
    heartbeat_s: Mapped[int] = mapped_column(Integer, default=60)
    online: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_reason: Mapped[str | None] = mapped_column(String(128))
    installed: Mapped[bool] = mapped_column(Boolean, default=True)
