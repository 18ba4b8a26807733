"""The running platform with real Mosquitto and a real DC-09 socket: alarms, refusals and supervision."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiomqtt
import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from campusguard.alarm.models import Incident
from campusguard.app import create_app
from campusguard.config import Settings
from campusguard.core.db import Database
from campusguard.core.models import AuditLog
from campusguard.device.models import Device
from campusguard.org.models import School

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from sim.devices.dc09_panel import Dc09Panel  # noqa: E402

KEY = bytes(range(32))


def wait_until(check: Callable[[], Any], limit_s: float = 15.0) -> Any:
    """Poll state another thread (the app's loop) produces."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {limit_s} s")


async def _publish(url: str, items: list[tuple[str, dict[str, Any] | bytes]]) -> None:
    async with aiomqtt.Client("127.0.0.1", int(url.rsplit(":", 1)[1])) as client:
        for topic, body in items:
            await client.publish(topic, body if isinstance(body, bytes) else orjson.dumps(body), qos=1)


@pytest.fixture
def intake_env(monkeypatch: pytest.MonkeyPatch, mqtt_url: str) -> Iterator[str]:
    client_id = f"test-intake-{uuid.uuid4().hex[:8]}"
    for key, value in {"CLIENT_ID": client_id}.items():
        monkeypatch.setenv(f"CG_INTAKE_MQTT_{key}", value)
    monkeypatch.setenv("CG_INTAKE_FLUSH_S", "0.2")
    monkeypatch.setenv("CG_INTAKE_SWEEP_S", "0.3")
    monkeypatch.setenv("CG_INTAKE_DC09_HOST", "127.0.0.1")
    yield client_id

    async def forget() -> None:  # drop the persistent session the test created on the shared broker
        async with aiomqtt.Client("127.0.0.1", int(mqtt_url.rsplit(":", 1)[1]), identifier=client_id,
                                  clean_session=True):
            pass

    asyncio.run(forget())


def _rows(db: Database, stmt: Any) -> list[Any]:
    with db.session() as s:
        return list(s.execute(stmt).tuples().all())


def test_mqtt_and_dc09_alarms_reach_incidents(settings: Settings, seeded: dict[str, str], db: Database,
                                              mqtt_url: str, intake_env: str) -> None:
    buttons = select(Device.code, School.code).join(School).where(Device.protocol == "mqtt",
                                                                  Device.type == "alarm_button")
    ((button, school_code),) = _rows(db, buttons.limit(1))
    (panel_id, account), (secure_id, secure_account) = [(d.id, d.settings["dc09_account"]) for (d,) in _rows(
        db, select(Device).where(Device.protocol == "dc09").order_by(Device.id).limit(2))]
    with db.session() as s:  # the second panel encrypts (AES-256, key stored encrypted in the device secret)
        secure = s.get(Device, secure_id)
        assert secure is not None
        secure.secret = KEY.hex()
    started = datetime.now(UTC)
    app = create_app(settings.model_copy(update={"mqtt_url": mqtt_url, "dc09_port": 0}))
    with TestClient(app):
        wait_until(lambda: app.state.mqtt_intake.connected.is_set())
        now = datetime.now(UTC).isoformat()
        topic = f"campusguard/{school_code}/{button}/event"
        asyncio.run(_publish(mqtt_url, [
            (topic, {"type": "fire", "ts": now, "seq": 11}),
            (topic, {"type": "fire", "ts": now, "seq": 11}),  # a redelivery of the same press
            (f"campusguard/{school_code}/NOPE-1/event", {"type": "panic", "ts": now, "seq": 1}),
            (f"campusguard/XX{school_code}/{button}/event", {"type": "panic", "ts": now, "seq": 2}),
            (topic, {"type": "panic", "ts": now, "seq": "x"}),
            (topic, b"\x00{]"),
        ]))
        fires = wait_until(lambda: _rows(db, select(Incident.id).where(Incident.source == "mqtt",
                                                                       Incident.raised_at >= started)))
        assert len(fires) == 1
        reasons = wait_until(lambda: {r.detail["reason"] for (r,) in _rows(
            db, select(AuditLog).where(AuditLog.action == "security.device_refused"))} >= {
            "unknown_device", "school_mismatch", "schema", "json"} or None)
        assert reasons

        port = app.state.dc09_receiver.port
        panel = Dc09Panel("127.0.0.1", port, account)
        reply = asyncio.run(_send(panel, lambda p: p.alarm_cid(1, 121, zone=3)))
        assert reply.token == "ACK"
        # the ACK was sent after the commit: the incident is already there
        ((kind, device_id),) = _rows(db, select(Incident.type, Incident.device_id)
                                     .where(Incident.source == "dc09", Incident.raised_at >= started))
        assert (kind, device_id) == ("duress", panel_id)
        stranger = Dc09Panel("127.0.0.1", port, "ABCDEF0")
        assert asyncio.run(_send(stranger, lambda p: p.alarm_sia("PA"))).token == "DUH"
        encrypted = Dc09Panel("127.0.0.1", port, secure_account, key=KEY)
        assert asyncio.run(_send(encrypted, lambda p: p.alarm_sia("BA", "07"))).token == "*ACK"
        plain = Dc09Panel("127.0.0.1", port, secure_account)  # a forged unencrypted frame is refused
        assert asyncio.run(_send(plain, lambda p: p.alarm_sia("PA"))).token == "DUH"
        assert _rows(db, select(Incident.type).where(Incident.device_id == secure_id,
                                                     Incident.raised_at >= started)) == [("intrusion",)]


async def _send(panel: Dc09Panel, action: Callable[[Dc09Panel], Any]) -> Any:
    try:
        return await action(panel)
    finally:
        await panel.close()


def test_silent_device_goes_offline_and_heartbeat_restores_it(
        settings: Settings, seeded: dict[str, str], db: Database, mqtt_url: str, intake_env: str) -> None:
    first = select(Device.id, Device.code, School.code).join(School).where(Device.protocol == "mqtt")
    ((sensor_id, sensor, school_code),) = _rows(db, first.order_by(Device.id).limit(1))
    with db.session() as s:  # every other device just heard from, this one silent for a minute
        s.execute(update(Device).values(last_seen=datetime.now(UTC) + timedelta(hours=1), online=True))
        s.execute(update(Device).where(Device.id == sensor_id).values(
            heartbeat_s=1, last_seen=datetime.now(UTC) - timedelta(minutes=1)))
    started = datetime.now(UTC)
    app = create_app(settings.model_copy(update={"mqtt_url": mqtt_url}))
    runner = app.state.runner  # other domains' periodic reports would only slow this test's sweep down
    runner.periodic = {name: p for name, p in runner.periodic.items() if name.startswith("alarm.")}
    with TestClient(app):
        offline = wait_until(lambda: _rows(db, select(Incident.id, Incident.status).where(
            Incident.device_id == sensor_id, Incident.type == "device_offline", Incident.raised_at >= started)))
        assert offline[0][1] == "raised"
        assert _rows(db, select(Device.online).where(Device.id == sensor_id)) == [(False,)]
        wait_until(lambda: app.state.mqtt_intake.connected.is_set())
        beat = {"type": "heartbeat", "ts": datetime.now(UTC).isoformat(), "seq": 5}
        asyncio.run(_publish(mqtt_url, [(f"campusguard/{school_code}/{sensor}/event", beat)]))
        wait_until(lambda: _rows(db, select(Device.online).where(Device.id == sensor_id)) == [(True,)])
        wait_until(lambda: _rows(db, select(Incident.status).where(Incident.id == offline[0][0]))
                   == [("resolved",)])
