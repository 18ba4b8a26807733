"""MQTT intake against the real Mosquitto: validation, commit-before-PUBACK and the persistent session."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import aiomqtt
import orjson
import pytest
from prometheus_client import REGISTRY

from campusguard.adapters.mqtt import (
    DeviceEvent,
    MqttIntake,
    MqttRejection,
    PayloadError,
    parse_message,
    parse_url,
)
from campusguard.adapters.mqtt.payload import parse_payload


def body(kind: str = "panic", seq: int = 1, **extra: object) -> bytes:
    return orjson.dumps({"type": kind, "ts": "2026-11-23T10:00:00+08:00", "seq": seq, **extra})


def test_payload_contract() -> None:
    event = parse_message("campusguard/S0001/P-7/event", body(battery=80, rssi=-70, fw="1.2"), None)  # type: ignore[arg-type]
    assert (event.school_code, event.device_code, event.payload.type, event.payload.seq) == (
        "S0001", "P-7", "panic", 1)
    assert event.payload.ts.utcoffset() is not None and event.payload.ts.hour == 2  # stored in UTC
    assert parse_payload(orjson.dumps({"type": "heartbeat", "ts": 1763892000, "seq": 3})).ts.year == 2025
    cases = {
        b"{": "json", b"[1,2]": "schema", b"x" * 5000: "too_large",
        body(kind="party"): "schema", body(seq=-1): "schema", body(battery=140): "schema",
        orjson.dumps({"type": "panic", "seq": 1}): "schema",
    }
    for raw, reason in cases.items():
        with pytest.raises(PayloadError) as err:
            parse_payload(raw)
        assert err.value.reason == reason
    for topic in ("campusguard/S1/event", "other/S1/D1/event", "campusguard/S 1/D1/event",
                  "campusguard/S1/D1/status"):
        with pytest.raises(PayloadError):
            parse_message(topic, body(), None)  # type: ignore[arg-type]
    assert parse_url("mqtt://u:p%40ss@broker:1884").password == "p@ss"
    with pytest.raises(ValueError):
        parse_url("http://broker")


class Platform:
    """Stands in for the alarm service: records events, can hold (to simulate a slow commit) or fail."""

    def __init__(self) -> None:
        self.events: list[DeviceEvent] = []
        self.rejections: list[MqttRejection] = []
        self.hold = asyncio.Event()
        self.hold.set()
        self.failures = 0
        self.arrived = asyncio.Event()

    async def handle(self, events: Sequence[DeviceEvent]) -> None:
        self.arrived.set()
        await self.hold.wait()
        if self.failures:
            self.failures -= 1
            raise RuntimeError("database unavailable")
        self.events.extend(events)

    async def reject(self, rejection: MqttRejection) -> None:
        self.rejections.append(rejection)


async def wait_for(predicate, limit_s: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Poll a condition fed by the broker (no event to await across the process boundary)."""
    async with asyncio.timeout(limit_s):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


@pytest.fixture
async def forget_sessions(mqtt_url: str) -> AsyncIterator[list[str]]:
    """Client ids used with persistent sessions; their sessions are deleted afterwards."""
    ids: list[str] = []
    yield ids
    broker = parse_url(mqtt_url)
    for client_id in ids:
        async with aiomqtt.Client(broker.host, broker.port, identifier=client_id, clean_session=True):
            pass


async def publish(mqtt_url: str, topic: str, payload: bytes) -> None:
    broker = parse_url(mqtt_url)
    async with aiomqtt.Client(broker.host, broker.port) as client:
        await client.publish(topic, payload, qos=1)


async def test_events_flow_and_garbage_is_refused(mqtt_url: str, unique: str,
                                                  forget_sessions: list[str]) -> None:
    platform = Platform()
    client_id = f"test-intake-{unique}"
    forget_sessions.append(client_id)
    intake = MqttIntake(mqtt_url, platform.handle, client_id=client_id, on_reject=platform.reject,
                        topic=f"campusguard/{unique}/+/event")
    await intake.start()
    try:
        await asyncio.wait_for(intake.connected.wait(), 10)
        before = REGISTRY.get_sample_value("campusguard_mqtt_rejected_total", {"reason": "json"}) or 0
        await publish(mqtt_url, f"campusguard/{unique}/D1/event", b"not json")
        await publish(mqtt_url, f"campusguard/{unique}/D1/event", body(kind="party"))
        await publish(mqtt_url, f"campusguard/{unique}/D1/event", body("fire", 5))
        await wait_for(lambda: len(platform.events) == 1)
        assert platform.events[0].payload.type == "fire" and platform.events[0].device_code == "D1"
        assert [r.reason for r in platform.rejections] == ["json", "schema"]
        assert REGISTRY.get_sample_value("campusguard_mqtt_rejected_total", {"reason": "json"}) == before + 1
    finally:
        await intake.stop()


async def test_unacked_message_is_redelivered_after_a_crash(mqtt_url: str, unique: str,
                                                            forget_sessions: list[str]) -> None:
    """Stop the intake while the handler has not committed: the broker must deliver it again."""
    client_id = f"test-intake-{unique}"
    forget_sessions.append(client_id)
    topic = f"campusguard/{unique}/+/event"
    first = Platform()
    first.hold.clear()  # the "commit" never finishes in the first process
    intake = MqttIntake(mqtt_url, first.handle, client_id=client_id, topic=topic)
    await intake.start()
    await asyncio.wait_for(intake.connected.wait(), 10)
    await publish(mqtt_url, f"campusguard/{unique}/D9/event", body("duress", 42))
    await asyncio.wait_for(first.arrived.wait(), 10)
    await intake.stop()  # crash before PUBACK
    assert first.events == []
    # published while the platform is down: kept by the broker for the persistent session
    await publish(mqtt_url, f"campusguard/{unique}/D9/event", body("intrusion", 43))
    second = Platform()
    second.failures = 1  # first attempt fails (database blip); retried without losing the message
    intake = MqttIntake(mqtt_url, second.handle, client_id=client_id, topic=topic)
    await intake.start()
    try:
        await wait_for(lambda: {e.payload.seq for e in second.events} == {42, 43})
    finally:
        await intake.stop()
    # everything is acknowledged now: a third session receives nothing
    third = Platform()
    intake = MqttIntake(mqtt_url, third.handle, client_id=client_id, topic=topic)
    await intake.start()
    try:
        await asyncio.wait_for(intake.connected.wait(), 10)
        await publish(mqtt_url, f"campusguard/{unique}/D9/event", body("test", 44))
        await wait_for(lambda: len(third.events) == 1)
        assert [e.payload.seq for e in third.events] == [44]
    finally:
        await intake.stop()


async def test_unreachable_broker_backs_off_without_crashing() -> None:
    platform = Platform()
    intake = MqttIntake("mqtt://127.0.0.1:1", platform.handle, client_id="nobody", max_backoff_s=0.2)
    await intake.start()
    await asyncio.sleep(0.8)
    assert not intake.connected.is_set()
    assert intake._task is not None and not intake._task.done()
    await intake.stop()
