"""Heartbeats take a fast in-memory path; whatever it does not recognise is still validated and refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from campusguard.adapters.mqtt import PayloadError, parse_payload
from campusguard.adapters.mqtt.payload import fast_heartbeat
from campusguard.alarm.models import Incident
from campusguard.app import create_app
from campusguard.config import Settings
from campusguard.core.db import Database
from campusguard.core.models import AuditLog
from campusguard.device.models import Device
from campusguard.org.models import School

from .test_intake_transports import _publish, _rows, intake_env, wait_until  # noqa: F401 - intake_env is a fixture

TOPIC = "campusguard/S1/D-1/event"
NOW = "2026-11-23T21:00:00.123456+00:00"
BODIES: list[bytes] = [orjson.dumps(b) for b in (
    {"type": "heartbeat", "ts": NOW, "seq": 7, "battery": 97, "rssi": -60},  # what the simulator sends
    {"type": "heartbeat", "ts": "2026-11-23T21:00:00Z", "seq": 0},
    {"type": "heartbeat", "ts": "2026-11-23 21:00:00", "seq": 2**63 - 1, "fw": "1.2"},
    {"type": "heartbeat", "ts": "2026-11-23T23:00:00+02:00", "seq": 1},
    {"type": "heartbeat", "ts": NOW, "seq": "x"},
    {"type": "heartbeat", "ts": NOW, "seq": -1},
    {"type": "heartbeat", "ts": NOW, "seq": 2**63},
    {"type": "heartbeat", "ts": NOW, "seq": True},
    {"type": "heartbeat", "ts": NOW, "seq": 1.5},
    {"type": "heartbeat", "ts": NOW, "seq": 1, "battery": 101},
    {"type": "heartbeat", "ts": NOW, "seq": 1, "battery": "50"},
    {"type": "heartbeat", "ts": NOW, "seq": 1, "rssi": 3},
    {"type": "heartbeat", "ts": "yesterday", "seq": 1},
    {"type": "heartbeat", "ts": "2026-13-23T21:00:00", "seq": 1},
    {"type": "heartbeat", "ts": 1790000000, "seq": 1},
    {"type": "heartbeat", "seq": 1},
    {"type": "HEARTBEAT", "ts": NOW, "seq": 1},
    {"type": "panic", "ts": NOW, "seq": 1},
    ["heartbeat"],
)] + [b"\x00{]", b"{}", orjson.dumps({"type": "heartbeat", "ts": NOW, "seq": 1, "pad": "x" * 5000})]


@pytest.mark.parametrize("raw", BODIES)
def test_fast_path_takes_only_heartbeats_full_validation_accepts(raw: bytes) -> None:
    fast = fast_heartbeat(TOPIC, raw)
    try:
        full = parse_payload(raw)
    except PayloadError:
        full = None
    if fast is not None:
        assert full is not None and full.type == "heartbeat"
        assert fast == ("S1", "D-1", full.ts)
        assert fast[2].tzinfo is UTC


def test_fast_path_takes_ordinary_heartbeats_and_checks_the_topic() -> None:
    taken = [raw for raw in BODIES if fast_heartbeat(TOPIC, raw) is not None]
    assert taken == BODIES[:4]
    assert fast_heartbeat("campusguard/S 1/D-1/event", BODIES[0]) is None
    assert fast_heartbeat("campusguard/S1/D-1/status", BODIES[0]) is None
    assert fast_heartbeat("other/S1/D-1/event", BODIES[0]) is None


@pytest.mark.usefixtures("intake_env")
def test_heartbeats_update_presence_and_odd_ones_are_still_refused(
        settings: Settings, seeded: dict[str, str], db: Database, mqtt_url: str) -> None:
    first = select(Device.id, Device.code, School.code).join(School).where(Device.protocol == "mqtt")
    ((device_id, device, school_code),) = _rows(db, first.order_by(Device.id).limit(1))
    long_ago = datetime.now(UTC) - timedelta(days=1)
    with db.session() as s:
        s.execute(update(Device).where(Device.id == device_id).values(last_seen=long_ago))
    started = datetime.now(UTC)
    app = create_app(settings.model_copy(update={"mqtt_url": mqtt_url}))
    with TestClient(app):
        wait_until(lambda: app.state.mqtt_intake.connected.is_set())
        now = datetime.now(UTC).isoformat()
        topic = f"campusguard/{school_code}/{device}/event"
        asyncio.run(_publish(mqtt_url, [
            (topic, {"type": "heartbeat", "ts": now, "seq": 1, "battery": 90}),
            (topic, {"type": "heartbeat", "ts": now, "seq": "x"}),  # malformed: schema refusal
            (f"campusguard/{school_code}/NOPE-9/event", {"type": "heartbeat", "ts": now, "seq": 1}),
            (f"campusguard/ZZ{school_code}/{device}/event", {"type": "heartbeat", "ts": now, "seq": 2}),
            (topic, {"type": "panic", "ts": now, "seq": 41}),
        ]))
        wait_until(lambda: _rows(db, select(Incident.id).where(Incident.device_id == device_id,
                                                               Incident.raised_at >= started)))
        refused = wait_until(lambda: {(r.target_id, r.detail["reason"]) for (r,) in _rows(
            db, select(AuditLog).where(AuditLog.action == "security.device_refused",
                                       AuditLog.at >= started))} >= {
            (topic[:64], "schema"), (f"{school_code}/NOPE-9", "unknown_device"),
            (f"ZZ{school_code}/{device}", "school_mismatch")} or None)
        assert refused
        seen = wait_until(lambda: [r for (r,) in _rows(db, select(Device.last_seen).where(Device.id == device_id))
                                   if r is not None and r > started - timedelta(seconds=1)])
        assert seen
        assert app.state.intake.lag_s < 5
