"""In-process bus for the embedded default: ordered per consumer, no server needed."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog

from campusguard.bus.backends.base import MessageHandler

log = structlog.get_logger(__name__)


class MemoryBackend:
    """One queue and worker task per consumer so a slow handler never blocks publishers."""

    name = "memory"

    def __init__(self) -> None:
        self._queues: list[tuple[asyncio.Queue[dict[str, Any]], MessageHandler, str]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False

    async def start(self) -> None:
        self._started = True

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._started = False

    async def publish(self, event: dict[str, Any]) -> None:
        for queue, _, _ in self._queues:
            queue.put_nowait(event)

    def _add(self, handler: MessageHandler, label: str) -> None:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._queues.append((queue, handler, label))
        self._tasks.append(asyncio.create_task(self._worker(queue, handler, label)))

    async def _worker(self, queue: asyncio.Queue[dict[str, Any]], handler: MessageHandler, label: str) -> None:
        while True:
            event = await queue.get()
            for attempt in range(5):
                try:
                    await handler(event)
                    break
                except Exception:
                    log.exception("bus.memory.handler_failed", consumer=label, event_id=event.get("id"),
                                  attempt=attempt)
                    await asyncio.sleep(0.2 * 2**attempt)

    async def subscribe_durable(self, group: str, handler: MessageHandler) -> None:
        self._add(handler, group)

    async def subscribe_broadcast(self, handler: MessageHandler) -> None:
        self._add(handler, "broadcast")

    async def ping(self) -> bool:
        return self._started
