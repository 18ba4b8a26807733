"""Rapid-response tables: raw device events, incidents and their timeline, plans, escalation, hand-off."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from campusguard.core.crypto import EncryptedText
from campusguard.core.db import Base, TimestampMixin, UTCDateTime, utcnow
from campusguard.core.models import BigId

ALARM_TYPES = ("panic", "duress", "intrusion", "fire", "medical", "tamper")
INCIDENT_TYPES = (*ALARM_TYPES, "test", "device_offline", "watchlist_hit")
STATUSES = ("raised", "acknowledged", "dispatched", "on_scene", "resolved")
OUTCOMES = ("real", "false_alarm", "drill", "test")
PRIORITIES = ("critical", "high", "medium", "low")
PRIORITY_OF = {
    "panic": "critical",
    "duress": "critical",
    "fire": "critical",
    "intrusion": "high",
    "medical": "high",
    "tamper": "medium",
    "watchlist_hit": "high",
    "test": "low",
    "device_offline": "low",
}


class DeviceEvent(Base):
    """Every alarm-relevant event a device sent, once: (device, seq) is the duplicate guard.

    A seq reused beyond the dedup window (the device rebooted and counts again) moves the old row's
    number to `retired_seq`, so the guard stays a plain unique constraint.
    """

    __tablename__ = "alarm_device_events"
    __table_args__ = (UniqueConstraint("device_id", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int | None] = mapped_column(BigId)
    retired_seq: Mapped[int | None] = mapped_column(BigId)
    event_type: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    source: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    incident_id: Mapped[int | None] = mapped_column(Integer)


class Incident(TimestampMixin, Base):
    """One alarm being handled, from the press to its resolution."""

    __tablename__ = "alarm_incidents"
    __table_args__ = (
        Index("ix_alarm_incidents_school_raised", "school_id", "raised_at"),
        Index("ix_alarm_incidents_status", "status", "raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    district_code: Mapped[str | None] = mapped_column(String(12), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"), index=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="raised")
    outcome: Mapped[str | None] = mapped_column(String(16))
    is_drill: Mapped[bool] = mapped_column(Boolean, default=False)
    drill_window_id: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default="device")
    title: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    cameras: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("alarm_plans.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IncidentStep(Base):
    """The timeline: each transition, note, tick, notification and escalation, with who and when."""

    __tablename__ = "alarm_incident_steps"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("alarm_incidents.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IncidentNote(Base):
    """A note or photo added while handling; photos live under the data dir, hashed."""

    __tablename__ = "alarm_incident_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("alarm_incidents.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(128))
    author_id: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    photo_path: Mapped[str | None] = mapped_column(String(256))
    photo_mime: Mapped[str | None] = mapped_column(String(32))
    photo_size: Mapped[int | None] = mapped_column(Integer)
    photo_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Plan(Base):
    """One version of an emergency plan; editing adds a version, incidents keep theirs."""

    __tablename__ = "alarm_plans"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    alarm_type: Mapped[str] = mapped_column(String(32))
    school_type: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(128))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(128))


class ChecklistTick(Base):
    """A plan step an operator ticked for one incident."""

    __tablename__ = "alarm_checklist_ticks"
    __table_args__ = (UniqueConstraint("incident_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("alarm_incidents.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    done: Mapped[bool] = mapped_column(Boolean, default=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(String(500))


class EscalationChain(TimestampMixin, Base):
    """Who is told when nobody acknowledges: per district, or the default (district_code NULL)."""

    __tablename__ = "alarm_escalation_chains"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    district_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Escalation(Base):
    """The state of the chain of one incident; jobs advance it, acknowledgement stops it."""

    __tablename__ = "alarm_escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("alarm_incidents.id", ondelete="CASCADE"), unique=True
    )
    chain_id: Mapped[int | None] = mapped_column(
        ForeignKey("alarm_escalation_chains.id", ondelete="SET NULL")
    )
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | stopped | finished
    position: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Gateway(TimestampMixin, Base):
    """An SMS or voice gateway reached through an HTTP webhook (driver `webhook`)."""

    __tablename__ = "alarm_gateways"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(8))  # sms | voice
    driver: Mapped[str] = mapped_column(String(16), default="webhook")
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(EncryptedText())
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class Notification(Base):
    """One delivery of one message to one person through one channel, with its outcome."""

    __tablename__ = "alarm_notifications"
    __table_args__ = (Index("ix_alarm_notifications_incident", "incident_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("alarm_incidents.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed|skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    response_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PushSubscription(Base):
    """A browser/phone Web Push subscription of a user."""

    __tablename__ = "alarm_push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    failures: Mapped[int] = mapped_column(Integer, default=0)


class VapidKey(Base):
    """The platform's VAPID key pair, generated once and shared by every node."""

    __tablename__ = "alarm_vapid_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    private_pem: Mapped[str] = mapped_column(EncryptedText())
    public_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HandoffEndpoint(TimestampMixin, Base):
    """A command-centre endpoint receiving CAP 1.2 XML or signed JSON webhooks."""

    __tablename__ = "alarm_handoff_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    format: Mapped[str] = mapped_column(String(8))  # cap | json
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(EncryptedText())
    district_code: Mapped[str | None] = mapped_column(String(12))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    include_drills: Mapped[bool] = mapped_column(Boolean, default=True)
    include_tests: Mapped[bool] = mapped_column(Boolean, default=False)
    max_attempts: Mapped[int] = mapped_column(Integer, default=6)
    backoff_s: Mapped[float] = mapped_column(Float, default=2.0)
    timeout_s: Mapped[float] = mapped_column(Float, default=5.0)


class HandoffDelivery(Base):
    """One message (incident + event) to one endpoint; `dead` when retries are exhausted."""

    __tablename__ = "alarm_handoff_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "incident_id", "msg_seq"),
        Index("ix_alarm_handoff_deliveries_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("alarm_handoff_endpoints.id", ondelete="CASCADE"))
    incident_id: Mapped[int] = mapped_column(ForeignKey("alarm_incidents.id", ondelete="CASCADE"), index=True)
    msg_seq: Mapped[int] = mapped_column(Integer)
    msg_type: Mapped[str] = mapped_column(String(8))  # Alert | Update | Cancel
    event: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|delivered|dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HandoffReceipt(Base):
    """What happened on each hop (attempt) of a delivery: status code, answer, time."""

    __tablename__ = "alarm_handoff_receipts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("alarm_handoff_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    response: Mapped[str | None] = mapped_column(String(1000))
    error: Mapped[str | None] = mapped_column(String(500))


class DrillWindow(Base):
    """A period during which a school's presses are drills (演练)."""

    __tablename__ = "alarm_drill_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_by: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(200), default="")
    drill_id: Mapped[int | None] = mapped_column(Integer)
