"""In-process bus for the embedded default: ordered per consumer, no server needed."""

from __future__ import annotations

import asyncio
from typing import Any

import structlog

from campusguard.bus.backends.base import BatchHandler, MessageHandler

log = structlog.get_logger(__name__)


MAX_BATCH = 200


class MemoryBackend:
    """One queue and worker task per consumer so a slow handler never blocks publishers."""

    name = "memory"

    def __init__(self) -> None:
        self._queues: list[tuple[asyncio.Queue[dict[str, Any]], Any, str]] = []
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

    def _add(self, worker: Any, handler: Any, label: str) -> None:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._queues.append((queue, handler, label))
        self._tasks.append(asyncio.create_task(worker(queue, handler, label)))

    async def _broadcast_worker(self, queue: asyncio.Queue[dict[str, Any]], handler: MessageHandler,
                                label: str) -> None:
        while True:
            event = await queue.get()
            try:
                await handler(event)
            except Exception:
                log.exception("bus.memory.listener_failed", consumer=label, event_id=event.get("id"))

    async def _durable_worker(self, queue: asyncio.Queue[dict[str, Any]], handler: BatchHandler,
                              label: str) -> None:
        """Hand over everything waiting (up to MAX_BATCH) at once; retry the events that failed, alone."""
        while True:
            batch = [await queue.get()]
            while not queue.empty() and len(batch) < MAX_BATCH:
                batch.append(queue.get_nowait())
            try:
                failed = await handler(batch)
            except Exception:
                log.exception("bus.memory.handler_failed", consumer=label, events=len(batch))
                failed = list(range(len(batch)))
            for index in failed:
                await self._retry(batch[index], handler, label)

    async def _retry(self, event: dict[str, Any], handler: BatchHandler, label: str) -> None:
        for attempt in range(1, 5):
            await asyncio.sleep(0.2 * 2**attempt)
            try:
                if not await handler([event]):
                    return
            except Exception:
                log.exception("bus.memory.handler_failed", consumer=label, event_id=event.get("id"))
            log.warning("bus.memory.retrying", consumer=label, event_id=event.get("id"), attempt=attempt)
        log.error("bus.memory.gave_up", consumer=label, event_id=event.get("id"))

    async def subscribe_durable(self, group: str, handler: BatchHandler) -> None:
        self._add(self._durable_worker, handler, group)

    async def subscribe_broadcast(self, handler: MessageHandler) -> None:
        self._add(self._broadcast_worker, handler, "broadcast")

    async def ping(self) -> bool:
        return self._started
