"""The device simulator speaks the public contracts: MQTT heartbeats/alarms and DC-09 link tests."""

from __future__ import annotations

import asyncio

import aiomqtt
import orjson
from sim.devices.mqtt_fleet import MqttFleet, SimDevice
from sim.devices.runner import SimConfig, demo_command, run_simulator

from campusguard.adapters.dc09 import AccountInfo, Dc09Message, Dc09Receiver
from campusguard.adapters.mqtt import parse_message, parse_url


async def test_fleet_heartbeats_and_presses(mqtt_url: str, unique: str) -> None:
    broker = parse_url(mqtt_url)
    devices = [SimDevice(unique, f"{unique}-{n}") for n in range(20)]
    got: list[bytes] = []
    async with aiomqtt.Client(broker.host, broker.port) as sub:
        await sub.subscribe(f"campusguard/{unique}/+/event", qos=1)
        async with MqttFleet(mqtt_url, devices, heartbeat_s=0.5, connections=2) as fleet:
            await fleet.heartbeat_round()
            press = await fleet.press(devices[3], "fire")
        assert press.acked_at is not None and press.acked_at >= press.sent_at
        async with asyncio.timeout(10):
            async for message in sub.messages:
                event = parse_message(str(message.topic), bytes(message.payload), None)  # type: ignore[arg-type]
                got.append(orjson.dumps([event.device_code, event.payload.type, event.payload.seq]))
                if len(got) == 21:
                    break
    decoded = [orjson.loads(g) for g in got]
    assert sum(1 for _, kind, _ in decoded if kind == "heartbeat") == 20
    assert [d for d in decoded if d[1] == "fire"] == [[devices[3].device_code, "fire", press.seq]]
    assert len({seq for *_, seq in decoded}) == 21  # every publication has its own seq


async def test_runner_drives_dc09_panels_per_school() -> None:
    seen: list[str] = []

    async def handle(msg: Dc09Message) -> bool:
        seen.append(msg.account)
        return True

    async def accounts(account: str) -> AccountInfo | None:
        return AccountInfo() if account in ("0001A2", "0002A2") else None

    receiver = Dc09Receiver(handle, accounts)
    port = await receiver.start("127.0.0.1", 0)
    try:
        config = SimConfig(mqtt_url=None, school_codes=["440300001", "440300002"], dc09=f"127.0.0.1:{port}",
                           dc09_account="auto", heartbeat_s=0.2, duration_s=1.0)
        await run_simulator(config)
    finally:
        await receiver.stop()
    assert {"0001A2", "0002A2"} <= set(seen)
    assert demo_command("mqtt://b:1883", ["S1"], dc09="h:7000")[1:3] == ["-m", "sim.devices"]
