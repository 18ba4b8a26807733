"""MQTT intake: persistent QoS 1 session, PUBACK only after the handler committed, reconnect with backoff.

aiomqtt 2.5 has no manual-ack API, so durability uses paho-mqtt's own (`manual_ack_set(True)` then
`ack(mid, qos)`) on the paho client aiomqtt wraps. With a fixed client id and clean_session=False the
broker keeps the subscription and queues QoS 1 messages while the platform is down; any message not
yet PUBACKed when the connection (or the process) dies is redelivered on the next session, and the
platform dedups it on (device, seq).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import aiomqtt
import structlog
from prometheus_client import Counter

from campusguard.adapters.mqtt.payload import (
    TOPIC_FILTER,
    DeviceEvent,
    PayloadError,
    fast_heartbeat,
    parse_message,
)

log = structlog.get_logger(__name__)

REJECTED = Counter("campusguard_mqtt_rejected_total", "MQTT messages refused by the intake", ["reason"])
RECEIVED = Counter("campusguard_mqtt_events_total", "Valid MQTT device events handled", ["type"])
RECEIVED_HEARTBEATS = RECEIVED.labels(type="heartbeat")  # hot path: the label lookup once

BatchHandler = Callable[[Sequence[DeviceEvent]], Awaitable[None]]
Heartbeat = tuple[str, str, datetime]  # school code, device code, device timestamp
# In-memory heartbeat handler: True per heartbeat it took, False = send it down the full path instead.
HeartbeatHook = Callable[[Sequence[Heartbeat]], Sequence[bool]]


@dataclass(frozen=True, slots=True)
class MqttRejection:
    """A refused message for the security log."""

    reason: str
    topic: str
    detail: str


RejectHook = Callable[[MqttRejection], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where the broker is, parsed from `mqtt://user:pass@host:port`."""

    host: str
    port: int
    username: str | None
    password: str | None


def parse_url(url: str) -> BrokerAddress:
    """Parse an mqtt:// URL (tcp only; TLS is terminated in front of the broker)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
        raise ValueError(f"unsupported MQTT URL {url!r}")
    return BrokerAddress(
        host=parts.hostname,
        port=parts.port or 1883,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class MqttIntake:
    """Consume device events from the broker and acknowledge each one only once it is handled."""

    def __init__(
        self,
        url: str,
        handler: BatchHandler,
        *,
        client_id: str,
        topic: str = TOPIC_FILTER,
        on_reject: RejectHook | None = None,
        on_heartbeats: HeartbeatHook | None = None,
        max_batch: int = 100,
        max_pending: int = 64,
        max_backoff_s: float = 30.0,
    ) -> None:
        self._broker = parse_url(url)
        self._handler = handler
        self._client_id = client_id
        self._topic = topic
        self._on_reject = on_reject
        self._on_heartbeats = on_heartbeats
        self._max_batch = max_batch
        self._max_pending = max_pending
        self._max_backoff_s = max_backoff_s
        self.connected = asyncio.Event()
        self.handled = 0
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Run the consume loop in the background."""
        self._task = asyncio.create_task(self.run(), name=f"mqtt-intake-{self._client_id}")

    async def stop(self) -> None:
        """Cancel the loop; un-acked messages stay with the broker for the next session."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.connected.clear()

    async def run(self) -> None:
        """Connect, subscribe, consume; on any broker error wait with exponential backoff and retry."""
        backoff = 0.5
        while True:
            try:
                client = self._make_client()
                async with client:
                    await client.subscribe(self._topic, qos=1)
                    self.connected.set()
                    backoff = 0.5
                    log.info("mqtt.intake_connected", host=self._broker.host, client_id=self._client_id)
                    await self._consume(client)
            except aiomqtt.MqttError as exc:
                self.connected.clear()
                delay = backoff * (0.5 + random.random())
                log.warning("mqtt.intake_disconnected", error=str(exc), retry_in_s=round(delay, 2))
                await asyncio.sleep(delay)
                backoff = min(backoff * 2, self._max_backoff_s)

    def _make_client(self) -> aiomqtt.Client:
        client = aiomqtt.Client(
            self._broker.host,
            self._broker.port,
            username=self._broker.username,
            password=self._broker.password,
            identifier=self._client_id,
            clean_session=False,
            keepalive=30,
            timeout=10,
        )
        paho: Any = client._client  # noqa: SLF001 - aiomqtt exposes no manual-ack API
        paho.manual_ack_set(True)
        return client

    # -- consuming ---------------------------------------------------------------------------

    async def _consume(self, client: aiomqtt.Client) -> None:
        """Take what is queued (up to max_batch) and process batches concurrently, each PUBACKed when done.

        Well-formed heartbeats of known devices are taken right here, in memory, and PUBACKed at once,
        so alarms never wait behind them; the rest (alarms, anything odd) goes through `_process`:
        full validation, the handler (which commits), and only then the PUBACK.
        """
        messages = client.messages
        iterator = messages.__aiter__()
        paho: Any = client._client  # noqa: SLF001
        slots = asyncio.Semaphore(self._max_pending)
        pending: set[asyncio.Task[None]] = set()
        try:
            while True:
                batch = [await iterator.__anext__()]
                while len(messages) > 0 and len(batch) < self._max_batch:
                    batch.append(await iterator.__anext__())
                if self._on_heartbeats is not None:
                    batch = self._take_heartbeats(batch, paho)
                    if not batch:
                        continue
                await slots.acquire()
                task = asyncio.create_task(self._process(batch, paho, slots))
                pending.add(task)
                task.add_done_callback(pending.discard)
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def _take_heartbeats(self, batch: list[aiomqtt.Message], paho: Any) -> list[aiomqtt.Message]:
        """Hand well-formed heartbeats to the in-memory hook and PUBACK them; return what is left."""
        assert self._on_heartbeats is not None
        beats: list[Heartbeat] = []
        beat_messages: list[aiomqtt.Message] = []
        rest: list[aiomqtt.Message] = []
        for message in batch:
            raw = message.payload
            beat = fast_heartbeat(message.topic.value, raw) if isinstance(raw, bytes) else None
            if beat is None:
                rest.append(message)
            else:
                beats.append(beat)
                beat_messages.append(message)
        if not beats:
            return batch
        taken = self._on_heartbeats(beats)
        count = 0
        for message, ok in zip(beat_messages, taken, strict=True):
            if ok:
                paho.ack(message.mid, message.qos)
                count += 1
            else:
                rest.append(message)  # unknown device or the like: refused on the full path
        RECEIVED_HEARTBEATS.inc(count)
        self.handled += count
        return rest

    async def _process(self, batch: list[aiomqtt.Message], paho: Any, slots: asyncio.Semaphore) -> None:
        """Validate, hand over, then PUBACK the batch (never before the handler returned)."""
        try:
            events = await self._validate(batch)
            if events:
                await self._handle_with_retry(events)
            for message in batch:
                paho.ack(message.mid, message.qos)
            self.handled += len(events)
        finally:
            slots.release()

    async def _validate(self, batch: list[aiomqtt.Message]) -> list[DeviceEvent]:
        """Split a batch into valid events; bad ones are counted, logged and still acknowledged."""
        now = datetime.now(UTC)
        events: list[DeviceEvent] = []
        for message in batch:
            topic = message.topic.value
            try:
                raw = message.payload
                if not isinstance(raw, bytes):
                    raw = str(raw).encode()
                event = parse_message(topic, raw, now)
            except PayloadError as exc:
                await self._reject(MqttRejection(exc.reason, topic, exc.detail))
                continue
            RECEIVED.labels(type=event.payload.type).inc()
            events.append(event)
        return events

    async def _handle_with_retry(self, events: list[DeviceEvent]) -> None:
        """Retry a failing handler (database outage) without acking; the broker window backs pressure up."""
        delay = 0.2
        while True:
            try:
                await self._handler(events)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("mqtt.intake_handler_failed", events=len(events), retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_backoff_s)

    async def _reject(self, rejection: MqttRejection) -> None:
        REJECTED.labels(reason=rejection.reason).inc()
        log.warning("mqtt.rejected", security_event=True, reason=rejection.reason, topic=rejection.topic,
                    detail=rejection.detail)
        if self._on_reject is not None:
            try:
                await self._on_reject(rejection)
            except Exception:
                log.exception("mqtt.reject_hook_failed")
