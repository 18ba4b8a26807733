"""NATS JetStream backend: durable pull consumers per handler group, core subscription for fan-out."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import nats
import orjson
import structlog
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig
from nats.js.errors import NotFoundError

from campusguard.bus.backends.base import BatchHandler, MessageHandler

log = structlog.get_logger(__name__)


class NatsBackend:
    """Events go to subjects `<prefix>.<type>` captured by one stream; Nats-Msg-Id dedups republishes."""

    name = "nats"

    def __init__(self, url: str, stream: str = "CAMPUSGUARD", prefix: str = "cg") -> None:
        self.url = url
        self.stream = stream
        self.prefix = prefix
        self.nc: Client | None = None
        self.js: JetStreamContext | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._subs: list[Any] = []

    async def start(self) -> None:
        self.nc = await nats.connect(self.url, name="campusguard", max_reconnect_attempts=-1,
                                     reconnect_time_wait=1)
        self.js = self.nc.jetstream()
        config = StreamConfig(name=self.stream, subjects=[f"{self.prefix}.>"], max_age=7 * 24 * 3600,
                              duplicate_window=120)
        try:
            await self.js.stream_info(self.stream)
            await self.js.update_stream(config)
        except NotFoundError:
            await self.js.add_stream(config)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.nc is not None:
            with contextlib.suppress(Exception):
                await self.nc.drain()
        self.nc = None

    async def publish(self, event: dict[str, Any]) -> None:
        assert self.js is not None
        subject = f"{self.prefix}.{event['type']}"
        await self.js.publish(subject, orjson.dumps(event), headers={"Nats-Msg-Id": str(event["id"])})

    async def subscribe_durable(self, group: str, handler: BatchHandler) -> None:
        assert self.js is not None
        durable = group.replace(".", "_").replace(":", "_")
        sub = await self.js.pull_subscribe(
            f"{self.prefix}.>", durable=durable, stream=self.stream,
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.NEW,
                                  ack_wait=30, max_deliver=20))
        self._subs.append(sub)
        self._tasks.append(asyncio.create_task(self._pull(sub, handler, group)))

    async def _pull(self, sub: Any, handler: BatchHandler, group: str) -> None:
        """Fetch what is waiting, hand it over as one batch, ack what succeeded and nak the rest."""
        while True:
            try:
                msgs = await sub.fetch(batch=50, timeout=1)
            except TimeoutError:
                continue
            except Exception:
                log.warning("bus.nats.fetch_failed", group=group)
                await asyncio.sleep(1)
                continue
            events: list[dict[str, Any]] = []
            taken: list[Any] = []
            for msg in msgs:
                try:
                    events.append(orjson.loads(msg.data))
                    taken.append(msg)
                except orjson.JSONDecodeError:
                    log.warning("bus.nats.bad_message", group=group, data=msg.data[:200])
                    await msg.term()  # never parseable: redelivery cannot help
            if not events:
                continue
            try:
                failed = set(await handler(events))
            except Exception:
                log.exception("bus.nats.handler_failed", group=group, events=len(events))
                failed = set(range(len(events)))
            for index, msg in enumerate(taken):
                if index in failed:
                    await msg.nak(delay=2)
                else:
                    await msg.ack()

    async def subscribe_broadcast(self, handler: MessageHandler) -> None:
        assert self.nc is not None

        async def _on(msg: Any) -> None:
            try:
                await handler(orjson.loads(msg.data))
            except Exception:
                log.exception("bus.nats.broadcast_failed")

        self._subs.append(await self.nc.subscribe(f"{self.prefix}.>", cb=_on))

    async def ping(self) -> bool:
        if self.nc is None or not self.nc.is_connected:
            return False
        try:
            await self.nc.flush(timeout=2)
            return True
        except Exception:
            return False
