"""Many simulated alarm points on few MQTT connections: heartbeats spread evenly, alarms on demand.

Speaks only the public device contract: QoS 1 JSON on `campusguard/{school_code}/{device_code}/event`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urlsplit

import aiomqtt
import orjson


@dataclass(frozen=True)
class SimDevice:
    """One alarm point as the platform knows it."""

    school_code: str
    device_code: str

    @property
    def topic(self) -> str:
        return f"campusguard/{self.school_code}/{self.device_code}/event"


@dataclass
class Press:
    """One alarm publication and when the broker acknowledged it (PUBACK)."""

    device: SimDevice
    type: str
    seq: int
    sent_at: float
    acked_at: float | None = None
    error: str | None = None


@dataclass
class FleetStats:
    heartbeats: int = 0
    heartbeat_errors: int = 0
    presses: list[Press] = field(default_factory=list)


def make_devices(schools: int, per_school: int, *, school_prefix: str = "S", device_prefix: str = "P"
                 ) -> list[SimDevice]:
    """Deterministic codes (`S0001`/`P0001-0001`) so a seed and the simulator agree."""
    return [
        SimDevice(f"{school_prefix}{s:04d}", f"{device_prefix}{s:04d}-{d:04d}")
        for s in range(1, schools + 1)
        for d in range(1, per_school + 1)
    ]


class MqttFleet:
    """Publish heartbeats and alarms for `devices` over `connections` MQTT clients."""

    def __init__(self, url: str, devices: Sequence[SimDevice], *, heartbeat_s: float = 10.0,
                 connections: int = 4, heartbeat_qos: int = 1, client_prefix: str = "cg-sim") -> None:
        parts = urlsplit(url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 1883
        self._user = parts.username
        self._password = parts.password
        self.devices = list(devices)
        self.heartbeat_s = heartbeat_s
        self.heartbeat_qos = heartbeat_qos
        self._n = max(1, min(connections, len(self.devices) or 1))
        self._prefix = client_prefix
        self._clients: list[aiomqtt.Client] = []
        self._stack = contextlib.AsyncExitStack()
        self._seq_base = int(time.time() * 1000) * 1000  # restarts never reuse a seq
        self._seq = itertools.count(1)
        self._rr = itertools.count()
        self.stats = FleetStats()

    async def __aenter__(self) -> MqttFleet:
        for i in range(self._n):
            client = aiomqtt.Client(
                self._host, self._port, username=self._user, password=self._password,
                identifier=f"{self._prefix}-{i}-{self._seq_base}", clean_session=True,
                max_inflight_messages=1000, timeout=30,
            )
            await self._stack.enter_async_context(client)
            self._clients.append(client)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self._stack.aclose()
        self._clients.clear()

    def next_seq(self) -> int:
        return self._seq_base + next(self._seq)

    @staticmethod
    def body(kind: str, seq: int, **extra: object) -> bytes:
        return orjson.dumps({"type": kind, "ts": datetime.now(UTC).isoformat(), "seq": seq, **extra})

    async def press(self, device: SimDevice, kind: str = "panic", *, wait_s: float = 30.0) -> Press:
        """Publish one alarm with QoS 1 and record when the broker PUBACKed it."""
        seq = self.next_seq()
        press = Press(device, kind, seq, time.time())
        self.stats.presses.append(press)
        client = self._clients[next(self._rr) % self._n]
        try:
            await client.publish(device.topic, self.body(kind, seq), qos=1, timeout=wait_s)
            press.acked_at = time.time()
        except aiomqtt.MqttError as exc:
            press.error = str(exc)
        return press

    async def heartbeat_round(self) -> None:
        """One heartbeat for every device, spread over `heartbeat_s` in small ticks."""
        tick = 0.05
        per_tick = max(1, int(len(self.devices) * tick / self.heartbeat_s) + 1)
        start = time.monotonic()
        for index in range(0, len(self.devices), per_tick):
            chunk = self.devices[index:index + per_tick]
            await asyncio.gather(*(self._heartbeat(d, i) for i, d in enumerate(chunk, index)))
            target = start + (index + per_tick) / max(1, len(self.devices)) * self.heartbeat_s
            await asyncio.sleep(max(0.0, target - time.monotonic()))

    async def heartbeat_forever(self) -> None:
        while True:
            await self.heartbeat_round()

    async def _heartbeat(self, device: SimDevice, index: int) -> None:
        client = self._clients[index % self._n]
        try:
            await client.publish(device.topic, self.body("heartbeat", self.next_seq(), battery=97, rssi=-60),
                                 qos=self.heartbeat_qos, timeout=30)
            self.stats.heartbeats += 1
        except aiomqtt.MqttError:
            self.stats.heartbeat_errors += 1
